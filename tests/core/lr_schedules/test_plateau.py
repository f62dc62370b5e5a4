"""``ReduceLROnPlateau`` of :mod:`sknn.core.lr_schedules.plateau`, against a
transcription of PyTorch's (``TorchPlateau``)."""

import math

import numpy as np
import pytest

from sknn.core.lr_schedules import (
    ChainedScheduler,
    LinearWarmup,
    ReduceLROnPlateau,
    StepLR,
)


class TorchPlateau:
    """torch.optim.lr_scheduler.ReduceLROnPlateau (mode "min"), one param group."""

    def __init__(
        self, lr, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps
    ):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best, self.num_bad_epochs, self.cooldown_counter = math.inf, 0, 0

    def step(self, current):
        if self.threshold_mode == "rel":
            better = current < self.best * (1.0 - self.threshold)
        else:
            better = current < self.best - self.threshold
        if better:
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0


def plateau_rates(schedule, metrics, base_lr=1.0):
    rates = []
    for m in metrics:
        schedule.observe(m)
        rates.append(schedule(len(rates), base_lr))
    return rates


def test_plateau_patience():
    s = ReduceLROnPlateau(factor=0.5, patience=2)
    metrics = [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    assert plateau_rates(s, metrics) == [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_plateau_patience_zero_as_in_the_torch_docstring():
    # first epoch sets the baseline; a worse second epoch reduces at once; later
    # epochs reduce while worse than the best, not when they improve.
    s = ReduceLROnPlateau(factor=0.5, patience=0)
    assert plateau_rates(s, [1.0, 2.0, 2.0, 0.5, 0.4, 0.6]) == [
        1,
        0.5,
        0.25,
        0.25,
        0.25,
        0.125,
    ]


def test_plateau_cooldown():
    s = ReduceLROnPlateau(factor=0.1, patience=0, cooldown=2)
    got = plateau_rates(s, [1.0] * 6)
    np.testing.assert_allclose(got, [1, 0.1, 0.1, 0.1, 0.01, 0.01], rtol=1e-12)


def test_plateau_min_lr_and_eps():
    s = ReduceLROnPlateau(factor=0.1, patience=0, min_lr=0.05)
    assert plateau_rates(s, [1.0] * 5) == pytest.approx([1, 0.1, 0.05, 0.05, 0.05])
    # a reduction smaller than eps is skipped, and so every later one
    s = ReduceLROnPlateau(factor=0.5, patience=0)
    assert plateau_rates(s, [1.0] * 4, base_lr=1.5e-8) == [1.5e-8] * 4
    assert plateau_rates(ReduceLROnPlateau(0.5, 0, eps=0.0), [1.0] * 3, 1.5e-8) == [
        1.5e-8,
        0.75e-8,
        0.375e-8,
    ]


def test_plateau_boundaries_are_strict():
    # a reduction of exactly eps is skipped (PyTorch: applied only if old - new > eps)
    s = ReduceLROnPlateau(factor=0.5, patience=0, eps=1e-8)
    assert plateau_rates(s, [1.0, 1.0], base_lr=2e-8) == [2e-8, 2e-8]
    # equal to the best is no improvement, even with threshold 0; nor is exactly
    # best - threshold in "abs" mode
    for mode in ("rel", "abs"):
        s = ReduceLROnPlateau(
            factor=0.5, patience=0, threshold=0.0, threshold_mode=mode
        )
        assert plateau_rates(s, [1.0, 1.0]) == [1.0, 0.5]
    s = ReduceLROnPlateau(factor=0.5, patience=0, threshold=0.5, threshold_mode="abs")
    assert plateau_rates(s, [10.0, 9.5, 9.4999]) == [1.0, 0.5, 0.5]


def test_plateau_threshold_modes():
    # best 10, threshold 0.1: "rel" needs < 9, "abs" needs < 9.9
    metrics = [10.0, 9.5, 9.5, 9.5]
    rel = ReduceLROnPlateau(factor=0.5, patience=1, threshold=0.1)
    ab = ReduceLROnPlateau(factor=0.5, patience=1, threshold=0.1, threshold_mode="abs")
    assert plateau_rates(rel, metrics) == [1, 1, 0.5, 0.5]
    assert plateau_rates(ab, metrics) == [1, 1, 1, 0.5]


@pytest.mark.parametrize("seed", range(5))
def test_plateau_matches_torch_reference_on_random_metrics(seed):
    rng = np.random.default_rng(seed)
    params = dict(
        factor=float(rng.choice([0.1, 0.5, 0.8])),
        patience=int(rng.integers(0, 4)),
        threshold=float(rng.choice([0.0, 1e-4, 0.05])),
        threshold_mode=str(rng.choice(["rel", "abs"])),
        cooldown=int(rng.integers(0, 3)),
        min_lr=float(rng.choice([0.0, 1e-3])),
        eps=1e-8,
    )
    metrics = np.cumsum(rng.normal(-0.01, 0.1, size=200)) + 5
    s, ref = ReduceLROnPlateau(**params), TorchPlateau(0.3, **params)
    for t, m in enumerate(metrics):
        s.observe(m)
        ref.step(float(m))
        assert s(t, 0.3) == ref.lr


def test_plateau_reset_and_values():
    s = ReduceLROnPlateau(factor=0.5, patience=0)
    assert s.values(4, 0.2).tolist() == [0.2] * 4  # nothing observed: constant
    plateau_rates(s, [1.0, 1.0, 1.0])
    assert s.values(3, 0.2).tolist() == [0.05] * 3  # whatever the step
    s.reset()
    assert s(0, 0.2) == 0.2 and s.best_ == math.inf and s.num_bad_epochs_ == 0
    assert plateau_rates(s, [1.0, 1.0]) == [1.0, 0.5]


def test_observe_reaches_nested_plateau_and_is_a_noop_elsewhere():
    s = StepLR(2)
    s.observe(1.0)
    assert s.values(4, 0.1).tolist() == StepLR(2).values(4, 0.1).tolist()
    w = LinearWarmup(1, after=ReduceLROnPlateau(factor=0.5, patience=0))
    c = ChainedScheduler([StepLR(100, 0.1), ReduceLROnPlateau(factor=0.5, patience=0)])
    for m in [1.0, 1.0]:
        w.observe(m)
        c.observe(m)
    assert w(5, 1.0) == 0.5 and c(5, 1.0) == 0.5
    w.reset()
    c.reset()
    assert w(5, 1.0) == 1.0 and c(5, 1.0) == 1.0
