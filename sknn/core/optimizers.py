"""First-order optimisers acting in place on one flat parameter vector.

Each optimiser is ``init(params)`` once, then ``step(params, grads, lr)`` per
batch: a handful of vectorised in-place operations on contiguous buffers, with
one work buffer (made on first use) instead of fresh temporaries. The learning rate is
passed in by the caller, so any schedule drives any optimiser. L-BFGS is not
here: it is a full-batch method run through :func:`scipy.optimize.minimize`
(see :mod:`sknn.core.training`).
"""

import math

import numpy as np

from ._blas import axpy

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "RMSprop",
    "get_optimizer",
]


class _Optimizer:
    """Pickles its state without the work buffer.

    The work buffer (one array like the parameters) is created on first use
    by :meth:`_work_for`, or lent by the training loop (:meth:`share_work`).
    """

    def _work_for(self, params):
        work = self.__dict__.get("_work")
        if work is None or work.shape != params.shape or work.dtype != params.dtype:
            work = self._work = np.empty_like(params)
        return work

    def share_work(self, work):
        """Use ``work`` (an array like the parameters) as the work buffer
        instead of owning one; ``None`` ends the loan.

        The training loop lends the network's scratch buffer, which the
        penalty also uses between steps: a fit then keeps one such buffer,
        not two.
        """
        self._work = work

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_work", None)
        return state

    #: The attributes a step changes: arrays like the parameters, counters.
    _state_names = ()

    def save_state(self, saved=None):
        """Copy what a step changes (``_state_names``) into ``saved``; return it.

        ``saved`` is a dict returned by an earlier call, whose arrays are
        reused (no allocation), or None for a new one. The training loop
        saves the state at the start of every epoch and, if the epoch is
        interrupted or diverges, puts it back with :meth:`load_state`.
        """
        saved = {} if saved is None else saved
        for name in self._state_names:
            value = getattr(self, name)
            if not isinstance(value, np.ndarray):
                saved[name] = value
                continue
            buf = saved.get(name)
            if buf is None or buf.shape != value.shape or buf.dtype != value.dtype:
                saved[name] = value.copy()
            else:
                np.copyto(buf, value)
        return saved

    def load_state(self, saved):
        """Return to the state of :meth:`save_state` (arrays copied in place)."""
        for name, value in saved.items():
            current = getattr(self, name)
            if isinstance(current, np.ndarray):
                np.copyto(current, value)
            else:
                setattr(self, name, value)


