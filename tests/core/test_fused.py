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
