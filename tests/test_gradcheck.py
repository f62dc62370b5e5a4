"""The gradient checker, :mod:`sknn.gradcheck`: backpropagation against finite
differences on networks (every activation x cost x penalty), the checker itself
(kinks, subsets, float32, its result), ``check_gradients`` on the estimators."""

import pickle

import numpy as np
import pytest

from sknn import MLPClassifier, MLPRegressor, check_gradients
from sknn.core.activations import ACTIVATIONS, Activation, Tanh
from sknn.core.losses import get_loss
from sknn.core.network import Network
from sknn.gradcheck import (
    GradientCheck,
    _blocks,
    _entries,
    numerical_gradient,
    relative_gradient_error,
)

ACTIVATION_NAMES = [n for n in ACTIVATIONS if n not in ("sigmoid", "swish")]
N_SAMPLES, N_FEATURES, HIDDEN = 12, 4, (5, 3)
TOL = 1e-6
MARGIN = 1e-4  # distance every kink must keep (FD steps are 1e-6)

# Where each activation is not differentiable (ELU is C1 but not C2 at 0).
KINKS = {
    "relu": (0.0,),
    "leaky_relu": (0.0,),
    "relu6": (0.0, 6.0),
    "elu": (0.0,),
    "selu": (0.0,),
    "prelu": (0.0,),
}

# name -> (loss name, loss params, number of outputs, target kind)
COSTS = {
    "log_loss": ("log_loss", {}, 3, "one_hot"),
    "binary_log_loss": ("binary_log_loss", {}, 2, "binary"),
    "squared_error-logistic": (
        "squared_error",
        {"out_activation": "logistic"},
        2,
        "binary",
    ),
    "squared_error-softmax": (
        "squared_error",
        {"out_activation": "softmax"},
        3,
        "one_hot",
    ),
    "squared_error": ("squared_error", {}, 2, "real"),
    "absolute_error": ("absolute_error", {}, 2, "real"),
    "huber": ("huber", {"delta": 0.5}, 2, "real"),
    "quantile": ("quantile", {"quantile": 0.3}, 2, "real"),
    "poisson": ("poisson", {}, 2, "counts"),
}

# name -> (alpha, l1, use sample weights)
PENALTIES = {
    "none": (0.0, 0.0, False),
    "l2": (0.3, 0.0, True),
    "l1": (0.0, 0.05, False),
}


# Seed 0 puts every case off its kinks except these (asserted in the test).
SEEDS = {("selu", "huber"): 1}


def _targets(kind, k, rng):
    if kind == "one_hot":
        return np.eye(k)[rng.permutation(np.arange(N_SAMPLES) % k)]
    if kind == "binary":
        return rng.integers(0, 2, size=(N_SAMPLES, k)).astype(float)
    if kind == "counts":
        return rng.poisson(1.5, size=(N_SAMPLES, k)).astype(float)
    return rng.normal(size=(N_SAMPLES, k))


def _problem(activation, cost, seed=0):
    loss_name, params, k, kind = COSTS[cost]
    rng = np.random.default_rng(seed)
    net = Network(
        [N_FEATURES, *HIDDEN, k],
        [activation] * len(HIDDEN),
        get_loss(loss_name, **params),
        np.float64,
    )
    net.initialize(rng, bias_init=0.1)
    # Keep every weight at least 0.05 from 0, the kink of the L1 penalty.
    w = net.weights
    w += np.where(w < 0, -0.05, 0.05)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    Y = _targets(kind, k, rng)
    sample_weight = rng.uniform(0.2, 3.0, N_SAMPLES)
    return net, X, Y, sample_weight


def _distance_to_kinks(net, X, Y, activation, cost):
    """Smallest distance of any kinked quantity to its kink at these parameters."""
    distances = [np.abs(net.weights).min()]
    a = X
    for w, b in zip(net.coefs[:-1], net.intercepts[:-1], strict=True):
        z = a @ w + b
        for kink in KINKS.get(activation, ()):
            distances.append(np.abs(z - kink).min())
        act = ACTIVATIONS[activation]()
        a = act.forward(z, np.empty_like(z))
    residual = net.predict(X) - Y
    if cost in ("absolute_error", "quantile"):
        distances.append(np.abs(residual).min())
    if cost == "huber":
        distances.append(np.abs(np.abs(residual) - COSTS[cost][1]["delta"]).min())
    return float(min(distances))


