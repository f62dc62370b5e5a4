"""Costs, each fused with the output activation ("link") it is paired with.

A loss object has

* ``link(z, out)``: the output activation, mapping the output layer's
  pre-activation ``z`` to predictions ``p`` (``out`` may be ``z``);
* ``per_sample(y, z, p)``: the cost of each sample, summed over outputs;
* ``gradient(y, z, p, out)``: ``d cost / d z`` per sample, written to ``out``.

Working on ``z`` rather than ``p`` is what makes the pairs stable and cheap:
log-losses are computed from logits (no ``log(0)``, no overflow in ``exp``),
and the gradient of a canonical pair is simply ``p - y``. Averaging over
samples and sample weights happens once, in the network.
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


class BinaryLogLoss(Loss):
    """Cross-entropy of independent sigmoid outputs (binary and multilabel).

    ``-sum_k y log p + (1 - y) log(1 - p)``, computed from logits as
    ``sum_k log(1 + exp(z)) - y z``; gradient ``p - y``.
    """

    name = "binary_log_loss"
    out_activation = "logistic"

    def per_sample(self, y, z, p):
        return (np.logaddexp(z, 0) - y * z).sum(axis=1)

    def gradient(self, y, z, p, out):
        return np.subtract(p, y, out=out)


class LogLoss(Loss):
    """Softmax outputs with the log-likelihood cost ``-sum_k y_k log p_k``.

    Computed from logits as ``logsumexp(z) - <y, z>``; gradient ``p - y``.
    The softmax ``p`` holds the log-sum-exp already: its largest entry is
    ``exp(max z - logsumexp(z))``, in ``[1/k, 1]`` (never underflows), so
    ``logsumexp(z) = max z - log(max p)`` without another ``exp`` pass.
    """

    name = "log_loss"
    out_activation = "softmax"

    def per_sample(self, y, z, p):
        lse = z.max(axis=1) - np.log(p.max(axis=1))
        return lse * y.sum(axis=1) - np.einsum("ij,ij->i", y, z)

    def gradient(self, y, z, p, out):
        return np.subtract(p, y, out=out)


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
