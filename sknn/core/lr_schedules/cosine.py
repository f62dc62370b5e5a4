"""Cosine schedules: Keras/TF1 cosine decays and PyTorch cosine annealing."""

import math

import numpy as np

from ._base import _DECAY_STEPS, _FRACTION, _LENGTH, _NONNEG, Schedule, _num, _store

__all__ = [
    "CosineDecay",
    "LinearCosineDecay",
    "NoisyLinearCosineDecay",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
]


class CosineDecay(Schedule):
    """Keras ``CosineDecay``, with its optional linear warm-up.

    ``peak * ((1 - alpha) * 0.5 * (1 + cos(pi * t / decay_steps)) + alpha)`` with
    ``t = min(step, decay_steps)`` and ``peak = base_lr``. Given the absolute
    ``warmup_target``, the rate first goes linearly from ``base_lr`` to it over
    ``warmup_steps`` steps, then decays with ``peak = warmup_target`` and ``t``
    counted from the end of the warm-up. Per epoch by default;
    ``decay_steps=None`` uses ``total - warmup_steps``.

    Examples
    --------
    >>> CosineDecay(decay_steps=4, alpha=0.1).values(5, base_lr=1.0)
    array([1.        , 0.86819805, 0.55      , 0.23180195, 0.1       ])
    >>> CosineDecay(2, warmup_steps=2, warmup_target=1.0).values(5, base_lr=0.0)
    array([0. , 0.5, 1. , 0.5, 0. ])
    """

    _rules = {
        "decay_steps": _DECAY_STEPS,
        "alpha": _FRACTION,
        "warmup_steps": _num("int", 0),
        "warmup_target": _num(low=0, none=True),
    }

    def __init__(
        self,
        decay_steps=None,
        alpha=0.0,
        warmup_steps=0,
        warmup_target=None,
        unit="epoch",
    ):
        _store(self, locals())

    def validate(self):
        super().validate()
        if self.warmup_steps and self.warmup_target is None:  # Keras ignores it
            raise ValueError("warmup_steps > 0 needs warmup_target (the peak rate)")

    def __call__(self, step, base_lr, total=None):
        warmup = 0 if self.warmup_target is None else self.warmup_steps
        if step < warmup:  # the warm-up needs no decay length (a run may end in it)
            return float((self.warmup_target - base_lr) * (step / warmup) + base_lr)
        steps = self._length("decay_steps", None if total is None else total - warmup)
        step = min(step, steps + warmup)
        peak = base_lr if self.warmup_target is None else self.warmup_target
        cosine = 0.5 * (1.0 + math.cos(math.pi * ((step - warmup) / steps)))
        return float(peak * ((1 - self.alpha) * cosine + self.alpha))


class LinearCosineDecay(Schedule):
    """TF1 ``linear_cosine_decay`` (Bello et al., 2017).

    With ``t = min(step, decay_steps)``: ``base_lr * ((alpha + (decay_steps - t) /
    decay_steps) * 0.5 * (1 + cos(2 pi num_periods t / decay_steps)) + beta)``.
    Per epoch by default; ``decay_steps=None`` uses ``total``.

    Examples
    --------
    >>> LinearCosineDecay(decay_steps=4, beta=0.0).values(5, base_lr=1.0)
    array([1.        , 0.64016504, 0.25      , 0.03661165, 0.        ])
    """

    _rules = {
        "decay_steps": _DECAY_STEPS,
        "num_periods": _NONNEG,
        "alpha": _NONNEG,
        "beta": _NONNEG,
    }

    def __init__(
        self, decay_steps=None, num_periods=0.5, alpha=0.0, beta=0.001, unit="epoch"
    ):
        _store(self, locals())

    def _parts(self, step, total):
        steps = self._length("decay_steps", total)
        step = min(step, steps)
        fraction = 2.0 * self.num_periods * (step / steps)
        return step, (steps - step) / steps, 0.5 * (1.0 + math.cos(math.pi * fraction))

    def __call__(self, step, base_lr, total=None):
        _, linear, cosine = self._parts(step, total)
        return float(base_lr * ((self.alpha + linear) * cosine + self.beta))


