"""A fully connected network on one flat, contiguous parameter buffer.

Layout of ``params`` (and, identically, of ``grads``)::

    [ W_0.ravel() | ... | W_k.ravel() | b_0 | ... | b_k | extras ]
    extras = [ gamma_i | beta_i ]  per normalised hidden layer i
             [ theta_i ]           per hidden layer with a learned activation
             [ g_j ]               per weight-normalised layer j

so all weights -- the only penalised parameters -- form one contiguous slice,
and an optimiser step or a penalty is a few vectorised operations on whole
buffers. ``coefs``/``intercepts``, ``norm_params``, ``act_params`` and
``wn_scales`` (and their ``grad_`` twins) are views into the buffers. Batch
norm's running statistics are not parameters: they live in a separate flat
buffer ``stats`` (views ``running_stats``). Work buffers for activations and
deltas are kept per network and reused for every batch of at most that size.
"""

import copy
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from .activations import get_activation
from .initializers import get_initializer
from .normalization import get_normalization, weight_norm, weight_norm_backward
from .penalties import add_penalty_gradient

__all__ = ["Network"]

# Rows per block in ``predict``: bounded memory and cache-friendly products.
_PREDICT_BLOCK_ELEMENTS = 1 << 20
_VIEWS = ("coefs", "intercepts", "norm_params", "act_params", "wn_scales")


def _matmul(a, w, out):
    """``out[...] = a @ w`` for a dense or sparse ``a``.

    A column-major ``out`` (the output layer's) is written by BLAS as
    ``out.T = w.T @ a.T``: NumPy falls back to a slow loop for such an ``out``.
    """
    if not isinstance(a, np.ndarray):  # sparse (faster to ask than issparse)
        np.copyto(out, a @ w)
    elif a.shape[1] == 1:  # an outer product (exact)
        if out.flags.c_contiguous and a.dtype == w.dtype == out.dtype:
            # np.dot: 1.4-1.9x faster than matmul or a broadcast multiply at
            # k = 1, and it needs no ufunc buffer (up to 128 kB per call);
            # it takes no out= of another layout or dtype.
            np.dot(a, w, out=out)
        else:
            np.multiply(a, w, out=out)
    elif out.shape[1] > 1 and out.strides[0] == out.itemsize:
        np.matmul(w.T, a.T, out=out.T)
    else:
        np.matmul(a, w, out=out)
    return out


def _column_major(n, k, dtype):
    """An ``(n, k)`` array stored column by column (``k > 1``; else C order).

    The output layer has few columns: reductions over them (softmax, log-loss)
    and the bias gradient then run along contiguous memory, several times
    faster than over rows of ``k`` entries.
    """
    return np.empty((k, n), dtype).T if k > 1 else np.empty((n, k), dtype)


