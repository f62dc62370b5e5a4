"""Public gradient checker for the estimators."""

import copy

from sklearn.utils import check_random_state

from .core import relative_gradient_error
from .core.targets import dense


def check_gradients(estimator, X, y, sample_weight=None, *, eps=1e-6, random_state=0):
    """Compare backpropagated gradients with centred finite differences.

    The network of ``estimator`` (its fitted weights, or fresh ones drawn from
    its parameters if it is not fitted) is evaluated on ``X, y`` with its
    cost and L1/L2 penalties, dropout switched off. Use float64 data.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        The model whose gradients to check.
    X : array-like of shape (n_samples, n_features)
        Inputs; keep it small (each parameter costs two forward passes).
    y : array-like
        Targets, as for ``fit``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    eps : float, default=1e-6
        Finite-difference step.
    random_state : int, RandomState or None, default=0
        Seeds the initial weights of an unfitted estimator.

    Returns
    -------
    error : float
        ``||g_num - g|| / (||g_num|| + ||g||)``: below about 1e-7 the gradient
        is right, above 1e-5 it is suspect.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import MLPClassifier, check_gradients
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, 20)
    >>> clf = MLPClassifier((5, 4), activation="tanh", alpha=0.1, l1=0.01)
    >>> check_gradients(clf, X, y) < 1e-7
    True
    """
    est = copy.deepcopy(estimator)
    fitted = hasattr(est, "_network")
    est._validate_params()
    X, Y, y = est._validate_targets(X, y, incremental=fitted, reset=not fitted)
    sample_weight = est._sample_weight(sample_weight, X, y, incremental=False)
    if fitted:
        net = est._network
    else:
        net, inits = est._build_network(X.shape[1], Y.shape[1], X.dtype)
        net.initialize(check_random_state(random_state), inits, est.bias_init)
    X, Y = X.astype(net.dtype, copy=False), dense(Y.astype(net.dtype, copy=False))
    if sample_weight is not None:
        sample_weight = sample_weight.astype(net.dtype, copy=False)
    return relative_gradient_error(net, X, Y, sample_weight, est.alpha, est.l1, eps)
