"""A schedule's noise follows the estimator's ``random_state`` (issue 22,
item 7): ``NoisyLinearCosineDecay`` without a seed of its own is seeded from
the fit's random stream, so two fits are identical, also in a grid search,
and its rate never goes below 0."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV

from sknn import MLPClassifier
from sknn.core.lr_schedules import (
    Constant,
    NoisyLinearCosineDecay,
    SequentialLR,
)

X, y = load_iris(return_X_y=True)
X = (X - X.mean(axis=0)) / X.std(axis=0)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _model(learning_rate="noisy_linear_cosine", **params):
    return MLPClassifier(
        **{
            "hidden_layer_sizes": (8,),
            "solver": "sgd",
            "learning_rate": learning_rate,
            "learning_rate_init": 0.05,
            "max_iter": 25,
            "random_state": 0,
            **params,
        }
    )


SCHEDULES = {
    "name": "noisy_linear_cosine",
    "object": NoisyLinearCosineDecay(),
    "nested": SequentialLR([Constant(), NoisyLinearCosineDecay()], [5]),
}


@pytest.mark.parametrize("schedule", SCHEDULES.values(), ids=SCHEDULES)
def test_two_fits_of_the_same_estimator_are_identical(schedule):
    model = _model(schedule)
    first = model.fit(X, y)
    rates, coefs = list(first.learning_rate_curve_), first.coefs_[0].copy()
    again = model.fit(X, y)
    assert again.learning_rate_curve_ == rates
    np.testing.assert_array_equal(again.coefs_[0], coefs)
    assert min(rates) >= 0.0
    other = _model(schedule, random_state=1).fit(X, y)
    assert other.learning_rate_curve_ != rates  # the noise follows random_state


def test_grid_search_is_reproducible():
    def search():
        grid = {"alpha": [1e-4, 1e-2]}
        return GridSearchCV(_model(), grid, cv=3).fit(X, y)

    a, b = search(), search()
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        a.best_estimator_.coefs_[0], b.best_estimator_.coefs_[0]
    )


def test_partial_fit_continues_the_noise_it_was_seeded_with():
    def run():
        model = _model(max_iter=10)
        for _ in range(4):
            model.partial_fit(X, y, classes=np.unique(y))
        return model

    a, b = run(), run()
    assert a.learning_rate_curve_ == b.learning_rate_curve_
    assert len(set(a.learning_rate_curve_)) == 4
    # The seed lives in the schedule: a pickled model continues identically.
    c = pickle.loads(pickle.dumps(a))
    a.partial_fit(X, y)
    c.partial_fit(X, y)
    assert a.learning_rate_curve_ == c.learning_rate_curve_


def test_an_explicit_seed_of_the_schedule_wins():
    schedule = NoisyLinearCosineDecay(random_state=5)
    a = _model(schedule, random_state=0).fit(X, y)
    b = _model(schedule, random_state=1).fit(X, y)
    assert a.learning_rate_curve_ == b.learning_rate_curve_


def test_schedules_without_noise_draw_nothing():
    # The fit's stream is the same as with no schedule object at all.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = _model("constant", solver="adam").fit(X, y)
        b = _model(Constant(), solver="adam").fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
