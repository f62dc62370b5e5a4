"""
Robust regression: huber and absolute error against outliers
=============================================================

The data follow ``y = sin(x)`` with a little noise, but 37 of the 300 targets
are corrupted: shifted upwards by 2 to 6. The squared error's gradient is the
residual ``r`` itself, so each outlier pulls on the fit in proportion to its
distance, and the few outliers drag the whole curve upwards.
``loss="absolute_error"`` (the median) pulls with ``sign(r)``, and
``loss="huber"`` is quadratic for residuals up to ``huber_delta`` and linear
beyond, pulling with ``clip(r, -delta, delta)``: an outlier's pull is bounded,
and both fits stay close to the clean curve. Measured against the clean
``sin(x)`` on a grid, their error is 50 to 600 times smaller.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.default_rng(0)
n_samples = 300
X = rng.uniform(-3, 3, size=(n_samples, 1))
y = np.sin(X[:, 0]) + rng.normal(0, 0.1, n_samples)
outlier = rng.random(n_samples) < 0.15
y[outlier] += rng.uniform(2, 6, outlier.sum())
X_grid = np.linspace(-3, 3, 200)[:, None]
y_clean = np.sin(X_grid[:, 0])
print(f"{outlier.sum()} outliers among {n_samples} samples")

# %%
# The same network (two tanh layers of 32 units, L-BFGS) with each loss.
losses = {
    "squared_error": {},
    "absolute_error": {},
    "huber": {"huber_delta": 0.5},
}
predictions = {}
print(f"{'loss':<15} {'MSE to sin(x)':>13}")
for loss, params in losses.items():
    reg = MLPRegressor(
        loss=loss,
        hidden_layer_sizes=(32, 32),
        activation="tanh",
        solver="lbfgs",
        max_iter=200,
        random_state=0,
        **params,
    ).fit(X, y)
    predictions[loss] = reg.predict(X_grid)
    print(f"{loss:<15} {np.mean((predictions[loss] - y_clean) ** 2):>13.4f}")

# %%
# The data (outliers in red), the clean curve and the three fits.
fig, ax = plt.subplots(figsize=(9, 5))
ax.scatter(X[~outlier, 0], y[~outlier], s=10, color="0.6", label="data")
ax.scatter(X[outlier, 0], y[outlier], s=14, color="tab:red", label="outliers")
ax.plot(X_grid[:, 0], y_clean, "k--", label="sin(x), without noise")
for loss, pred in predictions.items():
    ax.plot(X_grid[:, 0], pred, linewidth=2, label=f'loss="{loss}"')
ax.set(xlabel="x", ylabel="y")
ax.set_title("Fits with and without robust losses")
ax.legend(loc="upper left", fontsize=9)
fig.tight_layout()
plt.show()
