"""Finite-difference check of a network's backpropagated gradients.

:func:`check_gradients` (exported as ``sknn.check_gradients``) checks an
estimator's network; :func:`relative_gradient_error` and
:func:`numerical_gradient` work on a :class:`~sknn.core.network.Network`
directly. No training code uses them: they are diagnostics, so they live in
the estimator layer.

Both sides are the training-mode cost (batch norm with the batch's own
statistics) without dropout or input noise, penalties included; batch norm's
running statistics are neither used nor changed.

A centred difference ``(C(w + eps) - C(w - eps)) / (2 eps)`` is a derivative
only where the cost is smooth between ``w - eps`` and ``w + eps``. Where the
step moves an activation's input across one of its kinks
(:attr:`Activation.kinks`: ReLU's 0, ReLU6's 0 and 6, ...), a residual across
a kink of the cost (:meth:`Loss.kink_distance`: absolute error, quantile,
Huber) or a weight across 0 under an L1 penalty, the difference measures
something else (the mean of two slopes, say), and a backpropagated gradient
that is right would look wrong. :func:`relative_gradient_error` records on
which side of every kink each of these quantities lies in every evaluation
and leaves out the entries whose step changes a side (counted as skipped).

The log-losses are differenced exactly (:meth:`Loss.exact_cost`): training
reports and minimises scikit-learn's value, from probabilities clipped to
``[eps, 1 - eps]``, but the backpropagated ``p - y`` is the gradient of the
unclipped cost (in scikit-learn too), and that is what is checked.
"""

import copy
import hashlib
import math
import numbers
import warnings

import numpy as np
from sklearn.utils import check_random_state

from ._build import build_network
from .core.penalties import penalty_value
from .core.targets import dense

__all__ = [
    "GradientCheck",
    "check_gradients",
    "numerical_gradient",
    "relative_gradient_error",
]


class GradientCheck(float):
    """The relative error ``||g_num - g|| / (||g_num|| + ||g||)`` of a check.

    A float (``result < 1e-7``, ``float(result)`` and formatting work as for
    the number) that also says what it covers.

    Attributes
    ----------
    n_checked : int
        Entries of the parameter vector compared.
    n_skipped : int
        Entries drawn but left out of the error because their
        finite-difference step crosses a kink (see the module docstring).
    n_params : int
        Size of the parameter vector.
    eps : float
        The finite-difference step.
    upcast : bool
        Whether a float32 network was checked in float64.
    """

    def __new__(
        cls, error, n_checked=0, n_skipped=0, n_params=0, eps=1e-6, upcast=False
    ):
        self = super().__new__(cls, error)
        self.n_checked, self.n_skipped, self.n_params = n_checked, n_skipped, n_params
        self.eps, self.upcast = eps, upcast
        return self

    def __getnewargs__(self):
        return (float(self), self.n_checked, self.n_skipped, self.n_params, self.eps,
                self.upcast)  # fmt: skip

    def __repr__(self):
        return (
            f"GradientCheck({float(self):.3g}, n_checked={self.n_checked}, "
            f"n_skipped={self.n_skipped}, n_params={self.n_params})"
        )


class _Sides:
    """A digest of which side of its kinks every watched quantity lies on,
    one per evaluation of the cost."""

    def start(self):
        self._digest = hashlib.blake2b(digest_size=16)

    def add(self, x, kinks):
        for kink in kinks:
            self._digest.update(np.packbits(x > kink))
            self._digest.update(np.packbits(x < kink))

    def finish(self, net, Y):
        """Add the cost's kinks (from the last forward pass); the digest."""
        n = Y.shape[0]
        work = net._work  # the output layer's z and p of the last pass
        distance = net.loss.kink_distance(Y, work["z"][-1][:n], work["p"][:n])
        if distance is not None:
            self.add(distance, (0.0,))
        return self._digest.digest()


