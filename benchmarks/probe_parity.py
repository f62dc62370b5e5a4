"""Probe: does sknn behave like scikit-learn's MLP on configurations a migrating
user might write?

Not a unit test (it takes minutes): a script that draws random configurations
(seeded, so a run is repeatable), runs each one through
``sklearn.neural_network`` and through ``sknn`` side by side, and compares after
every call:

* every public fitted attribute scikit-learn sets (value, type, dtype);
* ``predict`` / ``predict_proba`` / ``score`` (values and dtypes);
* the warnings emitted (category, and scikit-learn's message a prefix of sknn's);
* the exception raised (class, and scikit-learn's message a prefix of sknn's);
* the bytes printed on standard output (``verbose=True``);
* the state of a ``RandomState`` passed as ``random_state``.

With ``random_state=None`` the values cannot agree; only types, dtypes, shapes,
warnings' categories and exceptions are compared.

Usage::

    python benchmarks/probe_parity.py [--n 200] [--seed 20261207] [--only 17]

Differences that ``docs/guide/differences.md`` names are tallied apart from the
rest (see :func:`named_difference`); the exit status is 1 if any other
difference is found. Differences of value in a stochastic fit count as rounding
(the page's "Unstable stochastic fits" and "float32 agrees to float32 rounding")
only when scikit-learn is as sensitive itself: its own fit with every nonzero
entry of ``X`` moved by one ulp parts from its fit by at least a hundredth of
sknn's distance (or, in float32, every epoch's loss agrees to 1e-5).
"""

import argparse
import contextlib
import copy
import io
import os
import sys
import time
import traceback
import warnings
from collections import Counter

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sknn import MLPClassifier, MLPRegressor  # noqa: E402

PROBE_SEED = 20261207

# ---------------------------------------------------------------------------
# Data: scikit-learn's shipped data sets and generators, at most a few hundred
# rows so that a probe of 200 configurations runs in minutes.
# ---------------------------------------------------------------------------

_CACHE = {}


def _load(name):
    if name not in _CACHE:
        if name == "iris":
            X, y = datasets.load_iris(return_X_y=True)
        elif name == "wine":
            X, y = datasets.load_wine(return_X_y=True)
        elif name == "breast_cancer":
            X, y = datasets.load_breast_cancer(return_X_y=True)
        elif name == "digits":
            X, y = datasets.load_digits(return_X_y=True)
        elif name == "diabetes":
            X, y = datasets.load_diabetes(return_X_y=True)
        elif name == "linnerud":
            X, y = datasets.load_linnerud(return_X_y=True)
        elif name == "moons":
            X, y = datasets.make_moons(200, noise=0.2, random_state=1)
        elif name == "circles":
            X, y = datasets.make_circles(200, noise=0.1, factor=0.5, random_state=1)
        elif name == "blobs":
            X, y = datasets.make_blobs(240, n_features=4, centers=4, random_state=2)
        elif name == "classification":
            X, y = datasets.make_classification(
                250, n_features=12, n_informative=6, n_classes=3, random_state=3
            )
        elif name == "multilabel":
            X, y = datasets.make_multilabel_classification(
                200, n_features=10, n_classes=4, n_labels=2, random_state=4
            )
        elif name == "regression":
            X, y = datasets.make_regression(
                200, n_features=8, n_informative=5, noise=5.0, random_state=5
            )
        elif name == "regression3":
            X, y = datasets.make_regression(
                200, n_features=6, n_targets=3, noise=2.0, random_state=6
            )
        elif name == "friedman1":
            X, y = datasets.make_friedman1(200, random_state=7)
        else:
            raise KeyError(name)
        _CACHE[name] = (X, y)
    return _CACHE[name]


CLASSIFICATION = {
    "binary": ["breast_cancer", "moons", "circles"],
    "multiclass": ["iris", "wine", "digits", "blobs", "classification"],
    "multilabel": ["multilabel"],
}
REGRESSION = {
    "single": ["diabetes", "regression", "friedman1"],
    "multi": ["linnerud", "regression3"],
}

# ---------------------------------------------------------------------------
# Drawing a configuration.
# ---------------------------------------------------------------------------


def _choice(rng, options, p=None):
    return options[rng.choice(len(options), p=p)]


