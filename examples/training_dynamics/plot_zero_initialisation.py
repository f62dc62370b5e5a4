"""
Zero initialisation: every hidden unit stays the same
=====================================================

If all weights start at zero, every hidden unit of a layer computes the same
function, receives the same gradient and makes the same update: the units stay
identical for ever, and 16 hidden units are worth one. Random initialisation
(here Glorot uniform, the default) breaks the symmetry. ``init="zeros"`` is
allowed in sknn precisely to show this.

With sigmoid units the zero-initialised network still learns something (the
hidden units all output 0.5, so the output layer's weights move, and then the
hidden weights move in lockstep); with ``tanh`` or ReLU the hidden units output
0 and the weights never move at all.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Train the same sigmoid network twice, from zeros and from random weights. The
# spread of a weight matrix's columns (the largest ``max - min`` over the
# hidden units, taken row by row) is exactly 0 when all units are equal.
models = {}
print(
    f"{'init':<15} {'test acc.':>9} {'column spread W1':>17} {'W2':>6} {'|W1| max':>9}"
)
for init in ("zeros", "glorot_uniform"):
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        activation="logistic",
        init=init,
        max_iter=60,
        random_state=0,
    ).fit(X_train, y_train)
    models[init] = clf
    W1, W2 = clf.coefs_
    spread1 = np.ptp(W1, axis=1).max()  # W1: (64 inputs, 16 hidden units)
    spread2 = np.ptp(W2, axis=0).max()  # W2: (16 hidden units, 10 outputs)
    print(
        f"{init:<15} {clf.score(X_test, y_test):>9.3f} {spread1:>17.3g} "
        f"{spread2:>6.3g} {np.abs(W1).max():>9.3f}"
    )

# %%
# The first layer's weights as images (one column per hidden unit): after
# training from zeros each row is constant -- the 16 columns are copies.
fig, axes = plt.subplots(1, 2, figsize=(9, 5))
for ax, (init, clf) in zip(axes, models.items()):
    W1 = clf.coefs_[0]
    lim = np.abs(W1).max()
    image = ax.imshow(W1, aspect="auto", cmap="RdBu", vmin=-lim, vmax=lim)
    ax.set(title=f"init={init!r}", xlabel="hidden unit", ylabel="input pixel")
    fig.colorbar(image, ax=ax, label="weight")
fig.tight_layout()
plt.show()
