"""The network: flat buffers and views, forward/predict, dropout, buffers, copies."""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import sknn.core.network as network_module
from sknn.core.activations import ACTIVATIONS
from sknn.core.initializers import INITIALIZERS
from sknn.core.losses import get_loss
from sknn.core.network import Network

ACTIVATION_NAMES = [n for n in ACTIVATIONS if n not in ("sigmoid", "swish")]


def _net(
    sizes=(4, 5, 3, 2),
    activation="tanh",
    loss=None,
    dtype=np.float64,
    dropout=None,
    seed=0,
    bias_init=0.1,
):
    loss = get_loss("squared_error") if loss is None else loss
    acts = [activation] * (len(sizes) - 2)
    net = Network(sizes, acts, loss, dtype, dropout=dropout)
    return net.initialize(np.random.default_rng(seed), bias_init=bias_init)


def _data(n=12, n_features=4, n_outputs=2, dtype=np.float64, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(dtype)
    Y = rng.normal(size=(n, n_outputs)).astype(dtype)
    return X, Y


def _one_hot(labels, k):
    return np.eye(k)[labels]


# -- parameter layout ----------------------------------------------------------


def test_params_and_grads_are_single_contiguous_buffers():
    net = _net()
    sizes = [4, 5, 3, 2]
    n_weights = 4 * 5 + 5 * 3 + 3 * 2
    assert net.n_weights == n_weights
    assert net.params.shape == net.grads.shape == (n_weights + 5 + 3 + 2,)
    assert net.params.flags.c_contiguous and net.grads.flags.c_contiguous
    assert net.n_layers == 3
    assert [c.shape for c in net.coefs] == list(zip(sizes[:-1], sizes[1:], strict=True))
    assert [b.shape for b in net.intercepts] == [(5,), (3,), (2,)]
    for views, buffer in ((net.coefs, net.params), (net.intercepts, net.params)):
        for v in views:
            assert v.base is buffer
    for views in (net.grad_coefs, net.grad_intercepts):
        for v in views:
            assert v.base is net.grads
    assert not np.shares_memory(net.params, net.grads)


def test_layout_is_weights_first_then_biases():
    net = _net()
    flat = np.concatenate([c.ravel() for c in net.coefs] + list(net.intercepts))
    np.testing.assert_array_equal(flat, net.params)
    assert net.weights.base is net.params
    np.testing.assert_array_equal(
        net.weights, np.concatenate([c.ravel() for c in net.coefs])
    )
    assert net.weights.size == net.n_weights


def test_writing_to_views_changes_the_buffer_and_back():
    net = _net()
    net.coefs[0][0, 0] = 123.0
    assert net.params[0] == 123.0
    net.coefs[1][0, 1] = -7.0
    assert net.params[4 * 5 + 1] == -7.0
    net.intercepts[0][:] = 5.0
    np.testing.assert_array_equal(net.params[net.n_weights : net.n_weights + 5], 5.0)
    net.params[-1] = 9.0
    assert net.intercepts[-1][-1] == 9.0
    net.weights[:] = 0.0
    assert not any(c.any() for c in net.coefs)
    assert net.intercepts[0][0] == 5.0


def test_grad_views_are_what_backward_fills():
    net = _net()
    X, Y = _data()
    net.loss_and_gradient(X, Y)
    flat = np.concatenate([g.ravel() for g in net.grad_coefs] + net.grad_intercepts)
    np.testing.assert_array_equal(flat, net.grads)
    assert net.grads.any()


def test_one_activation_per_hidden_layer_is_required():
    with pytest.raises(ValueError, match="one activation per hidden layer"):
        Network([3, 4, 2], ["relu", "relu"], get_loss("squared_error"), np.float64)


# -- initialisation ------------------------------------------------------------


def test_initialize_per_layer_inits_and_bias():
    net = Network(
        [30, 20, 10, 5], ["relu", "tanh"], get_loss("squared_error"), np.float64
    )
    out = net.initialize(np.random.default_rng(0), ["zeros", "he_normal"], 0.25)
    assert out is net
    assert not net.coefs[0].any()
    assert net.coefs[1].std() == pytest.approx(np.sqrt(2 / 20), rel=0.3)
    # The output layer falls back to "auto" without an activation: glorot_uniform.
    assert np.abs(net.coefs[2]).max() <= np.sqrt(6 / (10 + 5))
    for b in net.intercepts:
        np.testing.assert_array_equal(b, 0.25)


def test_initialize_auto_follows_the_activation():
    net = Network([400, 300, 2], ["selu"], get_loss("squared_error"), np.float64)
    net.initialize(np.random.default_rng(0))
    # selu -> lecun_normal: std 1/sqrt(fan_in), not a uniform distribution.
    assert net.coefs[0].std() == pytest.approx(np.sqrt(1 / 400), rel=0.05)
    assert np.abs(net.coefs[0]).max() > np.sqrt(3 / 400) * 1.5


def test_initialize_is_deterministic_per_seed():
    a, b, c = _net(seed=3), _net(seed=3), _net(seed=4)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_initializer_names_all_work_in_a_network():
    for name in INITIALIZERS:
        net = Network([3, 4, 2], ["relu"], get_loss("squared_error"), np.float32)
        net.initialize(np.random.default_rng(0), name)
        assert net.params.dtype == np.float32


# -- forward / predict ---------------------------------------------------------


LOSS_CASES = [
    (get_loss("squared_error"), 2),
    (get_loss("log_loss"), 3),
    (get_loss("binary_log_loss"), 2),
    (get_loss("squared_error", out_activation="softmax"), 3),
    (get_loss("poisson"), 2),
]


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_predict_equals_forward(activation):
    for loss, k in LOSS_CASES:
        net = _net((4, 6, 5, k), activation, loss)
        X, _ = _data(n=9)
        expected = net.forward(X).copy()
        np.testing.assert_allclose(net.predict(X), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_forward_matches_a_plain_reference(activation):
    net = _net((4, 6, 5, 3), activation, get_loss("log_loss"))
    X, _ = _data(n=9)
    act = ACTIVATIONS[activation]()
    a = X
    for w, b in zip(net.coefs[:-1], net.intercepts[:-1], strict=True):
        z = a @ w + b
        a = act.forward(z, np.empty_like(z))
    z = a @ net.coefs[-1] + net.intercepts[-1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    expected = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-13)


def test_predict_raw_skips_the_link():
    loss = get_loss("log_loss")
    net = _net((4, 6, 3), "gelu", loss)
    X, _ = _data(n=9)
    raw = net.predict(X, raw=True)
    np.testing.assert_allclose(loss.link(raw, np.empty_like(raw)), net.predict(X))
    assert not np.allclose(raw.sum(axis=1), 1.0)


@pytest.mark.parametrize("activation", ["tanh", "silu", "relu"])
def test_predict_in_blocks_equals_unblocked(monkeypatch, activation):
    net = _net((4, 5, 3, 2), activation, get_loss("log_loss"))
    X, _ = _data(n=20)
    whole = net.predict(X)
    expected = net.forward(X).copy()
    # 16 elements // widest layer (5) = 3 rows per block: 7 blocks, the last of 2.
    monkeypatch.setattr(network_module, "_PREDICT_BLOCK_ELEMENTS", 16)
    blocked = net.predict(X)
    # Products over fewer rows may round differently (BLAS kernels): ~1 ulp.
    np.testing.assert_allclose(blocked, whole, rtol=1e-14)
    np.testing.assert_allclose(blocked, expected, rtol=1e-14)
    monkeypatch.setattr(network_module, "_PREDICT_BLOCK_ELEMENTS", 1)
    one_row = net.predict(X)  # one row per block
    np.testing.assert_allclose(one_row, whole, rtol=1e-14)


def test_predict_does_not_touch_training_buffers():
    net = _net()
    X, Y = _data()
    net.loss_and_gradient(X, Y)
    grads = net.grads.copy()
    work = net._work
    net.predict(_data(n=50, seed=9)[0])
    assert net._work is work
    np.testing.assert_array_equal(net.grads, grads)


def test_cost_is_the_mean_of_per_sample_costs():
    loss = get_loss("huber", delta=0.5)
    net = _net(loss=loss)
    X, Y = _data()
    p = net.forward(X).copy()
    z = net.predict(X, raw=True)
    per_sample = loss.per_sample(Y, z, p)
    assert net.cost(Y) == pytest.approx(per_sample.mean(), rel=1e-14)
    w = np.linspace(0.5, 2.0, len(X))
    expected = np.dot(per_sample, w) / w.sum()
    assert net.cost(Y, w) == pytest.approx(expected, rel=1e-14)


def test_penalty_value_and_gradient():
    net = _net(activation="relu")
    X, Y = _data()
    base = net.loss_and_gradient(X, Y)
    g0 = net.grads.copy()
    alpha, l1 = 0.3, 0.05
    penalised = net.loss_and_gradient(X, Y, alpha=alpha, l1=l1)
    w = net.weights
    n = len(X)
    expected = 0.5 * alpha * np.sum(w**2) / n + l1 * np.abs(w).sum() / n
    assert penalised - base == pytest.approx(expected, rel=1e-12)
    extra = net.grads - g0
    np.testing.assert_allclose(
        extra[: net.n_weights], alpha / n * w + l1 / n * np.sign(w), rtol=1e-10
    )
    np.testing.assert_array_equal(extra[net.n_weights :], 0.0)  # biases: no penalty


@pytest.mark.parametrize("penalty", [{}, {"alpha": 0.2, "l1": 0.01}])
def test_integer_sample_weights_equal_repeated_rows(penalty):
    loss = get_loss("log_loss")
    net = _net((4, 5, 3), "tanh", loss)
    X, _ = _data(n=8)
    Y = _one_hot(np.arange(8) % 3, 3)
    w = np.array([1, 2, 3, 1, 1, 4, 2, 1], dtype=float)
    weighted = net.loss_and_gradient(X, Y, w, **penalty)
    g_weighted = net.grads.copy()
    idx = np.repeat(np.arange(8), w.astype(int))
    repeated = net.loss_and_gradient(X[idx], Y[idx], **penalty)
    assert weighted == pytest.approx(repeated, rel=1e-13)
    np.testing.assert_allclose(g_weighted, net.grads, rtol=1e-12, atol=1e-15)


# -- float32 -------------------------------------------------------------------


def test_float32_network_stays_float32():
    net32 = _net(dtype=np.float32, loss=get_loss("log_loss"), sizes=(4, 5, 3, 3))
    net64 = _net(dtype=np.float64, loss=get_loss("log_loss"), sizes=(4, 5, 3, 3))
    X, _ = _data(n=10)
    Y = _one_hot(np.arange(10) % 3, 3)
    assert net32.params.dtype == net32.grads.dtype == np.float32
    assert all(c.dtype == np.float32 for c in net32.coefs + net32.intercepts)
    net64.params[...] = net32.params
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    assert net32.forward(X32).dtype == np.float32
    assert net32.predict(X32).dtype == np.float32
    cost32 = net32.loss_and_gradient(X32, Y32, np.ones(10, np.float32), 0.1, 0.01)
    cost64 = net64.loss_and_gradient(X, Y, np.ones(10), 0.1, 0.01)
    assert np.ndim(cost32) == 0 and np.isfinite(cost32)
    assert net32.grads.dtype == np.float32
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    np.testing.assert_allclose(net32.grads, net64.grads, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(net32.predict(X32), net64.predict(X), rtol=1e-5)


# -- dropout -------------------------------------------------------------------


def _dropout_probe(rate, dtype=np.float64):
    """[10, h, h] net whose output *is* the (dropped) hidden layer."""
    h = 400
    net = _net((10, h, h), "logistic", dtype=dtype, dropout=[rate])
    net.coefs[1][...] = np.eye(h)
    net.intercepts[1][...] = 0.0
    return net


@pytest.mark.parametrize("rate", [0.3, 0.6])
def test_dropout_drops_rate_and_scales_survivors(rate):
    net = _dropout_probe(rate)
    X, _ = _data(n=50, n_features=10)
    kept = net.forward(X).copy()  # no rng: nothing dropped
    assert (kept > 0).all()
    dropped = net.forward(X, rng=np.random.default_rng(0))
    ratio = dropped / kept
    zero = ratio == 0
    assert zero.mean() == pytest.approx(rate, abs=0.02)
    np.testing.assert_allclose(ratio[~zero], 1 / (1 - rate), rtol=1e-12)


def test_dropout_float32():
    net = _dropout_probe(0.5, np.float32)
    X, _ = _data(n=20, n_features=10, dtype=np.float32)
    kept = net.forward(X).copy()
    dropped = net.forward(X, rng=np.random.default_rng(0))
    assert dropped.dtype == np.float32
    ratio = dropped / kept
    zero = ratio == 0
    assert zero.mean() == pytest.approx(0.5, abs=0.03)
    np.testing.assert_allclose(ratio[~zero], 2.0, rtol=1e-6)


def test_without_rng_dropout_is_off_and_deterministic():
    net = _net(dropout=[0.5, 0.5])
    X, _ = _data()
    first = net.forward(X).copy()
    np.testing.assert_array_equal(net.forward(X), first)
    np.testing.assert_allclose(net.predict(X), first, rtol=1e-14)
    plain = _net()
    np.testing.assert_allclose(plain.forward(X), first, rtol=1e-14)


def test_dropout_masks_follow_the_rng():
    net = _net(dropout=[0.5, 0.5])
    X, _ = _data()
    a = net.forward(X, rng=np.random.default_rng(1)).copy()
    b = net.forward(X, rng=np.random.default_rng(1)).copy()
    c = net.forward(X, rng=np.random.default_rng(2)).copy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_dropout_gradient_matches_finite_differences_with_fixed_mask():
    net = _net((4, 6, 5, 3), "tanh", get_loss("log_loss"), dropout=[0.3, 0.5])
    X, _ = _data(n=10)
    Y = _one_hot(np.arange(10) % 3, 3)

    def cost():
        # A fresh generator with the same seed draws the same masks every time.
        return net.loss_and_gradient(X, Y, alpha=0.1, rng=np.random.default_rng(5))

    assert cost() != pytest.approx(net.loss_and_gradient(X, Y, alpha=0.1))
    cost()
    analytic = net.grads.copy()
    numeric = np.empty_like(analytic)
    h = 1e-6
    for j in range(net.params.size):
        old = net.params[j]
        net.params[j] = old + h
        plus = cost()
        net.params[j] = old - h
        minus = cost()
        net.params[j] = old
        numeric[j] = (plus - minus) / (2 * h)
    error = np.linalg.norm(numeric - analytic) / (
        np.linalg.norm(numeric) + np.linalg.norm(analytic)
    )
    assert error < 1e-7


# -- work buffers --------------------------------------------------------------


def test_work_buffers_are_reused_for_equal_or_smaller_batches():
    net = _net(activation="gelu", dropout=[0.2, 0.0])
    X, Y = _data(n=20)
    p10 = net.forward(X[:10])
    work = net._work
    buffers = [work["z"][0], work["a"][0], work["mask"][0], work["delta"][0], work["p"]]
    assert work["rows"] == 10 and work["mask"][1] is None
    p10_again = net.forward(X[:10], rng=np.random.default_rng(0))
    assert np.shares_memory(p10, p10_again)
    p4 = net.forward(X[:4])
    assert net._work is work
    reused = [work["z"][0], work["a"][0], work["mask"][0], work["delta"][0], work["p"]]
    assert all(a is b for a, b in zip(buffers, reused, strict=True))
    assert np.shares_memory(p4, p10)
    net.forward(X[:11])
    assert net._work is not work and net._work["rows"] == 11


def test_smaller_batch_after_larger_gives_the_right_gradient():
    X, Y = _data(n=20)
    used = _net(activation="silu")
    used.loss_and_gradient(X, Y)
    cost = used.loss_and_gradient(X[:7], Y[:7])
    fresh = _net(activation="silu")
    assert cost == fresh.loss_and_gradient(X[:7], Y[:7])
    np.testing.assert_array_equal(used.grads, fresh.grads)


# -- copies --------------------------------------------------------------------


def _check_views(net):
    for c, b in zip(net.coefs, net.intercepts, strict=True):
        assert c.base is net.params and b.base is net.params
    for c, b in zip(net.grad_coefs, net.grad_intercepts, strict=True):
        assert c.base is net.grads and b.base is net.grads


@pytest.mark.parametrize(
    "clone", [lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy]
)
def test_copies_keep_coefs_as_views_of_their_own_params(clone):
    net = _net(activation="mish", loss=get_loss("huber", delta=0.5), dropout=[0.3])
    X, Y = _data()
    cost = net.loss_and_gradient(X, Y, alpha=0.1)  # fills work buffers and inputs
    new = clone(net)
    _check_views(new)
    assert not np.shares_memory(new.params, net.params)
    assert not np.shares_memory(new.grads, net.grads)
    np.testing.assert_array_equal(new.params, net.params)
    np.testing.assert_array_equal(new.predict(X), net.predict(X))
    assert new.loss_and_gradient(X, Y, alpha=0.1) == cost
    np.testing.assert_array_equal(new.grads, net.grads)
    new.coefs[0][0, 0] = 42.0
    assert new.params[0] == 42.0 and net.params[0] != 42.0
    assert new.dropout == net.dropout and new.loss.delta == 0.5


def test_deepcopy_is_independent_and_honours_the_memo():
    net = _net(loss=get_loss("huber", delta=0.5), dropout=[0.3, 0.1])
    new = copy.deepcopy(net)
    new.dropout[0] = 0.9
    new.loss.delta = 2.0
    new.layer_sizes.append(7)
    assert net.dropout == [0.3, 0.1]
    assert net.loss.delta == 0.5
    assert net.layer_sizes == [4, 5, 3, 2]
    pair = copy.deepcopy([net, net])
    assert pair[0] is pair[1] and pair[0] is not net


# -- sparse input --------------------------------------------------------------


@pytest.mark.parametrize("fmt", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
def test_sparse_input_equals_dense(fmt):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(15, 6)) * (rng.random((15, 6)) < 0.4)
    Y = _one_hot(np.arange(15) % 3, 3)
    w = rng.uniform(0.5, 2, 15)
    net = _net((6, 5, 4, 3), "relu", get_loss("log_loss"))
    dense_cost = net.loss_and_gradient(X, Y, w, alpha=0.1, l1=0.01)
    dense_grads = net.grads.copy()
    sparse_cost = net.loss_and_gradient(fmt(X), Y, w, alpha=0.1, l1=0.01)
    assert sparse_cost == pytest.approx(dense_cost, rel=1e-13)
    np.testing.assert_allclose(net.grads, dense_grads, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.predict(fmt(X)), net.predict(X), rtol=1e-13)
