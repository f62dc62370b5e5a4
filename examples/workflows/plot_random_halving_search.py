"""
Randomized search and successive halving
========================================

A grid search tries every combination; with more than two or three
hyperparameters that is too many fits. Two of scikit-learn's alternatives,
both usable with sknn's estimators as with any other:

* :class:`~sklearn.model_selection.RandomizedSearchCV` fits a fixed number of
  candidates drawn from distributions (here log-uniform ones, from
  :func:`scipy.stats.loguniform`), each with the full budget;
* :class:`~sklearn.model_selection.HalvingRandomSearchCV` (successive halving,
  still experimental in scikit-learn: it needs
  ``from sklearn.experimental import enable_halving_search_cv``) starts many
  candidates on a small budget, keeps the best third, and gives the survivors
  three times the budget, until few are left. The budget here is the number
  of epochs (``resource="mlp__max_iter"``): weak candidates are dropped after
  a few epochs.

Both search the same space -- learning rate, L2 strength ``alpha`` and hidden
layer width -- on 600 digits with 3-fold cross-validation. Successive halving
looks at more candidates (9 against 6) for half the epochs, most of them only
for 3 epochs, and finds as good a model. Its wall time falls less than its
epochs here: each of its many short fits pays a fixed cost (the scaler,
checks, scoring), which at this toy scale is a good part of a fit. The
saving grows with the cost of an epoch.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    train_test_split,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=600, stratify=y, random_state=0
)
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("mlp", MLPClassifier(max_iter=27, n_iter_no_change=27, random_state=0)),
    ]
)
space = {
    "mlp__learning_rate_init": loguniform(1e-4, 1e-1),
    "mlp__alpha": loguniform(1e-5, 1e1),
    "mlp__hidden_layer_sizes": [(16,), (32,), (64,)],
}

# %%
# Randomized search: 6 candidates, each fitted for 27 epochs on every fold.
start = time.perf_counter()
randomized = RandomizedSearchCV(pipe, space, n_iter=6, cv=3, random_state=0)
randomized.fit(X_train, y_train)
randomized_time = time.perf_counter() - start
randomized_epochs = 6 * 3 * 27

# %%
# Successive halving: 9 candidates on 3 epochs, then the best third on 9,
# then the best of those on 27.
start = time.perf_counter()
halving = HalvingRandomSearchCV(
    pipe,
    space,
    n_candidates=9,
    resource="mlp__max_iter",
    min_resources=3,
    max_resources=27,
    factor=3,
    cv=3,
    random_state=0,
)
halving.fit(X_train, y_train)
halving_time = time.perf_counter() - start
halving_epochs = 3 * sum(
    n * r for n, r in zip(halving.n_candidates_, halving.n_resources_)
)

# %%
# The two searches side by side.
print(f"{'search':<11} {'candidates':>10} {'epochs':>6} {'time':>6} {'CV acc.':>7}")
for name, search, n, epochs, seconds in (
    ("randomized", randomized, 6, randomized_epochs, randomized_time),
    ("halving", halving, 9, halving_epochs, halving_time),
):
    print(f"{name:<11} {n:>10} {epochs:>6} {seconds:>5.1f}s {search.best_score_:>7.3f}")
    best = search.best_params_
    print(
        f"  best: learning_rate_init={best['mlp__learning_rate_init']:.3g}, "
        f"alpha={best['mlp__alpha']:.3g}, "
        f"hidden_layer_sizes={best['mlp__hidden_layer_sizes']}; "
        f"test accuracy {search.score(X_test, y_test):.3f}"
    )
print(
    "halving rounds (candidates x epochs): "
    + ", ".join(
        f"{n} x {r}" for n, r in zip(halving.n_candidates_, halving.n_resources_)
    )
)

# %%
# Left: every candidate of the randomized search, by learning rate and CV
# accuracy. Right: successive halving, each candidate's CV accuracy in each
# round it took part in; the lines join the survivors.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
results = randomized.cv_results_
ax1.scatter(results["param_mlp__learning_rate_init"], results["mean_test_score"])
ax1.set(
    xscale="log",
    xlabel="learning_rate_init (log scale)",
    ylabel="3-fold CV accuracy",
    title="RandomizedSearchCV: 6 candidates, 27 epochs each",
)
results = halving.cv_results_
iterations = np.asarray(results["iter"])
scores = np.asarray(results["mean_test_score"])
epochs = np.asarray(results["n_resources"])
# A candidate's parameters without the round's budget identify it across rounds.
params = [
    str({k: v for k, v in p.items() if k != "mlp__max_iter"}) for p in results["params"]
]
for candidate in set(params):
    rows = [i for i, p in enumerate(params) if p == candidate]
    ax2.plot(epochs[rows], scores[rows], marker="o", color="tab:blue", alpha=0.6)
ax2.set(
    xscale="log",
    xlabel="epochs (the budget of the round, log scale)",
    ylabel="3-fold CV accuracy",
    title="HalvingRandomSearchCV: 9 candidates, 3 rounds",
)
ax2.set_xticks(halving.n_resources_, [str(r) for r in halving.n_resources_])
ax2.minorticks_off()
fig.tight_layout()
plt.show()
