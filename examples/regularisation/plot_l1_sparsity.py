"""
L1 penalty: sparse weights
==========================

The L1 penalty ``l1 / n * sum(|w|)`` pulls every weight towards zero by the
same amount per step, whatever its size, so the weights the data does not
need end at (or next to) zero; the L2 penalty (``alpha``) only shrinks them in
proportion. Here 20 input features of which only the first 3 carry the label,
300 training samples and 32 hidden units, fitted by L-BFGS with ``alpha=0``
and ``l1`` from 0 to 30.

Without a penalty the network uses every input and over-fits. As ``l1``
grows, more and more weights become near zero (below 0.01 in absolute
value), the weights leaving the 17 noise features vanish first, and the test
accuracy rises; too much L1 then zeroes the useful weights too and the
accuracy falls back to chance.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

# shuffle=False keeps the 3 informative features first.
X, y = make_classification(
    n_samples=600,
    n_features=20,
    n_informative=3,
    n_redundant=0,
    shuffle=False,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=300, stratify=y, random_state=0
)

# %%
# One fit per ``l1``. "Near zero" means below 0.01 in absolute value, over all
# the weight matrices; the last column is the share of the first layer's
# weight mass (sum of ``|w|``) that leaves the 17 noise features.
l1_values = [0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
fits, near_zero, accuracy = {}, {}, {}
print(f"{'l1':>5} {'near-zero weights':>17} {'test acc.':>9} {'noise share':>11}")
for l1 in l1_values:
    clf = MLPClassifier(
        hidden_layer_sizes=(32,),
        alpha=0.0,
        l1=l1,
        solver="lbfgs",
        max_iter=300,
        random_state=0,
    ).fit(X_train, y_train)
    fits[l1] = clf
    weights = np.concatenate([W.ravel() for W in clf.coefs_])
    near_zero[l1] = np.mean(np.abs(weights) < 0.01)
    accuracy[l1] = clf.score(X_test, y_test)
    per_input = np.abs(clf.coefs_[0]).sum(axis=1)  # weight mass per input feature
    noise_share = per_input[3:].sum() / per_input.sum()
    print(f"{l1:>5g} {near_zero[l1]:>17.3f} {accuracy[l1]:>9.3f} {noise_share:>11.3f}")

# %%
# Left: the share of near-zero weights and the test accuracy against ``l1``
# (log scale; ``l1=0`` is the dotted line). Right: the first layer's weight
# mass per input feature, as a share of the layer's total, without L1 and with
# ``l1=3``.
positive = [l1 for l1 in l1_values if l1 > 0]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
ax1.plot(positive, [near_zero[v] for v in positive], "o-", label="near-zero weights")
ax1.plot(positive, [accuracy[v] for v in positive], "s-", label="test accuracy")
ax1.axhline(near_zero[0.0], color="tab:blue", linestyle=":")
ax1.axhline(accuracy[0.0], color="tab:orange", linestyle=":")
ax1.set(xscale="log", xlabel="l1 (log scale)", ylabel="fraction", ylim=(0, 1.05))
ax1.set_title("Sparsity and accuracy (dotted: l1=0)")
ax1.legend()

features = np.arange(1, X.shape[1] + 1)
for l1, offset in ((0.0, -0.2), (3.0, 0.2)):
    per_input = np.abs(fits[l1].coefs_[0]).sum(axis=1)
    share = per_input / per_input.sum()
    ax2.bar(features + offset, share, width=0.4, label=f"l1={l1:g}")
ax2.axvspan(0.5, 3.5, color="0.9", zorder=0, label="informative features")
ax2.set(xlabel="input feature", ylabel="share of the layer's sum of |weights|")
ax2.set_title("First-layer weight mass per input")
ax2.set_xticks(features)
ax2.legend()
fig.tight_layout()
plt.show()
