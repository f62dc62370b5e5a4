"""
float32 or float64: time and accuracy
=====================================

sknn trains in the precision of its input: float32 ``X`` trains a float32
model end to end (weights, activations, gradients, optimiser state), float64
``X`` a float64 one. scikit-learn's MLP does the same. float32 halves the
memory and the bandwidth of every matrix product, which makes the products,
and so the fit, faster once the network is large enough for them to dominate;
a network needs far less than float64's precision to learn.

The same network -- two hidden layers of 256 units, Adam, 4 epochs of batches
of 200 -- is trained on 4000 samples of 100 features in each precision, from
the same initial weights (they are drawn in float64 and then cast). The two
fits follow the same loss curve to about three decimals and score the same;
the float32 fit is faster. The measured speed-up depends on the machine, its
BLAS and its load: on a quiet 2-core machine it was about 1.5 to 2 times.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_classification(
    n_samples=6000, n_features=100, n_informative=40, random_state=0
)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=4000, random_state=0
)

# %%
# One fit per precision: the dtype of ``X`` chooses it. A short fit in each
# precision first loads what the timed fits would otherwise pay for once
# (lazily imported code).
for dtype in (np.float64, np.float32):
    MLPClassifier(hidden_layer_sizes=(256, 256), max_iter=1).fit(
        X_train[:400].astype(dtype), y_train[:400]
    )

fits, seconds = {}, {}
print(
    f"{'dtype':<8} {'fit time':>8} {'final loss':>10} {'test acc.':>9} {'weights':>8}"
)
for dtype in (np.float64, np.float32):
    clf = MLPClassifier(
        hidden_layer_sizes=(256, 256),
        batch_size=200,
        max_iter=4,
        random_state=0,
    )
    X_fit = X_train.astype(dtype)
    start = time.perf_counter()
    clf.fit(X_fit, y_train)
    name = np.dtype(dtype).name
    seconds[name] = time.perf_counter() - start
    fits[name] = clf
    n_bytes = sum(W.nbytes + b.nbytes for W, b in zip(clf.coefs_, clf.intercepts_))
    print(
        f"{name:<8} {seconds[name]:>7.2f}s {clf.loss_curve_[-1]:>10.4f} "
        f"{clf.score(X_test.astype(dtype), y_test):>9.3f} {n_bytes / 1024:>5.0f} KiB"
    )

proba64 = fits["float64"].predict_proba(X_test)
proba32 = fits["float32"].predict_proba(X_test.astype(np.float32))
print(f"weights' dtype: {fits['float32'].coefs_[0].dtype}")
largest = np.abs(proba64 - proba32).max()
print(f"largest difference in predicted probability: {largest:.1e}")
print(f"float32 speed-up: {seconds['float64'] / seconds['float32']:.2f}x")

# %%
# Left: the fit times. Right: the two loss curves, on top of each other.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.bar(list(seconds), list(seconds.values()), color=["tab:blue", "tab:orange"])
ax1.set(xlabel="dtype of X", ylabel="fit time (s)", title="Fit time, 4 epochs")
for name, clf in fits.items():
    epochs = np.arange(1, clf.n_iter_ + 1)
    style = "-" if name == "float64" else "--"
    ax2.plot(epochs, clf.loss_curve_, style, marker="o", label=name)
ax2.set(xlabel="epoch", ylabel="training loss", title="Training loss")
ax2.xaxis.set_major_locator(MaxNLocator(integer=True))
ax2.legend()
fig.tight_layout()
plt.show()
