"""Deprecated: scikit-learn's rules and the driver are in :mod:`sknn.core.lr_schedules`.

``Constant``, ``InvScaling``, ``Adaptive`` and ``SCHEDULES`` are in
:mod:`sknn.core.lr_schedules.sklearn_rules`, ``ScheduleDriver`` in
:mod:`sknn.core.lr_schedules.driver`. The old names still work (pickles
saved under this path load) with a ``FutureWarning``, until sknn 0.3.
Nothing in sknn imports this module.
"""

from ._deprecation import moved

_HOMES = dict.fromkeys(
    ["InvScaling", "Adaptive", "SCHEDULES", "ScheduleDriver"], "sknn.core.lr_schedules"
)
# sknn.core.lr_schedules.Constant is the schedule, not scikit-learn's rule.
_HOMES["Constant"] = "sknn.core.lr_schedules.sklearn_rules"
__getattr__ = moved(__name__, _HOMES, "sknn.core.schedules")