class SGD(_Optimizer):
    """Stochastic gradient descent with (Nesterov) momentum.

    The update is scikit-learn's: ``v = momentum * v - lr * g`` then
    ``w += v`` or, with Nesterov momentum, ``w += momentum * v - lr * g``.
    """

    _state_names = ("velocity",)

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov

    def init(self, params):
        self.velocity = np.zeros_like(params)

    def step(self, params, grads, lr):
        v = self.velocity
        work = self._work_for(params)
        if not self.momentum:
            axpy(grads, params, -lr, work)
            return
        v *= self.momentum
        axpy(grads, v, -lr, work)
        if self.nesterov:
            params += work  # work still holds -lr * g
            axpy(v, params, self.momentum, work)
        else:
            params += v


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2014) in scikit-learn's form.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``,
    ``w -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps)``.

    The moments are stored divided by ``1 - b1`` and ``1 - b2``
    (``m_ = b1 m_ + g``, ``v_ = b2 v_ + g**2``), which saves two passes over
    the parameters per step; the factors are folded back into the step size
    and ``eps``, so the update is the formula above.
    """

    _state_names = ("t", "m", "v")

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def init(self, params):
        self.t = 0
        self.m = np.zeros_like(params)  # first moment / (1 - beta_1)
        self.v = np.zeros_like(params)  # second moment / (1 - beta_2)

    def step(self, params, grads, lr):
        b1, b2 = self.beta_1, self.beta_2
        m, v = self.m, self.v
        step, eps = self._step_sizes(lr)
        work = self._work_for(params)
        m *= b1
        m += grads
        v *= b2
        np.multiply(grads, grads, out=work)
        v += work
        np.sqrt(v, out=work)
        work += eps
        np.divide(m, work, out=work)
        axpy(work, params, -step, work)

    def _step_sizes(self, lr):
        """Advance ``t``; the step size and ``eps`` for the stored moments."""
        b1, b2 = self.beta_1, self.beta_2
        self.t += 1
        # m / (sqrt(v) + eps) = (1 - b1) m_ / (sqrt(1 - b2) sqrt(v_) + eps)
        root = math.sqrt(1 - b2)  # Python floats: the same value, less overhead
        lr_t = lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        return float(lr_t * (1 - b1) / root), float(self.epsilon / root)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019).

    Before each :class:`Adam` step the first ``n_decayed`` parameters shrink
    towards zero, as in PyTorch's ``torch.optim.AdamW``::

        w[:n_decayed] *= 1 - lr * weight_decay
        w -= Adam update (from the gradient alone)

    The decay never enters the moments, unlike an L2 penalty added to the
    gradient (the estimators' ``alpha``), which Adam rescales by
    ``1 / sqrt(v)``.

    Parameters
    ----------
    beta_1, beta_2, epsilon : float
        As for :class:`Adam`.
    weight_decay : float, default=0.01
        Decoupled decay rate ``lambda``; each step multiplies the decayed
        parameters by ``1 - lr * lambda``, so the decay follows the learning
        rate schedule. ``0`` gives exactly :class:`Adam`.
    n_decayed : int or None, default=None
        Decay only ``params[:n_decayed]``; ``None`` decays every parameter.
        A network stores all weights before all biases, so passing the
        number of weights leaves the biases undecayed, as is usual.

    Notes
    -----
    The Adam part is this module's (scikit-learn's and Keras's) form, with
    ``eps`` added to ``sqrt(v)`` before bias correction; PyTorch adds it
    after, ``m_hat / (sqrt(v_hat) + eps)``. The two agree when PyTorch's
    ``eps`` equals ``epsilon / sqrt(1 - beta_2**t)``, which only matters when
    ``sqrt(v)`` is comparable to ``epsilon``. The decay is PyTorch's
    (``lr * weight_decay``, applied to the parameters before the step).

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.core.optimizers import AdamW
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> opt = AdamW(weight_decay=0.5, n_decayed=2)
    >>> opt.init(w)
    >>> opt.step(w, np.array([0.5, 1.0, -4.0]), lr=0.1)

    The first two entries are scaled by ``1 - 0.1 * 0.5 = 0.95``, then Adam's
    first step moves every entry by about ``lr * sign(g)``:

    >>> print(w.round(6))
    [ 0.85 -2.    0.6 ]
    """

    def __init__(
        self,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.01,
        n_decayed=None,
    ):
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.weight_decay = weight_decay
        self.n_decayed = n_decayed

    def init(self, params):
        n = self.n_decayed
        if n is not None and not 0 <= n <= params.size:
            raise ValueError(
                f"n_decayed={n!r} must be None or between 0 and the number of "
                f"parameters ({params.size})."
            )
        super().init(params)

    def step(self, params, grads, lr):
        if self.weight_decay:
            params[: self.n_decayed] *= float(1 - lr * self.weight_decay)
        super().step(params, grads, lr)


