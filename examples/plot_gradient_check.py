"""
Gradient checking
=================

``sknn.check_gradients(estimator, X, y)`` compares the backpropagated gradient
of the cost (penalties included, dropout switched off) with centred finite
differences ``(C(w + eps) - C(w - eps)) / (2 eps)``, one parameter at a time,
and returns the relative error ``||g_num - g|| / (||g_num|| + ||g||)``. Below
about 1e-7 the gradient is right; above 1e-5 it is suspect.

Every configuration below -- activations, costs, normalisations, penalties,
regressors -- checks out near 1e-9, except two that are warnings about the
check itself rather than bugs:

* ReLU with its biases at 0 (``bias_init=0.0``; by default they are drawn at
  random, as scikit-learn draws them): a few of the 20
  samples switch off every unit of the first layer, so their second-layer
  pre-activations are *exactly* 0, on ReLU's kink. Backpropagation uses the
  derivative 0 there; the centred difference sees half the slope. The error
  does not shrink with ``eps`` (the sign of a kink, not of a wrong formula),
  and a small ``bias_init=0.01`` moves the units off the kink.
* float32 data: the finite differences drown in rounding error. Check in
  float64.
"""

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
errors = {}
print(f"{'configuration':<22} {'relative error':>14}")
for name, (estimator, X_case, y_case) in cases.items():
    errors[name] = check_gradients(estimator, X_case, y_case, random_state=SEED)
    verdict = "ok" if errors[name] < 1e-7 else "SUSPECT"
    print(f"{name:<22} {errors[name]:>14.2e}  {verdict}")

# %%
# The ReLU failure is a kink, not a wrong derivative: it does not depend on the
# finite-difference step.
relu = clf(activation="relu", bias_init=0.0)
for eps in (1e-4, 1e-6, 1e-8):
    error = check_gradients(relu, X, y_multi, eps=eps, random_state=SEED)
    print(f"relu, zero biases, eps={eps:g}: {error:.2e}")

fig, ax = plt.subplots(figsize=(9, 6))
names = list(errors)
colors = ["tab:red" if errors[n] > 1e-5 else "tab:blue" for n in names]
ax.barh(names, [errors[n] for n in names], color=colors)
ax.axvline(1e-7, color="green", linestyle="--", label="1e-7: right")
ax.axvline(1e-5, color="red", linestyle="--", label="1e-5: suspect")
ax.set_xscale("log")
ax.invert_yaxis()
ax.set(xlabel="relative error", title="check_gradients")
ax.legend(loc="center right")
fig.tight_layout()
plt.show()
