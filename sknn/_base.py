"""Shared estimator logic: parameters, validation and the fit/partial_fit flow.

The estimators validate, encode targets and pick the cost; everything numeric
happens in :mod:`sknn.core`. A fit works on copies and commits them to the
estimator only when it succeeds, so a failed ``fit``/``partial_fit`` never
changes a model that was already fitted.
"""

import warnings
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import (
    _check_sample_weight,
)

from ._callbacks import SklearnCallbackBridge
from ._fitted import FittedMixin
from ._params import (
    PARAMETER_CONSTRAINTS,
    STOCHASTIC_SOLVERS,
    check_activation,
    check_dropout,
    check_init,
    hidden_sizes,
    normalization_per_layer,
    per_layer,
    schedule_from_name,
)
from ._threads import scipy_blas_single_threaded
from ._validation import ValidationMixin, cast_to
from .core import (
    SCHEDULES,
    Network,
    TrainingDiverged,
    TrainingState,
    fit_lbfgs,
    fit_stochastic,
    get_activation,
    get_optimizer,
)
from .core.callbacks import (
    ProgressLogger,
    StoppingRule,
    ValidationMonitor,
    VerboseLogger,
)
from .core.diagnostics import (
    check_finite_outputs,
    dead_unit_fraction,
    diagnose_loss_curve,
)
from .core.initializers import SklearnUniform
from .core.schedules import ScheduleDriver

# Attributes scikit-learn's callback machinery keeps on the estimator during fit;
# a failed fit must not lose them, or the callbacks are never torn down.
_CALLBACK_ATTRIBUTES = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
_EPOCH_CURVES = (
    "loss_curve_", "best_loss_", "validation_scores_", "validation_loss_curve_",
    "best_validation_score_", "best_epoch_", "learning_rate_curve_",
    "gradient_norm_curve_", "clipped_gradient_norm_curve_", "layer_gradient_norms_",
)  # fmt: skip


class _NoEpochCompleted(Exception):
    """A training call interrupted before its first epoch: undo the call."""


