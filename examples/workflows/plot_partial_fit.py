"""
Learning from a stream with ``partial_fit``
===========================================

``partial_fit`` runs one pass of the stochastic solver over the data it is
given and keeps the weights (and the optimiser's state) between calls, so a
model can learn from data arriving in chunks that never sit in memory together.
The first call must name every class (``classes=``), since a chunk may not
contain them all. ``partial_fit`` is offered by the stochastic solvers only (not
``lbfgs``).

Here the digits' training set arrives in chunks of 50; after each chunk the
model is scored on a fixed held-out set. The stream is replayed twice (a second
"epoch"), and a model fitted on all the data at once is the reference.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
# A fixed scaling (in a real stream: from a first sample, or a running estimate).
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Feed the stream chunk by chunk, twice, scoring after every chunk; then fit a
# reference model on all the training data at once.
CHUNK, PASSES = 50, 2
clf = MLPClassifier(hidden_layer_sizes=(64,), learning_rate_init=0.01, random_state=0)
classes = np.unique(y)
seen, accuracy = [], []
n_seen = 0
for _ in range(PASSES):
    for start in range(0, len(X_train), CHUNK):
        X_chunk = X_train[start : start + CHUNK]
        y_chunk = y_train[start : start + CHUNK]
        clf.partial_fit(X_chunk, y_chunk, classes=classes)
        n_seen += len(X_chunk)
        seen.append(n_seen)
        accuracy.append(clf.score(X_test, y_test))

reference = MLPClassifier(
    hidden_layer_sizes=(64,), learning_rate_init=0.01, max_iter=50, random_state=0
).fit(X_train, y_train)
n_chunks = len(seen) // PASSES
print(f"{len(X_train)} training samples in {n_chunks} chunks of {CHUNK}")
print(f"{'chunks':>6} {'samples seen':>12} {'test accuracy':>13}")
for i in (0, 1, 2, 4, 9, n_chunks - 1, len(seen) - 1):
    print(f"{i + 1:>6} {seen[i]:>12} {accuracy[i]:>13.3f}")
print(
    f"fit on all data at once ({reference.n_iter_} epochs): "
    f"{reference.score(X_test, y_test):.3f}"
)

# %%
# Held-out accuracy after each chunk; the dashed line is the model fitted on
# all the data at once.
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(seen, accuracy, marker=".", label="partial_fit, chunk by chunk")
ax.axhline(
    reference.score(X_test, y_test),
    color="k",
    linestyle="--",
    label=f"fit on all data ({reference.n_iter_} epochs)",
)
ax.axvline(len(X_train), color="0.6", linestyle=":", label="end of first pass")
ax.set(xlabel="training samples seen", ylabel="held-out accuracy")
ax.set_title("partial_fit on a stream of chunks")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()
