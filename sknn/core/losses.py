"""Costs, each fused with the output activation ("link") it is paired with.

A loss object has

* ``link(z, out)``: the output activation, mapping the output layer's
  pre-activation ``z`` to predictions ``p`` (``out`` may be ``z``);
* ``per_sample(y, z, p)``: the cost of each sample, summed over outputs;
* ``gradient(y, z, p, out)``: ``d cost / d z`` per sample, written to ``out``.

Working on ``z`` rather than ``p`` is what makes the pairs stable and cheap:
the gradient of a canonical pair is simply ``p - y``. Averaging over samples
and sample weights happens once, in the network.

The log-losses' *value* is scikit-learn's by default: the log of the
probabilities clipped to ``[eps, 1 - eps]`` (``eps`` of the dtype), so that a
sample's cost is capped near ``-log(eps)`` (36.04 in float64, 15.94 in
float32). That value is what training reports, compares with ``tol`` and
hands to L-BFGS, as in scikit-learn; the gradient stays ``p - y``, the
derivative of the unclipped cost (scikit-learn's too). ``clip=False`` gives
the exact cost computed from the logits, whose derivative ``p - y`` is
everywhere (:meth:`Loss.exact_cost`: what the gradient checker differentiates).
"""

from abc import ABC, abstractmethod

import numpy as np
from scipy.special import expit, xlogy

__all__ = ["LOSSES", "Loss", "get_loss"]


def _identity(z, out):
    if out is not z:
        np.copyto(out, z)
    return out


def _logistic(z, out):
    return expit(z, out=out)


def _softmax(z, out):
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _exp(z, out):
    # Poisson means beyond exp(700) are not representable; clip instead of inf.
    np.minimum(z, np.log(np.finfo(z.dtype).max) - 1, out=out)
    return np.exp(out, out=out)


LINKS = {"identity": _identity, "logistic": _logistic, "softmax": _softmax, "exp": _exp}


class Loss(ABC):
    """Base class. ``out_activation`` names the link (sklearn's ``out_activation_``)."""

    name = None
    out_activation = "identity"

    def link(self, z, out):
        return LINKS[self.out_activation](z, out)

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self), tuple(sorted(vars(self).items()))))

    @abstractmethod
    def per_sample(self, y, z, p):
        """Cost of each sample, summed over outputs, shape ``(n_samples,)``."""

    @abstractmethod
    def gradient(self, y, z, p, out):
        """Write ``d cost / d z`` of each sample into ``out`` and return it."""

    def reported_scale(self, n_outputs):
        """Factor from the cost (summed over outputs, what is minimised) to
        the value reported as the loss: 1 unless scikit-learn reports the
        mean over outputs."""
        return 1.0

    def exact_cost(self):
        """The loss whose value ``gradient`` is the derivative of everywhere:
        ``self``, except for a clipped log-loss (its ``clip=False`` twin)."""
        return self

    def kink_distance(self, y, z, p):
        """An array that is 0 where the cost is not differentiable (a kink)
        and changes sign across it, or None for a smooth cost. The gradient
        checker skips entries whose finite-difference step changes a sign."""
        return None

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class SquaredError(Loss):
    """Quadratic cost ``1/2 sum_k (p_k - y_k)**2``.

    With the identity link this is ordinary least squares (gradient ``p - y``).
    With a logistic or softmax link it is the quadratic cost on probabilities,
    whose gradient carries the link's derivative and so slows learning when
    the units saturate -- the reason cross-entropy is preferred.
    """

    name = "squared_error"

    def __init__(self, out_activation="identity"):
        self.out_activation = out_activation

    def per_sample(self, y, z, p):
        r = p - y
        return 0.5 * np.einsum("ij,ij->i", r, r)

    def reported_scale(self, n_outputs):
        # scikit-learn minimises the sum over outputs but reports the mean.
        return 1.0 / n_outputs

    def gradient(self, y, z, p, out):
        np.subtract(p, y, out=out)
        if self.out_activation == "logistic":
            out *= p * (1 - p)
        elif self.out_activation == "softmax":
            # Jacobian-vector product of softmax: p * (g - <p, g>).
            out -= np.einsum("ij,ij->i", p, out)[:, None]
            out *= p
        return out


class _ClippedLogLoss(Loss):
    """A log-loss whose value is scikit-learn's (``clip=True``) or exact."""

    def __init__(self, clip=True):
        self.clip = bool(clip)

    def exact_cost(self):
        return type(self)(clip=False) if self.clip else self

    def gradient(self, y, z, p, out):
        return np.subtract(p, y, out=out)

    @staticmethod
    def _clipped_log(q):
        """``log(clip(q, eps, 1 - eps))`` as scikit-learn computes it: clipped
        in ``q``'s dtype (in place), the log taken in float64 by SciPy's
        ``xlogy`` (which scikit-learn's boolean targets select for float32
        too; NumPy's own ``log`` can differ in the last bit)."""
        eps = np.finfo(q.dtype).eps
        np.maximum(q, eps, out=q)  # np.clip's, without its wrapper's 2 us
        np.minimum(q, 1 - eps, out=q)
        q = q.astype(np.float64, copy=False)
        return xlogy(1.0, q, out=q)


