"""
Poisson loss for counts
=======================

Counts (events per interval, claims per policy, ...) are non-negative, their
mean is often a product of factors -- ``exp`` of a sum -- and their variance
grows with their mean. Here the rate is ``exp(2 x1 + x2 x3 + 0.5)``, from 0.1
to 30 events, and the targets are Poisson draws from it; 30% of them are 0.

``loss="poisson"`` uses the exponential output ``p = exp(z)`` and the Poisson
deviance as the cost: its predictions are positive by construction and its
errors are judged relative to the size of the count. The squared error with
an identity output does not know that: it spends its capacity on the large
counts, predicts negative counts for some samples with a small rate, and is
far less accurate in relative terms there. The mean Poisson deviance (lower is
better; the true rate itself scores about 1.06 on this test set) is computed
with the squared-error predictions clipped at 0.001.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_poisson_deviance

from sknn import MLPRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.default_rng(0)


def make_counts(n_samples):
    """Four features in [-1, 1]; Poisson counts with rate exp(2 x1 + x2 x3 + 0.5)."""
    X = rng.uniform(-1, 1, size=(n_samples, 4))
    rate = np.exp(2.0 * X[:, 0] + X[:, 1] * X[:, 2] + 0.5)
    return X, rng.poisson(rate), rate


X, y, _ = make_counts(1000)
X_test, y_test, rate_test = make_counts(4000)
print(f"training counts: {np.mean(y == 0):.0%} zeros, largest {y.max()}")

# %%
# The same network with each loss; the error is measured against the true
# rate, overall and on the test samples whose rate is below 1.
predictions = {}
low = rate_test < 1
print(
    f"{'loss':<14} {'negative':>8} {'deviance':>8} "
    f"{'rel. error, rate < 1':>20} {'rate >= 1':>9}"
)
for loss in ("squared_error", "poisson"):
    reg = MLPRegressor(
        loss=loss,
        hidden_layer_sizes=(32,),
        activation="tanh",
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    pred = predictions[loss] = reg.predict(X_test)
    deviance = mean_poisson_deviance(y_test, np.clip(pred, 1e-3, None))
    rel_error = np.abs(pred - rate_test) / rate_test
    print(
        f"{loss:<14} {np.mean(pred < 0):>8.1%} {deviance:>8.3f} "
        f"{rel_error[low].mean():>20.1%} {rel_error[~low].mean():>9.1%}"
    )
print(f"the true rate's deviance: {mean_poisson_deviance(y_test, rate_test):.3f}")

# %%
# Each test sample's prediction divided by its true rate (1 is perfect),
# against the true rate on a log scale. Below 0, a negative count.
fig, ax = plt.subplots(figsize=(9, 5))
for loss, pred in predictions.items():
    ax.scatter(rate_test, pred / rate_test, s=4, alpha=0.4, label=f'loss="{loss}"')
ax.axhline(1.0, color="k", linestyle="--", label="prediction = true rate")
ax.axhline(0.0, color="tab:red", linewidth=0.8)
ax.set(
    xscale="log",
    xlabel="true rate (log scale)",
    ylabel="predicted count / true rate",
    ylim=(-2, 4),
)
ax.set_title("Relative accuracy of the predicted counts")
ax.legend(markerscale=4)
fig.tight_layout()
plt.show()
