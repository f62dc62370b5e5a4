"""Deprecated: the gradient checker is :mod:`sknn.gradcheck`.

``GradientCheck``, ``numerical_gradient`` and ``relative_gradient_error``
still work from here (pickled ``GradientCheck`` results load) with a
``FutureWarning``, until sknn 0.3. :mod:`sknn.gradcheck` is imported only
when one of them is used, so the core imports nothing of the estimator layer.
"""

from ._deprecation import GRADCHECK, moved

__getattr__ = moved(__name__, GRADCHECK, "sknn.core.gradcheck")
