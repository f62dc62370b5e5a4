"""Callbacks of the training loop: validation and the stopping rule.

:func:`~sknn.core.training.fit_stochastic` knows no stopping rule and prints
nothing itself; everything that watches training is a callback with up to
four hooks (all optional):

* ``on_train_begin(net, state)``
* ``on_epoch_begin(net, state)``
* ``on_batch_end(net, state, batch)`` -- only for callbacks whose
  ``wants_batches`` is true, so the default loop makes no per-batch calls;
* ``on_epoch_end(net, state) -> bool`` -- a true return value stops training;
* ``on_train_end(net, state)``.

Callbacks run in the order given, so a :class:`ValidationMonitor` placed
before a :class:`StoppingRule` has recorded the epoch's validation score when
the rule looks at it. What a fit prints (``verbose``, ``progress_bar``) is
presentation and lives in the estimator layer, in ``sknn._progress``; the
stopping rule only hands its message to a ``log`` function it is given.
"""

import numpy as np

__all__ = [
    "Callback",
    "StoppingRule",
    "ValidationMonitor",
]


class Callback:
    """Base class: every hook does nothing."""

    wants_batches = False

    def on_train_begin(self, net, state):
        pass

    def on_epoch_begin(self, net, state):
        pass

    def on_batch_end(self, net, state, batch):
        pass

    def on_epoch_end(self, net, state):
        return False

    def on_train_end(self, net, state):
        pass


class ValidationMonitor(Callback):
    """Score held-out data after every epoch.

    ``evaluate(net) -> (score, loss)`` returns a score (higher is better) and
    the validation cost; they are appended to ``state.validation_scores`` and
    ``state.validation_loss_curve``.
    """

    def __init__(self, evaluate):
        self.evaluate = evaluate

    def on_epoch_end(self, net, state):
        score, loss = self.evaluate(net)
        state.validation_scores.append(float(score))
        state.validation_loss_curve.append(float(loss))
        return False


class StoppingRule(Callback):
    """scikit-learn's stopping rule, on the training loss or a validation score.

    An epoch counts as "no improvement" when the monitored value did not beat
    the best by ``tol``. After more than ``n_iter_no_change`` such epochs the
    schedule is asked to lower the rate (``on_plateau()``, scikit-learn's
    'adaptive'); if it declines, training stops. With ``monitor="validation"``
    (early stopping) the best epoch's parameters (and batch norm's running
    averages) are kept and restored at the end, also after ``max_iter`` or an
    interruption.
    """

    def __init__(self, tol=1e-4, n_iter_no_change=10, monitor="loss", log=None):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.log = log

    def on_train_begin(self, net, state):
        if self.monitor == "validation" and state.best_params is None:
            state.best_params = (net.params.copy(), net.stats.copy())

    def on_epoch_end(self, net, state):
        # scikit-learn's comparisons, NaN included: a NaN score or loss resets
        # the count of epochs without improvement and is never the best.
        if self.monitor == "validation":
            score = state.validation_scores[-1]
            worse = score < state.best_validation_score + self.tol
            if score > state.best_validation_score:
                state.best_validation_score = score
                np.copyto(state.best_params[0], net.params)
                np.copyto(state.best_params[1], net.stats)
                state.best_epoch = state.n_iter
        else:
            loss = state.loss_curve[-1]
            worse = loss > state.best_loss - self.tol
            if loss < state.best_loss:
                state.best_loss = loss
                state.best_epoch = state.n_iter
        state.no_improvement_count = state.no_improvement_count + 1 if worse else 0
        if state.no_improvement_count <= self.n_iter_no_change:
            return False
        what = "Validation score" if self.monitor == "validation" else "Training loss"
        message = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if state.schedule.on_plateau():
            state.no_improvement_count = 0
            self._say(f"{message} Setting learning rate to {state.schedule.rate:f}")
            return False
        self._say(f"{message} {state.schedule.stop_message()}")
        state.stopped_early = True
        return True

    def on_train_end(self, net, state):
        if self.monitor == "validation" and state.best_params is not None:
            np.copyto(net.params, state.best_params[0])
            np.copyto(net.stats, state.best_params[1])
            state.best_params = None  # only needed while training

    def _say(self, message):
        if self.log is not None:
            self.log(message)
