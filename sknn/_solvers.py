"""The two solver drivers: the estimator's side of a stochastic or L-BFGS fit.

Each takes the estimator (its parameters), a network and validated arrays,
assembles what the core's loop needs (batch size, callbacks, progress
output, the validation split), runs it, and writes the training curves and
counters back as fitted attributes, with scikit-learn's warnings.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
from sklearn.utils.optimize import _check_optimize_result

from ._backup import backup_session
from ._progress import ProgressLogger, VerboseLogger
from ._sklearn_callbacks import SklearnCallbackBridge
from ._threads import scipy_blas_single_threaded
from .core import fit_lbfgs, fit_stochastic
from .core.callbacks import StoppingRule, ValidationMonitor
from .core.diagnostics import diagnose_loss_curve

__all__ = ["run_lbfgs", "run_stochastic"]

# The per-epoch curves (an L-BFGS fit sets none of them; the estimator's
# ``layer_gradient_norms_`` is read from the training state when asked for).
EPOCH_CURVES = (
    "loss_curve_", "best_loss_", "validation_scores_", "validation_loss_curve_",
    "best_validation_score_", "best_epoch_", "learning_rate_curve_",
    "gradient_norm_curve_", "clipped_gradient_norm_curve_",
)  # fmt: skip


class NoEpochCompleted(Exception):
    """A training call interrupted before its first epoch: undo the call."""


def _batch_size(est, n_samples):
    if est.batch_size == "auto":
        return min(200, n_samples)
    if est.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is "
            f"going to be clipped (batch_size={est.batch_size}, "
            f"{n_samples} samples).",
            stacklevel=5,  # the estimator's fit, as the ConvergenceWarnings
        )
    return min(est.batch_size, n_samples)


def run_stochastic(est, net, state, X, Y, y, sample_weight, incremental,
                    validation, rng):  # fmt: skip
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    # A backup (sknn.BackupAndRestore) to resume rewinds rng to the call's start.
    backup = backup_session(
        est, net, state, X, y, sample_weight, validation, rng, incremental
    )
    entry = None if backup is None else rng.get_state()
    if est.early_stopping and validation is None:
        X, Y, y, sample_weight, validation = est._split_validation(
            X, Y, y, sample_weight, rng
        )
    # Dropout and input noise (sknn's own) draw from a stream of their
    # own, so that they leave scikit-learn's draws untouched.
    noise_rng = (
        np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
        if net.is_stochastic
        else None
    )
    # A schedule's own noise (NoisyLinearCosineDecay) is seeded from the fit's
    # stream when its training state first trains, after scikit-learn's draws
    # (weights, split) and the dropout stream's; other schedules draw nothing.
    if hasattr(state.schedule, "seed"):
        state.schedule.seed(rng)
    state.n_iter = 0  # per call, as scikit-learn's n_iter_
    state.diverged = None
    batch_size = _batch_size(est, X.shape[0])
    n_batches = -(-X.shape[0] // batch_size)
    callbacks = []
    if backup is not None:  # first: it restores before the others begin
        backup.bind(rng, noise_rng, entry)
        callbacks.append(backup)
    if validation is not None:
        callbacks.append(ValidationMonitor(est._evaluator(*validation)))
    log = print if est.verbose else None
    if est.progress_bar:  # on stderr; clears itself before messages
        n_epochs = 1 if incremental else est.max_iter
        last = None if incremental else est.max_iter  # also when resumed
        progress = ProgressLogger(n_epochs, n_batches, last_epoch=last)
        callbacks.append(progress)
        log = progress.write if log else None
    if est.verbose:
        callbacks.append(VerboseLogger(log))
    callbacks.append(
        StoppingRule(
            est.tol,
            est.n_iter_no_change,
            monitor="validation" if est.early_stopping else "loss",
            log=log,
        )
    )
    if getattr(est, "_skl_callbacks", None):
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        callbacks.append(
            SklearnCallbackBridge(
                est,
                est._callback_fit_ctx,
                X,
                y,
                metadata,
                n_batches=n_batches,
                fitted=est._fitted_attributes,
            )  # fmt: skip
        )
    fit_stochastic(
        net,
        X,
        Y,
        sample_weight,
        state,
        max_iter=est.max_iter,
        batch_size=batch_size,
        shuffle=est.shuffle,
        rng=rng,
        noise_rng=noise_rng,
        alpha=est.alpha,
        l1=est.l1,
        clip_norm=est.clip_norm,
        clip_value=est.clip_value,
        callbacks=callbacks,
        incremental=incremental,
        keep_best_on_divergence=est.early_stopping,
    )
    if state.n_iter == 0:  # interrupted within the first epoch
        raise NoEpochCompleted
    if state.diverged:
        warnings.warn(
            f"{state.diverged} Training stopped; the weights of the best "
            "validation epoch are kept. Lower learning_rate_init or scale the "
            "inputs.",
            ConvergenceWarning,
            stacklevel=4,
        )
    elif not incremental and not state.stopped_early and state.n_iter >= est.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached "
            "and the optimization hasn't converged yet. "
            + diagnose_loss_curve(state.loss_curve, est.tol),
            ConvergenceWarning,
            stacklevel=4,
        )
    set_curves(est, state)


def set_curves(est, state):
    est.n_iter_, est.t_ = state.n_iter, state.t
    est.loss_, est.loss_curve_ = state.loss, state.loss_curve
    est.best_loss_ = state.best_loss
    est.learning_rate_curve_ = state.learning_rate_curve
    est.gradient_norm_curve_ = state.gradient_norm_curve
    est.clipped_gradient_norm_curve_ = state.clipped_gradient_norm_curve
    scores = state.validation_scores or None
    est.validation_scores_ = scores
    est.validation_loss_curve_ = state.validation_loss_curve if scores else None
    if est.early_stopping:  # tracked by the stopping rule, NaN-aware
        est.best_validation_score_ = state.best_validation_score
    else:  # validation data only watched
        est.best_validation_score_ = float(np.nanmax(scores)) if scores else None
    est.best_epoch_ = state.best_epoch


def run_lbfgs(est, net, X, Y, sample_weight, first_pass):
    with scipy_blas_single_threaded():
        result = fit_lbfgs(
            net,
            X,
            Y,
            sample_weight,
            max_iter=est.max_iter,
            max_fun=est.max_fun,
            tol=est.tol,
            alpha=est.alpha,
            l1=est.l1,
            # SciPy's own progress lines where scikit-learn asks for them
            # (SciPy < 1.15; newer SciPy prints nothing).
            options=_get_additional_lbfgs_options_dict(
                "iprint", 1 if est.verbose else -1
            ),
        )
    est.n_iter_ = _check_optimize_result("lbfgs", result, est.max_iter)
    est.loss_ = result.reported_loss
    # As scikit-learn: L-BFGS counts no samples (t_ stays as it was).
    est.t_ = 0 if first_pass else getattr(est, "t_", 0)
    # Curves are per epoch: a refit with L-BFGS must not keep an earlier
    # stochastic fit's (scikit-learn's MLP sets none for L-BFGS either).
    for name in EPOCH_CURVES:
        est.__dict__.pop(name, None)