def draw_config(rng, index):
    """One configuration as a plain dict (printable, reproducible)."""
    cfg = {"index": index}
    kind = _choice(rng, ["classifier", "regressor"], p=[0.6, 0.4])
    cfg["kind"] = kind
    if kind == "classifier":
        task = _choice(rng, ["binary", "multiclass", "multilabel"], p=[0.35, 0.5, 0.15])
        cfg["task"] = task
        cfg["data"] = _choice(rng, CLASSIFICATION[task])
        cfg["string_labels"] = task != "multilabel" and rng.rand() < 0.25
    else:
        task = _choice(rng, ["single", "multi"], p=[0.7, 0.3])
        cfg["task"] = task
        cfg["data"] = _choice(rng, REGRESSION[task])
        cfg["string_labels"] = False
    cfg["scaled"] = bool(rng.rand() < 0.6)
    cfg["dtype"] = _choice(rng, ["float64", "float32"], p=[0.7, 0.3])
    cfg["pandas"] = bool(rng.rand() < 0.15)
    cfg["n_rows"] = int(_choice(rng, [60, 120, 200, 300, 600, 2000]))

    solver = _choice(rng, ["adam", "sgd", "lbfgs"], p=[0.4, 0.35, 0.25])
    params = {"solver": solver}
    n_layers = int(_choice(rng, [1, 2, 3], p=[0.5, 0.35, 0.15]))
    params["hidden_layer_sizes"] = tuple(
        int(_choice(rng, [1, 3, 5, 10, 20, 50])) for _ in range(n_layers)
    )
    if n_layers == 1 and rng.rand() < 0.2:
        params["hidden_layer_sizes"] = params["hidden_layer_sizes"][0]  # an int
    if rng.rand() < 0.7:
        params["activation"] = _choice(rng, ["identity", "logistic", "tanh", "relu"])
    if rng.rand() < 0.5:
        params["alpha"] = float(_choice(rng, [0.0, 1e-5, 1e-3, 0.1, 1.0, 10.0]))
    if rng.rand() < 0.3:
        params["tol"] = float(_choice(rng, [1e-2, 1e-3, 1e-6, 0.0]))
    params["max_iter"] = int(
        _choice(
            rng, [1, 3, 10, 30, 60, 200, 500], p=[0.05, 0.1, 0.25, 0.3, 0.15, 0.1, 0.05]
        )
    )
    if solver == "lbfgs":
        if rng.rand() < 0.3:
            params["max_fun"] = int(_choice(rng, [5, 20, 100, 15000]))
    else:
        if rng.rand() < 0.5:
            params["learning_rate_init"] = float(
                _choice(rng, [1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.5])
            )
        if rng.rand() < 0.5:
            params["batch_size"] = _choice(rng, [1, 7, 16, 33, 64, 500, "auto"])
            if params["batch_size"] == 1 and params["max_iter"] > 10:
                params["batch_size"] = 13  # keep run time in check
        if rng.rand() < 0.3:
            params["shuffle"] = bool(rng.rand() < 0.5)
        if rng.rand() < 0.35:
            params["early_stopping"] = True
            if rng.rand() < 0.5:
                params["validation_fraction"] = float(
                    _choice(rng, [0.05, 0.2, 0.33, 0.5])
                )
        if rng.rand() < 0.35:
            params["n_iter_no_change"] = int(_choice(rng, [1, 2, 5, 20]))
        if solver == "sgd":
            if rng.rand() < 0.6:
                params["learning_rate"] = _choice(
                    rng, ["constant", "invscaling", "adaptive"]
                )
            if rng.rand() < 0.3:
                params["power_t"] = float(_choice(rng, [0.1, 0.25, 0.5, 1.0]))
            if rng.rand() < 0.5:
                params["momentum"] = float(_choice(rng, [0.0, 0.5, 0.9, 0.99]))
            if rng.rand() < 0.3:
                params["nesterovs_momentum"] = bool(rng.rand() < 0.5)
        else:
            if rng.rand() < 0.3:
                params["beta_1"] = float(_choice(rng, [0.0, 0.5, 0.8, 0.95]))
            if rng.rand() < 0.3:
                params["beta_2"] = float(_choice(rng, [0.9, 0.99, 0.9999]))
            if rng.rand() < 0.2:
                params["epsilon"] = float(_choice(rng, [1e-10, 1e-6, 1e-3]))
            # a user copying an sgd config may leave sgd-only arguments in
            if rng.rand() < 0.1:
                params["momentum"] = 0.5
    if rng.rand() < 0.1:
        params["verbose"] = True

    # a few mistakes a migrating user makes
    if rng.rand() < 0.07:
        bad = _choice(
            rng,
            [
                ("alpha", -1.0),
                ("momentum", 1.5),
                ("hidden_layer_sizes", (0,)),
                ("hidden_layer_sizes", ()),
                ("learning_rate", "optimal"),
                ("activation", "softmax"),
                ("validation_fraction", 1.0),
                ("batch_size", 0),
                ("max_iter", 0),
                ("solver", "SGD"),
                ("beta_1", 1.0),
                ("n_iter_no_change", 0),
            ],
        )
        params[bad[0]] = bad[1]
        cfg["mistake"] = bad[0]
    cfg["params"] = params

    cfg["rs"] = _choice(rng, ["int", "RandomState", "None"], p=[0.65, 0.25, 0.1])
    cfg["rs_seed"] = int(rng.randint(0, 1000))
    cfg["sample_weight"] = bool(rng.rand() < 0.2)

    stochastic = solver in ("sgd", "adam")
    seqs = ["fit", "warm_start", "set_params_refit"]
    p = [0.55, 0.2, 0.1]
    if stochastic or rng.rand() < 0.2:  # lbfgs partial_fit: a user's mistake
        seqs += ["partial_fit", "fit_then_partial_fit"]
        p += [0.1, 0.05]
    p = np.array(p) / sum(p)
    cfg["sequence"] = _choice(rng, seqs, p=p)
    cfg["n_calls"] = int(_choice(rng, [2, 3, 4]))
    if cfg["sequence"] in ("warm_start", "set_params_refit", "fit_then_partial_fit"):
        changes = []
        for _ in range(cfg["n_calls"] - 1):
            change = {}
            if rng.rand() < 0.5:
                change["max_iter"] = int(_choice(rng, [2, 5, 20]))
            if stochastic and rng.rand() < 0.3:
                change["learning_rate_init"] = float(_choice(rng, [1e-3, 1e-2]))
            if rng.rand() < 0.15:
                change["alpha"] = 0.01
            if cfg["sequence"] == "warm_start" and rng.rand() < 0.15:
                change["early_stopping"] = not params.get("early_stopping", False)
            changes.append(change)
        cfg["changes"] = changes
    if cfg["sequence"] == "partial_fit":
        cfg["chunks"] = int(_choice(rng, [2, 3, 5]))
        cfg["pass_classes"] = _choice(
            rng, ["first", "every", "never"], p=[0.5, 0.4, 0.1]
        )
        if rng.rand() < 0.25:
            cfg["changes"] = [{"learning_rate_init": 0.01}]
    if (
        params["max_iter"] > 60
        and cfg["n_rows"] > 120
        and (cfg["sequence"] != "fit" or params.get("batch_size") in (1, 7, 13))
    ):
        params["max_iter"] = 30  # run time
    return cfg


