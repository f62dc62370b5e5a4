"""The protocol every schedule follows (:class:`Schedule`, in ``_base.py``):
values, parameters, cloning and pickling, units, validation, lengths left to
the run; and the registry ``SCHEDULE_CLASSES``."""

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sknn.core.lr_schedules import (
    SCHEDULE_CLASSES,
    ChainedScheduler,
    Constant,
    ConstantFactorLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CosineDecay,
    CyclicLR,
    ExponentialDecay,
    InverseTimeDecay,
    LambdaLR,
    LinearCosineDecay,
    LinearLR,
    LinearWarmup,
    MultiStepLR,
    NaturalExpDecay,
    NoisyLinearCosineDecay,
    OneCycleLR,
    PiecewiseConstant,
    PolynomialDecay,
    ReduceLROnPlateau,
    Schedule,
    SequentialLR,
    StepLR,
)

from ._common import half_power

EXAMPLES = [
    Constant(),
    StepLR(3, gamma=0.5),
    MultiStepLR([2, 5], gamma=0.3),
    ExponentialDecay(0.9, decay_steps=2, staircase=True),
    NaturalExpDecay(0.2),
    InverseTimeDecay(0.5, decay_steps=3),
    PolynomialDecay(8, end_learning_rate=0.001, power=2.0, cycle=True),
    CosineDecay(6, alpha=0.1, warmup_steps=2, warmup_target=0.2),
    LinearCosineDecay(8, num_periods=1.0),
    NoisyLinearCosineDecay(8, random_state=1),
    PiecewiseConstant([2, 4], [0.1, 0.05, 0.01]),
    LinearLR(0.25, total_iters=4),
    CyclicLR(0.5, step_size_up=3, step_size_down=2, mode="exp_range", gamma=0.99),
    OneCycleLR(total_steps=10, three_phase=True),
    CosineAnnealingLR(8, eta_min=0.001),
    CosineAnnealingWarmRestarts(2, T_mult=2),
    LambdaLR(half_power),
    SequentialLR([LinearLR(0.5, total_iters=2), StepLR(2)], milestones=[3]),
    ChainedScheduler([StepLR(2), ConstantFactorLR(0.5, 3)]),
    ConstantFactorLR(0.25, total_iters=3),
    LinearWarmup(3, start_factor=0.1, after=ExponentialDecay(0.8)),
    ReduceLROnPlateau(factor=0.5, patience=2),
]


ids = [type(s).__name__ for s in EXAMPLES]


def test_registry():
    assert set(SCHEDULE_CLASSES.values()) == {type(s) for s in EXAMPLES}
    assert len(SCHEDULE_CLASSES) == len(EXAMPLES)
    assert SCHEDULE_CLASSES["step"] is StepLR
    assert SCHEDULE_CLASSES["multistep"] is MultiStepLR
    assert SCHEDULE_CLASSES["exponential"] is ExponentialDecay
    for name, cls in SCHEDULE_CLASSES.items():
        assert name == name.lower() and " " not in name and issubclass(cls, Schedule)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=ids)
def test_values_are_float64_of_length_n(schedule):
    schedule.validate()
    for n in (0, 1, 17):
        v = schedule.values(n, base_lr=0.1)
        assert v.dtype == np.float64 and v.shape == (n,) and np.isfinite(v).all()
    assert isinstance(schedule(3, 0.1), float)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=ids)
def test_get_params_set_params_round_trip(schedule):
    params = schedule.get_params(deep=False)
    assert list(params) == list(type(schedule)._param_names())
    rebuilt = type(schedule)(**params)
    assert repr(rebuilt) == repr(schedule)
    assert rebuilt.set_params(**params) is rebuilt
    np.testing.assert_array_equal(rebuilt.values(12, 0.1), schedule.values(12, 0.1))
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        schedule.set_params(nope=1)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=ids)
def test_clone_pickle_deepcopy(schedule):
    cloned = clone(schedule)
    assert cloned is not schedule and repr(cloned) == repr(schedule)
    expected = schedule.values(15, 0.1)
    np.testing.assert_array_equal(cloned.values(15, 0.1), expected)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(schedule)).values(15, 0.1), expected
    )
    np.testing.assert_array_equal(copy.deepcopy(schedule).values(15, 0.1), expected)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=ids)
