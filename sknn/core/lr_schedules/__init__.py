"""Learning-rate schedules after PyTorch's ``torch.optim.lr_scheduler`` and Keras.

Every schedule is a parameter object in the scikit-learn style (``get_params``
/ ``set_params``, parameters stored unchecked by ``__init__`` and checked by
``validate()``) and, except :class:`ReduceLROnPlateau`, a pure function
``schedule(step, base_lr, total=None) -> float`` of

* ``step``, the 0-based count of completed units (``unit``: ``"epoch"`` or
  ``"batch"``) before the update that uses the rate;
* ``base_lr``, the estimator's ``learning_rate_init``;
* ``total``, the number of units in the whole run: a length parameter left at
  ``None`` (``decay_steps``, ``T_max``, ``total_iters``, ``total_steps``) uses it.

The result is an absolute rate. Rates that PyTorch/Keras give as absolute
(``max_lr``, ``end_learning_rate``, ``eta_min``, ``warmup_target``, piecewise
``values``, ``min_lr``) stay absolute.

The training loop reads the rate from a driver (the protocol is in
:mod:`~sknn.core.lr_schedules.driver`): :class:`ScheduleDriver` runs any of
these schedules; scikit-learn's ``"constant"``, ``"invscaling"`` and
``"adaptive"`` are drivers of their own, in
:mod:`~sknn.core.lr_schedules.sklearn_rules` (:data:`SCHEDULES` maps the
strings to them).
"""

from ._base import Schedule
from .composite import ChainedScheduler, LambdaLR, LinearWarmup, SequentialLR
from .cosine import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CosineDecay,
    LinearCosineDecay,
    NoisyLinearCosineDecay,
)
from .cyclic import CyclicLR, OneCycleLR
from .decay import (
    Constant,
    ConstantFactorLR,
    ExponentialDecay,
    InverseTimeDecay,
    LinearLR,
    MultiStepLR,
    NaturalExpDecay,
    PiecewiseConstant,
    PolynomialDecay,
    StepLR,
)
from .driver import ScheduleDriver
from .plateau import ReduceLROnPlateau
from .sklearn_rules import SCHEDULES, Adaptive, InvScaling

__all__ = [
    "SCHEDULE_CLASSES", "ChainedScheduler", "Constant", "ConstantFactorLR",
    "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CosineDecay", "CyclicLR",
    "ExponentialDecay", "InverseTimeDecay", "LambdaLR", "LinearCosineDecay",
    "LinearLR", "LinearWarmup", "MultiStepLR", "NaturalExpDecay",
    "NoisyLinearCosineDecay", "OneCycleLR", "PiecewiseConstant", "PolynomialDecay",
    "ReduceLROnPlateau", "Schedule", "SequentialLR", "StepLR",
    # the training loop's drivers: scikit-learn's rules and the schedule driver
    "SCHEDULES", "Adaptive", "InvScaling", "ScheduleDriver",
]  # fmt: skip


#: Schedule names, mapped to their classes: a name whose class needs no
#: argument can be given as ``learning_rate`` and stands for it with its
#: defaults (e.g. ``learning_rate='cosine_annealing'``).
SCHEDULE_CLASSES = {
    "constant": Constant,
    "step": StepLR,
    "multistep": MultiStepLR,
    "exponential": ExponentialDecay,
    "natural_exp": NaturalExpDecay,
    "inverse_time": InverseTimeDecay,
    "polynomial": PolynomialDecay,
    "cosine": CosineDecay,
    "linear_cosine": LinearCosineDecay,
    "noisy_linear_cosine": NoisyLinearCosineDecay,
    "piecewise_constant": PiecewiseConstant,
    "linear": LinearLR,
    "cyclic": CyclicLR,
    "one_cycle": OneCycleLR,
    "cosine_annealing": CosineAnnealingLR,
    "cosine_warm_restarts": CosineAnnealingWarmRestarts,
    "lambda": LambdaLR,
    "sequential": SequentialLR,
    "chained": ChainedScheduler,
    "constant_factor": ConstantFactorLR,
    "linear_warmup": LinearWarmup,
    "reduce_on_plateau": ReduceLROnPlateau,
}
