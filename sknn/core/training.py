"""The training loop: batches, epochs, stopping rules, and the L-BFGS driver.

``iter_batches`` is the one place batches are drawn; ``fit_stochastic`` is the
one loop of epochs for first-order optimisers; ``fit_lbfgs`` hands the flat
parameter vector to SciPy. Both work on a :class:`~sknn.core.network.Network`
and a :class:`TrainingState` that carries everything that persists between
calls (history, counters, the optimiser), so ``partial_fit`` and
``warm_start`` simply continue it.
"""

import contextlib
import copy
import math
import warnings

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from . import fused
from .gradients import GradientRecorder
from .penalties import penalty_from_sums, penalty_value
from .targets import ClassCodes, dense

__all__ = [
    "EXPLOSION_FACTOR",
    "EXPLOSION_FLOOR",
    "TrainingDiverged",
    "TrainingState",
    "fit_lbfgs",
    "fit_stochastic",
    "iter_batches",
    "update",
]


_UFUNC_BUFFER = 2048  # elements; NumPy's default is 8192


@contextlib.contextmanager
def numpy_errstate(**errstate):
    """``np.errstate(**errstate)`` with small ufunc buffers, both undone on exit.

    NumPy allocates its casting buffer (8192 elements per operand) for every
    broadcast operation, cast or not: a bias add held 64 kB. Mixed-type
    operations (ReLU's mask) measured no slower with 2048.
    """
    with np.errstate(**errstate):
        np.setbufsize(_UFUNC_BUFFER)  # tied to the errstate: reset with it
        yield


class TrainingDiverged(FloatingPointError):
    """The training cost became NaN or infinite, or exploded (see
    :data:`EXPLOSION_FACTOR`)."""


#: An epoch whose training loss exceeds both ``EXPLOSION_FACTOR`` times the
#: loss at the start of training and ``EXPLOSION_FLOOR`` diverged, although
#: it is finite. "The start" is the first recorded epoch's loss (carried
#: over by ``partial_fit`` and ``warm_start``) or, during that first epoch,
#: the loss of the initial parameters on the training data. Healthy training
#: lowers its loss (a rate that is merely too high makes it oscillate, by
#: far less than a millionfold), whatever its scale: targets of 1e4 give a
#: loss of 1e8 from the first epoch on, which is its own reference. An
#: exploding rate multiplies it by orders of magnitude within an epoch or
#: two (plain SGD at ``learning_rate_init=1e10``: 1.2 then 6e18; Adam at
#: 1e8: 1.2 then 1e18). The floor keeps a starting loss at round-off level
#: (a model that fits from the start) from making noise a divergence.
EXPLOSION_FACTOR = 1e6
EXPLOSION_FLOOR = 1.0