@pytest.mark.parametrize("penalty", sorted(PENALTIES))
@pytest.mark.parametrize("cost", list(COSTS))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_backprop_matches_finite_differences(activation, cost, penalty):
    net, X, Y, sample_weight = _problem(
        activation, cost, SEEDS.get((activation, cost), 0)
    )
    alpha, l1, weighted = PENALTIES[penalty]
    sw = sample_weight if weighted else None
    assert _distance_to_kinks(net, X, Y, activation, cost) > MARGIN
    error = relative_gradient_error(net, X, Y, sw, alpha=alpha, l1=l1)
    assert error < TOL
    assert np.linalg.norm(net.grads) > 1e-3  # a meaningful, non-vanishing gradient


@pytest.mark.parametrize("cost", list(COSTS))
def test_sample_weights_with_every_cost_and_both_penalties(cost):
    net, X, Y, sample_weight = _problem("tanh", cost, seed=1)
    assert _distance_to_kinks(net, X, Y, "tanh", cost) > MARGIN
    error = relative_gradient_error(net, X, Y, sample_weight, alpha=0.2, l1=0.03)
    assert error < TOL


def test_deeper_network_with_mixed_activations():
    rng = np.random.default_rng(2)
    net = Network(
        [3, 6, 5, 4, 2], ["gelu", "tanh", "softplus"], get_loss("log_loss"), np.float64
    )
    net.initialize(rng, bias_init=0.05)
    X = rng.normal(size=(10, 3))
    Y = np.eye(2)[np.arange(10) % 2]
    assert relative_gradient_error(net, X, Y, alpha=0.1) < TOL


# -- the checker itself --------------------------------------------------------


def test_numerical_gradient_matches_a_hand_derived_gradient():
    """One identity hidden layer, squared error: the gradient in closed form."""
    rng = np.random.default_rng(3)
    net = Network([3, 4, 2], ["identity"], get_loss("squared_error"), np.float64)
    net.initialize(rng, bias_init=0.2)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    w = rng.uniform(0.5, 2, 6)
    alpha = 0.4
    W0, b0, W1, b1 = net.coefs[0], net.intercepts[0], net.coefs[1], net.intercepts[1]
    A = X @ W0 + b0
    R = (A @ W1 + b1 - Y) * (w / w.sum())[:, None]  # d cost / d output
    D = R @ W1.T
    n = w.sum()
    expected = np.concatenate(
        [
            (X.T @ D + alpha / n * W0).ravel(),
            (A.T @ R + alpha / n * W1).ravel(),
            D.sum(axis=0),
            R.sum(axis=0),
        ]
    )
    numeric = numerical_gradient(net, X, Y, w, alpha=alpha)
    np.testing.assert_allclose(numeric, expected, rtol=1e-7, atol=1e-9)
    net.loss_and_gradient(X, Y, w, alpha=alpha)
    np.testing.assert_allclose(net.grads, expected, rtol=1e-12, atol=1e-15)


def test_numerical_gradient_restores_the_parameters():
    net, X, Y, _ = _problem("relu", "log_loss")
    before = net.params.copy()
    numerical_gradient(net, X, Y, alpha=0.1, l1=0.01)
    np.testing.assert_array_equal(net.params, before)


class _WrongTanh(Tanh):
    """tanh with a derivative off by a factor of 2."""

    def backward(self, z, a, delta):
        delta *= 2 * (1 - a * a)
        return delta


def test_a_wrong_derivative_is_detected():
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    errors = []
    for act in (Tanh(), _WrongTanh()):
        net = Network([3, 4, 2], [act], get_loss("squared_error"), np.float64)
        net.initialize(np.random.default_rng(0))
        errors.append(relative_gradient_error(net, X, Y))
    assert errors[0] < 1e-8
    assert errors[1] > 1e-2


def test_a_missing_penalty_gradient_is_detected(monkeypatch):
    net, X, Y, _ = _problem("tanh", "squared_error")
    assert relative_gradient_error(net, X, Y, alpha=1.0) < TOL
    monkeypatch.setattr(net, "add_penalty", lambda alpha, l1, n: 0.0)
    assert relative_gradient_error(net, X, Y, alpha=1.0) > 1e-2


def test_zero_gradient_gives_zero_error():
    net = Network([3, 2, 1], ["identity"], get_loss("squared_error"), np.float64)
    X, Y = np.ones((4, 3)), np.zeros((4, 1))
    assert relative_gradient_error(net, X, Y) == 0.0


def test_custom_activation_instance_is_checked():
    class Cube(Activation):
        name = "cube"
        needs_z = True

        def forward(self, z, out):
            np.power(z, 3, out=out)
            return out

        def backward(self, z, a, delta):
            delta *= 3 * z * z
            return delta

    rng = np.random.default_rng(5)
    net = Network([3, 4, 2], [Cube()], get_loss("squared_error"), np.float64)
    net.initialize(rng)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    assert relative_gradient_error(net, X, Y) < TOL


