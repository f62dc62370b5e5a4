"""Whole workflows users run, timed end to end: sknn against scikit-learn's MLP.

Workloads (scikit-learn's data sets, shipped with it):

* ``grid1`` / ``grid2``: ``GridSearchCV`` of 12 candidates x 5 folds on digits
  (StandardScaler + MLP), ``n_jobs=1`` and ``n_jobs=2``;
* ``cv``: ``cross_val_score`` (5 folds) on breast cancer;
* ``stream``: 20 ``partial_fit`` calls on chunks of digits.

Every (workload, implementation, repetition) runs in a fresh process, in an order
rotated between repetitions; the report gives the median wall time with its
min-max, the ratio sklearn/sknn of the medians, the peak resident memory above
the process's resident memory at the start of the workload (RSS, from
``/proc/self/status``), and the score (the same arguments give the same model,
so the scores must agree).

    python benchmarks/bench_search.py                 # every workload, 5 reps
    python benchmarks/bench_search.py --reps 9 cv stream
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings

WORKLOADS = ("grid1", "grid2", "cv", "stream")
IMPLS = ("sknn", "sklearn")
GRID = {
    "mlp__hidden_layer_sizes": [(32,), (64,), (128,)],
    "mlp__alpha": [1e-4, 1e-2],
    "mlp__learning_rate_init": [1e-3, 1e-2],
}


def _rss_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _estimator(impl, **params):
    if impl == "sknn":
        from sknn import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    return MLPClassifier(random_state=0, **params)


def run(workload, impl):
    """One workload in this process: ``{"seconds", "rss_mb", "score"}``."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    warnings.simplefilter("ignore", ConvergenceWarning)
    start_rss = _rss_kb("VmRSS:")
    start = time.perf_counter()
    if workload.startswith("grid"):
        X, y = load_digits(return_X_y=True)
        pipe = Pipeline(
            [("scale", StandardScaler()), ("mlp", _estimator(impl, max_iter=30))]
        )
        n_jobs = int(workload[-1])
        search = GridSearchCV(pipe, GRID, cv=5, n_jobs=n_jobs).fit(X, y)
        score = search.best_score_
    elif workload == "cv":
        X, y = load_breast_cancer(return_X_y=True)
        pipe = Pipeline(
            [("scale", StandardScaler()), ("mlp", _estimator(impl, max_iter=100))]
        )
        score = cross_val_score(pipe, X, y, cv=5).mean()
    else:  # stream
        X, y = load_digits(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        model = _estimator(impl)
        classes = np.unique(y)
        for chunk in np.array_split(np.arange(len(y)), 20):
            model.partial_fit(X[chunk], y[chunk], classes=classes)
        score = model.score(X, y)
    seconds = time.perf_counter() - start
    rss_mb = (_rss_kb("VmHWM:") - start_rss) / 1024
    return {"seconds": seconds, "rss_mb": rss_mb, "score": float(score)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(*args.child)))
        return
    runs = {(w, i): [] for w in args.workloads for i in IMPLS}
    pairs = list(runs)
    for rep in range(args.reps):
        shift = rep % len(pairs)
        for workload, impl in pairs[shift:] + pairs[:shift]:
            out = subprocess.run(
                [sys.executable, __file__, "--child", workload, impl],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs[workload, impl].append(json.loads(out.stdout))
    print(
        f"{'workload':<8} {'impl':<8} {'median s':>9} {'min-max s':>13} "
        f"{'sklearn/sknn':>12} {'RSS +MB':>8} {'score':>8}"
    )
    for workload in args.workloads:
        medians = {
            i: statistics.median(r["seconds"] for r in runs[workload, i]) for i in IMPLS
        }
        for impl in IMPLS:
            results = runs[workload, impl]
            times = [r["seconds"] for r in results]
            ratio = medians["sklearn"] / medians["sknn"] if impl == "sknn" else 1.0
            rss = statistics.median(r["rss_mb"] for r in results)
            print(
                f"{workload:<8} {impl:<8} {medians[impl]:>9.2f} "
                f"{min(times):>6.2f}-{max(times):<6.2f} {ratio:>12.2f} "
                f"{rss:>8.1f} {results[0]['score']:>8.4f}"
            )


if __name__ == "__main__":
    main()
