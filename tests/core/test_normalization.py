"""Batch/layer/weight normalisation, PReLU, input noise, MC dropout in the network."""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import sknn.core.network as network_module
from sknn.core.losses import get_loss
from sknn.core.network import Network
from sknn.core.normalization import BatchNorm, LayerNorm, get_normalization
from sknn.gradcheck import relative_gradient_error

TOL = 1e-6
MARGIN = 1e-4  # distance every kink must keep (FD steps are 1e-6)
N = 16

# name -> (loss, number of outputs, target kind)
LOSSES = {
    "log_loss": (get_loss("log_loss"), 3, "one_hot"),
    "binary_log_loss": (get_loss("binary_log_loss"), 2, "binary"),
    "squared_error": (get_loss("squared_error"), 2, "real"),
    "huber": (get_loss("huber", delta=0.5), 2, "real"),
    "poisson": (get_loss("poisson"), 2, "counts"),
}


def _targets(kind, k, rng, n=N):
    if kind == "one_hot":
        return np.eye(k)[rng.permutation(np.arange(n) % k)]
    if kind == "binary":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if kind == "counts":
        return rng.poisson(1.5, size=(n, k)).astype(float)
    return rng.normal(size=(n, k))


def _net(
    hidden=(5, 6),
    activation="tanh",
    loss="squared_error",
    dtype=np.float64,
    seed=0,
    perturb=True,
    n_features=4,
    shift=True,
    **options,
):
    """A network with every extra moved off its initial value (generic gradients)."""
    loss_obj, k, _ = LOSSES[loss]
    acts = activation if isinstance(activation, list) else [activation] * len(hidden)
    net = Network([n_features, *hidden, k], acts, loss_obj, dtype, **options)
    rng = np.random.default_rng(seed)
    net.initialize(rng, bias_init=0.1)
    if shift:  # keep every weight at least 0.05 from 0, the kink of the L1 penalty
        net.weights[...] += np.where(net.weights < 0, -0.05, 0.05)
    if perturb:
        net.extras[...] += rng.uniform(-0.3, 0.3, net.extras.size)
    return net


def _problem(loss="squared_error", seed=1, n=N, n_features=4):
    rng = np.random.default_rng(seed)
    _, k, kind = LOSSES[loss]
    X = rng.normal(size=(n, n_features))
    return X, _targets(kind, k, rng, n), rng.uniform(0.2, 3.0, n)


def _kink_distance(net, X, Y, loss):
    """How far the training pass at these parameters is from every kink."""
    net.forward(X)
    distances = [np.abs(net.weights).min()]
    for i, act in enumerate(net.activations):
        if act.name in ("prelu", "relu"):
            distances.append(np.abs(net._work["z"][i][: len(X)]).min())
    if loss == "huber":
        residual = np.abs(net._work["p"][: len(X)] - Y)
        distances.append(np.abs(residual - LOSSES[loss][0].delta).min())
    return float(min(distances))


def _check(net, X, Y, loss, sw=None, alpha=0.0, l1=0.0):
    assert _kink_distance(net, X, Y, loss) > MARGIN
    stats = net.stats.copy()
    error = relative_gradient_error(net, X, Y, sw, alpha=alpha, l1=l1)
    np.testing.assert_array_equal(net.stats, stats)  # the checker leaves them alone
    assert np.linalg.norm(net.grads[net.n_weights + net.n_biases :]) > 1e-3
    return error


# -- gradient checks -------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "softplus", "prelu"])
@pytest.mark.parametrize("position", ["before", "after"])
@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_normalization_gradients(kind, position, activation):
    net = _net(activation=activation, normalization=kind, norm_position=position)
    X, Y, sw = _problem()
    assert _check(net, X, Y, "squared_error", sw, alpha=0.2) < TOL


@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_normalization_gradients_unweighted_with_log_loss(kind):
    net = _net(loss="log_loss", normalization=kind, seed=3)
    X, Y, _ = _problem("log_loss", seed=3)
    assert _check(net, X, Y, "log_loss") < TOL


@pytest.mark.parametrize(
    "weight_norm",
    [True, [True, False, True], [False, False, True], [True, False, False]],
)
@pytest.mark.parametrize("activation", ["tanh", "silu"])
def test_weight_norm_gradients(weight_norm, activation):
    net = _net(activation=activation, weight_norm=weight_norm)
    X, Y, sw = _problem()
    assert _check(net, X, Y, "squared_error", sw, alpha=0.3, l1=0.02) < TOL


