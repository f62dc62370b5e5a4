"""Batch and layer normalisation of an ``(n, k)`` block: forward and backward.

Both map ``x`` to ``y = gamma * xhat + beta`` with ``xhat = (x - mu) / sqrt(var
+ eps)`` and learned ``gamma``, ``beta`` (one per unit). They differ in what
``mu``, ``var`` are taken over:

* :class:`BatchNorm` (Ioffe & Szegedy 2015): each unit over the rows of the
  batch in training; the running averages of those statistics in evaluation;
* :class:`LayerNorm` (Ba et al. 2016): each row over its units, the same in
  training and evaluation.

A normaliser is stateless; the caller keeps its work buffers, made once by
``buffers(rows, k, dtype)`` and good for any block of at most ``rows`` rows:

* ``forward(x, gamma, beta, out, work, training, running, momentum)`` writes
  ``y`` into ``out`` (which may be ``x``) and keeps in ``work`` what
  ``backward`` needs (``xhat`` and ``inv = 1 / sqrt(var + eps)``);
* ``backward(dy, gamma, dgamma, dbeta, work, training)`` writes the gradients
  of ``gamma`` and ``beta`` and turns ``dy`` in place into ``dx``.

Batch norm's statistics are weighted by the sample weights when given (as
frequency weights: a weight of 2 is the row twice), so weighted and repeated
rows train alike; ``forward`` and ``backward`` then take the same ``weights``
(an ``(n,)`` array, or None for uniform weights).

:func:`weight_norm` and :func:`weight_norm_backward` are the same for
weight normalisation (Salimans & Kingma 2016), ``W = g v / ||v||`` by column.
"""

import numpy as np

__all__ = [
    "NORMALIZATIONS",
    "BatchNorm",
    "LayerNorm",
    "get_normalization",
    "weight_norm",
    "weight_norm_backward",
]


def _affine(xhat, gamma, beta, out):
    np.multiply(xhat, gamma, out=out)
    out += beta
    return out


def _invert(inv, eps):
    """``inv <- 1 / sqrt(inv + eps)`` in place."""
    inv += eps
    np.sqrt(inv, out=inv)
    return np.reciprocal(inv, out=inv)


class _Normalization:
    def __init__(self, eps=1e-5):
        self.eps = eps

    def buffers(self, rows, k, dtype, out=False):
        """Work buffers for blocks of at most ``rows`` rows of ``k`` units.

        ``inv`` and ``tmp`` have shape ``stat_shape``: ``(1, k)`` for batch
        norm, ``(rows, 1)`` for layer norm, so they broadcast against a block.
        ``out=True`` adds an ``(rows, k)`` buffer ``"out"`` for the output.
        """
        stat = self.stat_shape(rows, k)
        keys = ("xhat", "scratch", "out") if out else ("xhat", "scratch")
        work = {key: np.empty((rows, k), dtype) for key in keys}
        work.update(inv=np.empty(stat, dtype), tmp=np.empty(stat, dtype))
        return work

    def __repr__(self):
        return f"{type(self).__name__}(eps={self.eps})"


class BatchNorm(_Normalization):
    """Normalise every unit over the batch; running statistics for evaluation.

    Training passes use the batch mean and biased variance, weighted by
    ``weights`` if given. When given the running statistics ``(mean, var)``
    and a ``momentum`` they update them as PyTorch does: ``running = (1 -
    momentum) running + momentum batch``, with the unbiased batch variance
    (``n / (n - 1)``, ``n`` the rows or the sum of the weights; a batch of at
    most one row leaves the running variance alone). Evaluation passes use
    the running statistics.
    """

    name = "batch"
    has_running_stats = True

    @staticmethod
    def stat_shape(n, k):
        return (1, k)

    def forward(
        self, x, gamma, beta, out, work, training, running, momentum, weights=None
    ):
        n = x.shape[0]
        xhat, inv = work["xhat"][:n], work["inv"][:n]
        if not training:
            mean, var = running
            np.copyto(inv[0], var)
            _invert(inv, self.eps)
            np.subtract(x, mean, out=xhat)
            xhat *= inv
            return _affine(xhat, gamma, beta, out)
        if weights is None:
            count = n
            mu = np.mean(x, axis=0, keepdims=True, out=inv)
        else:
            count = float(weights.sum())
            mu = np.matmul(weights / count, x, out=inv[0])[None, :]
        if momentum is not None:
            mean, var = running
            mean *= 1 - momentum
            mean += momentum * mu[0]
        np.subtract(x, mu, out=xhat)
        if weights is None:
            batch_var = np.einsum("ij,ij->j", xhat, xhat, out=inv[0])
        else:
            batch_var = np.einsum("i,ij,ij->j", weights, xhat, xhat, out=inv[0])
        batch_var /= count
        if momentum is not None and count > 1:
            var *= 1 - momentum
            var += (momentum * count / (count - 1)) * batch_var
        _invert(inv, self.eps)
        xhat *= inv
        return _affine(xhat, gamma, beta, out)

    def backward(self, dy, gamma, dgamma, dbeta, work, training, weights=None):
        n = dy.shape[0]
        xhat, inv, tmp = work["xhat"][:n], work["inv"][:n], work["tmp"][:n]
        np.sum(dy, axis=0, out=dbeta)
        np.einsum("ij,ij->j", dy, xhat, out=dgamma)
        if training and weights is None:
            # dx = gamma inv (dy - mean(dy) - xhat mean(dy xhat)), means over rows.
            scratch = work["scratch"][:n]
            np.multiply(dbeta, 1 / n, out=tmp[0])
            dy -= tmp
            np.multiply(dgamma, 1 / n, out=tmp[0])
            np.multiply(xhat, tmp, out=scratch)
            dy -= scratch
        elif training:
            # Weighted: dx_i = gamma inv (dy_i - w_i sum(dy) - w_i xhat_i sum(dy xhat))
            # with w normalised to sum 1.
            scratch = work["scratch"][:n]
            w = (weights / weights.sum())[:, None]
            np.multiply(xhat, dgamma, out=scratch)
            scratch += dbeta
            scratch *= w
            dy -= scratch
        np.multiply(gamma, inv, out=tmp)
        dy *= tmp
        return dy


