"""Benchmark sknn against scikit-learn's MLP and a pure-NumPy matmul floor.

Run ``python benchmarks/bench_mlp.py --help``; benchmarks/README.md explains the
method (one subprocess per run, rotated order, medians) and every column.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ALL_IMPLS = ("sknn", "sklearn", "floor", "torch")
CHILD_TIMEOUT = 1800  # seconds for one child process
DTYPES = ("float32", "float64")

MEDIUM = ("clf", 50_000, 100, (256, 256))  # task, rows, features, hidden
WORKLOADS = {  # name: (task, rows, features, hidden, batch, classes, dtype[, extra])
    "small": ("clf", 5_000, 20, (64,), 200, 2, "float64", {"epochs": 10}),
    "medium64": (*MEDIUM, 256, 10, "float64"),
    "medium32": (*MEDIUM, 256, 10, "float32"),
    "medium32_b32": (*MEDIUM, 32, 10, "float32"),
    "wide": ("clf", 20_000, 784, (512, 256), 128, 10, "float32"),
    "regression": ("reg", 50_000, 50, (128, 128), 200, 1, "float64"),
    # A longer fit: numba's load (fast extra) is timed and must pay for itself.
    "regression30": ("reg", 50_000, 50, (128, 128), 200, 1, "float64", {"epochs": 30}),
    "predict32": (*MEDIUM, 256, 10, "float32", {"epochs": 1, "predict": 200_000}),
    "predict64": (*MEDIUM, 256, 10, "float64", {"epochs": 1, "predict": 200_000}),
}
RATIOS = ("sknn/sklearn", "sknn/floor", "sklearn/sknn", "sklearn/floor", "torch/sknn")
KEYS = ("task", "n", "d", "hidden", "batch", "classes", "dtype")
COLUMNS = {  # summary key: (table header, format)
    "sec_per_epoch": ("s/epoch", ".4f"),
    "samples_per_s": ("samples/s", ",.0f"),
    "gflops": ("GFLOP/s", ".2f"),
    "pct_peak": ("%peak", ".1f"),
    "peak_mb": ("peak MB", ".1f"),
    "alloc_mb": ("alloc MB", ".1f"),
    "loss": ("loss", ".4f"),
    "score": ("score", ".4f"),
    "n_iter": ("epochs", "g"),
    "spread": ("max/min", ".2f"),
}


def workload_spec(name: str, quick: bool) -> dict:
    values = WORKLOADS[name]
    spec = dict(zip(KEYS, values[: len(KEYS)], strict=True), epochs=3)
    if len(values) > len(KEYS):
        spec.update(values[-1])
    for key in ("n", "predict") if quick else ():
        if key in spec:
            spec[key] //= 5
    n_out = 1 if spec["task"] == "reg" or spec["classes"] == 2 else spec["classes"]
    spec["sizes"] = (spec["d"], *spec["hidden"], n_out)
    return spec


def matmul_flops(sizes, rows: int, train: bool) -> float:
    """Forward 2*n*sum(fan_in*fan_out); backward adds the weight gradients
    (same cost) and the input gradients of every layer but the first."""
    pairs = list(zip(sizes[:-1], sizes[1:], strict=False))
    fwd = 2.0 * rows * sum(a * b for a, b in pairs)
    return 3 * fwd - 2.0 * rows * pairs[0][0] * pairs[0][1] if train else fwd


# ----------------------------------------------------------------- data (child)
@functools.cache
def _base_data(task: str, n: int, d: int, classes: int):
    from sklearn.datasets import make_classification, make_regression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    if task == "clf":
        kw = dict(n_informative=min(d // 2, 32), n_redundant=0, n_classes=classes)
        X, y = make_classification(n, d, **kw, random_state=0)
    else:
        X, y = make_regression(n, d, n_informative=d // 2, noise=10.0, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    if task == "reg":
        mu, sd = ytr.mean(), ytr.std()
        ytr, yte = (ytr - mu) / sd, (yte - mu) / sd
    return Xtr, Xte, ytr, yte


def load_data(spec: dict):
    dt = np.dtype(spec["dtype"])
    arrays = _base_data(spec["task"], spec["n"], spec["d"], spec["classes"])
    Xtr, Xte, ytr, yte = (np.ascontiguousarray(a, dtype=dt) for a in arrays)
    if spec["task"] == "clf":
        ytr, yte = ytr.astype(np.int64), yte.astype(np.int64)
    Xp = None
    if "predict" in spec:
        rng = np.random.default_rng(1)
        Xp = rng.standard_normal((spec["predict"], spec["d"]), dtype=dt)
    return Xtr, Xte, ytr, yte, Xp


# ------------------------------------------------------- implementations (child)
class Floor:
    """The matrix products of forward+backward, nothing else, into fixed buffers."""

    def __init__(self, spec: dict, epochs: int):
        rng, sizes = np.random.default_rng(0), spec["sizes"]
        shapes = zip(sizes[:-1], sizes[1:], strict=False)
        self.W = [
            rng.standard_normal(s).astype(spec["dtype"]) / s[0] ** 0.5 for s in shapes
        ]
        self.gW = [np.empty_like(w) for w in self.W]
        self.batch, self.epochs, self.loss_curve_ = spec["batch"], epochs, []

    def fit(self, X, y):
        b = min(self.batch, len(X))
        acts = [np.empty((b, w.shape[1]), X.dtype) for w in self.W]
        grads = [None] + [np.empty((b, w.shape[0]), X.dtype) for w in self.W[1:]]
        for _ in range(self.epochs):
            for start in range(0, len(X), b):
                xb = X[start : start + b]
                m = len(xb)
                ins = [xb] + [a[:m] for a in acts[:-1]]
                for x_in, w, a in zip(ins, self.W, acts, strict=True):
                    np.matmul(x_in, w, out=a[:m])
                delta = acts[-1][:m]
                for i in range(len(self.W) - 1, -1, -1):
                    np.matmul(ins[i].T, delta, out=self.gW[i])
                    if i:
                        delta = np.matmul(delta, self.W[i].T, out=grads[i][:m])
        self.n_iter_ = self.epochs
        return self

    def predict_proba(self, X, chunk: int = 4096):
        out = np.empty((len(X), self.W[-1].shape[1]), X.dtype)
        bufs = [np.empty((chunk, w.shape[1]), X.dtype) for w in self.W[:-1]]
        for start in range(0, len(X), chunk):
            a = X[start : start + chunk]
            m = len(a)
            for w, buf in zip(self.W[:-1], bufs, strict=True):
                a = np.matmul(a, w, out=buf[:m])
            np.matmul(a, self.W[-1], out=out[start : start + m])
        return out

    def score(self, X, y):  # the floor learns nothing
        return None


class TorchMLP:
    """Plain nn.Sequential + Adam (optional: used only when torch imports)."""

    def __init__(self, spec: dict, epochs: int, threads: int):
        import torch

        torch.set_num_threads(threads)
        torch.manual_seed(0)
        sizes, layers = spec["sizes"], []
        for a, b in zip(sizes[:-1], sizes[1:], strict=False):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        self.t, self.spec, self.epochs, self.loss_curve_ = torch, spec, epochs, []
        self.model = torch.nn.Sequential(*layers[:-1]).to(getattr(torch, spec["dtype"]))

    def fit(self, X, y):
        t, n, b, nn = self.t, len(X), self.spec["batch"], self.t.nn
        if self.spec["sizes"][-1] > 1:
            yt, loss_fn = t.from_numpy(y), nn.CrossEntropyLoss()
        else:
            yt = t.from_numpy(y.reshape(-1, 1).astype(X.dtype))
            reg = self.spec["task"] == "reg"
            loss_fn = nn.MSELoss() if reg else nn.BCEWithLogitsLoss()
        Xt, opt = t.from_numpy(X), t.optim.Adam(self.model.parameters(), lr=1e-3)
        gen = t.Generator().manual_seed(0)
        for _ in range(self.epochs):
            perm, total = t.randperm(n, generator=gen), 0.0
            for start in range(0, n, b):
                idx = perm[start : start + b]
                opt.zero_grad()
                loss = loss_fn(self.model(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            self.loss_curve_.append(total / n)
        self.n_iter_ = self.epochs
        return self

    def predict_proba(self, X):
        with self.t.no_grad():
            out = self.model(self.t.from_numpy(X))
        return (out.softmax(1) if out.shape[1] > 1 else out.sigmoid()).numpy()

    def score(self, X, y):
        with self.t.no_grad():
            out = self.model(self.t.from_numpy(X)).numpy()
        if self.spec["task"] == "reg":
            return float(1 - ((y - out[:, 0]) ** 2).sum() / ((y - y.mean()) ** 2).sum())
        pred = out.argmax(1) if out.shape[1] > 1 else out[:, 0] > 0
        return float(np.mean(pred == y))


def make_estimator(impl: str, spec: dict, epochs: int, threads: int):
    if impl == "floor":
        return Floor(spec, epochs)
    if impl == "torch":
        return TorchMLP(spec, epochs, threads)
    if impl == "sknn":
        sys.path.insert(0, str(ROOT))
        import sknn as mod
    else:
        from sklearn import neural_network as mod
    cls = mod.MLPClassifier if spec["task"] == "clf" else mod.MLPRegressor
    kw = dict(activation="relu", solver="adam", learning_rate_init=1e-3, tol=0.0)
    kw.update(shuffle=True, random_state=0, early_stopping=False)
    kw.update(max_iter=epochs, n_iter_no_change=epochs + 1, batch_size=spec["batch"])
    return cls(hidden_layer_sizes=spec["hidden"], **kw)


# ------------------------------------------------------------------ child modes
def _reset_peak_rss() -> tuple[int, str]:
    """Baseline (KiB): reset the peak-RSS mark (Linux clear_refs) or keep it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        with open("/proc/self/status") as f:
            rss = next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:"))
        return rss, "rss_reset"
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "maxrss_delta"


