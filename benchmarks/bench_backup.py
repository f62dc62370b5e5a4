"""What a backup per epoch (``sknn.BackupAndRestore``) costs on the medium
workload: 50,000 x 100 float64, ``hidden_layer_sizes=(256, 256)``, 10
classes, adam, batch 200 (scikit-learn's "auto").

Each repetition runs two fresh processes (order alternated): a fit without
backups and a fit with a backup every epoch. In the second, the time of every
backup (capturing the state, writing the ``.npz`` to a temporary file,
``fsync``, rename, directory ``fsync``) is measured on its own and set against
the same epoch's training time; the goal is under 5 % at every epoch. Peak
RSS is the fit's peak above the process's RSS before it (see
``_harness.PeakRSS``).

    python benchmarks/bench_backup.py                 # 3 reps x 2 processes, 5 epochs
    python benchmarks/bench_backup.py --quick --reps 1 --epochs 2   # smoke run
    python benchmarks/bench_backup.py --json /tmp/backup.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

from _harness import PeakRSS, emit, plan, run_child, run_plan, stats

N, D, HIDDEN, CLASSES = 50_000, 100, (256, 256), 10


def child(mode: str, epochs: int, quick: bool) -> dict:
    import os
    import warnings

    import numpy as np
    from sklearn.datasets import make_classification

    import sknn
    from sknn import _backup

    warnings.simplefilter("ignore")
    n = N // 10 if quick else N
    X, y = make_classification(n, D, n_informative=32, n_redundant=0,
                               n_classes=CLASSES, random_state=0)  # fmt: skip
    X = np.ascontiguousarray(X)
    epoch_ends, backup_sec, sizes = [], [], []

    class EpochClock:  # scikit-learn callback: the end of every epoch
        def setup(self, estimator, context): ...
        def teardown(self, estimator, context): ...
        def on_fit_task_begin(self, estimator, context, **kw): ...
        def on_fit_task_end(self, estimator, context, **kw):
            if context.task_name == "epoch":
                epoch_ends.append(time.perf_counter())

    original = _backup._Session.on_epoch_begin

    def timed(self, net, state):
        t0 = time.perf_counter()
        original(self, net, state)
        backup_sec.append(time.perf_counter() - t0)

    _backup._Session.on_epoch_begin = timed
    est = sknn.MLPClassifier(HIDDEN, max_iter=epochs, random_state=0, tol=0.0)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BACKUP_DIR")) as directory:
        callbacks = [EpochClock()]
        if mode == "backup":
            callbacks.append(sknn.BackupAndRestore(directory))
        est.set_callbacks(*callbacks)
        peak = PeakRSS()
        start = time.perf_counter()
        est.fit(X, y)
        total = time.perf_counter() - start
        rss = peak.mb()
    # Epoch k's time: from the end of epoch k - 1 (or the start) to its end,
    # less the backup written at its start (none before the first epoch).
    bounds = [start, *epoch_ends]
    epoch_sec = [b - a for a, b in zip(bounds, bounds[1:])]
    backups = [s for s in backup_sec if s > 0]
    writes = backup_sec[1:] if mode == "backup" else []  # the first epoch writes none
    train_sec = list(epoch_sec)
    for k, sec in enumerate(writes, start=1):
        train_sec[k] -= sec
    ratios = [w / t for w, t in zip(writes, train_sec[1:])]
    params = est._network.params.nbytes
    sizes.append(params)
    return dict(mode=mode, sec=total, epoch_sec=train_sec, backup_sec=writes,
                ratios=ratios, rss_mb=rss, param_mb=params / 2**20,
                n_backups=len(backups))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="5,000 rows")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", help="write the records here")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, epochs = args.child
        emit(child(mode, int(epochs), args.quick))
        return
    argv = ["--quick"] if args.quick else []

    def run_one(item):
        return run_child(__file__, [*argv, "--child", item["mode"], str(args.epochs)],
                         args.threads)  # fmt: skip

    steps = plan([[{"mode": "plain"}, {"mode": "backup"}]], args.reps)
    records = run_plan(steps, run_one)
    errors = [r for r in records if "error" in r]
    if errors:
        sys.exit(f"failed: {errors}")
    by = {m: [r for r in records if r["mode"] == m] for m in ("plain", "backup")}
    epoch = stats([s for r in by["plain"] for s in r["epoch_sec"]])
    epoch_b = stats([s for r in by["backup"] for s in r["epoch_sec"][1:]])
    write = stats([s for r in by["backup"] for s in r["backup_sec"]])
    ratio = stats([x for r in by["backup"] for x in r["ratios"]])
    rss = {m: stats([r["rss_mb"] for r in by[m]]) for m in by}
    rows = f"{N // 10 if args.quick else N} x {D}, {HIDDEN}, {CLASSES} classes"

    def fmt(s, scale=1.0, unit="s", digits=3):
        lo, mid, hi = (s[k] * scale for k in ("min", "median", "max"))
        return f"{mid:.{digits}f} {unit} ({lo:.{digits}f}-{hi:.{digits}f})"

    print(f"\nBackup per epoch, {rows}, adam, batch 200, {args.reps} reps x "
          f"{args.epochs} epochs (median, min-max)")  # fmt: skip
    print("| measure | value |\n| --- | --- |")
    print(f"| epoch, no backup | {fmt(epoch)} |")
    print(f"| epoch, with backups (training only) | {fmt(epoch_b)} |")
    print(
        f"| one backup (capture, write, fsync, rename) | {fmt(write, 1e3, 'ms', 1)} |"
    )
    print(f"| backup / same epoch's training | {fmt(ratio, 100, '%', 2)} |")
    print(f"| peak RSS above start, no backup | {fmt(rss['plain'], 1, 'MiB', 1)} |")
    print(f"| peak RSS above start, with backups | {fmt(rss['backup'], 1, 'MiB', 1)} |")
    print(f"| parameters | {by['backup'][0]['param_mb']:.2f} MiB |")
    verdict = "met" if ratio["max"] < 0.05 else "NOT met"
    print(f"\nGoal (< 5 % at every epoch): {verdict}; worst epoch {ratio['max']:.2%}.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=1)


if __name__ == "__main__":
    main()