class _Watched:
    """Stands in for an activation with kinks during a check: records the side
    of each kink its inputs lie on, then delegates."""

    def __init__(self, activation, sides):
        self._activation, self._sides = activation, sides
        self._kinks = tuple(float(k) for k in activation.kinks)

    def __getattr__(self, name):
        return getattr(self._activation, name)

    def forward(self, z, out, *theta):
        self._sides.add(z, self._kinks)
        return self._activation.forward(z, out, *theta)

    def biased_forward(self, z, b, out):
        self._sides.add(z + b, self._kinks)
        return self._activation.biased_forward(z, b, out)


def _cost(net, X, Y, sample_weight, alpha, l1):
    net.forward(X, training=True, update_stats=False, sample_weight=sample_weight)
    n = X.shape[0] if sample_weight is None else sample_weight.sum()
    return net.cost(Y, sample_weight) + penalty_value(net.weights, alpha, l1, n)


def numerical_gradient(
    net, X, Y, sample_weight=None, alpha=0.0, l1=0.0, eps=1e-6, indices=None
):
    """Centred finite differences of the penalised cost w.r.t. every parameter
    (or the entries ``indices`` of the flat parameter vector, in that order)."""
    return _differences(net, X, Y, sample_weight, alpha, l1, eps, indices)[0]


def _differences(net, X, Y, sample_weight, alpha, l1, eps, indices, sides=None):
    """The centred differences and, with ``sides``, each evaluation's digest."""
    params = net.params
    indices = np.arange(params.size) if indices is None else indices
    grad = np.empty(len(indices), dtype=np.float64)
    digests = []
    # The cost the gradient belongs to: a log-loss's value is clipped like
    # scikit-learn's (flat where a probability is within eps of 0 or 1), its
    # gradient p - y is that of the unclipped cost, so that one is differenced.
    loss, net.loss = net.loss, net.loss.exact_cost()
    try:
        for i, j in enumerate(indices):
            old = params[j]
            values = []
            for value in (old + eps, old - eps):
                params[j] = value
                if sides is not None:
                    sides.start()
                values.append(_cost(net, X, Y, sample_weight, alpha, l1))
                if sides is not None:
                    digests.append(sides.finish(net, Y))
            params[j] = old
            grad[i] = (values[0] - values[1]) / (2 * eps)
    finally:
        net.loss = loss
    return grad, digests