# ---------------------------------------------------------------------------
# Preparing the data of a configuration.
# ---------------------------------------------------------------------------


def make_data(cfg):
    X, y = _load(cfg["data"])
    rows = np.random.RandomState(cfg["index"]).permutation(len(X))[: cfg["n_rows"]]
    X, y = X[rows], y[rows]
    if cfg["kind"] == "classifier" and cfg["task"] != "multilabel":
        # keep every class at least twice (stratified early-stopping split)
        classes, counts = np.unique(y, return_counts=True)
        keep = np.isin(y, classes[counts >= 2])
        X, y = X[keep], y[keep]
    if cfg["scaled"]:
        X = StandardScaler().fit_transform(X)
        if cfg["kind"] == "regressor":
            y = (y - y.mean(axis=0)) / y.std(axis=0)
    X = X.astype(cfg["dtype"])
    if cfg.get("nudge"):  # every nonzero entry one ulp up (see _self_sensitive)
        X = np.where(X != 0, np.nextafter(X, np.inf), X)
    if cfg["string_labels"]:
        names = np.array(
            ["cat", "dog", "emu", "fox", "gnu", "hen", "owl", "pig", "ram", "yak"]
        )
        y = names[y.astype(int)]
    sw = None
    if cfg["sample_weight"]:
        sw = np.random.RandomState(cfg["index"] + 1).uniform(0.2, 3.0, len(X))
    if cfg["pandas"]:
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        if np.ndim(y) == 1:
            y = pd.Series(y, name="target")
        else:
            y = pd.DataFrame(y, columns=[f"t{i}" for i in range(y.shape[1])])
    return X, y, sw


def _rows(obj, idx):
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return obj.iloc[idx]
    return None if obj is None else obj[idx]


