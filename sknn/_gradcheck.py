"""Public gradient checker for the estimators."""

import copy

from sklearn.utils import check_random_state

from .core import gradcheck
from .core.targets import dense


def check_gradients(
    estimator, X, y, sample_weight=None, *, eps=1e-6, random_state=0, n_checks=200
):
    """Compare backpropagated gradients with centred finite differences.

    The network of ``estimator`` (its fitted weights, or fresh ones drawn from
    its parameters if it is not fitted) is evaluated on ``X, y`` with its
    cost and L1/L2 penalties, dropout switched off. Each entry checked costs
    two forward passes over ``X``, so by default a random sample of
    ``n_checks`` entries of the parameter vector is checked: a
    ``MLPClassifier((100,))`` on the 1797 digits (7510 parameters) makes 401
    passes instead of 15021, and checks in seconds instead of minutes.

    An entry whose finite-difference step ``w +- eps`` moves some unit's
    input across a kink of its activation (ReLU's 0, ReLU6's 0 and 6, the
    leaky and parametric ReLUs', ELU's and SELU's 0), a residual across a
    kink of the cost (absolute error, quantile, Huber) or a weight across 0
    under ``l1`` is left out: there the centred difference is not a
    derivative, and the backpropagated gradient would look wrong although it
    is right. Such entries are counted as skipped.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        The model whose gradients to check.
    X : array-like of shape (n_samples, n_features)
        Inputs; float32 input (or a float32 model) is checked in float64,
        with a ``UserWarning``: in float32 the finite differences drown in
        rounding error.
    y : array-like
        Targets, as for ``fit``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    eps : float, default=1e-6
        Finite-difference step.
    random_state : int, RandomState or None, default=0
        Seeds the initial weights of an unfitted estimator and the entries
        drawn.
    n_checks : int or None, default=200
        How many entries of the parameter vector to check, drawn at random
        (each weight matrix, bias vector and block of extra parameters gets
        at least ``n_checks // (2 * n_blocks)`` of them, at least one; the
        rest are drawn from all entries). ``None`` checks every entry.

    Returns
    -------
    error : GradientCheck
        ``||g_num - g|| / (||g_num|| + ||g||)`` over the entries checked:
        below about 1e-7 the gradient is right, above 1e-5 it is suspect. A
        float (``error < 1e-7`` and ``float(error)`` work) that also has
        ``n_checked``, ``n_skipped`` (at kinks), ``n_params`` and ``upcast``.
        NaN, with a warning, if every entry drawn was at a kink.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import MLPClassifier, check_gradients
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, 20)
    >>> clf = MLPClassifier((5, 4), activation="tanh", alpha=0.1, l1=0.01)
    >>> result = check_gradients(clf, X, y)
    >>> result < 1e-7
    True
    >>> result.n_checked, result.n_skipped, result.n_params  # all 59 (< n_checks)
    (59, 0, 59)

    ReLU units exactly at their kink (zero biases: a sample that switches off
    every first-layer unit puts the second layer's inputs at exactly 0) are
    skipped, not reported as an error:

    >>> X[:5] = -10.0  # these rows switch off every first-layer unit
    >>> relu = MLPClassifier((5, 4), activation="relu", bias_init=0.0)
    >>> result = check_gradients(relu, X, y, random_state=1)
    >>> result < 1e-7, result.n_skipped > 0
    (True, True)
    """
    est = copy.deepcopy(estimator)
    fitted = hasattr(est, "_network")
    est._validate_params()
    X, Y, y = est._validate_targets(X, y, incremental=fitted, reset=not fitted)
    sample_weight = est._sample_weight(sample_weight, X, y, incremental=False)
    rng = check_random_state(random_state)
    if fitted:
        net = est._network
    else:
        net, inits = est._build_network(X.shape[1], Y.shape[1], X.dtype)
        net.initialize(rng, inits, est.bias_init)
    X, Y = X.astype(net.dtype, copy=False), dense(Y.astype(net.dtype, copy=False))
    if sample_weight is not None:
        sample_weight = sample_weight.astype(net.dtype, copy=False)
    return gradcheck.check(
        net, X, Y, sample_weight, est.alpha, est.l1, eps, n_checks=n_checks,
        random_state=rng, stacklevel=3,
    )  # fmt: skip