def _blocks(net):
    """``(start, size)`` of each block of the flat parameter vector: every
    weight matrix, bias vector, normalisation scale and shift, learned
    activation parameters and weight-normalisation scales."""
    views = [*net.coefs, *net.intercepts]
    views += [v for pair in net.norm_params if pair is not None for v in pair]
    views += [v for v in (*net.act_params, *net.wn_scales) if v is not None]
    base, itemsize = net.params.ctypes.data, net.params.itemsize
    return [((v.ctypes.data - base) // itemsize, v.size) for v in views if v.size]


def _entries(net, n_checks, rng):
    """The sorted entries to check: all, or ``n_checks`` drawn with ``rng`` so
    that every block (:func:`_blocks`) has at least ``n_checks // (2 *
    n_blocks)`` of them (at least one), the rest uniformly."""
    n = net.params.size
    if n_checks is None or n_checks >= n:
        return np.arange(n)
    blocks = _blocks(net)
    per_block = max(1, n_checks // (2 * len(blocks)))
    chosen = np.concatenate(
        [start + rng.choice(size, min(per_block, size), replace=False)
         for start, size in blocks]
    )  # fmt: skip
    more = n_checks - chosen.size
    if more > 0:
        rest = np.setdiff1d(np.arange(n), chosen)
        chosen = np.concatenate([chosen, rng.choice(rest, more, replace=False)])
    return np.sort(chosen)


def relative_gradient_error(
    net, X, Y, sample_weight=None, alpha=0.0, l1=0.0, eps=1e-6, *, n_checks=None,
    random_state=None,
):  # fmt: skip
    """``||g_num - g|| / (||g_num|| + ||g||)`` for the current parameters.

    Below about 1e-7 the backward pass is right; above 1e-5 it is suspect.
    Dropout and input noise are off (the forward pass is deterministic);
    penalties are included; extras (normalisation, PReLU slopes, weight-norm
    scales) are parameters like the others.

    Parameters
    ----------
    net : Network
        Its parameters are restored after each step.
    X, Y, sample_weight, alpha, l1 :
        The data, the one-hot or real targets, and the penalties.
    eps : float, default=1e-6
        The finite-difference step.
    n_checks : int or None, default=None
        Check this many entries of the parameter vector, drawn at random
        (every block of parameters gets its share, see ``_entries``); None
        checks all.
    random_state : None, int, Generator or RandomState
        Draws the entries.

    Returns
    -------
    GradientCheck
        The error over the entries checked: a float that also gives
        ``n_checked``, ``n_skipped`` (entries whose step crosses a kink,
        left out) and ``n_params``. If every entry was skipped it is NaN,
        with a warning.

    A float32 network is checked in float64 (its parameters upcast exactly),
    with a warning: in float32 the finite differences drown in rounding
    error.
    """
    return _check(
        net, X, Y, sample_weight, alpha, l1, eps, n_checks=n_checks,
        random_state=random_state, stacklevel=3,
    )  # fmt: skip


def _check(
    net, X, Y, sample_weight=None, alpha=0.0, l1=0.0, eps=1e-6, *, n_checks=None,
    random_state=None, stacklevel=2,
):  # fmt: skip
    """:func:`relative_gradient_error`, its warnings ``stacklevel`` frames up."""
    if n_checks is not None and (
        not isinstance(n_checks, numbers.Integral) or n_checks < 1
    ):
        raise ValueError(f"n_checks must be a positive int or None, got {n_checks!r}")
    upcast = net.dtype != np.float64
    if upcast:
        warnings.warn(
            f"The network is {net.dtype}: it is checked in float64 (its parameters "
            "upcast exactly, the data cast), since finite differences in float32 "
            "drown in rounding error. The model itself is unchanged.",
            UserWarning,
            stacklevel=stacklevel,
        )
        net = net.astype(np.float64)
        X, Y = X.astype(np.float64), np.asarray(Y, dtype=np.float64)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
    rng = random_state
    if not isinstance(rng, (np.random.Generator, np.random.RandomState)):
        rng = np.random.default_rng(rng)
    indices = _entries(net, n_checks, rng)
    sides, activations = _Sides(), net.activations
    net.activations = [
        _Watched(a, sides) if getattr(a, "kinks", ()) else a for a in activations
    ]
    try:
        numeric, digests = _differences(
            net, X, Y, sample_weight, alpha, l1, eps, indices, sides
        )
        sides.start()  # the centre, last
        net.loss_and_gradient(
            X, Y, sample_weight, alpha, l1, rng=None, update_stats=False
        )
        centre = sides.finish(net, Y)
    finally:
        net.activations = activations
    crossed = np.array([d != centre for d in digests]).reshape(-1, 2).any(axis=1)
    if l1:  # |w| has its kink at 0
        weight = indices < net.n_weights
        crossed |= weight & (np.abs(net.params[indices]) < eps)
    keep = ~crossed
    numeric, analytic = numeric[keep], net.grads[indices][keep].astype(np.float64)
    denom = np.linalg.norm(numeric) + np.linalg.norm(analytic)
    if not keep.any():
        warnings.warn(
            f"Every one of the {indices.size} entries checked has its "
            f"finite-difference step (eps={eps:g}) across a kink: nothing could be "
            "compared. Move the parameters off the kinks (e.g. a small nonzero "
            "bias_init) or check other entries.",
            UserWarning,
            stacklevel=stacklevel,
        )
        error = math.nan
    elif denom == 0:
        error = 0.0
    else:
        error = float(np.linalg.norm(numeric - analytic) / denom)
    return GradientCheck(
        error, int(keep.sum()), int(crossed.sum()), net.params.size, eps, upcast
    )


def check_gradients(
    estimator, X, y, sample_weight=None, *, eps=1e-6, random_state=0, n_checks=200
):
    """Compare backpropagated gradients with centred finite differences.

    The network of ``estimator`` (its fitted weights, or fresh ones drawn from
    its parameters if it is not fitted) is evaluated on ``X, y`` with its
    cost and L1/L2 penalties, dropout switched off. Each entry checked costs
    two forward passes over ``X``, so by default a random sample of
    ``n_checks`` entries of the parameter vector is checked: a
    ``MLPClassifier((100,))`` on the 1797 digits (7510 parameters) makes 401
    passes instead of 15021, and checks in seconds instead of minutes.

    An entry whose finite-difference step ``w +- eps`` moves some unit's
    input across a kink of its activation (ReLU's 0, ReLU6's 0 and 6, the
    leaky and parametric ReLUs', ELU's and SELU's 0), a residual across a
    kink of the cost (absolute error, quantile, Huber) or a weight across 0
    under ``l1`` is left out: there the centred difference is not a
    derivative, and the backpropagated gradient would look wrong although it
    is right. Such entries are counted as skipped.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        The model whose gradients to check.
    X : array-like of shape (n_samples, n_features)
        Inputs; float32 input (or a float32 model) is checked in float64,
        with a ``UserWarning``: in float32 the finite differences drown in
        rounding error.
    y : array-like
        Targets, as for ``fit``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    eps : float, default=1e-6
        Finite-difference step.
    random_state : int, RandomState or None, default=0
        Seeds the initial weights of an unfitted estimator and the entries
        drawn.
    n_checks : int or None, default=200
        How many entries of the parameter vector to check, drawn at random
        (each weight matrix, bias vector and block of extra parameters gets
        at least ``n_checks // (2 * n_blocks)`` of them, at least one; the
        rest are drawn from all entries). ``None`` checks every entry.

    Returns
    -------
    error : GradientCheck
        ``||g_num - g|| / (||g_num|| + ||g||)`` over the entries checked:
        below about 1e-7 the gradient is right, above 1e-5 it is suspect. A
        float (``error < 1e-7`` and ``float(error)`` work) that also has
        ``n_checked``, ``n_skipped`` (at kinks), ``n_params`` and ``upcast``.
        NaN, with a warning, if every entry drawn was at a kink.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import MLPClassifier, check_gradients
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, 20)
    >>> clf = MLPClassifier((5, 4), activation="tanh", alpha=0.1, l1=0.01)
    >>> result = check_gradients(clf, X, y)
    >>> result < 1e-7
    True
    >>> result.n_checked, result.n_skipped, result.n_params  # all 59 (< n_checks)
    (59, 0, 59)

    ReLU units exactly at their kink (zero biases: a sample that switches off
    every first-layer unit puts the second layer's inputs at exactly 0) are
    skipped, not reported as an error:

    >>> X[:5] = -10.0  # these rows switch off every first-layer unit
    >>> relu = MLPClassifier((5, 4), activation="relu", bias_init=0.0)
    >>> result = check_gradients(relu, X, y, random_state=1)
    >>> result < 1e-7, result.n_skipped > 0
    (True, True)
    """
    est = copy.deepcopy(estimator)
    fitted = hasattr(est, "_network")
    est._validate_params()
    X, Y, y = est._validate_targets(X, y, incremental=fitted, reset=not fitted)
    sample_weight = est._sample_weight(sample_weight, X, y, incremental=False)
    rng = check_random_state(random_state)
    if fitted:
        net = est._network
    else:
        net, inits = build_network(est, X.shape[1], Y.shape[1], X.dtype)
        net.initialize(rng, inits, est.bias_init)
    X, Y = X.astype(net.dtype, copy=False), dense(Y.astype(net.dtype, copy=False))
    if sample_weight is not None:
        sample_weight = sample_weight.astype(net.dtype, copy=False)
    return _check(
        net, X, Y, sample_weight, est.alpha, est.l1, eps, n_checks=n_checks,
        random_state=rng, stacklevel=3,
    )  # fmt: skip
