"""The public gradient checker, on estimators."""

import numpy as np
import pytest

from sknn import MLPClassifier, MLPRegressor, check_gradients
from sknn.core.activations import ACTIVATIONS

RNG = np.random.default_rng(0)
X = RNG.normal(size=(15, 4))
y_class = RNG.integers(0, 3, 15)
y_reg = RNG.normal(size=(15, 2))


@pytest.mark.parametrize("activation", sorted(set(ACTIVATIONS) - {"relu", "relu6"}))
@pytest.mark.parametrize("penalty", [{}, {"alpha": 0.5}, {"alpha": 0.1, "l1": 0.05}])
def test_classifier_gradients(activation, penalty):
    clf = MLPClassifier((5, 4), activation=activation, **penalty)
    assert check_gradients(clf, X, y_class) < 1e-7


@pytest.mark.parametrize("loss", ["squared_error", "huber", "poisson"])
def test_regressor_gradients_with_sample_weight(loss):
    reg = MLPRegressor(loss, hidden_layer_sizes=(6,), activation="tanh", alpha=0.2)
    target = np.abs(y_reg) if loss == "poisson" else y_reg
    weights = RNG.uniform(0.5, 2, size=15)
    assert check_gradients(reg, X, target, sample_weight=weights) < 1e-7


def test_fitted_estimator_and_unchanged():
    clf = MLPClassifier((5,), activation="tanh", max_iter=5, random_state=0)
    with pytest.warns(Warning):
        clf.fit(X, y_class)
    params = clf._network.params.copy()
    assert check_gradients(clf, X, y_class) < 1e-6
    np.testing.assert_array_equal(clf._network.params, params)


def test_detects_a_wrong_gradient(monkeypatch):
    from sknn.core.activations import Tanh

    monkeypatch.setattr(Tanh, "backward", lambda self, z, a, delta: delta)
    clf = MLPClassifier((5,), activation="tanh")
    assert check_gradients(clf, X, y_class) > 1e-3


# -- kinks, float32, subsets and the result (issue 14) ---------------------------


def _switched_off(n=200, seed=0):
    """Enough rows that some switch off every first-layer unit of a zero-bias
    ReLU network (about 1 in 2**units, if 0 is not in the convex hull of the
    units' weight vectors: with random_state=1 it is not): the next layer's
    inputs are then exactly 0."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, rng.integers(0, 3, n), rng.normal(size=n), rng.uniform(0.5, 2, n)


@pytest.mark.parametrize("activation", ["relu", "relu6", ("relu", "leaky_relu")])
def test_kinks_are_skipped_not_reported(activation):
    X, y, _, _ = _switched_off()
    clf = MLPClassifier((5, 4), activation=activation, bias_init=0.0)
    result = check_gradients(clf, X, y, n_checks=None, random_state=1)
    assert result < 1e-7 and result.n_skipped > 0
    assert result.n_checked + result.n_skipped == result.n_params


def test_quantile_loss_at_a_leaky_relu_kink_is_no_false_alarm():
    """Issue 14's false alarm (0.141 there): quantile loss, layers (4, 2, 3),
    leaky_relu/relu, sample weights, a unit at exactly 0 feeding leaky_relu."""
    X, _, target, weights = _switched_off()
    reg = MLPRegressor(
        "quantile", hidden_layer_sizes=(4, 2, 3),
        activation=("relu", "leaky_relu", "relu"), bias_init=0.0,
    )  # fmt: skip
    result = check_gradients(reg, X, target, sample_weight=weights, random_state=1)
    assert result < 1e-7 and result.n_skipped > 0


def test_float32_is_checked_in_float64_with_a_warning():
    """Issue 14: float32 data returned 0.226 silently."""
    X32 = X.astype(np.float32)
    clf = MLPClassifier((5, 4), activation="tanh")
    with pytest.warns(UserWarning, match="float32: it is checked in float64") as w:
        result = check_gradients(clf, X32, y_class)
    assert w[0].filename == __file__  # the warning points at the caller
    assert result < 1e-7 and result.upcast
    fitted = MLPClassifier((5,), max_iter=3, random_state=0)
    with pytest.warns(Warning):
        fitted.fit(X32, y_class)
    with pytest.warns(UserWarning, match="checked in float64"):
        assert check_gradients(fitted, X32, y_class) < 1e-6
    assert fitted._network.dtype == np.float32  # the model is untouched


def test_a_random_subset_by_default(monkeypatch):
    """n_checks=200 entries by default (two cost evaluations each, plus the
    backpropagation pass), drawn with random_state; None checks all."""
    from sknn.core.network import Network

    calls = []
    real = Network.cost
    monkeypatch.setattr(
        Network, "cost", lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
    )
    clf = MLPClassifier((30, 20), activation="tanh")
    result = check_gradients(clf, X, y_class)
    n_params = 4 * 30 + 30 * 20 + 20 * 3 + 30 + 20 + 3
    assert (result.n_checked, result.n_skipped, result.n_params) == (200, 0, n_params)
    assert len(calls) == 2 * 200 + 1
    assert float(check_gradients(clf, X, y_class)) == float(result)  # same draw
    assert check_gradients(clf, X, y_class, n_checks=None).n_checked == n_params
    assert check_gradients(clf, X, y_class, n_checks=7).n_checked == 7


def test_a_wrong_gradient_is_found_by_a_small_subset(monkeypatch):
    from sknn.core.activations import Tanh

    monkeypatch.setattr(Tanh, "backward", lambda self, z, a, delta: delta)
    clf = MLPClassifier((30, 20), activation="tanh")
    for seed in range(5):
        assert check_gradients(clf, X, y_class, n_checks=10, random_state=seed) > 1e-3


def test_the_result_keeps_working_as_a_float():
    result = check_gradients(MLPClassifier((5,), activation="tanh"), X, y_class)
    assert isinstance(result, float) and result < 1e-7 and float(result) >= 0
    assert f"{result:.2e}".endswith(tuple("0123456789"))
    assert "n_checked=" in repr(result) and "n_skipped=0" in repr(result)
