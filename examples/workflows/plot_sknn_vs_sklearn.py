"""
sknn against scikit-learn's MLP: same model, speed
==================================================

For everything scikit-learn's ``MLPClassifier`` can express, sknn's draws the
same random numbers in the same order and applies the same formulas: the same
arguments and ``random_state`` give the same model, to rounding. Changing the
import is all it takes to switch, and the results do not move.

Two workloads, each fitted by both with the same arguments:

* the digits (1347 training images, 64 pixels) with scikit-learn's default
  network (100 ReLU units, Adam), for 30 epochs;
* 4000 samples of 100 features in float32, two hidden layers of 256 units,
  4 epochs: large enough for the matrix products to dominate.

The weights of the two models agree to about 1e-15 in float64 (to float32's
rounding, amplified over the steps, in float32), the loss curves coincide and
the accuracies are equal. The fit times
are printed; they depend on the machine and its load. The project's benchmarks
(``benchmarks/``, summarised in the README) measured sknn at 1.4 to 2.5 times
faster on a quiet 2-core machine, most on large float32 networks.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def synthetic():
    X, y = make_classification(
        n_samples=5000, n_features=100, n_informative=40, random_state=0
    )
    X = StandardScaler().fit_transform(X).astype(np.float32)
    return train_test_split(X, y, train_size=4000, random_state=0)


workloads = {
    "digits, (100,), float64": (digits(), dict(max_iter=30)),
    "4000 x 100, (256, 256), float32": (
        synthetic(),
        dict(hidden_layer_sizes=(256, 256), batch_size=200, max_iter=4),
    ),
}

# %%
# Each workload with both estimators: the same arguments, the same seed. A
# one-epoch fit of each on a few rows first pays the once-per-process costs
# (lazily imported code) outside the timings.
for (X_train, _, y_train, _), arguments in workloads.values():
    for estimator in (MLPClassifier, SklearnMLPClassifier):
        estimator(**{**arguments, "max_iter": 1}).fit(X_train[:400], y_train[:400])

results = {}
print(
    f"{'workload':<32} {'estimator':<8} {'fit time':>8} {'test acc.':>9} "
    f"{'largest weight difference':>25}"
)
for workload, ((X_train, X_test, y_train, y_test), arguments) in workloads.items():
    models = {
        "sknn": MLPClassifier(**arguments, random_state=0),
        "sklearn": SklearnMLPClassifier(**arguments, random_state=0),
    }
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        results[workload, name] = (time.perf_counter() - start, model)
    sknn_model, sklearn_model = models["sknn"], models["sklearn"]
    difference = max(
        np.abs(a - b).max()
        for a, b in zip(
            sknn_model.coefs_ + sknn_model.intercepts_,
            sklearn_model.coefs_ + sklearn_model.intercepts_,
        )
    )
    for name, model in models.items():
        seconds = results[workload, name][0]
        shown = f"{difference:.1e}" if name == "sknn" else ""
        print(
            f"{workload:<32} {name:<8} {seconds:>7.2f}s "
            f"{model.score(X_test, y_test):>9.3f} {shown:>25}"
        )
for workload in workloads:
    speedup = results[workload, "sklearn"][0] / results[workload, "sknn"][0]
    print(f"{workload}: sknn fits {speedup:.2f} times as fast")

# %%
# Left: the loss curves on the digits -- the two lie on top of each other.
# Right: the fit times.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
first = next(iter(workloads))
for name, style in (("sklearn", "-"), ("sknn", "--")):
    curve = results[first, name][1].loss_curve_
    ax1.plot(np.arange(1, len(curve) + 1), curve, style, linewidth=2, label=name)
ax1.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log")
ax1.set_title(f"Loss curves: {first}")
ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
ax1.legend()
positions = np.arange(len(workloads))
for offset, name in ((-0.2, "sknn"), (0.2, "sklearn")):
    seconds = [results[w, name][0] for w in workloads]
    ax2.bar(positions + offset, seconds, 0.4, label=name)
ax2.set_xticks(positions, list(workloads))
ax2.set(xlabel="workload", ylabel="fit time (s)", title="Fit time")
ax2.legend()
fig.tight_layout()
plt.show()
