"""Cyclical schedules of :mod:`sknn.core.lr_schedules.cyclic`: ``CyclicLR`` and
``OneCycleLR``.

Each ``ref_*`` function writes out the published formula it names (see the
package docstring); literal numbers were worked out by hand.
"""

import math

import numpy as np
import pytest

from sknn.core.lr_schedules import (
    CyclicLR,
    OneCycleLR,
)

from ._common import assert_rates


def ref_clr_paper(it, base, max_lr, stepsize, mode, gamma=1.0):
    # Smith (2017), "Cyclical Learning Rates", and bckenstler/CLR (symmetric cycle).
    cycle = math.floor(1 + it / (2 * stepsize))
    x = abs(it / stepsize - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1)}.get(mode)
    if mode == "exp_range":
        scale = gamma**it
    return base + (max_lr - base) * max(0.0, 1 - x) * scale


def ref_clr_torch(it, base, max_lr, up, down):
    # torch.optim.lr_scheduler.CyclicLR.get_lr, triangular, asymmetric cycle.
    total_size = up + down
    step_ratio = up / total_size
    cycle = math.floor(1 + it / total_size)
    x = 1.0 + it / total_size - cycle
    scale = x / step_ratio if x <= step_ratio else (x - 1) / (step_ratio - 1)
    return base + (max_lr - base) * scale


def ref_one_cycle(step, total_steps, max_lr, pct, strategy, div, final_div, three):
    # torch.optim.lr_scheduler.OneCycleLR: knots (end_step, lr) of the phases;
    # anneal "cos": end + (start - end) / 2 * (cos(pi * pct) + 1).
    initial = max_lr / div
    knots = [(0.0, initial), (pct * total_steps - 1, max_lr)]
    if three:
        knots.append((2 * pct * total_steps - 2, initial))
    knots.append((total_steps - 1, initial / final_div))
    k = next(k for k in range(1, len(knots)) if step <= knots[k][0])
    (x0, y0), (x1, y1) = knots[k - 1], knots[k]
    frac = (step - x0) / (x1 - x0)
    if strategy == "linear":
        return y0 + frac * (y1 - y0)
    return y1 + (y0 - y1) / 2 * (math.cos(math.pi * frac) + 1)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_matches_the_clr_paper(mode):
    s = CyclicLR(max_lr=0.006, step_size_up=5, mode=mode, gamma=0.97)
    ref = [ref_clr_paper(t, 0.001, 0.006, 5, mode, 0.97) for t in range(60)]
    assert_rates(s, ref, base_lr=0.001)


def test_cyclic_lr_asymmetric_and_literal_values():
    s = CyclicLR(max_lr=1.0, step_size_up=2, step_size_down=4)
    assert_rates(s, [ref_clr_torch(t, 0.0, 1.0, 2, 4) for t in range(30)], base_lr=0.0)
    assert_rates(s, [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.5], base_lr=0.0)
    t2 = CyclicLR(max_lr=1.0, step_size_up=2, mode="triangular2")
    assert_rates(t2, [0, 0.5, 1, 0.5, 0, 0.25, 0.5, 0.25, 0, 0.125, 0.25], base_lr=0.0)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("total_steps, pct", [(100, 0.3), (10, 0.25), (7, 0.5)])
def test_one_cycle(strategy, three_phase, total_steps, pct):
    s = OneCycleLR(
        max_lr=0.5,
        total_steps=total_steps,
        pct_start=pct,
        anneal_strategy=strategy,
        three_phase=three_phase,
    )
    args = (total_steps, 0.5, pct, strategy, 25.0, 1e4, three_phase)
    ref = [ref_one_cycle(t, *args) for t in range(total_steps)]
    np.testing.assert_allclose(s.values(total_steps, 0.1), ref, rtol=1e-10, atol=1e-15)


def test_one_cycle_literal_values():
    # initial 0.1, max 1.0, min 0.001; phase ends at 0.3 * 10 - 1 = 2 and 9
    s = OneCycleLR(
        total_steps=10,
        anneal_strategy="linear",
        div_factor=10.0,
        final_div_factor=100.0,
    )
    got = s.values(12, base_lr=1.0)  # max_lr=None: max_lr = base_lr
    expected = [
        0.1,
        0.55,
        1.0,
        1 - 0.999 / 7,
        *[1 - 0.999 * k / 7 for k in range(2, 8)],
    ]
    np.testing.assert_allclose(got[:10], expected, rtol=1e-9)
    assert got[10] == got[11] == pytest.approx(0.001)  # held at the minimum
    # three phases: 0.25 -> 1.0 (at 1.5) -> 0.25 (at 3) -> 0.05 (at 9)
    s3 = OneCycleLR(
        1.0, 10, 0.25, "linear", div_factor=4.0, final_div_factor=5.0, three_phase=True
    )
    np.testing.assert_allclose(
        s3.values(10, 0.1)[[0, 1, 2, 3, 6, 9]],
        [0.25, 0.75, 0.75, 0.25, 0.15, 0.05],
        rtol=1e-12,
    )
    assert OneCycleLR(max_lr=1.0, total_steps=10)(2, 0.1) == pytest.approx(1.0)
