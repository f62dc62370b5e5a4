"""scikit-learn's ``learning_rate`` options, with its exact semantics.

``Constant``, ``InvScaling`` and ``Adaptive`` are the drivers (see
:mod:`sknn.core.lr_schedules.driver` for the protocol the training loop
calls) for ``learning_rate='constant'``, ``'invscaling'`` and ``'adaptive'``;
:data:`SCHEDULES` maps the strings to them. ``Constant`` is also the base of
every driver, :class:`~sknn.core.lr_schedules.driver.ScheduleDriver`
included: a fixed rate and the protocol's defaults.

This ``Constant`` drives the training loop; the schedule
:class:`sknn.core.lr_schedules.Constant` (``base_lr`` at every step) is a
different object, and the one the package exports under that name.
"""

__all__ = ["SCHEDULES", "Adaptive", "Constant", "InvScaling"]


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
