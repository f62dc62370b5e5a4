"""
scikit-learn's callbacks: progress bars and scoring monitors
============================================================

scikit-learn 1.9 has a callback API (``sklearn.callback``): an estimator that
supports it takes callbacks with ``set_callbacks(...)`` and calls them as its
fit begins and ends each task. sknn's estimators support it, with one task per
epoch and, inside it, one per mini-batch. Two callbacks ship with
scikit-learn:

* ``ProgressBar()`` draws a progress bar per task (it needs ``rich``). In a
  terminal the bars update in place; here, with the output captured, the
  final state of each bar is printed.
* ``ScoringMonitor(scoring=...)`` scores the model at the end of every task
  (every epoch here) on the data passed to ``fit``, with any scikit-learn
  scorers, and keeps the scores in a log (``get_logs()``).

sknn's own ``progress_bar=True`` and its recorded curves (``loss_curve_``,
``validation_scores_``, ...) need no callback; scikit-learn's callbacks are
the same for every estimator that supports them, and they also reach
estimators nested in meta-estimators.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import minmax_scale

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = minmax_scale(X)

# %%
# A progress bar: one bar for the fit, one for each epoch (counting its
# mini-batches).
clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=3, random_state=0)
clf.set_callbacks(ProgressBar())
clf.fit(X, y)
print(f"fitted: {clf.n_iter_} epochs")

# %%
# A scoring monitor with two scorers. Its log holds one row per task: the
# epochs, and the whole fit at the end.
monitor = ScoringMonitor(scoring=["accuracy", "neg_log_loss"])
clf = MLPClassifier(
    hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=15, random_state=0
)
clf.set_callbacks(monitor)
clf.fit(X, y)

rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
accuracy = np.array([row["accuracy"] for row in rows])
log_loss = -np.array([row["neg_log_loss"] for row in rows])
print(f"{'epoch':>5} {'accuracy':>8} {'log-loss':>8} {'loss_curve_':>11}")
for epoch, (acc, loss, curve) in enumerate(
    zip(accuracy, log_loss, clf.loss_curve_), start=1
):
    print(f"{epoch:>5} {acc:>8.3f} {loss:>8.3f} {curve:>11.3f}")

# %%
# The monitored scores per epoch. The monitor's log-loss is computed on the
# fitted model after each epoch; ``loss_curve_`` is the mean loss over the
# epoch's mini-batches while the weights were still moving, so it is a little
# higher.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
epochs = np.arange(1, len(rows) + 1)
ax1.plot(epochs, accuracy, marker="o")
ax1.set(xlabel="epoch", ylabel="training accuracy", title="ScoringMonitor: accuracy")
ax2.plot(epochs, log_loss, marker="o", label="ScoringMonitor: log-loss")
ax2.plot(epochs, clf.loss_curve_, marker=".", label="loss_curve_")
ax2.set(xlabel="epoch", ylabel="training log-loss", yscale="log", title="Log-loss")
ax2.legend()
for ax in (ax1, ax2):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
fig.tight_layout()
plt.show()
