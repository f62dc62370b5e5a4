"""Reliability: determinism, thread safety, pickling and bounded memory."""

import os
import pickle
import re
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.model_selection import GridSearchCV

import sknn
from sknn import InconsistentSknnVersionWarning, MLPClassifier, MLPRegressor
from sknn._plainstate import from_plain

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def assert_identical(a, b, path="model"):
    """``a`` and ``b`` hold the same values, recursively, with the same types."""
    assert type(a) is type(b), path
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, np.random.Generator):
        assert a.bit_generator.state == b.bit_generator.state, path
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            assert_identical(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_identical(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), path
    elif hasattr(a, "__dict__") and not isinstance(a, type) and not callable(a):
        assert_identical(a.__getstate__(), b.__getstate__(), f"{path}.__dict__")
    else:
        assert a == b, path


# -- determinism -------------------------------------------------------------------

SOLVERS = ["sgd", "adam", "rmsprop", "adagrad", "adamw", "lbfgs"]


def _fit_twice(Model, X, y, **params):
    return [Model(**params).fit(X, y) for _ in range(2)]


@pytest.mark.parametrize("solver", SOLVERS)
def test_same_random_state_gives_identical_weights(solver, small_classification):
    X, y = small_classification
    params = {
        "hidden_layer_sizes": (16, 8), "solver": solver, "dropout": 0.2,
        "batch_norm": True, "input_noise": 0.1, "batch_size": 32, "max_iter": 6,
    }  # fmt: skip
    a, b = _fit_twice(MLPClassifier, X, y, random_state=7, **params)
    np.testing.assert_array_equal(a._network.params, b._network.params)
    np.testing.assert_array_equal(a._network.stats, b._network.stats)
    assert_identical(a.loss_curve_ if solver != "lbfgs" else a.loss_,
                     b.loss_curve_ if solver != "lbfgs" else b.loss_)  # fmt: skip
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(
        a.predict_proba(X, mc_samples=3), b.predict_proba(X, mc_samples=3)
    )
    # ... and the seed matters.
    c = MLPClassifier(random_state=8, **params).fit(X, y)
    assert not np.array_equal(a._network.params, c._network.params)


def test_determinism_with_the_whole_toolbox(small_regression):
    from sknn.core.lr_schedules import OneCycleLR

    X, y = small_regression
    params = {
        "hidden_layer_sizes": (12, 12), "activation": ("prelu", "gelu"),
        "layer_norm": (True, False), "norm_position": "after", "weight_norm": True,
        "dropout": (0.1, 0.2), "input_noise": 0.05, "early_stopping": True,
        "learning_rate": OneCycleLR(max_lr=0.02, unit="batch"), "batch_size": 40,
        "clip_norm": 1.0, "max_iter": 8, "random_state": 3,
    }  # fmt: skip
    a, b = _fit_twice(MLPRegressor, X, y, **params)
    np.testing.assert_array_equal(a._network.params, b._network.params)
    assert_identical(a.validation_scores_, b.validation_scores_)
    # float32, and partial_fit (which has no early stopping), too
    X32, params["early_stopping"] = X.astype(np.float32), False
    a, b = _fit_twice(MLPRegressor, X32, y, **params)
    for model in (a, b):
        model.partial_fit(X32[:50], y[:50]).partial_fit(X32[50:], y[50:])
    assert a._network.params.dtype == np.float32
    np.testing.assert_array_equal(a._network.params, b._network.params)


def _grid_search(X, y, n_jobs):
    model = MLPClassifier(
        (8,), batch_norm=True, input_noise=0.05, max_iter=5, random_state=0
    )
    grid = {"alpha": [1e-4, 1e-2], "dropout": [0.0, 0.2]}
    return GridSearchCV(model, grid, cv=2, n_jobs=n_jobs).fit(X, y)


def test_grid_search_in_parallel_is_deterministic(small_classification):
    X, y = small_classification
    serial = _grid_search(X, y, n_jobs=1)
    for _ in range(2):
        parallel = _grid_search(X, y, n_jobs=2)
        results, expected = parallel.cv_results_, serial.cv_results_
        assert results.keys() == expected.keys()
        for key, value in expected.items():
            if key.endswith("_time"):
                continue
            if key == "params":
                assert results[key] == value
            else:
                got = results[key]
                np.testing.assert_array_equal(
                    np.ma.getdata(got), np.ma.getdata(value), err_msg=key
                )
                np.testing.assert_array_equal(
                    np.ma.getmaskarray(got), np.ma.getmaskarray(value), err_msg=key
                )
        assert parallel.best_params_ == serial.best_params_
        best, expected_best = parallel.best_estimator_, serial.best_estimator_
        np.testing.assert_array_equal(best._network.params,
                                      expected_best._network.params)  # fmt: skip
        np.testing.assert_array_equal(best._network.stats, expected_best._network.stats)


# -- thread safety -----------------------------------------------------------------


@pytest.fixture(scope="module")
def models():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1)
    clf = MLPClassifier(
        (32, 16), dropout=0.2, batch_norm=True, weight_norm=True, max_iter=20,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    reg = MLPRegressor(
        hidden_layer_sizes=(32, 16), layer_norm=True, norm_position="after",
        dropout=0.1, max_iter=20, random_state=0,
    ).fit(X, X[:, 0] - X[:, 1])  # fmt: skip
    return clf, reg


def test_concurrent_predictions_equal_serial(models):
    clf, reg = models
    X = np.random.default_rng(1).standard_normal((600, 10))
    methods = [
        clf.predict,
        clf.predict_proba,
        lambda A: clf.predict_proba(A, mc_samples=5),
        reg.predict,
        lambda A: reg.predict(A, return_std=True, mc_samples=5),
    ]
    sizes = [1, 7, 64, 300, 600]
    calls = [(m, X[: sizes[i % len(sizes)]]) for i, m in enumerate(methods * 24)]
    serial = [method(A) for method, A in calls]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            parallel = list(pool.map(lambda call: call[0](call[1]), calls))
            for i, (expected, got) in enumerate(zip(serial, parallel)):
                np.testing.assert_array_equal(got, expected, err_msg=f"call {i}")


# -- pickling ----------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_pickle_round_trip_is_exact(solver, models, small_classification):
    X, y = small_classification
    clf = MLPClassifier(
        (16,), solver=solver, dropout=0.1, batch_norm=True, max_iter=5,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    loaded = pickle.loads(pickle.dumps(clf))
    assert_identical(vars(clf), vars(loaded))
    for name in ("coefs_", "intercepts_", "effective_coefs_"):
        assert_identical(getattr(clf, name), getattr(loaded, name), name)
    assert_identical(clf.predict(X), loaded.predict(X))
    assert_identical(clf.predict_proba(X), loaded.predict_proba(X))
    assert_identical(
        clf.predict_proba(X, mc_samples=4), loaded.predict_proba(X, mc_samples=4)
    )
    if solver != "lbfgs":  # training goes on identically: rng and optimiser state
        clf.partial_fit(X, y)
        loaded.partial_fit(X, y)
        assert_identical(vars(clf), vars(loaded))
    _, reg = models
    loaded = pickle.loads(pickle.dumps(reg))
    assert_identical(vars(reg), vars(loaded))
    X10 = np.random.default_rng(3).standard_normal((50, 10))
    assert_identical(reg.predict(X10), loaded.predict(X10))
    assert_identical(reg.predict(X10, return_std=True, mc_samples=3),
                     loaded.predict(X10, return_std=True, mc_samples=3))  # fmt: skip


def test_pickle_records_the_sknn_version(models):
    clf, _ = models
    state = clf.__getstate__()
    assert state["_sknn_version"] == sknn.__version__
    # Everything but scikit-learn objects is one plain entry (sknn._plainstate).
    assert set(from_plain(state)) == set(vars(clf)) | {"_sknn_version"}
    assert "_sknn_version" not in vars(clf)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same version: no warning
        loaded = pickle.loads(pickle.dumps(clf))
    assert "_sknn_version" not in vars(loaded)


def test_pickle_from_another_sknn_version_warns(models, monkeypatch):
    clf, _ = models
    monkeypatch.setattr(sknn._version, "__version__", "0.0.1")
    blob = pickle.dumps(clf)
    monkeypatch.undo()
    pattern = (
        r"unpickle estimator MLPClassifier from sknn version 0\.0\.1 when using "
        f"sknn version {re.escape(sknn.__version__)}"
    )
    with pytest.warns(InconsistentSknnVersionWarning, match=pattern) as record:
        loaded = pickle.loads(blob)
    warning = record[0].message
    assert isinstance(warning, UserWarning)
    assert (warning.estimator_name, warning.original_sknn_version) == (
        "MLPClassifier", "0.0.1")  # fmt: skip
    assert warning.current_sknn_version == sknn.__version__
    np.testing.assert_array_equal(loaded.predict_proba(np.ones((3, 10))),
                                  clf.predict_proba(np.ones((3, 10))))  # fmt: skip
    # A pickle from before versions were recorded.
    state = clf.__getstate__()
    del state["_sknn_version"]
    with pytest.warns(InconsistentSknnVersionWarning, match="sknn version unknown"):
        MLPClassifier.__new__(MLPClassifier).__setstate__(state)


def test_scikit_learn_version_check_still_runs():
    # scikit-learn records and checks its own version for classes in its own
    # modules; the sknn methods call it, so it still works in such a class.
    class InSklearn(MLPClassifier):
        pass

    InSklearn.__module__ = "sklearn.neural_network._fake"
    state = InSklearn().__getstate__()
    assert "_sklearn_version" in state and "_sknn_version" in state
    state["_sklearn_version"] = "0.1"
    with pytest.warns(InconsistentVersionWarning, match="from version 0.1 when"):
        InSklearn.__new__(InSklearn).__setstate__(state)


# -- bounded memory ----------------------------------------------------------------

# The size is 2,000,000 rows (one float64 activation of 256 units is
# then 4 GB); that takes minutes here, so the default is smaller. The bound is
# relative to the size: set SKNN_MEMORY_TEST_ROWS=2000000 for the full test.
N_ROWS = int(os.environ.get("SKNN_MEMORY_TEST_ROWS", 200_000))


@pytest.fixture(scope="module")
def wide_model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 20))
    y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])
    return MLPClassifier((256, 256), max_iter=3, random_state=0).fit(X, y)


