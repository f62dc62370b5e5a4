"""
Activation functions compared
=============================

The same two-hidden-layer network (16 + 16 units, Adam, 40 epochs, each
activation with its matching ``init="auto"``: He for the ReLU family, Glorot
for sigmoid/tanh, LeCun for SELU) is trained on the two interleaved half-moons
with each hidden activation in turn. ``identity`` makes the whole network
linear, so it can only draw a straight boundary (about 85% accuracy here).
The saturating ``logistic`` and the smooth ``softplus`` learn slowest: in this
budget they do no better than that straight line. ``tanh`` and the ReLU family
(``relu``, ``leaky_relu``, ``elu``, ``selu``, ``silu``, ``gelu``) bend the
boundary around the moons within a few dozen epochs and reach about 90%.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=600, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

activations = [
    "identity",
    "logistic",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "softplus",
    "silu",
    "gelu",
]

# %%
# The test set is passed as validation data, so every fit records the test
# accuracy after each epoch (``validation_scores_``).
fits = {}
print(f"{'activation':<11} {'final train loss':>16} {'test accuracy':>13}")
for activation in activations:
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 16),
        activation=activation,
        init="auto",
        learning_rate_init=0.02,
        batch_size=64,
        max_iter=40,
        n_iter_no_change=40,  # run all 40 epochs, for comparable curves
        random_state=0,
    ).fit(X_train, y_train, X_val=X_test, y_val=y_test)
    fits[activation] = clf
    accuracy = clf.score(X_test, y_test)
    print(f"{activation:<11} {clf.loss_curve_[-1]:>16.3f} {accuracy:>13.3f}")

# %%
# Training loss and test accuracy per epoch; the three activations that do no
# better than a straight line are dashed.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
for activation, clf in fits.items():
    style = "--" if activation in ("identity", "logistic", "softplus") else "-"
    epochs = np.arange(1, len(clf.loss_curve_) + 1)
    ax1.plot(epochs, clf.loss_curve_, style, label=activation)
    ax2.plot(epochs, clf.validation_scores_, style, label=activation)
ax1.set(xlabel="epoch", ylabel="training loss", title="Training loss")
ax2.set(xlabel="epoch", ylabel="test accuracy", title="Test accuracy")
ax2.legend(ncol=2, fontsize=8)
for ax in (ax1, ax2):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
fig.tight_layout()
plt.show()
