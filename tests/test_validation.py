"""Validation data: X_val/y_val, early_stopping_scoring and validation curves."""

import numpy as np
import pytest
from _helpers import assert_unchanged, fitted_state
from sklearn.metrics import log_loss

from sknn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def split(small_classification):
    X, y = small_classification
    return X[:150], y[:150], X[150:], y[150:]


def test_user_validation_data_replaces_the_split(split):
    X, y, X_val, y_val = split
    clf = MLPClassifier((8,), early_stopping=True, max_iter=40, random_state=0)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    # All 150 rows trained (the split would hold 10 % out): t_ counts them.
    assert clf.t_ == 150 * clf.n_iter_
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # The best epoch's weights are kept: its score is the model's score.
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)
    assert clf.validation_scores_[clf.best_epoch_ - 1] == clf.best_validation_score_


def test_validation_loss_curve_is_the_validation_cost(split):
    X, y, X_val, y_val = split
    clf = MLPClassifier((8,), max_iter=5, random_state=0)
    clf.fit(X, y, X_val=X_val, y_val=y_val)
    # Without early stopping the curves are recorded and training runs on.
    assert clf.n_iter_ == 5 and len(clf.validation_loss_curve_) == 5
    expected = log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_)
    assert clf.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-6)


def test_sample_weight_val_weighs_the_validation_score(split):
    X, y, X_val, y_val = split
    w = np.where(y_val == 0, 10.0, 0.1)
    kw = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    plain = MLPClassifier(**kw).fit(X, y, X_val=X_val, y_val=y_val)
    weighted = MLPClassifier(**kw).fit(
        X, y, X_val=X_val, y_val=y_val, sample_weight_val=w
    )
    assert plain.validation_scores_[-1] != weighted.validation_scores_[-1]
    assert weighted.validation_scores_[-1] == pytest.approx(
        weighted.score(X_val, y_val, sample_weight=w)
    )


def test_early_stopping_on_the_loss(split):
    X, y, X_val, y_val = split
    clf = MLPClassifier(
        (8,), early_stopping=True, early_stopping_scoring="loss", max_iter=30,
        random_state=0,
    ).fit(X, y, X_val=X_val, y_val=y_val)  # fmt: skip
    np.testing.assert_allclose(
        clf.validation_scores_, -np.array(clf.validation_loss_curve_)
    )


def test_early_stopping_with_a_scorer(small_regression):
    X, y = small_regression
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, max_iter=30, random_state=0,
        early_stopping_scoring="neg_mean_absolute_error",
    ).fit(X, y)  # fmt: skip
    assert all(s <= 0 for s in reg.validation_scores_)


def test_regressor_validation_data(small_regression):
    X, y = small_regression
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, max_iter=20, random_state=0
    )
    reg.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    assert reg.score(X[150:], y[150:]) == pytest.approx(reg.best_validation_score_)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X_val": "X"}, "y_val is missing"),
        ({"y_val": "y"}, "X_val is missing"),
        ({"sample_weight_val": "w"}, "without X_val"),
        ({"X_val": "X3", "y_val": "y"}, "features"),
        ({"X_val": "X", "y_val": "y_short"}, "samples"),
        (
            {"X_val": "X", "y_val": "y_new"},
            r"^`y_val` has classes not in `self\.classes_`\..* \(New: \[7\]; ",
        ),
    ],
)
def test_bad_validation_data_is_rejected_and_loses_nothing(split, kwargs, match):
    X, y, X_val, y_val = split
    values = {
        "X": X_val, "y": y_val, "w": np.ones(len(y_val)), "X3": X_val[:, :3],
        "y_short": y_val[:-1], "y_new": np.where(y_val == 0, 7, y_val),
    }  # fmt: skip
    clf = MLPClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    before = fitted_state(clf)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, **{k: values[v] for k, v in kwargs.items()})
    assert_unchanged(clf, before)


def test_lbfgs_rejects_validation_data(split):
    X, y, X_val, y_val = split
    with pytest.raises(ValueError, match="lbfgs"):
        MLPClassifier(solver="lbfgs").fit(X, y, X_val=X_val, y_val=y_val)


def test_no_validation_means_no_validation_attributes(split):
    X, y, _, _ = split
    clf = MLPClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    assert clf.validation_scores_ is None and clf.validation_loss_curve_ is None
    assert clf.best_validation_score_ is None


def test_scorer_early_stopping_stratifies_multiclass_splits():
    # A log-loss scorer needs every class in the validation split; scikit-learn's
    # unstratified multiclass split (kept for the default scoring) can miss one.
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier(
        early_stopping=True,
        early_stopping_scoring="neg_log_loss",
        max_iter=2,
        random_state=2,
    ).fit(X[:300], y[:300])
    assert len(clf.validation_scores_) == 2
    assert all(np.isfinite(clf.validation_scores_))
