"""
Batch normalisation speeds up training
======================================

Two deep networks -- six hidden layers of 32 units, one with sigmoid units and
one with ReLU units -- are trained on the digits by SGD with momentum, with and
without ``batch_norm=True``. Batch normalisation standardises each hidden
unit's pre-activation over the mini-batch (then rescales it by a learned
``gamma`` and ``beta``), which keeps the sigmoids out of saturation and the
signal well scaled through the depth. The deep sigmoid network does not learn
at all in 20 epochs without it; the ReLU network learns without it, but more
slowly in the first epochs.

The 1280 training samples are an exact multiple of the batch size (64). A last
mini-batch of only a few samples gives batch normalisation very noisy batch
statistics (and running averages), which can spoil training: keep
``n_samples % batch_size`` either 0 or not tiny.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=1280, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Four fits: each activation with and without batch normalisation, the same
# seed, all 20 epochs.
fits = {}
header = ("network", "loss ep. 1", "loss ep. 5", "loss ep. 20", "test acc.")
print("{:<16} {:>10} {:>10} {:>11} {:>9}".format(*header))
for activation, lr in (("logistic", 0.05), ("relu", 0.01)):
    for batch_norm in (False, True):
        clf = MLPClassifier(
            hidden_layer_sizes=(32,) * 6,
            activation=activation,
            solver="sgd",
            momentum=0.9,
            learning_rate_init=lr,
            batch_size=64,
            batch_norm=batch_norm,
            max_iter=20,
            n_iter_no_change=20,  # run all 20 epochs
            random_state=0,
        ).fit(X_train, y_train)
        fits[activation, batch_norm] = clf
        name = f"{activation}{' + BN' if batch_norm else ''}"
        curve = clf.loss_curve_
        print(
            f"{name:<16} {curve[0]:>10.3f} {curve[4]:>10.3f} {curve[-1]:>11.3f} "
            f"{clf.score(X_test, y_test):>9.3f}"
        )

# %%
# The training loss per epoch, on a log scale.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, activation in zip(axes, ("logistic", "relu")):
    for batch_norm in (False, True):
        curve = fits[activation, batch_norm].loss_curve_
        label = "batch_norm=True" if batch_norm else "no normalisation"
        ax.plot(np.arange(1, len(curve) + 1), curve, marker=".", label=label)
    ax.set(title=f"6 x 32 {activation} units", xlabel="epoch", yscale="log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0].set_ylabel("training loss (log scale)")
axes[0].legend()
fig.tight_layout()
plt.show()