def test_unit_and_docstring(schedule):
    cls = type(schedule)
    default = "batch" if cls in (CyclicLR, OneCycleLR) else "epoch"
    assert cls.unit == default == schedule.unit
    assert cls(**{**schedule.get_params(deep=False), "unit": "batch"}).unit == "batch"
    doc = cls.__doc__
    assert f"per {default}" in doc.lower().replace("\n    ", " ") and "Examples" in doc
    with pytest.raises(ValueError, match="unit"):
        clone(schedule).set_params(unit="day").validate()


def test_repr_shows_non_default_params_only():
    assert repr(StepLR(2)) == "StepLR(step_size=2)"
    assert repr(StepLR(2, gamma=0.5)) == "StepLR(step_size=2, gamma=0.5)"
    assert repr(OneCycleLR()) == "OneCycleLR()"
    assert repr(CyclicLR(1.0, unit="epoch")) == "CyclicLR(max_lr=1.0, unit='epoch')"
    assert repr(LinearWarmup(2, after=StepLR(1))) == (
        "LinearWarmup(warmup_steps=2, after=StepLR(step_size=1))"
    )


def test_nested_params():
    w = LinearWarmup(2, after=StepLR(3, gamma=0.5))
    deep = w.get_params(deep=True)
    assert deep["after__gamma"] == 0.5 and deep["after__step_size"] == 3
    assert "after__gamma" not in w.get_params(deep=False)
    w.set_params(after__gamma=0.25, warmup_steps=1)
    assert w.after.gamma == 0.25 and w.warmup_steps == 1
    assert clone(w).get_params()["after__gamma"] == 0.25
    # replacing ``after`` and setting its parameter in one call
    w.set_params(after=ExponentialDecay(0.5), after__decay_steps=2)
    assert repr(w.after) == "ExponentialDecay(decay_rate=0.5, decay_steps=2)"
    with pytest.raises(ValueError, match="Invalid parameter"):
        w.set_params(after__nope=1)
    s = SequentialLR([StepLR(1), Constant()], [2])
    s.set_params(milestones=[4], schedules=[StepLR(2), Constant()])
    assert s(5, 1.0) == 1.0 and s(3, 1.0) == pytest.approx(0.1)
    c = clone(s)
    assert c.schedules[0] is not s.schedules[0] and repr(c) == repr(s)


def test_no_validation_in_init():
    bad = StepLR(step_size=-5, gamma="x")
    assert bad.step_size == -5 and repr(clone(bad)) == repr(bad)
    with pytest.raises(ValueError, match="step_size"):
        bad.validate()