@pytest.mark.parametrize("loss", list(LOSSES))
def test_prelu_gradients(loss):
    net = _net(activation="prelu", loss=loss, seed=2)
    X, Y, sw = _problem(loss, seed=2)
    assert _check(net, X, Y, loss, sw) < TOL
    assert _check(net, X, Y, loss, alpha=0.1) < TOL


@pytest.mark.parametrize("position", ["before", "after"])
@pytest.mark.parametrize(
    "loss", ["log_loss", "binary_log_loss", "squared_error", "huber"]
)
def test_combination_gradients(loss, position):
    """BN + WN + PReLU + L1/L2 with sample weights."""
    net = _net(
        hidden=(6, 5),
        activation="prelu",
        loss=loss,
        normalization="batch",
        norm_position=position,
        weight_norm=True,
        seed=4,
    )
    X, Y, sw = _problem(loss, seed=4)
    assert _check(net, X, Y, loss, sw, alpha=0.3, l1=0.05) < TOL


def test_mixed_layers_gradients():
    net = _net(
        hidden=(6, 5, 4),
        activation=["prelu", "tanh", "gelu"],
        loss="log_loss",
        normalization=["batch", None, "layer"],
        weight_norm=[False, True, False, True],
        seed=5,
    )
    X, Y, sw = _problem("log_loss", seed=5)
    assert _check(net, X, Y, "log_loss", sw, alpha=0.1, l1=0.01) < TOL


@pytest.mark.parametrize("position", ["before", "after"])
def test_evaluation_mode_backward_is_the_gradient_of_the_evaluation_cost(position):
    net = _net(
        activation="prelu", normalization="batch", norm_position=position, seed=6
    )
    X, Y, sw = _problem(seed=6)
    rng = np.random.default_rng(0)
    for mean, var in net.running_stats:
        mean[...] = rng.normal(size=mean.size)
        var[...] = rng.uniform(0.5, 2, var.size)

    def cost():
        net.forward(X, training=False)
        return net.cost(Y, sw)

    cost()
    net.backward(Y, sw)
    analytic = net.grads.copy()
    numeric = np.empty_like(analytic)
    for j in range(net.params.size):
        old = net.params[j]
        net.params[j] = old + 1e-6
        plus = cost()
        net.params[j] = old - 1e-6
        numeric[j] = (plus - cost()) / 2e-6
        net.params[j] = old
    error = np.linalg.norm(numeric - analytic) / (
        np.linalg.norm(numeric) + np.linalg.norm(analytic)
    )
    assert error < TOL


@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_sparse_input_equals_dense(kind):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(15, 6)) * (rng.random((15, 6)) < 0.4)
    Y = np.eye(3)[np.arange(15) % 3]
    w = rng.uniform(0.5, 2, 15)
    net = _net(
        (5, 4), "prelu", "log_loss", n_features=6, normalization=kind, weight_norm=True
    )
    dense = net.loss_and_gradient(X, Y, w, alpha=0.1, l1=0.01, update_stats=True)
    dense_grads, dense_stats = net.grads.copy(), net.stats.copy()
    fresh = _net(
        (5, 4), "prelu", "log_loss", n_features=6, normalization=kind, weight_norm=True
    )
    sparse = fresh.loss_and_gradient(
        sp.csr_matrix(X), Y, w, alpha=0.1, l1=0.01, update_stats=True
    )
    assert sparse == pytest.approx(dense, rel=1e-12)
    np.testing.assert_allclose(fresh.grads, dense_grads, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fresh.stats, dense_stats, rtol=1e-12)
    np.testing.assert_allclose(
        fresh.predict(sp.csr_matrix(X)), fresh.predict(X), rtol=1e-12
    )


# -- batch norm values ------------------------------------------------------------


def _probe(kind, k=6, n_features=4, dtype=np.float64, **options):
    """[d, k, k] net, identity activation, output W = I: ``p`` is the normed layer."""
    net = Network(
        [n_features, k, k],
        ["identity"],
        get_loss("squared_error"),
        dtype,
        normalization=kind,
        **options,
    )
    net.initialize(np.random.default_rng(0), bias_init=0.3)
    net.coefs[1][...] = np.eye(k)
    net.intercepts[1][...] = 0
    return net