class TrainingState:
    """What persists between epochs and between calls to ``fit_stochastic``.

    The per-epoch curves grow by one entry per completed epoch:
    ``loss_curve``, ``learning_rate_curve`` (the rate of the epoch's first
    batch), ``gradient_norm_curve`` / ``clipped_gradient_norm_curve`` (mean
    global gradient norm over the epoch's batches, before and after
    clipping) and ``layer_gradient_norms`` (mean norm of each weight
    matrix's gradient); with validation data also ``validation_scores`` and
    ``validation_loss_curve``. ``start_loss`` is the cost of the history's
    first batch (at the initial parameters), kept for the explosion check
    (:data:`EXPLOSION_FACTOR`).
    """

    start_loss = None  # also for states pickled before it existed

    def __init__(self, optimizer, schedule, early_stopping):
        self.optimizer = optimizer
        self.schedule = schedule
        self.n_iter = 0
        self.t = 0  # samples seen, scikit-learn's ``t_``
        self.loss = None
        self.start_loss = None
        self.loss_curve = []
        self.learning_rate_curve = []
        self.gradient_norm_curve = []
        self.clipped_gradient_norm_curve = []
        self.layer_gradient_norms = []
        self.validation_scores = []
        self.validation_loss_curve = []
        self.no_improvement_count = 0
        self.stopped_early = False
        self.diverged = None  # why, when divergence ended a call
        self.best_epoch = None
        self.best_validation_score = -np.inf if early_stopping else None
        self.best_loss = None if early_stopping else np.inf
        self.best_params = None

    def record_epoch(self, loss, n_samples, rate, gradient_summary):
        layer_norms, norm, clipped = gradient_summary
        self.n_iter += 1
        self.t += n_samples
        self.loss = loss
        self.loss_curve.append(loss)
        self.learning_rate_curve.append(rate)
        self.layer_gradient_norms.append(layer_norms)
        self.gradient_norm_curve.append(norm)
        self.clipped_gradient_norm_curve.append(clipped)

    def copy(self):
        """An independent copy, for a call that may fail (``partial_fit``).

        The optimiser and the schedule change in place, so they are copied
        deeply; the curves only grow, so copying the lists suffices (a deep
        copy of every entry made each ``partial_fit`` call cost time growing
        with the number of calls so far).
        """
        new = copy.copy(self)
        new.optimizer = copy.deepcopy(self.optimizer)
        new.schedule = copy.deepcopy(self.schedule)
        for name, value in vars(self).items():
            if isinstance(value, list):
                setattr(new, name, list(value))
        if self.best_params is not None:
            new.best_params = tuple(a.copy() for a in self.best_params)
        new.__dict__.pop("_batch_buffers", None)
        return new

    def continue_history(self, old):
        """Carry the curves and counters of an earlier fit (``warm_start``).

        As in scikit-learn, the stopping rule's best value and its count of
        epochs without improvement carry over too (when both fits monitor the
        same thing); only the optimiser, the schedule and ``n_iter`` restart.
        """
        names = [
            "t", "start_loss", "loss_curve", "learning_rate_curve",
            "gradient_norm_curve", "clipped_gradient_norm_curve",
            "layer_gradient_norms", "validation_scores", "validation_loss_curve",
        ]  # fmt: skip
        if (old.best_loss is None) == (self.best_loss is None):
            names += ["best_loss", "best_validation_score", "no_improvement_count"]
        for name in names:
            value = getattr(old, name)
            setattr(self, name, list(value) if isinstance(value, list) else value)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_batch_buffers", None)  # work buffers: not worth pickling
        return state


def iter_batches(X, Y, sample_weight, batch_size, shuffle, rng, buffers=None):
    """Yield ``(X_batch, Y_batch, w_batch)`` covering the data once.

    With ``shuffle`` the rows are visited in a new order drawn from ``rng``
    the way scikit-learn's MLP draws it: the order of the previous epoch of
    the same training call (kept in ``buffers``) permuted by
    ``rng.shuffle(arange(n))``, so a seed gives scikit-learn's batches. The
    rows are gathered into contiguous buffers reused across batches
    (``np.take(..., out=)``; ``mode="clip"`` because the indices are valid
    and NumPy buffers ``out`` in the default mode, ~10x slower); without
    ``shuffle`` the batches are views. ``buffers`` (a dict) keeps those
    buffers and the order between calls.
    """
    n = X.shape[0]
    buffers = {} if buffers is None else buffers
    codes = isinstance(Y, ClassCodes)  # one-hot rows written per batch
    if not shuffle:
        y_buffer = _buffer(buffers, "Y", Y, batch_size) if codes else None
        for start in range(0, n, batch_size):
            rows = slice(start, start + batch_size)
            xb = X[rows]
            yb = Y.take(rows, y_buffer[: xb.shape[0]]) if codes else Y[rows]
            yield xb, yb, None if sample_weight is None else sample_weight[rows]
        return
    order = _shuffled_order(buffers, n, rng)
    sparse = sp.issparse(X)
    for name, arr in (("X", None if sparse else X), ("Y", Y), ("w", sample_weight)):
        if arr is not None:
            _buffer(buffers, name, arr, batch_size)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        k = len(idx)
        if sparse:
            xb = X[idx]
        else:
            xb = np.take(X, idx, axis=0, out=buffers["X"][:k], mode="clip")
        if codes:
            yb = Y.take(idx, buffers["Y"][:k])
        else:
            yb = np.take(Y, idx, axis=0, out=buffers["Y"][:k], mode="clip")
        wb = None
        if sample_weight is not None:
            wb = np.take(sample_weight, idx, out=buffers["w"][:k], mode="clip")
        yield xb, yb, wb