@pytest.mark.parametrize(
    "schedule, param",
    [
        (StepLR(0), "step_size"),
        (StepLR(2.5), "step_size"),
        (StepLR(2, gamma=-1.0), "gamma"),
        (MultiStepLR([-1]), "milestones"),
        (MultiStepLR(3), "milestones"),
        (ExponentialDecay(0.0), "decay_rate"),
        (ExponentialDecay(0.5, decay_steps=0), "decay_steps"),
        (ExponentialDecay(0.5, staircase="yes"), "staircase"),
        (NaturalExpDecay(-1.0), "decay_rate"),
        (InverseTimeDecay(1.0, decay_steps=-2), "decay_steps"),
        (PolynomialDecay(10, power=0.0), "power"),
        (PolynomialDecay(10, end_learning_rate=-1.0), "end_learning_rate"),
        (CosineDecay(10, alpha=2.0), "alpha"),
        (CosineDecay(10, warmup_steps=3), "warmup_target"),
        (CosineDecay(10, warmup_steps=-1, warmup_target=1.0), "warmup_steps"),
        (LinearCosineDecay(10, beta=-1.0), "beta"),
        (NoisyLinearCosineDecay(10, initial_variance=-1.0), "initial_variance"),
        (NoisyLinearCosineDecay(10, random_state=-1), "random_state"),
        (NoisyLinearCosineDecay(10, random_state="a"), "random_state"),
        (PiecewiseConstant([1], [0.1]), "values"),
        (PiecewiseConstant([3, 1], [1.0, 2.0, 3.0]), "boundaries"),
        (PiecewiseConstant([1], [0.1, -1.0]), "values"),
        (LinearLR(start_factor=0.0), "start_factor"),
        (LinearLR(end_factor=2.0), "end_factor"),
        (LinearLR(total_iters=0), "total_iters"),
        (CyclicLR(-1.0), "max_lr"),
        (CyclicLR(1.0, step_size_up=0), "step_size_up"),
        (CyclicLR(1.0, step_size_down=0), "step_size_down"),
        (CyclicLR(1.0, mode="tri"), "mode"),
        (CyclicLR(1.0, gamma=0.0), "gamma"),
        (OneCycleLR(pct_start=1.5), "pct_start"),
        (OneCycleLR(anneal_strategy="cosine"), "anneal_strategy"),
        (OneCycleLR(div_factor=0.0), "div_factor"),
        (OneCycleLR(total_steps=0), "total_steps"),
        (OneCycleLR(max_lr=0.0), "max_lr"),
        (OneCycleLR(three_phase=None), "three_phase"),
        (CosineAnnealingLR(T_max=0), "T_max"),
        (CosineAnnealingLR(eta_min=-1.0), "eta_min"),
        (CosineAnnealingWarmRestarts(0), "T_0"),
        (CosineAnnealingWarmRestarts(2, T_mult=1.5), "T_mult"),
        (LambdaLR(3), "lr_lambda"),
        (SequentialLR([StepLR(1)], [1]), "milestones"),
        (SequentialLR([StepLR(1), StepLR(1)], [-1]), "milestones"),
        (SequentialLR([StepLR(1), StepLR(1), StepLR(1)], [3, 2]), "milestones"),
        (SequentialLR([StepLR(1), "x"], [1]), "schedules"),
        (SequentialLR([StepLR(1), ReduceLROnPlateau()], [1]), "ReduceLROnPlateau"),
        (SequentialLR([StepLR(1), StepLR(0)], [1]), "step_size"),
        (ChainedScheduler([]), "schedules"),
        (ChainedScheduler([StepLR(1), CyclicLR(1.0)]), "unit"),
        (ConstantFactorLR(factor=1.5), "factor"),
        (ConstantFactorLR(total_iters=-1), "total_iters"),
        (LinearWarmup(-1), "warmup_steps"),
        (LinearWarmup(2, start_factor=2.0), "start_factor"),
        (LinearWarmup(2, after=5), "after"),
        (LinearWarmup(2, after=CyclicLR(1.0)), "unit"),
        (ReduceLROnPlateau(factor=1.0), "factor"),
        (ReduceLROnPlateau(patience=-1), "patience"),
        (ReduceLROnPlateau(threshold=-1.0), "threshold"),
        (ReduceLROnPlateau(threshold_mode="x"), "threshold_mode"),
        (ReduceLROnPlateau(cooldown=1.5), "cooldown"),
        (ReduceLROnPlateau(min_lr=-1.0), "min_lr"),
        (ReduceLROnPlateau(eps=-1.0), "eps"),
        (Constant(unit="day"), "unit"),
    ],
    ids=lambda x: x if isinstance(x, str) else type(x).__name__,
)
def test_validation_errors_name_the_parameter(schedule, param):
    with pytest.raises(ValueError, match=param):
        schedule.validate()
    with pytest.raises(ValueError, match=param):
        schedule.values(3, base_lr=0.1, total=10)


def test_values_checks_n_steps():
    with pytest.raises(ValueError, match="n_steps"):
        StepLR(2).values(-1)


LENGTH_PARAMS = [
    (ExponentialDecay, "decay_steps", {"decay_rate": 0.5}),
    (NaturalExpDecay, "decay_steps", {"decay_rate": 0.5}),
    (InverseTimeDecay, "decay_steps", {"decay_rate": 0.5}),
    (PolynomialDecay, "decay_steps", {}),
    (CosineDecay, "decay_steps", {"alpha": 0.1}),
    (LinearCosineDecay, "decay_steps", {}),
    (NoisyLinearCosineDecay, "decay_steps", {"random_state": 0}),
    (LinearLR, "total_iters", {}),
    (OneCycleLR, "total_steps", {}),
    (CosineAnnealingLR, "T_max", {}),
    (ConstantFactorLR, "total_iters", {}),
]


@pytest.mark.parametrize(
    "cls, name, kwargs", LENGTH_PARAMS, ids=lambda x: getattr(x, "__name__", "")
)
def test_none_length_uses_total(cls, name, kwargs):
    auto, explicit = cls(**kwargs, **{name: None}), cls(**kwargs, **{name: 9})
    np.testing.assert_array_equal(
        auto.values(12, 0.1, total=9), explicit.values(12, 0.1)
    )
    with pytest.raises(ValueError, match=f"{name} is None and no total"):
        auto(0, 0.1)
    with pytest.raises(ValueError, match=name):
        auto.values(3, 0.1)
    with pytest.raises(ValueError, match=name):
        auto(0, 0.1, total=0)
    # an explicit length wins over total
    np.testing.assert_array_equal(
        explicit.values(12, 0.1, total=50), explicit.values(12, 0.1)
    )
