"""The NumPy core of sknn: networks, costs, optimisers and the training loop.

Nothing here imports scikit-learn; the estimators in :mod:`sknn` are a thin
layer over it.
"""

from . import lr_schedules
from .activations import ACTIVATIONS, Activation, get_activation
from .divergence import TrainingDiverged
from .initializers import INITIALIZERS, get_initializer
from .lbfgs import fit_lbfgs
from .losses import LOSSES, Loss, get_loss
from .lr_schedules import SCHEDULES
from .network import Network
from .normalization import NORMALIZATIONS, get_normalization
from .optimizers import OPTIMIZERS, get_optimizer
from .state import TrainingState
from .targets import ClassCodes
from .training import fit_stochastic

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "NORMALIZATIONS",
    "OPTIMIZERS",
    "SCHEDULES",
    "Activation",
    "ClassCodes",
    "Loss",
    "Network",
    "TrainingDiverged",
    "TrainingState",
    "fit_lbfgs",
    "fit_stochastic",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_normalization",
    "lr_schedules",
    "get_optimizer",
]
