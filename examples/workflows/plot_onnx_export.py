"""
Export to ONNX and predict with onnxruntime
===========================================

``sknn.onnx.to_onnx`` converts a fitted ``MLPClassifier`` or ``MLPRegressor``
-- alone or inside a Pipeline, here with its ``StandardScaler`` -- into an
ONNX graph through skl2onnx. Any ONNX runtime can then serve the model
without Python, NumPy, scikit-learn or sknn; here onnxruntime runs it in
this process. The graph reproduces the network's prediction: every
activation, batch and layer normalisation (with their running statistics),
weight normalisation. float32 input gives a float graph, float64 a double
one.

The exported model predicts the same labels as the Pipeline, and its
probabilities agree to float32 rounding. onnxruntime predicts one row more
than ten times faster than the Python Pipeline, whose fixed cost per call
(the input checks of every step) dominates small batches; on 1000 rows the
gap narrows to a few times.

Needs the ``onnx`` extra: ``pip install "sknn-mlp[onnx]"`` (skl2onnx, onnx
and onnxruntime).
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

try:
    import onnxruntime as ort

    from sknn.onnx import to_onnx
except ImportError as exc:
    raise SystemExit(
        f'This example needs the onnx extra: pip install "sknn-mlp[onnx]" ({exc})'
    ) from exc

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)  # a float32 model and a float graph
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# Fit a Pipeline with a GELU network and batch normalisation, export it with
# plain probability arrays (``zipmap=False``; skl2onnx's default gives a list
# of dicts), and open it in onnxruntime.
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(64, 32),
        activation="gelu",
        batch_norm=True,
        learning_rate_init=0.01,
        max_iter=20,
        random_state=0,
    ),
).fit(X_train, y_train)
onx = to_onnx(pipe, X_train[:1], options={MLPClassifier: {"zipmap": False}})
model_bytes = onx.SerializeToString()
session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
opset = onx.opset_import[0].version
print(f"ONNX model: {len(model_bytes) / 1024:.0f} KiB, opset {opset}")
print(f"inputs: {[i.name for i in session.get_inputs()]}")
print(f"outputs: {[o.name for o in session.get_outputs()]}")

# %%
# Compare the predictions on the test set.
labels, proba = session.run(None, {"X": X_test})
difference = np.abs(proba - pipe.predict_proba(X_test))
print(f"same labels: {np.mean(labels == pipe.predict(X_test)):.1%} of the test set")
print(f"largest probability difference: {difference.max():.1e}")
print(f"test accuracy: {np.mean(labels == y_test):.3f}")

# %%
# Time both on batches of 1 to 1000 rows (the best of several runs).
sizes = [1, 10, 100, 1000]
rows = np.resize(X_test, (1000, X_test.shape[1]))


def best_time(predict, batch, repeat=20):
    """The fastest of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        predict(batch)
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


timings = {"sknn Pipeline": [], "onnxruntime": []}
for n in sizes:
    batch = rows[:n]
    timings["sknn Pipeline"].append(best_time(pipe.predict_proba, batch))
    timings["onnxruntime"].append(
        best_time(lambda b: session.run(None, {"X": b}), batch)
    )
print(f"{'rows':>5} {'sknn (ms)':>9} {'onnxruntime (ms)':>16}")
for i, n in enumerate(sizes):
    sknn_ms, ort_ms = timings["sknn Pipeline"][i], timings["onnxruntime"][i]
    print(f"{n:>5} {sknn_ms:>9.3f} {ort_ms:>16.3f}")

# %%
# Left: the differences between the two sets of probabilities. Right: the
# prediction time per batch.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
ax1.hist(np.log10(difference.ravel() + 1e-12), bins=40)
ax1.set(
    xlabel="log10 |p_onnx - p_sknn| (1e-12 added)",
    ylabel="number of probabilities",
    title="onnxruntime vs the Pipeline: probabilities",
)
for name, ms in timings.items():
    ax2.plot(sizes, ms, marker="o", label=name)
ax2.set(
    xscale="log",
    yscale="log",
    xlabel="rows per call (log scale)",
    ylabel="time per call, ms (log scale)",
    title="Prediction time",
)
ax2.legend()
fig.tight_layout()
plt.show()
