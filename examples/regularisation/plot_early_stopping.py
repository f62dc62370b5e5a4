"""
Early stopping restores the best epoch
======================================

With ``early_stopping=True`` the model is scored on validation data after
every epoch (``validation_scores_``; accuracy for a classifier). Training stops
once ``n_iter_no_change`` epochs in a row have not improved the best score by
``tol``, and the weights of the best epoch (``best_epoch_``, 1-based) are put
back, so the returned model is the best one seen, not the last one.

The problem is the over-fitting one of the regularisation example: a
2 x 96-unit network on 60 noisy half-moon points, validated on 500 others
(passed as ``X_val``/``y_val``; without them ``validation_fraction`` of the
training data is split off). The same network trained for all 150 epochs
without early stopping is shown for comparison.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=560, noise=0.35, random_state=0)
X_train, y_train, X_val, y_val = X[:60], y[:60], X[60:], y[60:]

# %%
# The same network with and without early stopping, both validated on the
# 500 held-out points after every epoch.
common = dict(
    hidden_layer_sizes=(96, 96),
    learning_rate_init=0.01,
    batch_size=20,
    max_iter=150,
    n_iter_no_change=20,
    random_state=0,
)
stopped = MLPClassifier(early_stopping=True, **common).fit(
    X_train, y_train, X_val=X_val, y_val=y_val
)
full = MLPClassifier(**{**common, "n_iter_no_change": 150}).fit(
    X_train, y_train, X_val=X_val, y_val=y_val
)

scores = stopped.validation_scores_
best = stopped.best_epoch_
print(f"epochs run: {stopped.n_iter_}, best epoch: {best}")
print(f"validation accuracy at the best epoch:  {scores[best - 1]:.3f}")
print(f"validation accuracy at the last epoch:  {scores[-1]:.3f}")
print(f"validation accuracy of the fitted model: {stopped.score(X_val, y_val):.3f}")
print(f"without early stopping ({full.n_iter_} epochs): {full.score(X_val, y_val):.3f}")

# %%
# Validation accuracy and loss per epoch; the vertical line marks the restored
# epoch, the shaded span the epochs that did not beat it.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for ax, attr, ylabel in (
    (ax1, "validation_scores_", "validation accuracy"),
    (ax2, "validation_loss_curve_", "validation loss"),
):
    epochs = np.arange(1, full.n_iter_ + 1)
    ax.plot(epochs, getattr(full, attr), color="0.7", label="no early stopping")
    curve = getattr(stopped, attr)
    ax.plot(np.arange(1, len(curve) + 1), curve, label="early_stopping=True")
    ax.plot(best, curve[best - 1], "r*", markersize=14, label=f"best epoch ({best})")
    ax.axvline(best, color="r", linestyle="--")
    ax.axvspan(best, stopped.n_iter_, color="r", alpha=0.1)
    ax.set(xlabel="epoch", ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax1.legend()
fig.tight_layout()
plt.show()
