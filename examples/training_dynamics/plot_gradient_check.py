"""
Gradient checking
=================

``sknn.check_gradients(estimator, X, y)`` compares the backpropagated gradient
of the cost (penalties included, dropout switched off) with centred finite
differences ``(C(w + eps) - C(w - eps)) / (2 eps)``, one parameter at a time,
and returns the relative error ``||g_num - g|| / (||g_num|| + ||g||)``. Below
about 1e-7 the gradient is right; above 1e-5 it is suspect. Each entry costs
two forward passes, so by default 200 entries drawn at random are checked
(``n_checks=None`` checks all); these small networks have fewer, and all are
checked. The result is a float that also says how many entries were checked
and how many skipped.

Every configuration below -- activations, costs, normalisations, penalties,
regressors -- checks out near 1e-9, including two that fool a naive checker:

* ReLU with its biases at 0 (``bias_init=0.0``; by default they are drawn at
  random, as scikit-learn draws them): a few of the 20 samples switch off
  every unit of the first layer, so their second-layer pre-activations are
  *exactly* 0, on ReLU's kink. Backpropagation uses the derivative 0 there;
  the centred difference of a weight that moves them sees half the slope.
  Compared all the same, the gradient would look wrong (3.3e-2, at every
  ``eps``) although it is right. The checker sees which entries' steps move
  a pre-activation across a kink and leaves them out: 4 of the 64 here. A
  small ``bias_init=0.01`` moves the units off the kink: nothing is skipped.
* float32 data: finite differences in float32 drown in rounding error (0.35
  for this network). The checker upcasts the network and the data to
  float64, with a ``UserWarning`` that says so (printed after the table).
"""

import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np

from sknn import MLPClassifier, MLPRegressor, check_gradients

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 4))  # keep it small: two forward passes per parameter
y_multi = rng.integers(0, 3, size=20)
y_binary = rng.integers(0, 2, size=20)
y_labels = rng.integers(0, 2, size=(20, 3))
y_real = rng.normal(size=20)


def clf(**params):
    """A small classifier; tanh units unless ``params`` say otherwise."""
    params = {"hidden_layer_sizes": (5, 4), "activation": "tanh", **params}
    return MLPClassifier(**params)


def reg(**params):
    """A small tanh regressor."""
    return MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", **params)


cases = {
    "tanh, L2 + L1": (clf(alpha=0.1, l1=0.01), X, y_multi),
    "relu, zero biases (!)": (clf(activation="relu", bias_init=0.0), X, y_multi),
    "relu, bias_init=0.01": (clf(activation="relu", bias_init=0.01), X, y_multi),
    "gelu": (clf(activation="gelu"), X, y_multi),
    "mish": (clf(activation="mish"), X, y_multi),
    "prelu": (clf(activation="prelu"), X, y_multi),
    "binary (sigmoid out)": (clf(), X, y_binary),
    "multilabel": (clf(), X, y_labels),
    "quadratic cost": (clf(activation="logistic", loss="squared_error"), X, y_multi),
    "class_weight": (clf(class_weight="balanced"), X, y_multi),
    "dropout (off)": (clf(dropout=0.5), X, y_multi),
    "batch_norm": (clf(batch_norm=True), X, y_multi),
    "batch_norm after": (clf(batch_norm=True, norm_position="after"), X, y_multi),
    "layer_norm": (clf(layer_norm=True), X, y_multi),
    "weight_norm": (clf(weight_norm=True), X, y_multi),
    "regressor, squared": (reg(), X, y_real),
    "regressor, huber": (reg(loss="huber"), X, y_real),
    "regressor, poisson": (reg(loss="poisson"), X, np.abs(y_real)),
    "float32 data (!)": (clf(), X.astype(np.float32), y_multi),
}

# The initial weights come from ``random_state``; with this seed a few samples
# switch off every first-layer ReLU unit.
SEED = 8
errors, notes = {}, []
print(f"{'configuration':<22} {'relative error':>14} {'checked':>7} {'skipped':>7}")
for name, (estimator, X_case, y_case) in cases.items():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        errors[name] = error = check_gradients(
            estimator, X_case, y_case, random_state=SEED
        )
    notes += [f"{name}: {w.category.__name__}: {w.message}" for w in caught]
    verdict = "ok" if error < 1e-7 else "SUSPECT"
    print(
        f"{name:<22} {error:>14.2e} {error.n_checked:>7} {error.n_skipped:>7}  "
        f"{verdict}"
    )
for note in notes:
    print("\n" + textwrap.fill(note, 79))

# %%
# Which entries cross a kink depends on the step: a large one crosses more.
# The entries left agree at every step, as a right gradient does; only the
# finite difference's own error shows, truncation (``eps**2``) at 1e-2 and
# round-off (``1 / eps``) at 1e-8.
relu = clf(activation="relu", bias_init=0.0)
for eps in (1e-2, 1e-4, 1e-6, 1e-8):
    error = check_gradients(relu, X, y_multi, eps=eps, random_state=SEED)
    print(
        f"relu, zero biases, eps={eps:g}: {error:.2e} "
        f"({error.n_skipped} of {error.n_params} entries skipped)"
    )

# %%
# Every configuration's error on a log scale; red bars are above the 1e-5
# "suspect" line.
fig, ax = plt.subplots(figsize=(9, 6))
names = list(errors)
colors = ["tab:red" if errors[n] > 1e-5 else "tab:blue" for n in names]
ax.barh(names, [errors[n] for n in names], color=colors)
ax.axvline(1e-7, color="green", linestyle="--", label="1e-7: right")
ax.axvline(1e-5, color="red", linestyle="--", label="1e-5: suspect")
ax.set_xscale("log")
ax.invert_yaxis()
ax.set(xlabel="relative error (log scale)", ylabel="configuration")
ax.set_title("check_gradients")
ax.legend(loc="center right")
fig.tight_layout()
plt.show()
