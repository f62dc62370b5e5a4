"""The MLP workloads of ``bench_mlp.py``: table, data, estimators, and what a
child process measures for one (implementation, workload).

benchmarks/README.md describes every workload and every measured quantity.
"""

from __future__ import annotations

import functools
import gc
import importlib
import importlib.util
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
from _harness import ROOT, PeakRSS

ALL_IMPLS = ("sknn", "sklearn", "floor", "torch")

MEDIUM = ("clf", 50_000, 100, (256, 256))  # task, rows, features, hidden
WORKLOADS = {  # name: (task, rows, features, hidden, batch, classes, dtype[, extra])
    "small": ("clf", 5_000, 20, (64,), 200, 2, "float64", {"epochs": 10}),
    "medium64": (*MEDIUM, 256, 10, "float64"),
    "medium32": (*MEDIUM, 256, 10, "float32"),
    "medium32_b32": (*MEDIUM, 32, 10, "float32"),
    "wide": ("clf", 20_000, 784, (512, 256), 128, 10, "float32"),
    "regression": ("reg", 50_000, 50, (128, 128), 200, 1, "float64"),
    # A longer fit: the same per-epoch work, with per-fit costs spread thinner.
    "regression30": ("reg", 50_000, 50, (128, 128), 200, 1, "float64", {"epochs": 30}),
    "predict32": (*MEDIUM, 256, 10, "float32", {"epochs": 1, "predict": 200_000}),
    "predict64": (*MEDIUM, 256, 10, "float64", {"epochs": 1, "predict": 200_000}),
}
KEYS = ("task", "n", "d", "hidden", "batch", "classes", "dtype")


def workload_spec(name: str, quick: bool, epochs: int | None = None) -> dict:
    values = WORKLOADS[name]
    spec = dict(zip(KEYS, values[: len(KEYS)], strict=True), epochs=3)
    if len(values) > len(KEYS):
        spec.update(values[-1])
    if epochs:
        spec["epochs"] = epochs
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


# ---------------------------------------------------------------------- data
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


# ------------------------------------------------------------ implementations
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


def mlp_module(impl: str):
    """``sknn`` (from this repository) or ``sklearn.neural_network``."""
    if impl == "sknn":
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        return importlib.import_module("sknn")
    return importlib.import_module("sklearn.neural_network")


def make_estimator(impl: str, spec: dict, epochs: int, threads: int):
    if impl == "floor":
        return Floor(spec, epochs)
    if impl == "torch":
        return TorchMLP(spec, epochs, threads)
    mod = mlp_module(impl)
    cls = mod.MLPClassifier if spec["task"] == "clf" else mod.MLPRegressor
    kw = dict(activation="relu", solver="adam", learning_rate_init=1e-3, tol=0.0)
    kw.update(shuffle=True, random_state=0, early_stopping=False)
    kw.update(max_iter=epochs, n_iter_no_change=epochs + 1, batch_size=spec["batch"])
    return cls(hidden_layer_sizes=spec["hidden"], **kw)


def predictor(est):
    """``predict_proba`` where the estimator has it (classifiers, floor,
    torch), else ``predict`` (regressors)."""
    return getattr(est, "predict_proba", None) or est.predict


def available(impl: str) -> bool:
    if impl == "torch":
        if importlib.util.find_spec("torch") is None:
            return False
        cmd = [sys.executable, "-c", "import torch"]
        return subprocess.run(cmd, capture_output=True).returncode == 0
    if impl == "sknn":
        try:
            mlp_module("sknn")
        except Exception as exc:
            print(f"note: sknn not importable ({exc!r}); skipping", file=sys.stderr)
            return False
    return True


