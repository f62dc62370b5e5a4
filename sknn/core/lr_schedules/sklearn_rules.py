"""scikit-learn's ``learning_rate`` options, with its exact semantics.

``ConstantRule``, ``InvScaling`` and ``Adaptive`` are the drivers (see
:mod:`sknn.core.lr_schedules.driver` for the protocol the training loop
calls) for ``learning_rate='constant'``, ``'invscaling'`` and ``'adaptive'``;
:data:`SCHEDULES` maps the strings to them. ``ConstantRule`` is also the base
of every driver, :class:`~sknn.core.lr_schedules.driver.ScheduleDriver`
included: a fixed rate, scikit-learn's stop at the first plateau, and the
protocol's defaults. (The schedule :class:`sknn.core.lr_schedules.Constant`,
``base_lr`` at every step, is a schedule that a driver runs, not a driver.)
"""

__all__ = ["SCHEDULES", "Adaptive", "ConstantRule", "InvScaling"]


class ConstantRule:
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


class InvScaling(ConstantRule):
    """``rate = learning_rate_init / (t + 1) ** power_t``, updated per epoch."""

    def __init__(self, learning_rate_init=0.001, power_t=0.5):
        super().__init__(learning_rate_init)
        self.power_t = power_t

    def epoch_end(self, t, metric=None):
        self.rate = self.learning_rate_init / (t + 1) ** self.power_t


class Adaptive(ConstantRule):
    """Divide the rate by 5 at each plateau; stop once it is at most 1e-6."""

    def on_plateau(self):
        if self.rate <= 1e-6:
            return False
        self.rate /= 5.0
        return True

    def stop_message(self):
        return "Learning rate too small. Stopping."


#: scikit-learn's ``learning_rate`` strings, mapped to their schedules.
SCHEDULES = {"constant": ConstantRule, "invscaling": InvScaling, "adaptive": Adaptive}
