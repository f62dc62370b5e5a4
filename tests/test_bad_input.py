"""Bad input gets a clear error, and a failed call loses nothing.

The catalogue ``BAD_CALLS`` lists bad inputs to a fitted model: each names the
error type and a pattern its message must match (the offending parameter or
input and what was expected), and afterwards the model must be exactly as it
was: every attribute the same object, the parameters equal, and the pickle the
same bytes. ``BAD_PARAMS`` does the same for invalid hyperparameters; further
tests cover fresh models, sparse input, divergence and KeyboardInterrupt.
"""

import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import (
    ScriptedCallback,
    assert_deep_equal,
    assert_same_model,
    assert_unchanged,
    fitted_state,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import sknn.core.lbfgs as lbfgs
import sknn.core.optimizers as optimizers
from sknn import MLPClassifier, MLPRegressor
from sknn.core import TrainingDiverged
from sknn.core.lr_schedules import StepLR
from sknn.core.network import Network

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def fitted(small_classification):
    X, y = small_classification
    clf = MLPClassifier((6,), max_iter=5, random_state=0).fit(X, y)
    return clf, X, y


@pytest.fixture
def fitted_reg(small_regression):
    X, y = small_regression
    reg = MLPRegressor(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, y)
    return reg, X, y


def snapshot(est):
    """What :func:`assert_same` compares: attributes, parameters and pickle."""
    return fitted_state(est), pickle.dumps(est)


def assert_same(est, before):
    state, blob = before
    assert_unchanged(est, state)
    assert pickle.dumps(est) == blob


def _put(A, value, where=(3, 2), dtype=None):
    """A copy of ``A`` (as ``dtype``) with ``value`` at ``where``."""
    A = A.astype(dtype or A.dtype)
    A[where] = value
    return A


ONES = np.ones(200)

# name -> (estimator, parameters set first, call, error type, message pattern)
# "clf" is a fitted MLPClassifier on 200 x 8 with 3 classes, "reg" a fitted
# MLPRegressor on 200 x 6.
BAD_CALLS = {
    # -- X -----------------------------------------------------------------------
    "NaN in X": ("clf", {}, lambda m, X, y: m.fit(_put(X, np.nan), y),
                 ValueError, "Input X contains NaN"),
    "inf in X": ("clf", {}, lambda m, X, y: m.fit(_put(X, np.inf), y),
                 ValueError, "Input X contains infinity"),
    "-inf in X": ("reg", {}, lambda m, X, y: m.fit(_put(X, -np.inf), y),
                  ValueError, "Input X contains infinity"),
    "None in X": ("clf", {}, lambda m, X, y: m.fit(_put(X, None, dtype=object), y),
                  ValueError, "Input X contains NaN"),
    "string X": ("clf", {}, lambda m, X, y: m.fit(np.full(X.shape, "a"), y),
                 ValueError, "could not convert string to float"),
    "a string in object X": (
        "clf", {}, lambda m, X, y: m.fit(_put(X, "abc", dtype=object), y),
        ValueError, "could not convert string to float: 'abc'"),
    "complex X": ("clf", {}, lambda m, X, y: m.fit(X + 1j, y),
                  ValueError, "Complex data not supported"),
    "1-D X": ("clf", {}, lambda m, X, y: m.fit(X[:, 0], y),
              ValueError, "Expected 2D array, got 1D array"),
    "3-D X": ("clf", {}, lambda m, X, y: m.fit(X[:, :, None], y),
              ValueError, "Found array with dim 3"),
    "X is None": ("reg", {}, lambda m, X, y: m.fit(None, y),
                  ValueError, "Expected 2D array"),
    "empty X": ("clf", {}, lambda m, X, y: m.fit(X[:0], y[:0]),
                ValueError, r"0 sample\(s\) \(shape=\(0, 8\)\) while a minimum of 1"),
    "zero features": ("clf", {}, lambda m, X, y: m.fit(X[:, :0], y),
                      ValueError, r"0 feature\(s\) \(shape=\(200, 0\)\)"),
    "single sample, early stopping": (
        "reg", {"early_stopping": True}, lambda m, X, y: m.fit(X[:1], y[:1]),
        ValueError, r"^With n_samples=1, test_size=0\.1 and train_size=None, the "
                    r"resulting train set will be empty\..* \(early_stopping holds "
                    r"out validation_fraction=0\.1 of 1 samples; or pass X_val and "
                    r"y_val to fit\.\)$"),
    "one validation sample, early stopping": (
        "clf", {"early_stopping": True}, lambda m, X, y: m.fit(X[:10], y[:10]),
        ValueError, r"^The validation set is too small\. Increase "
                    r"'validation_fraction' or the size of your dataset\. "
                    r"\(early_stopping holds out "
                    r"validation_fraction=0\.1 of 10 samples; or pass X_val"),
    "X and y lengths differ": (
        "clf", {}, lambda m, X, y: m.fit(X, y[:-1]),
        ValueError, r"inconsistent numbers of samples: \[200, 199\]"),
    "fewer features, warm start": (
        "clf", {"warm_start": True}, lambda m, X, y: m.fit(X[:, :-1], y),
        ValueError, "X has 7 features, but MLPClassifier is expecting 8"),
    "NaN in sparse X": (
        "clf", {}, lambda m, X, y: m.fit(sp.csr_matrix(_put(X, np.nan)), y),
        ValueError, "Input X contains NaN"),
    # -- y -----------------------------------------------------------------------
    "y is None": ("clf", {}, lambda m, X, y: m.fit(X, None),
                  ValueError, "requires y to be passed"),
    "NaN label": ("clf", {}, lambda m, X, y: m.fit(X, _put(y, np.nan, 5, float)),
                  ValueError, "Input y contains NaN"),
    "NaN target": ("reg", {}, lambda m, X, y: m.fit(X, _put(y, np.nan, 5)),
                   ValueError, "Input y contains NaN"),
    "inf target": ("reg", {}, lambda m, X, y: m.fit(X, _put(y, np.inf, 5)),
                   ValueError, "Input y contains infinity"),
    "None label": ("clf", {}, lambda m, X, y: m.fit(X, _put(y, None, 5, object)),
                   ValueError, r"y contains missing labels \(None\): every sample"),
    "None target": ("reg", {}, lambda m, X, y: m.fit(X, _put(y, None, 5, object)),
                    ValueError, "Input y contains NaN"),
    "complex target": ("reg", {}, lambda m, X, y: m.fit(X, y + 1j),
                       ValueError, "Complex data not supported"),
    "string target": ("reg", {}, lambda m, X, y: m.fit(X, np.full(len(y), "a")),
                      ValueError, "could not convert string to float"),
    "continuous labels": ("clf", {}, lambda m, X, y: m.fit(X, X[:, 0]),
                          ValueError, "Unknown label type"),
    "3-D y": ("clf", {}, lambda m, X, y: m.fit(X, y[:, None, None]),
              ValueError, "Found array with dim 3"),
    "multiclass-multioutput y": (
        "clf", {}, lambda m, X, y: m.fit(X, np.c_[y, y]),
        ValueError, "Multioutput target data is not supported"),
    "2-D y with too few rows": (
        "reg", {}, lambda m, X, y: m.fit(X, np.ones((199, 2))),
        ValueError, r"inconsistent numbers of samples: \[200, 199\]"),
    "scalar y": ("clf", {}, lambda m, X, y: m.fit(X, 3),
                 TypeError, "at least 1 dimension"),
    "sparse y": ("reg", {}, lambda m, X, y: m.fit(X, sp.csr_matrix(y[:, None])),
                 TypeError, "Sparse data was passed for y"),
    "negative y, poisson": (
        "reg", {"loss": "poisson"}, lambda m, X, y: m.fit(X, y),
        ValueError, "y are negative which is not allowed for Poisson"),
    "other classes, warm start": (
        "clf", {"warm_start": True}, lambda m, X, y: m.fit(X, y % 2),
        ValueError, "warm_start can only be used where `y` has the same classes"),
    "other layer sizes, warm start": (
        "clf", {"warm_start": True, "hidden_layer_sizes": (7,)},
        lambda m, X, y: m.fit(X, y),
        ValueError, r"layer sizes \[8, 7, 3\] differ from the fitted model's"),
    "more outputs, partial_fit": (
        "reg", {}, lambda m, X, y: m.partial_fit(X, np.c_[y, y]),
        ValueError, r"layer sizes \[6, 6, 2\] differ from the fitted model's"),
    # -- partial_fit -------------------------------------------------------------
    "unseen label, partial_fit": (
        "clf", {}, lambda m, X, y: m.partial_fit(X, np.where(y == 0, 7, y)),
        ValueError, r"^`y` has classes not in `self\.classes_`\. `self\.classes_` has "
                    r"\[0 1 2\]\. 'y' has \[1 2 7\]\. \(New: \[7\]; "),
    "fewer features, partial_fit": (
        "clf", {}, lambda m, X, y: m.partial_fit(X[:, :6], y),
        ValueError, "X has 6 features, but MLPClassifier is expecting 8"),
    "other classes, partial_fit": (
        "clf", {}, lambda m, X, y: m.partial_fit(X, y, classes=[0, 1, 2, 3]),
        ValueError, r"^`classes=\[0, 1, 2, 3\]` is not the same as on last call to "
                    r"partial_fit, was: array\(\[0, 1, 2\]\)"),
    "partial_fit with lbfgs": (
        "clf", {"solver": "lbfgs"}, lambda m, X, y: m.partial_fit(X, y),
        AttributeError, "has no attribute 'partial_fit'"),
    "balanced class_weight, partial_fit": (
        "clf", {"class_weight": "balanced"}, lambda m, X, y: m.partial_fit(X, y),
        ValueError, "class_weight='balanced' is not supported for partial_fit"),
    "early_stopping, partial_fit": (
        "clf", {"early_stopping": True}, lambda m, X, y: m.partial_fit(X, y),
        ValueError, "partial_fit does not support early_stopping=True"),
    "X_val in partial_fit": (
        "clf", {}, lambda m, X, y: m.partial_fit(X, y, X_val=X, y_val=y),
        TypeError, "unexpected keyword argument 'X_val'"),
    # -- sample_weight -----------------------------------------------------------
    "sample_weight too short": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight=np.ones(199)),
        ValueError, r"sample_weight.shape == \(199,\), expected \(200,\)"),
    "negative sample_weight": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight=_put(ONES, -1, 0)),
        ValueError, "Negative values in data passed to `sample_weight`"),
    "zero sample_weight": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight=np.zeros(200)),
        ValueError, "Sample weights must contain at least one non-zero number"),
    "NaN sample_weight": (
        "reg", {}, lambda m, X, y: m.fit(X, y, sample_weight=_put(ONES, np.nan, 0)),
        ValueError, "Input sample_weight contains NaN"),
    "inf sample_weight": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight=_put(ONES, np.inf, 0)),
        ValueError, "Input sample_weight contains infinity"),
    "2-D sample_weight": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight=np.ones((200, 2))),
        ValueError, "Sample weights must be 1D array or scalar"),
    "string sample_weight": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight=np.full(200, "a")),
        ValueError, "could not convert string to float"),
    "sample_weight too long, partial_fit": (
        "reg", {}, lambda m, X, y: m.partial_fit(X, y, sample_weight=np.ones(201)),
        ValueError, r"sample_weight.shape == \(201,\), expected \(200,\)"),
    # -- class_weight ------------------------------------------------------------
    "negative class_weight": (
        "clf", {"class_weight": {0: -1.0, 1: 1.0, 2: 1.0}}, lambda m, X, y: m.fit(X, y),
        ValueError, "class_weight must give finite, non-negative weights"),
    "NaN class_weight": (
        "clf", {"class_weight": {0: np.nan, 1: 1.0, 2: 1.0}},
        lambda m, X, y: m.fit(X, y),
        ValueError, "class_weight must give finite, non-negative weights"),
    "zero class_weight": (
        "clf", {"class_weight": {0: 0.0, 1: 0.0, 2: 0.0}}, lambda m, X, y: m.fit(X, y),
        ValueError, "class_weight .* gives every sample a weight of zero"),
    "class_weight x sample_weight zero": (
        "clf", {"class_weight": {0: 0.0, 1: 1.0, 2: 1.0}},
        lambda m, X, y: m.fit(X, y, sample_weight=(y == 0).astype(float)),
        ValueError, r"class_weight \(times sample_weight\) gives every sample"),
    "class_weight for an unknown class": (
        "clf", {"class_weight": {7: 2.0}}, lambda m, X, y: m.fit(X, y),
        ValueError, "are not in class_weight"),
    # -- validation data ---------------------------------------------------------
    "X_val without y_val": ("clf", {}, lambda m, X, y: m.fit(X, y, X_val=X),
                            ValueError, "X_val and y_val go together; y_val is"),
    "y_val without X_val": ("clf", {}, lambda m, X, y: m.fit(X, y, y_val=y),
                            ValueError, "X_val and y_val go together; X_val is"),
    "sample_weight_val alone": (
        "clf", {}, lambda m, X, y: m.fit(X, y, sample_weight_val=np.ones(200)),
        ValueError, "sample_weight_val is given without X_val and y_val"),
    "X_val with lbfgs": (
        "clf", {"solver": "lbfgs"}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=y),
        ValueError, "X_val/y_val need a stochastic solver"),
    "X_val with other n_features": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=X[:, :3], y_val=y),
        ValueError, "Invalid X_val: X has 3 features, but MLPClassifier is expect"),
    "NaN in X_val": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=_put(X, np.nan), y_val=y),
        ValueError, "Invalid X_val: Input X contains NaN"),
    "X_val and y_val lengths differ": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=y[:-1]),
        ValueError, "X_val has 200 samples but y_val has 199"),
    "unseen labels in y_val": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=y + 10),
        ValueError, r"^`y_val` has classes not in `self\.classes_`\. `self\.classes_` "
                    r"has \[0 1 2\]\. 'y_val' has \[10 11 12\]\. "
                    r"\(New: \[10, 11, 12\]; "),
    "None in y_val": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=_put(y, None, 5, object)),
        ValueError, r"y_val contains missing labels \(None\)"),
    "2-D y_val for 1-D labels": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=np.c_[y, y]),
        ValueError, r"y_val has shape \(200, 2\); expected a 1-D array of class"),
    "3-D y_val": (
        "clf", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=y[:, None, None]),
        ValueError, "Invalid y_val: Found array with dim 3"),
    "NaN in y_val": (
        "reg", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=_put(y, np.nan, 5)),
        ValueError, "Input y_val contains NaN"),
    "inf in y_val": (
        "reg", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=_put(y, np.inf, 5)),
        ValueError, "Input y_val contains infinity"),
    "y_val with more outputs": (
        "reg", {}, lambda m, X, y: m.fit(X, y, X_val=X, y_val=np.c_[y, y]),
        ValueError, r"y_val has 2 target column\(s\) but y has 1"),
    "negative sample_weight_val": (
        "reg", {},
        lambda m, X, y: m.fit(X, y, X_val=X, y_val=y, sample_weight_val=-np.ones(200)),
        ValueError, "Invalid sample_weight_val: Negative values"),
    "sample_weight_val too short": (
        "reg", {},
        lambda m, X, y: m.fit(X, y, X_val=X, y_val=y, sample_weight_val=np.ones(3)),
        ValueError, r"Invalid sample_weight_val: sample_weight.shape == \(3,\)"),
    "early stopping without validation_fraction": (
        "clf", {"early_stopping": True, "validation_fraction": 0.0},
        lambda m, X, y: m.fit(X, y),
        ValueError, r"^test_size=0\.0 should be either positive.* \(early_stopping "
                    r"holds out validation_fraction=0\.0 of 200 samples; "),
    # -- predict -----------------------------------------------------------------
    "predict, fewer features": ("clf", {}, lambda m, X, y: m.predict(X[:, :-1]),
                                ValueError, "X has 7 features, but MLPClassifier"),
    "predict, NaN": ("clf", {}, lambda m, X, y: m.predict(_put(X, np.nan)),
                     ValueError, "Input X contains NaN"),
    "predict, empty": ("reg", {}, lambda m, X, y: m.predict(X[:0]),
                       ValueError, r"0 sample\(s\)"),
    "predict, strings": ("clf", {}, lambda m, X, y: m.predict(np.full((2, 8), "a")),
                         ValueError, "could not convert string to float"),
    "predict, 3-D": ("clf", {}, lambda m, X, y: m.predict(X[:, :, None]),
                     ValueError, "Found array with dim 3"),
    "predict, one row as 1-D": ("reg", {}, lambda m, X, y: m.predict(X[0]),
                                ValueError, "Expected 2D array, got 1D array"),
    "predict, complex": ("clf", {}, lambda m, X, y: m.predict(X + 1j),
                         ValueError, "Complex data not supported"),
    "mc_samples=0": ("clf", {}, lambda m, X, y: m.predict_proba(X, mc_samples=0),
                     ValueError, "mc_samples must be a positive int, got 0"),
    "mc_samples=2.5": ("reg", {}, lambda m, X, y: m.predict(X, True, mc_samples=2.5),
                       ValueError, "mc_samples must be a positive int, got 2.5"),
    "mc dropout without dropout": (
        "clf", {}, lambda m, X, y: m.predict_proba(X, mc_samples=3),
        ValueError, "Monte-Carlo dropout needs dropout > 0"),
    "return_std without dropout": (
        "reg", {}, lambda m, X, y: m.predict(X, return_std=True),
        ValueError, "Monte-Carlo dropout needs dropout > 0"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_call_leaves_model_unchanged(case, fitted, fitted_reg):
    kind, params, call, error, message = BAD_CALLS[case]
    model, X, y = fitted if kind == "clf" else fitted_reg
    model.set_params(**params)
    before = snapshot(model)
    with pytest.raises(error, match=message):
        call(model, X, y)
    assert_same(model, before)


# (parameters, error type, message pattern); every one is set on a fitted
# classifier with hidden_layer_sizes=(5, 5) before fit.
BAD_PARAMS = [
    ({"hidden_layer_sizes": (4, 0)}, ValueError,
     r"^hidden_layer_sizes must be > 0, got \[4, 0\]\. \("),
    ({"hidden_layer_sizes": (4, -2)}, ValueError,
     r"^hidden_layer_sizes must be > 0, got \[4, -2\]\. \("),
    ({"hidden_layer_sizes": (4.5,)}, TypeError,
     r"^'float' object cannot be interpreted as an integer \(hidden_layer_sizes="),
    ({"hidden_layer_sizes": "abc"}, InvalidParameterError, "'hidden_layer_sizes'"),
    ({"learning_rate_init": -1.0}, InvalidParameterError,
     r"'learning_rate_init'.*\(0.0, inf\)"),
    ({"learning_rate_init": 0.0}, InvalidParameterError,
     r"'learning_rate_init'.*\(0.0, inf\)"),
    ({"learning_rate_init": np.nan}, InvalidParameterError, "'learning_rate_init'"),
    ({"learning_rate_init": np.inf}, InvalidParameterError, "'learning_rate_init'"),
    ({"alpha": -0.1}, InvalidParameterError, r"'alpha'.*\[0.0, inf\)"),
    ({"alpha": np.nan}, InvalidParameterError, "'alpha'"),
    ({"l1": -0.1}, InvalidParameterError, "'l1'"),
    ({"power_t": -0.5}, InvalidParameterError, "'power_t'"),
    ({"max_iter": 0}, InvalidParameterError, r"'max_iter'.*\[1, inf\)"),
    ({"tol": -1.0}, InvalidParameterError, "'tol'"),
    ({"beta_1": 1.0}, InvalidParameterError, r"'beta_1'.*\[0.0, 1.0\)"),
    ({"beta_2": -0.1}, InvalidParameterError, "'beta_2'"),
    ({"epsilon": 0.0}, InvalidParameterError, "'epsilon'"),
    ({"momentum": 1.5}, InvalidParameterError, "'momentum'"),
    ({"validation_fraction": 1.0}, InvalidParameterError, "'validation_fraction'"),
    ({"n_iter_no_change": 0}, InvalidParameterError, "'n_iter_no_change'"),
    ({"max_fun": 0, "solver": "lbfgs"}, InvalidParameterError, "'max_fun'"),
    ({"batch_size": 0}, InvalidParameterError, "'batch_size'"),
    ({"shuffle": "yes"}, InvalidParameterError, "'shuffle'"),
    ({"random_state": "seed"}, InvalidParameterError, "'random_state'"),
    ({"verbose": "loud"}, InvalidParameterError, "'verbose'"),
    ({"dropout": 1.0}, InvalidParameterError, r"'dropout'.*\[0.0, 1.0\)"),
    ({"dropout": -0.1}, InvalidParameterError, "'dropout'"),
    ({"dropout": (0.1, 1.0)}, ValueError, r"dropout rates must be in \[0, 1\), got 1"),
    ({"dropout": (0.1, "a")}, ValueError, r"dropout rates must be in \[0, 1\), got 'a"),
    ({"dropout": (0.1, 0.2, 0.3)}, ValueError,
     "dropout has 3 entries but hidden_layer_sizes has 2"),
    ({"activation": "nope"}, InvalidParameterError, "'activation'"),
    ({"activation": ("relu", "nope")}, ValueError,
     "activation 'nope' is unknown; expected one of"),
    ({"activation": ("relu",) * 3}, ValueError, "activation has 3 entries"),
    ({"init": "nope"}, InvalidParameterError, "'init'"),
    ({"init": ("he_normal",)}, ValueError,
     "init has 1 entries but hidden_layer_sizes has 2"),
    ({"init": ("he_normal", "nope")}, ValueError,
     "init 'nope' is unknown; expected 'auto' or"),
    ({"bias_init": np.nan}, InvalidParameterError, r"'bias_init'.*\(-inf, inf\)"),
    ({"bias_init": "a"}, InvalidParameterError, "'bias_init'"),
    ({"solver": "nadam"}, InvalidParameterError, "'solver'"),
    ({"batch_norm": (True, False, True)}, ValueError, "batch_norm has 3 entries"),
    ({"batch_norm": ("yes", False)}, ValueError, "batch_norm takes True/False"),
    ({"layer_norm": (True,)}, ValueError, "layer_norm has 1 entries"),
    ({"batch_norm": True, "layer_norm": True}, ValueError, "choose one normalisation"),
    ({"weight_norm": (True,)}, InvalidParameterError, "'weight_norm'"),
    ({"norm_position": "middle"}, InvalidParameterError, "'norm_position'"),
    ({"batch_norm_momentum": 0.0}, InvalidParameterError, "'batch_norm_momentum'"),
    ({"input_noise": -1.0}, InvalidParameterError, "'input_noise'"),
    ({"clip_norm": 0.0}, InvalidParameterError, "'clip_norm'"),
    ({"clip_value": -1.0}, InvalidParameterError, "'clip_value'"),
    ({"rho": 1.0}, InvalidParameterError, "'rho'"),
    ({"weight_decay": -0.1}, InvalidParameterError, "'weight_decay'"),
    ({"learning_rate": "cosinus"}, InvalidParameterError, "'learning_rate'"),
    ({"learning_rate": object()}, InvalidParameterError,
     r"'learning_rate'.*implementing '__call__', 'observe', 'reset' and 'validate'"),
    ({"learning_rate": StepLR(step_size=2, gamma=-1.0)}, ValueError,
     r"gamma must be a real number in \(0, inf\), got -1.0"),
    ({"learning_rate": StepLR(step_size=0)}, ValueError,
     r"step_size must be an integer in \[1, inf\)"),
    ({"learning_rate": StepLR(step_size=2, unit="day")}, ValueError,
     "unit must be one of"),
    ({"early_stopping_scoring": 3}, InvalidParameterError, "'early_stopping_scoring'"),
    ({"early_stopping": True, "early_stopping_scoring": "nope"}, ValueError,
     "'nope' is not a valid scoring value"),
    ({"class_weight": "even"}, InvalidParameterError, "'class_weight'"),
    ({"loss": "hinge"}, InvalidParameterError, "'loss'"),
]  # fmt: skip


@pytest.mark.parametrize("params, error, message", BAD_PARAMS)
def test_invalid_hyperparameters(params, error, message, fitted):
    clf, X, y = fitted
    clf.set_params(**{"hidden_layer_sizes": (5, 5), **params})
    before = snapshot(clf)
    with pytest.raises(error, match=message):
        clf.fit(X, y)
    assert_same(clf, before)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"huber_delta": 0.0}, "'huber_delta'"),
        ({"quantile": 1.0}, r"'quantile'.*\(0.0, 1.0\)"),
        ({"loss": "hinge"}, "'loss'"),
    ],
)
def test_invalid_regressor_hyperparameters(params, message, fitted_reg):
    reg, X, y = fitted_reg
    reg.set_params(**params)
    before = snapshot(reg)
    with pytest.raises(InvalidParameterError, match=message):
        reg.fit(X, y)
    assert_same(reg, before)


