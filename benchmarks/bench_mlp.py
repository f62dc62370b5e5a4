"""Benchmark sknn against scikit-learn's MLP and a pure-NumPy matmul floor.

Run ``python benchmarks/bench_mlp.py --help``; benchmarks/README.md explains the
method (one subprocess per run, rotated order, medians) and every column.
Two modes: the comparison table (default) and ``--spread`` (epoch-time
stability).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import _harness as h
from workloads import ALL_IMPLS, WORKLOADS, available, measure, measure_epochs
from workloads import workload_spec as spec_of

SCRIPT = Path(__file__).resolve()
RESULTS = h.ROOT / "benchmarks"
RATIOS = ("sknn/sklearn", "sknn/floor", "sklearn/sknn", "sklearn/floor", "torch/sknn")
COLUMNS = {  # summary key: (table header, format)
    "sec_per_epoch": ("s/epoch", ".4f"),
    "samples_per_s": ("samples/s", ",.0f"),
    "gflops": ("GFLOP/s", ".2f"),
    "pct_peak": ("%peak", ".1f"),
    "fit_rss_mb": ("fit RSS+MB", ".1f"),
    "predict_rss_mb": ("predict RSS+MB", ".1f"),
    "tracemalloc_mb": ("tracemalloc MB", ".1f"),
    "loss": ("loss", ".4f"),
    "score": ("score", ".4f"),
    "n_iter": ("epochs", "g"),
    "spread": ("max/min", ".2f"),
}
SPREAD_IMPLS = ("sknn", "sklearn")


def fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def fmt_range(s: dict | None, spec: str = ".4f") -> str:
    if not s:
        return "-"
    return f"{s['median']:{spec}} ({s['min']:{spec}}-{s['max']:{spec}})"


def ok_runs(records, **match) -> tuple[list, list]:
    sel = [r for r in records if all(r.get(k) == v for k, v in match.items())]
    return [r for r in sel if "error" not in r], [
        r["error"] for r in sel if "error" in r
    ]


# ----------------------------------------------------------- comparison table
def summarize(records: list[dict], impls, names, peak: dict) -> tuple[list, list]:
    rows, ratios = [], []
    for name in names:
        for impl in impls:
            ok, errors = ok_runs(records, workload=name, impl=impl)
            row = dict(workload=name, impl=impl, n_ok=len(ok), errors=errors)
            for key in COLUMNS:
                row[key] = h.median(r.get(key) for r in ok)
            if len(ok) > 1:
                row["spread"] = h.stats(r["sec"] for r in ok)["spread"]
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
            vals = (t[a] / t[b] for t in times.values() if a in t and b in t)
            entry[label] = h.median(vals)
        ratios.append(entry)
    return rows, ratios


def print_tables(rows, ratios, impls) -> None:
    widths = [max(10, len(head) + 1) for head, _ in COLUMNS.values()]
    line = "{:<13}{:<8}" + "".join(f"{{:>{w}}}" for w in widths) + "{:>5}"
    print(
        line.format("workload", "impl", *(head for head, _ in COLUMNS.values()), "ok")
    )
    for r in rows:
        vals = [fmt(r.get(k), f) for k, (_, f) in COLUMNS.items()]
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


def children(steps, threads: int, argv) -> list[dict]:
    """Run ``bench_mlp.py --child argv(item)`` for every step of a plan."""

    def run(item):
        return h.run_child(SCRIPT, ["--child", *argv(item)], threads)

    return h.run_plan(steps, run)


def run_compare(args, names, impls, child_args, gemm: list) -> dict:
    blocks = [[dict(workload=n, impl=i) for i in impls] for n in names]
    records = children(
        h.plan(blocks, args.reps),
        args.threads,
        lambda it: [it["impl"], it["workload"], *child_args],
    )
    gemm.append(h.gemm(args.threads))
    peak = {k: max(g.get(k) or 0 for g in gemm) for k in h.DTYPES}
    rows, ratios = summarize(records, impls, names, peak)
    print_tables(rows, ratios, impls)
    return dict(gemm_peak_gflops=peak, summary=rows, ratios=ratios, runs=records)


# ---------------------------------------------------------------- spread
def run_spread(args, names, impls, child_args) -> dict:
    blocks = [[dict(workload=n, impl=i) for i in impls] for n in names]
    records = children(
        h.plan(blocks, args.reps),
        args.threads,
        lambda it: ["epochs", it["impl"], it["workload"], *child_args],
    )
    rows = []
    for name in names:
        for impl in impls:
            ok, errors = ok_runs(records, workload=name, impl=impl)
            firsts = [r["epoch_secs"][0] for r in ok]
            rests = [r["epoch_secs"][1:] for r in ok]
            within = [h.stats(t) for t in rests]
            row = dict(workload=name, impl=impl, procs=len(ok), errors=errors)
            row["fit_s_per_epoch"] = h.stats(r["sec"] for r in ok)
            row["epoch_median"] = h.stats(h.median(r["epoch_secs"]) for r in ok)
            row["first_epoch"] = h.stats(firsts)
            row["rest_median"] = h.stats(h.median(t) for t in rests)
            row["within_spread"] = h.median(w["spread"] for w in within if w)
            # The machine's own speed in each process, and the epochs measured
            # against it (each epoch over the probe run just before it).
            probes = [r.get("probe_secs") or [] for r in ok]
            row["probe"] = h.stats(h.median(p) for p in probes if p)
            row["epoch_per_probe"] = h.stats(
                h.median(e / p for e, p in zip(r["epoch_secs"][1:], ps[1:]))
                for r, ps in zip(ok, probes)
                if ps
            )
            rows.append(row)
    print_spread(rows, records)
    return dict(summary=rows, runs=records)


def print_spread(rows, records) -> None:
    print("\nbetween processes: per-process values, median (min-max) and max/min")
    line = "{:<13}{:<8}{:>6}{:>28}{:>8}{:>28}{:>8}"
    heads = ("fit s/epoch", "max/min", "partial_fit epoch", "max/min")
    print(line.format("workload", "impl", "procs", *heads))
    for r in rows:
        a, b = r["fit_s_per_epoch"], r["epoch_median"]
        spreads = (fmt((s or {}).get("spread"), ".2f") for s in (a, b))
        fa, sa = fmt_range(a), next(spreads)
        fb, sb = fmt_range(b), next(spreads)
        print(line.format(r["workload"], r["impl"], r["procs"], fa, sa, fb, sb))
        for err in sorted(set(r["errors"])):
            print(f"    error: {err}")
    print("\nwithin a process (partial_fit, one epoch per call): first epoch and the")
    print("median of the rest, median (min-max) over processes; within max/min =")
    print("median over processes of max/min of the rest")
    line = "{:<13}{:<8}{:>28}{:>28}{:>12}"
    print(line.format("workload", "impl", "first epoch s", "rest s", "within"))
    for r in rows:
        first, rest = fmt_range(r["first_epoch"]), fmt_range(r["rest_median"])
        within = fmt(r["within_spread"], ".2f")
        print(line.format(r["workload"], r["impl"], first, rest, within))
    print("\nper process (in run order)")
    line = "{:<5}{:<13}{:<8}{:>12}{:>12}{:>12}{:>22}"
    heads = ("fit s/ep", "1st epoch", "rest med", "rest min-max")
    print(line.format("rep", "workload", "impl", *heads))
    for r in records:
        if "error" in r:
            continue
        rest = h.stats(r["epoch_secs"][1:]) or {}
        span = f"{rest['min']:.4f}-{rest['max']:.4f}" if rest else "-"
        times = (
            fmt(v, ".4f") for v in (r["sec"], r["epoch_secs"][0], rest.get("median"))
        )
        print(line.format(r["rep"], r["workload"], r["impl"], *times, span))
    print("\nthe machine's speed: a fixed NumPy/BLAS probe before every epoch,")
    print("median per process; epochs over the probe just before them, median per")
    print("process: what is left of the spread once the machine's speed is removed")
    line = "{:<13}{:<8}{:>28}{:>8}{:>24}{:>8}"
    heads = ("probe s", "max/min", "epoch/probe", "max/min")
    print(line.format("workload", "impl", *heads))
    for r in rows:
        p, e = r.get("probe"), r.get("epoch_per_probe")
        sp, se = (fmt((s or {}).get("spread"), ".2f") for s in (p, e))
        fp, fe = fmt_range(p), fmt_range(e, ".1f")
        print(line.format(r["workload"], r["impl"], fp, sp, fe, se))
    by = {(r["workload"], r["impl"]): r for r in rows}
    for name in dict.fromkeys(r["workload"] for r in rows):
        sk, sl = by.get((name, "sknn")), by.get((name, "sklearn"))
        if sk and sl and sk["fit_s_per_epoch"] and sl["fit_s_per_epoch"]:
            a, b = sk["fit_s_per_epoch"]["spread"], sl["fit_s_per_epoch"]["spread"]
            print(
                f"{name}: fit s/epoch max/min across processes: sknn {a:.2f}, "
                f"sklearn {b:.2f} (target: sknn <= sklearn)"
            )
            if sk.get("epoch_per_probe") and sl.get("epoch_per_probe"):
                a = sk["epoch_per_probe"]["spread"]
                b = sl["epoch_per_probe"]["spread"]
                print(
                    f"{name}: epoch/probe max/min across processes: sknn {a:.2f}, "
                    f"sklearn {b:.2f}"
                )


# ------------------------------------------------------------------- CLI
def child(args) -> None:
    kind, *rest = args.child
    kw = dict(quick=args.quick, threads=args.threads, epochs=args.epochs)
    h.emit(
        measure_epochs(*rest, **kw) if kind == "epochs" else measure(kind, *rest, **kw)
    )


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1/5 of the rows, 1 repeat")
    reps_help = "repetitions (default 3; --spread 9; --quick 1)"
    p.add_argument("--repeats", "--reps", dest="reps", type=int, help=reps_help)
    p.add_argument("--json", help="results file (default benchmarks/results*.json)")
    p.add_argument("--impl", help="comma-separated (default: all that import)")
    p.add_argument("--workload", help="comma-separated (default: all; spread medium32)")
    p.add_argument("--threads", type=int, default=2, help="BLAS threads per child")
    p.add_argument("--epochs", type=int, help="override the workloads' epoch counts")
    p.add_argument(
        "--spread",
        action="store_true",
        help="epoch-time stability of sknn and sklearn over fresh processes",
    )
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args)
    mode_name = "spread" if args.spread else None
    default_names = ["medium32"] if args.spread else list(WORKLOADS)
    names = args.workload.split(",") if args.workload else default_names
    default_impls = SPREAD_IMPLS if args.spread else ALL_IMPLS
    requested = args.impl.split(",") if args.impl else list(default_impls)
    unknown = set(names) - set(WORKLOADS) | set(requested) - set(ALL_IMPLS)
    if unknown:
        p.error(f"unknown {sorted(unknown)}; use {list(WORKLOADS)}, {ALL_IMPLS}")
    if args.spread and set(requested) - set(SPREAD_IMPLS):
        p.error(f"--spread compares {SPREAD_IMPLS} (they have partial_fit)")
    impls = [i for i in requested if available(i)]
    if not impls:
        p.error("no implementation available")
    default_reps = 9 if mode_name else 3
    args.reps = args.reps or (1 if args.quick else default_reps)
    if mode_name and args.reps < 9 and not args.quick:
        print(f"note: {args.reps} repetitions; the issue asks for at least 9")
    if args.spread and not args.epochs:
        args.epochs = 10
    child_args = ["--quick"] if args.quick else []
    child_args += ["--epochs", str(args.epochs)] if args.epochs else []
    gemm = [h.gemm(args.threads)]  # again at the end of the comparison
    info = h.machine_info(gemm[0])
    print(h.header(info, args.threads, gemm[0]), flush=True)
    if args.spread:
        out = run_spread(args, names, impls, child_args)
    else:
        out = run_compare(args, names, impls, child_args, gemm)
    info["gemm_runs"] = [{k: g.get(k) for k in h.DTYPES} for g in gemm]
    doc = dict(date=date.today().isoformat(), mode=mode_name or "compare", machine=info)
    doc.update(impls=impls, quick=args.quick, repeats=args.reps, threads=args.threads)
    doc["epochs"] = args.epochs
    doc["workloads"] = {n: spec_of(n, args.quick, args.epochs) for n in names}
    doc.update(out)
    suffix = f"_{mode_name}" if mode_name else ""
    path = Path(args.json or RESULTS / f"results{suffix}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
