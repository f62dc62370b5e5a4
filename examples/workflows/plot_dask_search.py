"""
A hyperparameter search on Dask
===============================

sknn's estimators are ordinary scikit-learn estimators, so a search runs its
fits on a Dask cluster through joblib's ``dask`` backend, with no sknn code
involved: connect a ``dask.distributed.Client`` and fit the search inside
``joblib.parallel_config(backend="dask")``. Each (candidate, fold) fit becomes
a task on the cluster; the final refit runs in this process.

To stay small and self-contained, the "cluster" here is a ``Client`` with
``processes=False``: a scheduler and one worker as threads of this process.
With a real cluster, pass the scheduler's address instead
(``Client("tcp://scheduler-host:8786")``) and run each worker as a process
with one thread (the "Scaling out: Dask" page of the user guide explains
why). The search gives the same results as the same search run serially:
the fits are the same, only the place they run changes. On one small
machine the cluster is no faster; it pays off with more machines.

Needs the ``dask`` extra: ``pip install "sknn-mlp[dask]"``.
"""

import time
import warnings

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

try:
    from dask.distributed import Client
except ImportError as exc:
    raise SystemExit(
        f'This example needs Dask: pip install "sknn-mlp[dask]" ({exc})'
    ) from exc

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X, y = X[:900], y[:900]  # half of the digits keep it quick
search = GridSearchCV(
    make_pipeline(
        StandardScaler(),
        MLPClassifier(learning_rate_init=0.01, max_iter=20, random_state=0),
    ),
    {
        "mlpclassifier__hidden_layer_sizes": [(16,), (32,)],
        "mlpclassifier__alpha": [1e-4, 1.0],
    },
    cv=3,
)

# %%
# The search on the Dask "cluster", then the same search serially.
with Client(processes=False, n_workers=1, threads_per_worker=2) as client:
    start = time.perf_counter()
    with joblib.parallel_config(backend="dask"):
        on_dask = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
    dask_time = time.perf_counter() - start
    n_workers = len(client.scheduler_info()["workers"])

start = time.perf_counter()
serial = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
serial_time = time.perf_counter() - start

same = np.array_equal(
    on_dask.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
)
print(f"Dask: {n_workers} worker, {dask_time:.2f} s; serial: {serial_time:.2f} s")
print(f"same cross-validation scores: {same}")
print(f"best parameters: {on_dask.best_params_}")
print(f"best CV accuracy: {on_dask.best_score_:.3f}")

# %%
# The cross-validated accuracy of each candidate, from both runs.
labels = [
    f"{p['mlpclassifier__hidden_layer_sizes']}, alpha={p['mlpclassifier__alpha']:g}"
    for p in on_dask.cv_results_["params"]
]
positions = np.arange(len(labels))
fig, ax = plt.subplots(figsize=(8, 4))
ax.bar(positions - 0.2, on_dask.cv_results_["mean_test_score"], 0.4, label="on Dask")
ax.bar(positions + 0.2, serial.cv_results_["mean_test_score"], 0.4, label="serial")
ax.set_xticks(positions, labels)
ax.set(
    xlabel="candidate (hidden_layer_sizes, alpha)",
    ylabel="3-fold CV accuracy",
    ylim=(0.8, 1.0),
)
ax.set_title("GridSearchCV: the same scores on Dask and serially")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