def test_unknown_parameter_names(fitted):
    clf, _, _ = fitted
    before = snapshot(clf)
    with pytest.raises(ValueError, match="Invalid parameter 'nope' for estimator"):
        clf.set_params(nope=1)
    assert_same(clf, before)
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        MLPRegressor(nope=1)


# -- fresh models ----------------------------------------------------------------


@pytest.mark.parametrize(
    "Model, method",
    [
        (MLPClassifier, "predict"),
        (MLPClassifier, "predict_proba"),
        (MLPClassifier, "predict_log_proba"),
        (MLPClassifier, "score"),
        (MLPRegressor, "predict"),
        (MLPRegressor, "score"),
    ],
)
def test_predict_before_fit(Model, method):
    model = Model()
    args = (np.zeros((2, 2)),) + ((np.zeros(2),) if method == "score" else ())
    with pytest.raises(NotFittedError, match=f"This {Model.__name__} instance is not"):
        getattr(model, method)(*args)


def test_partial_fit_needs_classes_first(small_classification):
    X, y = small_classification
    clf = MLPClassifier()
    before = dict(vars(clf))
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    assert vars(clf) == before  # no half-initialised state either


def test_multilabel_partial_fit_with_more_labels(small_classification):
    X, y = small_classification
    Y = np.c_[y == 0, y == 1].astype(int)
    clf = MLPClassifier((4,), random_state=0).partial_fit(X, Y)
    before = snapshot(clf)
    with pytest.raises(ValueError, match="mismatch with the labels"):
        clf.partial_fit(X, np.c_[Y, y == 2])
    assert_same(clf, before)
    with pytest.raises(ValueError, match=r"y_val has shape \(200,\); expected a "
                       "label-indicator matrix with 2 columns"):  # fmt: skip
        clf.fit(X, Y, X_val=X, y_val=y)
    assert_same(clf, before)
    clf.set_params(class_weight={0: 1.0})
    before = snapshot(clf)
    with pytest.raises(ValueError, match="class_weight is not supported for multil"):
        clf.fit(X, Y)
    assert_same(clf, before)


