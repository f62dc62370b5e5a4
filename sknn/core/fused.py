"""Optional fused kernels for the per-step elementwise work (needs numba).

An optimiser step and the penalty gradient are a few passes over the flat
parameter buffers in NumPy (Adam: about ten); with numba installed (the
``fast`` extra) each is one compiled pass that reads and writes every array
once. The NumPy code in :mod:`~sknn.core.optimizers` and
:mod:`~sknn.core.penalties` stays the reference: every kernel here computes
the same formula, the tests compare the two paths, and the NumPy path runs
unless numba is installed and the environment variable ``SKNN_NUMBA=1`` is
set before import (or ``ENABLED`` is set to True): the kernels are opt-in.

Once a parameter buffer has loaded numba, ReLU layers also use one-pass
kernels for ``max(z + b, 0)`` and ``delta *= a > 0`` (:func:`bias_relu`,
:func:`relu_backward`), whose results equal NumPy's bit for bit.

In training without gradient clipping, :func:`adam_penalised_step` goes one
step further: the L2/L1 gradient, the gradient norms the estimators record
and the Adam step are a single pass per weight matrix (instead of three passes
over the whole buffer).

Each public function returns a true value when it did the work and a false
one when the caller must fall back to NumPy -- also for buffers below
``MIN_SIZE`` elements, where the NumPy passes stay in cache and numba's
one-time import and kernel loading (about 0.6 s per process) would cost more
than it saves; unless the training call plans enough steps (:func:`planning`)
that buffer size times steps reaches ``MIN_WORK``.

The kernels are serial on purpose: a second thread pool beside BLAS's fights
it for the cores. ``fastmath`` allows reassociation and fused multiply-adds
but not the no-NaN/no-inf assumptions, so a diverging run still shows
non-finite values. Sums accumulate in the data's type, as NumPy's pairwise
sums do.
"""

import contextlib
import contextvars
import importlib.util
import os

import numpy as np

__all__ = [
    "ENABLED",
    "MIN_SIZE",
    "adam_penalised_step",
    "applies",
    "planning",
    "bias_relu",
    "relu_backward",
    "adam_step",
    "add_penalty",
    "sgd_step",
]

#: Whether the fused kernels are used: numba installed and asked for with
#: ``SKNN_NUMBA=1``. Opt-in since the interleaved A/B of issue 16 (9 pairs of
#: fresh processes per workload): per epoch numba won beyond the run-to-run
#: spread only on the MNIST-shaped workload (1.39x); counting its load, no fit
#: was faster, predict32 was 2.4x slower, and it added ~100 MB of resident
#: memory. numba itself is imported only when a kernel is first needed.
ENABLED = (
    importlib.util.find_spec("numba") is not None
    and os.environ.get("SKNN_NUMBA", "0") == "1"
)
#: Buffers smaller than this stay on the NumPy path ...
MIN_SIZE = 50_000
#: ... unless buffer size times the optimiser steps a training call plans
#: reaches this: a long fit of a mid-sized network earns back numba's load.
#: (Measured on the 23k-parameter regression benchmark: ~12 ns saved per
#: parameter and step, so break-even near 5e7 for a 0.6 s load.)
MIN_WORK = 1e8
#: Activation arrays smaller than this stay on NumPy (a call costs ~1 us).
MIN_ELEMENTWISE = 4096

_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_kernels = {}


def _jit(fn):
    import numba

    return numba.njit(fastmath=_FASTMATH, error_model="numpy", cache=True)(fn)


_planned_steps = contextvars.ContextVar("sknn_planned_steps", default=0)


def applies(w):
    """Whether the kernels are used for a buffer like ``w``."""
    return ENABLED and (w.size >= MIN_SIZE or w.size * _planned_steps.get() >= MIN_WORK)


@contextlib.contextmanager
def planning(steps):
    """Within the block, :func:`applies` counts on ``steps`` optimiser steps.

    The decision is the same for every step of a call, so a fit does not
    switch paths half-way, and it depends only on the network and the call's
    ``max_iter`` and batch count, never on what ran before in the process.
    """
    token = _planned_steps.set(steps)
    try:
        yield
    finally:
        _planned_steps.reset(token)


def _loaded(x):
    # Elementwise layer kernels give bit-identical results to NumPy, so they
    # run whenever this process has already paid for numba (a parameter
    # buffer of MIN_SIZE or more), never import it themselves.
    return ENABLED and bool(_kernels) and x.size >= MIN_ELEMENTWISE


def bias_relu(z, b):
    """``z = max(z + b, 0)`` in place for a C-contiguous ``z`` (one pass)."""
    if not (_loaded(z) and z.flags.c_contiguous):
        return False
    _compiled("bias_relu")(z, b)
    return True


def relu_backward(delta, a):
    """``delta *= a > 0`` in place for C-contiguous arrays (one pass)."""
    if not (_loaded(delta) and delta.flags.c_contiguous and a.flags.c_contiguous):
        return False
    _compiled("relu_backward")(delta, a)
    return True


def _compiled(name):
    """The jitted kernel ``name``, compiled on first use."""
    if name not in _kernels:
        _kernels[name] = _jit(_SOURCES[name])
    return _kernels[name]


def _adam(w, g, m, v, b1, b2, step, eps):
    # Also returns sum(g**2). Sums accumulate in the data's type: a float64
    # sum of float32 data stops the loop from vectorising (2x slower).
    total = w.dtype.type(0)
    for i in range(w.size):
        gi = g[i]
        g2 = gi * gi
        total += g2
        mi = b1 * m[i] + gi
        vi = b2 * v[i] + g2
        m[i] = mi
        v[i] = vi
        w[i] -= step * mi / (np.sqrt(vi) + eps)
    return total


