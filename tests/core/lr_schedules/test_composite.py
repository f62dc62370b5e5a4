"""Schedules of :mod:`sknn.core.lr_schedules.composite`, built on a function or
on other schedules: ``LambdaLR``, ``SequentialLR``, ``ChainedScheduler`` and
``LinearWarmup``."""

import pickle

import pytest

from sknn.core.lr_schedules import (
    ChainedScheduler,
    Constant,
    ConstantFactorLR,
    CosineAnnealingLR,
    ExponentialDecay,
    LambdaLR,
    LinearLR,
    LinearWarmup,
    SequentialLR,
    StepLR,
)

from ._common import assert_rates, half_power


def test_lambda_lr():
    assert_rates(LambdaLR(half_power), [0.1 * 0.5**t for t in range(10)])
    s = LambdaLR(lambda t: 1 / (t + 1))
    assert_rates(s, [0.1 / (t + 1) for t in range(10)])
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(s)  # as documented
    assert repr(LambdaLR(half_power)) == "LambdaLR(lr_lambda=half_power)"


def test_sequential_lr_torch_docstring_values():
    # SequentialLR docstring: ConstantLR(factor=0.1, total_iters=20) then
    # ExponentialLR(gamma=0.9) from milestone 20, lr 0.05.
    s = SequentialLR(
        [ConstantFactorLR(0.1, 20), ExponentialDecay(0.9)], milestones=[20]
    )
    for epoch, lr in [
        (0, 0.005),
        (1, 0.005),
        (2, 0.005),
        (19, 0.005),
        (20, 0.05),
        (21, 0.045),
        (22, 0.0405),
    ]:
        assert s(epoch, 0.05) == pytest.approx(lr, rel=1e-12)


def test_sequential_lr_restarted_counts_and_segment_totals():
    a, b, c = LinearLR(0.5, total_iters=4), StepLR(2, 0.5), CosineAnnealingLR()
    s = SequentialLR([a, b, c], milestones=[3, 8])
    ref = [a(t, 0.1) for t in range(3)] + [b(t - 3, 0.1) for t in range(3, 8)]
    ref += [CosineAnnealingLR(T_max=12)(t - 8, 0.1) for t in range(8, 20)]
    assert_rates(s, ref, total=20)
    # a middle schedule with a None length spans its segment
    mid = SequentialLR([Constant(), CosineAnnealingLR(), Constant()], [2, 6])
    assert mid(4, 1.0) == pytest.approx(0.5) and mid(6, 1.0) == 1.0
    with pytest.raises(ValueError, match="T_max"):
        s(10, 0.1)  # no total: the last segment has no length


def test_chained_scheduler_product_of_factors():
    # ChainedScheduler([ConstantLR(factor=0.1, total_iters=20), ExponentialLR(0.9)])
    s = ChainedScheduler([ConstantFactorLR(0.1, 20), ExponentialDecay(0.9)])
    ref = [0.05 * (0.1 if t < 20 else 1.0) * 0.9**t for t in range(30)]
    assert_rates(s, ref, base_lr=0.05)
    assert s(20, 0.05) == pytest.approx(0.05 * 0.9**20)  # 0.006078...
    three = ChainedScheduler([StepLR(3, 0.5), LinearLR(0.5, total_iters=4), Constant()])
    ref = [
        StepLR(3, 0.5)(t, 0.1) * LinearLR(0.5, total_iters=4)(t, 0.1) / 0.1
        for t in range(12)
    ]
    assert_rates(three, ref)
    assert s(3, 0.0) == 0.0


def test_linear_warmup():
    w = LinearWarmup(4, start_factor=0.2)
    ref = [0.1 * (0.2 + 0.8 * t / 4) for t in range(4)] + [0.1] * 4
    assert_rates(w, ref)
    after = StepLR(2, 0.5)
    w = LinearWarmup(3, after=after)
    assert_rates(w, [0.0, 0.1 / 3, 0.2 / 3] + [after(t, 0.1) for t in range(9)])
    # ``after`` sees total - warmup_steps
    w = LinearWarmup(2, after=CosineAnnealingLR())
    assert w(2, 1.0, total=10) == 1.0 and w(10, 1.0, total=10) == pytest.approx(0.0)
    assert w(6, 1.0, total=10) == pytest.approx(0.5)
    assert_rates(LinearWarmup(0), [0.1] * 3)