# -- valid edge cases ------------------------------------------------------------


def test_single_sample_regression_fits(small_regression):
    X, y = small_regression
    for solver in ("adam", "lbfgs"):
        reg = MLPRegressor(hidden_layer_sizes=(4,), solver=solver, max_iter=3)
        assert np.isfinite(reg.fit(X[:1], y[:1]).predict(X[:5])).all()


@pytest.mark.parametrize("n_samples", [1, 200], ids=["single sample", "200 samples"])
def test_a_single_class_is_fitted_like_sklearn(n_samples, fitted):
    # scikit-learn fits a y with one class (one logistic output); so does sknn,
    # also when refitting a model fitted on three classes.
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    clf, X, y = fitted
    X, y = X[:n_samples], np.full(n_samples, 2)
    clf.fit(X, y)
    sk = SkMLPClassifier((6,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [2])
    np.testing.assert_array_equal(clf.predict(X), np.full(n_samples, 2))
    proba = clf.predict_proba(X)
    assert proba.shape == (n_samples, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, sk.predict_proba(X), rtol=1e-10, atol=1e-12)


def test_batch_size_larger_than_data_warns_and_clips(small_classification):
    X, y = small_classification
    kw = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    with pytest.warns(
        UserWarning,
        match=r"^Got `batch_size` less than 1 or larger than sample size\. It is going "
        r"to be clipped \(batch_size=1000, 200 samples\)\.$",
    ):
        big = MLPClassifier(batch_size=1000, **kw).fit(X, y)
    exact = MLPClassifier(batch_size=len(X), **kw).fit(X, y)
    np.testing.assert_array_equal(big._network.params, exact._network.params)


def _sparse_like(X):
    return np.where(np.abs(X) < 0.8, 0.0, X)  # about half zeros


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_fit_and_predict_equal_dense(fmt, solver, small_classification):
    X, y = small_classification
    X = _sparse_like(X)
    Xs = sp.csr_matrix(X).asformat(fmt)
    kw = {"solver": solver, "max_iter": 8, "batch_size": 50, "random_state": 0}
    dense = MLPClassifier((8,), **kw).fit(X, y)
    sparse = MLPClassifier((8,), **kw).fit(Xs, y)
    # Sparse products sum in another order: equal up to rounding.
    np.testing.assert_allclose(sparse._network.params, dense._network.params,
                               rtol=1e-9, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(dense.predict_proba(Xs), dense.predict_proba(X),
                               rtol=1e-12, atol=1e-15)  # fmt: skip
    np.testing.assert_array_equal(dense.predict(Xs), dense.predict(X))


@pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")
@pytest.mark.parametrize(
    "convert",
    [sp.coo_matrix, sp.coo_array, sp.lil_matrix, sp.dok_matrix, sp.bsr_matrix,
     sp.dia_matrix, sp.csr_array],
    ids=lambda c: c.__name__,
)  # fmt: skip
def test_other_sparse_formats_are_converted(convert, small_regression):
    X, y = small_regression
    X = _sparse_like(X)
    kw = {"hidden_layer_sizes": (6,), "max_iter": 5, "random_state": 0}
    reference = MLPRegressor(**kw).fit(sp.csr_matrix(X), y)
    model = MLPRegressor(**kw).fit(convert(X), y)
    np.testing.assert_allclose(model._network.params, reference._network.params,
                               rtol=1e-12, atol=1e-15)  # fmt: skip
    np.testing.assert_allclose(model.predict(convert(X)), model.predict(X),
                               rtol=1e-12, atol=1e-15)  # fmt: skip


# -- divergence --------------------------------------------------------------------


@pytest.mark.parametrize("warm_start", [False, True])
def test_divergence_is_an_error_and_loses_nothing(warm_start, small_regression):
    X, y = small_regression
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), solver="sgd", max_iter=3, random_state=0
    ).fit(X, y)
    reg.set_params(learning_rate_init=10.0, max_iter=50, warm_start=warm_start)
    before = snapshot(reg)
    with pytest.raises(
        ValueError,
        match=r"^Solver produced non-finite parameter weights\. The input data may "
        r"contain large values and need to be preprocessed\. \(The training "
        r"(cost became inf|loss exploded to \S+ \(\S+ times its first epoch's "
        r"\S+\) at epoch 2\.).* Lower learning_rate_init \(now 10\.0\).* The model "
        r"was left unchanged\.\)$",
    ):
        reg.fit(X * 1e3, y * 1e3)
    assert_same(reg, before)
    assert np.isfinite(reg._network.params).all()
    # partial_fit too: the calls before the diverging one are kept.
    with pytest.raises(ValueError, match="^Solver produced non-finite parameter"):
        for _ in range(50):
            before = snapshot(reg)
            reg.partial_fit(X * 1e3, y * 1e3)
    assert_same(reg, before)
    assert np.isfinite(reg._network.params).all()
    assert np.isfinite(reg.predict(X)).all()


