"""The optional numba kernels compute what the NumPy reference computes."""

import numpy as np
import pytest

from sknn.core import fused
from sknn.core.optimizers import SGD, Adam, AdamW
from sknn.core.penalties import add_penalty_gradient

pytest.importorskip("numba")

SIZE = 1001


@pytest.fixture(autouse=True)
def _small_buffers_too(monkeypatch):
    monkeypatch.setattr(fused, "MIN_SIZE", 0)


def _run(monkeypatch, enabled, make, dtype, steps=5):
    monkeypatch.setattr(fused, "ENABLED", enabled)
    rng = np.random.default_rng(0)
    params = rng.normal(size=SIZE).astype(dtype)
    opt = make()
    opt.init(params)
    for k in range(steps):
        grads = rng.normal(size=SIZE).astype(dtype)
        opt.step(params, grads, 0.01 * (k + 1))
    return params


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-6)])
@pytest.mark.parametrize(
    "make",
    [
        lambda: Adam(),
        lambda: Adam(beta_1=0.5, beta_2=0.9, epsilon=1e-3),
        lambda: AdamW(weight_decay=0.1, n_decayed=SIZE // 2),
        lambda: SGD(momentum=0.9, nesterov=True),
        lambda: SGD(momentum=0.5, nesterov=False),
        lambda: SGD(momentum=0.0),
    ],
)
def test_optimizer_steps_match_numpy(monkeypatch, make, dtype, rtol):
    reference = _run(monkeypatch, False, make, dtype)
    accelerated = _run(monkeypatch, True, make, dtype)
    assert accelerated.dtype == dtype
    np.testing.assert_allclose(accelerated, reference, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-6)])
@pytest.mark.parametrize("alpha, l1", [(0.3, 0.0), (0.0, 0.2), (0.3, 0.2)])
def test_penalty_gradient_matches_numpy(monkeypatch, alpha, l1, dtype, rtol):
    rng = np.random.default_rng(1)
    w = rng.normal(size=SIZE).astype(dtype)
    w[::7] = 0.0  # sign(0) = 0
    grads, values = [], []
    for enabled in (False, True):
        monkeypatch.setattr(fused, "ENABLED", enabled)
        g = rng.normal(size=SIZE).astype(dtype) * 0 + 1
        values.append(add_penalty_gradient(w, g, alpha, l1, 16.0, np.empty_like(w)))
        grads.append(g)
    np.testing.assert_allclose(grads[1], grads[0], rtol=rtol)
    # The kernel also returns the penalty's value (sums in float64).
    assert values[0] > 0
    np.testing.assert_allclose(values[1], values[0], rtol=10 * rtol)


def test_non_finite_values_propagate(monkeypatch):
    monkeypatch.setattr(fused, "ENABLED", True)
    params = np.ones(8)
    opt = Adam()
    opt.init(params)
    grads = np.ones(8)
    grads[3] = np.inf
    opt.step(params, grads, 0.1)
    assert not np.isfinite(params[3]) and np.isfinite(np.delete(params, 3)).all()


def test_disabled_means_numpy(monkeypatch):
    monkeypatch.setattr(fused, "ENABLED", False)
    w = np.ones(4)
    assert not fused.adam_step(w, w, w, w, 0.9, 0.999, 0.1, 1e-8)
    assert not fused.add_penalty(w, w.copy(), 0.1, 0.0)
    assert not fused.sgd_step(w, w, w, 0.1, 0.9, True)


def test_small_buffers_stay_on_numpy(monkeypatch):
    monkeypatch.setattr(fused, "ENABLED", True)
    monkeypatch.setattr(fused, "MIN_SIZE", 100)
    w = np.ones(99)
    assert not fused.add_penalty(w, w.copy(), 0.1, 0.0)
    assert fused.add_penalty(np.ones(100), np.ones(100), 0.1, 0.0)


def test_planned_steps_make_smaller_buffers_worth_it(monkeypatch):
    """A buffer below MIN_SIZE uses the kernels when size x planned steps
    reaches MIN_WORK, within ``planning`` only."""
    monkeypatch.setattr(fused, "ENABLED", True)
    monkeypatch.setattr(fused, "MIN_SIZE", 1000)
    monkeypatch.setattr(fused, "MIN_WORK", 10_000)
    w = np.ones(100)
    assert not fused.applies(w)
    with fused.planning(99):
        assert not fused.applies(w)
    with fused.planning(100):
        assert fused.applies(w)
        with fused.planning(1):  # nested calls (e.g. a callback's fit)
            assert not fused.applies(w)
        assert fused.applies(w)
    assert not fused.applies(w)


