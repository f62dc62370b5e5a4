"""The normalisation hooks on their own: the calls the passes make at a layer."""

import numpy as np
import pytest

from sknn.core.layout import ParameterLayout
from sknn.core.norm_hooks import NormHooks, check_norm_options
from sknn.core.normalization import BatchNorm, LayerNorm

N, K = 9, 5  # rows of a block, units of the normalised layer


def _hooks(kind, position="before", dtype=np.float64, seed=0):
    """Hooks for a network ``[3, K, 4, 2]`` whose first hidden layer is normalised."""
    names, norms = check_norm_options([kind, None], 2, position, 0.1, 1e-5)
    layout = ParameterLayout([3, K, 4, 2], ["tanh", "tanh"], dtype, names)
    rng = np.random.default_rng(seed)
    layout.extras[...] = rng.uniform(0.5, 1.5, layout.extras.size)  # gamma, beta
    layout.stats[...] = rng.uniform(0.5, 1.5, layout.stats.size)
    return NormHooks(norms, position, layout), layout


def _block(seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, K)) * rng.uniform(0.5, 3, K) + rng.normal(size=K)
    return x.astype(dtype), rng.normal(size=(N, K)).astype(dtype)


def _numerical(f, x, h=1e-6):
    """Central differences of the scalar ``f()`` with respect to ``x`` (in place)."""
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + h
        up = f()
        x[i] = keep - h
        grad[i] = (up - f()) / (2 * h)
        x[i] = keep
    return grad


# -- options ---------------------------------------------------------------------


def test_check_norm_options_gives_one_normaliser_per_layer():
    names, norms = check_norm_options("batch", 3, "after", 0.5, 1e-3)
    assert names == ["batch"] * 3
    assert all(isinstance(nm, BatchNorm) and nm.eps == 1e-3 for nm in norms)
    names, norms = check_norm_options(None, 2, "before", 0.1, 1e-5)
    assert names == [None, None] and norms == [None, None]
    names, norms = check_norm_options(("layer", None), 2, "before", 0.0, 1e-5)
    assert names == ["layer", None] and isinstance(norms[0], LayerNorm)
    assert norms[1] is None


@pytest.mark.parametrize(
    "args, match",
    [
        ((["batch"], 2, "before", 0.1, 1e-5), "one normalization per hidden layer"),
        (("batch", 2, "middle", 0.1, 1e-5), "norm_position"),
        (("batch", 2, "before", 1.5, 1e-5), "norm_momentum"),
        (("batch", 2, "before", 0.1, 0.0), "norm_eps"),
        (("group", 2, "before", 0.1, 1e-5), "Unknown normalization"),
    ],
)
def test_bad_norm_options_raise(args, match):
    with pytest.raises(ValueError, match=match):
        check_norm_options(*args)


# -- buffers and pass state --------------------------------------------------------


@pytest.mark.parametrize("position", ["before", "after"])
def test_buffers_per_layer(position):
    hooks, _ = _hooks("layer", position, dtype=np.float32)
    work = hooks.buffers(N)
    assert work[1] is None
    assert work[0]["xhat"].shape == (N, K) and work[0]["xhat"].dtype == np.float32
    assert ("out" in work[0]) == (position == "after")


def test_start_keeps_sample_weights_only_for_batch_norm():
    w = np.arange(1.0, N + 1)
    hooks, _ = _hooks("batch", dtype=np.float32)
    hooks.start(False, w)
    assert not hooks.training and hooks.sample_weight.dtype == np.float32
    np.testing.assert_array_equal(hooks.sample_weight, w)
    hooks.start(True)
    assert hooks.training and hooks.sample_weight is None
    layer, _ = _hooks("layer")
    layer.start(True, w)
    assert layer.sample_weight is None  # layer norm's statistics are per row


# -- values ------------------------------------------------------------------------


def test_train_moves_the_running_statistics_by_momentum():
    hooks, layout = _hooks("batch")
    mean, var = (s.copy() for s in layout.running_stats[0])
    x, _ = _block()
    hooks.start(True)
    hooks.train(0, x.copy(), np.empty_like(x), hooks.buffers(N)[0])
    np.testing.assert_array_equal(layout.running_stats[0][0], mean)  # no momentum
    hooks.train(0, x.copy(), np.empty_like(x), hooks.buffers(N)[0], momentum=0.25)
    np.testing.assert_allclose(
        layout.running_stats[0][0], 0.75 * mean + 0.25 * x.mean(0)
    )
    expected = 0.75 * var + 0.25 * x.var(0, ddof=1)
    np.testing.assert_allclose(layout.running_stats[0][1], expected)


@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_eval_is_train_in_evaluation_mode_on_buffers_of_its_own(kind):
    hooks, _ = _hooks(kind)
    x, _ = _block()
    work = hooks.buffers(N)[0]
    hooks.start(False)
    expected = hooks.train(0, x.copy(), np.empty_like(x), work)
    xhat = work["xhat"].copy()
    got = hooks.eval(0, x.copy())
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    np.testing.assert_array_equal(work["xhat"], xhat)  # training's left alone


def test_batch_norm_in_evaluation_mode_uses_the_running_statistics():
    hooks, layout = _hooks("batch")
    (gamma, beta), (mean, var) = layout.norm_params[0], layout.running_stats[0]
    x, _ = _block()
    expected = gamma * (x - mean) / np.sqrt(var + 1e-5) + beta
    np.testing.assert_allclose(hooks.eval(0, x.copy()), expected, rtol=1e-13)


# -- gradients ---------------------------------------------------------------------


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["batch", "layer"])
def test_backward_is_the_gradient_of_train(kind, weighted, training):
    """For the cost ``sum(r * y)``, ``backward(r)`` gives ``d/dx`` and fills
    ``d/dgamma``, ``d/dbeta``: as central differences of ``train``."""
    hooks, layout = _hooks(kind)
    x, r = _block()
    weights = np.random.default_rng(2).uniform(0.2, 3.0, N) if weighted else None
    work = hooks.buffers(N)[0]
    gamma, beta = layout.norm_params[0]
    stats = layout.stats.copy()

    def cost():
        hooks.start(training, weights)
        return float(np.sum(r * hooks.train(0, x.copy(), np.empty_like(x), work)))

    cost()
    dx = hooks.backward(0, r.copy(), work)
    dgamma, dbeta = layout.grad_norm_params[0]
    for analytic, variable in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        numerical = _numerical(cost, variable)
        np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(layout.stats, stats)  # no momentum: kept