def _peak_beyond(call, X):
    """``call(X)`` and the peak memory it allocated beyond its result."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = call(X)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return out, peak - out.nbytes


def test_predict_memory_is_bounded(wide_model):
    X = np.random.default_rng(1).standard_normal((N_ROWS, 20))
    activation_bytes = N_ROWS * 256 * 8  # one float64 hidden activation
    proba, extra = _peak_beyond(wide_model.predict_proba, X)
    assert extra < 0.1 * activation_bytes, (extra, activation_bytes)
    labels, extra = _peak_beyond(wide_model.predict, X)
    assert extra < 0.1 * activation_bytes, (extra, activation_bytes)
    np.testing.assert_array_equal(labels, wide_model.classes_[proba.argmax(axis=1)])
    # A small-chunk reference on rows from the start, across a likely block
    # boundary (the core predicts by blocks of 2**20 elements), from the end
    # and at random.
    block = (1 << 20) // 256
    rows = np.r_[0:100, block - 100 : block + 100, N_ROWS - 100 : N_ROWS,
                 np.random.default_rng(2).choice(N_ROWS, 1000)]  # fmt: skip
    reference = np.vstack(
        [wide_model.predict_proba(X[rows[i : i + 97]]) for i in range(0, len(rows), 97)]
    )
    np.testing.assert_allclose(proba[rows], reference, rtol=1e-12, atol=1e-15)
