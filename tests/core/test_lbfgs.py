"""The L-BFGS objective in scikit-learn's order of operations (sknn.core.lbfgs):
which networks take it, that it is the network's own cost and gradient up to
rounding, and that it is scikit-learn's own evaluation bit for bit."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.neural_network._multilayer_perceptron import _pack

from sknn.core.lbfgs import follows_sklearn, sklearn_loss_and_gradient
from sknn.core.losses import get_loss
from sknn.core.network import Network

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 5))
LABELS = rng.integers(0, 3, 40)


def _net(loss, n_out, activation="relu", dtype=np.float64, **kw):
    net = Network([5, 6, 4, n_out], [activation] * 2, loss, dtype, **kw)
    net.initialize(np.random.default_rng(1))
    net.params[...] = np.random.default_rng(2).normal(size=net.params.size)
    return net


def _targets(loss, n_out):
    if loss.name == "log_loss":
        return np.eye(n_out)[LABELS]
    if loss.name == "binary_log_loss":
        return rng.integers(0, 2, size=(40, n_out)).astype(float)
    if loss.name == "poisson":
        return rng.poisson(2.0, size=(40, n_out)).astype(float)
    return rng.normal(size=(40, n_out))


def test_which_networks_follow_sklearn():
    assert follows_sklearn(_net(get_loss("log_loss"), 3))
    assert follows_sklearn(_net(get_loss("binary_log_loss"), 2, "tanh"))
    assert follows_sklearn(_net(get_loss("squared_error"), 1, "gelu"))
    assert follows_sklearn(_net(get_loss("poisson"), 1))
    # Costs scikit-learn has not, or not with this link, or not this value.
    assert not follows_sklearn(_net(get_loss("huber"), 1))
    assert not follows_sklearn(
        _net(get_loss("squared_error", out_activation="softmax"), 3)
    )
    assert not follows_sklearn(_net(get_loss("log_loss", clip=False), 3))
    # Layers and penalties scikit-learn has not.
    assert not follows_sklearn(_net(get_loss("log_loss"), 3), l1=0.01)
    assert not follows_sklearn(_net(get_loss("log_loss"), 3, normalization="batch"))
    assert not follows_sklearn(_net(get_loss("log_loss"), 3, weight_norm=True))
    assert not follows_sklearn(_net(get_loss("log_loss"), 3, "prelu"))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "name, n_out",
    [("log_loss", 3), ("binary_log_loss", 2), ("squared_error", 1),
     ("squared_error", 2), ("poisson", 1)],
)  # fmt: skip
def test_same_cost_and_gradient_as_the_network_to_rounding(name, n_out, weighted):
    loss = get_loss(name)
    net = _net(loss, n_out, "tanh")
    Y = _targets(loss, n_out)
    w = rng.uniform(0.5, 2.0, 40) if weighted else None
    value, grads = sklearn_loss_and_gradient(net, X, Y, w, 0.1), net.grads.copy()
    expected = net.loss_and_gradient(X, Y, w, alpha=0.1)
    np.testing.assert_allclose(value, expected, rtol=1e-13)
    np.testing.assert_allclose(grads, net.grads, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "task, activation",
    [("multiclass", "relu"), ("binary", "logistic"), ("regression", "tanh"),
     ("regression", "identity")],
)  # fmt: skip
def test_bit_for_bit_sklearns_evaluation(task, activation, weighted, sparse):
    """The cost and gradient at a random point are scikit-learn's
    ``_loss_grad_lbfgs`` of the same packed vector, bit for bit."""
    y = {"multiclass": LABELS, "binary": LABELS % 2, "regression": X @ [1, 2, 0, -1, 3]}
    y = y[task]
    regression = task == "regression"
    sk_cls = SkMLPRegressor if regression else SkMLPClassifier
    sk = sk_cls(
        hidden_layer_sizes=(6, 4),
        activation=activation,
        solver="lbfgs",
        max_iter=1,
        alpha=0.3,
    )
    w = rng.uniform(0.5, 2.0, 40) if weighted else None
    Xs = sp.csr_matrix(X) if sparse else X
    sk.fit(Xs, y, sample_weight=w)
    n_out = sk.n_outputs_
    loss = get_loss(
        "squared_error"
        if regression
        else "log_loss"
        if n_out > 1
        else "binary_log_loss"
    )
    net = Network([5, 6, 4, n_out], [activation] * 2, loss, np.float64)
    x = np.random.default_rng(3).normal(size=net.params.size)
    Y = y.reshape(-1, 1).astype(float) if n_out == 1 else np.eye(n_out)[y]
    # scikit-learn's arrays for its evaluation
    activations = [Xs] + [None] * 3
    deltas = [None] * 3
    coef_grads = [np.empty_like(c) for c in sk.coefs_]
    intercept_grads = [np.empty_like(b) for b in sk.intercepts_]
    sk_value, sk_grad = sk._loss_grad_lbfgs(
        x.copy(), Xs, Y.astype(bool) if not regression else Y, w, activations,
        deltas, coef_grads, intercept_grads,
    )  # fmt: skip
    np.testing.assert_array_equal(_pack(sk.coefs_, sk.intercepts_), x)
    net.params[...] = x
    value = sklearn_loss_and_gradient(net, Xs, Y, w, 0.3)
    assert value == sk_value
    np.testing.assert_array_equal(net.grads, sk_grad)
