"""sknn on Dask: a hyperparameter search on a cluster, and out-of-core training.

Needs the ``dask`` extra (dask[array], distributed) and, for out-of-core training,
dask-ml; each test skips when its packages are missing.
"""

import logging
import tracemalloc

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

MB = 1_000_000


@pytest.fixture
def client():
    """A one-worker, two-thread cluster on loopback TCP, closed after the test.

    In-process (``processes=False``) so that it starts in a fraction of a second,
    but over TCP on 127.0.0.1 so that tasks and results are serialised as they
    would be for a remote cluster.
    """
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        client = distributed.Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _search():
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("mlp", MLPClassifier(max_iter=80, random_state=0)),
        ]
    )
    grid = {
        "mlp__hidden_layer_sizes": [(8,), (16,)],
        "mlp__alpha": [1e-4, 3.0],
    }
    return GridSearchCV(pipe, grid, cv=3)


@pytest.fixture(scope="module")
def local_search():
    """The data and the same search run in this process with n_jobs=1."""
    X, y = make_classification(
        n_samples=300, n_features=10, n_informative=6, n_classes=3, random_state=0
    )
    return X, y, _search().set_params(n_jobs=1).fit(X, y)


@pytest.mark.parametrize("scatter", [False, True], ids=["plain", "scatter"])
def test_grid_search_on_cluster_matches_local(client, local_search, scatter):
    X, y, local = local_search

    backend = {"client": client}
    if scatter:
        backend["scatter"] = [X, y]
    with (
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_config(backend="dask", **backend),
    ):
        remote = _search().set_params(n_jobs=-1).fit(X, y)

    # the fits ran on the cluster: 4 candidates x 3 folds, batched by joblib
    fit_tasks = [t for t in tasks.data if "fit_and_score" in str(t["key"])]
    assert fit_tasks

    for key in ("mean_test_score", "std_test_score"):
        assert_allclose(remote.cv_results_[key], local.cv_results_[key], rtol=1e-12)
    assert_array_equal(
        remote.cv_results_["rank_test_score"], local.cv_results_["rank_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    assert remote.best_params_["mlp__alpha"] == 1e-4  # the grid is not flat
    assert_array_equal(remote.predict(X), local.predict(X))
    assert_allclose(remote.predict_proba(X), local.predict_proba(X), rtol=1e-10)


# Out-of-core: a 40 MB float32 array, made lazily in 2 MB blocks, against an 8 MB
# memory budget. It never exists in memory at once.
BUDGET = 8 * MB
N_FEATURES = 50
N_ROWS = 200_000  # 200_000 x 50 x 4 bytes = 40 MB
BLOCK_ROWS = 10_000  # 2 MB per block


def _lazy_classification(n_rows, block_rows, seed):
    """A linearly separable-ish problem whose X and y are both lazy Dask arrays.

    Five of the 50 Gaussian features decide the label, with Gaussian label noise;
    y is computed block by block from the same blocks of X.
    """
    rng = da.random.default_rng(seed)
    X = rng.standard_normal(
        (n_rows, N_FEATURES), chunks=(block_rows, N_FEATURES), dtype=np.float32
    )
    noise = rng.standard_normal(n_rows, chunks=block_rows, dtype=np.float32)
    w = np.linspace(1.0, -1.0, 5, dtype=np.float32)
    y = ((X[:, :5] @ w + 0.3 * noise) > 0).astype(np.int8)
    return X, y


def _incremental(Incremental, random_state):
    mlp = MLPClassifier(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, batch_size=500, random_state=0
    )
    return Incremental(mlp, shuffle_blocks=True, random_state=random_state)


def test_out_of_core_partial_fit_with_dask_ml_incremental():
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = _lazy_classification(N_ROWS, BLOCK_ROWS, seed=0)
    assert X.nbytes == 40 * MB >= 5 * BUDGET
    n_blocks, n_column_blocks = X.numblocks
    assert n_column_blocks == 1 and X.nbytes / n_blocks <= BUDGET / 4
    X_test, y_test = dask.compute(*_lazy_classification(10_000, 5_000, seed=1))

    # The synchronous scheduler walks the chain of partial_fit calls one block at a
    # time; the threaded one would generate blocks ahead of the (slower) training
    # and hold nearly the whole array (see docs/dask.md).
    with dask.config.set(scheduler="synchronous"):
        # warm up: imports and first-call caches are not the data's memory
        _incremental(wrappers.Incremental, 0).fit(
            *_lazy_classification(2_000, 1_000, seed=2), classes=[0, 1]
        )

        was_tracing = tracemalloc.is_tracing()
        if not was_tracing:
            tracemalloc.start()
        tracemalloc.reset_peak()
        start, _ = tracemalloc.get_traced_memory()
        try:
            inc = _incremental(wrappers.Incremental, 0).fit(X, y, classes=[0, 1])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            if not was_tracing:
                tracemalloc.stop()

    assert peak - start < BUDGET, f"peak {(peak - start) / MB:.1f} MB"
    mlp = inc.estimator_
    # one partial_fit (one epoch) per block; n_iter_ counts the last call only
    assert mlp.n_iter_ == 1 and len(mlp.loss_curve_) == n_blocks
    assert mlp.t_ == N_ROWS
    assert mlp.coefs_[0].dtype == np.float32
    assert mlp.score(X_test, y_test) > 0.85

    # prediction is lazy and blockwise too
    X_test_lazy = da.from_array(X_test, chunks=(2_500, N_FEATURES))
    lazy = inc.predict(X_test_lazy)
    assert isinstance(lazy, da.Array)
    assert_array_equal(lazy.compute(scheduler="synchronous"), mlp.predict(X_test))
