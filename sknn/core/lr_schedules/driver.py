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

scikit-learn's ``ConstantRule``, ``InvScaling`` and ``Adaptive``
(:mod:`sknn.core.lr_schedules.sklearn_rules`) are drivers;
:class:`ScheduleDriver` runs any schedule of :mod:`sknn.core.lr_schedules`.
"""

import copy

from .sklearn_rules import ConstantRule

__all__ = ["ScheduleDriver"]


class ScheduleDriver(ConstantRule):
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
        self.seeded = False
        super().__init__(learning_rate_init)

    def seed(self, rng):
        """Seed the schedule's noise from ``rng`` once, at the first call that
        trains with this driver (later calls continue its noise)."""
        if not self.seeded and hasattr(self.schedule, "seed"):
            self.schedule.seed(rng)  # (schedule-shaped objects may have none)
        self.seeded = True

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