def child_bench(impl: str, name: str, *, quick: bool, threads: int) -> dict:
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    spec = workload_spec(name, quick)
    Xtr, Xte, ytr, yte, Xp = load_data(spec)
    predict, epochs, b = Xp is not None, spec["epochs"], spec["batch"]
    # Warm-up (imports, BLAS thread pool) on two batches; not timed.
    make_estimator(impl, spec, 1, threads).fit(Xtr[: 2 * b], ytr[: 2 * b])
    est = make_estimator(impl, spec, epochs, threads)
    if predict:
        est.fit(Xtr, ytr)
    gc.collect()
    base_kib, mem_method = _reset_peak_rss()
    t0 = time.perf_counter()
    out = est.predict_proba(Xp) if predict else est.fit(Xtr, ytr)
    sec = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del out
    res_alloc = None
    if impl != "torch":  # torch's allocator does not report to tracemalloc
        # Again, untimed, under tracemalloc: the peak of the bytes allocated
        # (NumPy reports its buffers), whatever the allocator keeps cached.
        again = est if predict else make_estimator(impl, spec, epochs, threads)
        gc.collect()
        tracemalloc.start()
        out = again.predict_proba(Xp) if predict else again.fit(Xtr, ytr)
        res_alloc = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        del out, again
    rows = len(Xp) if predict else len(Xtr) * epochs
    curve = list(getattr(est, "loss_curve_", []))
    coefs = getattr(est, "coefs_", getattr(est, "W", None))
    res = dict(sec=sec, sec_per_epoch=sec if predict else sec / epochs)
    res.update(samples_per_s=rows / sec, dtype=spec["dtype"], mem_method=mem_method)
    res["gflops"] = matmul_flops(spec["sizes"], rows, not predict) / sec / 1e9
    res["peak_mb"] = max(peak_kib - base_kib, 0) / 1024
    res["alloc_mb"] = res_alloc
    res.update(loss=curve[-1] if curve else None, score=est.score(Xte, yte))
    res["n_iter"] = getattr(est, "n_iter_", None)
    res["param_dtype"] = str(coefs[0].dtype) if coefs else None
    return res