def _adam_l2(w, g, m, v, b1, b2, step, eps, c2):
    # g += c2 w, then Adam; returns sum(g**2), sum(w**2) (w before the step).
    total, squared = w.dtype.type(0), w.dtype.type(0)
    for i in range(w.size):
        wi = w[i]
        gi = g[i] + c2 * wi
        g[i] = gi
        squared += wi * wi
        g2 = gi * gi
        total += g2
        mi = b1 * m[i] + gi
        vi = b2 * v[i] + g2
        m[i] = mi
        v[i] = vi
        w[i] = wi - step * mi / (np.sqrt(vi) + eps)
    return total, squared


def _adam_l1_l2(w, g, m, v, b1, b2, step, eps, c2, c1):
    # As _adam_l2 with g += c1 sign(w) too (a separate loop: sign costs ~40 %).
    total, squared, absolute = w.dtype.type(0), w.dtype.type(0), w.dtype.type(0)
    for i in range(w.size):
        wi = w[i]
        gi = g[i] + c2 * wi + c1 * np.sign(wi)
        g[i] = gi
        squared += wi * wi
        absolute += abs(wi)
        g2 = gi * gi
        total += g2
        mi = b1 * m[i] + gi
        vi = b2 * v[i] + g2
        m[i] = mi
        v[i] = vi
        w[i] = wi - step * mi / (np.sqrt(vi) + eps)
    return total, squared, absolute


def _sgd_momentum(w, g, vel, lr, mu, nesterov):
    for i in range(w.size):
        step = -lr * g[i]
        vi = mu * vel[i] + step
        vel[i] = vi
        w[i] += mu * vi + step if nesterov else vi


def _penalty(w, g, c2, c1):
    # Two loops so that the common L2-only case vectorises; the sums of w**2
    # and |w| give the penalty's value without another pass.
    squares, absolute = w.dtype.type(0), w.dtype.type(0)
    if c1 == 0:
        for i in range(w.size):
            wi = w[i]
            g[i] += c2 * wi
            squares += wi * wi
    else:
        for i in range(w.size):
            wi = w[i]
            g[i] += c2 * wi + c1 * np.sign(wi)
            squares += wi * wi
            absolute += abs(wi)
    return squares, absolute


def _bias_relu(z, b):
    # max(z + b, 0) in place; NaN stays NaN, as with np.maximum.
    zero = z.dtype.type(0)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            v = z[i, j] + b[j]
            z[i, j] = zero if v < zero else v


def _relu_backward(delta, a):
    # delta *= (a > 0), as a product so that NaN deltas stay NaN.
    zero, one = delta.dtype.type(0), delta.dtype.type(1)
    for i in range(delta.shape[0]):
        for j in range(delta.shape[1]):
            delta[i, j] *= one if a[i, j] > zero else zero


_SOURCES = {
    "bias_relu": _bias_relu,
    "relu_backward": _relu_backward,
    "adam": _adam,
    "adam_l2": _adam_l2,
    "adam_l1_l2": _adam_l1_l2,
    "sgd_momentum": _sgd_momentum,
    "penalty": _penalty,
}


def adam_step(w, g, m, v, b1, b2, step, eps):
    """``m = b1 m + g; v = b2 v + g²; w -= step m / (sqrt(v) + eps)`` in one pass."""
    if not applies(w):
        return False
    t = w.dtype.type
    _compiled("adam")(w, g, m, v, t(b1), t(b2), t(step), t(eps))
    return True


def adam_penalised_step(w, g, m, v, b1, b2, step, eps, c2, c1, bounds, squares):
    """:func:`add_penalty` on the weights ``w[:bounds[-2]]``, the squared norm
    of each segment of the penalised gradient into ``squares``, and
    :func:`adam_step`, in one pass (``g`` ends up penalised, as with separate
    passes).

    ``bounds`` are the segment edges: ``0``, the end of each weight matrix,
    ``w.size``. Returns ``(sum(w**2), sum(|w|))`` over the weights before the
    step, or None when the caller must use the separate passes.
    """
    if not applies(w):
        return None
    t = w.dtype.type
    coefficients = (t(b1), t(b2), t(step), t(eps))
    squared = absolute = 0.0
    for j in range(len(bounds) - 1):
        part = slice(bounds[j], bounds[j + 1])
        arrays = (w[part], g[part], m[part], v[part])
        if j == len(bounds) - 2:  # biases and the rest: not penalised
            squares[j] = _compiled("adam")(*arrays, *coefficients)
        elif c1:
            kernel = _compiled("adam_l1_l2")
            squares[j], sq, ab = kernel(*arrays, *coefficients, t(c2), t(c1))
            squared, absolute = squared + sq, absolute + ab
        else:
            squares[j], sq = _compiled("adam_l2")(*arrays, *coefficients, t(c2))
            squared += sq
    return squared, absolute


def sgd_step(w, g, velocity, lr, momentum, nesterov):
    """``v = momentum v - lr g``; ``w += momentum v - lr g`` (Nesterov) or ``v``."""
    if not applies(w) or not momentum:
        return False
    t = w.dtype.type
    _compiled("sgd_momentum")(w, g, velocity, t(lr), t(momentum), bool(nesterov))
    return True


def add_penalty(w, g, c2, c1):
    """``g += c2 w + c1 sign(w)`` in one pass (L2 and L1 gradients).

    Returns ``(sum(w**2), sum(|w|))`` (the latter 0 without L1), or None
    when the caller must use NumPy.
    """
    if not applies(w):
        return None
    t = w.dtype.type
    return _compiled("penalty")(w, g, t(c2), t(c1))