class NoisyLinearCosineDecay(LinearCosineDecay):
    """TF1 ``noisy_linear_cosine_decay``: linear cosine decay plus Gaussian noise.

    As :class:`LinearCosineDecay` with ``eps_t`` added to the linear term,
    ``eps_t ~ N(0, initial_variance / (1 + t) ** variance_decay)``, drawn from
    ``np.random.default_rng([seed, step])``: a schedule gives the same rate each
    time it is asked for a step. Per epoch by default.

    ``random_state`` is a non-negative int seed or None. With None, an
    estimator seeds the noise from its fit's random stream (its
    ``random_state``; see :meth:`seed`), so two fits with the same
    ``random_state`` have the same rates, also in a grid search. Used on its
    own, the schedule draws a seed on first use. Either way the seed is kept
    by this object (all the state its noise has): copies and pickles repeat
    it, clones draw their own.

    Unlike TensorFlow's formula, the rate is clipped at 0: with the default
    ``initial_variance=1`` the noise often exceeds the linear term, and a
    negative rate would step uphill.

    Examples
    --------
    >>> s = NoisyLinearCosineDecay(decay_steps=10, random_state=0)
    >>> bool((s.values(10, base_lr=0.1) == s.values(10, base_lr=0.1)).all())
    True
    """

    _rules = {
        **LinearCosineDecay._rules,
        "initial_variance": _NONNEG,
        "variance_decay": _NONNEG,
        "random_state": _num("int", 0, none=True),
    }

    def __init__(
        self,
        decay_steps=None,
        initial_variance=1.0,
        variance_decay=0.55,
        num_periods=0.5,
        alpha=0.0,
        beta=0.001,
        random_state=None,
        unit="epoch",
    ):
        _store(self, locals())

    def seed(self, rng):
        """Draw the noise's seed from ``rng`` (a ``RandomState``: one
        ``randint`` draw), unless ``random_state`` is set."""
        if self.random_state is None:
            self._entropy = int(rng.randint(np.iinfo(np.int32).max))

    def __call__(self, step, base_lr, total=None):
        t, linear, cosine = self._parts(step, total)
        if self.random_state is None and getattr(self, "_entropy", None) is None:
            self._entropy = np.random.SeedSequence().entropy
        seed = self._entropy if self.random_state is None else self.random_state
        std = math.sqrt(self.initial_variance / (1.0 + t) ** self.variance_decay)
        eps = std * np.random.default_rng([seed, int(step)]).standard_normal()
        rate = base_lr * ((self.alpha + linear + eps) * cosine + self.beta)
        return max(float(rate), 0.0)  # TensorFlow's may be negative


def _cosine(eta_min, base_lr, t, period):
    return float(
        eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / period)) / 2
    )


class CosineAnnealingLR(Schedule):
    """PyTorch ``CosineAnnealingLR`` (closed form) down to the absolute ``eta_min``.

    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * step / T_max)) / 2``; as in
    PyTorch it rises again after ``T_max``. Per epoch by default; ``T_max=None``
    uses ``total``.

    Examples
    --------
    >>> CosineAnnealingLR(T_max=4).values(5, base_lr=1.0)
    array([1.        , 0.85355339, 0.5       , 0.14644661, 0.        ])
    """

    _rules = {"T_max": _LENGTH, "eta_min": _NONNEG}

    def __init__(self, T_max=None, eta_min=0.0, unit="epoch"):
        _store(self, locals())

    def __call__(self, step, base_lr, total=None):
        return _cosine(self.eta_min, base_lr, step, self._length("T_max", total))


class CosineAnnealingWarmRestarts(Schedule):
    """PyTorch ``CosineAnnealingWarmRestarts`` (SGDR).

    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``: the i-th
    cycle lasts ``T_i = T_0 * T_mult ** i`` steps and ``T_cur`` counts the steps
    since the last restart (found in integers, not with a float logarithm as in
    PyTorch's ``step(epoch)``). Per epoch by default.

    Examples
    --------
    >>> CosineAnnealingWarmRestarts(T_0=2, T_mult=2).values(7, base_lr=1.0)
    array([1.        , 0.5       , 1.        , 0.85355339, 0.5       ,
           0.14644661, 1.        ])
    """

    _rules = {"T_0": _num("int", 1), "T_mult": _num("int", 1), "eta_min": _NONNEG}

    def __init__(self, T_0, T_mult=1, eta_min=0.0, unit="epoch"):
        _store(self, locals())

    def __call__(self, step, base_lr, total=None):
        t_i, t_cur = self.T_0, step % self.T_0 if self.T_mult == 1 else step
        while t_cur >= t_i:
            t_cur, t_i = t_cur - t_i, t_i * self.T_mult
        return _cosine(self.eta_min, base_lr, t_cur, t_i)
