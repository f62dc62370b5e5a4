"""Gradient clipping and the per-epoch record of gradient norms.

Clipping acts in place on the flat gradient buffer: by value (every entry
into ``[-clip_value, clip_value]``) and then by global norm (the whole vector
rescaled to at most ``clip_norm``), so the final norm never exceeds
``clip_norm``. The norms cost one dot product per weight matrix and one for
the rest of the buffer per batch.
"""

import math

import numpy as np

__all__ = ["GradientRecorder"]


class GradientRecorder:
    """Clip each batch's gradient and average its norms over an epoch.

    Call :meth:`batch` after every backward pass and :meth:`epoch` at the end
    of the epoch: it returns the mean over the epoch's batches of each weight
    matrix's gradient norm, of the global norm before clipping, and after.
    """

    def __init__(self, net, clip_norm=None, clip_value=None):
        self.grads = net.grads
        self.layers = [g.reshape(-1) for g in net.grad_coefs]
        self.rest = net.grads[net.n_weights :]
        self.clip_norm = clip_norm
        self.clip_value = clip_value
        self._reset()

    def _reset(self):
        self.n = 0
        self.layer_sums = [0.0] * len(self.layers)
        self.norm_sum = 0.0
        self.clipped_sum = 0.0

    def batch(self):
        """Record the batch's norms, then clip."""
        squares = [float(np.dot(g, g)) for g in self.layers]
        squares.append(float(np.dot(self.rest, self.rest)))
        for i, s in enumerate(squares[:-1]):
            self.layer_sums[i] += math.sqrt(s)
        norm = math.sqrt(sum(squares))
        self.norm_sum += norm
        if self.clip_value is not None:
            np.clip(self.grads, -self.clip_value, self.clip_value, out=self.grads)
            norm = float(np.linalg.norm(self.grads))
        if self.clip_norm is not None and norm > self.clip_norm:
            self.grads *= self.clip_norm / norm
            norm = self.clip_norm
        self.clipped_sum += norm
        self.n += 1

    def epoch(self):
        n = max(self.n, 1)
        summary = (
            [s / n for s in self.layer_sums],
            self.norm_sum / n,
            self.clipped_sum / n,
        )
        self._reset()
        return summary
