"""A fully connected network: forward and backward passes on flat buffers.

A :class:`Network` is a :class:`~sknn.core.layout.ParameterLayout` (the
flat buffers ``params``, ``grads`` and ``stats`` and their per-layer views,
described there) with the passes over it: forward in training and in
evaluation mode, backward and cost. At a normalised hidden layer the passes
call its :class:`~sknn.core.norm_hooks.NormHooks`; they write into work
buffers (:mod:`~sknn.core.workspace`) kept per network and reused for every
batch of at most that size.
"""

import numpy as np
import scipy.sparse as sp

from .layout import ParameterLayout
from .norm_hooks import NormHooks, check_norm_options
from .normalization import weight_norm, weight_norm_backward
from .workspace import column_major, matmul, work_buffers

__all__ = ["Network"]

# Rows per block in ``predict``: bounded memory and cache-friendly products.
_PREDICT_BLOCK_ELEMENTS = 1 << 20


class Network(ParameterLayout):
    """Multi-layer perceptron: forward and backward passes over its parameters.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden_1, ..., hidden_k, n_outputs]``.
    activations : sequence of str or Activation
        One activation per hidden layer.
    loss : sknn.core.losses.Loss
        The cost, which also fixes the output activation.
    dtype : numpy dtype
        float32 or float64, used for parameters, activations and gradients.
    dropout : sequence of float, default=None
        Drop probability per hidden layer (inverted dropout, training only).
    normalization : str or sequence of {None, "batch", "layer"}, default=None
        Normalisation of each hidden layer (one name: every hidden layer).
        Batch statistics weigh rows by their sample weights (frequency weights).
    norm_position : {"before", "after"}, default="before"
        Normalise the pre-activation ``z`` or the activation's output.
    norm_momentum : float, default=0.1
        Weight of a batch in batch norm's running statistics.
    norm_eps : float, default=1e-5
        Added to variances before the square root.
    weight_norm : bool or sequence of bool, default=False
        Weight normalisation ``W[:, j] = g_j v[:, j] / ||v[:, j]||`` per weight
        layer (the output layer included). ``coefs`` hold ``v``, which L1/L2
        penalise; :meth:`effective_coefs` gives ``W``.
    input_noise : float, default=0.0
        Std of Gaussian noise added to dense inputs in passes given an ``rng``.
    """

    # Not pickled: made again on loading (besides the views), or per pass.
    # ``_training`` and ``_bn_weights`` are only in pickles of older versions.
    _DERIVED = ParameterLayout._DERIVED | {
        "_hooks", "_inputs", "_training", "_bn_weights"
    }  # fmt: skip

    def __init__(
        self,
        layer_sizes,
        activations,
        loss,
        dtype,
        dropout=None,
        normalization=None,
        norm_position="before",
        norm_momentum=0.1,
        norm_eps=1e-5,
        weight_norm=False,
        input_noise=0.0,
    ):
        layer_sizes = list(layer_sizes)
        n_hidden = len(layer_sizes) - 2
        self.loss = loss
        self.dropout = list(dropout) if dropout is not None else []
        self.dropout += [0.0] * (n_hidden - len(self.dropout))
        if input_noise < 0:
            raise ValueError(f"Need input_noise >= 0, got {input_noise}.")
        names, self._norms = check_norm_options(
            normalization, n_hidden, norm_position, norm_momentum, norm_eps
        )
        self.norm_position, self.norm_momentum = norm_position, float(norm_momentum)
        self.norm_eps, self.input_noise = float(norm_eps), float(input_noise)
        self._work = None
        super().__init__(layer_sizes, activations, dtype, names, weight_norm)
        self._hooks = NormHooks(self._norms, self.norm_position, self)

    @property
    def is_stochastic(self):
        """Whether training passes need an ``rng`` (dropout or input noise)."""
        return any(self.dropout) or self.input_noise > 0

    # -- forward -----------------------------------------------------------

    def predict(self, X, raw=False, rng=None):
        """Predictions ``p`` by row blocks; ``raw`` skips the output activation.

        Evaluation mode (batch norm uses its running statistics). With ``rng``
        (a Generator) each hidden layer's dropout is applied: Monte-Carlo
        dropout. Input noise is never added.
        """
        n = X.shape[0]
        out = np.empty((n, self.layer_sizes[-1]), dtype=self.dtype)
        block = max(1, _PREDICT_BLOCK_ELEMENTS // max(self.layer_sizes[1:]))
        coefs = self.effective_coefs()
        for start in range(0, n, block):
            z = self._eval_block(X[start : start + block], coefs, rng)
            out[start : start + block] = z if raw else self.loss.link(z, z)
        return out

    def hidden_outputs(self, X):
        """Each hidden layer's activation output for ``X`` (evaluation mode).

        Taken before any ``"after"`` normalisation and without dropout.
        """
        hidden = []
        self.evaluate(X, hidden)
        return hidden

    def evaluate(self, X, hidden=None):
        """The output layer's ``z`` for ``X`` in one evaluation-mode pass (no
        blocks, no dropout), appending each hidden layer's activation output
        to the list ``hidden`` if one is given."""
        return self._eval_block(X, self.effective_coefs(), None, hidden)

    def _eval_block(self, a, coefs, rng, hidden=None):
        """Evaluation-mode pass over one block; returns the output layer's ``z``."""
        for i, (w, b) in enumerate(zip(coefs, self.intercepts)):
            if i == self.n_layers - 1:
                z = matmul(a, w, column_major(a.shape[0], w.shape[1], self.dtype))
                z += b
                return z
            z = a @ w
            z += b
            norm, before = self._norms[i], self.norm_position == "before"
            if norm is not None and before:
                z = self._hooks.eval(i, z)
            act, theta = self.activations[i], self.act_params[i]
            out = np.empty_like(z) if act.needs_z else z
            a = act.forward(z, out) if theta is None else act.forward(z, out, theta)
            if hidden is not None:
                hidden.append(a)
            if norm is not None and not before:
                a = self._hooks.eval(i, a.copy() if hidden is not None else a)
            if rng is not None and self.dropout[i]:
                mask = rng.random(a.shape, dtype=self.dtype)
                np.multiply(
                    mask >= self.dropout[i], 1 / (1 - self.dropout[i]), out=mask
                )
                a = a * mask
        raise AssertionError("unreachable")  # pragma: no cover

    def _buffers(self, n):
        """Work buffers for a batch of ``n`` rows, reused while large enough."""
        if self._work is None or self._work["rows"] < n:
            self._work = work_buffers(self, n, self._hooks)
        return self._work

    def forward(
        self, X, rng=None, training=True, update_stats=False, sample_weight=None
    ):
        """Forward pass that keeps what ``backward`` needs; returns ``p``.

        ``rng`` (a Generator) switches dropout and input noise on; without it
        the pass is deterministic. ``training`` selects batch statistics
        (else batch norm's running statistics); ``update_stats`` also moves
        the running statistics towards this batch's (by ``norm_momentum``).
        ``sample_weight`` weighs the batch statistics (frequency weights).
        """
        momentum = self.norm_momentum if update_stats else None
        return self._forward(X, rng, training, momentum, sample_weight)

    def _forward(self, X, rng, training, momentum, sample_weight=None):
        n = X.shape[0]
        buf = self._buffers(n)
        hooks = self._hooks
        hooks.start(training, sample_weight)
        self._inputs = []  # input of each layer (views)
        a = X
        if rng is not None and self.input_noise:
            noise = rng.standard_normal(out=buf["noise"][:n], dtype=self.dtype)
            noise *= self.input_noise
            # Noise makes every entry nonzero: a sparse batch becomes dense.
            a = np.add(noise, X.toarray() if sp.issparse(X) else X, out=noise)
        wn, norm_work = buf["wn"], buf["norm"]
        for i, (w, b) in enumerate(zip(self.coefs, self.intercepts)):
            self._inputs.append(a)
            if wn[i] is not None:
                w = weight_norm(w, self.wn_scales[i], *wn[i][:2])
            z = matmul(a, w, buf["z"][i][:n])
            if i == self.n_layers - 1:
                z += b
                return self.loss.link(z, buf["p"][:n])
            norm, act, theta = self._norms[i], self.activations[i], self.act_params[i]
            out = buf["a"][i][:n] if act.needs_z else z
            before = norm is not None and self.norm_position == "before"
            if theta is None and not before:
                a = act.biased_forward(z, b, out)  # one pass where it can
            else:
                z += b
                if before:
                    hooks.train(i, z, z, norm_work[i], momentum)
                a = act.forward(z, out) if theta is None else act.forward(z, out, theta)
            if norm is not None and self.norm_position == "after":
                work = norm_work[i]
                a = hooks.train(i, a, work["out"][:n], work, momentum)
            rate = self.dropout[i]
            if rng is not None and rate:
                mask = buf["mask"][i][:n]
                rng.random(out=mask, dtype=self.dtype)
                # Inverted dropout: keep with prob 1 - rate, scale by 1/(1 - rate).
                np.multiply(mask >= rate, 1 / (1 - rate), out=mask)
                a = np.multiply(a, mask, out=buf["dropped"][i][:n])
        raise AssertionError("unreachable")  # pragma: no cover

    def update_running_stats(self, X, momentum=1.0, sample_weight=None):
        """Move batch norm's running statistics towards those of ``X``.

        With ``momentum=1`` they become ``X``'s statistics, e.g. the full-batch
        statistics after L-BFGS. No dropout, no input noise.
        """
        self._forward(X, None, True, float(momentum), sample_weight)

    # -- backward ----------------------------------------------------------

    def backward(self, Y, sample_weight=None, dropout_used=False):
        """Fill ``grads`` with the gradient of the mean cost of the last forward.

        ``sample_weight`` (or ``None`` for uniform weights) weighs the mean.
        Penalties are added separately (:meth:`add_penalty`).
        """
        buf = self._work
        n = Y.shape[0]
        last = self.n_layers - 1
        z, p = buf["z"][last][:n], buf["p"][:n]
        delta = self.loss.gradient(Y, z, p, buf["delta"][last][:n])
        if sample_weight is None:
            delta *= 1 / n
        else:
            delta *= (sample_weight / sample_weight.sum())[:, None]
        wn, ones = buf["wn"], buf["ones"][:n]
        for i in range(last, -1, -1):
            a_in = self._inputs[i]
            matmul(a_in.T, delta, self.grad_coefs[i])
            np.matmul(ones, delta, out=self.grad_intercepts[i])
            if wn[i] is not None:
                v, g, dg = self.coefs[i], self.wn_scales[i], self.grad_wn_scales[i]
                weight_norm_backward(self.grad_coefs[i], v, g, wn[i][1], dg, wn[i][2])
            if i == 0:
                break
            w = self.coefs[i] if wn[i] is None else wn[i][0]
            prev = matmul(delta, w.T, buf["delta"][i - 1][:n])
            if dropout_used and self.dropout[i - 1]:
                prev *= buf["mask"][i - 1][:n]
            norm = self._norms[i - 1]
            if norm is not None and self.norm_position == "after":
                self._hooks.backward(i - 1, prev, buf["norm"][i - 1])
            act, theta = self.activations[i - 1], self.act_params[i - 1]
            z_prev = buf["z"][i - 1][:n]
            a_prev = buf["a"][i - 1][:n] if act.needs_z else z_prev
            z_arg = z_prev if act.needs_z else None
            if theta is None:
                act.backward(z_arg, a_prev, prev)
            else:
                act.backward(z_arg, a_prev, prev, theta, self.grad_act_params[i - 1])
            if norm is not None and self.norm_position == "before":
                self._hooks.backward(i - 1, prev, buf["norm"][i - 1])
            delta = prev
        return self.grads

    def cost(self, Y, sample_weight=None):
        """Mean cost of the last forward pass (without penalties)."""
        n = Y.shape[0]
        last = self.n_layers - 1
        per_sample = self.loss.per_sample(
            Y, self._work["z"][last][:n], self._work["p"][:n]
        )
        if sample_weight is None:
            return float(per_sample.sum()) / n
        return float(np.dot(per_sample, sample_weight) / sample_weight.sum())

    def release_buffers(self):
        """Drop the work buffers (activations, deltas, scratch) kept between
        batches; the next training pass makes them again. A fitted model then
        holds its parameters, not a batch's worth of activations (after
        L-BFGS, the whole training set's)."""
        self._work = self._scratch = None
        self.__dict__.pop("_inputs", None)
        self._hooks.start(True)  # nor the last batch's sample weights

    def loss_and_gradient(
        self, X, Y, sample_weight=None, alpha=0.0, l1=0.0, rng=None, update_stats=False
    ):
        """Training-mode forward, cost and backward; returns the penalised cost.

        ``update_stats`` moves batch norm's running statistics (pass it from
        the training loop, not from gradient checks or line searches).
        """
        momentum = self.norm_momentum if update_stats else None
        self._forward(X, rng, True, momentum, sample_weight)
        value = self.cost(Y, sample_weight)
        self.backward(Y, sample_weight, dropout_used=rng is not None)
        if not (alpha or l1):  # the training loop adds the penalty itself
            return value
        n = X.shape[0] if sample_weight is None else sample_weight.sum()
        return value + self.add_penalty(alpha, l1, n)

    # -- pickling ----------------------------------------------------------

    def __getstate__(self):
        return {**super().__getstate__(), "_work": None}

    def __setstate__(self, state):
        super().__setstate__(state)
        self._hooks = NormHooks(self._norms, self.norm_position, self)
