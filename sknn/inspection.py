"""Deprecated: :class:`~sknn.LossCurveDisplay` is imported from :mod:`sknn`.

``sknn.inspection.LossCurveDisplay`` still works, with a ``FutureWarning``,
until sknn 0.3.
"""

from .core._deprecation import moved

__all__ = []

__getattr__ = moved(__name__, {"LossCurveDisplay": "sknn"}, "sknn.inspection")