def test_batch_norm_training_output_has_mean_beta_and_std_gamma():
    net = _probe("batch")
    rng = np.random.default_rng(1)
    gamma, beta = net.norm_params[0]
    gamma[...] = rng.uniform(0.5, 2, 6)
    beta[...] = rng.normal(size=6)
    X = 3 + 2 * rng.normal(size=(50, 4))
    p = net.forward(X)
    np.testing.assert_allclose(p.mean(axis=0), beta, atol=1e-12)
    z = X @ net.coefs[0] + net.intercepts[0]
    var = z.var(axis=0)
    np.testing.assert_allclose(p.std(axis=0), gamma * np.sqrt(var / (var + 1e-5)))
    np.testing.assert_allclose(p.std(axis=0), gamma, rtol=1e-4)


def _reference_stats(net, batches, momentum):
    """Running statistics of a [d, k, k, out] BN-before-tanh net, by hand."""
    stats = [(np.zeros(k), np.ones(k)) for k in net.layer_sizes[1:-1]]
    for X in batches:
        a = X
        for i, (w, b) in enumerate(zip(net.coefs[:-1], net.intercepts[:-1])):
            z = a @ w + b
            mu, var = z.mean(axis=0), z.var(axis=0)
            n = len(z)
            mean, run_var = stats[i]
            stats[i] = (
                (1 - momentum) * mean + momentum * mu,
                (1 - momentum) * run_var + momentum * var * n / (n - 1),
            )
            gamma, beta = net.norm_params[i]
            a = np.tanh(gamma * (z - mu) / np.sqrt(var + net.norm_eps) + beta)
    return stats


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_running_stats_follow_the_pytorch_update(momentum):
    net = _net((5, 3), "tanh", normalization="batch", norm_momentum=momentum)
    rng = np.random.default_rng(2)
    batches = [rng.normal(loc=1.0, size=(n, 4)) for n in (10, 7, 12, 3)]
    Y = rng.normal(size=(12, 2))
    for X in batches:
        net.loss_and_gradient(X, Y[: len(X)], update_stats=True)
    for (mean, var), (ref_mean, ref_var) in zip(
        net.running_stats, _reference_stats(net, batches, momentum), strict=True
    ):
        np.testing.assert_allclose(mean, ref_mean, rtol=1e-12)
        np.testing.assert_allclose(var, ref_var, rtol=1e-12)


def test_running_stats_move_only_when_asked():
    net = _net((5, 3), "tanh", normalization="batch")
    X, Y, sw = _problem()
    before = net.stats.copy()
    net.loss_and_gradient(X, Y, sw)
    net.forward(X)
    net.forward(X, training=False, update_stats=True)  # evaluation: nothing to learn
    net.predict(X)
    relative_gradient_error(net, X, Y, sw)
    np.testing.assert_array_equal(net.stats, before)
    net.forward(X, update_stats=True)
    assert not np.array_equal(net.stats, before)


def test_update_running_stats_with_momentum_one_gives_the_batch_statistics():
    net = _net((5,), "tanh", normalization="batch")
    X, _, _ = _problem(n=30)
    net.update_running_stats(X)
    z = X @ net.coefs[0] + net.intercepts[0]
    mean, var = net.running_stats[0]
    np.testing.assert_allclose(mean, z.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(var, z.var(axis=0, ddof=1), rtol=1e-12)


def test_a_batch_of_one_row_leaves_the_running_variance_alone():
    net = _net((5,), "tanh", normalization="batch")
    X, Y, _ = _problem()
    with np.errstate(all="raise"):
        cost = net.loss_and_gradient(X[:1], Y[:1], update_stats=True)
    assert np.isfinite(cost) and np.isfinite(net.grads).all()
    mean, var = net.running_stats[0]
    np.testing.assert_array_equal(var, 1.0)
    assert mean.any()


def test_predict_uses_the_running_statistics():
    net = _net((5, 3), "tanh", normalization="batch", norm_position="after")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 4))
    for _ in range(5):
        net.forward(X[rng.permutation(20)[:8]], update_stats=True)
    training = net.forward(X).copy()
    predicted = net.predict(X)
    assert not np.allclose(predicted, training, rtol=1e-3)
    a = X
    for i, (w, b) in enumerate(zip(net.coefs[:-1], net.intercepts[:-1])):
        (mean, var), (gamma, beta) = net.running_stats[i], net.norm_params[i]
        a = gamma * (np.tanh(a @ w + b) - mean) / np.sqrt(var + 1e-5) + beta
    expected = a @ net.coefs[-1] + net.intercepts[-1]
    np.testing.assert_allclose(predicted, expected, rtol=1e-12)
    np.testing.assert_allclose(net.forward(X, training=False), expected, rtol=1e-12)
    # Evaluation mode does not depend on the rest of the block.
    np.testing.assert_allclose(net.predict(X[:3]), expected[:3], rtol=1e-12)