class Network:
    """Multi-layer perceptron: parameters, forward and backward passes.

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
        Batch statistics ignore sample weights; the gradient is still exact.
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
        self.layer_sizes = [int(s) for s in layer_sizes]
        self.activations = [get_activation(a) for a in activations]
        n_hidden = len(self.layer_sizes) - 2
        if len(self.activations) != n_hidden:
            raise ValueError("Need one activation per hidden layer.")
        self.loss = loss
        self.dtype = np.dtype(dtype)
        self.dropout = list(dropout) if dropout is not None else []
        self.dropout += [0.0] * (n_hidden - len(self.dropout))
        if normalization is None or isinstance(normalization, str):
            normalization = [normalization] * n_hidden
        if isinstance(weight_norm, (bool, np.bool_)):
            weight_norm = [weight_norm] * (n_hidden + 1)
        self.normalization, self.weight_norm = list(normalization), list(weight_norm)
        if len(self.normalization) != n_hidden or len(self.weight_norm) != n_hidden + 1:
            raise ValueError(
                "Need one normalization per hidden layer and one weight_norm flag "
                "per weight layer."
            )
        if norm_position not in ("before", "after"):
            raise ValueError(
                f"norm_position must be 'before' or 'after', got {norm_position!r}."
            )
        if not (0 <= norm_momentum <= 1 and norm_eps > 0 and input_noise >= 0):
            raise ValueError(
                "Need 0 <= norm_momentum <= 1, norm_eps > 0, input_noise >= 0."
            )
        self.norm_position, self.norm_momentum = norm_position, float(norm_momentum)
        self.norm_eps, self.input_noise = float(norm_eps), float(input_noise)
        self._norms = [get_normalization(n, self.norm_eps) for n in self.normalization]
        hidden = self.layer_sizes[1:-1]
        self.n_weights = sum(a * b for a, b in pairwise(self.layer_sizes))
        self.n_biases = sum(self.layer_sizes[1:])
        extras = [2 * k for k, nm in zip(hidden, self._norms) if nm is not None]
        extras += [a.n_params(k) for k, a in self._hidden()]
        extras += [k for k, wn in zip(self.layer_sizes[1:], self.weight_norm) if wn]
        self.n_extras = sum(extras)
        self.params = np.zeros(
            self.n_weights + self.n_biases + self.n_extras, self.dtype
        )
        self.grads = np.zeros_like(self.params)
        bn = [k for k, nm in zip(hidden, self._norms) if nm and nm.has_running_stats]
        self.stats = np.zeros(2 * sum(bn), self.dtype)
        self._make_views()
        self._init_extras()
        self._work = None

    @property
    def n_layers(self):
        """Number of weight layers (hidden layers + output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def is_stochastic(self):
        """Whether training passes need an ``rng`` (dropout or input noise)."""
        return any(self.dropout) or self.input_noise > 0

    def _views(self, flat):
        """Per-layer views of ``flat``: ``{name: list}`` for the names in _VIEWS."""
        pos = 0

        def take(size, shape=None):
            nonlocal pos
            pos += size
            view = flat[pos - size : pos]
            return view if shape is None else view.reshape(shape)

        sizes, hidden = self.layer_sizes, self.layer_sizes[1:-1]
        views = {"coefs": [take(a * b, (a, b)) for a, b in pairwise(sizes)]}
        views["intercepts"] = [take(k) for k in sizes[1:]]
        views["norm_params"] = [
            (take(k), take(k)) if nm else None for k, nm in zip(hidden, self._norms)
        ]
        views["act_params"] = [
            take(a.n_params(k)) if a.n_params(k) else None for k, a in self._hidden()
        ]
        views["wn_scales"] = [
            take(k) if wn else None for k, wn in zip(sizes[1:], self.weight_norm)
        ]
        return views

    def _make_views(self):
        for prefix, flat in (("", self.params), ("grad_", self.grads)):
            for name, views in self._views(flat).items():
                setattr(self, prefix + name, views)
        stats, pos = [], 0
        for k, nm in zip(self.layer_sizes[1:-1], self._norms):
            if nm is None or not nm.has_running_stats:
                stats.append(None)
                continue
            stats.append((self.stats[pos : pos + k], self.stats[pos + k : pos + 2 * k]))
            pos += 2 * k
        self.running_stats = stats

    @property
    def weights(self):
        """The flat slice of all weights (what L1/L2 penalise)."""
        return self.params[: self.n_weights]

    @property
    def extras(self):
        """The flat slice after the biases: normalisation, activation, WN scales."""
        return self.params[self.n_weights + self.n_biases :]

    def initialize(self, rng, init="auto", bias_init=None):
        """Draw weights with ``init`` (one name or callable, or one per layer);
        fill biases.

        Layer by layer, the weights are drawn (in float64, then cast) and,
        for an initialiser that ``draws_bias`` while ``bias_init`` is None,
        then the biases: scikit-learn's order of draws. Otherwise biases are
        ``bias_init`` (None: zeros). Extras get their initial values (gamma 1,
        beta 0, the activations' own, ``g`` the column norms of ``v``);
        running statistics are reset.
        """
        single = isinstance(init, str) or callable(init)
        inits = [init] * self.n_layers if single else list(init)
        inits += ["auto"] * (self.n_layers - len(inits))  # output layer
        acts = self.activations + [None]
        for w, b, name, act in zip(self.coefs, self.intercepts, inits, acts):
            fill = get_initializer(name, act)
            fan_in, fan_out = w.shape
            w[...] = fill(w.shape, fan_in, fan_out, rng)
            if bias_init is None and getattr(fill, "draws_bias", False):
                b[...] = fill(b.shape, fan_in, fan_out, rng)
            else:
                b.fill(0.0 if bias_init is None else bias_init)
        self._init_extras()
        return self

    def _init_extras(self):
        for pair in filter(None, self.norm_params):
            pair[0].fill(1)
            pair[1].fill(0)
        for act, theta in zip(self.activations, self.act_params):
            if theta is not None:
                act.init_params(theta)
        for v, g in zip(self.coefs, self.wn_scales):
            if g is not None:
                np.sqrt(np.einsum("ij,ij->j", v, v), out=g)
        for mean, var in filter(None, self.running_stats):
            mean.fill(0)
            var.fill(1)

    def effective_coefs(self):
        """The weight matrices the network uses: ``coefs`` (the same views) for
        plain layers, new arrays ``g v / ||v||`` for weight-normalised ones."""
        return [
            v if g is None else weight_norm(v, g, np.empty_like(v), np.empty_like(g))
            for v, g in zip(self.coefs, self.wn_scales)
        ]

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
        self._eval_block(X, self.effective_coefs(), None, hidden)
        return hidden

    def _eval_block(self, a, coefs, rng, hidden=None):
        """Evaluation-mode pass over one block; returns the output layer's ``z``."""
        for i, (w, b) in enumerate(zip(coefs, self.intercepts)):
            if i == self.n_layers - 1:
                z = _matmul(a, w, _column_major(a.shape[0], w.shape[1], self.dtype))
                z += b
                return z
            z = a @ w
            z += b
            norm, before = self._norms[i], self.norm_position == "before"
            if norm is not None and before:
                z = self._norm_eval(i, z)
            act, theta = self.activations[i], self.act_params[i]
            out = np.empty_like(z) if act.needs_z else z
            a = act.forward(z, out) if theta is None else act.forward(z, out, theta)
            if hidden is not None:
                hidden.append(a)
            if norm is not None and not before:
                a = self._norm_eval(i, a.copy() if hidden is not None else a)
            if rng is not None and self.dropout[i]:
                mask = rng.random(a.shape, dtype=self.dtype)
                np.multiply(
                    mask >= self.dropout[i], 1 / (1 - self.dropout[i]), out=mask
                )
                a = a * mask
        raise AssertionError("unreachable")  # pragma: no cover

    def _norm_eval(self, i, x):
        """Evaluation-mode normalisation of ``x`` in place."""
        norm, (gamma, beta) = self._norms[i], self.norm_params[i]
        work = norm.buffers(*x.shape, self.dtype)
        return norm.forward(x, gamma, beta, x, work, False, self.running_stats[i], None)

    def _buffers(self, n):
        """Work buffers for a batch of ``n`` rows, reused while large enough."""
        if self._work is None or self._work["rows"] < n:
            dt, hidden = self.dtype, self.layer_sizes[1:-1]
            new = lambda k: np.empty((n, k), dt)  # noqa: E731
            n_out = self.layer_sizes[-1]
            self._work = {
                "rows": n,
                "ones": np.ones(n, dt),  # bias gradients as BLAS products
                "z": [new(k) for k in hidden] + [_column_major(n, n_out, dt)],
                "a": [new(k) if a.needs_z else None for k, a in self._hidden()],
                "mask": [new(k) if r else None for k, r in zip(hidden, self.dropout)],
                "dropped": [
                    new(k) if r else None for k, r in zip(hidden, self.dropout)
                ],
                "delta": [new(k) for k in hidden] + [_column_major(n, n_out, dt)],
                "p": _column_major(n, n_out, dt),
                "noise": new(self.layer_sizes[0]) if self.input_noise else None,
                "norm": [
                    nm.buffers(n, k, dt, out=self.norm_position == "after")
                    if nm
                    else None
                    for k, nm in zip(hidden, self._norms)
                ],
                "wn": [  # effective W, ||v||, and a temporary like W
                    None
                    if g is None
                    else (np.empty_like(v), np.empty_like(g), np.empty_like(v))
                    for v, g in zip(self.coefs, self.wn_scales)
                ],
            }
        return self._work

    def _hidden(self):
        return zip(self.layer_sizes[1:-1], self.activations)

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
        self._training = training
        self._bn_weights = None
        if sample_weight is not None and "batch" in self.normalization:
            self._bn_weights = np.asarray(sample_weight, self.dtype)
        self._inputs = []  # input of each layer (views)
        a = X
        if rng is not None and self.input_noise:
            noise = rng.standard_normal(out=buf["noise"][:n], dtype=self.dtype)
            noise *= self.input_noise
            # Noise makes every entry nonzero: a sparse batch becomes dense.
            a = np.add(noise, X.toarray() if sp.issparse(X) else X, out=noise)
        wn = buf["wn"]
        for i, (w, b) in enumerate(zip(self.coefs, self.intercepts)):
            self._inputs.append(a)
            if wn[i] is not None:
                w = weight_norm(w, self.wn_scales[i], *wn[i][:2])
            z = _matmul(a, w, buf["z"][i][:n])
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
                    self._norm_train(i, z, z, momentum)
                a = act.forward(z, out) if theta is None else act.forward(z, out, theta)
            if norm is not None and self.norm_position == "after":
                a = self._norm_train(i, a, buf["norm"][i]["out"][:n], momentum)
            rate = self.dropout[i]
            if rng is not None and rate:
                mask = buf["mask"][i][:n]
                rng.random(out=mask, dtype=self.dtype)
                # Inverted dropout: keep with prob 1 - rate, scale by 1/(1 - rate).
                np.multiply(mask >= rate, 1 / (1 - rate), out=mask)
                a = np.multiply(a, mask, out=buf["dropped"][i][:n])
        raise AssertionError("unreachable")  # pragma: no cover

    def _norm_train(self, i, x, out, momentum):
        (gamma, beta), work = self.norm_params[i], self._work["norm"][i]
        stats = self.running_stats[i]
        return self._norms[i].forward(
            x, gamma, beta, out, work, self._training, stats, momentum,
            self._bn_weights,
        )  # fmt: skip

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
            _matmul(a_in.T, delta, self.grad_coefs[i])
            np.matmul(ones, delta, out=self.grad_intercepts[i])
            if wn[i] is not None:
                v, g, dg = self.coefs[i], self.wn_scales[i], self.grad_wn_scales[i]
                weight_norm_backward(self.grad_coefs[i], v, g, wn[i][1], dg, wn[i][2])
            if i == 0:
                break
            w = self.coefs[i] if wn[i] is None else wn[i][0]
            prev = _matmul(delta, w.T, buf["delta"][i - 1][:n])
            if dropout_used and self.dropout[i - 1]:
                prev *= buf["mask"][i - 1][:n]
            norm = self._norms[i - 1]
            if norm is not None and self.norm_position == "after":
                self._norm_backward(i - 1, prev)
            act, theta = self.activations[i - 1], self.act_params[i - 1]
            z_prev = buf["z"][i - 1][:n]
            a_prev = buf["a"][i - 1][:n] if act.needs_z else z_prev
            z_arg = z_prev if act.needs_z else None
            if theta is None:
                act.backward(z_arg, a_prev, prev)
            else:
                act.backward(z_arg, a_prev, prev, theta, self.grad_act_params[i - 1])
            if norm is not None and self.norm_position == "before":
                self._norm_backward(i - 1, prev)
            delta = prev
        return self.grads

    def _norm_backward(self, i, dy):
        gamma, (dgamma, dbeta) = self.norm_params[i][0], self.grad_norm_params[i]
        work = self._work["norm"][i]
        self._norms[i].backward(
            dy, gamma, dgamma, dbeta, work, self._training, self._bn_weights
        )

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

    def scratch(self):
        """A work array like ``params`` (made on first use, never pickled),
        for the NumPy passes of the penalty and of an optimiser's step."""
        if self.__dict__.get("_scratch") is None:
            self._scratch = np.empty_like(self.params)
        return self._scratch

    def add_penalty(self, alpha, l1, n):
        """Add the L1/L2 penalty's gradient to ``grads``; return its value."""
        if not (alpha or l1):
            return 0.0
        weights, grad = self.weights, self.grads[: self.n_weights]
        work = lambda: self.scratch()[: self.n_weights]  # noqa: E731 (if needed)
        return add_penalty_gradient(weights, grad, alpha, l1, n, work)

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

    # -- housekeeping ------------------------------------------------------

    def _layout(self):
        views = (getattr(self, name) for name in _VIEWS[2:] + ("running_stats",))
        shapes = [[np.shape(v) for v in layer] for layer in views]
        return self.layer_sizes, self.normalization, shapes

    def load_state(self, other):
        """Copy parameters and running statistics from a network of the same
        architecture (e.g. to continue training in a fresh network)."""
        if self._layout() != other._layout():
            raise ValueError("load_state needs a network of the same architecture.")
        np.copyto(self.params, other.params)
        np.copyto(self.stats, other.stats)
        return self

    def astype(self, dtype):
        """A copy of this network computing in ``dtype`` (its parameters and
        running statistics cast, e.g. float32 ones upcast exactly)."""
        state = self.__getstate__()
        arrays = {name: state.pop(name) for name in ("params", "grads", "stats")}
        state = copy.deepcopy(state)
        state["dtype"] = dtype = np.dtype(dtype)
        state.update((name, a.astype(dtype)) for name, a in arrays.items())
        new = Network.__new__(Network)
        new.__setstate__(state)
        return new

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in _VIEWS + ("running_stats",):
            state.pop(key, None)
            state.pop("grad_" + key, None)
        state["_work"] = None
        state.pop("_inputs", None)
        state.pop("_scratch", None)
        return state

    def __setstate__(self, state):
        if "stats" not in state:  # pickled before normalisation existed
            n_hidden = len(state["layer_sizes"]) - 2
            state.update(
                normalization=[None] * n_hidden,
                _norms=[None] * n_hidden,
                weight_norm=[False] * (n_hidden + 1),
                norm_position="before",
                norm_momentum=0.1,
                norm_eps=1e-5,
                input_noise=0.0,
                n_biases=sum(state["layer_sizes"][1:]),
                n_extras=0,
                stats=np.zeros(0, state["dtype"]),
            )
        self.__dict__.update(state)
        self._make_views()

    def __deepcopy__(self, memo):
        new = Network.__new__(Network)
        memo[id(self)] = new
        new.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return new
