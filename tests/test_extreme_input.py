"""Issue 14's estimator-level defects: values that overflow the model's float32,
a refit interrupted before its first epoch, solver switches, nested parameters
of a string schedule, wrongly shaped weights, and labels that cannot be classes."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _helpers import assert_unchanged, fitted_state

from sknn import MLPClassifier, MLPRegressor
from sknn.classifier import LabelTypeError
from sknn.core.lr_schedules import StepLR

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 8))
y = rng.integers(0, 3, 200)
X32 = X.astype(np.float32)
HUGE = np.full((4, 8), 1e39)  # finite in float64, infinite in float32


@pytest.fixture(scope="module")
def fitted32():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MLPClassifier((5,), max_iter=5, random_state=0).fit(X32, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predicting_beyond_float32_range_computes_in_float64(fitted32, method):
    # Float64 input to a float32 model is computed in float64, as scikit-learn
    # computes it (its X @ coefs_ promotes): nothing is cast down, so values
    # beyond float32's range are no error, and the result is float64's.
    out = getattr(fitted32, method)(HUGE)
    wide = MLPClassifier((5,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wide.fit(X, y)  # a float64 model, given the float32 one's weights:
    wide.coefs_, wide.intercepts_ = fitted32.coefs_, fitted32.intercepts_
    np.testing.assert_array_equal(out, getattr(wide, method)(HUGE))
    if method == "predict_proba":
        assert out.dtype == np.float64 and np.isfinite(out).all()


def test_regressor_mc_dropout_beyond_float32_range_computes_in_float64():
    # As predict: float64 input to a float32 model is computed in float64.
    reg = MLPRegressor(hidden_layer_sizes=(5,), dropout=0.2, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X32, X[:, 0])
    mean, std = reg.predict(HUGE, return_std=True)
    assert mean.dtype == std.dtype == np.float64
    assert np.isfinite(mean).all() and np.isfinite(std).all()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda m: m.partial_fit(HUGE, y[:4]), "X"),
        (
            lambda m: m.set_params(warm_start=True).fit(
                np.r_[X, HUGE], np.r_[y, y[:4]]
            ),
            "X",
        ),
        (lambda m: m.fit(X32, y, X_val=HUGE, y_val=y[:4]), "X_val"),
    ],
    ids=["partial_fit", "warm_start", "X_val"],
)
def test_training_input_beyond_float32_range_loses_nothing(call, name):
    model = MLPClassifier((5,), max_iter=5, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X32, y)
    before = fitted_state(model)
    with pytest.raises(ValueError, match=f"^{name} has values up to 1e\\+39"):
        call(model)
    assert_unchanged(model, before)


def test_regression_targets_beyond_float32_range():
    with pytest.raises(ValueError, match="^y has values up to 1e\\+39"):
        MLPRegressor(max_iter=2).fit(X32, np.full(200, 1e39))


def test_refit_interrupted_before_its_first_epoch_keeps_the_fitted_model(
    monkeypatch,
):
    import sknn.core.training as training

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier((5,), max_iter=10, random_state=0).fit(X, y)
    before = fitted_state(model)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "run_epoch", interrupted)
    with pytest.warns(UserWarning, match="No epoch was completed") as record:
        assert model.fit(X, y) is model
    assert len(record) == 1  # one warning, not the core's and the estimator's
    assert_unchanged(model, before)
    # An unfitted estimator stays unfitted.
    fresh = MLPClassifier((5,), max_iter=10)
    with pytest.warns(UserWarning, match="No epoch was completed"):
        fresh.fit(X, y)
    assert not hasattr(fresh, "coefs_") or not hasattr(fresh, "_network")


def test_partial_fit_after_an_lbfgs_fit_starts_a_new_optimiser():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier((5,), solver="lbfgs", max_iter=5, random_state=0)
        model.fit(X, y)
        coefs = [c.copy() for c in model.coefs_]
        model.set_params(solver="adam").partial_fit(X, y)
    assert model.n_iter_ == 1
    assert len(model.loss_curve_) == 1
    assert any(not np.array_equal(a, b) for a, b in zip(coefs, model.coefs_))


def test_nested_schedule_parameter_of_a_string_rate_is_a_clear_error():
    with pytest.raises(ValueError, match="learning_rate is 'constant'.*StepLR"):
        MLPClassifier().set_params(learning_rate__gamma=0.5)
    # Setting the object in the same call works, as in a grid entry.
    clf = MLPClassifier().set_params(
        learning_rate=StepLR(step_size=2), learning_rate__gamma=0.5
    )
    assert clf.learning_rate.gamma == 0.5
    assert clf.set_params(learning_rate__gamma=0.25).learning_rate.gamma == 0.25


@pytest.mark.parametrize(
    "value, match",
    [
        ([np.ones((1, 3)), np.ones((3, 1))], r"coefs_\[0\] has shape \(1, 3\)"),
        ([np.ones((4, 3))], "needs 2 arrays, one per layer; got 1"),
        ([np.full((4, 3), np.nan), np.ones((3, 1))], "NaN or infinity"),
    ],
)
def test_assigning_wrong_weights_is_refused_and_changes_nothing(value, match):
    reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X[:, :4], X[:, 0])
    before = [c.copy() for c in reg.coefs_]
    with pytest.raises(ValueError, match=match):
        reg.coefs_ = value
    for a, b in zip(before, reg.coefs_):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"intercepts_\[1\] has shape \(3,\)"):
        reg.intercepts_ = [np.zeros(3), np.zeros(3)]
    reg.coefs_ = [np.ones((4, 3)), np.ones((3, 1))]  # the right shapes work
    assert reg.coefs_[0].sum() == 12


@pytest.mark.parametrize(
    "labels, match",
    [
        (pd.array(["a", "b", pd.NA, "a"], dtype="string"), "missing labels"),
        (np.array(["a", None, "b", "a"], dtype=object), "missing labels"),
        (np.array([1, "a", 2, "b"], dtype=object), "mixes label types"),
    ],
    ids=["pandas NA", "None", "int and str"],
)
def test_labels_that_cannot_be_classes(labels, match):
    # A TypeError like scikit-learn's (its text first) and a ValueError.
    with pytest.raises(LabelTypeError, match=match) as info:
        MLPClassifier(max_iter=2).fit(X[:4], labels)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
