"""
XOR: a single perceptron fails, one hidden layer solves it
==========================================================

XOR labels a point by the sign of ``x1 * x2``: the two classes sit in opposite
quadrants, and no straight line separates them. A network without hidden units
(``hidden_layer_sizes=()``: one sigmoid unit on the inputs, i.e. logistic
regression) and scikit-learn's classic :class:`~sklearn.linear_model.Perceptron`
can only draw a line, and a line gets at most three of the four quadrants
right (75% here, at best). One hidden layer of a few ``tanh`` units bends the
boundary and classifies every point.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

# %%
# The data: the four XOR corners, spread into 200 points in the square
# ``[-1, 1]^2``; the label is 1 where ``x1`` and ``x2`` have the same sign.
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(200, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(int)
corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])

models = {
    "Perceptron (scikit-learn)": Perceptron(random_state=0),
    "sknn, no hidden layer": MLPClassifier(
        hidden_layer_sizes=(), solver="lbfgs", random_state=0
    ),
    "sknn, one hidden layer (8 tanh)": MLPClassifier(
        hidden_layer_sizes=(8,),
        activation="tanh",
        solver="lbfgs",
        max_iter=1000,
        random_state=1,
    ),
}

# %%
# Fit each model and print its training accuracy and its predictions on the
# four corners (XOR's truth table is 1, 0, 0, 1 for these).
print(f"{'model':<34} {'accuracy':>8}  corners")
for name, model in models.items():
    model.fit(X, y)
    print(f"{name:<34} {model.score(X, y):>8.3f}  {model.predict(corners)}")

# %%
# The decision regions: the two linear models draw a straight line, the
# hidden layer bends the boundary around the quadrants.
xx, yy = np.meshgrid(np.linspace(-1, 1, 200), np.linspace(-1, 1, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, len(models), figsize=(12, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    ax.contourf(xx, yy, model.predict(grid).reshape(xx.shape), cmap="RdBu", alpha=0.4)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=20)
    ax.set_title(f"{name}\naccuracy {model.score(X, y):.2f}", fontsize=10)
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
fig.tight_layout()
plt.show()
