"""Shared estimator logic: parameters, validation and the fit/partial_fit flow.

The estimators validate, encode targets and pick the cost; everything numeric
happens in :mod:`sknn.core`. A fit works on copies and commits them to the
estimator only when it succeeds, so a failed ``fit``/``partial_fit`` never
changes a model that was already fitted.
"""

import threading
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight

from ._build import network_spec, new_state
from ._fitted import FittedMixin
from ._params import PARAMETER_CONSTRAINTS, STOCHASTIC_SOLVERS, check_schedule_name
from ._solvers import NoEpochCompleted, run_lbfgs, run_stochastic
from ._validation import ValidationMixin, cast_to
from .core import Network, TrainingDiverged
from .core.diagnostics import check_outputs
from .core.state import EpochStart

# Attributes scikit-learn's callback machinery keeps on the estimator during fit;
# a failed fit must not lose them, or the callbacks are never torn down.
_CALLBACK_ATTRIBUTES = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")

_idle_random_states = threading.local()  # per thread: a list to reuse


@contextmanager
def call_random_state(random_state):
    """``(rng, rewind)`` for one call: ``rng`` is ``check_random_state(
    random_state)``'s stream; ``rewind()`` puts a consumed one back.

    An int gives a new stream per call, as in scikit-learn, here from an
    idle ``RandomState`` reseeded (``seed``, 3 us) rather than a new one
    (200 us: a tenth of a small ``partial_fit`` call). A ``RandomState`` (or
    None, NumPy's global one) is consumed: ``rewind`` restores it.
    """
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        idle = _idle_random_states.__dict__.setdefault("idle", [])
        rng = idle.pop() if idle else np.random.RandomState()
        try:
            rng.seed(random_state)
            yield rng, lambda: None
        finally:
            idle.append(rng)
        return
    rng = check_random_state(random_state)
    start = rng.get_state()
    yield rng, lambda: rng.set_state(start)


def check_writeable(net, state):
    """Refuse to train in place on read-only arrays (a model loaded with
    ``joblib.load(..., mmap_mode="r")``), before anything is changed."""
    arrays = [net.params, getattr(net, "stats", None)]
    arrays += [a for a in vars(state.optimizer).values() if isinstance(a, np.ndarray)]
    if any(a is not None and not a.flags.writeable for a in arrays):
        raise ValueError(
            "Cannot continue training: this model's arrays are read-only (memory "
            "maps, as joblib.load(path, mmap_mode='r') gives), and partial_fit "
            "updates them in place. Continue on a copy in memory: model = "
            "copy.deepcopy(model), or load it again without mmap_mode (or with "
            "mmap_mode='c', copy-on-write, which leaves the file as it is). The "
            "model was left unchanged and still predicts."
        )


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

    def _validate_params(self):
        check_schedule_name(self)  # a schedule's name that needs parameters
        super()._validate_params()

    # -- fitting ---------------------------------------------------------------

    def _fit(self, X, y, sample_weight=None, incremental=False, validation=None,
             **target_kw):  # fmt: skip
        saved = self.__dict__.copy()
        undo = []  # what restores objects this call changes in place
        with call_random_state(self.random_state) as (rng, rewind):
            try:
                return self._fit_inner(
                    X, y, sample_weight, incremental, validation or {}, target_kw,
                    rng, undo,
                )  # fmt: skip
            except BaseException as exc:
                # Restore every attribute, so a failed call loses nothing.
                for restore in undo:
                    restore()
                kept = {
                    k: v for k, v in vars(self).items() if k in _CALLBACK_ATTRIBUTES
                }
                self.__dict__.clear()
                self.__dict__.update(saved)
                self.__dict__.update(kept)
                rewind()
                if not isinstance(exc, NoEpochCompleted):
                    raise
        # The core warned ("No epoch was completed"); the estimator, restored
        # above, is as it was before this call too.
        return self

    def _fit_inner(self, X, y, sample_weight, incremental, validation, target_kw,
                   rng, undo):  # fmt: skip
        first_pass = not hasattr(self, "_network") or (
            not self.warm_start and not incremental
        )
        X, Y, y = self._validate_targets(
            X, y, incremental, reset=first_pass, **target_kw
        )
        sample_weight = self._sample_weight(sample_weight, X, y, incremental)
        if first_pass:
            spec, inits = network_spec(self, X.shape[1], Y.shape[1], X.dtype)
            net = Network(**spec)
            net.initialize(rng, inits, self.bias_init)
            state = new_state(self, net)
        else:
            net, state, spec = self._continue(Y.shape[1], incremental, undo)
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
                run_stochastic(
                    self,
                    net,
                    state,
                    X,
                    Y,
                    y,
                    sample_weight,
                    incremental,
                    validation,
                    rng,
                )
            else:
                run_lbfgs(self, net, X, Y, sample_weight, first_pass)
            dead_units = check_outputs(net, X)
        except TrainingDiverged as exc:
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                f"contain large values and need to be preprocessed. ({exc} Lower "
                f"learning_rate_init (now {self.learning_rate_init}), scale the "
                "inputs (e.g. StandardScaler) or add regularisation. The model was "
                "left unchanged.)"
            ) from exc
        self._state, self._network_spec = state, spec
        self.__dict__.update(self._fitted_attributes(net))
        self.dead_unit_fraction_ = dead_units
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

    def _continue(self, n_outputs, incremental, undo):
        """The network and state to go on with, and the network's spec.

        ``partial_fit`` continues the optimiser and history in place (the
        call's start is saved, and ``undo`` gets what restores it), on the
        fitted network while the parameters define the same network, else on
        a new one holding the fitted parameters. A warm-started ``fit`` (or
        the first ``partial_fit`` after an L-BFGS fit) gets a new network and
        optimiser but keeps the curves and ``t_``.
        """
        old, state = self._network, self._state
        spec, _ = network_spec(self, old.layer_sizes[0], n_outputs, old.dtype)
        continues = incremental and state is not None  # the optimiser goes on
        net = old
        if not continues or spec != self.__dict__.get("_network_spec"):
            net = Network(**spec)
            if net.layer_sizes != old.layer_sizes or net.params.size != old.params.size:
                raise ValueError(
                    f"Cannot continue training: the layer sizes {net.layer_sizes} "
                    f"differ from the fitted model's {old.layer_sizes} (or its "
                    "normalisation options changed). Set warm_start=False or refit."
                )
            net.load_state(old)
        if continues:  # in place: the call's start is saved, to undo
            check_writeable(net, state)
            start = EpochStart(net)
            start.save(net, state)
            undo.append(lambda: start.restore(net, state))
            return net, state, spec
        state = new_state(self, net)
        if state is not None and self._state is not None:
            state.continue_history(self._state)
        return net, state, spec

    def _sample_weight(self, sample_weight, X, y, incremental):
        if sample_weight is not None:
            # Also rejects negative weights and weights that are all zero.
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        return sample_weight

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