def child_gemm(*_, **__) -> dict:
    res = {}
    for dt in DTYPES:
        a, b = np.random.default_rng(0).standard_normal((2, 2048, 2048), dtype=dt)
        c, best = np.empty_like(a), float("inf")
        for _ in range(6):  # the first call also warms up the thread pool
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            best = min(best, time.perf_counter() - t0)
        res[dt] = 2 * 2048**3 / best / 1e9
    from threadpoolctl import threadpool_info  # a scikit-learn dependency

    keys = ("internal_api", "version", "num_threads", "architecture")
    res["threadpools"] = [{k: p.get(k) for k in keys} for p in threadpool_info()]
    return res


# ----------------------------------------------------------------------- parent
def run_child(argv: list[str], threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--threads", str(threads)]
    kw = dict(env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    try:
        proc = subprocess.run(cmd + argv, **kw)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        err = proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"]
        return {"error": err[-1]}
    return json.loads(lines[-1])


def available(impl: str) -> bool:
    if impl == "torch":
        if importlib.util.find_spec("torch") is None:
            return False
        cmd = [sys.executable, "-c", "import torch"]
        return subprocess.run(cmd, capture_output=True).returncode == 0
    if impl == "sknn":
        sys.path.insert(0, str(ROOT))
        try:
            from sknn import MLPClassifier, MLPRegressor  # noqa: F401
        except Exception as exc:
            print(f"note: sknn not importable ({exc!r}); skipping", file=sys.stderr)
            return False
    return True


def machine_info(gemm: dict) -> dict:
    with open("/proc/cpuinfo") as f:
        cpus = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        blas = "unknown"
    import sklearn

    info = dict(nproc=os.cpu_count(), cpu=cpus[0] if cpus else "unknown", blas=blas)
    info.update(numpy=np.__version__, sklearn=sklearn.__version__)
    info.update(python=platform.python_version(), threadpools=gemm.get("threadpools"))
    return info


def summarize(records: list[dict], impls, names, peak: dict) -> tuple[list, list]:
    def med(vals):
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    rows, ratios = [], []
    for name in names:
        for impl in impls:
            ok = [r for r in records if r["workload"] == name and r["impl"] == impl]
            errors = [r["error"] for r in ok if "error" in r]
            ok = [r for r in ok if "error" not in r]
            row = dict(workload=name, impl=impl, n_ok=len(ok), errors=errors)
            for key in COLUMNS:
                row[key] = med(r.get(key) for r in ok)
            if len(ok) > 1:
                row["spread"] = max(r["sec"] for r in ok) / min(r["sec"] for r in ok)
            if ok and row["gflops"] and peak.get(ok[0]["dtype"]):
                row["pct_peak"] = 100 * row["gflops"] / peak[ok[0]["dtype"]]
            rows.append(row)
        times: dict[int, dict] = {}
        for r in records:
            if r["workload"] == name and "error" not in r:
                times.setdefault(r["rep"], {})[r["impl"]] = r["sec"]
        entry = {"workload": name}
        for label in RATIOS:
            a, b = label.split("/")
            entry[label] = med(t[a] / t[b] for t in times.values() if a in t and b in t)
        ratios.append(entry)
    return rows, ratios


def fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def print_tables(rows, ratios, impls) -> None:
    line = "{:<13}{:<8}" + "{:>10}" * (len(COLUMNS) + 1)
    print(line.format("workload", "impl", *(h for h, _ in COLUMNS.values()), "ok"))
    for r in rows:
        vals = [fmt(r.get(k), COLUMNS[k][1]) for k in COLUMNS]
        print(line.format(r["workload"], r["impl"], *vals, r["n_ok"]))
        for err in sorted(set(r["errors"])):
            print(f"    error: {err}")
    labels = [lab for lab in RATIOS if set(lab.split("/")) <= set(impls)]
    print("\nmedian of within-repetition time ratios (< 1: first one is faster)")
    line = "{:<13}" + "{:>15}" * len(labels)
    print(line.format("workload", *labels))
    for e in ratios:
        print(line.format(e["workload"], *(fmt(e[lab], ".3f") for lab in labels)))
    noisy = [f"{r['workload']}/{r['impl']}" for r in rows if (r["spread"] or 1) > 2]
    if noisy:
        print(f"warning: max/min time > 2 in {len(noisy)} rows, e.g. {noisy[0]}: noisy")
    by = {(r["workload"], r["impl"]): r["sec_per_epoch"] for r in rows}
    for impl in impls:
        small, big = by.get(("medium32_b32", impl)), by.get(("medium32", impl))
        if small and big:
            print(f"per-sample cost, batch 32 / batch 256 ({impl}): {small / big:.2f}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1/5 of the rows, 1 repeat")
    p.add_argument("--repeats", type=int, default=None, help="default 3 (quick: 1)")
    p.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    p.add_argument("--impl", default=",".join(ALL_IMPLS), help="comma-separated")
    p.add_argument("--workload", default=",".join(WORKLOADS), help="comma-separated")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        bench = child_gemm if kind == "gemm" else child_bench
        print(json.dumps(bench(kind, *rest, quick=args.quick, threads=args.threads)))
        return
    names, requested = args.workload.split(","), args.impl.split(",")
    unknown = set(names) - set(WORKLOADS) | set(requested) - set(ALL_IMPLS)
    if unknown:
        p.error(f"unknown {sorted(unknown)}; use {list(WORKLOADS)}, {ALL_IMPLS}")
    impls = [i for i in requested if available(i)]
    if not impls:
        p.error("no implementation available")
    repeats = args.repeats or (1 if args.quick else 3)
    quick = ["--quick"] if args.quick else []
    gemm = [run_child(["--child", "gemm"], args.threads)]  # again at the end
    info = machine_info(gemm[0])
    print(f"# {info['cpu']}, {info['nproc']} cpus, {args.threads} threads")
    flops = ", ".join(f"{k} {gemm[0].get(k, 0):.1f}" for k in DTYPES)
    print(f"# {info['blas']}; 2048x2048 GEMM GFLOP/s: {flops}", flush=True)
    records = []
    for name in names:
        for rep in range(repeats):
            k = rep % len(impls)
            for impl in impls[k:] + impls[:k]:
                rec = run_child(["--child", impl, name, *quick], args.threads)
                records.append(dict(rec, impl=impl, workload=name, rep=rep))
                msg = rec.get("error") or f"{rec['sec']:.3f}s"
                print(f"  {name} rep {rep} {impl}: {msg}", file=sys.stderr, flush=True)
    gemm.append(run_child(["--child", "gemm"], args.threads))
    peak = {k: max(g.get(k) or 0 for g in gemm) for k in DTYPES}
    info["gemm_runs"] = [{k: g.get(k) for k in DTYPES} for g in gemm]
    info["gemm_peak_gflops"] = peak
    rows, ratios = summarize(records, impls, names, peak)
    print_tables(rows, ratios, impls)
    out = dict(date=date.today().isoformat(), machine=info, impls=impls)
    out.update(quick=args.quick, repeats=repeats, threads=args.threads)
    out["workloads"] = {n: workload_spec(n, args.quick) for n in names}
    out.update(summary=rows, ratios=ratios, runs=records)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
