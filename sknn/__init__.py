"""sknn: scikit-learn compatible multi-layer perceptrons on a NumPy core.

Not the 2016 ``scikit-neuralnetwork`` package, which also installed ``sknn``.
"""

from ._backup import BackupAndRestore, BackupMismatchError, BackupWarning
from ._fitted import InconsistentSknnVersionWarning
from ._plot import LossCurveDisplay  # matplotlib is imported only to plot
from ._validation import ValidationDataWarning
from ._version import __version__
from .classifier import MLPClassifier
from .gradcheck import check_gradients
from .regressor import MLPRegressor

__all__ = [
    "BackupAndRestore",
    "BackupMismatchError",
    "BackupWarning",
    "InconsistentSknnVersionWarning",
    "LossCurveDisplay",
    "MLPClassifier",
    "MLPRegressor",
    "ValidationDataWarning",
    "check_gradients",
    "__version__",
]
