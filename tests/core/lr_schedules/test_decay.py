"""Decays of :mod:`sknn.core.lr_schedules.decay`: PyTorch's step, multistep,
linear and constant-factor schedules, Keras's exponential, natural-exp,
inverse-time, polynomial and piecewise-constant decays.

Each ``ref_*`` function writes out the published formula it names (see the
package docstring); literal numbers were worked out by hand.
"""

import math
from collections import Counter

import numpy as np
import pytest

from sknn.core.lr_schedules import (
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

from ._common import assert_rates


def ref_step_recursive(n, base, step_size, gamma):
    # torch.optim.lr_scheduler.StepLR.get_lr (chainable): multiply by gamma when
    # last_epoch != 0 and last_epoch % step_size == 0.
    lr, out = base, []
    for epoch in range(n):
        if epoch != 0 and epoch % step_size == 0:
            lr *= gamma
        out.append(lr)
    return out


def ref_multistep_recursive(n, base, milestones, gamma):
    # torch.optim.lr_scheduler.MultiStepLR.get_lr: milestones = Counter(milestones);
    # at a milestone multiply by gamma ** milestones[last_epoch].
    counts, lr, out = Counter(milestones), base, []
    for epoch in range(n):
        lr *= gamma ** counts[epoch]
        out.append(lr)
    return out


def ref_exponential(step, base, decay_rate, decay_steps, staircase):
    # keras.optimizers.schedules.ExponentialDecay docstring:
    # initial_learning_rate * decay_rate ^ (step / decay_steps), integer division
    # when staircase.
    p = step // decay_steps if staircase else step / decay_steps
    return base * decay_rate**p


def ref_natural_exp(step, base, decay_rate, decay_steps, staircase):
    # tf.compat.v1.train.natural_exp_decay implementation: ExponentialDecay with
    # decay rate exp(-decay_rate).
    p = math.floor(step / decay_steps) if staircase else step / decay_steps
    return base * math.exp(-decay_rate) ** p


def ref_inverse_time(step, base, decay_rate, decay_steps, staircase):
    # keras.optimizers.schedules.InverseTimeDecay docstring.
    p = math.floor(step / decay_steps) if staircase else step / decay_steps
    return base / (1 + decay_rate * p)


def ref_polynomial(step, base, decay_steps, end, power, cycle):
    # keras.optimizers.schedules.PolynomialDecay docstring and code (multiplier 1
    # at step 0 when cycling).
    if cycle:
        decay_steps = decay_steps * (1 if step == 0 else math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (base - end) * (1 - step / decay_steps) ** power + end


def ref_piecewise(step, boundaries, values):
    # keras.optimizers.schedules.PiecewiseConstantDecay: values[0] if step <=
    # boundaries[0], values[i] if boundaries[i-1] < step <= boundaries[i],
    # values[-1] if step > boundaries[-1].
    if step <= boundaries[0]:
        return values[0]
    if step > boundaries[-1]:
        return values[-1]
    for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
        if low < step <= high:
            return value


def ref_linear_recursive(n, base, start, end, total_iters):
    # torch.optim.lr_scheduler.LinearLR.get_lr (chainable form).
    lr, out = base * start, [base * start]
    for epoch in range(1, n):
        if epoch <= total_iters:
            denom = total_iters * start + (epoch - 1) * (end - start)
            lr *= 1.0 + (end - start) / denom
        out.append(lr)
    return out


def ref_constant_factor_recursive(n, base, factor, total_iters):
    # torch.optim.lr_scheduler.ConstantLR.get_lr (chainable form).
    lr, out = base, []
    for epoch in range(n):
        if epoch == 0:
            lr *= factor
        elif epoch == total_iters:
            lr *= 1.0 / factor
        out.append(lr)
    return out


def test_constant():
    assert_rates(Constant(), [0.1] * 4)
    assert Constant()(10**6, 0.3) == 0.3


def test_step_lr_torch_docstring_values():
    # StepLR docstring: lr = 0.05 if epoch < 30, 0.005 if 30 <= epoch < 60, ...
    s = StepLR(step_size=30, gamma=0.1)
    for epoch, lr in [
        (0, 0.05),
        (29, 0.05),
        (30, 0.005),
        (59, 0.005),
        (60, 5e-4),
        (89, 5e-4),
        (90, 5e-5),
    ]:
        assert s(epoch, 0.05) == pytest.approx(lr, rel=1e-12)


@pytest.mark.parametrize("step_size, gamma", [(1, 0.9), (3, 0.5), (7, 0.1)])
def test_step_lr_matches_chainable_form(step_size, gamma):
    s = StepLR(step_size, gamma)
    assert_rates(s, ref_step_recursive(40, 0.1, step_size, gamma))


def test_multistep_torch_docstring_values():
    # MultiStepLR docstring: 0.05 if epoch < 30, 0.005 if 30 <= epoch < 80,
    # 0.0005 if epoch >= 80.
    s = MultiStepLR(milestones=[30, 80], gamma=0.1)
    for epoch, lr in [
        (0, 0.05),
        (29, 0.05),
        (30, 0.005),
        (79, 0.005),
        (80, 5e-4),
        (500, 5e-4),
    ]:
        assert s(epoch, 0.05) == pytest.approx(lr, rel=1e-12)


@pytest.mark.parametrize("milestones", [[3, 7], [7, 3], [2, 2, 5], [0], []])
def test_multistep_matches_chainable_form(milestones):
    s = MultiStepLR(milestones, gamma=0.5)
    assert_rates(s, ref_multistep_recursive(12, 0.1, milestones, 0.5))


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("decay_steps", [1, 3, 2.5])
def test_keras_exponential_natural_inverse_time(staircase, decay_steps):
    for cls, ref, rate in [
        (ExponentialDecay, ref_exponential, 0.8),
        (NaturalExpDecay, ref_natural_exp, 0.3),
        (InverseTimeDecay, ref_inverse_time, 0.5),
    ]:
        s = cls(rate, decay_steps=decay_steps, staircase=staircase)
        assert_rates(s, [ref(t, 0.1, rate, decay_steps, staircase) for t in range(30)])


def test_keras_decays_literal_values():
    # 0.5 ** (1 / 2) = 0.7071..., exp(-0.5) = 0.6065..., 1 / (1 + 0.5 * 2) = 0.5
    assert ExponentialDecay(0.5, 2)(1, 1.0) == pytest.approx(math.sqrt(0.5))
    assert ExponentialDecay(0.5, 2, staircase=True)(3, 1.0) == 0.5
    assert NaturalExpDecay(0.5)(1, 2.0) == pytest.approx(2 * math.exp(-0.5))
    assert NaturalExpDecay(0.5, 2, staircase=True)(1, 2.0) == 2.0
    assert InverseTimeDecay(0.5)(2, 0.1) == pytest.approx(0.05)
    assert InverseTimeDecay(0.5, 4, staircase=True)(7, 0.1) == pytest.approx(0.1 / 1.5)


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_decay(cycle, power):
    s = PolynomialDecay(decay_steps=7, end_learning_rate=0.01, power=power, cycle=cycle)
    assert_rates(s, [ref_polynomial(t, 0.1, 7, 0.01, power, cycle) for t in range(30)])


def test_polynomial_decay_literal_values():
    s = PolynomialDecay(decay_steps=4, end_learning_rate=0.01)
    assert s(0, 1.0) == 1.0
    assert s(2, 1.0) == pytest.approx(0.505)  # 0.99 * 0.5 + 0.01
    assert s(4, 1.0) == s(100, 1.0) == pytest.approx(0.01)
    c = PolynomialDecay(decay_steps=4, end_learning_rate=0.01, cycle=True)
    assert c(4, 1.0) == pytest.approx(0.01)  # ceil(4 / 4) = 1: the end
    assert c(5, 1.0) == pytest.approx(0.99 * 3 / 8 + 0.01)  # decay over 8 steps


def test_piecewise_constant_keras_docstring_values():
    # "1.0 for the first 100001 steps, 0.5 for the next 10000 steps, and 0.1 for
    # any additional steps"
    s = PiecewiseConstant(boundaries=[100000, 110000], values=[1.0, 0.5, 0.1])
    for step, lr in [
        (0, 1.0),
        (100000, 1.0),
        (100001, 0.5),
        (110000, 0.5),
        (110001, 0.1),
    ]:
        assert s(step, base_lr=123.0) == lr
    b, v = [2, 5, 9], [0.3, 0.2, 0.1, 0.05]
    assert_rates(PiecewiseConstant(b, v), [ref_piecewise(t, b, v) for t in range(14)])


def test_piecewise_constant_keeps_the_values_method():
    s = PiecewiseConstant([1], [0.1, 0.01])
    assert s.get_params()["values"] == [0.1, 0.01]
    assert callable(s.values) and s.values(3).tolist() == [0.1, 0.1, 0.01]
    s.set_params(values=[0.2, 0.02])
    assert s.values(3).tolist() == [0.2, 0.2, 0.02]
    assert repr(s) == "PiecewiseConstant(boundaries=[1], values=[0.2, 0.02])"


@pytest.mark.parametrize(
    "start, end, n", [(1 / 3, 1.0, 5), (0.05, 1.0, 40), (1.0, 0.2, 6)]
)
def test_linear_lr_matches_chainable_form(start, end, n):
    s = LinearLR(start_factor=start, end_factor=end, total_iters=n)
    np.testing.assert_allclose(
        s.values(60, 0.05), ref_linear_recursive(60, 0.05, start, end, n), rtol=1e-10
    )


def test_linear_lr_literal_values():
    assert_rates(LinearLR(start_factor=0.5, total_iters=2), [0.05, 0.075, 0.1, 0.1])
    assert LinearLR(0.05, total_iters=40)(0, 0.05) == pytest.approx(0.0025)


def test_constant_factor_lr():
    # ConstantLR docstring: factor 0.5, total_iters 40: 0.025 until epoch 40
    s = ConstantFactorLR(factor=0.5, total_iters=40)
    assert [s(t, 0.05) for t in (0, 39, 40, 100)] == [0.025, 0.025, 0.05, 0.05]
    for factor, n in [(1 / 3, 5), (0.1, 1), (0.5, 0)]:
        ref = ref_constant_factor_recursive(10, 0.1, factor, n) if n else [0.1] * 10
        assert_rates(ConstantFactorLR(factor, n), ref)
