"""learning_rate takes the names of sknn's schedules, not only objects."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV

from sknn import MLPClassifier
from sknn.core.lr_schedules import SCHEDULE_CLASSES, CosineAnnealingLR

X, y = load_iris(return_X_y=True)


def _fit(learning_rate):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MLPClassifier(
            (8,), max_iter=5, learning_rate=learning_rate, learning_rate_init=0.1,
            random_state=0,
        ).fit(X, y)  # fmt: skip


def test_a_name_equals_the_schedule_object_with_its_defaults():
    by_name, by_object = _fit("cosine_annealing"), _fit(CosineAnnealingLR())
    assert by_name.learning_rate_curve_ == by_object.learning_rate_curve_
    np.testing.assert_array_equal(by_name.coefs_[0], by_object.coefs_[0])
    assert by_name.learning_rate_curve_[-1] < 0.1  # the rate really decays


def test_scikit_learns_strings_keep_their_meaning():
    # 'constant' is scikit-learn's, not sknn.core.lr_schedules.Constant.
    assert set(_fit("constant").learning_rate_curve_) == {0.1}


def test_names_in_a_grid():
    grid = {"learning_rate": ["cosine_annealing", "one_cycle", "constant"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(MLPClassifier((8,), max_iter=5), grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 3


@pytest.mark.parametrize("name", sorted(SCHEDULE_CLASSES))
def test_every_registered_name_is_accepted_or_names_what_it_needs(name):
    try:
        model = _fit(name)
    except ValueError as exc:
        assert f"learning_rate={name!r} needs" in str(exc)
    else:
        assert len(model.learning_rate_curve_) == model.n_iter_
