"""Parity with scikit-learn: same arguments and data give the same model.

sknn promises that changing the import from ``sklearn.neural_network`` to
``sknn`` (same constructor arguments, same ``random_state``) gives the model
scikit-learn would have fitted, to rounding. Each test here fits
scikit-learn's estimator and sknn's side by side on identical data and
compares, after every ``fit``/``partial_fit``:

* the parameters ``coefs_`` and ``intercepts_`` (and their dtype);
* the training record: ``loss_``, ``loss_curve_``, ``best_loss_``,
  ``validation_scores_``, ``best_validation_score_``, ``n_iter_``, ``t_``;
* the structure: ``n_layers_``, ``n_outputs_``, ``out_activation_``,
  ``n_features_in_`` and ``classes_``;
* ``predict`` and ``predict_proba`` on the training data;
* for ``verbose``, the text printed to stdout, byte for byte.

An attribute scikit-learn does not set after a fit (e.g. ``loss_curve_`` with
L-BFGS) may or may not exist on sknn's estimator; where scikit-learn has it,
sknn must have it with the same value (``None`` included).

Tolerances. In float64 the two implementations run the same arithmetic, so
only the order of summation may differ: every float is compared with
``rtol=0, atol=1e-9`` (a few ulps, amplified over at most 30 epochs of small
networks on standardised data). In float32 one rounding is ~6e-8 relative;
different summation orders (BLAS kernels, in-place updates) give per-step
differences of ~1e-7 that the optimiser carries over at most 10 epochs of
updates of size <= learning_rate * |grad|, so ``atol=1e-4`` bounds that drift
with a wide margin while still catching any real difference (a different
initialisation, batch order or update rule moves weights by ~1e-2 or more).
Integer attributes, labels, ``out_activation_`` and printed text must be
identical.

L-BFGS in float64 is held to more: sknn computes its objective in
scikit-learn's order of operations, so the whole run is bit-identical
(:func:`test_lbfgs_is_bit_identical`); anything less would be amplified
(L-BFGS turns a last-bit difference into a different ``n_iter_``).

The loss is scikit-learn's value, from probabilities clipped to
``[eps, 1 - eps]``: on unscaled data it decides the fit
(:func:`test_unscaled_loss_parity`). The type and dtype of every fitted
attribute and method output is scikit-learn's
(:func:`test_types_and_dtypes_match_sklearn`).

Two differences are deliberate and tested as such: two-output regression with
``solver='lbfgs'`` (see :func:`test_two_output_lbfgs_loss_on_sklearn_scale`),
and float32 L-BFGS fits, which sknn keeps in float32 (scikit-learn returns
float64 ``coefs_``; see :func:`test_types_and_dtypes_match_sklearn`).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_circles,
    make_classification,
    make_moons,
    make_multilabel_classification,
    make_regression,
)
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ATOL64 = 1e-9
ATOL32 = 1e-4  # see the module docstring

# ---------------------------------------------------------------------------
# Data: small, standardised, so that no configuration overflows.
# ---------------------------------------------------------------------------


def _scaled(X):
    return StandardScaler().fit_transform(X)


def _binary(n=70, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=5, n_informative=3, n_redundant=1, random_state=seed
    )
    return _scaled(X), y


def _multiclass(n=90, seed=0):
    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        random_state=seed,
    )
    return _scaled(X), y


def _multiclass_str():
    X, y = _multiclass()
    return X, np.array(["ant", "bee", "cat"])[y]


def _multilabel():
    X, Y = make_multilabel_classification(
        n_samples=80, n_features=5, n_classes=3, n_labels=2, random_state=0
    )
    assert 0 < Y.mean(axis=0).min() and Y.mean(axis=0).max() < 1
    return _scaled(X), Y


def _regression(n_targets=1):
    X, y = make_regression(
        n_samples=70, n_features=5, n_informative=4, n_targets=n_targets,
        noise=1.0, random_state=0,
    )  # fmt: skip
    return _scaled(X), (y - y.mean(axis=0)) / y.std(axis=0)


def _breast_cancer_200():
    """Issue 22's case: 200 unscaled rows of breast cancer (features up to
    4254). The sigmoid saturates: many samples cost the clipped -log(eps)."""
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.RandomState(0).choice(569, 200, replace=False)
    return X[rows], y[rows]


def _multilabel_unscaled():
    X, Y = make_multilabel_classification(
        n_samples=80, n_features=5, n_classes=3, n_labels=2, random_state=0
    )
    return X * 100.0, Y  # counts in the hundreds: saturated sigmoids


DATA = {
    "binary": _binary,
    "multiclass": _multiclass,
    "multiclass-str": _multiclass_str,
    "multilabel": _multilabel,
    "reg1": _regression,
    "reg2": lambda: _regression(n_targets=2),
    # Unscaled: the clip of scikit-learn's log-loss decides the fit.
    "breast-cancer-unscaled": _breast_cancer_200,
    "wine-unscaled": lambda: load_wine(return_X_y=True),  # 3 classes, up to 1680
    "multilabel-unscaled": _multilabel_unscaled,
}


def make_data(task, dtype=np.float64):
    X, y = DATA[task]()
    return X.astype(dtype), y


def estimators(task):
    """scikit-learn's class and sknn's for a task (looked up at call time)."""
    if task.startswith("reg"):
        return SkMLPRegressor, MLPRegressor
    return SkMLPClassifier, MLPClassifier


def weights(n, seed=7):
    """Positive random sample weights."""
    return np.random.RandomState(seed).uniform(0.2, 2.0, size=n)


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

_PARAMETERS = ("coefs_", "intercepts_")
_FLOATS = ("loss_", "best_loss_", "best_validation_score_")
_CURVES = ("loss_curve_", "validation_scores_")
_EXACT = ("n_iter_", "t_", "n_layers_", "n_outputs_", "out_activation_",
          "n_features_in_")  # fmt: skip


def _assert_close_or_none(name, theirs, ours, atol):
    if theirs is None:
        assert ours is None, f"{name}: scikit-learn has None, sknn has {ours!r}"
        return
    assert ours is not None, f"{name}: sknn has None, scikit-learn has {theirs!r}"
    np.testing.assert_allclose(
        np.asarray(ours, dtype=float),
        np.asarray(theirs, dtype=float),
        rtol=0,
        atol=atol,
        err_msg=name,
    )


def assert_same_model(sk, ours, atol, X=None):
    """Every attribute scikit-learn's fitted ``sk`` has, ``ours`` has too, equal
    within ``atol``; with ``X``, also the same predictions."""
    for name in _PARAMETERS:
        theirs, mine = getattr(sk, name), getattr(ours, name)
        assert len(mine) == len(theirs), name
        for i, (a, b) in enumerate(zip(theirs, mine)):
            assert b.dtype == a.dtype, f"{name}[{i}]: {b.dtype} != {a.dtype}"
            assert b.shape == a.shape, f"{name}[{i}]: {b.shape} != {a.shape}"
            np.testing.assert_allclose(b, a, rtol=0, atol=atol, err_msg=f"{name}[{i}]")
    for name in _EXACT:
        if hasattr(sk, name):
            assert hasattr(ours, name), f"sknn lacks {name}"
            assert getattr(ours, name) == getattr(sk, name), name
    for name in _FLOATS + _CURVES:
        if hasattr(sk, name):
            assert hasattr(ours, name), f"sknn lacks {name}"
            _assert_close_or_none(name, getattr(sk, name), getattr(ours, name), atol)
    if hasattr(sk, "classes_"):
        assert hasattr(ours, "classes_"), "sknn lacks classes_"
        np.testing.assert_array_equal(np.asarray(ours.classes_), sk.classes_)
    if X is None:
        return
    if hasattr(sk, "predict_proba"):
        np.testing.assert_array_equal(ours.predict(X), sk.predict(X))
        np.testing.assert_allclose(
            ours.predict_proba(X), sk.predict_proba(X), rtol=0, atol=atol
        )
    else:
        np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=0, atol=atol)


# ---------------------------------------------------------------------------
# fit: the main matrix
# ---------------------------------------------------------------------------

BASE = {"hidden_layer_sizes": (7,), "max_iter": 20, "random_state": 0}


def case(id, task, weighted=False, **params):
    return pytest.param(task, {**BASE, **params}, weighted, id=id)


FIT_CASES = [
    # -- sgd: schedules, momentum, activations, batches --------------------------
    case("sgd-constant-relu-nesterov-binary-f64", "binary", solver="sgd",
         activation="relu", learning_rate_init=0.01, momentum=0.9,
         nesterovs_momentum=True),
    case("sgd-invscaling-tanh-nomomentum-multiclass", "multiclass", solver="sgd",
         activation="tanh", learning_rate="invscaling", learning_rate_init=0.1,
         momentum=0.0, hidden_layer_sizes=(6, 5)),
    # tol=1.0 never counts as an improvement: the rate is divided by 5 every
    # 3 epochs until it is <= 1e-6, which stops the fit at epoch 22.
    case("sgd-adaptive-logistic-binary-alpha0", "binary", solver="sgd",
         activation="logistic", learning_rate="adaptive", learning_rate_init=0.01,
         tol=1.0, n_iter_no_change=2, max_iter=30, alpha=0.0),
    case("sgd-classic-momentum-identity-reg1", "reg1", solver="sgd",
         activation="identity", learning_rate_init=0.01, momentum=0.9,
         nesterovs_momentum=False),
    case("sgd-early-stop-relu-binary-stratified", "binary", solver="sgd",
         activation="relu", learning_rate_init=0.01, early_stopping=True,
         validation_fraction=0.2, n_iter_no_change=3, max_iter=30),
    case("sgd-logistic-reg2-noshuffle", "reg2", solver="sgd", activation="logistic",
         learning_rate_init=0.05, shuffle=False),
    case("sgd-early-stop-binary-weighted-seed42", "binary", weighted=True,
         solver="sgd", activation="tanh", learning_rate_init=0.01,
         early_stopping=True, validation_fraction=0.2, random_state=42),
    case("sgd-invscaling-relu-multilabel-batch16-classic", "multilabel",
         solver="sgd", activation="relu", learning_rate="invscaling",
         learning_rate_init=0.05, nesterovs_momentum=False, batch_size=16),
    # -- adam ------------------------------------------------------------------
    case("adam-relu-binary-batch16-f64", "binary", solver="adam", activation="relu",
         batch_size=16, learning_rate_init=0.01),
    case("adam-early-stop-tanh-multiclass-unstratified-seed1", "multiclass",
         solver="adam", activation="tanh", hidden_layer_sizes=(6, 5),
         early_stopping=True, validation_fraction=0.2, learning_rate_init=0.01,
         random_state=1),
    case("adam-relu-multilabel", "multilabel", solver="adam", activation="relu",
         hidden_layer_sizes=(6, 5), learning_rate_init=0.01),
    case("adam-tanh-reg2", "reg2", solver="adam", activation="tanh",
         learning_rate_init=0.01),
    case("adam-logistic-binary-weighted-alpha0.01", "binary", weighted=True,
         solver="adam", activation="logistic", alpha=0.01, learning_rate_init=0.01),
    case("adam-identity-multiclass-str-batch16", "multiclass-str", solver="adam",
         activation="identity", batch_size=16, learning_rate_init=0.01),
    case("adam-early-stop-relu-reg1-weighted", "reg1", weighted=True, solver="adam",
         activation="relu", early_stopping=True, validation_fraction=0.2,
         learning_rate_init=0.01),
    # -- lbfgs -----------------------------------------------------------------
    case("lbfgs-tanh-binary", "binary", solver="lbfgs", activation="tanh"),
    case("lbfgs-relu-multiclass-str-alpha0", "multiclass-str", solver="lbfgs",
         activation="relu", alpha=0.0, hidden_layer_sizes=(6, 5)),
    case("lbfgs-logistic-multilabel", "multilabel", solver="lbfgs",
         activation="logistic"),
    case("lbfgs-identity-reg1-weighted-alpha0.01", "reg1", weighted=True,
         solver="lbfgs", activation="identity", alpha=0.01),
    case("lbfgs-relu-reg1-seed1", "reg1", solver="lbfgs", activation="relu",
         random_state=1),
]  # fmt: skip


@pytest.mark.parametrize("task, params, weighted", FIT_CASES)
def test_fit_parity(task, params, weighted):
    X, y = make_data(task)
    sk_cls, our_cls = estimators(task)
    kw = {"sample_weight": weights(len(X))} if weighted else {}
    sk = sk_cls(**params).fit(X, y, **kw)
    ours = our_cls(**params).fit(X, y, **kw)
    assert_same_model(sk, ours, ATOL64, X)


# float32 with the stochastic solvers only: scikit-learn's L-BFGS returns
# float64 coefs_ for float32 input (SciPy works in float64), which is not a
# behaviour sknn copies.
FLOAT32_CASES = [
    case("adam-relu-binary-f32", "binary", solver="adam", activation="relu",
         max_iter=8, learning_rate_init=0.01),
    case("sgd-tanh-momentum-multiclass-f32", "multiclass", solver="sgd",
         activation="tanh", max_iter=8, learning_rate_init=0.05),
    case("adam-logistic-reg2-weighted-f32", "reg2", weighted=True, solver="adam",
         activation="logistic", max_iter=8, learning_rate_init=0.01),
    case("sgd-early-stop-relu-binary-f32", "binary", solver="sgd",
         activation="relu", early_stopping=True, validation_fraction=0.2,
         max_iter=8, learning_rate_init=0.01),
]  # fmt: skip


@pytest.mark.parametrize("task, params, weighted", FLOAT32_CASES)
def test_fit_parity_float32(task, params, weighted):
    X, y = make_data(task, np.float32)
    sk_cls, our_cls = estimators(task)
    kw = {"sample_weight": weights(len(X)).astype(np.float32)} if weighted else {}
    sk = sk_cls(**params).fit(X, y, **kw)
    ours = our_cls(**params).fit(X, y, **kw)
    for est in (sk, ours):
        assert all(c.dtype == np.float32 for c in est.coefs_), type(est).__module__
    assert_same_model(sk, ours, ATOL32, X)


# ---------------------------------------------------------------------------
# warm_start, partial_fit
# ---------------------------------------------------------------------------

WARM_CASES = [
    case("sgd-relu-binary-warm", "binary", solver="sgd", activation="relu",
         learning_rate_init=0.01, max_iter=5),
    case("adam-early-stop-tanh-reg1-warm", "reg1", solver="adam", activation="tanh",
         early_stopping=True, validation_fraction=0.2, learning_rate_init=0.01,
         max_iter=5),
    case("sgd-adaptive-multiclass-warm", "multiclass", solver="sgd",
         activation="logistic", learning_rate="adaptive", learning_rate_init=0.01,
         tol=1.0, n_iter_no_change=2, max_iter=5),
    case("lbfgs-tanh-multiclass-str-warm", "multiclass-str", solver="lbfgs",
         activation="tanh", max_iter=5),
]  # fmt: skip


@pytest.mark.parametrize("task, params, weighted", WARM_CASES)
def test_warm_start_parity(task, params, weighted):
    X, y = make_data(task)
    sk_cls, our_cls = estimators(task)
    sk = sk_cls(warm_start=True, **params)
    ours = our_cls(warm_start=True, **params)
    for max_iter in (params["max_iter"], 8, 3):
        sk.set_params(max_iter=max_iter).fit(X, y)
        ours.set_params(max_iter=max_iter).fit(X, y)
        assert_same_model(sk, ours, ATOL64, X)


def _chunks(X, y, n_chunks, order=None):
    order = np.arange(len(X)) if order is None else order
    return [(X[i], y[i], i) for i in np.array_split(order, n_chunks)]


PARTIAL_CASES = [
    case("sgd-relu-binary-partial", "binary", solver="sgd", activation="relu",
         learning_rate_init=0.01),
    # The classes arrive late: "cat" only in the last chunks.
    case("adam-tanh-multiclass-str-partial-weighted", "multiclass-str",
         weighted=True, solver="adam", activation="tanh", learning_rate_init=0.01),
    case("sgd-invscaling-multilabel-partial", "multilabel", solver="sgd",
         activation="logistic", learning_rate="invscaling", learning_rate_init=0.1),
    case("adam-relu-reg2-partial", "reg2", solver="adam", activation="relu",
         learning_rate_init=0.01),
    case("sgd-identity-reg1-partial-noshuffle", "reg1", solver="sgd",
         activation="identity", learning_rate_init=0.01, shuffle=False),
]  # fmt: skip


@pytest.mark.parametrize("task, params, weighted", PARTIAL_CASES)
def test_partial_fit_parity(task, params, weighted):
    X, y = make_data(task)
    sk_cls, our_cls = estimators(task)
    sk, ours = sk_cls(**params), our_cls(**params)
    sw = weights(len(X))
    order = None
    if task == "multiclass-str":
        order = np.argsort(y == "cat", kind="stable")
    first = True
    for Xc, yc, idx in _chunks(X, y, 4, order):
        kw = {"sample_weight": sw[idx]} if weighted else {}
        if first and sk_cls is SkMLPClassifier:
            kw["classes"] = np.unique(y) if y.ndim == 1 else np.arange(y.shape[1])
        first = False
        sk.partial_fit(Xc, yc, **kw)
        ours.partial_fit(Xc, yc, **kw)
        assert sk.n_iter_ == 1
        assert_same_model(sk, ours, ATOL64, X)


FIT_THEN_PARTIAL_CASES = [
    case("sgd-tanh-binary-fit-partial", "binary", solver="sgd", activation="tanh",
         learning_rate_init=0.01, max_iter=5),
    case("adam-relu-multiclass-fit-partial", "multiclass", solver="adam",
         activation="relu", learning_rate_init=0.01, max_iter=5, random_state=1),
    case("sgd-logistic-reg1-fit-partial", "reg1", solver="sgd",
         activation="logistic", learning_rate_init=0.05, max_iter=5),
]  # fmt: skip


@pytest.mark.parametrize("task, params, weighted", FIT_THEN_PARTIAL_CASES)
def test_fit_then_partial_fit_parity(task, params, weighted):
    X, y = make_data(task)
    sk_cls, our_cls = estimators(task)
    sk = sk_cls(**params).fit(X, y)
    ours = our_cls(**params).fit(X, y)
    assert_same_model(sk, ours, ATOL64, X)
    for Xc, yc, _ in _chunks(X, y, 3):
        sk.partial_fit(Xc, yc)
        ours.partial_fit(Xc, yc)
        assert sk.n_iter_ == 1
        assert_same_model(sk, ours, ATOL64, X)


# ---------------------------------------------------------------------------
# verbose: the printed text, byte for byte
# ---------------------------------------------------------------------------

VERBOSE_CASES = [
    # (task, params, phrases scikit-learn's output must contain)
    pytest.param(
        "binary",
        {**BASE, "solver": "sgd", "activation": "logistic", "learning_rate":
         "adaptive", "learning_rate_init": 0.01, "tol": 1.0, "n_iter_no_change": 2,
         "max_iter": 30, "verbose": True},
        ["Iteration 1, loss = ", "Setting learning rate to 0.002000",
         "Learning rate too small. Stopping."],
        id="sgd-adaptive-verbose1",
    ),
    pytest.param(
        "multiclass",
        {**BASE, "solver": "adam", "activation": "tanh", "early_stopping": True,
         "validation_fraction": 0.2, "learning_rate_init": 0.01, "tol": 0.05,
         "n_iter_no_change": 3, "max_iter": 30, "verbose": 2},
        ["Validation score: ", "Validation score did not improve"],
        id="adam-early-stop-verbose2",
    ),
    pytest.param(
        "reg1",
        {**BASE, "solver": "sgd", "activation": "relu", "learning_rate_init": 0.01,
         "tol": 0.05, "n_iter_no_change": 2, "max_iter": 30, "verbose": True},
        ["Training loss did not improve more than tol=0.050000", "Stopping."],
        id="sgd-tol-stop-reg1-verbose1",
    ),
    pytest.param(
        "binary", {**BASE, "solver": "lbfgs", "verbose": True}, [],
        id="lbfgs-verbose1",
    ),
    pytest.param(
        "reg2", {**BASE, "solver": "lbfgs", "verbose": 2}, [], id="lbfgs-verbose2"
    ),
]  # fmt: skip


@pytest.mark.parametrize("task, params, phrases", VERBOSE_CASES)
def test_verbose_output_parity(task, params, phrases, capsys):
    X, y = make_data(task)
    sk_cls, our_cls = estimators(task)
    capsys.readouterr()
    sk_cls(**params).fit(X, y)
    theirs = capsys.readouterr().out
    our_cls(**params).fit(X, y)
    ours = capsys.readouterr().out
    for phrase in phrases:  # the configuration does exercise these messages
        assert phrase in theirs
    assert ours == theirs


# ---------------------------------------------------------------------------
# Unscaled data: the loss is scikit-learn's clipped log-loss
# ---------------------------------------------------------------------------

UNSCALED = {"hidden_layer_sizes": (4,), "random_state": 0}


def unscaled(id, task, weighted=False, **params):
    return pytest.param(task, {**UNSCALED, **params}, weighted, id=id)


UNSCALED_CASES = [
    # Issue 22: scikit-learn stops after 12 epochs at a flat 22.8877 (the
    # exact loss falls from 141.96 and trains 83 epochs).
    unscaled("adam-breast-cancer-seed50", "breast-cancer-unscaled", random_state=50),
    # The adaptive rate divides on the clipped loss's plateaus.
    unscaled("sgd-adaptive-breast-cancer", "breast-cancer-unscaled", solver="sgd",
             learning_rate="adaptive"),
    unscaled("adam-breast-cancer-weighted", "breast-cancer-unscaled", weighted=True,
             random_state=50),
    unscaled("adam-wine-softmax", "wine-unscaled", hidden_layer_sizes=(6,),
             max_iter=40),
    unscaled("sgd-wine-early-stopping", "wine-unscaled", solver="sgd",
             early_stopping=True, max_iter=40),
    unscaled("adam-multilabel-unscaled", "multilabel-unscaled", max_iter=40),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("task, params, weighted", UNSCALED_CASES)
def test_unscaled_loss_parity(task, params, weighted, dtype):
    """Saturated outputs: the loss that is reported, compared with ``tol`` and
    fed to the adaptive rate is scikit-learn's clipped value, so the epochs,
    the curves and the predictions are scikit-learn's, in float64 and float32
    (whose eps, 1.2e-7, clips at 15.9 rather than 36.0)."""
    X, y = make_data(task, dtype)
    sk_cls, our_cls = estimators(task)
    kw = {"sample_weight": weights(len(X)).astype(dtype)} if weighted else {}
    sk = sk_cls(**params).fit(X, y, **kw)
    ours = our_cls(**params).fit(X, y, **kw)
    assert_same_model(sk, ours, ATOL64 if dtype == np.float64 else ATOL32, X)
    if params["random_state"] == 50 and not weighted and dtype == np.float64:
        assert sk.n_iter_ == 12 and round(sk.loss_, 4) == 22.8877  # the issue's


def test_unscaled_lbfgs_loss_parity():
    """Issue 22's L-BFGS case: the clipped loss is the objective handed to
    SciPy (with the unclipped gradient p - y, as scikit-learn's)."""
    X, y = make_data("breast-cancer-unscaled")
    params = {**UNSCALED, "solver": "lbfgs", "random_state": 52, "max_iter": 30}
    sk = SkMLPClassifier(**params).fit(X, y)
    ours = MLPClassifier(**params).fit(X, y)
    assert_same_model(sk, ours, 0.0, X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unscaled_verbose_parity(dtype, capsys):
    """What ``verbose`` prints is the clipped loss: byte for byte in float64;
    in float32 the same lines to float32 rounding (the last printed digit)."""
    X, y = make_data("breast-cancer-unscaled", dtype)
    params = {**UNSCALED, "solver": "sgd", "learning_rate": "adaptive",
              "verbose": True}  # fmt: skip
    capsys.readouterr()
    sk = SkMLPClassifier(**params).fit(X, y)
    theirs = capsys.readouterr().out
    ours_est = MLPClassifier(**params).fit(X, y)
    ours = capsys.readouterr().out
    if dtype == np.float64:  # the exact loss would print 51.536143 here
        assert theirs.startswith("Iteration 1, loss = 13.15593555\n")
        assert ours == theirs
        return
    assert theirs.startswith("Iteration 1, loss = 5.818972")  # eps of float32
    lines, sk_lines = ours.splitlines(), theirs.splitlines()
    assert len(lines) == len(sk_lines)
    for mine, their in zip(lines, sk_lines):
        if mine.startswith("Iteration"):
            assert mine.split("=")[0] == their.split("=")[0]
            assert abs(float(mine.split("=")[1]) - float(their.split("=")[1])) < ATOL32
        else:
            assert mine == their
    assert ours_est.n_iter_ == sk.n_iter_


# ---------------------------------------------------------------------------
# Types and dtypes of every fitted attribute and method output
# ---------------------------------------------------------------------------


def _kind(value):
    """A value's type (and dtype where it has one); lists entry by entry."""
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, *map(_kind, value)]
    dtype = getattr(value, "dtype", None)
    return type(value).__name__, None if dtype is None else str(dtype)


def _to_float32(kind):
    """``kind`` with float64 arrays and scalars made float32 (the deliberate
    difference of float32 L-BFGS fits)."""
    if isinstance(kind, list):
        return [kind[0], *map(_to_float32, kind[1:])]
    return kind[0], "float32" if kind[1] == "float64" else kind[1]


TYPE_TASKS = ["binary", "multiclass", "multilabel", "reg1"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("early_stopping", [False, True], ids=["", "early-stop"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("task", TYPE_TASKS)
def test_types_and_dtypes_match_sklearn(task, solver, early_stopping, dtype):
    """Every public fitted attribute scikit-learn's estimator has (its names
    ending in ``_``), list entries included, and the output of every method
    on float64 and float32 input: the same type and dtype as scikit-learn's
    (``loss_`` a NumPy float64, ``validation_scores_`` Python floats, float64
    outputs from float64 input to a float32 model, ...).

    The one deliberate difference: a float32 L-BFGS fit stays float32 in sknn
    (scikit-learn returns float64 ``coefs_``), and so do its outputs on
    float32 input.
    """
    X, y = make_data(task, dtype)
    sk_cls, our_cls = estimators(task)
    params = {**BASE, "solver": solver, "early_stopping": early_stopping,
              "max_iter": 5, "learning_rate_init": 0.01}  # fmt: skip
    sk = sk_cls(**params).fit(X, y)
    ours = our_cls(**params).fit(X, y)
    float32_lbfgs = solver == "lbfgs" and dtype == np.float32
    names = sorted(k for k in vars(sk) if k.endswith("_") and not k.startswith("_"))
    assert "loss_" in names and "coefs_" in names
    for name in names:
        assert hasattr(ours, name), f"sknn lacks {name}"
        expected = _kind(getattr(sk, name))
        if float32_lbfgs and name in ("coefs_", "intercepts_"):
            expected = _to_float32(expected)
        assert _kind(getattr(ours, name)) == expected, name
    methods = [m for m in ("predict", "predict_proba", "predict_log_proba", "score")
               if hasattr(sk, m)]  # fmt: skip
    for input_dtype in (np.float64, np.float32):
        Xi = X.astype(input_dtype)
        for method in methods:
            args = (Xi, y) if method == "score" else (Xi,)
            expected = _kind(getattr(sk, method)(*args))
            if float32_lbfgs and input_dtype == np.float32 and method != "score":
                expected = _to_float32(expected)
            got = _kind(getattr(ours, method)(*args))
            assert got == expected, f"{method} on {np.dtype(input_dtype)} input"


# ---------------------------------------------------------------------------
# L-BFGS: bit for bit
# ---------------------------------------------------------------------------


def _digits_sparse():
    X, y = load_digits(return_X_y=True)
    return sp.csr_matrix(X[:600]), y[:600]


LBFGS_DATA = {
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "breast-cancer-unscaled": _breast_cancer_200,
    "iris": lambda: load_iris(return_X_y=True),
    "multilabel": _multilabel,
    "digits-sparse": _digits_sparse,
}


def lbfgs_case(id, data, weighted=False, **params):
    return pytest.param(data, {"solver": "lbfgs", **params}, weighted, id=id)


LBFGS_EXACT_CASES = [
    # Issue 22: before, coefs_ differed by 3e-9 at 30 iterations, 0.35 at 100
    # and 4.5 at the default 200.
    lbfgs_case("diabetes-relu-200-iterations", "diabetes", hidden_layer_sizes=(10,),
               random_state=2),
    lbfgs_case("diabetes-tanh-weighted", "diabetes", weighted=True,
               hidden_layer_sizes=(8, 6), activation="tanh", random_state=0),
    lbfgs_case("diabetes-poisson", "diabetes", loss="poisson",
               hidden_layer_sizes=(10,), random_state=0),
    lbfgs_case("breast-cancer-unscaled-clipped", "breast-cancer-unscaled",
               hidden_layer_sizes=(4,), random_state=52),
    lbfgs_case("breast-cancer-unscaled-weighted-alpha0", "breast-cancer-unscaled",
               weighted=True, hidden_layer_sizes=(4,), random_state=52, alpha=0.0),
    lbfgs_case("iris-logistic-softmax", "iris", hidden_layer_sizes=(5, 4),
               activation="logistic", random_state=0),
    lbfgs_case("multilabel-identity", "multilabel", hidden_layer_sizes=(7,),
               activation="identity", random_state=0),
    lbfgs_case("digits-sparse-10-classes", "digits-sparse", hidden_layer_sizes=(16,),
               random_state=0, max_iter=40),
]  # fmt: skip


@pytest.mark.parametrize("data, params, weighted", LBFGS_EXACT_CASES)
def test_lbfgs_is_bit_identical(data, params, weighted):
    """Long L-BFGS runs in float64 end with exactly scikit-learn's weights,
    ``loss_`` and ``n_iter_``: every evaluation of the objective and its
    gradient is scikit-learn's, bit for bit (sknn.core.lbfgs)."""
    X, y = LBFGS_DATA[data]()
    regression = data == "diabetes"
    sk_cls = SkMLPRegressor if regression else SkMLPClassifier
    our_cls = MLPRegressor if regression else MLPClassifier
    kw = {"sample_weight": weights(X.shape[0])} if weighted else {}
    sk = sk_cls(**params).fit(X, y, **kw)
    ours = our_cls(**params).fit(X, y, **kw)
    assert sk.n_iter_ >= 9  # long enough to amplify any last-bit difference
    assert ours.n_iter_ == sk.n_iter_
    assert ours.loss_ == sk.loss_
    for a, b in zip(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_):
        np.testing.assert_array_equal(b, a)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


@pytest.mark.parametrize(
    "data, params",
    [pytest.param("breast-cancer-unscaled", {"hidden_layer_sizes": (4,),
                  "random_state": 52}, id="breast-cancer-unscaled"),
     pytest.param("iris", {"hidden_layer_sizes": (5, 4), "activation": "tanh",
                  "random_state": 0}, id="iris-tanh"),
     pytest.param("multilabel", {"hidden_layer_sizes": (7,), "random_state": 0},
                  id="multilabel")],
)  # fmt: skip
def test_float32_lbfgs_classification_is_bit_identical(data, params):
    """scikit-learn's float32 L-BFGS evaluates float32 weights (SciPy hands
    them back in the dtype of ``x0``): sknn's float32 network follows the same
    path, bit for bit; scikit-learn's ``coefs_`` are then SciPy's float64
    iterate, sknn's that iterate in float32 (the deliberate difference)."""
    X, y = LBFGS_DATA[data]()
    X = X.astype(np.float32)
    sk = SkMLPClassifier(solver="lbfgs", **params).fit(X, y)
    ours = MLPClassifier(solver="lbfgs", **params).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_ and ours.loss_ == sk.loss_
    for a, b in zip(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(b, a.astype(np.float32))
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


@pytest.mark.parametrize(
    "dataset, alpha",
    [("moons", 0.1), ("circles", 0.1), ("circles", 1.0)],
)
def test_plot_mlp_alpha_example_is_bit_identical(dataset, alpha):
    """scikit-learn's ``plot_mlp_alpha`` example (a Pipeline, early_stopping
    set, which L-BFGS ignores): before, 10 of its 15 fits ended at another
    ``n_iter_`` (circles, alpha 0.1: test score 0.800 vs 0.775)."""
    X, y = {
        "moons": make_moons(noise=0.3, random_state=0),
        "circles": make_circles(noise=0.2, factor=0.5, random_state=1),
    }[dataset]
    X = StandardScaler().fit_transform(X)
    X_train, X_test = X[:60], X[60:]  # 40% held out, as the example (unshuffled)
    y_train, y_test = y[:60], y[60:]
    params = {"solver": "lbfgs", "alpha": alpha, "random_state": 1,
              "max_iter": 2000, "early_stopping": True,
              "hidden_layer_sizes": [10, 10]}  # fmt: skip
    sk = SkMLPClassifier(**params).fit(X_train, y_train)
    ours = MLPClassifier(**params).fit(X_train, y_train)
    assert ours.n_iter_ == sk.n_iter_ > 100
    assert ours.score(X_test, y_test) == sk.score(X_test, y_test)
    for a, b in zip(sk.coefs_, ours.coefs_):
        np.testing.assert_array_equal(b, a)


# ---------------------------------------------------------------------------
# The deliberate difference: two-output regression with L-BFGS
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alpha, weighted",
    [pytest.param(0.0, False, id="alpha0"),
     pytest.param(0.01, True, id="alpha0.01-weighted")],
)  # fmt: skip
def test_two_output_lbfgs_loss_on_sklearn_scale(alpha, weighted):
    """scikit-learn hands SciPy a loss averaged over the outputs with a gradient
    summed over them; sknn optimises a consistent (summed) objective, so the
    parameters differ. ``loss_`` must still be on scikit-learn's scale:
    0.5 * mean over outputs of the weighted MSE + 0.5 * alpha * ||W||^2 / n."""
    X, Y = make_data("reg2")
    n = len(X)
    # Weights with mean 1, so that their sum is n_samples and scikit-learn's
    # penalty divisor (the sum of the weights) is the number of samples.
    sw = weights(n) / weights(n).mean() if weighted else None
    params = {**BASE, "solver": "lbfgs", "activation": "tanh", "alpha": alpha}
    sk = SkMLPRegressor(**params).fit(X, Y, sample_weight=sw)
    ours = MLPRegressor(**params).fit(X, Y, sample_weight=sw)

    def sklearn_scale_loss(est):
        mse = np.average((Y - est.predict(X)) ** 2, weights=sw, axis=0)
        penalty = sum(float(np.sum(c**2)) for c in est.coefs_)
        return 0.5 * mse.mean() + 0.5 * alpha * penalty / n

    np.testing.assert_allclose(sk.loss_, sklearn_scale_loss(sk), rtol=1e-7)
    np.testing.assert_allclose(ours.loss_, sklearn_scale_loss(ours), rtol=1e-7)
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_features_in_"):
        assert getattr(ours, name) == getattr(sk, name), name
    assert ours.predict(X).shape == sk.predict(X).shape == Y.shape
    assert all(a.shape == b.shape for a, b in zip(ours.coefs_, sk.coefs_))


# ---------------------------------------------------------------------------
# Failure parity
# ---------------------------------------------------------------------------


def _raised(est, *args, method="fit", **kwargs):
    with pytest.raises(Exception) as info:
        getattr(est, method)(*args, **kwargs)
    return info.value


def assert_same_error(sk_exc, our_exc):
    assert isinstance(our_exc, type(sk_exc)), (type(our_exc), type(sk_exc))
    assert str(sk_exc) in str(our_exc)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_single_class_fits_like_sklearn(solver):
    X, _ = make_data("binary")
    y = np.ones(len(X), dtype=int)
    params = {**BASE, "solver": solver, "learning_rate_init": 0.01}
    sk = SkMLPClassifier(**params).fit(X, y)
    ours = MLPClassifier(**params).fit(X, y)
    assert sk.predict_proba(X).shape == (len(X), 2)
    assert_same_model(sk, ours, ATOL64, X)


def _diverging_regression():
    X, y = make_regression(n_samples=60, n_features=5, random_state=0)
    return _scaled(X), y * 1e6  # y unscaled and huge


@pytest.mark.parametrize("early_stopping", [False, True])
def test_divergence(early_stopping):
    X, y = _diverging_regression()
    params = {**BASE, "solver": "sgd", "learning_rate_init": 0.1, "max_iter": 10,
              "early_stopping": early_stopping}  # fmt: skip
    results = []
    for cls in (SkMLPRegressor, MLPRegressor):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results.append(cls(**params).fit(X, y))
            except ValueError as exc:
                results.append(exc)
    sk, ours = results
    sentence = "Solver produced non-finite parameter weights"
    if not early_stopping:
        assert isinstance(sk, ValueError) and sentence in str(sk)
        assert isinstance(ours, ValueError), "sknn did not raise"
        assert sentence in str(ours)
    else:
        # scikit-learn keeps the best (here: the initial) weights and does not
        # raise; sknn must not raise either and keep finite weights.
        assert not isinstance(sk, Exception)
        assert not isinstance(ours, Exception), f"sknn raised: {ours}"
        assert all(np.isfinite(c).all() for c in sk.coefs_)
        assert all(np.isfinite(c).all() for c in ours.coefs_)
        assert all(np.isfinite(b).all() for b in ours.intercepts_)


def test_early_stopping_with_single_member_class():
    X, _ = make_data("binary")
    y = np.zeros(len(X), dtype=int)
    y[3] = 1
    params = {**BASE, "solver": "adam", "early_stopping": True}
    sk_exc = _raised(SkMLPClassifier(**params), X, y)
    our_exc = _raised(MLPClassifier(**params), X, y)
    assert isinstance(sk_exc, ValueError)
    assert_same_error(sk_exc, our_exc)


def test_batch_size_larger_than_n_samples_warns():
    X, y = make_data("binary")
    params = {**BASE, "solver": "adam", "batch_size": 500, "max_iter": 2}
    with pytest.warns(UserWarning) as sk_record:
        SkMLPClassifier(**params).fit(X, y)
    with pytest.warns(UserWarning) as our_record:
        MLPClassifier(**params).fit(X, y)
    sk_messages = [str(w.message) for w in sk_record if type(w.message) is UserWarning]
    assert sk_messages
    our_messages = [str(w.message) for w in our_record]
    for message in sk_messages:
        assert any(message in ours for ours in our_messages), our_messages


def test_partial_fit_with_unknown_class():
    X, y = make_data("binary")
    y3 = y.copy()
    y3[:5] = 2
    sk_exc = _raised(
        SkMLPClassifier(**BASE), X, y3, method="partial_fit", classes=[0, 1]
    )
    our_exc = _raised(
        MLPClassifier(**BASE), X, y3, method="partial_fit", classes=[0, 1]
    )
    assert isinstance(sk_exc, ValueError)
    assert_same_error(sk_exc, our_exc)
    # and on a later call, after a successful one
    sk = SkMLPClassifier(**BASE).partial_fit(X, y, classes=[0, 1])
    ours = MLPClassifier(**BASE).partial_fit(X, y, classes=[0, 1])
    assert_same_error(
        _raised(sk, X, y3, method="partial_fit"),
        _raised(ours, X, y3, method="partial_fit"),
    )


def test_partial_fit_with_early_stopping():
    X, y = make_data("reg1")
    params = {**BASE, "early_stopping": True}
    assert_same_error(
        _raised(SkMLPRegressor(**params), X, y, method="partial_fit"),
        _raised(MLPRegressor(**params), X, y, method="partial_fit"),
    )


@pytest.mark.parametrize(
    "hidden_layer_sizes",
    [pytest.param((5, 0), id="tuple-with-0"), pytest.param(0, id="int-0"),
     pytest.param([4, -1], id="list-with-negative")],
)  # fmt: skip
def test_hidden_layer_sizes_not_positive(hidden_layer_sizes):
    X, y = make_data("binary")
    params = {**BASE, "hidden_layer_sizes": hidden_layer_sizes}
    sk_exc = _raised(SkMLPClassifier(**params), X, y)
    our_exc = _raised(MLPClassifier(**params), X, y)
    assert isinstance(sk_exc, ValueError)
    assert_same_error(sk_exc, our_exc)


def test_predict_log_proba_of_a_zero_probability_warns_like_sklearn():
    # Issue 22's probe: unscaled breast cancer saturates the sigmoid, so some
    # probabilities are 0: both libraries return -inf with NumPy's warning.
    X, y = _breast_cancer_200()
    params = {"hidden_layer_sizes": (5,), "solver": "lbfgs", "max_iter": 10,
              "activation": "identity", "random_state": 3}  # fmt: skip
    results = []
    for cls in (SkMLPClassifier, MLPClassifier):
        est = cls(**params).fit(X, y)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            log_proba = est.predict_log_proba(X)
        results.append((log_proba, [(w.category, str(w.message)) for w in caught]))
    (sk_log, sk_warned), (our_log, our_warned) = results
    assert np.isneginf(sk_log).any()
    np.testing.assert_array_equal(our_log, sk_log)
    assert sk_warned == [(RuntimeWarning, "divide by zero encountered in log")]
    assert our_warned == sk_warned
