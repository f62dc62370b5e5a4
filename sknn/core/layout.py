"""The layout of a network's parameters: one flat buffer, per-layer views.

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
buffer ``stats`` (views ``running_stats``).

Only the buffers are state: the views are made again after unpickling,
copying or casting, so they always alias their own buffers.

:class:`~sknn.core.network.Network` is a :class:`ParameterLayout` with
forward and backward passes over it, rather than owning one: its buffers and
views stay plain attributes (``net.coefs[i]``, ``net.params -= step``), read
without indirection in the passes, and its pickles keep their format.
"""

import copy
from itertools import pairwise

import numpy as np

from .activations import get_activation
from .initializers import get_initializer
from .normalization import get_normalization, weight_norm
from .penalties import add_penalty_gradient

__all__ = ["BUFFERS", "VIEWS", "ParameterLayout"]

#: The flat arrays: parameters, their gradients, batch norm's running statistics.
BUFFERS = ("params", "grads", "stats")
_PARAMS = ("coefs", "intercepts", "norm_params", "act_params", "wn_scales")
#: The per-layer views: those of ``params``, their ``grad_`` twins in
#: ``grads``, and ``running_stats`` in ``stats``.
VIEWS = _PARAMS + tuple("grad_" + name for name in _PARAMS) + ("running_stats",)


class ParameterLayout:
    """The flat buffers of a network's parameters, and per-layer views of them.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden_1, ..., hidden_k, n_outputs]``.
    activations : sequence of str or Activation
        One per hidden layer; its learned parameters (e.g. PReLU's slopes)
        are extras.
    dtype : numpy dtype
        Of the buffers.
    normalization : sequence of {None, "batch", "layer"}, default=None
        Per hidden layer: a normalised layer has ``gamma`` and ``beta``, a
        batch-normalised one running statistics too.
    weight_norm : bool or sequence of bool, default=False
        Per weight layer (one flag: every layer): a scale ``g`` per unit.
    """

    # Attributes made again from the others, never pickled.
    _DERIVED = frozenset(VIEWS + ("_scratch",))

    def __init__(
        self, layer_sizes, activations, dtype, normalization=None, weight_norm=False
    ):
        self.layer_sizes = [int(s) for s in layer_sizes]
        self.activations = [get_activation(a) for a in activations]
        n_hidden = len(self.layer_sizes) - 2
        if len(self.activations) != n_hidden:
            raise ValueError("Need one activation per hidden layer.")
        self.dtype = np.dtype(dtype)
        self.normalization = list(normalization or [None] * n_hidden)
        if isinstance(weight_norm, (bool, np.bool_)):
            weight_norm = [weight_norm] * (n_hidden + 1)
        self.weight_norm = list(weight_norm)
        if len(self.normalization) != n_hidden:
            raise ValueError("Need one normalization per hidden layer.")
        if len(self.weight_norm) != n_hidden + 1:
            raise ValueError("Need one weight_norm flag per weight layer.")
        sizes, hidden = self.layer_sizes, self.layer_sizes[1:-1]
        self.n_weights = sum(a * b for a, b in pairwise(sizes))
        self.n_biases = sum(sizes[1:])
        extras = [2 * k for k, name in zip(hidden, self.normalization) if name]
        extras += [a.n_params(k) for k, a in self._hidden()]
        extras += [k for k, wn in zip(sizes[1:], self.weight_norm) if wn]
        self.n_extras = sum(extras)
        self.params = np.zeros(
            self.n_weights + self.n_biases + self.n_extras, self.dtype
        )
        self.grads = np.zeros_like(self.params)
        n_stats = sum(k for k, batch in zip(hidden, self._batch_normed()) if batch)
        self.stats = np.zeros(2 * n_stats, self.dtype)
        self._make_views()
        self._init_extras()

    @property
    def n_layers(self):
        """Number of weight layers (hidden layers + output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def weights(self):
        """The flat slice of all weights (what L1/L2 penalise)."""
        return self.params[: self.n_weights]

    @property
    def extras(self):
        """The flat slice after the biases: normalisation, activation, WN scales."""
        return self.params[self.n_weights + self.n_biases :]

    def _hidden(self):
        return zip(self.layer_sizes[1:-1], self.activations)

    def _batch_normed(self):
        """Per hidden layer, whether its normalisation keeps running statistics."""
        norms = (get_normalization(name) for name in self.normalization)
        return [nm is not None and nm.has_running_stats for nm in norms]

    def _views(self, flat):
        """Per-layer views of ``flat`` (``params`` or ``grads``), by name."""
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
            (take(k), take(k)) if name else None
            for k, name in zip(hidden, self.normalization)
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
        for k, batch in zip(self.layer_sizes[1:-1], self._batch_normed()):
            if not batch:
                stats.append(None)
                continue
            stats.append((self.stats[pos : pos + k], self.stats[pos + k : pos + 2 * k]))
            pos += 2 * k
        self.running_stats = stats

    # -- values ----------------------------------------------------------------

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

    def scratch(self):
        """A work array like ``params`` (made on first use, never pickled),
        for the penalty and an optimiser's step."""
        if self.__dict__.get("_scratch") is None:
            self._scratch = np.empty_like(self.params)
        return self._scratch

    def add_penalty(self, alpha, l1, n):
        """Add the L1/L2 penalty's gradient to ``grads``; return its value."""
        if not (alpha or l1):
            return 0.0
        weights, grad = self.weights, self.grads[: self.n_weights]
        work = self.scratch()[: self.n_weights]
        return add_penalty_gradient(weights, grad, alpha, l1, n, work)

    # -- copies ----------------------------------------------------------------

    def _layout(self):
        views = (getattr(self, name) for name in _PARAMS[2:] + ("running_stats",))
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
        arrays = {name: state.pop(name) for name in BUFFERS}
        state = copy.deepcopy(state)
        state["dtype"] = dtype = np.dtype(dtype)
        state.update(
            (name, None if a is None else a.astype(dtype)) for name, a in arrays.items()
        )
        new = type(self).__new__(type(self))
        new.__setstate__(state)
        return new

    def __getstate__(self):
        # The gradient is scratch, written anew by every backward pass: a
        # pickle carries the parameters only (half the size).
        state = {k: v for k, v in self.__dict__.items() if k not in self._DERIVED}
        state["grads"] = None
        return state

    def __setstate__(self, state):
        if state.get("grads") is None:
            state = {**state, "grads": np.zeros_like(state["params"])}
        self.__dict__.update((k, v) for k, v in state.items() if k not in self._DERIVED)
        self._make_views()

    def __deepcopy__(self, memo):
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return new
