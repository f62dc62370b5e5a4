"""Cosine schedules of :mod:`sknn.core.lr_schedules.cosine`: Keras/TF1 cosine
decays and PyTorch cosine annealing (with warm restarts).

Each ``ref_*`` function writes out the published formula it names (see the
package docstring); literal numbers were worked out by hand.
"""

import copy
import math
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sknn.core.lr_schedules import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CosineDecay,
    LinearCosineDecay,
    NoisyLinearCosineDecay,
)

from ._common import assert_rates


def ref_cosine_decay(step, base, decay_steps, alpha, warmup_steps=0, target=None):
    # keras.optimizers.schedules.CosineDecay: warm-up from initial_learning_rate to
    # warmup_target, then decay from warmup_target (or initial_learning_rate).
    if target is None:
        step = min(step, decay_steps)
        return base * (
            (1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha
        )
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return step / warmup_steps * (target - base) + base
    t = step - warmup_steps
    return target * (
        (1 - alpha) * 0.5 * (1 + math.cos(math.pi * t / decay_steps)) + alpha
    )


def ref_linear_cosine(step, base, decay_steps, num_periods, alpha, beta, eps=0.0):
    # tf.compat.v1.train.linear_cosine_decay / noisy_linear_cosine_decay docstring.
    step = min(step, decay_steps)
    linear = (decay_steps - step) / decay_steps
    cosine = 0.5 * (1 + math.cos(math.pi * 2 * num_periods * step / decay_steps))
    return base * ((alpha + linear + eps) * cosine + beta)


def ref_cosine_annealing_recursive(n, base, T_max, eta_min):
    # torch.optim.lr_scheduler.CosineAnnealingLR.get_lr (recursive, with its
    # special case where the previous cosine term vanishes).
    lr, out = base, [base]
    for epoch in range(1, n):
        if (epoch - 1 - T_max) % (2 * T_max) == 0:
            lr += (base - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        else:
            ratio = (1 + math.cos(math.pi * epoch / T_max)) / (
                1 + math.cos(math.pi * (epoch - 1) / T_max)
            )
            lr = ratio * (lr - eta_min) + eta_min
        out.append(lr)
    return out


def ref_warm_restarts_recursive(n, base, T_0, T_mult, eta_min):
    # torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.step() without epoch:
    # T_cur += 1; if T_cur >= T_i: T_cur -= T_i; T_i *= T_mult.
    t_cur, t_i, out = 0, T_0, []
    for epoch in range(n):
        if epoch:
            t_cur += 1
            if t_cur >= t_i:
                t_cur, t_i = t_cur - t_i, t_i * T_mult
        out.append(
            eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
        )
    return out


@pytest.mark.parametrize("alpha", [0.0, 0.2])
def test_cosine_decay(alpha):
    s = CosineDecay(decay_steps=10, alpha=alpha)
    assert_rates(s, [ref_cosine_decay(t, 0.1, 10, alpha) for t in range(25)])
    w = CosineDecay(decay_steps=10, alpha=alpha, warmup_steps=4, warmup_target=0.5)
    assert_rates(w, [ref_cosine_decay(t, 0.1, 10, alpha, 4, 0.5) for t in range(25)])


def test_cosine_decay_literal_values():
    # cos(pi / 4) = sqrt(2) / 2: 0.5 * (1 + sqrt(2) / 2) = 0.85355...
    assert_rates(
        CosineDecay(4),
        [1, 0.5 + math.sqrt(2) / 4, 0.5, 0.5 - math.sqrt(2) / 4, 0, 0],
        base_lr=1.0,
    )
    w = CosineDecay(2, warmup_steps=2, warmup_target=1.0)
    assert_rates(w, [0.0, 0.5, 1.0, 0.5, 0.0, 0.0], base_lr=0.0)
    # decay_steps=None: decays over total - warmup_steps and ends at the floor
    w = CosineDecay(warmup_steps=2, warmup_target=1.0, alpha=0.1)
    assert w(2, 0.0, total=6) == 1.0
    assert w(6, 0.0, total=6) == pytest.approx(0.1)
    assert w(4, 0.0, total=6) == pytest.approx(0.55)


@pytest.mark.parametrize(
    "num_periods, alpha, beta", [(0.5, 0.0, 0.001), (2.0, 0.1, 0.0)]
)
def test_linear_cosine_decay(num_periods, alpha, beta):
    s = LinearCosineDecay(
        decay_steps=12, num_periods=num_periods, alpha=alpha, beta=beta
    )
    ref = [ref_linear_cosine(t, 0.1, 12, num_periods, alpha, beta) for t in range(20)]
    assert_rates(s, ref)
    # start: (alpha + 1) + beta; end (num_periods 0.5): cosine term 0, so beta
    assert LinearCosineDecay(8)(0, 1.0) == pytest.approx(1.001)
    assert (
        LinearCosineDecay(8)(8, 1.0)
        == LinearCosineDecay(8)(50, 1.0)
        == pytest.approx(0.001)
    )


def test_noisy_linear_cosine_decay_formula_and_determinism():
    s = NoisyLinearCosineDecay(decay_steps=12, initial_variance=0.5, random_state=3)
    ref = []
    for t in range(20):
        tc = min(t, 12)
        std = math.sqrt(0.5 / (1 + tc) ** 0.55)
        eps = std * np.random.default_rng([3, t]).standard_normal()
        # TensorFlow's formula, clipped at 0.
        ref.append(max(ref_linear_cosine(t, 0.1, 12, 0.5, 0.0, 0.001, eps), 0.0))
    assert_rates(s, ref)
    np.testing.assert_array_equal(s.values(20, 0.1), s.values(20, 0.1))
    assert s(5, 0.1) == s(5, 0.1)
    other = NoisyLinearCosineDecay(decay_steps=12, initial_variance=0.5, random_state=4)
    assert not np.array_equal(other.values(20, 0.1), s.values(20, 0.1))
    # no variance: exactly the linear cosine decay
    quiet = NoisyLinearCosineDecay(decay_steps=12, initial_variance=0.0, random_state=0)
    np.testing.assert_array_equal(
        quiet.values(20, 0.1), LinearCosineDecay(12).values(20, 0.1)
    )


def test_noisy_linear_cosine_decay_noise_is_gaussian_with_the_stated_variance():
    n = 4000
    s = NoisyLinearCosineDecay(
        decay_steps=10**6,
        initial_variance=2.0,
        variance_decay=0.3,
        num_periods=0.0,
        alpha=10.0,  # keeps the rate far above 0, where it is clipped
        beta=0.0,
        random_state=0,
    )
    t = np.arange(n)
    eps = s.values(n, base_lr=1.0) - 10.0 - (10**6 - t) / 10**6  # cosine term 1
    z = eps / np.sqrt(2.0 / (1.0 + t) ** 0.3)
    assert abs(z.mean()) < 0.1 and abs(z.std() - 1) < 0.1


def test_noisy_linear_cosine_decay_never_goes_below_zero():
    # With the defaults the noise often outweighs the linear term: TensorFlow's
    # formula goes negative (an uphill step); the rate stops at 0.
    s = NoisyLinearCosineDecay(decay_steps=200, random_state=0)
    rates = s.values(200, base_lr=0.1)
    t = np.minimum(np.arange(200), 200)
    std = np.sqrt(1.0 / (1.0 + t) ** 0.55)
    eps = std * [np.random.default_rng([0, i]).standard_normal() for i in range(200)]
    linear, cosine = (200 - t) / 200, 0.5 * (1 + np.cos(np.pi * t / 200))
    tensorflow = 0.1 * ((linear + eps) * cosine + 0.001)
    assert (tensorflow < 0).sum() > 10  # the case is real
    np.testing.assert_allclose(rates, np.maximum(tensorflow, 0.0), rtol=1e-12)


def test_noisy_linear_cosine_decay_seeded_from_a_random_state():
    s = NoisyLinearCosineDecay(decay_steps=10)
    s.seed(np.random.RandomState(7))
    again = NoisyLinearCosineDecay(decay_steps=10)
    again.seed(np.random.RandomState(7))
    np.testing.assert_array_equal(s.values(10, 0.1), again.values(10, 0.1))
    # The seed is the schedule's state: copies and pickles carry it.
    np.testing.assert_array_equal(s.values(10, 0.1), copy.deepcopy(s).values(10, 0.1))
    np.testing.assert_array_equal(
        s.values(10, 0.1), pickle.loads(pickle.dumps(s)).values(10, 0.1)
    )
    other = NoisyLinearCosineDecay(decay_steps=10)
    other.seed(np.random.RandomState(8))
    assert not np.array_equal(s.values(10, 0.1), other.values(10, 0.1))
    # An explicit random_state wins, and nothing is drawn.
    rng = np.random.RandomState(7)
    fixed = NoisyLinearCosineDecay(decay_steps=10, random_state=3)
    fixed.seed(rng)
    assert rng.randint(10**9) == np.random.RandomState(7).randint(10**9)
    np.testing.assert_array_equal(
        fixed.values(10, 0.1),
        NoisyLinearCosineDecay(decay_steps=10, random_state=3).values(10, 0.1),
    )


def test_noisy_linear_cosine_decay_without_random_state():
    s = NoisyLinearCosineDecay(decay_steps=10)
    first = s.values(10, 0.1)
    np.testing.assert_array_equal(first, s.values(10, 0.1))  # kept seed
    np.testing.assert_array_equal(first, pickle.loads(pickle.dumps(s)).values(10, 0.1))
    np.testing.assert_array_equal(first, copy.deepcopy(s).values(10, 0.1))
    assert not np.array_equal(first, clone(s).values(10, 0.1))  # a fresh seed


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (7, 0.01)])
def test_cosine_annealing_matches_recursive_form(T_max, eta_min):
    s = CosineAnnealingLR(T_max=T_max, eta_min=eta_min)
    ref = ref_cosine_annealing_recursive(3 * T_max, 0.1, T_max, eta_min)
    np.testing.assert_allclose(s.values(3 * T_max, 0.1), ref, rtol=1e-9, atol=1e-12)


