"""What a fitted network and its loss curve say about training.

``diagnose_loss_curve`` turns a loss curve that ran out of epochs into advice;
``dead_unit_fraction`` measures ReLU units that never fire.
"""

import numpy as np
import scipy.sparse as sp

from .divergence import TrainingDiverged, numpy_errstate

__all__ = [
    "check_finite_outputs",
    "check_outputs",
    "dead_unit_fraction",
    "diagnose_loss_curve",
]

# Activations whose units can die: output and gradient exactly 0 for z <= 0.
_DYING = {"relu", "relu6"}


def diagnose_loss_curve(loss_curve, tol=1e-4, window=10):
    """Advice for a run that hit ``max_iter``, from the shape of its loss curve.

    * flat from the start (relative spread below 1e-3 overall): the
      network is not learning -- scale the inputs or change the
      initialisation / learning rate;
    * ending above where it started: lower the learning rate;
    * oscillating (at least half of the last ``window`` changes go up):
      lower the learning rate;
    * otherwise still falling: raise ``max_iter``.
    """
    curve = np.asarray(loss_curve, dtype=float)
    if curve.size < 2:
        return "Raise max_iter: training ran for a single epoch."
    scale = max(abs(curve[0]), np.finfo(float).tiny)
    if (curve.max() - curve.min()) / scale < 1e-3:
        return (
            "The loss has been flat from the start: scale the inputs (e.g. "
            "StandardScaler), or change init or learning_rate_init."
        )
    if curve[-1] > curve[0]:
        return "The loss ended higher than it started: lower learning_rate_init."
    steps = np.diff(curve[-(window + 1) :])
    if np.mean(steps > 0) >= 0.5:
        return (
            "The loss is oscillating over the last epochs: lower "
            "learning_rate_init (or use a decaying learning_rate schedule)."
        )
    return (
        "The loss was still falling (by "
        f"{-steps.mean():.3g} per epoch lately, tol={tol:g}): raise max_iter."
    )


def _sample_blocks(net, X, rng, max_samples):
    """Dense blocks of up to ``max_samples`` rows of ``X``, each small enough
    (2**14 activations per layer) that the diagnostics need little memory
    whatever the network. The rows are distinct and in order: drawn with
    ``rng`` (``rng()`` makes the Generator, only when rows must be drawn) or,
    with ``rng=None``, spread evenly over ``X``."""
    block = max(8, (1 << 14) // max(net.layer_sizes))
    rows, n = None, X.shape[0]
    if n > max_samples and rng is None:
        rows = np.linspace(0, n - 1, max_samples).astype(np.intp)
    elif n > max_samples:  # O(max_samples) memory, unlike rng.choice
        rows = np.unique(rng().integers(0, n, max_samples))
    for start in range(0, X.shape[0] if rows is None else len(rows), block):
        part = slice(start, start + block)
        part = X[part] if rows is None else X[rows[part]]
        yield part.toarray() if sp.issparse(part) else part


def _evaluation_pass(net, X, rng, max_samples, check_finite):
    alive = [np.zeros(k, bool) for k in net.layer_sizes[1:-1]]
    with numpy_errstate(all="ignore"):
        for part in _sample_blocks(net, X, rng, max_samples):
            hidden = []
            z = net.evaluate(part, hidden)
            if check_finite and not np.isfinite(z).all():
                raise TrainingDiverged(
                    "The trained network's outputs overflow (weights of "
                    f"magnitude {np.abs(net.params).max():.3g})."
                )
            for seen, out in zip(alive, hidden):
                seen |= (out != 0).any(axis=0)
    return [
        float(1 - seen.mean()) if getattr(act, "name", None) in _DYING else None
        for act, seen in zip(net.activations, alive)
    ]


def check_outputs(net, X, max_samples=1000):
    """After training: raise :class:`TrainingDiverged` if the network's outputs
    on (up to ``max_samples`` rows of) ``X`` are not finite, else return its
    :func:`dead_unit_fraction` on the same rows, both from one evaluation
    pass. The rows are spread evenly over ``X``: the same every time, and no
    random generator to make (a process's first NumPy ``Generator`` loads
    0.3 MB of code pages).

    Training checks each batch's cost and that the parameters are finite; the
    last step can still leave finite but huge weights whose forward pass
    overflows, and such a model must not be returned. (The output layer's
    ``z`` is checked: every output activation maps a finite ``z`` to a
    finite output.)
    """
    return _evaluation_pass(net, X, None, max_samples, check_finite=True)


def check_finite_outputs(net, X, max_samples=1000):
    """:func:`check_outputs` without its dead-unit fractions."""
    check_outputs(net, X, max_samples)


def dead_unit_fraction(net, X, rng, max_samples=1000):
    """Per hidden layer, the share of units that output 0 on every sample.

    Measured on at most ``max_samples`` rows of ``X`` drawn with ``rng``;
    ``None`` for layers whose activation is not ReLU-like (their units
    cannot die).
    """
    return _evaluation_pass(net, X, lambda: rng, max_samples, check_finite=False)
