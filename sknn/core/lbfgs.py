"""Full-batch L-BFGS-B: SciPy's minimiser on the network's flat parameters.

L-BFGS amplifies last-bit differences in the objective or its gradient (its
line search compares values, its curvature pairs divide differences), so for
every network scikit-learn's MLP can express the objective handed to SciPy
is computed in scikit-learn's order of operations (``_backprop``), bit for
bit: :func:`sklearn_loss_and_gradient`. Other networks (normalisation,
weight norm, learned activations, L1, other costs) use the network's own
:meth:`~sknn.core.network.Network.loss_and_gradient`.
"""

import numpy as np
import scipy.optimize
from scipy.special import xlogy

from .divergence import TrainingDiverged
from .losses import BinaryLogLoss, LogLoss, Poisson, SquaredError
from .targets import dense
from .workspace import matmul

__all__ = ["fit_lbfgs", "follows_sklearn", "sklearn_loss_and_gradient"]


def follows_sklearn(net, l1=0.0):
    """Whether :func:`sklearn_loss_and_gradient` can compute ``net``'s
    objective: no normalisation, weight norm, learned activation parameters
    or L1, and a cost whose output gradient is ``p - y`` as scikit-learn's
    (the clipped log-losses, squared error with the identity, Poisson)."""
    loss = net.loss
    canonical = (
        (isinstance(loss, (LogLoss, BinaryLogLoss)) and loss.clip)
        or (isinstance(loss, SquaredError) and loss.out_activation == "identity")
        or isinstance(loss, Poisson)
    )
    return (
        canonical
        and not l1
        and all(norm is None for norm in net.normalization)
        and not any(net.weight_norm)
        and all(theta is None for theta in net.act_params)
    )


def _sklearn_cost(loss, Y, p, sample_weight):
    """The data term as scikit-learn's ``LOSS_FUNCTIONS`` compute it: each
    entry's cost, then ``np.average`` over samples (per output), then over
    outputs. (The squared error is summed over outputs, not averaged: sknn's
    deliberate difference for several outputs; one output is the same.)"""
    if isinstance(loss, SquaredError):
        return 0.5 * np.average((Y - p) ** 2, weights=sample_weight, axis=0).sum()
    if isinstance(loss, Poisson):
        entries = xlogy(Y, Y / p) - Y + p
        return np.average(entries, weights=sample_weight, axis=0).sum()
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1 - eps)
    # Boolean targets make SciPy take the logs in float64, also of float32 p.
    Y = Y.astype(np.float64, copy=False)
    entries = xlogy(Y, p)
    if isinstance(loss, BinaryLogLoss):
        entries += xlogy(1 - Y, 1 - p)
    return -np.average(entries, weights=sample_weight, axis=0).sum()


def sklearn_loss_and_gradient(net, X, Y, sample_weight, alpha, buffers=None):
    """``net``'s penalised cost, with its gradient in ``net.grads``, in
    scikit-learn's order of operations (its ``_forward_pass`` and
    ``_backprop``): the same values, bit for bit, for the networks it can
    express (:func:`follows_sklearn`).

    Every product is a row-major ``a @ W`` (the network's own passes write
    the output layer column by column, which BLAS sums in another order);
    the output delta ``p - y`` (times the sample weights) is propagated
    unscaled; each weight gradient is ``(a.T @ delta + alpha * W) / n`` and
    each bias gradient NumPy's column sum of ``delta`` over ``n`` (not a BLAS
    product with a vector of ones); the penalty is ``0.5 * alpha *
    sum_layers(w . w) / n``. ``buffers`` (a dict) keeps the work arrays
    between calls on the same ``X``, as the network keeps its own.

    Bit for bit in float64. In float32 too for classification:
    scikit-learn's float32 fit evaluates float32 weights (SciPy hands back
    ``x`` in the dtype of ``x0``) on float32 ``X``, with float64 logs of the
    probabilities; only its final ``coefs_`` are SciPy's float64 iterate,
    where sknn keeps the float32 network. Its float32 regression differs:
    its targets are float64, which makes its deltas and gradients float64
    (4 times the cost of a float32 evaluation, measured on 20,000 rows); sknn
    keeps them float32, so the two part by float32 rounding, which L-BFGS
    amplifies (diabetes, 30 iterations: weights 1.6 apart).

    Its cost, measured per evaluation against the network's own pass (one
    BLAS thread): +2% for one output on 5,000-20,000 rows, +10% for ten
    classes (NumPy's row sums of a row-major softmax, the log-loss of every
    entry), and about 15 us of NumPy calls (+30% on diabetes' 442 rows).
    """
    n, last = X.shape[0], net.n_layers - 1
    buffers = {} if buffers is None else buffers
    if buffers.get("rows") != n:
        sizes, dtype = net.layer_sizes[1:], net.dtype
        buffers.update(
            rows=n,
            z=[np.empty((n, k), dtype) for k in sizes],
            a=[np.empty((n, k), dtype) if act.needs_z else None
               for k, act in zip(sizes, net.activations)],
            delta=[np.empty((n, k), dtype) for k in sizes],
        )  # fmt: skip
    inputs, outputs = [], []  # each layer's input; each hidden layer's (z, a)
    a = X
    for i, (w, b) in enumerate(zip(net.coefs, net.intercepts)):
        inputs.append(a)
        z = matmul(a, w, buffers["z"][i])  # dense or sparse a
        z += b
        if i == last:
            p = net.loss.link(z, z)
            break
        act = net.activations[i]
        a = act.forward(z, z if buffers["a"][i] is None else buffers["a"][i])
        outputs.append((z, a))
    value = _sklearn_cost(net.loss, Y, p, sample_weight)
    squares = 0
    for w in net.coefs:
        w = w.ravel()
        squares += np.dot(w, w)
    sw_sum = n if sample_weight is None else sample_weight.sum()
    value += (0.5 * alpha) * squares / sw_sum
    delta = np.subtract(p, Y, out=buffers["delta"][last])
    if sample_weight is not None:
        delta *= sample_weight.reshape(-1, 1)
    scratch = net.scratch()
    for i in range(last, -1, -1):
        grad, w = net.grad_coefs[i], net.coefs[i]
        matmul(inputs[i].T, delta, grad)  # dense or sparse inputs
        grad += np.multiply(w, alpha, out=scratch[: w.size].reshape(w.shape))
        grad /= sw_sum
        np.sum(delta, axis=0, out=net.grad_intercepts[i])
        net.grad_intercepts[i] /= sw_sum
        if i == 0:
            break
        delta = matmul(delta, w.T, buffers["delta"][i - 1])
        act, (z, a) = net.activations[i - 1], outputs[i - 1]
        act.backward(z if act.needs_z else None, a, delta)
    return value


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
    as_sklearn, buffers = follows_sklearn(net, l1), {}

    def fun(x):
        net.params[...] = x
        with np.errstate(over="ignore", invalid="ignore"):
            if as_sklearn:
                cost = sklearn_loss_and_gradient(
                    net, X, Y, sample_weight, alpha, buffers
                )
            else:
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
