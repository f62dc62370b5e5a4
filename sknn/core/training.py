"""The training loop of the first-order optimisers: batches and epochs.

``iter_batches`` is the one place batches are drawn; ``fit_stochastic`` is the
one loop of epochs. It works on a :class:`~sknn.core.network.Network` and a
:class:`~sknn.core.state.TrainingState` that carries everything that persists
between calls (history, counters, the optimiser), so ``partial_fit`` and
``warm_start`` simply continue it. An epoch that fails is undone
(:class:`~sknn.core.state.EpochStart`); how failure is told is in
:mod:`sknn.core.divergence`. L-BFGS is in :mod:`sknn.core.lbfgs`.
"""

import math
import warnings

import numpy as np
import scipy.sparse as sp

from .divergence import TrainingDiverged, check_explosion, numpy_errstate
from .gradients import GradientRecorder
from .penalties import penalty_value
from .state import EpochStart
from .targets import ClassCodes

__all__ = ["fit_stochastic", "iter_batches", "run_epoch", "update"]


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

    Returns the penalty's value (``n`` samples, as :meth:`Network.add_penalty`).
    """
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
    return np.float64(total / n)  # scikit-learn's loss_ is a NumPy float64


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
    # One scratch buffer for the penalty and the optimiser (not two), lent
    # for this call only: the optimiser must not keep the network alive.
    share_work = getattr(state.optimizer, "share_work", None)
    if share_work is not None:
        share_work(net.scratch())
    try:
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
    it changed returns to its start (:class:`EpochStart`).
    """
    n = X.shape[0]
    recorder = GradientRecorder(net, clip_norm, clip_value)
    batch_callbacks = [c for c in callbacks if c.wants_batches]
    start = EpochStart(net)

    def initial_loss():  # the loss of the epoch's starting parameters
        return _loss_at(net, start.params, X, Y, sample_weight, batch_size, alpha, l1)

    first = state.n_iter
    for callback in callbacks:
        callback.on_train_begin(net, state)
    # A call resumed from a backup (sknn.BackupAndRestore) has done some epochs.
    for _ in range(max_iter - (state.n_iter - first)):
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
                check_explosion(loss, state, initial_loss)
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


def _warn_interrupted(state):
    if state.n_iter == 0:  # this call completed no epoch: all of it is undone
        message = (
            "Training interrupted by user. No epoch was completed, so the "
            "parameters are left as they were before this call."
        )
    else:
        message = (
            f"Training interrupted by user. {state.n_iter} epochs were completed; "
            "the weights of the last completed (or, with early stopping, the best) "
            "epoch are kept."
        )
    warnings.warn(message, stacklevel=5)


def _record_divergence(state, rate, recorder, n, exc):
    """The diverged epoch in the curves (NaN loss and score); ``state.diverged``
    says why, for the caller to report."""
    state.record_epoch(np.float64(np.nan), n, rate, recorder.epoch())
    state.validation_scores.append(math.nan)
    state.validation_loss_curve.append(math.nan)
    state.diverged = str(exc)
