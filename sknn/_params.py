"""Parameter constraints and per-layer parameter expansion for the estimators."""

import inspect
import operator
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

from .core import ACTIVATIONS, INITIALIZERS, Activation
from .core.lr_schedules import SCHEDULE_CLASSES, SCHEDULES


def _required_parameters(cls):
    return [
        name
        for name, p in inspect.signature(cls).parameters.items()
        if p.default is inspect.Parameter.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


# The schedule names ``learning_rate`` takes alone (their parameters all have
# defaults); the others need the object, with its parameters.
_BY_NAME_ALONE = sorted(
    name for name, cls in SCHEDULE_CLASSES.items() if not _required_parameters(cls)
)

STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adagrad", "adamw")

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [StrOptions(set(ACTIVATIONS)), Activation, tuple, list],
    "solver": [StrOptions({"lbfgs", *STOCHASTIC_SOLVERS})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    # scikit-learn's strings, the name of a schedule of sknn.core.lr_schedules
    # whose parameters all have defaults, or a schedule object (or anything
    # shaped like one).
    "learning_rate": [
        StrOptions(set(SCHEDULES) | set(_BY_NAME_ALONE)),
        HasMethods(["__call__", "observe", "reset", "validate"]),
    ],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "init": [StrOptions(set(INITIALIZERS) | {"auto"}), tuple, list],
    "bias_init": [Interval(Real, None, None, closed="neither"), None],  # finite
    "progress_bar": ["boolean"],
    "l1": [Interval(Real, 0, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left"), tuple, list],
    "rho": [Interval(Real, 0, 1, closed="left")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
    "clip_value": [Interval(Real, 0, None, closed="neither"), None],
    "batch_norm": ["boolean", tuple, list],
    "layer_norm": ["boolean", tuple, list],
    "norm_position": [StrOptions({"before", "after"})],
    "batch_norm_momentum": [Interval(Real, 0, 1, closed="right")],
    "weight_norm": ["boolean"],
    "input_noise": [Interval(Real, 0, None, closed="left")],
    "early_stopping_scoring": [None, str, callable],
}


def hidden_sizes(sizes):
    """``hidden_layer_sizes`` as a list of positive ints.

    Errors as scikit-learn's: its ``> 0`` check first (``ValueError``; a
    ``TypeError`` from NumPy for entries it cannot compare, such as strings
    or None), then ``TypeError`` for entries that are not integers (bools
    and floats included), with scikit-learn's wording and a hint after it.
    """
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    hint = (
        f"hidden_layer_sizes={_shown(sizes)}: each entry is the number of units "
        "of a hidden layer, a positive integer"
    )
    try:
        nonpositive = bool(np.any(np.array(sizes) <= 0))  # scikit-learn's check
    except TypeError as exc:  # raised again as it is (NumPy's UFuncTypeError)
        exc.add_note(f"({hint}.)")
        raise
    if nonpositive:
        raise ValueError(
            f"hidden_layer_sizes must be > 0, got {sizes}. (Each entry is the "
            "number of units of a hidden layer, a positive integer.)"
        )
    for s in sizes:
        if isinstance(s, (bool, np.bool_)):  # an int to Python, not a count
            raise TypeError(f"an integer is required ({hint}, not a bool: {s!r}.)")
        try:
            operator.index(s)  # scikit-learn's TypeError for floats
        except TypeError as exc:
            raise TypeError(f"{exc} ({hint}.)") from None
    return [int(s) for s in sizes]


def _shown(sizes):
    return repr(tuple(sizes)) if len(sizes) != 1 else f"({sizes[0]!r},)"


def per_layer(estimator, name, n_hidden, check):
    """Expand parameter ``name`` to one value per hidden layer."""
    value = getattr(estimator, name)
    if isinstance(value, (tuple, list)):
        if len(value) != n_hidden:
            raise ValueError(
                f"{name} has {len(value)} entries but hidden_layer_sizes has "
                f"{n_hidden} hidden layers; give one value or one per layer."
            )
        values = list(value)
    else:
        values = [value] * n_hidden
    for v in values:
        check(v)
    return values


def check_activation(value):
    if not isinstance(value, Activation) and value not in ACTIVATIONS:
        raise ValueError(
            f"activation {value!r} is unknown; expected one of {sorted(ACTIVATIONS)}."
        )


def check_init(value):
    if value != "auto" and value not in INITIALIZERS:
        raise ValueError(
            f"init {value!r} is unknown; expected 'auto' or one of "
            f"{sorted(INITIALIZERS)}."
        )


def check_dropout(value):
    if not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"dropout rates must be in [0, 1), got {value!r}.")


def check_flag(name):
    def check(value):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} takes True/False per layer, got {value!r}.")

    return check


def normalization_per_layer(estimator, n_hidden):
    """One of None, 'batch' or 'layer' per hidden layer."""
    batch = per_layer(estimator, "batch_norm", n_hidden, check_flag("batch_norm"))
    layer = per_layer(estimator, "layer_norm", n_hidden, check_flag("layer_norm"))
    if any(b and ln for b, ln in zip(batch, layer)):
        raise ValueError(
            "batch_norm and layer_norm are both on for the same hidden layer; "
            "choose one normalisation per layer."
        )
    return ["batch" if b else "layer" if ln else None for b, ln in zip(batch, layer)]


def needs_parameters(name):
    """The parameters the schedule named ``name`` needs (empty if it has
    defaults for all, or if ``name`` is one of scikit-learn's strings)."""
    cls = SCHEDULE_CLASSES.get(name) if name not in SCHEDULES else None
    return _required_parameters(cls) if cls is not None else []


def check_schedule_name(estimator):
    """Refuse ``learning_rate`` naming a schedule that needs parameters, with
    scikit-learn's ``InvalidParameterError`` (its wording, for the names that
    work alone), then which parameters the name needs."""
    name = estimator.learning_rate
    required = needs_parameters(name) if isinstance(name, str) else []
    if not required:
        return
    try:
        validate_parameter_constraints(
            {"learning_rate": PARAMETER_CONSTRAINTS["learning_rate"]},
            {"learning_rate": name},
            caller_name=type(estimator).__name__,
        )
    except InvalidParameterError as exc:
        cls = SCHEDULE_CLASSES[name]
        raise InvalidParameterError(
            f"{exc} learning_rate={name!r} needs {', '.join(required)}: pass the "
            f"object instead, e.g. learning_rate={cls.__name__}({required[0]}=...) "
            "from sknn.core.lr_schedules."
        ) from None


def schedule_from_name(name):
    """The schedule ``SCHEDULE_CLASSES[name]`` with its default parameters
    (:func:`check_schedule_name` has refused names that need parameters)."""
    return SCHEDULE_CLASSES[name]()