# ---------------------------------------------------------------------------
# Running a configuration with one library: a trace of observations.
# ---------------------------------------------------------------------------


def _random_state(cfg):
    if cfg["rs"] == "int":
        return cfg["rs_seed"]
    if cfg["rs"] == "RandomState":
        return np.random.RandomState(cfg["rs_seed"])
    return None


def _observe_call(fn):
    """Run ``fn``; return (exception or None, warnings, stdout bytes)."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out):
            try:
                fn()
                exc = None
            except Exception as e:  # noqa: BLE001 - compared below
                exc = e
    ws = [(w.category, str(w.message)) for w in caught]
    return exc, ws, out.getvalue()


def _attributes(est):
    """Public fitted attributes (``name_``), properties included."""
    found = {}
    for k in dir(est):
        if k.endswith("_") and not k.startswith("_") and not k.endswith("__"):
            try:
                v = getattr(est, k)
            except AttributeError:
                continue
            if not callable(v):
                found[k] = v
    return found


def _outputs(est, X, y, sw):
    res = {}
    for name, call in [
        ("predict", lambda: est.predict(X)),
        ("predict_proba", lambda: est.predict_proba(X)),
        ("predict_log_proba", lambda: est.predict_log_proba(X)),
        ("score", lambda: est.score(X, y)),
        ("score_sw", lambda: est.score(X, y, sample_weight=sw)),
    ]:
        if name.startswith("predict_") and not hasattr(est, "predict_proba"):
            continue
        if name == "score_sw" and sw is None:
            continue
        exc, ws, _ = _observe_call(lambda n=name, c=call: res.__setitem__(n, c()))
        if exc is not None:
            res[name] = ("raised", type(exc), str(exc))
        if ws:
            res[name + ":warnings"] = ws
    return res


def run(cfg, lib):
    """The trace of a configuration under ``lib`` ("sklearn" or "sknn")."""
    X, y, sw = make_data(cfg)
    est_cls = {
        ("sklearn", "classifier"): SkMLPClassifier,
        ("sklearn", "regressor"): SkMLPRegressor,
        ("sknn", "classifier"): MLPClassifier,
        ("sknn", "regressor"): MLPRegressor,
    }[lib, cfg["kind"]]
    rs = _random_state(cfg)
    params = dict(cfg["params"], random_state=rs)
    seq = cfg["sequence"]
    if seq == "warm_start":
        params["warm_start"] = True
    trace = []

    def record(label, exc, ws, out, est):
        step = {"call": label, "warnings": ws, "stdout": out}
        step["exception"] = None if exc is None else (type(exc), str(exc))
        if isinstance(rs, np.random.RandomState):
            step["rng"] = rs.get_state()
        # copies: a warm refit updates scikit-learn's arrays in place
        step["attributes"] = copy.deepcopy(_attributes(est))
        if exc is None or _attributes(est).get("coefs_") is not None:
            if hasattr(est, "coefs_"):
                step["outputs"] = _outputs(est, X, y, sw)
        trace.append(step)
        return exc is None

    est = est_cls(**params)
    kw = {} if sw is None else {"sample_weight": sw}

    if seq in ("fit", "warm_start", "set_params_refit", "fit_then_partial_fit"):
        n_calls = 1 if seq == "fit" else cfg["n_calls"]
        for i in range(n_calls):
            if i > 0:
                change = cfg["changes"][i - 1]
                if change:
                    est.set_params(**change)
            if seq == "fit_then_partial_fit" and i > 0:
                exc, ws, out = _observe_call(lambda: est.partial_fit(X, y, **kw))
                label = f"partial_fit#{i}"
            else:
                exc, ws, out = _observe_call(lambda: est.fit(X, y, **kw))
                label = f"fit#{i}"
            if not record(label, exc, ws, out, est):
                break
    elif seq == "partial_fit":
        n = len(X)
        bounds = np.linspace(0, n, cfg["chunks"] + 1).astype(int)
        classes = None
        if cfg["task"] == "multilabel":  # the indicator matrix's columns
            classes = np.arange(np.shape(y)[1])
        elif cfg["kind"] == "classifier":
            classes = np.unique(np.asarray(y))
        for i in range(cfg["chunks"]):
            if i == 1 and cfg.get("changes"):
                est.set_params(**cfg["changes"][0])
            idx = np.arange(bounds[i], bounds[i + 1])
            ckw = {} if sw is None else {"sample_weight": sw[idx]}
            passing = {"first": i == 0, "every": True, "never": False}[
                cfg["pass_classes"]
            ]
            if classes is not None and passing:
                ckw["classes"] = classes
            Xi, yi = _rows(X, idx), _rows(y, idx)
            exc, ws, out = _observe_call(
                lambda Xi=Xi, yi=yi, ckw=ckw: est.partial_fit(Xi, yi, **ckw)
            )
            if not record(f"partial_fit#{i}", exc, ws, out, est):
                break
    return trace


# ---------------------------------------------------------------------------
# Comparing two traces.
# ---------------------------------------------------------------------------


class Difference(Exception):
    def __init__(self, where, what):
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what


def _tol(dtype):
    return (1e-4, 1e-4) if dtype == "float32" else (1e-7, 1e-9)


def compare_value(where, a, b, cfg, values=True):
    """``a`` is scikit-learn's value, ``b`` sknn's."""
    if type(a) is not type(b):
        if not (a is None and b is None):
            raise Difference(where, f"type {type(a).__name__} vs {type(b).__name__}")
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype:
            raise Difference(where, f"dtype {a.dtype} vs {b.dtype}")
        if a.shape != b.shape:
            raise Difference(where, f"shape {a.shape} vs {b.shape}")
        if not values:
            return
        if a.dtype.kind in "fc":
            rtol, atol = _tol(cfg["dtype"])
            if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
                d = np.nanmax(np.abs(a.astype(float) - b.astype(float)))
                raise Difference(where, f"values differ by {d:.3g}")
        elif not np.array_equal(a, b):
            n = int(np.sum(a != b))
            raise Difference(where, f"{n} of {a.size} entries differ")
    elif isinstance(a, (list, tuple)):
        if not values:  # curves of two unseeded runs: only the entries' types
            for i, (ai, bi) in enumerate(zip(a, b)):
                compare_value(f"{where}[{i}]", ai, bi, cfg, values)
            return
        if len(a) != len(b):
            raise Difference(where, f"length {len(a)} vs {len(b)}")
        for i, (ai, bi) in enumerate(zip(a, b)):
            compare_value(f"{where}[{i}]", ai, bi, cfg, values)
    elif isinstance(a, (float, np.floating)):
        if not values:
            return
        rtol, atol = _tol(cfg["dtype"])
        if not (np.isnan(a) and np.isnan(b)) and not np.isclose(
            a, b, rtol=rtol, atol=atol
        ):
            raise Difference(where, f"{a!r} vs {b!r}")
    elif isinstance(a, dict):
        if a.keys() != b.keys():
            raise Difference(where, f"keys {sorted(a)} vs {sorted(b)}")
        for k in a:
            compare_value(f"{where}[{k!r}]", a[k], b[k], cfg, values)
    elif callable(a):
        return
    else:
        if values or isinstance(a, (str, bool, type(None))):
            if not (a == b):
                raise Difference(where, f"{a!r} vs {b!r}")


def _short_warnings(ws):
    return [(c.__name__, m[:70]) for c, m in ws]


def _short_exception(e):
    return e and (e[0].__name__, e[1][:100])


def _compare_warnings(where, wa, wb):
    if len(wa) != len(wb):
        raise Difference(
            where + " warnings",
            f"{_short_warnings(wa)} vs {_short_warnings(wb)}",
        )
    for (ca, ma), (cb, mb) in zip(wa, wb):
        if ca is not cb:
            raise Difference(where + " warnings", f"{ca.__name__} vs {cb.__name__}")
        if not mb.startswith(ma):
            raise Difference(where + " warnings", f"{ma[:90]!r} vs {mb[:90]!r}")


def compare(cfg, ta, tb):
    values = cfg["rs"] != "None"
    for i in range(max(len(ta), len(tb))):
        if i >= len(ta) or i >= len(tb):
            longer = "sknn" if len(tb) > len(ta) else "sklearn"
            last = (ta if longer == "sknn" else tb)[-1]
            raise Difference(
                f"step {i}",
                f"only {longer} went on; the other raised "
                f"{_short_exception(last.get('exception'))}",
            )
        a, b = ta[i], tb[i]
        where = a["call"]
        ea, eb = a.get("exception"), b.get("exception")
        if (ea is None) != (eb is None):
            raise Difference(
                where,
                f"exception {_short_exception(ea)} vs {_short_exception(eb)}",
            )
        if ea is not None:
            if ea[0] is not eb[0]:
                raise Difference(
                    where,
                    f"exception {_short_exception(ea)} vs {_short_exception(eb)}",
                )
            if not eb[1].startswith(ea[1]) and values:
                if _same_but_valid_values(ea[1], eb[1]):
                    raise Difference(
                        where,
                        f"InvalidParameterError: sknn lists other valid values: "
                        f"{ea[1][:90]!r} vs {eb[1][:90]!r}",
                    )
                raise Difference(
                    where, f"exception message {ea[1][:100]!r} vs {eb[1][:100]!r}"
                )
            try:
                _compare_step(cfg, where, a, b, values)
            except Difference as d:
                raise Difference(d.where, "after the failed call: " + d.what) from None
        else:
            _compare_step(cfg, where, a, b, values)


def _same_but_valid_values(sk_message, our_message):
    """Both say "The 'x' parameter of Est must be ... among {...}. Got ..." with
    only the set of valid values differing."""
    heads = [m.split(" among ")[0] for m in (sk_message, our_message)]
    tails = [m.rsplit(" Got ", 1)[-1] for m in (sk_message, our_message)]
    return " among " in sk_message and heads[0] == heads[1] and tails[0] == tails[1]


def _compare_step(cfg, where, a, b, values):
    if values:  # unseeded runs warn (about convergence) as their draws go
        _compare_warnings(where, a["warnings"], b["warnings"])
    if values and a["stdout"] != b["stdout"]:
        la, lb = a["stdout"].splitlines(), b["stdout"].splitlines()
        for j, (x, y) in enumerate(zip(la + [""] * len(lb), lb + [""] * len(la))):
            if x != y:
                raise Difference(where + " stdout", f"line {j + 1}: {x!r} vs {y!r}")
    if "rng" in a:
        sa, sb = a["rng"], b["rng"]
        if not (np.array_equal(sa[1], sb[1]) and sa[2:] == sb[2:]):
            raise Difference(where, "RandomState state after the call differs")
    if "attributes" not in a:
        return
    attrs_a, attrs_b = a["attributes"], b["attributes"]
    for name, va in attrs_a.items():
        if name not in attrs_b:
            raise Difference(where, f"sknn lacks {name}")
        compare_value(f"{where} {name}", va, attrs_b[name], cfg, values)
    if ("outputs" in a) != ("outputs" in b):
        raise Difference(where, "outputs on one side only")
    if "outputs" in a:
        oa, ob = a["outputs"], b["outputs"]
        for name in oa:
            if not values and name.endswith(":warnings"):
                continue
            if name not in ob:
                raise Difference(where, f"sknn lacks output {name}")
            if name.endswith(":warnings"):
                if values:
                    _compare_warnings(f"{where} {name}", oa[name], ob[name])
                continue
            compare_value(f"{where} {name}()", oa[name], ob[name], cfg, values)
        for name in ob:
            if values and name not in oa and name.endswith(":warnings"):
                raise Difference(where, f"sknn warns in {name}")


# ---------------------------------------------------------------------------
# Differences the differences page names.
# ---------------------------------------------------------------------------


def _loss_curves(trace):
    return [step.get("attributes", {}).get("loss_curve_") or [] for step in trace]


def _diverged(trace):
    """scikit-learn's run (or sknn's) blew up: non-finite or exploding losses,
    NumPy's overflow warnings, sknn's divergence warning or error."""
    for step in trace:
        for category, message in step.get("warnings", []):
            if category is RuntimeWarning and (
                "overflow" in message or "invalid" in message
            ):
                return True
            if "exploded" in message or "diverged" in message:
                return True
        exc = step.get("exception")
        if exc and "non-finite" in exc[1]:
            return True
    for curve in _loss_curves(trace):
        curve = np.asarray(curve, dtype=float)
        if len(curve) and (
            not np.isfinite(curve).all()
            or (curve.max() > 1.0 and curve.max() > 1e6 * curve[0])
        ):
            return True
    return False


def _losses(trace):
    return np.array(
        [step.get("attributes", {}).get("loss_", np.nan) for step in trace], float
    )


def _upto(trace, diff):
    """The steps of ``trace`` up to the one where ``diff`` was found."""
    calls = [step["call"] for step in trace]
    call = diff.where.split()[0]
    return trace[: calls.index(call) + 1] if call in calls else trace


def _losses_close(ta, tb, rtol=1e-5):
    """Every epoch's loss of both runs agrees to ``rtol`` (float32 rounding)."""
    pairs = list(zip(_loss_curves(ta), _loss_curves(tb)))
    if not any(len(ca) for ca, _ in pairs):
        return False
    for ca, cb in pairs:
        if len(ca) != len(cb):
            return False
        if len(ca) and not np.allclose(ca, cb, rtol=rtol, atol=0):
            return False
    return True