def test_cosine_annealing_literal_values():
    h = math.sqrt(2) / 4
    assert_rates(CosineAnnealingLR(4), [1, 0.5 + h, 0.5, 0.5 - h, 0, 0.5 - h], 1.0)
    assert CosineAnnealingLR(4, eta_min=0.2)(4, 1.0) == pytest.approx(0.2)


@pytest.mark.parametrize("T_0, T_mult", [(5, 1), (2, 2), (3, 3), (1, 2)])
def test_warm_restarts_match_recursive_form(T_0, T_mult):
    s = CosineAnnealingWarmRestarts(T_0=T_0, T_mult=T_mult, eta_min=0.001)
    assert_rates(s, ref_warm_restarts_recursive(120, 0.1, T_0, T_mult, 0.001))


def test_warm_restarts_exact_cycle_arithmetic():
    s = CosineAnnealingWarmRestarts(T_0=2, T_mult=2)
    # cycles of 2, 4, 8 steps start at steps 0, 2, 6
    assert [s(t, 1.0) for t in (0, 2, 6, 14)] == [1.0] * 4
    assert s(1, 1.0) == pytest.approx(0.5) and s(4, 1.0) == pytest.approx(0.5)
    # PyTorch's step(epoch) finds the cycle with int(math.log(...)), which gives
    # 4 instead of 5 at step 121 of T_0=1, T_mult=3 (a restart): we do not.
    assert int(math.log(121 / 1 * (3 - 1) + 1, 3)) == 4  # the float slip
    assert CosineAnnealingWarmRestarts(1, 3)(121, 0.1) == 0.1