def _shuffled_order(buffers, n, rng):
    """This epoch's order of the rows: the last one's, permuted (scikit-learn's
    ``sample_idx = shuffle(sample_idx)``); int32 where it fits (the same
    permutation, half the memory)."""
    dtype = np.int32 if n < 2**31 else np.int64
    order = buffers.get("order")
    if order is None or len(order) != n:
        order = np.arange(n, dtype=dtype)
    permutation = np.arange(n, dtype=dtype)
    rng.shuffle(permutation)
    buffers["order"] = order = order[permutation]
    return order


def _buffer(buffers, name, arr, batch_size):
    """``buffers[name]``: a batch of ``arr``'s rows, (re)made when needed."""
    shape = (min(batch_size, arr.shape[0]),) + arr.shape[1:]
    buf = buffers.get(name)
    if buf is None or buf.shape != shape or buf.dtype != arr.dtype:
        # Targets column by column, like the network's output layer.
        column_major = name == "Y" and arr.ndim == 2 and arr.shape[1] > 1
        buf = buffers[name] = (
            np.empty(shape[::-1], arr.dtype).T
            if column_major
            else np.empty(shape, arr.dtype)
        )
    return buf


def update(net, optimizer, recorder, lr, alpha, l1, n):
    """Add the L2/L1 gradient, record (and clip) gradient norms, take the
    optimiser's step: the one place parameters change during training.

    Without clipping, an optimiser with a fused kernel does all three in one
    pass over the buffers; otherwise they are three passes. Returns the
    penalty's value (``n`` samples, as :meth:`Network.add_penalty`).
    """
    if not recorder.clips:
        sums = optimizer.penalised_step(
            net.params, net.grads, lr, alpha / n, l1 / n,
            recorder.bounds, recorder.squares,
        )  # fmt: skip
        if sums is not None:
            recorder.batch(recorder.squares)
            return penalty_from_sums(*sums, alpha, l1, n)
    penalty = net.add_penalty(alpha, l1, n)
    recorder.batch()
    optimizer.step(net.params, net.grads, lr)
    return penalty


def run_epoch(
    net,
    X,
    Y,
    sample_weight,
    state,
    recorder,
    *,
    batch_size,
    shuffle,
    rng,
    alpha,
    l1,
    noise_rng=None,
    batch_callbacks=(),
):
    """One pass over the data; returns the mean (penalised) training cost.

    ``rng`` draws the order of the rows, ``noise_rng`` dropout masks and
    input noise (if the network has them). The cost is reported on
    scikit-learn's scale (:meth:`Loss.reported_scale`).
    """
    noise_rng = noise_rng if net.is_stochastic else None
    scale = net.loss.reported_scale(net.layer_sizes[-1])
    optimizer, schedule = state.optimizer, state.schedule
    per_batch = schedule.per_batch
    total, n = 0.0, X.shape[0]
    buffers = state.__dict__.setdefault("_batch_buffers", {})
    batches = iter_batches(X, Y, sample_weight, batch_size, shuffle, rng, buffers)
    first = state.start_loss
    for batch, (xb, yb, wb) in enumerate(batches):
        if wb is not None and not wb.any():
            continue  # every sample weighs 0: nothing to learn (and 0/0 costs)
        cost = net.loss_and_gradient(xb, yb, wb, rng=noise_rng, update_stats=True)
        n_batch = xb.shape[0] if wb is None else wb.sum()
        cost *= scale
        if math.isfinite(cost):  # no step on a non-finite gradient
            cost += update(net, optimizer, recorder, schedule.rate, alpha, l1, n_batch)
        if not math.isfinite(cost):  # the epoch's snapshot is restored
            raise TrainingDiverged(
                f"The training cost became {cost} at epoch {state.n_iter + 1}."
            )
        if first is None:  # the history's first batch, at the initial parameters
            first = state.start_loss = cost
        if per_batch:
            schedule.batch_end()
        total += cost * xb.shape[0]
        for callback in batch_callbacks:
            callback.on_batch_end(net, state, batch)
    # The last step can overflow the parameters (or batch norm's running
    # statistics) although every cost was finite.
    if not (np.isfinite(net.params).all() and np.isfinite(net.stats).all()):
        raise TrainingDiverged(
            f"The parameters became non-finite at epoch {state.n_iter + 1}."
        )
    return total / n


