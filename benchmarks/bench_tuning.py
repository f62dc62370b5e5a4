"""How long four search engines take to tune sknn's MLPClassifier on digits.

    python benchmarks/bench_tuning.py --reps 5       # the guide's table: ~2 min
    python benchmarks/bench_tuning.py --reps 1 --engines halving,hyperband

Engines, used as they are (no search code of sknn's own), over one search space
(architecture, ``learning_rate_init``, ``alpha``; Adam, batch 200):

- ``grid``: scikit-learn's ``GridSearchCV``, 3 x 3 x 3 = 27 candidates, 3-fold,
  30 epochs each;
- ``random``: ``RandomizedSearchCV``, 9 candidates drawn from the distributions,
  3-fold, 30 epochs each;
- ``halving``: ``HalvingRandomSearchCV(resource="max_iter")``, 27 candidates from
  the distributions at 3 epochs, the best third at 9, the best 3 at 27, 3-fold;
- ``hyperband``: dask-ml's ``HyperbandSearchCV`` (``max_iter=27``): it drives
  ``partial_fit``, one epoch per call, and scores on a held-out 15 % of the
  training rows instead of cross-validating. It runs on a ``Client`` with one
  in-process worker thread (started before the clock).

Every engine runs with ``n_jobs=1`` and one BLAS thread, on the same split
(1,347 training rows, 450 test rows); the scikit-learn engines refit the best
candidate on the training rows (inside the timed ``fit``). Each repeat uses a
new seed for the draws, the folds and the networks (0, 1, 2, ...). Reported:
the wall time of ``search.fit``, the best candidate's test accuracy and (where
the engine has one) its cross-validated score; medians with min-max.
"""

import argparse
import json
import os
import sys
import time
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS

import numpy as np  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    train_test_split,
)

from sknn import MLPClassifier  # noqa: E402

HIDDEN = [(32,), (64,), (128,)]
GRID = {
    "hidden_layer_sizes": HIDDEN,
    "learning_rate_init": [1e-3, 1e-2, 1e-1],
    "alpha": [1e-4, 1e-2, 1.0],
}
DISTRIBUTIONS = {
    "hidden_layer_sizes": HIDDEN,
    "learning_rate_init": loguniform(1e-4, 3e-1),
    "alpha": loguniform(1e-5, 1.0),
}
EPOCHS = 30
ENGINES = ("grid", "random", "halving", "hyperband")


def data():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float64)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def estimator(seed, max_iter=EPOCHS):
    return MLPClassifier(max_iter=max_iter, random_state=seed)


def run_grid(seed, X, y):
    search = GridSearchCV(estimator(seed), GRID, cv=3, n_jobs=1)
    return search, lambda: search.fit(X, y)


def run_random(seed, X, y):
    search = RandomizedSearchCV(
        estimator(seed), DISTRIBUTIONS, n_iter=9, cv=3, n_jobs=1, random_state=seed
    )
    return search, lambda: search.fit(X, y)


def run_halving(seed, X, y):
    search = HalvingRandomSearchCV(
        estimator(seed),
        DISTRIBUTIONS,
        n_candidates=27,
        resource="max_iter",
        min_resources=3,
        max_resources=27,
        factor=3,
        cv=3,
        n_jobs=1,
        random_state=seed,
    )
    return search, lambda: search.fit(X, y)


def run_hyperband(seed, X, y):
    import dask.array as da
    from dask_ml.model_selection import HyperbandSearchCV

    search = HyperbandSearchCV(
        estimator(seed, max_iter=1),  # partial_fit: one epoch per call
        DISTRIBUTIONS,
        max_iter=27,
        random_state=seed,
    )
    Xd = da.from_array(X, chunks=X.shape)  # one block: a call is one epoch
    yd = da.from_array(y, chunks=y.shape)
    return search, lambda: search.fit(Xd, yd, classes=np.arange(10))


RUNNERS = {
    "grid": run_grid,
    "random": run_random,
    "halving": run_halving,
    "hyperband": run_hyperband,
}


def measure(engine, seed, split):
    X_train, X_test, y_train, y_test = split
    search, fit = RUNNERS[engine](seed, X_train, y_train)
    start = time.perf_counter()
    fit()
    seconds = time.perf_counter() - start
    cv = getattr(search, "best_score_", None)
    if engine == "hyperband":
        models = search.metadata_["n_models"]
        epochs = search.metadata_["partial_fit_calls"]
    else:  # every candidate on every fold, plus the refit
        counts = getattr(search, "n_candidates_", [len(search.cv_results_["params"])])
        budgets = getattr(search, "n_resources_", [EPOCHS] * len(counts))
        models = sum(counts)
        epochs = 3 * sum(c * b for c, b in zip(counts, budgets)) + budgets[-1]
    return {
        "engine": engine,
        "seed": seed,
        "seconds": seconds,
        "models": int(models),
        "max_epochs": int(epochs),
        "test_score": float(search.best_estimator_.score(X_test, y_test)),
        "cv_score": None if cv is None or engine == "hyperband" else float(cv),
        "best_params": {k: repr(v) for k, v in search.best_params_.items()},
    }


def summary(values):
    values = sorted(values)
    return float(np.median(values)), values[0], values[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    split = data()
    client = None
    if "hyperband" in engines:
        from dask.distributed import Client

        client = Client(processes=False, n_workers=1, threads_per_worker=1)
    results = []
    warnings.simplefilter("ignore", ConvergenceWarning)
    try:
        for seed in range(args.reps):  # engines interleaved: drift hits all alike
            for engine in engines:
                try:
                    result = measure(engine, seed, split)
                except RuntimeError as error:  # dask-ml's incremental searches
                    if "asynchronous Client" not in str(error):  # on dask >= 2025.3
                        raise
                    sys.exit(f"{engine}: {error} (dask/dask-ml#1016: dask < 2025.3)")
                results.append(result)
                print(json.dumps(result), file=sys.stderr, flush=True)
    finally:
        if client is not None:
            client.close()
    print(f"\n{args.reps} repeats, n_jobs=1, 1 BLAS thread; median (min-max)\n")
    print("| engine | models | epochs (at most) | search time (s) | test accuracy "
          "| CV score |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for engine in engines:
        rows = [r for r in results if r["engine"] == engine]
        t = summary([r["seconds"] for r in rows])
        s = summary([r["test_score"] for r in rows])
        cv = [r["cv_score"] for r in rows if r["cv_score"] is not None]
        cv_text = "{:.3f} ({:.3f}-{:.3f})".format(*summary(cv)) if cv else "n/a"
        models = summary([r["models"] for r in rows])[0]
        epochs = summary([r["max_epochs"] for r in rows])[0]
        print(
            f"| {engine} | {models:.0f} | {epochs:.0f} "
            f"| {t[0]:.1f} ({t[1]:.1f}-{t[2]:.1f}) "
            f"| {s[0]:.3f} ({s[1]:.3f}-{s[2]:.3f}) | {cv_text} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
