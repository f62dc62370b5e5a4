"""How the training loop tells that training went wrong.

A cost that is NaN or infinite, parameters that are not finite, or a loss
that exploded (:data:`EXPLOSION_FACTOR`) raise :class:`TrainingDiverged`;
the loop then restores the epoch's start (:class:`~sknn.core.state.EpochStart`).
``numpy_errstate`` is the floating-point setting every epoch runs under.
"""

import contextlib
import math

import numpy as np

__all__ = [
    "EXPLOSION_FACTOR",
    "EXPLOSION_FLOOR",
    "TrainingDiverged",
    "check_explosion",
    "numpy_errstate",
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


def check_explosion(loss, state, initial_loss):
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
