"""
Vanishing gradients: per-layer gradient norms
=============================================

Backpropagation multiplies the error by each layer's weights and by the
derivative of its activation. The sigmoid's derivative is at most 1/4, so in a
deep sigmoid network the gradient shrinks layer by layer on its way to the
input: the first layers barely learn. ReLU's derivative is 1 where the unit is
active and He initialisation keeps the signal's variance constant across
layers, so every layer gets a gradient of the same order.

Every fit records ``layer_gradient_norms_``, shape ``(n_epochs, n_layers)``: the
mean norm of each weight matrix's gradient per epoch. Both networks below have
six hidden layers of 32 units and are trained with plain SGD on the digits.
The sigmoid network's first layer gets a gradient about 2000 times smaller than
its last; it does not learn at all, and its stopping rule ends the fit early.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

configs = {
    "sigmoid + Glorot": dict(activation="logistic", init="glorot_uniform"),
    "ReLU + He": dict(activation="relu", init="he_normal"),
}
norms = {}
print(
    f"{'network':<17} {'first layer':>11} {'last layer':>10} {'ratio':>8} {'acc.':>6}"
)
for name, params in configs.items():
    clf = MLPClassifier(
        hidden_layer_sizes=(32,) * 6,
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1,
        max_iter=20,
        random_state=0,
        **params,
    ).fit(X, y)
    norms[name] = g = np.asarray(clf.layer_gradient_norms_)
    first, last = g[0, 0], g[0, -1]  # first epoch: input layer, output layer
    print(
        f"{name:<17} {first:>11.2e} {last:>10.2e} {last / first:>8.1f} "
        f"{clf.score(X, y):>6.3f}"
    )
print("(gradient norms in the first epoch; ratio = last / first; training accuracy)")

# %%
# Left: the norms per layer in the first epoch (log scale). Right: the input
# layer's norm over the epochs.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for name, g in norms.items():
    ax1.semilogy(range(1, g.shape[1] + 1), g[0], marker="o", label=name)
    ax2.semilogy(range(1, g.shape[0] + 1), g[:, 0], marker="o", label=name)
ax1.set(xlabel="weight matrix (1 = input layer)", ylabel="gradient norm (log scale)")
ax1.set_title("Gradient norm per layer, first epoch")
ax2.set(xlabel="epoch", ylabel="gradient norm (log scale)")
ax2.set_title("Input layer's gradient norm")
for ax in (ax1, ax2):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
fig.tight_layout()
plt.show()
