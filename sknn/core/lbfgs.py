"""Full-batch L-BFGS-B: SciPy's minimiser on the network's flat parameters."""

import numpy as np
import scipy.optimize

from .divergence import TrainingDiverged
from .targets import dense

__all__ = ["fit_lbfgs"]


def fit_lbfgs(
    net,
    X,
    Y,
    sample_weight,
    *,
    max_iter,
    max_fun,
    tol,
    alpha=0.0,
    l1=0.0,
    options=None,
):
    """Full-batch L-BFGS-B on the flat parameter vector.

    ``options`` are more of SciPy's L-BFGS-B options. SciPy works in float64;
    the network keeps its own dtype, so a float32 model stays float32.
    Returns SciPy's ``OptimizeResult``, with
    ``reported_loss``: its cost on the reported scale
    (:meth:`Loss.reported_scale`).
    """

    Y = dense(Y)  # full batch: the one-hot matrix is needed at once

    def fun(x):
        net.params[...] = x
        with np.errstate(over="ignore", invalid="ignore"):
            cost = net.loss_and_gradient(X, Y, sample_weight, alpha, l1)
        return cost, net.grads.astype(np.float64)

    result = scipy.optimize.minimize(
        fun,
        net.params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        options={
            "maxfun": max_fun,
            "maxiter": max_iter,
            "gtol": tol,
            **(options or {}),
        },
    )
    net.params[...] = result.x
    net.update_running_stats(X, sample_weight=sample_weight)  # the full batch
    finite = np.isfinite(net.params).all() and np.isfinite(net.stats).all()
    if not (np.isfinite(result.fun) and finite):
        net.release_buffers()
        raise TrainingDiverged(f"L-BFGS produced a non-finite cost ({result.fun}).")
    result.reported_loss = np.float64(result.fun)  # scikit-learn's loss_ type
    scale = net.loss.reported_scale(Y.shape[1])
    if scale != 1.0:
        n = X.shape[0] if sample_weight is None else sample_weight.sum()
        penalty = net.add_penalty(alpha, l1, n)
        result.reported_loss = (result.reported_loss - penalty) * scale + penalty
    net.release_buffers()
    return result