def _distances(ta, tb):
    """How far two traces are apart, relatively: in ``loss_`` (over the calls)
    and in ``coefs_`` (the largest difference over the largest weight)."""
    la, lb = _losses(ta), _losses(tb)
    n = min(len(la), len(lb))
    with np.errstate(all="ignore"):
        loss = np.abs(la[:n] - lb[:n]) / np.abs(la[:n])
    loss = loss[np.isfinite(loss)]
    coefs = []
    for a, b in zip(ta, tb):
        ca, cb = a.get("attributes", {}), b.get("attributes", {})
        ca, cb = ca.get("coefs_"), cb.get("coefs_")
        if ca is None or cb is None or len(ca) != len(cb):
            continue
        if any(x.shape != y.shape for x, y in zip(ca, cb)):
            continue
        scale = max(np.abs(x).max() for x in ca)
        gap = max(np.abs(x.astype(float) - y).max() for x, y in zip(ca, cb))
        if np.isfinite(gap) and scale > 0:
            coefs.append(gap / scale)
    return (loss.max() if len(loss) else 0.0), (max(coefs) if coefs else 0.0)


def _first_epoch_close(ta, tb, rtol):
    for ca, cb in zip(_loss_curves(ta), _loss_curves(tb)):
        if len(ca) and len(cb):
            return abs(ca[0] - cb[0]) <= rtol * abs(ca[0])
    return False