class LayerNorm(_Normalization):
    """Normalise every row over its units; the same in training and evaluation."""

    name = "layer"
    has_running_stats = False

    @staticmethod
    def stat_shape(n, k):
        return (n, 1)

    def forward(
        self, x, gamma, beta, out, work, training, running, momentum, weights=None
    ):
        n, k = x.shape
        xhat, inv = work["xhat"][:n], work["inv"][:n]
        mu = np.mean(x, axis=1, keepdims=True, out=inv)
        np.subtract(x, mu, out=xhat)
        var = np.einsum("ij,ij->i", xhat, xhat, out=inv[:, 0])
        var /= k
        _invert(inv, self.eps)
        xhat *= inv
        return _affine(xhat, gamma, beta, out)

    def backward(self, dy, gamma, dgamma, dbeta, work, training, weights=None):
        # dx = inv (g - mean(g) - xhat mean(g xhat)), g = gamma dy, means over units.
        n, k = dy.shape
        xhat, inv, tmp = work["xhat"][:n], work["inv"][:n], work["tmp"][:n]
        scratch = work["scratch"][:n]
        np.sum(dy, axis=0, out=dbeta)
        np.einsum("ij,ij->j", dy, xhat, out=dgamma)
        g = np.multiply(dy, gamma, out=scratch)
        np.einsum("ij,ij->i", g, xhat, out=tmp[:, 0])
        tmp /= k
        np.multiply(xhat, tmp, out=dy)
        np.subtract(g, dy, out=dy)
        np.mean(g, axis=1, keepdims=True, out=tmp)
        dy -= tmp
        dy *= inv
        return dy


def weight_norm(v, g, out, norm):
    """``out = g v / ||v||`` column by column; keeps ``||v||`` in ``norm``.

    A zero column gives a zero column (and zero gradients), not NaN.
    """
    np.sqrt(np.einsum("ij,ij->j", v, v, out=norm), out=norm)
    np.maximum(norm, np.finfo(norm.dtype).tiny, out=norm)
    return np.multiply(v, g / norm, out=out)


def weight_norm_backward(grad_w, v, g, norm, grad_g, tmp):
    """Turn ``grad_w = d cost / d W`` in place into ``d cost / d v``; fill ``grad_g``.

    ``d/dg = <G, v> / ||v||`` and ``d/dv = g / ||v|| (G - v d/dg / ||v||)`` per
    column, with the ``norm`` kept by :func:`weight_norm`.
    """
    np.einsum("ij,ij->j", grad_w, v, out=grad_g)
    grad_g /= norm
    grad_w -= np.multiply(v, grad_g / norm, out=tmp)
    grad_w *= g / norm
    return grad_w


#: The normalisations of hidden layers by name: 'batch' and 'layer'.
NORMALIZATIONS = {cls.name: cls for cls in (BatchNorm, LayerNorm)}


def get_normalization(name, eps=1e-5):
    """A normaliser from its name (``"batch"``, ``"layer"``), or ``None``."""
    if name is None:
        return None
    try:
        return NORMALIZATIONS[name](eps)
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown normalization {name!r}; expected None or one of "
            f"{sorted(NORMALIZATIONS)}."
        ) from None