def test_divergence_with_early_stopping_keeps_the_best_epoch(small_regression):
    X, y = small_regression
    kw = {"hidden_layer_sizes": (16,), "solver": "sgd", "learning_rate_init": 10.0,
          "early_stopping": True, "random_state": 0}  # fmt: skip
    # The loss explodes (finite) in epoch 2, before it reaches inf.
    with pytest.warns(ConvergenceWarning, match=r"^The training loss exploded to .* "
                      r"at epoch 2\. Training stopped; the weights of the best "
                      r"validation epoch are kept\."):  # fmt: skip
        reg = MLPRegressor(max_iter=50, **kw).fit(X * 1e3, y * 1e3)  # no error
    # The diverged epoch is recorded with a NaN loss and validation score.
    assert reg.n_iter_ == 2 and len(reg.loss_curve_) == 2
    assert len(reg.validation_scores_) == 2
    assert np.isnan(reg.loss_curve_[-1]) and np.isnan(reg.validation_scores_[-1])
    assert np.isfinite(reg.loss_curve_[:-1]).all()
    best = int(np.nanargmax(reg.validation_scores_))
    assert reg.best_validation_score_ == reg.validation_scores_[best]
    # The weights are those of the best epoch: a run stopped there has them.
    reference = MLPRegressor(max_iter=best + 1, **kw).fit(X * 1e3, y * 1e3)
    np.testing.assert_array_equal(reg._network.params, reference._network.params)
    assert np.isfinite(reg.predict(X)).all()