def test_extras_are_checked_in_training_mode_and_running_stats_left_alone():
    rng = np.random.default_rng(6)
    net = Network(
        [3, 5, 4, 2],
        ["prelu", "tanh"],
        get_loss("squared_error"),
        np.float64,
        normalization=["batch", "layer"],
        weight_norm=True,
    )
    net.initialize(rng, bias_init=0.1)
    net.extras[...] += rng.uniform(-0.3, 0.3, net.extras.size)
    net.stats[...] = rng.uniform(0.5, 2.0, net.stats.size)  # far from any batch
    stats = net.stats.copy()
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    numeric = numerical_gradient(net, X, Y, alpha=0.1)
    np.testing.assert_array_equal(net.stats, stats)
    assert numeric.shape == net.params.shape
    assert np.abs(numeric[net.n_weights + net.n_biases :]).min() > 0
    assert relative_gradient_error(net, X, Y, alpha=0.1) < TOL
    np.testing.assert_array_equal(net.stats, stats)


# -- kinks, subsets, float32 and the result (issue 14) -------------------------


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_declared_kinks_are_where_the_derivative_jumps(name):
    """``Activation.kinks`` lists exactly the points where the derivative (ELU
    at alpha=1: the second derivative) jumps; the test's own KINKS agree."""
    act = ACTIVATIONS[name]()
    assert tuple(act.kinks) == KINKS.get(name, ())

    def slope(z):
        z = np.array([[z]])
        out = act.forward(z.copy(), np.empty_like(z))
        delta = np.ones_like(z)
        return act.backward(z if act.needs_z else None, out, delta)[0, 0]

    h = 1e-7
    for point in (0.0, 6.0, -1.0, 1.5):
        jump = abs(slope(point + h) - slope(point - h))
        curvature_jump = (
            abs(
                (slope(point + 2 * h) - slope(point + h))
                - (slope(point - h) - slope(point - 2 * h))
            )
            / h
        )
        kinked = jump > 1e-3 or curvature_jump > 0.1
        assert kinked == (point in act.kinks), (name, point, jump, curvature_jump)


def test_kink_distance_marks_the_costs_kinks():
    Y = np.array([[0.0, 1.0], [2.0, -1.0]])
    p = np.array([[0.0, 2.0], [1.5, -1.0]])
    for name, params in [("absolute_error", {}), ("quantile", {"quantile": 0.3})]:
        d = get_loss(name, **params).kink_distance(Y, p, p)
        np.testing.assert_array_equal(d, p - Y)
    d = get_loss("huber", delta=0.5).kink_distance(Y, p, p)
    np.testing.assert_array_equal(d, np.abs(p - Y) - 0.5)
    for smooth in ("squared_error", "log_loss", "binary_log_loss"):
        assert get_loss(smooth).kink_distance(Y, p, p) is None


def test_kink_crossings_are_skipped_not_reported():
    """The false alarm of issue 14: a unit at exactly 0 puts the next layer's
    pre-activations on leaky_relu's kink. Without kink detection the error
    is ~1e-2; the entries whose step crosses are skipped, the rest agree."""
    rng = np.random.default_rng(0)
    net = Network([4, 4, 3, 2], ["relu", "leaky_relu"],
                  get_loss("quantile", quantile=0.3), np.float64)  # fmt: skip
    net.initialize(rng, bias_init=0.0)
    X = rng.normal(size=(40, 4))
    off = (X @ net.coefs[0] <= 0).all(axis=1)
    assert off.any()  # rows whose first-layer units are all off
    Y = rng.normal(size=(40, 2))
    w = rng.uniform(0.5, 2.0, 40)
    numeric = numerical_gradient(net, X, Y, w)
    net.loss_and_gradient(X, Y, w)
    naive = np.linalg.norm(numeric - net.grads) / (
        np.linalg.norm(numeric) + np.linalg.norm(net.grads)
    )
    assert naive > 1e-4  # the false alarm
    result = relative_gradient_error(net, X, Y, w)
    assert result < 1e-7 and 0 < result.n_skipped < result.n_params
    assert result.n_checked + result.n_skipped == result.n_params == net.params.size
    # The entries that do not cross agree at every step, as a right gradient's.
    assert relative_gradient_error(net, X, Y, w, eps=1e-5) < 1e-7


