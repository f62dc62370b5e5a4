"""Monte-Carlo dropout predictions, in memory that does not grow with the
number of passes.

``MLPClassifier.predict_proba(X, mc_samples=k)`` and
``MLPRegressor.predict(X, return_std=True, mc_samples=k)`` run ``k`` forward
passes with dropout left on. Each pass is folded into running float64
statistics as soon as it is made (a sum for the mean of probabilities;
Welford's mean and sum of squared deviations for the regressor's mean and
standard deviation), so memory is a few arrays of the output's shape whatever
``k`` is. ``k`` above :data:`MAX_MC_SAMPLES` is refused at once.
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

__all__ = ["MAX_MC_SAMPLES", "check_mc_samples", "mc_mean", "mc_mean_std", "mc_passes"]

# The Monte-Carlo error of the mean falls as 1 / sqrt(k): at a million passes
# it is a thousandth of the spread between passes. Beyond, passes only cost
# time (10**9 passes of a 1 ms forward pass: 11.6 days), so such a request is
# taken for a mistake and refused before any work.
MAX_MC_SAMPLES = 1_000_000


def check_mc_samples(mc_samples):
    """Refuse anything but an int in ``[1, MAX_MC_SAMPLES]`` (bools too)."""
    if isinstance(mc_samples, (bool, np.bool_)):
        raise InvalidParameterError(
            f"mc_samples must be a positive int, got {mc_samples!r} (a bool is "
            "not a number of passes)."
        )
    if not isinstance(mc_samples, Integral) or mc_samples < 1:
        raise InvalidParameterError(
            f"mc_samples must be a positive int, got {mc_samples!r}."
        )
    if mc_samples > MAX_MC_SAMPLES:
        raise InvalidParameterError(
            f"mc_samples must be a positive int up to {MAX_MC_SAMPLES:,}, got "
            f"{mc_samples!r}. The Monte-Carlo error of the mean falls as "
            f"1/sqrt(mc_samples): at {MAX_MC_SAMPLES:,} passes it is a thousandth "
            "of the spread between passes, and each pass is a full forward pass "
            "over X; use fewer passes."
        )


def mc_passes(est, X, mc_samples):
    """The network's ``mc_samples`` passes over ``X`` with dropout on: an
    iterator, after every check has passed (they run at once, not when the
    first pass is asked for). The passes are seeded by ``random_state``."""
    check_mc_samples(mc_samples)
    check_is_fitted(est)
    if not any(est._network.dropout):
        raise ValueError(
            "Monte-Carlo dropout needs dropout > 0 in at least one hidden layer; "
            "this model was trained without dropout."
        )
    net, X = est._network_for(X)
    seed = check_random_state(est.random_state).randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    return (net.predict(X, rng=rng) for _ in range(mc_samples))


def mc_mean(est, X, mc_samples):
    """The mean of the passes (summed in float64), in the prediction's dtype."""
    passes = mc_passes(est, X, mc_samples)
    total = None
    for p in passes:
        if total is None:
            total, dtype = p.astype(np.float64), p.dtype
        else:
            total += p
    total /= mc_samples
    return total.astype(dtype, copy=False)


def mc_mean_std(est, X, mc_samples):
    """The mean and (population) standard deviation of the passes, in the
    prediction's dtype (as :meth:`predict`'s).

    Welford's update in float64, on each entry divided by the largest
    magnitude seen so far in that entry (the running sums are rescaled when
    it grows): finite passes give a finite mean and spread even near the
    dtype's limit, where the squares would overflow.
    """
    passes = mc_passes(est, X, mc_samples)
    for k, p in enumerate(passes, start=1):
        x = p.astype(np.float64)
        if k == 1:
            dtype = p.dtype
            scale, mean, m2 = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
        size = np.abs(x)
        grow = (size > scale) & np.isfinite(size)
        if grow.any():
            ratio = scale[grow] / size[grow]
            mean[grow] *= ratio
            m2[grow] *= ratio * ratio
            scale[grow] = size[grow]
        unit = np.where(scale > 0, scale, 1.0)
        x /= unit
        delta = x - mean
        mean += delta / k
        x -= mean
        m2 += delta * x
    std = np.sqrt(m2 / mc_samples)
    # Means and spreads of numbers in [-1, 1] stay in [-1, 1] and [0, 1]:
    # undo rounding beyond them, so the result cannot overflow when rescaled.
    beyond = np.isfinite(mean) & (np.abs(mean) > 1)
    mean[beyond] = np.sign(mean[beyond])
    np.minimum(std, 1.0, out=std)
    return (mean * unit).astype(dtype, copy=False), (std * unit).astype(
        dtype, copy=False
    )