def _adam_on_noise(cfg, ta, tb):
    """Adam's normalised steps carry rounding noise: the calls ran the same
    epochs and their first 10 epochs' losses agree to rounding (1e-11 in
    float64, 1e-6 in float32), yet the weights part later (float64: less
    than 1e-4 of the largest weight, the losses agreeing to 1e-10 throughout)."""
    pairs = list(zip(_loss_curves(ta), _loss_curves(tb)))
    if not pairs or any(len(ca) != len(cb) for ca, cb in pairs):
        return False
    rtol = 1e-6 if cfg["dtype"] == "float32" else 1e-11
    for ca, cb in pairs:
        if len(ca) and not np.allclose(ca[:10], cb[:10], rtol=rtol, atol=0):
            return False
    if cfg["dtype"] == "float64":
        return _losses_close(ta, tb, rtol=1e-10) and _distances(ta, tb)[1] < 1e-4
    return True


def _self_sensitive(cfg, ta, tb):
    """scikit-learn is about as sensitive to a last-bit change as the
    difference found: its own fit on ``X`` with every nonzero entry moved by
    one ulp parts from its fit on ``X`` by at least a hundredth of sknn's
    distance (in ``loss_`` or in ``coefs_``, relative), or a thousandth when
    the first epoch's losses agree to rounding (1e-12 in float64, 1e-5 in
    float32; sknn's last bits differ in every product, the nudge only in
    ``X``). Last-bit differences then explain the difference (an unstable fit
    amplifies them); a different formula parts at once, and further."""
    ours = _distances(ta, tb)
    if max(ours) == 0:
        return False
    own = _distances(ta, run(dict(cfg, nudge=True), "sklearn")[: len(ta)])
    rtol = 1e-5 if cfg["dtype"] == "float32" else 1e-12
    factor = 1000 if _first_epoch_close(ta, tb, rtol) else 100
    return any(o > 0 and o * factor >= d for o, d in zip(own, ours) if d > 0)