# ------------------------------------------------- measuring (child process)
def _quiet() -> None:
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def measure(impl: str, name: str, *, quick: bool, threads: int, epochs=None) -> dict:
    """One (implementation, workload) in this process: times, memory, scores.

    Data are loaded and both estimators built (all imports done) before the
    fit phase starts; the fit phase (its ``PeakRSS``) spans the warm-up fit
    on two batches (the first fit in the process: lazily imported code loads
    here) and the timed fit. The predict phase is
    ``predict_proba`` (regressors: ``predict``) on the held-out rows, or on
    the 200,000 fresh rows of the predict workloads, where it is the timed
    call.
    """
    _quiet()
    spec = workload_spec(name, quick, epochs)
    Xtr, Xte, ytr, yte, Xp = load_data(spec)
    predict, n_epochs, b = Xp is not None, spec["epochs"], spec["batch"]
    warm = make_estimator(impl, spec, 1, threads)
    est = make_estimator(impl, spec, n_epochs, threads)
    gc.collect()
    fit_mem = PeakRSS()
    _, warmup_sec = _timed(warm.fit, Xtr[: 2 * b], ytr[: 2 * b])
    _, fit_sec = _timed(est.fit, Xtr, ytr)
    fit_rss = fit_mem.mb()
    del warm
    gc.collect()
    predict_mem = PeakRSS()
    out, predict_sec = _timed(predictor(est), Xp if predict else Xte)
    predict_rss = predict_mem.mb()
    del out
    tracemalloc_mb = None
    if impl != "torch":  # torch's allocator does not report to tracemalloc
        # Again, untimed, under tracemalloc: the peak of the bytes allocated
        # (NumPy reports its buffers), whatever the allocator keeps cached.
        again = est if predict else make_estimator(impl, spec, n_epochs, threads)
        gc.collect()
        tracemalloc.start()
        out = predictor(again)(Xp) if predict else again.fit(Xtr, ytr)
        tracemalloc_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        del out, again
    sec = predict_sec if predict else fit_sec
    rows = len(Xp) if predict else len(Xtr) * n_epochs
    curve = list(getattr(est, "loss_curve_", []))
    coefs = getattr(est, "coefs_", getattr(est, "W", None))
    res = dict(sec=sec, sec_per_epoch=sec if predict else sec / n_epochs)
    res.update(warmup_sec=warmup_sec, fit_sec=fit_sec, predict_sec=predict_sec)
    res["cold_fit_sec"] = warmup_sec + fit_sec
    res.update(samples_per_s=rows / sec, dtype=spec["dtype"])
    res["gflops"] = matmul_flops(spec["sizes"], rows, not predict) / sec / 1e9
    res.update(
        fit_rss_mb=fit_rss, predict_rss_mb=predict_rss, mem_method=fit_mem.method
    )
    res["tracemalloc_mb"] = tracemalloc_mb
    res.update(loss=curve[-1] if curve else None, score=est.score(Xte, yte))
    res["n_iter"] = getattr(est, "n_iter_", None)
    res["param_dtype"] = str(coefs[0].dtype) if coefs else None
    return res


def machine_probe(spec, flops=4e8):
    """Seconds of a fixed NumPy/BLAS workload shaped like one of ``spec``'s
    batches (forward and backward products of the first layer, an
    elementwise pass; about ``flops`` in all): the machine's speed at this
    moment, the same work in every process and for every implementation."""
    rng = np.random.default_rng(0)
    dt, b, f, k = spec["dtype"], spec["batch"], spec["d"], spec["hidden"][0]
    repeats = max(5, int(flops / (4.0 * b * f * k)))
    x = rng.standard_normal((b, f)).astype(dt)
    w = rng.standard_normal((f, k)).astype(dt)
    z, g = np.empty((b, k), dt), np.empty((f, k), dt)
    t0 = time.perf_counter()
    for _ in range(repeats):
        np.matmul(x, w, out=z)
        np.maximum(z, 0, out=z)
        np.matmul(x.T, z, out=g)
    return time.perf_counter() - t0


def measure_epochs(impl: str, name: str, *, quick: bool, threads: int, epochs) -> dict:
    """Epoch times in this process: a warm-up fit on two batches, one timed
    ``fit`` of ``epochs`` epochs (its seconds per epoch), then a fresh
    estimator trained by ``epochs`` ``partial_fit`` calls (one epoch each),
    each timed: the first epoch against the rest. Before each of those
    epochs, :func:`machine_probe` times the machine's speed."""
    _quiet()
    spec = workload_spec(name, quick, epochs)
    Xtr, _, ytr, _, _ = load_data(spec)
    n_epochs, b = spec["epochs"], spec["batch"]
    make_estimator(impl, spec, 1, threads).fit(Xtr[: 2 * b], ytr[: 2 * b])
    est = make_estimator(impl, spec, n_epochs, threads)
    gc.collect()
    _, fit_sec = _timed(est.fit, Xtr, ytr)
    est = make_estimator(impl, spec, n_epochs, threads)
    kw = {"classes": np.unique(ytr)} if spec["task"] == "clf" else {}
    gc.collect()
    times, probes = [], []
    for _ in range(n_epochs):
        probes.append(machine_probe(spec))
        times.append(_timed(est.partial_fit, Xtr, ytr, **kw)[1])
    res = dict(sec=fit_sec / n_epochs, fit_sec=fit_sec, epochs=n_epochs)
    res["epoch_secs"], res["probe_secs"] = times, probes
    return res