def test_a_wrong_derivative_next_to_kinks_is_still_detected(monkeypatch):
    """Skipping the entries at kinks must not hide a wrong backward pass."""
    from sknn.core.activations import ReLU

    rng = np.random.default_rng(0)
    net = Network([4, 6, 2], ["relu"], get_loss("squared_error"), np.float64)
    net.initialize(rng, bias_init=0.0)
    X, Y = rng.normal(size=(30, 4)), rng.normal(size=(30, 2))
    assert relative_gradient_error(net, X, Y) < 1e-7
    monkeypatch.setattr(ReLU, "backward", lambda self, z, a, delta: delta)
    assert relative_gradient_error(net, X, Y) > 1e-2


def test_l1_kink_entries_are_skipped():
    net, X, Y, _ = _problem("tanh", "squared_error")
    net.weights[3] = 1e-8  # within eps of |w|'s kink
    result = relative_gradient_error(net, X, Y, l1=0.5)
    assert result < 1e-7 and result.n_skipped == 1
    assert relative_gradient_error(net, X, Y).n_skipped == 0  # no L1: no kink


def test_a_random_subset_covers_every_block():
    rng = np.random.default_rng(7)
    net = Network([5, 30, 20, 3], ["prelu", "tanh"], get_loss("log_loss"),
                  np.float64, normalization=["batch", None],
                  weight_norm=True)  # fmt: skip
    net.initialize(rng, bias_init=0.1)
    X, Y = rng.normal(size=(12, 5)), np.eye(3)[np.arange(12) % 3]
    result = relative_gradient_error(net, X, Y, n_checks=60, random_state=0)
    assert result < 1e-7 and result.n_checked + result.n_skipped == 60
    entries = _entries(net, 60, np.random.default_rng(0))
    assert entries.size == 60 and np.unique(entries).size == 60
    for start, size in _blocks(net):  # every block is sampled
        assert ((entries >= start) & (entries < start + size)).any()
    again = relative_gradient_error(net, X, Y, n_checks=60, random_state=0)
    assert float(again) == float(result)  # the same entries for the same seed
    everything = relative_gradient_error(net, X, Y, n_checks=10**6)
    assert everything.n_checked == net.params.size
    with pytest.raises(ValueError, match="n_checks must be a positive int"):
        relative_gradient_error(net, X, Y, n_checks=0)


def test_float32_networks_are_checked_in_float64():
    rng = np.random.default_rng(3)
    net = Network([3, 5, 2], ["tanh"], get_loss("squared_error"), np.float32)
    net.initialize(rng)
    X, Y = rng.normal(size=(10, 3)).astype(np.float32), rng.normal(size=(10, 2))
    before = net.params.copy()
    with pytest.warns(UserWarning, match="float32: it is checked in float64"):
        result = relative_gradient_error(net, X, Y.astype(np.float32))
    assert result < 1e-7 and result.upcast
    np.testing.assert_array_equal(net.params, before)  # the model is unchanged
    assert net.dtype == np.float32
    # The float64 copy holds the float32 parameters exactly.
    copy64 = net.astype(np.float64)
    assert copy64.params.dtype == copy64.stats.dtype == np.float64
    np.testing.assert_array_equal(copy64.params, net.params.astype(np.float64))
    np.testing.assert_array_equal(copy64.predict(X.astype(np.float64)),
                                  net.astype(np.float64).predict(X))  # fmt: skip


def test_the_result_is_a_float_that_says_what_it_covers():
    net, X, Y, _ = _problem("tanh", "squared_error")
    result = relative_gradient_error(net, X, Y, n_checks=10, random_state=0)
    assert isinstance(result, float) and isinstance(result, GradientCheck)
    assert result < 1e-7 and float(result) == result and f"{result:.1e}"
    assert (result.n_checked, result.n_skipped) == (10, 0)
    assert result.n_params == net.params.size and result.eps == 1e-6
    assert repr(result).startswith("GradientCheck(") and "n_checked=10" in repr(result)
    clone = pickle.loads(pickle.dumps(result))
    assert float(clone) == float(result) and clone.n_checked == 10


def test_every_entry_at_a_kink_gives_nan_with_a_warning():
    """All zeros, an absolute error at 0 and L1: the weights sit on L1's kink,
    the hidden biases move ReLU's inputs off 0, the output bias the residual."""
    net = Network([2, 3, 1], ["relu"], get_loss("absolute_error"), np.float64)
    net.initialize(np.random.default_rng(0), init="zeros", bias_init=0.0)
    X, Y = np.ones((4, 2)), np.zeros((4, 1))
    with pytest.warns(UserWarning, match="across a kink: nothing could be compared"):
        result = relative_gradient_error(net, X, Y, l1=0.1)
    assert np.isnan(result) and result.n_checked == 0
    assert result.n_skipped == result.n_params == net.params.size


# -- check_gradients on the estimators ------------------------------------------

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


# -- check_gradients: kinks, float32, subsets and the result (issue 14) --------


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
