"""
Quantile regression: prediction intervals for heteroscedastic noise
===================================================================

The noise of this target grows with ``x``: its standard deviation goes from
0.05 at ``x = 0`` to 1.3 at ``x = 5``. ``loss="quantile"`` with
``quantile=q`` fits the ``q``-th conditional quantile (the pinball loss), so
two networks with ``q = 0.1`` and ``q = 0.9`` give an 80% prediction interval
whose width follows the noise: it covers close to 80% of new samples on both
halves of the range.

The usual alternative -- the squared-error fit plus or minus a constant
``1.28`` times the residuals' standard deviation, an 80% interval for
Gaussian noise of constant size -- has the right coverage on average only:
it is far too wide where the noise is small and too narrow where it is large.
Coverage is measured on 2000 fresh samples, separately on each half of the
``x`` range.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.default_rng(0)


def make_data(n_samples):
    """``y = sin(x) + x / 2`` plus noise of standard deviation ``0.05 + 0.25 x``."""
    X = rng.uniform(0, 5, size=(n_samples, 1))
    noise = rng.normal(size=n_samples) * (0.05 + 0.25 * X[:, 0])
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 0] + noise


X, y = make_data(600)
X_test, y_test = make_data(2000)

# %%
# Three quantile networks, and one squared-error network for the
# constant-width band.
common = dict(
    hidden_layer_sizes=(32, 32),
    activation="tanh",
    learning_rate_init=0.01,
    max_iter=300,
    random_state=0,
)
quantiles = {
    q: MLPRegressor(loss="quantile", quantile=q, **common).fit(X, y)
    for q in (0.1, 0.5, 0.9)
}
mean_fit = MLPRegressor(**common).fit(X, y)
half_width = 1.2816 * np.std(y - mean_fit.predict(X))  # 80% for Gaussian noise


def coverage(low, high, mask):
    """Share of the test targets (under ``mask``) inside ``[low, high]``."""
    inside = (y_test >= low) & (y_test <= high)
    return inside[mask].mean()


bands = {
    "quantiles 0.1-0.9": (
        quantiles[0.1].predict(X_test),
        quantiles[0.9].predict(X_test),
    ),
    "mean +- constant": (
        mean_fit.predict(X_test) - half_width,
        mean_fit.predict(X_test) + half_width,
    ),
}
left = X_test[:, 0] < 2.5
print(f"{'80% band':<18} {'all':>6} {'x < 2.5':>8} {'x >= 2.5':>9}")
for name, (low, high) in bands.items():
    print(
        f"{name:<18} {coverage(low, high, np.ones_like(left)):>6.3f} "
        f"{coverage(low, high, left):>8.3f} {coverage(low, high, ~left):>9.3f}"
    )

# %%
# The two bands over the training data.
grid = np.linspace(0, 5, 200)[:, None]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax in (ax1, ax2):
    ax.scatter(X[:, 0], y, s=6, color="0.6", label="training data")
ax1.fill_between(
    grid[:, 0],
    quantiles[0.1].predict(grid),
    quantiles[0.9].predict(grid),
    alpha=0.3,
    label="quantile 0.1 to 0.9",
)
ax1.plot(grid[:, 0], quantiles[0.5].predict(grid), label="median (quantile 0.5)")
ax1.set_title('loss="quantile"')
mean = mean_fit.predict(grid)
ax2.fill_between(
    grid[:, 0],
    mean - half_width,
    mean + half_width,
    alpha=0.3,
    color="tab:red",
    label="mean +- 1.28 residual std",
)
ax2.plot(grid[:, 0], mean, color="tab:red", label="mean (squared error)")
ax2.set_title("squared error and a constant-width band")
for ax in (ax1, ax2):
    ax.set_xlabel("x")
    ax.legend(loc="upper left")
ax1.set_ylabel("y")
fig.tight_layout()
plt.show()