class BaseMLP(
    FittedMixin, ValidationMixin, CallbackSupportMixin, BaseEstimator,
    metaclass=ABCMeta,
):  # fmt: skip
    """Base class for :class:`MLPClassifier` and :class:`MLPRegressor`."""

    _parameter_constraints: dict = dict(PARAMETER_CONSTRAINTS)

    @abstractmethod
    def __init__(self, **params):
        for name, value in params.items():
            setattr(self, name, value)

    # -- hooks the subclasses provide ---------------------------------------

    @abstractmethod
    def _validate_targets(self, X, y, incremental, reset):
        """Validate ``X``/``y``; return ``X``, the 2-D float targets, and ``y``."""

    @abstractmethod
    def _make_loss(self):
        """The cost object for the current targets and parameters."""

    @abstractmethod
    def _encode_targets(self, y):
        """Validated raw targets and their 2-D float encoding, for validation data."""

    @abstractmethod
    def _score_output(self, p, y, sample_weight):
        """The estimator's default score of network outputs ``p`` for targets ``y``."""

    # -- parameters ----------------------------------------------------------

    def _build_network(self, n_features, n_outputs, dtype):
        sizes = hidden_sizes(self.hidden_layer_sizes)
        n_hidden = len(sizes)
        activations = per_layer(self, "activation", n_hidden, check_activation)
        inits = per_layer(self, "init", n_hidden, check_init)
        if self.init == "sklearn":
            # scikit-learn's bound: factor 2 for logistic, for every layer.
            names = [getattr(a, "name", a) for a in activations]
            logistic = self.activation in ("logistic", "sigmoid") or (
                names and all(n in ("logistic", "sigmoid") for n in names)
            )
            inits = SklearnUniform(2.0 if logistic else 6.0)
        elif isinstance(self.init, str):
            inits = self.init  # one name covers the output layer too
        dropout = per_layer(self, "dropout", n_hidden, check_dropout)
        net = Network(
            [n_features, *sizes, n_outputs],
            [get_activation(a) for a in activations],
            self._make_loss(),
            dtype,
            dropout=dropout,
            normalization=normalization_per_layer(self, n_hidden),
            norm_position=self.norm_position,
            norm_momentum=self.batch_norm_momentum,
            weight_norm=self.weight_norm,
            input_noise=self.input_noise,
        )
        return net, inits

    def _new_state(self, net):
        if self.solver == "lbfgs":
            return None  # L-BFGS keeps no state between calls
        adam = {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        options = {
            "sgd": {"momentum": self.momentum, "nesterov": self.nesterovs_momentum},
            "adam": adam,
            "adamw": {
                **adam,
                "weight_decay": self.weight_decay,
                "n_decayed": net.n_weights,
            },
            "rmsprop": {"rho": self.rho, "epsilon": self.epsilon},
            "adagrad": {"epsilon": self.epsilon},
        }
        optimizer = get_optimizer(self.solver, **options[self.solver])
        optimizer.init(net.params)
        return TrainingState(optimizer, self._schedule(), self.early_stopping)

    def _schedule(self):
        """The rate driver: a schedule object (or the name of one in
        ``SCHEDULE_CLASSES``, built with its defaults) for any solver;
        scikit-learn's strings (its semantics) for 'sgd' only, else a
        constant rate."""
        lr, name = self.learning_rate_init, self.learning_rate
        if not isinstance(name, str):
            return ScheduleDriver(name, lr)
        if name not in SCHEDULES:
            return ScheduleDriver(schedule_from_name(name), lr)
        if self.solver != "sgd":
            name = "constant"
        schedule = SCHEDULES[name](lr)
        if name == "invscaling":
            schedule.power_t = self.power_t
        return schedule

    def set_params(self, **params):
        """Set parameters; ``learning_rate__<name>`` needs a schedule object.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and nested ones of ``learning_rate``.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        for key in params:
            name, nested, _ = key.partition("__")
            target = params.get(name, getattr(self, name, None))
            if nested and name in self.get_params(deep=False):
                if not hasattr(target, "set_params"):
                    raise ValueError(
                        f"Cannot set {key!r}: {name} is {target!r}, which has no "
                        f"parameters. Set {name} to a schedule object first (e.g. "
                        f"{name}=StepLR() from sknn.core.lr_schedules), in the same "
                        "call or in the same grid entry."
                    )
        return super().set_params(**params)

    # -- fitting ---------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, incremental=False, validation=None,
             **target_kw):  # fmt: skip
        saved = self.__dict__.copy()
        # scikit-learn's random stream, drawn anew by every call (an int seed
        # replays it; a RandomState or None is consumed, and restored on
        # failure).
        rng = check_random_state(self.random_state)
        rng_state = rng.get_state()
        try:
            return self._fit_inner(
                X, y, sample_weight, incremental, validation or {}, target_kw, rng
            )
        except BaseException as exc:
            # Restore every attribute, so a failed call loses nothing.
            kept = {k: v for k, v in vars(self).items() if k in _CALLBACK_ATTRIBUTES}
            self.__dict__.clear()
            self.__dict__.update(saved)
            self.__dict__.update(kept)
            rng.set_state(rng_state)
            if isinstance(exc, _NoEpochCompleted):
                warnings.warn(
                    "Training interrupted by user. No epoch was completed, so the "
                    "estimator is left as it was before this call.",
                    stacklevel=3,
                )
                return self
            raise

    def _fit_inner(self, X, y, sample_weight, incremental, validation, target_kw,
                   rng):  # fmt: skip
        first_pass = not hasattr(self, "_network") or (
            not self.warm_start and not incremental
        )
        X, Y, y = self._validate_targets(
            X, y, incremental, reset=first_pass, **target_kw
        )
        sample_weight = self._sample_weight(sample_weight, X, y, incremental)
        if first_pass:
            net, inits = self._build_network(X.shape[1], Y.shape[1], X.dtype)
            net.initialize(rng, inits, self.bias_init)
            state = self._new_state(net)
        else:
            net, state = self._continue(Y.shape[1], incremental)
            X, Y = cast_to(X, net.dtype, "X"), cast_to(Y, net.dtype, "y")
        if sample_weight is not None:
            sample_weight = cast_to(sample_weight, net.dtype, "sample_weight")
        validation = self._validation_data(
            net.dtype, incremental, n_outputs=Y.shape[1], X_train=X, **validation
        )

        stochastic = self.solver != "lbfgs"
        root = self._init_callback_context(
            max_subtasks=(1 if incremental else self.max_iter) if stochastic else 0
        )
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        root.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        try:
            if stochastic:
                self._run_stochastic(
                    net, state, X, Y, y, sample_weight, incremental, validation, rng
                )
            else:
                self._run_lbfgs(net, X, Y, sample_weight, first_pass)
            check_finite_outputs(net, X)
        except TrainingDiverged as exc:
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                f"contain large values and need to be preprocessed. ({exc} Lower "
                f"learning_rate_init (now {self.learning_rate_init}), scale the "
                "inputs (e.g. StandardScaler) or add regularisation. The model was "
                "left unchanged.)"
            ) from exc
        self._state = state
        self.__dict__.update(self._fitted_attributes(net))
        self.dead_unit_fraction_ = dead_unit_fraction(net, X, np.random.default_rng(0))
        root.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        return self

    def _fitted_attributes(self, net):
        """The fitted attributes that come from ``net`` (what a copy of this
        estimator needs to predict with it)."""
        return {
            "_network": net,
            "n_outputs_": net.layer_sizes[-1],
            "n_layers_": len(net.layer_sizes),
            "out_activation_": net.loss.out_activation,
        }

    def _continue(self, n_outputs, incremental):
        """A fresh network holding the fitted parameters, and the state to go on.

        ``partial_fit`` continues the optimiser and history; a warm-started
        ``fit`` starts a new optimiser but keeps the curves and ``t_``.
        """
        old = self._network
        net, _ = self._build_network(old.layer_sizes[0], n_outputs, old.dtype)
        if net.layer_sizes != old.layer_sizes or net.params.size != old.params.size:
            raise ValueError(
                f"Cannot continue training: the layer sizes {net.layer_sizes} differ "
                f"from the fitted model's {old.layer_sizes} (or its normalisation "
                "options changed). Set warm_start=False or refit."
            )
        net.load_state(old)
        if incremental and self._state is not None:
            return net, self._state.copy()
        # A warm-started fit (or the first partial_fit after an L-BFGS fit)
        # starts a new optimiser.
        state = self._new_state(net)
        if state is not None and self._state is not None:
            state.continue_history(self._state)
        return net, state

    def _sample_weight(self, sample_weight, X, y, incremental):
        if sample_weight is not None:
            # Also rejects negative weights and weights that are all zero.
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        return sample_weight

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is "
                f"going to be clipped (batch_size={self.batch_size}, "
                f"{n_samples} samples).",
                stacklevel=4,
            )
        return min(self.batch_size, n_samples)

    def _run_stochastic(self, net, state, X, Y, y, sample_weight, incremental,
                        validation, rng):  # fmt: skip
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if self.early_stopping and validation is None:
            X, Y, y, sample_weight, validation = self._split_validation(
                X, Y, y, sample_weight, rng
            )
        # Dropout and input noise (sknn's own) draw from a stream of their
        # own, so that they leave scikit-learn's draws untouched.
        noise_rng = (
            np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
            if net.is_stochastic
            else None
        )
        state.n_iter = 0  # per call, as scikit-learn's n_iter_
        state.diverged = None
        batch_size = self._batch_size(X.shape[0])
        n_batches = -(-X.shape[0] // batch_size)
        callbacks = []
        if validation is not None:
            callbacks.append(ValidationMonitor(self._evaluator(*validation)))
        log = print if self.verbose else None
        if self.progress_bar:  # on stderr; clears itself before messages
            n_epochs = 1 if incremental else self.max_iter
            progress = ProgressLogger(n_epochs, n_batches)
            callbacks.append(progress)
            log = progress.write if log else None
        if self.verbose:
            callbacks.append(VerboseLogger(log))
        callbacks.append(
            StoppingRule(
                self.tol,
                self.n_iter_no_change,
                monitor="validation" if self.early_stopping else "loss",
                log=log,
            )
        )
        if getattr(self, "_skl_callbacks", None):
            metadata = (
                None if sample_weight is None else {"sample_weight": sample_weight}
            )
            callbacks.append(
                SklearnCallbackBridge(
                    self,
                    self._callback_fit_ctx,
                    X,
                    y,
                    metadata,
                    n_batches=n_batches,
                    fitted=self._fitted_attributes,
                )  # fmt: skip
            )
        fit_stochastic(
            net,
            X,
            Y,
            sample_weight,
            state,
            max_iter=self.max_iter,
            batch_size=batch_size,
            shuffle=self.shuffle,
            rng=rng,
            noise_rng=noise_rng,
            alpha=self.alpha,
            l1=self.l1,
            clip_norm=self.clip_norm,
            clip_value=self.clip_value,
            callbacks=callbacks,
            incremental=incremental,
            keep_best_on_divergence=self.early_stopping,
        )
        if state.n_iter == 0:  # interrupted within the first epoch
            raise _NoEpochCompleted
        if state.diverged:
            warnings.warn(
                f"{state.diverged} Training stopped; the weights of the best "
                "validation epoch are kept. Lower learning_rate_init or scale the "
                "inputs.",
                ConvergenceWarning,
                stacklevel=4,
            )
        elif (
            not incremental
            and not state.stopped_early
            and state.n_iter >= self.max_iter
        ):
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet. "
                + diagnose_loss_curve(state.loss_curve, self.tol),
                ConvergenceWarning,
                stacklevel=4,
            )
        self._set_curves(state)

    def _set_curves(self, state):
        self.n_iter_, self.t_ = state.n_iter, state.t
        self.loss_, self.loss_curve_ = state.loss, state.loss_curve
        self.best_loss_ = state.best_loss
        self.learning_rate_curve_ = state.learning_rate_curve
        self.gradient_norm_curve_ = state.gradient_norm_curve
        self.clipped_gradient_norm_curve_ = state.clipped_gradient_norm_curve
        self.layer_gradient_norms_ = np.array(state.layer_gradient_norms)
        scores = state.validation_scores or None
        self.validation_scores_ = scores
        self.validation_loss_curve_ = state.validation_loss_curve if scores else None
        if self.early_stopping:  # tracked by the stopping rule, NaN-aware
            self.best_validation_score_ = state.best_validation_score
        else:  # validation data only watched
            self.best_validation_score_ = float(np.nanmax(scores)) if scores else None
        self.best_epoch_ = state.best_epoch

    # -- L-BFGS ------------------------------------------------------------------

    def _run_lbfgs(self, net, X, Y, sample_weight, first_pass):
        with scipy_blas_single_threaded():
            result = fit_lbfgs(
                net,
                X,
                Y,
                sample_weight,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                alpha=self.alpha,
                l1=self.l1,
                # SciPy's own progress lines where scikit-learn asks for them
                # (SciPy < 1.15; newer SciPy prints nothing).
                options=_get_additional_lbfgs_options_dict(
                    "iprint", 1 if self.verbose else -1
                ),
            )
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = result.reported_loss
        # As scikit-learn: L-BFGS counts no samples (t_ stays as it was).
        self.t_ = 0 if first_pass else getattr(self, "t_", 0)
        # Curves are per epoch: a refit with L-BFGS must not keep an earlier
        # stochastic fit's (scikit-learn's MLP sets none for L-BFGS either).
        for name in _EPOCH_CURVES:
            self.__dict__.pop(name, None)

    def _check_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
