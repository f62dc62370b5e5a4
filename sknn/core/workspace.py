"""The arrays a network's passes write into, and the products into them.

A training pass writes every intermediate result into work buffers made
once per network by :func:`work_buffers` and reused for every batch of at
most that many rows (a smaller batch uses the leading rows). The products
of the passes go through :func:`matmul`, which writes into such a buffer
whatever the input: dense or sparse, one column or many, a row-major or a
:func:`column_major` output.
"""

import numpy as np

__all__ = ["column_major", "matmul", "work_buffers"]


def matmul(a, w, out):
    """``out[...] = a @ w`` for a dense or sparse ``a``.

    A column-major ``out`` (the output layer's) is written by BLAS as
    ``out.T = w.T @ a.T``: NumPy falls back to a slow loop for such an ``out``.
    """
    if not isinstance(a, np.ndarray):  # sparse (faster to ask than issparse)
        np.copyto(out, a @ w)
    elif a.shape[1] == 1:  # an outer product (exact)
        if out.flags.c_contiguous and a.dtype == w.dtype == out.dtype:
            # np.dot: 1.4-1.9x faster than matmul or a broadcast multiply at
            # k = 1, and it needs no ufunc buffer (up to 128 kB per call);
            # it takes no out= of another layout or dtype.
            np.dot(a, w, out=out)
        else:
            np.multiply(a, w, out=out)
    elif out.shape[1] > 1 and out.strides[0] == out.itemsize:
        np.matmul(w.T, a.T, out=out.T)
    else:
        np.matmul(a, w, out=out)
    return out


def column_major(n, k, dtype):
    """An ``(n, k)`` array stored column by column (``k > 1``; else C order).

    The output layer has few columns: reductions over them (softmax, log-loss)
    and the bias gradient then run along contiguous memory, several times
    faster than over rows of ``k`` entries.
    """
    return np.empty((k, n), dtype).T if k > 1 else np.empty((n, k), dtype)


def work_buffers(net, n, hooks):
    """The work buffers of ``net``'s passes for batches of at most ``n`` rows.

    A dict of arrays (or per-layer lists, None where a layer needs none):
    ``"z"`` and ``"delta"`` each layer's pre-activation and its gradient
    (the output layer's column-major, as ``"p"``, the predictions); ``"a"``
    the activation's output where it cannot overwrite ``z``; ``"mask"`` and
    ``"dropped"`` dropout's mask and output; ``"noise"`` the noisy inputs;
    ``"norm"`` the normalisers' buffers (from ``hooks``, the network's
    :class:`~sknn.core.norm_hooks.NormHooks`); ``"wn"`` per
    weight-normalised layer its effective ``W``, ``||v||`` and a temporary
    like ``W``; ``"ones"`` for the bias gradients as BLAS products; and
    ``"rows"``, ``n``.
    """
    dt, hidden, n_out = net.dtype, net.layer_sizes[1:-1], net.layer_sizes[-1]
    new = lambda k: np.empty((n, k), dt)  # noqa: E731
    dropout_sizes = [k if rate else 0 for k, rate in zip(hidden, net.dropout)]
    return {
        "rows": n,
        "ones": np.ones(n, dt),
        "z": [new(k) for k in hidden] + [column_major(n, n_out, dt)],
        "a": [new(k) if a.needs_z else None for k, a in zip(hidden, net.activations)],
        "mask": [new(k) if k else None for k in dropout_sizes],
        "dropped": [new(k) if k else None for k in dropout_sizes],
        "delta": [new(k) for k in hidden] + [column_major(n, n_out, dt)],
        "p": column_major(n, n_out, dt),
        "noise": new(net.layer_sizes[0]) if net.input_noise else None,
        "norm": hooks.buffers(n),
        "wn": [
            None
            if g is None
            else (np.empty_like(v), np.empty_like(g), np.empty_like(v))
            for v, g in zip(net.coefs, net.wn_scales)
        ],
    }