class RMSprop(_Optimizer):
    """RMSprop (Hinton, lecture 6e) in PyTorch's form.

    A running average of the squared gradient scales each step::

        v = rho * v + (1 - rho) * g**2
        w -= lr * g / (sqrt(v) + epsilon)

    with ``v`` starting at zero. This is ``torch.optim.RMSprop`` without
    momentum, centring or weight decay (PyTorch calls ``rho`` ``alpha``).
    Keras 3 adds ``epsilon`` inside the root, ``g / sqrt(v + epsilon)``; here,
    as in PyTorch, it is added to the root.

    Parameters
    ----------
    rho : float, default=0.9
        Decay rate of the running average of ``g**2``, in ``[0, 1)``
        (PyTorch's ``alpha``, whose default there is 0.99; Keras uses 0.9).
    epsilon : float, default=1e-8
        Added to ``sqrt(v)`` so that the division is defined.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.core.optimizers import RMSprop
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> opt = RMSprop(rho=0.75)
    >>> opt.init(w)
    >>> opt.step(w, np.array([2.0, -4.0, 0.0]), lr=0.1)

    After one step ``v = 0.25 g**2``, so ``sqrt(v) = |g| / 2`` and each entry
    moves by ``lr * g / (|g| / 2) = 0.2 * sign(g)``:

    >>> print(w.round(6))
    [ 0.8 -1.8  0.5]
    """

    _state_names = ("square_avg",)

    def __init__(self, rho=0.9, epsilon=1e-8):
        self.rho = rho
        self.epsilon = epsilon

    def init(self, params):
        self.square_avg = np.zeros_like(params)

    def step(self, params, grads, lr):
        v = self.square_avg
        rho, work = float(self.rho), self._work_for(params)
        v *= rho
        np.multiply(grads, grads, out=work)
        axpy(work, v, 1.0 - rho, work)
        np.sqrt(v, out=work)
        work += float(self.epsilon)
        np.divide(grads, work, out=work)
        axpy(work, params, -float(lr), work)


class Adagrad(_Optimizer):
    """Adagrad (Duchi, Hazan & Singer 2011) in PyTorch's form.

    Each parameter's step is divided by the root of its summed squared
    gradients::

        s += g**2
        w -= lr * g / (sqrt(s) + epsilon)

    with ``s`` starting at ``initial_accumulator_value``. This is
    ``torch.optim.Adagrad`` with ``lr_decay=0`` and no weight decay; the
    learning rate schedule is the caller's. Keras 3 adds ``epsilon`` inside
    the root, ``g / sqrt(s + epsilon)``, and starts ``s`` at 0.1; this
    follows PyTorch.

    Parameters
    ----------
    epsilon : float, default=1e-8
        Added to ``sqrt(s)`` so that the division is defined (PyTorch's
        ``eps``, whose default there is 1e-10).
    initial_accumulator_value : float, default=0.0
        Starting value of every entry of ``s``; a positive value damps the
        first steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn.core.optimizers import Adagrad
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> opt = Adagrad()
    >>> opt.init(w)
    >>> opt.step(w, np.array([3.0, -4.0, 0.0]), lr=0.5)

    After one step ``s = g**2``, so each entry moves by about
    ``lr * g / |g| = 0.5 * sign(g)``:

    >>> print(w.round(6))
    [ 0.5 -1.5  0.5]
    >>> opt.step(w, np.array([4.0, 3.0, 0.0]), lr=0.5)

    Now ``s = [25, 25, 0]``: the steps are ``0.5 * g / 5``.

    >>> print(w.round(6))
    [ 0.1 -1.8  0.5]
    """

    _state_names = ("sum_sq",)

    def __init__(self, epsilon=1e-8, initial_accumulator_value=0.0):
        self.epsilon = epsilon
        self.initial_accumulator_value = initial_accumulator_value

    def init(self, params):
        self.sum_sq = np.full_like(params, self.initial_accumulator_value)

    def step(self, params, grads, lr):
        s, work = self.sum_sq, self._work_for(params)
        np.multiply(grads, grads, out=work)
        s += work
        np.sqrt(s, out=work)
        work += float(self.epsilon)
        np.divide(grads, work, out=work)
        axpy(work, params, -float(lr), work)


#: Every stochastic ``solver`` name, mapped to its optimiser class ('lbfgs'
#: is SciPy's, run by :func:`sknn.core.lbfgs.fit_lbfgs`).
OPTIMIZERS = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def get_optimizer(name, **params):
    """Return an optimiser object from its registered name and parameters."""
    try:
        return OPTIMIZERS[name](**params)
    except KeyError:
        raise ValueError(
            f"Unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}."
        ) from None
