"""
Quadratic cost vs cross-entropy: the learning slowdown
======================================================

With sigmoid outputs, the quadratic cost's gradient with respect to an output
unit's input carries the factor ``sigma'(z) = p (1 - p)``, which vanishes when
the unit saturates on the wrong answer; cross-entropy's gradient is ``p - y``
and keeps learning. Both networks below start from the same badly saturated
weights (``init="normal"``, N(0, 1), on 30 sigmoid hidden units) and train with
the same plain SGD, so the difference in the first epochs is the cost alone:
cross-entropy is above 90% accuracy after one epoch, while the quadratic cost
sits at chance for several epochs before it starts to learn.
"""

import warnings

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_classification(n_samples=1000, n_features=10, random_state=0)
X = StandardScaler().fit_transform(X)
common = dict(
    hidden_layer_sizes=(30,),
    activation="logistic",
    init="normal",
    solver="sgd",
    momentum=0.0,
    learning_rate_init=0.1,
    batch_size=10,
    max_iter=15,
    random_state=0,
)

# %%
# Passing the training set as validation data records the training accuracy
# after every epoch (``validation_scores_``) beside the cost (``loss_curve_``).
models = {
    loss: MLPClassifier(loss=loss, **common).fit(X, y, X_val=X, y_val=y)
    for loss in ("log_loss", "squared_error")
}
names = {"log_loss": "cross-entropy", "squared_error": "quadratic"}
ce, quad = (models[k].validation_scores_ for k in ("log_loss", "squared_error"))
print("training accuracy after each epoch")
print(f"{'epoch':>5}  {'cross-entropy':>13}  {'quadratic':>9}")
for epoch, (a, b) in enumerate(zip(ce, quad), start=1):
    print(f"{epoch:>5}  {a:>13.3f}  {b:>9.3f}")
for loss, model in models.items():
    above = [e for e, s in enumerate(model.validation_scores_, 1) if s >= 0.9]
    print(f"{names[loss]}: first epoch above 90% accuracy: {above[0]}")

# %%
# The two costs have different scales, so each curve is divided by its value
# after the first epoch: the quadratic cost hardly moves for several epochs.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for loss, model in models.items():
    epochs = range(1, len(model.loss_curve_) + 1)
    curve = [v / model.loss_curve_[0] for v in model.loss_curve_]
    ax1.plot(epochs, curve, marker="o", label=names[loss])
    ax2.plot(epochs, model.validation_scores_, marker="o", label=names[loss])
ax1.set(xlabel="epoch", ylabel="cost / cost after epoch 1", title="Training cost")
ax2.set(xlabel="epoch", ylabel="accuracy", title="Training accuracy")
for ax in (ax1, ax2):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend()
fig.tight_layout()
plt.show()
