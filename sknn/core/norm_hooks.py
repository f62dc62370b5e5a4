"""The normalisation of a network's hidden layers, as its passes call it.

:mod:`~sknn.core.normalization` holds the maths of batch and layer
normalisation of one block. This module holds what a network adds around
it: the options' checks (:func:`check_norm_options`), and
:class:`NormHooks`, which knows each hidden layer's normaliser, its
``gamma``/``beta`` views, their gradients and its running statistics, and
makes the calls the forward and backward passes make at a normalised layer.

A pass starts with :meth:`NormHooks.start` (batch or running statistics,
sample weights for the batch statistics); :meth:`NormHooks.train` then
normalises a layer's block in the forward pass and :meth:`NormHooks.backward`
turns the gradient of its output into that of its input, with the same work
buffers (from :meth:`NormHooks.buffers`, reused batch after batch).
:meth:`NormHooks.eval` is the evaluation-mode normalisation of predictions.
"""

import numpy as np

from .normalization import get_normalization

__all__ = ["NormHooks", "check_norm_options"]


def check_norm_options(normalization, n_hidden, position, momentum, eps):
    """Check a network's normalisation options.

    ``normalization`` is None, one name for every hidden layer, or one name
    (or None) per hidden layer. Returns the per-layer names and normalisers
    (None for a layer without normalisation).
    """
    if normalization is None or isinstance(normalization, str):
        normalization = [normalization] * n_hidden
    normalization = list(normalization)
    if len(normalization) != n_hidden:
        raise ValueError("Need one normalization per hidden layer.")
    if position not in ("before", "after"):
        raise ValueError(
            f"norm_position must be 'before' or 'after', got {position!r}."
        )
    if not (0 <= momentum <= 1 and eps > 0):
        raise ValueError("Need 0 <= norm_momentum <= 1 and norm_eps > 0.")
    return normalization, [get_normalization(n, float(eps)) for n in normalization]


class NormHooks:
    """The calls a network's passes make at its normalised hidden layers.

    Parameters
    ----------
    norms : list of normaliser or None
        One per hidden layer, e.g. from :func:`check_norm_options`.
    position : {"before", "after"}
        Normalise the pre-activation or the activation's output: "after"
        needs an output buffer per layer.
    layout : sknn.core.layout.ParameterLayout
        Holds ``gamma``/``beta`` (``norm_params``), their gradients
        (``grad_norm_params``) and batch norm's ``running_stats``.
    """

    def __init__(self, norms, position, layout):
        self.norms = list(norms)
        self.position = position
        self.sizes = layout.layer_sizes[1:-1]
        self.dtype = layout.dtype
        self.norm_params = layout.norm_params
        self.grad_norm_params = layout.grad_norm_params
        self.running_stats = layout.running_stats
        self.has_batch_norm = any(
            nm is not None and nm.has_running_stats for nm in norms
        )
        self.start(True)

    def buffers(self, n):
        """Work buffers of each layer (None where not normalised) for blocks of
        at most ``n`` rows."""
        out = self.position == "after"
        return [
            nm.buffers(n, k, self.dtype, out=out) if nm else None
            for k, nm in zip(self.sizes, self.norms)
        ]

    def start(self, training, sample_weight=None):
        """Start a pass: batch statistics (``training``) or the running ones;
        ``sample_weight`` weighs the batch statistics (frequency weights)."""
        self.training = training
        self.sample_weight = None
        if sample_weight is not None and self.has_batch_norm:
            self.sample_weight = np.asarray(sample_weight, self.dtype)

    def train(self, i, x, out, work, momentum=None):
        """Normalise layer ``i``'s block ``x`` into ``out`` (which may be ``x``)
        in this pass's mode, keeping in ``work`` what :meth:`backward` needs.
        A ``momentum`` moves the running statistics towards the batch's."""
        gamma, beta = self.norm_params[i]
        return self.norms[i].forward(
            x, gamma, beta, out, work, self.training, self.running_stats[i],
            momentum, self.sample_weight,
        )  # fmt: skip

    def backward(self, i, dy, work):
        """Fill the gradients of layer ``i``'s ``gamma`` and ``beta``; turn the
        gradient ``dy`` of its output in place into that of its input."""
        dgamma, dbeta = self.grad_norm_params[i]
        return self.norms[i].backward(
            dy, self.norm_params[i][0], dgamma, dbeta, work, self.training,
            self.sample_weight,
        )  # fmt: skip

    def eval(self, i, x):
        """Evaluation-mode normalisation of layer ``i``'s block ``x`` in place
        (running statistics, buffers of its own: training's stay untouched)."""
        norm, (gamma, beta) = self.norms[i], self.norm_params[i]
        work = norm.buffers(*x.shape, self.dtype)
        return norm.forward(x, gamma, beta, x, work, False, self.running_stats[i], None)
