"""
Monte-Carlo dropout: an uncertainty for each prediction
=======================================================

A network trained with dropout can keep dropout on at prediction time: each
forward pass then drops a different random subset of hidden units, and the
spread of many such passes is a cheap estimate of the model's uncertainty
(Gal & Ghahramani, 2016). ``MLPRegressor.predict(X, return_std=True)`` runs
``mc_samples`` passes (100 by default) and returns their mean and standard
deviation; the model needs ``dropout > 0``.

The training data cover ``x`` in ``[-2, 2]`` only. Inside that range the
passes agree closely; outside it, where the network extrapolates, they spread
apart, and the standard deviation is several times larger -- a warning that
the predictions there are guesses.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPRegressor

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.default_rng(0)
x = rng.uniform(-2, 2, 200)
X, y = x[:, None], np.sin(1.5 * x) + rng.normal(0, 0.1, x.size)

# %%
# Fit with ``dropout=0.1`` on the hidden layer, then predict on a grid that
# reaches well beyond the data.
reg = MLPRegressor(
    hidden_layer_sizes=(128,),
    dropout=0.1,
    learning_rate_init=0.01,
    batch_size=32,
    max_iter=300,
    random_state=0,
).fit(X, y)
grid = np.linspace(-5, 5, 201)[:, None]
mean, std = reg.predict(grid, return_std=True)

inside = np.abs(grid[:, 0]) <= 2
far = np.abs(grid[:, 0]) >= 4
print(f"mean standard deviation, |x| <= 2 (training range): {std[inside].mean():.3f}")
print(f"mean standard deviation, |x| >= 4 (extrapolation):  {std[far].mean():.3f}")
truth = np.sin(1.5 * grid[inside, 0])
covered = np.abs(truth - mean[inside]) <= 2 * std[inside]
print(
    f"inside the training range, mean +- 2 std covers sin(1.5 x): {covered.mean():.0%}"
)

# %%
# The Monte-Carlo mean with a band of two standard deviations either side.
fig, ax = plt.subplots(figsize=(9, 5))
ax.scatter(X[:, 0], y, s=8, color="0.5", label="training data")
ax.plot(grid[:, 0], np.sin(1.5 * grid[:, 0]), "k--", label="sin(1.5 x)")
ax.plot(grid[:, 0], mean, color="tab:blue", label="Monte-Carlo mean")
ax.fill_between(
    grid[:, 0],
    mean - 2 * std,
    mean + 2 * std,
    color="tab:blue",
    alpha=0.25,
    label="mean +- 2 std",
)
ax.axvspan(-2, 2, color="0.92", zorder=0, label="training range")
ax.set(xlabel="x", ylabel="y", ylim=(-4, 4))
ax.set_title("MC dropout: predict(X, return_std=True)")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
