"""What every benchmark here shares: fresh child processes, rotated order,
timing statistics, resident-memory peaks and the machine's description.

The parent runs each measurement in a fresh ``python SCRIPT --child ...``
process (:func:`run_child`) with the BLAS/OpenMP thread variables set before
the child starts, in an order rotated by one position per repetition
(:func:`plan`), and reads one JSON line back. A child measures the resident
memory of a phase with :class:`PeakRSS` and prints its result with
:func:`emit`. ``python benchmarks/_harness.py gemm`` is the GEMM-peak child.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 1800  # seconds for one child process
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DTYPES = ("float32", "float64")


# ------------------------------------------------------------- parent: children
def run_child(script: str | Path, argv: list[str], threads: int | None) -> dict:
    """Run ``python SCRIPT [--threads N] ARGV`` and return its last JSON line.

    ``threads`` sets the BLAS/OpenMP thread variables of the child (``None``
    leaves the environment as it is). A failure comes back as
    ``{"error": last stderr line}``.
    """
    full_env = dict(os.environ)
    cmd = [sys.executable, str(script)]
    if threads is not None:
        full_env.update(dict.fromkeys(THREAD_VARS, str(threads)))
        cmd += ["--threads", str(threads)]
    kw = dict(env=full_env, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    try:
        proc = subprocess.run(cmd + argv, **kw)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        err = proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"]
        return {"error": err[-1]}
    return json.loads(lines[-1])


def rotated(seq, shift: int) -> list:
    """``seq`` rotated left by ``shift`` positions (two items: alternated)."""
    seq = list(seq)
    k = shift % len(seq) if seq else 0
    return seq[k:] + seq[:k]


def plan(blocks, reps: int):
    """Yield ``(rep, item)``: each block's items back to back, rotated by one
    position per repetition; all repetitions of a block before the next
    block."""
    for block in blocks:
        for rep in range(reps):
            for item in rotated(block, rep):
                yield rep, item


def run_plan(steps, run_one, *, time_key: str = "sec") -> list[dict]:
    """``run_one(item) -> dict`` for every ``(rep, item)`` of a :func:`plan`
    (items are dicts); returns the records with ``rep`` and the item's keys,
    and reports progress on stderr."""
    records = []
    for rep, item in steps:
        rec = dict(run_one(item), **item, rep=rep)
        records.append(rec)
        what = " ".join(str(v) for v in item.values())
        msg = rec.get("error") or f"{rec[time_key]:.3f}s"
        print(f"  rep {rep} {what}: {msg}", file=sys.stderr, flush=True)
    return records


# --------------------------------------------------------------- statistics
def stats(values) -> dict | None:
    """Median, min, max and max/min of the values that are not ``None``."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    lo, hi = min(vals), max(vals)
    spread = hi / lo if lo > 0 else None
    return dict(
        median=statistics.median(vals), min=lo, max=hi, spread=spread, n=len(vals)
    )


def median(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


# ----------------------------------------------------------- child: memory
def _status_kib(field: str) -> int | None:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return None


class PeakRSS:
    """Peak resident memory of one phase above the resident memory at its start.

    Created at the start of the phase: writes ``5`` to ``/proc/self/clear_refs``
    (resets the kernel's peak-RSS mark ``VmHWM`` to the current RSS) and reads
    ``VmRSS``; :meth:`mb` reads ``VmHWM`` and returns the difference in MiB
    (``method = "rss_reset"``). Where the reset is not allowed it falls back to
    ``ru_maxrss`` minus its value at the start (``"maxrss_delta"``): only what
    rises above the process's earlier peak shows.
    """

    def __init__(self):
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.start_kib, self.method = _status_kib("VmRSS:"), "rss_reset"
            if self.start_kib is None:
                raise OSError("no VmRSS")
        except OSError:
            self.start_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            self.method = "maxrss_delta"

    def mb(self) -> float:
        if self.method == "rss_reset":
            peak = _status_kib("VmHWM:") or 0
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return max(peak - self.start_kib, 0) / 1024


def blas_threads() -> list:
    """This process's thread pools (threadpoolctl, a scikit-learn dependency)."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "num_threads", "architecture")
    return [{k: p.get(k) for k in keys} for p in threadpool_info()]


def emit(result: dict) -> None:
    """A child's one result line (the parent reads the last line starting "{")."""
    print(json.dumps(result), flush=True)


# ------------------------------------------------------------- machine info
def child_gemm() -> dict:
    """GEMM peak per dtype: best of 6 2048x2048 products, and the thread pools."""
    import numpy as np

    res = {}
    for dt in DTYPES:
        a, b = np.random.default_rng(0).standard_normal((2, 2048, 2048), dtype=dt)
        c, best = np.empty_like(a), float("inf")
        for _ in range(6):  # the first call also warms up the thread pool
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            best = min(best, time.perf_counter() - t0)
        res[dt] = 2 * 2048**3 / best / 1e9
    res["threadpools"] = blas_threads()
    return res


def gemm(threads: int | None) -> dict:
    return run_child(Path(__file__), ["gemm"], threads)


def machine_info(gemm_run: dict | None = None) -> dict:
    """CPU, cpu count, BLAS, library versions (and a GEMM run's thread pools)."""
    import numpy as np
    import sklearn

    with open("/proc/cpuinfo") as f:
        cpus = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        blas = "unknown"
    info = dict(nproc=os.cpu_count(), cpu=cpus[0] if cpus else "unknown", blas=blas)
    info.update(numpy=np.__version__, sklearn=sklearn.__version__)
    info.update(python=platform.python_version(), kernel=platform.release())
    info["threadpools"] = (gemm_run or {}).get("threadpools")
    return info


def header(info: dict, threads: int | None, gemm_run: dict | None = None) -> str:
    text = f"# {info['cpu']}, {info['nproc']} cpus, {threads or 'default'} threads"
    text += f"; numpy {info['numpy']}, sklearn {info['sklearn']}\n# {info['blas']}"
    if gemm_run and "error" not in gemm_run:
        flops = ", ".join(f"{k} {gemm_run.get(k, 0):.1f}" for k in DTYPES)
        text += f"; 2048x2048 GEMM GFLOP/s: {flops}"
    return text


if __name__ == "__main__":
    if sys.argv[1:2] == ["--threads"]:  # set by run_child; the env does the work
        del sys.argv[1:3]
    if sys.argv[1:] == ["gemm"]:
        emit(child_gemm())
    else:
        sys.exit("usage: _harness.py [--threads N] gemm")
