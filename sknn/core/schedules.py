"""How the training loop drives the learning rate.

A driver exposes the current ``rate`` (read at every optimiser step) and the
hooks the training loop calls: ``start(n_epochs, n_batches)`` when a call to
``fit_stochastic`` begins, ``batch_end()`` after every batch when
``per_batch`` is true, ``epoch_end(t, metric)`` with ``t`` the number of
samples seen so far and ``metric`` the epoch's monitored loss, and
``on_plateau()`` when the stopping rule fires, which returns True to keep
training (after lowering the rate) or False to stop (the rule then prints
``stop_message()``). ``save_state()`` and ``load_state(saved)`` let the
loop undo an epoch that was interrupted or diverged (a driver without them
is deep-copied instead).

``Constant``, ``InvScaling`` and ``Adaptive`` are scikit-learn's
``learning_rate`` options with its exact semantics; :class:`ScheduleDriver`
runs any schedule of :mod:`sknn.core.lr_schedules`.
"""

import copy

__all__ = ["SCHEDULES", "Adaptive", "Constant", "InvScaling", "ScheduleDriver"]


class Constant:
    """A fixed rate; training stops at the first plateau."""

    per_batch = False

    def __init__(self, learning_rate_init=0.001):
        self.learning_rate_init = learning_rate_init
        self.rate = learning_rate_init

    def start(self, n_epochs, n_batches):
        pass

    def batch_end(self):
        pass

    def epoch_end(self, t, metric=None):
        pass

    def on_plateau(self):
        return False

    def stop_message(self):
        """What the stopping rule says when ``on_plateau`` declines."""
        return "Stopping."

    def save_state(self):
        """The driver's position (its rate, step, ...), for :meth:`load_state`.

        The training loop saves it at the start of every epoch and puts it
        back if the epoch is interrupted or diverges. Within an epoch only
        the driver's own attributes change (``batch_end``); a schedule
        object's state (``observe``) changes at the epoch's end, so a
        shallow copy suffices.
        """
        return dict(vars(self))

    def load_state(self, saved):
        """Return to the position :meth:`save_state` returned."""
        vars(self).clear()
        vars(self).update(saved)


class InvScaling(Constant):
    """``rate = learning_rate_init / (t + 1) ** power_t``, updated per epoch."""

    def __init__(self, learning_rate_init=0.001, power_t=0.5):
        super().__init__(learning_rate_init)
        self.power_t = power_t

    def epoch_end(self, t, metric=None):
        self.rate = self.learning_rate_init / (t + 1) ** self.power_t


class Adaptive(Constant):
    """Divide the rate by 5 at each plateau; stop once it is at most 1e-6."""

    def on_plateau(self):
        if self.rate <= 1e-6:
            return False
        self.rate /= 5.0
        return True

    def stop_message(self):
        return "Learning rate too small. Stopping."


#: scikit-learn's ``learning_rate`` strings, mapped to their schedules.
SCHEDULES = {"constant": Constant, "invscaling": InvScaling, "adaptive": Adaptive}


class ScheduleDriver(Constant):
    """Drive the rate with a schedule object of :mod:`sknn.core.lr_schedules`.

    The schedule is copied (and reset), so the caller's object is never
    changed. It steps per batch or per epoch as its ``unit`` says; ``total``
    (for schedules whose length is left to the run) is ``n_epochs`` epochs,
    or as many batches. It never stops training at a plateau: a plateau
    schedule (``ReduceLROnPlateau``) acts through ``observe`` instead.
    """

    def __init__(self, schedule, learning_rate_init=0.001):
        self.schedule = copy.deepcopy(schedule)
        self.schedule.reset()
        self.schedule.validate()
        self.per_batch = getattr(self.schedule, "unit", "epoch") == "batch"
        self.step = 0
        self.total = None
        super().__init__(learning_rate_init)

    def _update(self):
        # Past the run's last unit (only reached to prepare a rate nobody uses,
        # or by partial_fit beyond max_iter) the rate stays at its last value.
        if self.total is not None and self.step >= self.total > 0:
            return
        self.rate = float(self.schedule(self.step, self.learning_rate_init, self.total))

    def start(self, n_epochs, n_batches):
        self.total = n_epochs * n_batches if self.per_batch else n_epochs
        self._update()

    def batch_end(self):
        self.step += 1
        self._update()

    def epoch_end(self, t, metric=None):
        if metric is not None:
            self.schedule.observe(metric)
        if not self.per_batch:
            self.step += 1
        self._update()