def test_divergence_stops_at_the_first_non_finite_cost(small_regression, monkeypatch):
    X, y = small_regression
    costs, steps = [], []
    real_cost, real_step = Network.loss_and_gradient, optimizers.SGD.step

    def recording(self, *args, **kwargs):
        costs.append(real_cost(self, *args, **kwargs))
        return costs[-1]

    def counting(self, *args, **kwargs):
        steps.append(len(costs))
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(Network, "loss_and_gradient", recording)
    monkeypatch.setattr(optimizers.SGD, "step", counting)
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=10.0,
        batch_size=50, max_iter=50, random_state=0,
    )  # fmt: skip
    diverged = (r"^Solver produced non-finite parameter weights\..* \(The training "
                r"cost became (inf|nan) at epoch \d+\. Lower learning_rate_init "
                r"\(now 10\.0\)")  # fmt: skip
    with pytest.raises(ValueError, match=diverged) as info:
        reg.fit(X * 1e3, y * 1e3)
    assert isinstance(info.value.__cause__, TrainingDiverged)
    # Every cost but the last was finite, and no step followed the last.
    assert np.isfinite(costs[:-1]).all() and not np.isfinite(costs[-1])
    assert steps == list(range(1, len(costs)))
    epoch = int(re.search(r"epoch (\d+)", str(info.value)).group(1))
    assert 4 * (epoch - 1) < len(costs) <= 4 * epoch  # 4 batches per epoch
    with pytest.raises(NotFittedError):  # a fresh model stays unfitted
        reg.predict(X)