def named_difference(cfg, diff, ta, tb):
    """The row of docs/guide/differences.md that names ``diff``, or None."""
    p = cfg["params"]
    solver = p.get("solver")
    stochastic = solver in ("sgd", "adam")
    call = diff.where.split()[0]
    later = not call.endswith("#0") and call != "step"
    if solver == "lbfgs" and cfg["kind"] == "regressor" and cfg["task"] == "multi":
        return "lbfgs, two or more regression outputs"
    if solver == "lbfgs" and cfg["dtype"] == "float32":
        if cfg["kind"] == "regressor" or "dtype float64 vs float32" in diff.what:
            return "lbfgs with float32 X"
    if later and cfg["sequence"] == "warm_start":
        if any("early_stopping" in c for c in cfg["changes"]):
            return "warm_start, early_stopping toggled"
        if p.get("early_stopping"):
            return "warm_start with early_stopping"
    if (
        cfg["kind"] == "regressor"
        and not stochastic
        and "partial_fit" in diff.where
        and "has no attribute 'partial_fit'" in diff.what
    ):
        return "MLPRegressor(solver='lbfgs').partial_fit"
    if "InvalidParameterError: sknn lists other valid values" in diff.what:
        return "InvalidParameterError: sknn's longer list of valid values"
    if stochastic and (_diverged(ta) or _diverged(tb)):
        if p.get("early_stopping"):
            return "training diverges with early_stopping=True"
        return "training diverges without early_stopping (non-finite or exploding)"
    if diff.what.startswith("after the failed call"):
        return "a fit that fails part way (scikit-learn's is half fitted)"
    if (
        cfg["task"] == "multilabel"
        and "partial_fit" in diff.where
        and "classes must be passed" in diff.what
    ):
        return "multilabel partial_fit without classes"
    structural = ("type ", "dtype ", "shape ", "sknn lacks", "exception", "keys ")
    if stochastic and not diff.what.startswith(structural):
        ta, tb = _upto(ta, diff), _upto(tb, diff)
        if cfg["dtype"] == "float32" and _losses_close(ta, tb):
            return "float32 agrees to float32 rounding (amplified if unstable)"
        if solver == "adam" and _adam_on_noise(cfg, ta, tb):
            return "unstable stochastic fits (Adam's steps on rounding noise)"
        if _self_sensitive(cfg, ta, tb):
            if cfg["dtype"] == "float32":
                return "float32 agrees to float32 rounding (amplified if unstable)"
            return "unstable stochastic fits (last bits amplified)"
    return None