def fit_stochastic(
    net,
    X,
    Y,
    sample_weight,
    state,
    *,
    max_iter,
    batch_size,
    shuffle,
    rng,
    alpha=0.0,
    l1=0.0,
    clip_norm=None,
    clip_value=None,
    callbacks=(),
    incremental=False,
    noise_rng=None,
    keep_best_on_divergence=False,
):
    """Train with mini-batches for ``max_iter`` epochs or until a callback stops.

    ``callbacks`` (see :mod:`sknn.core.callbacks`) watch and stop training:
    the stopping rule, early stopping and logging are callbacks. After each
    epoch the schedule sees the epoch's monitored value (the validation loss
    if recorded, else the training loss). ``incremental`` runs one epoch.

    ``rng`` (scikit-learn's ``RandomState``) draws the order of the rows;
    ``noise_rng`` dropout masks and input noise (default: ``rng``).

    On divergence the parameters of the last completed epoch are restored and
    :class:`TrainingDiverged` is raised; with ``keep_best_on_divergence``
    (early stopping, as scikit-learn does) the diverged epoch is recorded
    with a NaN loss and validation score instead, training stops and the
    callbacks restore the best epoch, with a warning. A
    ``KeyboardInterrupt`` stops training after restoring the last completed
    epoch, with a warning.
    """
    n = X.shape[0]
    n_batches = -(-n // batch_size)
    state.schedule.start(max_iter, n_batches)
    n_steps = (1 if incremental else max_iter) * n_batches
    # One scratch buffer for the penalty and the optimiser (not two), lent
    # for this call only: the optimiser must not keep the network alive.
    share_work = getattr(state.optimizer, "share_work", None)
    if share_work is not None:
        share_work(net.scratch)
    try:
        with fused.planning(n_steps):
            _epochs(
                net, X, Y, sample_weight, state, max_iter=max_iter,
                batch_size=batch_size, shuffle=shuffle, rng=rng, alpha=alpha,
                l1=l1, clip_norm=clip_norm, clip_value=clip_value,
                callbacks=callbacks, incremental=incremental,
                noise_rng=rng if noise_rng is None else noise_rng,
                keep_best_on_divergence=keep_best_on_divergence,
            )  # fmt: skip
    finally:  # a fitted model keeps no batch-sized buffers
        if share_work is not None:
            share_work(None)
        net.release_buffers()
        state.__dict__.pop("_batch_buffers", None)


def _epochs(
    net, X, Y, sample_weight, state, *, max_iter, batch_size, shuffle, rng,
    alpha, l1, clip_norm, clip_value, callbacks, incremental, noise_rng,
    keep_best_on_divergence,
):  # fmt: skip
    """The epochs of :func:`fit_stochastic` (which sets up and cleans up).

    Each epoch is a transaction: if it is interrupted or diverges, everything
    it changed returns to its start (:class:`_EpochStart`).
    """
    n = X.shape[0]
    recorder = GradientRecorder(net, clip_norm, clip_value)
    batch_callbacks = [c for c in callbacks if c.wants_batches]
    start = _EpochStart(net)

    def initial_loss():  # the loss of the epoch's starting parameters
        return _loss_at(net, start.params, X, Y, sample_weight, batch_size, alpha, l1)

    for callback in callbacks:
        callback.on_train_begin(net, state)
    for _ in range(max_iter):
        start.save(net, state)
        rate = state.schedule.rate
        try:
            for callback in callbacks:
                callback.on_epoch_begin(net, state)
            with numpy_errstate(over="ignore", invalid="ignore"):
                loss = run_epoch(
                    net, X, Y, sample_weight, state, recorder,
                    batch_size=batch_size, shuffle=shuffle, rng=rng,
                    alpha=alpha, l1=l1, noise_rng=noise_rng,
                    batch_callbacks=batch_callbacks,
                )  # fmt: skip
                _check_explosion(loss, state, initial_loss)
        except (TrainingDiverged, KeyboardInterrupt) as exc:
            start.restore(net, state)
            if isinstance(exc, KeyboardInterrupt):
                _warn_interrupted(state)
            elif keep_best_on_divergence:
                _record_divergence(state, rate, recorder, n, exc)
            else:
                raise
            break
        state.record_epoch(loss, n, rate, recorder.epoch())
        stop = interrupted = False
        try:
            for callback in callbacks:
                stop = bool(callback.on_epoch_end(net, state)) or stop
        except KeyboardInterrupt:  # the epoch itself completed: keep it
            interrupted = True
        # The schedule steps after every completed epoch, interrupted or not:
        # an interrupted run is then one that stopped there.
        monitored = (state.validation_loss_curve or state.loss_curve)[-1]
        state.schedule.epoch_end(state.t, monitored)
        if interrupted:
            _warn_interrupted(state)
            break
        if stop or incremental:
            break
    for callback in callbacks:
        callback.on_train_end(net, state)


class _EpochStart:
    """What an epoch changes, saved at its start and restored if it fails.

    The parameters and batch norm's running statistics, the optimiser's state
    (its ``save_state``: Adam's moments and step count, momentum velocities,
    ...), the schedule's position (``save_state``: its rate and step) and
    the state's counters (``n_iter``, ``t``, ``start_loss``, ...: a
    shallow copy, as the curves grow only after an epoch completed). The
    arrays are copied into buffers made once per call: saving costs a few
    copies of the parameters per epoch (an optimiser without
    ``save_state`` is not rolled back; a schedule without it is
    deep-copied). The random streams are not rewound (saving a
    ``RandomState`` costs 50 us): the draws of an interrupted epoch are
    spent, and a fit with an int ``random_state`` draws afresh at every
    call anyway.
    """

    def __init__(self, net):
        self.params = np.empty_like(net.params)
        self.stats = np.empty_like(net.stats)  # batch norm's running averages
        self.optimizer = self.schedule = self.counters = None

    def save(self, net, state):
        np.copyto(self.params, net.params)
        np.copyto(self.stats, net.stats)
        save = getattr(state.optimizer, "save_state", None)
        self.optimizer = None if save is None else save(self.optimizer)
        save = getattr(state.schedule, "save_state", None)
        self.schedule = copy.deepcopy(state.schedule) if save is None else save()
        self.counters = vars(state).copy()

    def restore(self, net, state):
        np.copyto(net.params, self.params)
        np.copyto(net.stats, self.stats)
        for name in vars(state).keys() - self.counters.keys():
            if not name.startswith("_"):  # set during the epoch (work buffers stay)
                delattr(state, name)
        vars(state).update(self.counters)
        if self.optimizer is not None:
            state.optimizer.load_state(self.optimizer)
        if hasattr(state.schedule, "load_state"):
            state.schedule.load_state(self.schedule)
        else:
            state.schedule = self.schedule


def _loss_at(net, params, X, Y, sample_weight, batch_size, alpha, l1):
    """The mean training cost of ``params`` as :func:`run_epoch` reports it
    (batches in order, penalised, on the reported scale), changing nothing:
    no step, no dropout, batch norm's running statistics left alone."""
    current = net.params.copy()
    np.copyto(net.params, params)
    scale = net.loss.reported_scale(net.layer_sizes[-1])
    total = 0.0
    for xb, yb, wb in iter_batches(X, Y, sample_weight, batch_size, False, None):
        if wb is not None and not wb.any():
            continue
        net.forward(xb, training=True, sample_weight=wb)
        n_batch = xb.shape[0] if wb is None else wb.sum()
        cost = net.cost(yb, wb) * scale + penalty_value(net.weights, alpha, l1, n_batch)
        total += cost * xb.shape[0]
    np.copyto(net.params, current)
    return total / X.shape[0]


def _check_explosion(loss, state, initial_loss):
    """Raise :class:`TrainingDiverged` if the epoch's ``loss`` exploded
    (:data:`EXPLOSION_FACTOR`). ``initial_loss()`` computes the loss at the
    epoch's starting parameters; it is needed only in the history's first
    epoch and only when the loss is far above the cost of the first batch."""
    if not loss > EXPLOSION_FLOOR:
        return
    reference = next((v for v in state.loss_curve if math.isfinite(v)), None)
    what = "its first epoch's"
    if reference is None:  # the first epoch: compare with its start
        first = state.start_loss
        if first is None or not loss > EXPLOSION_FACTOR * first:
            return
        # The first batch may be unrepresentative (one sample, a lucky fit):
        # the whole training set decides.
        reference, what = initial_loss(), "the initial parameters'"
    if loss > EXPLOSION_FACTOR * reference:
        ratio = loss / reference if reference > 0 else math.inf
        raise TrainingDiverged(
            f"The training loss exploded to {loss:.4g} ({ratio:.3g} times {what} "
            f"{reference:.4g}) at epoch {state.n_iter + 1}."
        )


def _warn_interrupted(state):
    warnings.warn(
        f"Training interrupted by user. {state.n_iter} epochs were completed; "
        "the weights of the last completed (or, with early stopping, the best) "
        "epoch are kept.",
        stacklevel=5,
    )


def _record_divergence(state, rate, recorder, n, exc):
    """The diverged epoch in the curves (NaN loss and score); ``state.diverged``
    says why, for the caller to report."""
    state.record_epoch(math.nan, n, rate, recorder.epoch())
    state.validation_scores.append(math.nan)
    state.validation_loss_curve.append(math.nan)
    state.diverged = str(exc)


def fit_lbfgs(
    net,
    X,
    Y,
    sample_weight,
    *,
    max_iter,
    max_fun,
    tol,
    alpha=0.0,
    l1=0.0,
    options=None,
):
    """Full-batch L-BFGS-B on the flat parameter vector.

    ``options`` are more of SciPy's L-BFGS-B options. SciPy works in float64;
    the network keeps its own dtype, so a float32 model stays float32.
    Returns SciPy's ``OptimizeResult``, with
    ``reported_loss``: its cost on the reported scale
    (:meth:`Loss.reported_scale`).
    """

    Y = dense(Y)  # full batch: the one-hot matrix is needed at once

    def fun(x):
        net.params[...] = x
        with np.errstate(over="ignore", invalid="ignore"):
            cost = net.loss_and_gradient(X, Y, sample_weight, alpha, l1)
        return cost, net.grads.astype(np.float64)

    result = scipy.optimize.minimize(
        fun,
        net.params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        options={
            "maxfun": max_fun,
            "maxiter": max_iter,
            "gtol": tol,
            **(options or {}),
        },
    )
    net.params[...] = result.x
    net.update_running_stats(X, sample_weight=sample_weight)  # the full batch
    finite = np.isfinite(net.params).all() and np.isfinite(net.stats).all()
    if not (np.isfinite(result.fun) and finite):
        net.release_buffers()
        raise TrainingDiverged(f"L-BFGS produced a non-finite cost ({result.fun}).")
    result.reported_loss = float(result.fun)
    scale = net.loss.reported_scale(Y.shape[1])
    if scale != 1.0:
        n = X.shape[0] if sample_weight is None else sample_weight.sum()
        penalty = net.add_penalty(alpha, l1, n)
        result.reported_loss = (result.reported_loss - penalty) * scale + penalty
    net.release_buffers()
    return result
