"""The :class:`Schedule` base class and the parameter-checking rules."""

import inspect
import math
import numbers
import types

import numpy as np


def _num(kind="real", low=None, high=None, open_=(False, False), none=False):
    """A rule: a finite integer/real in an interval (or None if ``none``)."""

    def rule(name, value):
        if value is None and none:
            return
        typ = numbers.Integral if kind == "int" else numbers.Real
        ok = isinstance(value, typ) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
        ok = ok and (low is None or (value > low if open_[0] else value >= low))
        ok = ok and (high is None or (value < high if open_[1] else value <= high))
        if not ok:
            left = "(" if open_[0] or low is None else "["
            right = ")" if open_[1] or high is None else "]"
            lo, hi = ("-inf" if low is None else low), ("inf" if high is None else high)
            what = ("an integer" if kind == "int" else "a real number") + (
                " or None" if none else ""
            )
            raise ValueError(
                f"{name} must be {what} in {left}{lo}, {hi}{right}, got {value!r}"
            )

    return rule


def _one_of(*options):
    def rule(name, value):
        if not any(_same(value, option) for option in options):
            raise ValueError(f"{name} must be one of {options!r}, got {value!r}")

    return rule


def _list_of(item_rule):
    def rule(name, value):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise ValueError(f"{name} must be a list, got {value!r}")
        for item in value:
            item_rule(name, item)

    return rule


_POS, _NONNEG, _FRACTION = (
    _num(low=0, open_=(True, False)),
    _num(low=0),
    _num(low=0, high=1),
)


_BOOL = _one_of(False, True)


_LENGTH = _num("int", 1, none=True)  # None: use ``total``


_DECAY_STEPS = _num(low=0, open_=(True, False), none=True)


def _any(name, value):
    pass


def _same(a, b):
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # e.g. arrays
        return False


def _store(obj, params):
    """``__init__`` helper: store each parameter unchanged, as scikit-learn does."""
    for name, value in params.items():
        if name != "self":
            setattr(obj, obj._param_attrs.get(name, name), value)


def _increasing(name, seq):
    if any(a >= b for a, b in zip(seq, seq[1:])):
        raise ValueError(f"{name} must be increasing, got {seq!r}")


class Schedule:
    """Base class: a learning rate as a function of the step (see the module doc).

    A subclass lists every parameter in ``__init__``, which stores them
    unchecked; ``validate()`` applies the rules in ``_rules`` (and checks nested
    schedules); ``__call__`` computes the rate without re-checking.
    """

    unit = "epoch"
    _rules = {}  # parameter name -> rule(name, value) raising ValueError
    _param_attrs = {}  # parameter name -> attribute name, where they differ
    _child_param = "schedules"  # the parameter holding nested schedules, if any

    def __init__(self, unit="epoch"):
        _store(self, locals())

    def __call__(self, step, base_lr, total=None):
        """The learning rate to use after ``step`` completed units.

        Parameters
        ----------
        step : int
            The 0-based count of completed units (epochs or batches, as
            ``unit`` says) before the update that uses the rate.
        base_lr : float
            The estimator's ``learning_rate_init``.
        total : int or None, default=None
            The number of units in the whole run; length parameters left at
            None (``T_max``, ``decay_steps``, ``total_steps``, ...) use it.

        Returns
        -------
        float
            The absolute learning rate (parameters are not re-checked: call
            :meth:`validate` first).
        """
        raise NotImplementedError

    def validate(self):
        """Check the parameters; raise ValueError naming the offending one."""
        _one_of("epoch", "batch")("unit", self.unit)
        params = self.get_params(deep=False)
        for name, rule in self._rules.items():
            rule(name, params[name])
        for child in self._children():
            if not isinstance(child, Schedule):
                raise ValueError(
                    f"{self._child_param} must be Schedules, got {child!r}"
                )
            if child.unit != self.unit:
                raise ValueError(
                    f"unit: {child!r} counts {child.unit}s but {type(self).__name__}"
                    f" counts {self.unit}s; give them the same unit"
                )
            child.validate()

    def values(self, n_steps, base_lr=1.0, total=None):
        """The rates at steps 0 to ``n_steps - 1``, as a float64 array."""
        self.validate()
        _num("int", 0)("n_steps", n_steps)
        return np.array([self(s, base_lr, total) for s in range(n_steps)], np.float64)

    def observe(self, metric):
        """Record the epoch's monitored value (lower is better)."""
        for child in self._children():
            child.observe(metric)

    def reset(self):
        """Forget any state, as at the start of a fresh fit."""
        for child in self._children():
            child.reset()

    def seed(self, rng):
        """Seed this schedule's noise (and its children's) from ``rng``, a
        ``numpy.random.RandomState``: the estimators pass their fit's stream.
        Schedules without noise, or with a ``random_state`` of their own, draw
        nothing."""
        for child in self._children():
            child.seed(rng)

    def _children(self):
        return []

    def _length(self, name, total):
        value = getattr(self, name)
        if value is not None:
            return value
        if total is None:
            raise ValueError(
                f"{type(self).__name__}.{name} is None and no total was given:"
                f" set {name} or pass total (the number of {self.unit}s in the run)"
            )
        if total <= 0:
            raise ValueError(f"{name} taken from total must be > 0, got {total}")
        return total

    @classmethod
    def _param_names(cls):
        kinds = (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        )
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        return [p.name for p in params if p.kind in kinds]

    def get_params(self, deep=True):
        """Parameters by name; with ``deep``, nested schedules' as ``name__param``."""
        out = {}
        for name in self._param_names():
            out[name] = value = getattr(self, self._param_attrs.get(name, name))
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
        return out

    def set_params(self, **params):
        """Set parameters, nested ones as ``name__param``; return self."""
        valid, nested = self.get_params(deep=True), {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}; valid"
                    f" parameters are {self._param_names()}"
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, self._param_attrs.get(name, name), value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        args = []
        for name, value in self.get_params(deep=False).items():
            if not _same(value, defaults[name].default):
                func = isinstance(
                    value, (types.FunctionType, types.BuiltinFunctionType)
                )
                args.append(f"{name}={value.__qualname__ if func else repr(value)}")
        return f"{type(self).__name__}({', '.join(args)})"