def _train(
    monkeypatch, enabled, dtype, alpha, l1, make=Adam, clip_norm=None, max_iter=4
):
    """A few epochs of the real loop; everything it records."""
    from sknn.core.losses import get_loss
    from sknn.core.lr_schedules.sklearn_rules import Constant
    from sknn.core.network import Network
    from sknn.core.state import TrainingState
    from sknn.core.training import fit_stochastic

    monkeypatch.setattr(fused, "ENABLED", enabled)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 5)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 60)]
    net = Network([5, 8, 7, 3], ["relu", "tanh"], get_loss("log_loss"), dtype)
    net.initialize(np.random.default_rng(0), "glorot_uniform")
    optimizer = make()
    optimizer.init(net.params)
    state = TrainingState(optimizer, Constant(0.01), False)
    fit_stochastic(
        net, X, Y, None, state, max_iter=max_iter, batch_size=16, shuffle=True,
        rng=np.random.default_rng(1), alpha=alpha, l1=l1, clip_norm=clip_norm,
    )  # fmt: skip
    norms = np.array(state.layer_gradient_norms)
    return net.params, np.array(state.loss_curve), norms, state.gradient_norm_curve


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 5e-5)])
@pytest.mark.parametrize("alpha, l1", [(0.0, 0.0), (0.3, 0.0), (0.1, 0.05)])
def test_fused_training_step_matches_separate_passes(
    monkeypatch, dtype, rtol, alpha, l1
):
    """Penalty + gradient norms + Adam in one pass == the three NumPy passes."""
    reference = _train(monkeypatch, False, dtype, alpha, l1)
    fused_run = _train(monkeypatch, True, dtype, alpha, l1)
    for got, want in zip(fused_run, reference):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


def test_fused_training_step_is_used_only_where_it_applies(monkeypatch):
    calls = []
    original = fused.adam_penalised_step
    monkeypatch.setattr(
        fused,
        "adam_penalised_step",
        lambda *a: calls.append(1) or original(*a),
    )
    _train(monkeypatch, True, np.float64, 0.1, 0.0)
    assert calls  # plain Adam without clipping: fused
    calls.clear()
    _train(monkeypatch, True, np.float64, 0.1, 0.0, clip_norm=1.0)
    _train(monkeypatch, True, np.float64, 0.1, 0.0, make=AdamW)
    _train(monkeypatch, False, np.float64, 0.1, 0.0)
    assert not calls  # clipping, AdamW's decay, or disabled: separate passes


def test_long_fits_of_small_networks_use_the_fused_step(monkeypatch):
    """The network of ``_train`` has 135 parameters and 4 batches per epoch:
    with MIN_WORK = 135 * 4 * 10, ten epochs are worth the kernels, nine
    are not."""
    calls = []
    original = fused.adam_penalised_step
    monkeypatch.setattr(
        fused, "adam_penalised_step", lambda *a: calls.append(1) or original(*a)
    )
    monkeypatch.setattr(fused, "MIN_SIZE", 10**9)
    monkeypatch.setattr(fused, "MIN_WORK", 135 * 4 * 10)
    _train(monkeypatch, True, np.float64, 0.1, 0.0, max_iter=9)
    assert not calls
    _train(monkeypatch, True, np.float64, 0.1, 0.0, max_iter=10)
    assert len(calls) == 40  # every step of the fit


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_kernels_equal_numpy_bit_for_bit(monkeypatch, dtype):
    from sknn.core.activations import ReLU

    fused.adam_step(*(np.ones(4) for _ in range(4)), 0.9, 0.9, 0.1, 0.1)  # loaded
    monkeypatch.setattr(fused, "MIN_ELEMENTWISE", 0)
    rng = np.random.default_rng(0)
    z = rng.normal(size=(37, 11)).astype(dtype)
    z[0, :3] = [np.nan, np.inf, -np.inf]
    b, delta = rng.normal(size=11).astype(dtype), rng.normal(size=(37, 11))
    delta = delta.astype(dtype)
    delta[1, :2] = np.nan
    results = []
    for enabled in (False, True):
        monkeypatch.setattr(fused, "ENABLED", enabled)
        a, d = z.copy(), delta.copy()
        ReLU().biased_forward(a, b, a)
        results.append((a, ReLU().backward(None, a, d)))
    assert fused.bias_relu(z.copy(), b) and fused.relu_backward(delta.copy(), z)
    for got, want in zip(results[1], results[0]):
        np.testing.assert_array_equal(got, want)  # NaN where NumPy has NaN


def test_relu_kernels_never_load_numba(monkeypatch):
    monkeypatch.setattr(fused, "_kernels", {})  # nothing loaded yet
    monkeypatch.setattr(fused, "MIN_ELEMENTWISE", 0)
    z = np.ones((3, 2))
    assert not fused.bias_relu(z, np.ones(2))
    assert not fused.relu_backward(z, z)
    assert not fused.relu_backward(z.T, z.T)  # and only C-contiguous arrays
