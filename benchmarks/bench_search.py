"""Whole workflows users run, timed end to end: sknn against scikit-learn's MLP.

Workloads (scikit-learn's data sets, shipped with it):

* ``grid1`` / ``grid2``: ``GridSearchCV`` of 12 candidates x 5 folds on digits
  (StandardScaler + MLP), ``n_jobs=1`` and ``n_jobs=2``;
* ``cv``: ``cross_val_score`` (5 folds) on breast cancer;
* ``stream``: 20 ``partial_fit`` calls on chunks of digits.

Every (workload, implementation, repetition) runs in a fresh process, in an order
rotated between repetitions (``_harness.py``); the report gives the median wall
time with its min-max, the ratio sklearn/sknn of the medians, the peak resident
memory above the process's resident memory at the start of the workload (after
the imports), and the score (the same arguments give the same model, so the
scores must agree).

A third implementation, ``noop``, runs the same workflow with an estimator that
learns nothing (it takes the MLP's parameters and predicts the first class):
its time is what the workflow costs around the estimator (scaling, splitting,
cloning, scoring, and for ``n_jobs=2`` starting the worker processes), which
no MLP can save. The report also gives the ratio of what is left,
``(sklearn - noop) / (sknn - noop)``.

    python benchmarks/bench_search.py                 # every workload, 5 reps
    python benchmarks/bench_search.py --reps 9 cv stream
    python benchmarks/bench_search.py --threads 1     # 1 BLAS thread per process
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from datetime import date
from pathlib import Path

import _harness as h
from workloads import mlp_module

WORKLOADS = ("grid1", "grid2", "cv", "stream")
IMPLS = ("sknn", "sklearn", "noop")
GRID = {
    "mlp__hidden_layer_sizes": [(32,), (64,), (128,)],
    "mlp__alpha": [1e-4, 1e-2],
    "mlp__learning_rate_init": [1e-3, 1e-2],
}


def _noop_classifier():
    """An estimator with the MLP's parameters that learns nothing."""
    import numpy as np
    from sklearn.base import BaseEstimator, ClassifierMixin

    class NoOpClassifier(ClassifierMixin, BaseEstimator):
        def __init__(
            self,
            hidden_layer_sizes=(100,),
            alpha=1e-4,
            learning_rate_init=1e-3,
            random_state=None,
            max_iter=200,
        ):
            self.hidden_layer_sizes = hidden_layer_sizes
            self.alpha = alpha
            self.learning_rate_init = learning_rate_init
            self.random_state = random_state
            self.max_iter = max_iter

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def partial_fit(self, X, y, classes=None):
            self.classes_ = np.asarray(classes)
            return self

        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    return NoOpClassifier


def run(workload, impl):
    """One workload in this process: ``{"seconds", "rss_mb", "score"}``."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if impl == "noop":
        MLPClassifier = _noop_classifier()
    else:  # imported before the start
        MLPClassifier = mlp_module(impl).MLPClassifier
    warnings.simplefilter("ignore", ConvergenceWarning)
    # The data are loaded (and, for the stream, scaled) before the clock: the
    # workloads time the estimators, not scikit-learn's dataset loaders.
    if workload == "cv":
        X, y = load_breast_cancer(return_X_y=True)
    else:
        X, y = load_digits(return_X_y=True)
    if workload == "stream":
        X = StandardScaler().fit_transform(X)
    memory = h.PeakRSS()
    start = time.perf_counter()
    if workload.startswith("grid"):
        mlp = MLPClassifier(random_state=0, max_iter=30)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
        n_jobs = int(workload[-1])
        search = GridSearchCV(pipe, GRID, cv=5, n_jobs=n_jobs).fit(X, y)
        score = search.best_score_
    elif workload == "cv":
        mlp = MLPClassifier(random_state=0, max_iter=100)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
        score = cross_val_score(pipe, X, y, cv=5).mean()
    else:  # stream
        model = MLPClassifier(random_state=0)
        classes = np.unique(y)
        for chunk in np.array_split(np.arange(len(y)), 20):
            model.partial_fit(X[chunk], y[chunk], classes=classes)
        score = model.score(X, y)
    seconds = time.perf_counter() - start
    res = {"seconds": seconds, "rss_mb": memory.mb(), "score": float(score)}
    res.update(mem_method=memory.method, threadpools=h.blas_threads())
    return res


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS/OpenMP threads of every child (env vars; default: inherit)",
    )
    parser.add_argument("--json", help="also write every run to this file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        h.emit(run(*args.child))
        return
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown {sorted(unknown)}; use {list(WORKLOADS)}")
    info = h.machine_info()
    print(h.header(info, args.threads), flush=True)
    pairs = [dict(workload=w, impl=i) for w in args.workloads for i in IMPLS]
    records = h.run_plan(
        h.plan([pairs], args.reps),
        lambda it: h.run_child(
            Path(__file__).resolve(),
            ["--child", it["workload"], it["impl"]],
            args.threads,
        ),
        time_key="seconds",
    )
    errors = [r for r in records if "error" in r]
    for r in errors:
        print(f"error: {r['workload']} {r['impl']} rep {r['rep']}: {r['error']}")
    print(
        f"{'workload':<8} {'impl':<8} {'median s':>9} {'min-max s':>13} "
        f"{'sklearn/sknn':>12} {'RSS +MB':>8} {'score':>8} {'beyond noop':>11}"
    )
    summary = []
    for workload in args.workloads:
        runs = {
            i: [r for r in records if r["workload"] == workload and r["impl"] == i]
            for i in IMPLS
        }
        runs = {i: [r for r in rs if "error" not in r] for i, rs in runs.items()}
        times = {i: h.stats(r["seconds"] for r in rs) for i, rs in runs.items()}
        if not all(times.values()):
            continue
        noop = times["noop"]["median"]
        for impl in IMPLS:
            t = times[impl]
            ratio = beyond = ""
            if impl == "sknn":
                ratio = f"{times['sklearn']['median'] / t['median']:.2f}"
                rest = (times["sklearn"]["median"] - noop) / (t["median"] - noop)
                beyond = f"{rest:.2f}"
            rss = h.median(r["rss_mb"] for r in runs[impl])
            score = runs[impl][0]["score"]
            summary.append(dict(workload=workload, impl=impl, seconds=t, rss_mb=rss))
            print(
                f"{workload:<8} {impl:<8} {t['median']:>9.3f} "
                f"{t['min']:>6.3f}-{t['max']:<6.3f} {ratio:>12} "
                f"{rss:>8.1f} {score:>8.4f} {beyond:>11}"
            )
    if args.json:
        doc = dict(date=date.today().isoformat(), machine=info, threads=args.threads)
        doc.update(reps=args.reps, summary=summary, runs=records)
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