# -- KeyboardInterrupt -------------------------------------------------------------


def test_keyboard_interrupt_keeps_last_epoch(small_classification, monkeypatch):
    import sknn.core.training as training

    X, y = small_classification
    clf = MLPClassifier((6,), max_iter=50, random_state=0)
    calls = {"n": 0}
    real = training.run_epoch

    def interrupting(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "run_epoch", interrupting)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    assert np.isfinite(clf.predict_proba(X)).all()


_INTERRUPTIBLE = {
    "hidden_layer_sizes": (8,), "batch_size": 50, "batch_norm": True,
    "dropout": 0.1, "random_state": 0,
}  # fmt: skip


def _assert_is_epoch_two(clf, X, y):
    """``clf`` holds exactly what two epochs of training give."""
    reference = MLPClassifier(max_iter=2, **_INTERRUPTIBLE).fit(X, y)
    assert clf.n_iter_ == 2 and clf.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(clf._network.params, reference._network.params)
    np.testing.assert_array_equal(clf._network.stats, reference._network.stats)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


def test_keyboard_interrupt_in_a_batch_keeps_last_epoch(small_classification,
                                                        monkeypatch):  # fmt: skip
    X, y = small_classification  # 200 rows: 4 batches of 50 per epoch
    calls = []
    real = optimizers.Adam.step

    def step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 11:  # the third batch of epoch 3
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(optimizers.Adam, "step", step)
    clf = MLPClassifier(max_iter=20, **_INTERRUPTIBLE)
    with pytest.warns(
        UserWarning, match=r"^Training interrupted by user\. 2 epochs were completed; "
    ):
        clf.fit(X, y)
    monkeypatch.undo()
    _assert_is_epoch_two(clf, X, y)
    clf.partial_fit(X, y)  # and it can go on
    assert clf.n_iter_ == 1  # this call's epoch, as scikit-learn
    assert len(clf.loss_curve_) == 3 and clf.t_ == 3 * len(X)


