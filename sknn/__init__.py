"""sknn: scikit-learn compatible multi-layer perceptrons on a NumPy core.

Not the 2016 ``scikit-neuralnetwork`` package, which also installed ``sknn``.
"""

from ._fitted import InconsistentSknnVersionWarning
from ._plot import LossCurveDisplay  # matplotlib is imported only to plot
from ._validation import ValidationDataWarning
from .classifier import MLPClassifier
from .gradcheck import check_gradients
from .regressor import MLPRegressor

__version__ = "0.1.0"

__all__ = [
    "InconsistentSknnVersionWarning",
    "LossCurveDisplay",
    "MLPClassifier",
    "MLPRegressor",
    "ValidationDataWarning",
    "check_gradients",
    "__version__",
]
