"""
Dropout vs L2 vs no regularisation on an over-fitting problem
=============================================================

A network far too large for its data -- two hidden layers of 96 ReLU units,
trained for 150 epochs on only 60 noisy half-moon points -- learns the noise:
its training loss keeps falling while the loss on 500 held-out points climbs
after the first few epochs, to more than three times its minimum.
``fit(X, y, X_val=..., y_val=...)`` records that held-out loss after every
epoch (``validation_loss_curve_``) without stopping the fit.

L2 weight decay (``alpha=0.3``) keeps the weights small: the validation loss
stays at its minimum to the end, and the held-out accuracy is the best of the
three. Inverted dropout (``dropout=0.5`` on each hidden layer) keeps the climb
of the validation loss much smaller and also beats the unregularised network.
(The training cost of the L2 model includes its penalty
``alpha / (2 n) * sum(W**2)``; the validation loss never does.)
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
# The same network, three ways, each for all 150 epochs with the held-out
# points as validation data.
settings = {
    "no regularisation": {},
    "L2 (alpha=0.3)": {"alpha": 0.3},
    "dropout 0.5": {"dropout": 0.5},
}
fits = {}
print(
    f"{'model':<18} {'train loss':>10} {'train acc.':>10} {'val. acc.':>9} "
    f"{'best val. loss':>17} {'final val. loss':>15}"
)
for name, params in settings.items():
    clf = MLPClassifier(
        hidden_layer_sizes=(96, 96),
        learning_rate_init=0.01,
        batch_size=20,
        max_iter=150,
        n_iter_no_change=150,  # no stopping rule: run all 150 epochs
        random_state=0,
        **params,
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    fits[name] = clf
    val = np.asarray(clf.validation_loss_curve_)
    best = f"{val.min():.3f} (ep. {val.argmin() + 1})"
    print(
        f"{name:<18} {clf.loss_curve_[-1]:>10.3f} {clf.score(X_train, y_train):>10.3f} "
        f"{clf.score(X_val, y_val):>9.3f} {best:>17} {val[-1]:>15.3f}"
    )

# %%
# Training and validation loss per epoch (log scale): without regularisation
# the two curves part after a few epochs.
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, (name, clf) in zip(axes, fits.items()):
    epochs = np.arange(1, len(clf.loss_curve_) + 1)
    ax.plot(epochs, clf.loss_curve_, label="training")
    ax.plot(epochs, clf.validation_loss_curve_, label="validation")
    ax.set(title=name, xlabel="epoch", yscale="log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0].set_ylabel("log-loss (log scale)")
axes[0].legend()
fig.tight_layout()
plt.show()