def test_keyboard_interrupt_from_a_callback_keeps_last_epoch(small_classification):
    X, y = small_classification
    clf = MLPClassifier(max_iter=20, **_INTERRUPTIBLE)
    clf.set_callbacks(ScriptedCallback(interrupt_at_batch=10))  # epoch 3, batch 2
    with pytest.warns(
        UserWarning, match=r"^Training interrupted by user\. 2 epochs were completed; "
    ):
        clf.fit(X, y)
    _assert_is_epoch_two(clf, X, y)


def test_keyboard_interrupt_in_partial_fit_keeps_the_model(fitted, monkeypatch):
    clf, X, y = fitted
    params, proba = clf._network.params.copy(), clf.predict_proba(X)
    t, loss_curve, n_iter = clf.t_, list(clf.loss_curve_), clf.n_iter_
    real = optimizers.Adam.step

    def step(self, *args, **kwargs):
        step.calls += 1
        if step.calls == 1:  # after the first batch
            real(self, *args, **kwargs)
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    step.calls = 0
    monkeypatch.setattr(optimizers.Adam, "step", step)
    with pytest.warns(UserWarning, match="interrupted by user"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf._network.params, params)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    # No epoch of this call completed: the call is undone, n_iter_ included.
    assert clf.n_iter_ == n_iter
    assert clf.t_ == t and clf.loss_curve_ == loss_curve


def test_keyboard_interrupt_in_lbfgs_loses_nothing(fitted_reg, monkeypatch):
    # L-BFGS has no epochs to fall back on: the interrupt propagates, and the
    # fitted model is restored.
    reg, X, y = fitted_reg
    reg.set_params(solver="lbfgs", max_iter=20)
    before = snapshot(reg)
    # The objective of a network scikit-learn can express is computed in its
    # order of operations (sknn.core.lbfgs), others by the network.
    real = lbfgs.sklearn_loss_and_gradient
    assert lbfgs.follows_sklearn(reg._network)

    def evaluate(*args, **kwargs):
        evaluate.calls += 1
        if evaluate.calls == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    evaluate.calls = 0
    monkeypatch.setattr(lbfgs, "sklearn_loss_and_gradient", evaluate)
    with pytest.raises(KeyboardInterrupt):
        reg.fit(X, y)
    assert_same(reg, before)


def test_keyboard_interrupt_at_an_epoch_end_keeps_last_epoch(small_classification):
    X, y = small_classification
    clf = MLPClassifier(max_iter=20, **_INTERRUPTIBLE)
    clf.set_callbacks(ScriptedCallback(interrupt_at_epoch=3))
    with pytest.warns(
        UserWarning, match=r"^Training interrupted by user\. 3 epochs were completed; "
    ):
        clf.fit(X, y)
    assert clf.n_iter_ == 3  # the interrupted epoch had completed: it is kept
    assert np.isfinite(clf.predict_proba(X)).all()


# -- an interrupted epoch leaves no trace; an exploding loss diverges (issue 14) -


def test_an_interrupt_rolls_back_the_optimiser_and_the_schedule(small_classification):
    """Issue 14: Ctrl-C at batch 11 (the third of epoch 3) of an Adam fit with a
    per-batch StepLR. Everything -- weights, Adam's step count (8, not 11) and
    moments, the schedule's rate and step, counters, curves -- is what a fit
    stopped cleanly after epoch 2 holds, and the next partial_fit agrees."""
    X, y = small_classification  # 4 batches of 50 per epoch
    params = {**_INTERRUPTIBLE, "max_iter": 20,
              "learning_rate": StepLR(5, gamma=0.5, unit="batch")}  # fmt: skip
    clean = (
        MLPClassifier(**params).set_callbacks(ScriptedCallback(stop_after=2)).fit(X, y)
    )
    interrupted = MLPClassifier(**params).set_callbacks(
        ScriptedCallback(interrupt_at_batch=11)
    )
    with pytest.warns(UserWarning, match="2 epochs were completed"):
        interrupted.fit(X, y)
    state = interrupted._state
    assert state.optimizer.t == 8 and state.schedule.step == 8
    assert state.schedule.rate == 0.001 * 0.5  # step 8: one halving (every 5)
    assert_same_model(interrupted, clean)
    for model in (clean, interrupted):
        model.partial_fit(X, y)
    assert_same_model(interrupted, clean)


def test_an_interrupted_partial_fit_rolls_back_the_optimiser(small_classification):
    """Issue 14: a partial_fit interrupted at its second batch leaves Adam's
    step count and moments as they were (8, not 10); the next partial_fit is
    that of a model that never saw the interrupt."""
    X, y = small_classification
    model = MLPClassifier(**_INTERRUPTIBLE, max_iter=2).fit(X, y)
    twin = pickle.loads(pickle.dumps(model))
    model.set_callbacks(ScriptedCallback(interrupt_at_batch=2))
    with pytest.warns(UserWarning, match="interrupted by user"):
        model.partial_fit(X, y)
    assert model._state.optimizer.t == 8
    assert_deep_equal(model._state, twin._state, "_state")
    np.testing.assert_array_equal(model._network.params, twin._network.params)
    model.set_callbacks(ScriptedCallback(stop_after=100))  # does nothing here
    for m in (model, twin):
        m.partial_fit(X, y)
    np.testing.assert_array_equal(model._network.params, twin._network.params)
    assert_deep_equal(model._state, twin._state, "_state")