class BinaryLogLoss(_ClippedLogLoss):
    """Cross-entropy of independent sigmoid outputs (binary and multilabel).

    ``-sum_k y log p + (1 - y) log(1 - p)``; gradient ``p - y``. With
    ``clip=True`` (the default) the value is scikit-learn's
    ``binary_log_loss``: ``p`` clipped to ``[eps, 1 - eps]``; the targets
    are indicators (0 or 1), so each entry costs one log, of ``p`` or
    ``1 - p`` (in float64, as scikit-learn's, also for a float32 network).
    ``clip=False`` computes the exact value from the logits, as
    ``sum_k log(1 + exp(z)) - y z``.
    """

    name = "binary_log_loss"
    out_activation = "logistic"

    def per_sample(self, y, z, p):
        if not self.clip:
            return (np.logaddexp(z, 0) - y * z).sum(axis=1)
        # 1 - clip(p) is clip(1 - p) exactly (eps and 1 - eps are exact).
        q = self._clipped_log(np.where(y > 0.5, p, 1 - p))
        q = q[:, 0] if q.shape[1] == 1 else q.sum(axis=1)
        return np.negative(q, out=q)


class LogLoss(_ClippedLogLoss):
    """Softmax outputs with the log-likelihood cost ``-sum_k y_k log p_k``.

    Gradient ``p - y``. With ``clip=True`` (the default) the value is
    scikit-learn's ``log_loss``: ``p`` clipped to ``[eps, 1 - eps]``; the
    targets are one-hot rows, so a sample costs the log of one probability,
    its class's (``<y, p>``, exact; the log in float64, as scikit-learn's).
    ``clip=False`` computes the exact value
    from the logits as ``logsumexp(z) - <y, z>``: the softmax ``p`` holds the
    log-sum-exp already (its largest entry is ``exp(max z - logsumexp(z))``,
    in ``[1/k, 1]``), so ``logsumexp(z) = max z - log(max p)`` without
    another ``exp`` pass.
    """

    name = "log_loss"
    out_activation = "softmax"

    def per_sample(self, y, z, p):
        if not self.clip:
            lse = z.max(axis=1) - np.log(p.max(axis=1))
            return lse * y.sum(axis=1) - np.einsum("ij,ij->i", y, z)
        q = self._clipped_log(np.einsum("ij,ij->i", y, p))
        return np.negative(q, out=q)


class AbsoluteError(Loss):
    """``sum_k |p_k - y_k|``; gradient ``sign(p - y)`` (0 at the kink)."""

    name = "absolute_error"

    def per_sample(self, y, z, p):
        return np.abs(p - y).sum(axis=1)

    def gradient(self, y, z, p, out):
        np.subtract(p, y, out=out)
        return np.sign(out, out=out)

    def kink_distance(self, y, z, p):
        return p - y


class Huber(Loss):
    """Huber cost: ``r**2 / 2`` for ``|r| <= delta``, else ``delta (|r| - delta/2)``.

    Gradient ``clip(r, -delta, delta)`` with ``r = p - y``.
    """

    name = "huber"

    def __init__(self, delta=1.0):
        self.delta = delta

    def per_sample(self, y, z, p):
        r = np.abs(p - y)
        quad = np.minimum(r, self.delta)
        return (0.5 * quad * quad + self.delta * (r - quad)).sum(axis=1)

    def gradient(self, y, z, p, out):
        np.subtract(p, y, out=out)
        return np.clip(out, -self.delta, self.delta, out=out)

    def kink_distance(self, y, z, p):
        # The second derivative jumps at |r| = delta (first-order accuracy).
        return np.abs(p - y) - self.delta


class Quantile(Loss):
    """Pinball cost for the ``quantile`` q: ``max(q r, (q - 1) r)``, ``r = y - p``."""

    name = "quantile"

    def __init__(self, quantile=0.5):
        self.quantile = quantile

    def per_sample(self, y, z, p):
        r = y - p
        return np.maximum(self.quantile * r, (self.quantile - 1) * r).sum(axis=1)

    def gradient(self, y, z, p, out):
        q = self.quantile
        out[...] = np.where(y > p, -q, 1 - q)
        return out

    def kink_distance(self, y, z, p):
        return p - y


class Poisson(Loss):
    """Half Poisson deviance with log link: ``y log(y / p) - y + p``, ``p = exp(z)``.

    The same cost as scikit-learn's ``loss="poisson"``; gradient ``p - y``.
    """

    name = "poisson"
    out_activation = "exp"

    def per_sample(self, y, z, p):
        return (xlogy(y, y) - y * z - y + p).sum(axis=1)

    def gradient(self, y, z, p, out):
        return np.subtract(p, y, out=out)

    def kink_distance(self, y, z, p):
        # The link's clip, beyond which p stops following exp(z).
        return z - (np.log(np.finfo(z.dtype).max) - 1)


#: Every cost name, mapped to its :class:`Loss` class (fused with its output
#: activation).
LOSSES = {
    cls.name: cls
    for cls in (
        SquaredError,
        BinaryLogLoss,
        LogLoss,
        AbsoluteError,
        Huber,
        Quantile,
        Poisson,
    )
}


def get_loss(name, **params):
    """Return a loss object from its registered name and parameters."""
    try:
        cls = LOSSES[name]
    except KeyError:
        raise ValueError(
            f"Unknown loss {name!r}; expected one of {sorted(LOSSES)}."
        ) from None
    return cls(**params)
