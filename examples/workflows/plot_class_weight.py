"""
Imbalanced classes with ``class_weight``
========================================

In this two-class problem only 5% of the samples are positive, and the classes
overlap. Minimising the plain log-loss, a network does best by favouring the
large class: it is right on almost every sample, yet misses a fifth of the
positives. ``class_weight`` multiplies each sample's loss by the weight of its
class; ``"balanced"`` gives each class the weight
``n_samples / (n_classes * n_samples_in_class)`` -- here about 0.53 and 8.7 --
so that both classes count as much in total. (scikit-learn's
``MLPClassifier`` has no ``class_weight``; sknn's takes a dict or
``"balanced"``, as scikit-learn's linear models do.)

The decision boundary moves into the large class: recall on the positives
rises, at the price of precision and of a little plain accuracy. Balanced
accuracy -- the mean of the recalls of the two classes -- is the fairer
score, and it improves. A dict picks any point in between.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_classification(
    n_samples=2000,
    n_features=2,
    n_informative=2,
    n_redundant=0,
    n_clusters_per_class=1,
    weights=[0.95],
    class_sep=0.5,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
print(f"training samples per class: {np.bincount(y_train)}")

# %%
# The same network with no class weights, with three weights for the positive
# class, and with ``"balanced"``.
weights = {
    "None": None,
    "{1: 2}": {0: 1, 1: 2},
    "{1: 4}": {0: 1, 1: 4},
    "{1: 8}": {0: 1, 1: 8},
    '"balanced"': "balanced",
}
fits = {}
print(
    f"{'class_weight':<12} {'accuracy':>8} {'balanced acc.':>13} "
    f"{'recall (1)':>10} {'precision (1)':>13}"
)
for name, class_weight in weights.items():
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        class_weight=class_weight,
        learning_rate_init=0.01,
        max_iter=100,
        random_state=0,
    ).fit(X_train, y_train)
    fits[name] = clf
    pred = clf.predict(X_test)
    print(
        f"{name:<12} {clf.score(X_test, y_test):>8.3f} "
        f"{balanced_accuracy_score(y_test, pred):>13.3f} "
        f"{recall_score(y_test, pred):>10.3f} {precision_score(y_test, pred):>13.3f}"
    )

# %%
# The decision boundary of each model (where the predicted probability of the
# positive class is 0.5) over the test samples, positives in red: the heavier
# the positive class, the further the boundary moves into the large class.
x_min, y_min = X_test.min(axis=0) - 0.3
x_max, y_max = X_test.max(axis=0) + 0.3
xx, yy = np.meshgrid(np.linspace(x_min, x_max, 300), np.linspace(y_min, y_max, 300))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, ax = plt.subplots(figsize=(9, 5.5))
for label, color, size in ((0, "tab:blue", 6), (1, "tab:red", 16)):
    mask = y_test == label
    ax.scatter(X_test[mask, 0], X_test[mask, 1], s=size, color=color, alpha=0.7)
colors = plt.cm.viridis(np.linspace(0, 0.9, len(fits)))
for color, (name, clf) in zip(colors, fits.items()):
    proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contour(xx, yy, proba, levels=[0.5], colors=[color], linewidths=2)
    ax.plot([], [], color=color, linewidth=2, label=f"class_weight={name}")
ax.set(xlabel="feature 1", ylabel="feature 2")
ax.set_title("Decision boundaries (red: the 5% positive class)")
ax.legend(loc="lower right", fontsize=9)
fig.tight_layout()
plt.show()