# ---------------------------------------------------------------------------


def describe(cfg):
    keys = ["kind", "task", "data", "n_rows", "dtype", "sequence"]
    s = " ".join(f"{cfg[k]}" for k in keys)
    flags = [
        k for k in ("scaled", "pandas", "string_labels", "sample_weight") if cfg[k]
    ]
    s += " " + ",".join(flags) if flags else ""
    s += f" rs={cfg['rs']}({cfg['rs_seed']}) params={cfg['params']}"
    if cfg.get("changes"):
        s += f" changes={cfg['changes']}"
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=PROBE_SEED)
    ap.add_argument("--only", type=int, nargs="*", help="run only these indices")
    ap.add_argument("--show", action="store_true", help="print every configuration")
    args = ap.parse_args(argv)

    rng = np.random.RandomState(args.seed)
    configs = [draw_config(rng, i) for i in range(args.n)]
    if args.only:
        configs = [c for c in configs if c["index"] in args.only]

    start = time.perf_counter()
    identical, named, unnamed, crashed = [], [], [], []
    for cfg in configs:
        t0 = time.perf_counter()
        try:
            ta = run(cfg, "sklearn")
            tb = run(cfg, "sknn")
            compare(cfg, ta, tb)
            identical.append(cfg)
            result = "same"
        except Difference as d:
            row = named_difference(cfg, d, ta, tb)
            (named if row else unnamed).append((cfg, d, row))
            result = f"DIFF {d}" + (f"  [named: {row}]" if row else "")
        except Exception:  # noqa: BLE001 - a probe bug, reported
            crashed.append((cfg, traceback.format_exc()))
            result = "PROBE ERROR"
        dt = time.perf_counter() - t0
        if args.show or result != "same":
            print(
                f"#{cfg['index']:3d} {dt:5.1f}s {result}\n      {describe(cfg)}",
                flush=True,
            )

    total = time.perf_counter() - start
    print()
    print(f"probe seed {args.seed}: {len(configs)} configurations in {total:.0f} s")
    loose = sum(c["rs"] == "None" for c in identical)
    print(f"  identical:                    {len(identical)}", end="")
    print(f" ({loose} with random_state=None: types only)" if loose else "")
    print(f"  differing, named on the page: {len(named)}")
    for row, n in Counter(r for _, _, r in named).most_common():
        print(f"      {n:3d}  {row}")
    print(f"  differing, not named:         {len(unnamed)}")
    for cfg, d, _ in unnamed:
        print(f"      #{cfg['index']}: {d}")
    if crashed:
        print(f"  probe errors:                 {len(crashed)}")
        for cfg, tb in crashed:
            print(f"      #{cfg['index']}: {tb.strip().splitlines()[-1]}")
    return 1 if unnamed or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
