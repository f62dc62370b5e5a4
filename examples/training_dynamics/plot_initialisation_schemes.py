"""
Initialisation schemes compared on one deep ReLU network
========================================================

The same network -- six hidden layers of 32 ReLU units, SGD with momentum,
10 epochs on the digits -- is trained from each of sknn's random
initialisation schemes (``init=``), with the same seed. Only the scale of
the initial weights differs, and it decides whether training starts at all:

* ``small_normal`` (standard deviation 0.01) and ``uniform_fan_in`` (variance
  ``1 / (3 fan_in)``) are too small for ReLU: the signal shrinks layer after
  layer, the gradient of the first layer is tiny, and the loss stays at
  ``log(10) = 2.30``, chance level.
* ``normal`` (standard deviation 1) is far too large: the activations grow by
  a factor of about ``sqrt(fan_in / 2)`` (4 here) per layer, the first steps
  blow the weights up and the fit stops with an error.
* The variance-preserving schemes train. ``he_normal`` (variance
  ``2 / fan_in``, derived for ReLU) keeps the signal's scale through the depth
  and learns fastest; scikit-learn's scheme (``"sklearn"``, the default, whose
  random biases also keep ReLU units active) is close behind; Glorot and
  LeCun, a factor of 2 too small for ReLU, end with a loss three to four times
  higher.

The user guide's page on initialisation has the formulas.
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
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# One fit per scheme. A fit that blows up raises a ``ValueError`` and leaves
# no model; it is reported and left out of the figure.
schemes = [
    "small_normal",
    "uniform_fan_in",
    "normal",
    "glorot_uniform",
    "lecun_normal",
    "sklearn",
    "he_normal",
]
fits = {}
print(f"{'init':<15} {'loss ep. 1':>10} {'loss ep. 10':>11} {'test acc.':>9}")
for init in schemes:
    clf = MLPClassifier(
        hidden_layer_sizes=(32,) * 6,
        activation="relu",
        init=init,
        solver="sgd",
        momentum=0.9,
        learning_rate_init=0.01,
        batch_size=32,
        max_iter=10,
        n_iter_no_change=10,  # run all 10 epochs
        random_state=0,
    )
    try:
        clf.fit(X_train, y_train)
    except ValueError:
        print(f"{init:<15} diverged: the weights became non-finite")
        continue
    fits[init] = clf
    curve = clf.loss_curve_
    accuracy = clf.score(X_test, y_test)
    print(f"{init:<15} {curve[0]:>10.3f} {curve[-1]:>11.3f} {accuracy:>9.3f}")

# %%
# Left: the training loss per epoch. Right: the gradient norm of each weight
# matrix in the first epoch (``layer_gradient_norms_``) -- with the too-small
# schemes it fades towards the input layer.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
for init, clf in fits.items():
    style = "--" if init in ("small_normal", "uniform_fan_in") else "-"
    epochs = np.arange(1, clf.n_iter_ + 1)
    ax1.plot(epochs, clf.loss_curve_, style, marker=".", label=init)
    norms = np.asarray(clf.layer_gradient_norms_)[0]
    ax2.semilogy(np.arange(1, len(norms) + 1), norms, style, marker="o", label=init)
ax1.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log")
ax1.set_title("Training loss")
ax2.set(xlabel="weight matrix (1 = input layer)", ylabel="gradient norm (log scale)")
ax2.set_title("Gradient norm per layer, first epoch")
for ax in (ax1, ax2):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax1.legend(fontsize=8)
fig.tight_layout()
plt.show()
