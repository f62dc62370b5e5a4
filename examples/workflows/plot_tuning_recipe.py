"""
Hyperparameter search: the tuning recipe with GridSearchCV
==========================================================

sknn's estimators are scikit-learn estimators, so a Pipeline with a scaler and
an ``MLPClassifier`` goes straight into :class:`~sklearn.model_selection.GridSearchCV`,
every parameter addressed as ``mlp__<name>``. The course notes' recipe for a
network's two main knobs:

1. switch the regulariser off (``alpha=0``) and find a good learning rate
   ``learning_rate_init`` on a log grid;
2. with that rate, tune the L2 strength ``alpha`` by factors of 10.

Both searches are kept small (3-fold cross-validation on 1000 digits, 30
epochs of SGD with momentum) so the example runs in seconds.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=1000, stratify=y, random_state=0
)
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            MLPClassifier(
                hidden_layer_sizes=(32,),
                solver="sgd",
                momentum=0.9,
                max_iter=30,
                random_state=0,
            ),
        ),
    ]
)

# %%
# Step 1: ``alpha=0``, learning rate on a log grid.
rates = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
search_lr = GridSearchCV(
    pipe, {"mlp__alpha": [0.0], "mlp__learning_rate_init": rates}, cv=3
).fit(X_train, y_train)
best_lr = search_lr.best_params_["mlp__learning_rate_init"]
print("step 1, alpha=0: CV accuracy per learning_rate_init")
for lr, score in zip(rates, search_lr.cv_results_["mean_test_score"]):
    print(f"  {lr:<7g} {score:.3f}")
print(f"  best learning_rate_init = {best_lr:g}")

# %%
# Step 2: that learning rate, ``alpha`` by factors of 10.
alphas = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]
search_alpha = GridSearchCV(
    pipe, {"mlp__learning_rate_init": [best_lr], "mlp__alpha": alphas}, cv=3
).fit(X_train, y_train)
best_alpha = search_alpha.best_params_["mlp__alpha"]
print(f"step 2, learning_rate_init={best_lr:g}: CV accuracy per alpha")
for alpha, score in zip(alphas, search_alpha.cv_results_["mean_test_score"]):
    print(f"  {alpha:<7g} {score:.3f}")
print(f"  best alpha = {best_alpha:g}")
print(
    f"test accuracy: alpha=0 {search_lr.score(X_test, y_test):.3f}, "
    f"alpha={best_alpha:g} {search_alpha.score(X_test, y_test):.3f}"
)

# %%
# Mean cross-validated accuracy per grid value, with its standard deviation
# over the folds.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for ax, search, grid, name in (
    (ax1, search_lr, rates, "learning_rate_init (alpha=0)"),
    (ax2, search_alpha, alphas, f"alpha (learning_rate_init={best_lr:g})"),
):
    mean = search.cv_results_["mean_test_score"]
    std = search.cv_results_["std_test_score"]
    ax.errorbar(grid, mean, yerr=std, marker="o", capsize=3)
    ax.set(xscale="log", xlabel=name, ylabel="3-fold CV accuracy")
ax1.set_title("Step 1: learning rate")
ax2.set_title("Step 2: L2 strength")
fig.tight_layout()
plt.show()