def test_predict_in_blocks_with_normalization(monkeypatch):
    net = _net((5, 3), "prelu", normalization=["batch", "layer"], weight_norm=True)
    X, _, _ = _problem(n=20)
    net.update_running_stats(X[:9], momentum=0.7)
    whole = net.predict(X)
    monkeypatch.setattr(network_module, "_PREDICT_BLOCK_ELEMENTS", 12)
    np.testing.assert_allclose(net.predict(X), whole, rtol=1e-13)


# -- layer norm values -------------------------------------------------------------


@pytest.mark.parametrize("position", ["before", "after"])
def test_layer_norm_rows_are_normalised_and_the_same_in_prediction(position):
    net = _probe("layer", norm_position=position)
    X = np.random.default_rng(4).normal(loc=2, size=(9, 4))
    p = net.forward(X).copy()
    np.testing.assert_allclose(p.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(p.std(axis=1), 1, rtol=1e-4)
    np.testing.assert_allclose(net.predict(X), p, rtol=1e-13)
    np.testing.assert_allclose(net.predict(X[4:5]), p[4:5], rtol=1e-13)
    assert net.stats.size == 0 and net.running_stats == [None]


# -- weight norm values ------------------------------------------------------------


def test_weight_norm_effective_columns_have_norm_g():
    net = _net(weight_norm=[True, False, True])
    effective = net.effective_coefs()
    for w, v, g in zip(effective, net.coefs, net.wn_scales, strict=True):
        if g is None:
            assert w is v
        else:
            np.testing.assert_allclose(np.linalg.norm(w, axis=0), g, rtol=1e-13)
            cos = (w * v).sum(axis=0) / (
                np.linalg.norm(w, axis=0) * np.linalg.norm(v, axis=0)
            )
            np.testing.assert_allclose(np.abs(cos), 1, rtol=1e-13)
    assert net.wn_scales[1] is None and net.grad_wn_scales[1] is None


def test_weight_norm_starts_as_the_plain_network():
    plain = _net(perturb=False, shift=False, seed=7)
    normed = _net(perturb=False, shift=False, seed=7, weight_norm=True)
    np.testing.assert_array_equal(normed.weights, plain.weights)
    for w, v in zip(normed.effective_coefs(), plain.coefs, strict=True):
        np.testing.assert_allclose(w, v, rtol=1e-14)
    X, Y, _ = _problem()
    np.testing.assert_allclose(normed.predict(X), plain.predict(X), rtol=1e-13)
    cost = normed.loss_and_gradient(X, Y, alpha=0.1)
    assert cost == pytest.approx(plain.loss_and_gradient(X, Y, alpha=0.1), rel=1e-13)


def test_weight_norm_is_invariant_to_the_scale_of_v():
    net = _net(weight_norm=True)
    X, Y, _ = _problem()
    before = net.predict(X)
    for v in net.coefs:
        v *= 3.0
    np.testing.assert_allclose(net.predict(X), before, rtol=1e-13)


def test_weight_norm_zero_column_stays_finite():
    net = _net(weight_norm=True)
    net.coefs[0][:, 1] = 0.0
    X, Y, _ = _problem()
    with np.errstate(all="raise"):
        cost = net.loss_and_gradient(X, Y)
    assert np.isfinite(cost) and np.isfinite(net.grads).all()


# -- PReLU values ------------------------------------------------------------------


@pytest.mark.parametrize("slope", [0.01, 0.2])
def test_prelu_with_a_fixed_slope_equals_leaky_relu(slope):
    from sknn.core.activations import LeakyReLU

    prelu = _net(activation="prelu", perturb=False)
    leaky = Network(prelu.layer_sizes, [LeakyReLU(slope)] * 2, prelu.loss, np.float64)
    for theta in prelu.act_params:
        theta.fill(slope)
    leaky.params[...] = prelu.params[: leaky.params.size]
    X, Y, sw = _problem()
    np.testing.assert_allclose(prelu.predict(X), leaky.predict(X), rtol=1e-14)
    cost = prelu.loss_and_gradient(X, Y, sw, alpha=0.1)
    assert cost == pytest.approx(leaky.loss_and_gradient(X, Y, sw, alpha=0.1))
    np.testing.assert_allclose(
        prelu.grads[: leaky.params.size], leaky.grads, rtol=1e-12, atol=1e-15
    )


def test_prelu_slopes_start_at_a_quarter_and_live_after_the_biases():
    net = _net(activation="prelu", perturb=False)
    assert net.n_extras == 5 + 6
    for theta, k in zip(net.act_params, (5, 6), strict=True):
        np.testing.assert_array_equal(theta, 0.25)
        assert theta.shape == (k,) and theta.base is net.params
    np.testing.assert_array_equal(net.extras, 0.25)


# -- layout ------------------------------------------------------------------------


def test_extras_come_after_weights_and_biases():
    options = dict(normalization=["batch", "layer"], weight_norm=[True, False, True])
    net = _net(activation="prelu", **options)
    plain = _net(activation="relu", perturb=False)  # the same initialiser
    assert (
        net.n_weights == plain.n_weights
        and net.n_biases == plain.params.size - net.n_weights
    )
    np.testing.assert_array_equal(net.params[: plain.params.size], plain.params)
    for a, b in zip(
        net.coefs + net.intercepts, plain.coefs + plain.intercepts, strict=True
    ):
        np.testing.assert_array_equal(a, b)
    # [gamma_0 | beta_0 | gamma_1 | beta_1 | slopes_0 | slopes_1 | g_0 | g_2]
    sizes = [5, 5, 6, 6, 5, 6, 5, 2]
    assert net.n_extras == sum(sizes) == net.extras.size
    views = [*net.norm_params[0], *net.norm_params[1], *net.act_params]
    views += [net.wn_scales[0], net.wn_scales[2]]
    start = net.n_weights + net.n_biases
    for view, size in zip(views, sizes, strict=True):
        assert view.base is net.params and view.size == size
        assert np.shares_memory(view, net.params[start : start + size])
        start += size
    assert start == net.params.size
    grads = [*net.grad_norm_params[0], *net.grad_norm_params[1], *net.grad_act_params]
    assert all(g.base is net.grads for g in grads)
    assert net.stats.size == 2 * 5 and net.running_stats[1] is None
    assert all(s.base is net.stats for s in net.running_stats[0])


def test_penalty_touches_only_the_weights():
    net = _net(activation="prelu", normalization="batch", weight_norm=True)
    X, Y, _ = _problem()
    base = net.loss_and_gradient(X, Y)
    g0 = net.grads.copy()
    penalised = net.loss_and_gradient(X, Y, alpha=0.3, l1=0.1)
    assert penalised > base
    np.testing.assert_array_equal(net.grads[net.n_weights :], g0[net.n_weights :])


def test_default_network_has_no_extras_and_no_new_buffers():
    net = _net(perturb=False)
    assert net.n_extras == 0 and net.stats.size == 0 and not net.is_stochastic
    assert net.norm_params == [None, None] and net.act_params == [None, None]
    assert net.wn_scales == [None, None, None] and net.running_stats == [None, None]
    X, Y, _ = _problem()
    net.loss_and_gradient(X, Y)
    work = net._work
    assert work["norm"] == [None, None] and work["wn"] == [None, None, None]
    assert work["noise"] is None


def test_normalization_buffers_are_reused():
    net = _net(
        activation="prelu",
        normalization="batch",
        norm_position="after",
        weight_norm=True,
        input_noise=0.1,
    )
    X, Y, _ = _problem(n=20)
    rng = np.random.default_rng(0)
    net.loss_and_gradient(X, Y, rng=rng, update_stats=True)
    work = net._work
    arrays = [a for d in work["norm"] for a in d.values()]
    arrays += [a for t in work["wn"] for a in t] + [work["noise"]]
    net.loss_and_gradient(X[:7], Y[:7], rng=rng, update_stats=True)
    assert net._work is work
    again = [a for d in work["norm"] for a in d.values()]
    again += [a for t in work["wn"] for a in t] + [work["noise"]]
    assert all(a is b for a, b in zip(arrays, again, strict=True))


@pytest.mark.parametrize(
    "options, match",
    [
        ({"normalization": "group"}, "Unknown normalization"),
        ({"normalization": ["batch"]}, "one normalization per hidden layer"),
        ({"weight_norm": [True, True]}, "one weight_norm flag"),
        ({"norm_position": "middle"}, "norm_position"),
        ({"input_noise": -1.0}, "input_noise"),
        ({"norm_momentum": 1.5}, "norm_momentum"),
    ],
)
def test_bad_options_raise(options, match):
    with pytest.raises(ValueError, match=match):
        _net(**options)


def test_get_normalization():
    assert get_normalization(None) is None
    assert isinstance(get_normalization("batch", 1e-3), BatchNorm)
    assert get_normalization("layer").eps == 1e-5
    assert repr(LayerNorm(0.1)) == "LayerNorm(eps=0.1)"


# -- input noise -------------------------------------------------------------------


def test_input_noise_changes_training_passes_only_with_the_requested_std():
    d, sigma = 50, 0.3
    net = Network(
        [d, d, d],
        ["identity"],
        get_loss("squared_error"),
        np.float64,
        input_noise=sigma,
    )
    net.coefs[0][...] = net.coefs[1][...] = np.eye(d)
    X = np.random.default_rng(0).normal(size=(400, d))
    assert net.is_stochastic
    np.testing.assert_array_equal(net.forward(X), X)  # no rng: no noise
    np.testing.assert_array_equal(net.predict(X), X)
    noisy = net.forward(X, rng=np.random.default_rng(1)) - X
    assert noisy.std() == pytest.approx(sigma, rel=0.01)
    assert abs(noisy.mean()) < 0.01
    np.testing.assert_array_equal(net.predict(X, rng=np.random.default_rng(1)), X)


def test_input_noise_gradient_is_the_gradient_at_the_noisy_inputs():
    net = _net(input_noise=0.2, normalization="batch")
    X, Y, sw = _problem()
    cost = net.loss_and_gradient(X, Y, sw, alpha=0.1, rng=np.random.default_rng(5))
    grads = net.grads.copy()
    noisy = X + 0.2 * np.random.default_rng(5).standard_normal(X.shape)
    assert net.loss_and_gradient(noisy, Y, sw, alpha=0.1) == pytest.approx(cost)
    np.testing.assert_allclose(net.grads, grads, rtol=1e-12, atol=1e-15)


def test_input_noise_densifies_a_sparse_batch_alike():
    net = _net(input_noise=0.1)
    X = _problem()[0]
    dense = net.forward(X, rng=np.random.default_rng(0)).copy()
    sparse = net.forward(sp.csr_matrix(X), rng=np.random.default_rng(0))
    np.testing.assert_allclose(sparse, dense, rtol=1e-12)
    net.forward(sp.csr_matrix(X))  # without rng the input stays as it is
    net.predict(sp.csr_matrix(X), rng=np.random.default_rng(0))


def test_is_stochastic():
    assert not _net().is_stochastic
    assert _net(dropout=[0.0, 0.2]).is_stochastic
    assert _net(input_noise=0.05).is_stochastic
    assert not _net(normalization="batch", weight_norm=True).is_stochastic


# -- Monte-Carlo dropout -----------------------------------------------------------


def test_predict_with_rng_is_monte_carlo_dropout():
    net = _net((40, 30), "tanh", dropout=[0.02, 0.02], normalization="batch", seed=8)
    X, _, _ = _problem(n=10)
    net.update_running_stats(_problem(n=50, seed=9)[0])
    deterministic = net.predict(X)
    np.testing.assert_array_equal(net.predict(X), deterministic)
    rng = np.random.default_rng(0)
    draws = np.stack([net.predict(X, rng=rng) for _ in range(400)])
    assert not np.array_equal(draws[0], draws[1])
    assert draws.std(axis=0).min() > 0
    scale = np.abs(deterministic).max()
    np.testing.assert_allclose(draws.mean(axis=0), deterministic, atol=0.1 * scale)
    # A generator with the same seed gives the same draw.
    a = net.predict(X, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, net.predict(X, rng=np.random.default_rng(3)))


def test_monte_carlo_dropout_of_a_linear_network_is_unbiased():
    """Inverted dropout keeps the mean: for identity activations exactly."""
    net = _net((30, 20), "identity", dropout=[0.3, 0.5], seed=10)
    X, _, _ = _problem(n=5)
    rng = np.random.default_rng(1)
    draws = np.stack([net.predict(X, rng=rng) for _ in range(4000)])
    standard_error = draws.std(axis=0) / np.sqrt(len(draws))
    assert (np.abs(draws.mean(axis=0) - net.predict(X)) < 4 * standard_error).all()


def test_predict_with_rng_and_no_dropout_is_deterministic():
    net = _net(normalization="batch")
    X, _, _ = _problem()
    np.testing.assert_array_equal(
        net.predict(X, rng=np.random.default_rng(0)), net.predict(X)
    )


def test_monte_carlo_dropout_in_blocks(monkeypatch):
    net = _net((5, 3), dropout=[0.5, 0.5])
    X, _, _ = _problem(n=20)
    monkeypatch.setattr(network_module, "_PREDICT_BLOCK_ELEMENTS", 12)
    draw = net.predict(X, rng=np.random.default_rng(0))
    assert draw.shape == (20, 2) and np.isfinite(draw).all()
    assert not np.allclose(draw, net.predict(X))


# -- hidden outputs ----------------------------------------------------------------


def test_hidden_outputs_are_the_activation_outputs():
    net = _net(
        (5, 3), "relu", dropout=[0.5, 0.5], normalization="batch", norm_position="after"
    )
    X, _, _ = _problem(n=11)
    hidden = net.hidden_outputs(X)
    assert [h.shape for h in hidden] == [(11, 5), (11, 3)]
    a = X
    for i, (w, b) in enumerate(zip(net.coefs[:-1], net.intercepts[:-1])):
        h = np.maximum(a @ w + b, 0)
        np.testing.assert_allclose(hidden[i], h, rtol=1e-13)
        (mean, var), (gamma, beta) = net.running_stats[i], net.norm_params[i]
        a = gamma * (h - mean) / np.sqrt(var + 1e-5) + beta
    dead = [float((h <= 0).all(axis=0).mean()) for h in hidden]
    assert all(0 <= f <= 1 for f in dead)


def test_hidden_outputs_of_a_plain_network():
    net = _net((5, 3), "tanh", perturb=False)
    X, _, _ = _problem(n=4)
    h0, h1 = net.hidden_outputs(X)
    np.testing.assert_allclose(h0, np.tanh(X @ net.coefs[0] + net.intercepts[0]))
    np.testing.assert_allclose(h1, np.tanh(h0 @ net.coefs[1] + net.intercepts[1]))


# -- float32 -----------------------------------------------------------------------


@pytest.mark.parametrize("position", ["before", "after"])
def test_float32_everywhere(position):
    options = dict(
        activation="prelu",
        normalization=["batch", "layer"],
        norm_position=position,
        weight_norm=True,
        input_noise=0.1,
        dropout=[0.1, 0.1],
    )
    net32 = _net(dtype=np.float32, **options)
    net64 = _net(dtype=np.float64, **options)
    X, Y, sw = _problem()
    X32, Y32, sw32 = (a.astype(np.float32) for a in (X, Y, sw))
    assert net32.params.dtype == net32.grads.dtype == net32.stats.dtype == np.float32
    views = [*net32.norm_params[0], *net32.act_params, *net32.wn_scales]
    assert all(v.dtype == np.float32 for v in views)
    rng = np.random.default_rng(0)
    cost = net32.loss_and_gradient(X32, Y32, sw32, 0.1, 0.01, rng, update_stats=True)
    assert np.isfinite(cost)
    work = net32._work
    arrays = [a for d in work["norm"] for a in d.values()]
    arrays += [a for t in work["wn"] for a in t] + [work["noise"], *work["z"]]
    assert all(a.dtype == np.float32 for a in arrays)
    assert net32.stats.dtype == np.float32
    outputs = [net32.predict(X32), net32.predict(X32, rng=rng)]
    outputs += net32.hidden_outputs(X32) + net32.effective_coefs()
    assert all(o.dtype == np.float32 for o in outputs)
    # Same numbers as float64, without noise and dropout.
    net64.params[...] = net32.params
    net64.stats[...] = net32.stats
    cost32 = net32.loss_and_gradient(X32, Y32, sw32, 0.1, 0.01)
    cost64 = net64.loss_and_gradient(X, Y, sw, 0.1, 0.01)
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    np.testing.assert_allclose(net32.grads, net64.grads, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(
        net32.predict(X32), net64.predict(X), rtol=1e-4, atol=1e-5
    )


# -- copies and load_state ---------------------------------------------------------


def _trained(seed=0):
    net = _net(
        activation="prelu",
        normalization=["batch", "layer"],
        weight_norm=True,
        dropout=[0.2, 0.0],
        input_noise=0.05,
        seed=seed,
    )
    X, Y, _ = _problem(n=20)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        net.loss_and_gradient(X, Y, rng=rng, update_stats=True)
        net.params -= 0.1 * net.grads
    return net, X, Y


def _check_views(net):
    for name in ("coefs", "intercepts", "act_params", "wn_scales"):
        assert all(v is None or v.base is net.params for v in getattr(net, name))
        grads = getattr(net, "grad_" + name)
        assert all(v is None or v.base is net.grads for v in grads)
    for pair in filter(None, net.norm_params):
        assert all(v.base is net.params for v in pair)
    for pair in filter(None, net.running_stats):
        assert all(v.base is net.stats for v in pair)


@pytest.mark.parametrize(
    "clone", [lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy]
)
def test_copies_keep_running_stats_and_views(clone):
    net, X, Y = _trained()
    assert net.running_stats[0][0].any()
    new = clone(net)
    _check_views(new)
    np.testing.assert_array_equal(new.stats, net.stats)
    assert not np.shares_memory(new.stats, net.stats)
    np.testing.assert_array_equal(new.predict(X), net.predict(X))
    assert new.loss_and_gradient(X, Y) == net.loss_and_gradient(X, Y)
    np.testing.assert_array_equal(new.grads, net.grads)
    new.running_stats[0][1][0] = 42.0
    assert new.stats[5] == 42.0 and net.stats[5] != 42.0
    assert new.normalization == net.normalization and new.input_noise == 0.05


def test_load_state_copies_params_and_running_stats():
    net, X, _ = _trained()
    fresh = _trained(seed=1)[0]
    assert not np.array_equal(fresh.predict(X), net.predict(X))
    assert fresh.load_state(net) is fresh
    np.testing.assert_array_equal(fresh.params, net.params)
    np.testing.assert_array_equal(fresh.stats, net.stats)
    np.testing.assert_array_equal(fresh.predict(X), net.predict(X))
    assert not np.shares_memory(fresh.params, net.params)
    _check_views(fresh)


def test_load_state_refuses_another_architecture():
    net = _trained()[0]
    for other in (
        _net(activation="prelu", normalization=["layer", "batch"], weight_norm=True),
        _net(activation="prelu", normalization=["batch", "layer"]),
        _net(hidden=(5, 7), activation="prelu", normalization=["batch", "layer"]),
    ):
        with pytest.raises(ValueError, match="same architecture"):
            other.load_state(net)


# -- sample-weighted batch statistics ------------------------------------------


@pytest.mark.parametrize("position", ["before", "after"])
def test_integer_weights_equal_repeated_rows_in_batch_norm(position):
    """Frequency weights: cost, gradient and running stats as with repeated rows."""
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
    counts = np.array([1, 3, 2, 1, 1, 4, 2, 1, 2])
    weighted = _net(normalization="batch", norm_position=position)
    repeated = copy.deepcopy(weighted)
    cost_w = weighted.loss_and_gradient(X, Y, counts.astype(float), update_stats=True)
    Xr, Yr = np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0)
    cost_r = repeated.loss_and_gradient(Xr, Yr, update_stats=True)
    assert cost_w == pytest.approx(cost_r, rel=1e-12)
    np.testing.assert_allclose(weighted.grads, repeated.grads, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(weighted.stats, repeated.stats, rtol=1e-12)


def test_weighted_batch_norm_gradients():
    net = _net(normalization="batch")
    X, Y, _ = _problem()
    sw = np.random.default_rng(9).uniform(0.0, 5.0, len(X))  # far from uniform
    assert _check(net, X, Y, "squared_error", sw, l1=0.1) < TOL
