"""
Optimisers compared
===================

One network (32 ReLU units) trained on the digits by each of sknn's solvers for
20 epochs of mini-batches of 64, each at a usual learning rate: plain SGD,
SGD with momentum, Nesterov momentum, AdaGrad, RMSprop, Adam and AdamW. Plain
SGD at this rate is far behind after 20 epochs; momentum (classical or
Nesterov) and the adaptive methods are not. L-BFGS, a full-batch quasi-Newton
method, records no per-epoch curve: its final training loss is the dashed line.
The momentum and Nesterov curves nearly coincide here, as do Adam's and
AdamW's (a decoupled weight decay of 0.01 at this rate changes little).
"""

import warnings

import matplotlib.pyplot as plt
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
# One fit per solver, each at a usual learning rate for it.
solvers = {
    "sgd": dict(solver="sgd", momentum=0.0, learning_rate_init=0.01),
    "momentum": dict(
        solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.01
    ),
    "nesterov": dict(
        solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate_init=0.01
    ),
    "adagrad": dict(solver="adagrad", learning_rate_init=0.01),
    "rmsprop": dict(solver="rmsprop", learning_rate_init=0.001),
    "adam": dict(solver="adam", learning_rate_init=0.001),
    "adamw": dict(solver="adamw", learning_rate_init=0.001, weight_decay=0.01),
    "lbfgs": dict(solver="lbfgs"),
}

fits = {}
print(f"{'solver':<9} {'lr':>6} {'iterations':>10} {'train loss':>10} {'test acc.':>9}")
for name, params in solvers.items():
    clf = MLPClassifier(
        **{
            "hidden_layer_sizes": (32,),
            "batch_size": 64,
            "max_iter": 20 if name != "lbfgs" else 200,
            "n_iter_no_change": 20,  # the stochastic solvers run all 20 epochs
            "random_state": 0,
            **params,
        }
    ).fit(X_train, y_train)
    fits[name] = clf
    lr = f"{params['learning_rate_init']:g}" if name != "lbfgs" else "-"
    print(
        f"{name:<9} {lr:>6} {clf.n_iter_:>10} {clf.loss_:>10.4f} "
        f"{clf.score(X_test, y_test):>9.3f}"
    )

# %%
# The training loss per epoch; L-BFGS's final loss is the dashed line.
fig, ax = plt.subplots(figsize=(8, 5))
for name, clf in fits.items():
    if name == "lbfgs":
        label = f"lbfgs final loss ({clf.n_iter_} iterations)"
        ax.axhline(clf.loss_, color="k", linestyle="--", label=label)
    else:
        epochs = range(1, len(clf.loss_curve_) + 1)
        ax.plot(epochs, clf.loss_curve_, marker=".", label=name)
ax.set_yscale("log")
ax.set(xlabel="epoch", ylabel="training loss (log scale)", title="Optimisers")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.legend()
fig.tight_layout()
plt.show()
