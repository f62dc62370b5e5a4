"""Weight penalties on the flat vector of weights (biases are never penalised).

With ``n`` the (weighted) number of samples the cost is averaged over:

* L2: cost ``+ alpha / (2 n) * sum(w**2)``, gradient ``alpha / n * w``
  (scikit-learn's scaling, so ``alpha`` means the same in both packages);
* L1: cost ``+ l1 / n * sum(|w|)``, gradient ``l1 / n * sign(w)``.
"""

import numpy as np

from ._blas import axpy

__all__ = ["add_penalty_gradient", "penalty_value"]


def penalty_value(weights, alpha, l1, n):
    """The penalty added to the cost for the flat ``weights`` vector."""
    squared = float(np.dot(weights, weights)) if alpha else 0.0
    absolute = float(np.abs(weights).sum()) if l1 else 0.0
    return (0.5 * alpha * squared + l1 * absolute) / n


def add_penalty_gradient(weights, grad, alpha, l1, n, work):
    """Add the penalty's gradient to ``grad`` (the weights' slice) in place
    and return the penalty's value.

    ``work`` is a preallocated buffer like ``weights``.
    """
    value = penalty_value(weights, alpha, l1, n)
    if alpha:
        axpy(weights, grad, alpha / n, work)
    if l1:
        np.sign(weights, out=work)
        axpy(work, grad, l1 / n, work)
    return value