_EXPLODED = (
    r"^Solver produced non-finite parameter weights\. The input data may contain "
    r"large values and need to be preprocessed\. \(The training loss exploded to "
    r"(\S+) \((\S+) times its first epoch's (\S+)\) at epoch 2\. Lower "
    r"learning_rate_init \(now .*\. The model was left unchanged\.\)$"
)


@pytest.mark.parametrize("solver, rate", [("sgd", 1e10), ("adam", 1e8)])
def test_an_exploding_loss_is_a_divergence(solver, rate, fitted):
    """Issue 14: plain SGD at 1e10 reached a loss of 4e218 (parameters near
    1e119) in 20 epochs, Adam at 1e8 a loss of 1.9e15, both finite and
    "successful". The second epoch's loss is ~1e18 times the first's: a
    divergence, with scikit-learn's error, and the fitted model is kept."""
    clf, X, y = fitted
    clf.set_params(solver=solver, learning_rate_init=rate, max_iter=20)
    before = snapshot(clf)
    with pytest.raises(ValueError, match=_EXPLODED) as info:
        clf.fit(X, y)
    assert isinstance(info.value.__cause__, TrainingDiverged)
    loss, ratio, first = map(float, re.match(_EXPLODED, str(info.value)).groups())
    assert 1e6 < ratio == pytest.approx(loss / first, rel=1e-2) and first < 2
    assert_same(clf, before)
    fresh = MLPClassifier(solver=solver, learning_rate_init=rate, max_iter=20)
    with pytest.raises(ValueError, match=_EXPLODED):
        fresh.fit(X, y)
    assert not hasattr(fresh, "coefs_")


@pytest.mark.parametrize(
    "make, target",
    [
        (lambda: MLPRegressor(max_iter=100), 1e4),
        (lambda: MLPRegressor(max_iter=5, batch_size=1), 1e4),
        (lambda: MLPRegressor(max_iter=100, learning_rate_init=1.0), 1e4),
        (lambda: MLPRegressor(loss="huber", max_iter=50), 1e4),
        (
            lambda: MLPClassifier(
                loss="squared_error", solver="sgd", learning_rate_init=10.0, max_iter=50
            ),
            None,
        ),
        (lambda: MLPClassifier(alpha=1e4, solver="sgd", max_iter=50), None),
    ],  # fmt: skip
    ids=[
        "y*1e4",
        "y*1e4-batch1",
        "y*1e4-rate1",
        "huber-y*1e4",
        "quadratic-sgd10",
        "alpha1e4-sgd",
    ],  # fmt: skip
)
def test_large_losses_that_do_not_grow_are_not_an_explosion(
    make, target, small_regression, small_classification
):
    """Unscaled targets (y ~ 1e4: a loss of 5e7 from the first epoch), the
    quadratic cost at a high rate, a huge alpha: large or oscillating losses,
    not a divergence."""
    X, y = small_regression if target else small_classification
    model = make().set_params(random_state=0).fit(X, y * target if target else y)
    assert np.isfinite(model.loss_curve_).all()
    assert max(model.loss_curve_) < 2 * model.loss_curve_[0]


# -- the exception scikit-learn raises (issue 22, item 4) -----------------------

SKLEARN_ERRORS = [
    {"hidden_layer_sizes": (True,)},
    {"hidden_layer_sizes": True},
    {"hidden_layer_sizes": (np.True_, 3)},
    {"hidden_layer_sizes": (2.0,)},
    {"hidden_layer_sizes": (np.float64(2.0),)},
    {"hidden_layer_sizes": (3.5,)},
    {"hidden_layer_sizes": (5, "a")},
    {"hidden_layer_sizes": (5, None)},
    {"hidden_layer_sizes": (4, 0)},
    {"hidden_layer_sizes": (-1.5,)},
    {"hidden_layer_sizes": 2.0},
    {"learning_rate": "cyclic"},
    {"learning_rate": "sequential"},
    {"learning_rate": "cosinus"},
]


def _error(estimator, X, y):
    try:
        estimator.fit(X, y)
    except Exception as exc:  # noqa: BLE001 - the exception is the result
        return exc
    raise AssertionError(f"{estimator!r} trained")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("params", SKLEARN_ERRORS, ids=repr)
def test_bad_parameters_raise_scikit_learns_exception(
    params, dtype, small_classification
):
    from sklearn.neural_network import MLPClassifier as SkMLP

    X, y = small_classification
    X = X.astype(dtype)
    theirs = _error(SkMLP(max_iter=2, **params), X, y)
    ours = _error(MLPClassifier(max_iter=2, **params), X, y)
    assert type(ours) is type(theirs)
    if "learning_rate" in params:
        # sknn takes more values (its schedules' names), so its list of valid
        # values is longer; a name that needs parameters says which.
        assert type(ours) is InvalidParameterError
        name = params["learning_rate"]
        assert f"Got {name!r} instead." in str(ours)
        if name != "cosinus":
            assert f"instead. learning_rate={name!r} needs " in str(ours)
        return
    # scikit-learn's wording first; sknn's hint (if any) after it.
    assert str(ours).startswith(str(theirs))
    if isinstance(ours, TypeError) and not isinstance(ours, InvalidParameterError):
        hint = str(ours)[len(str(theirs)) :] + "".join(getattr(ours, "__notes__", []))
        assert "hidden_layer_sizes=" in hint and "positive integer" in hint


@pytest.mark.parametrize("mc_samples", [True, False, np.True_])
def test_a_bool_is_not_a_number_of_passes(mc_samples, small_classification):
    X, y = small_classification
    clf = MLPClassifier((6,), dropout=0.2, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="mc_samples must be a positive"):
        clf.predict_proba(X, mc_samples=mc_samples)
    reg = MLPRegressor(hidden_layer_sizes=(6,), dropout=0.2, max_iter=2, random_state=0)
    reg.fit(X, y)
    with pytest.raises(TypeError, match="mc_samples must be a positive int, got"):
        reg.predict(X, return_std=True, mc_samples=mc_samples)
