"""
Layer and weight normalisation tame a too-large learning rate
=============================================================

Four hidden layers of 32 ReLU units (He initialisation), trained on the digits
by SGD with momentum at a learning rate of 0.1 -- too large for this network:
without normalisation its loss climbs from the second epoch on and it ends at
chance level. Each normalisation lets the same rate train:

* ``layer_norm=True`` standardises each hidden unit's pre-activation over the
  units of the sample (then rescales it by a learned ``gamma`` and ``beta``):
  however large the weights grow, each layer passes on a signal of the same
  scale. It computes the same thing in training and prediction, at any batch
  size.
* ``weight_norm=True`` writes each unit's weights as ``w = g v / ||v||`` and
  learns the length ``g`` and the direction ``v`` separately. The gradient
  with respect to ``v`` is scaled by ``g / ||v||``: as ``v`` grows, its steps
  shrink, which keeps the effective rate in check.
* ``batch_norm=True`` (standardising over the mini-batch instead; it has its
  own example) is shown for reference.
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
# The same network and seed, with each normalisation in turn.
settings = {
    "no normalisation": {},
    "layer_norm=True": {"layer_norm": True},
    "weight_norm=True": {"weight_norm": True},
    "batch_norm=True": {"batch_norm": True},
}
fits = {}
print(f"{'network':<17} {'loss ep. 1':>10} {'loss ep. 8':>10} {'test acc.':>9}")
for name, params in settings.items():
    clf = MLPClassifier(
        hidden_layer_sizes=(32,) * 4,
        activation="relu",
        init="he_normal",
        solver="sgd",
        momentum=0.9,
        learning_rate_init=0.1,
        batch_size=32,
        max_iter=8,
        n_iter_no_change=8,  # run all 8 epochs
        random_state=0,
        **params,
    ).fit(X_train, y_train)
    fits[name] = clf
    curve = clf.loss_curve_
    accuracy = clf.score(X_test, y_test)
    print(f"{name:<17} {curve[0]:>10.3f} {curve[-1]:>10.3f} {accuracy:>9.3f}")

# %%
# The training loss per epoch (log scale).
fig, ax = plt.subplots(figsize=(8, 4.5))
for name, clf in fits.items():
    style = ":" if name == "batch_norm=True" else "-"
    epochs = np.arange(1, clf.n_iter_ + 1)
    ax.plot(epochs, clf.loss_curve_, style, marker="o", label=name)
ax.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log")
ax.set_title("4 x 32 ReLU units, SGD + momentum, learning rate 0.1")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.legend()
fig.tight_layout()
plt.show()
