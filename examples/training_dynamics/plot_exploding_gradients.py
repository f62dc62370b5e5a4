"""
Exploding gradients and clipping by norm
========================================

A regression target left on its raw scale (here a standard deviation of about
140) makes the squared-error gradients huge. Plain SGD with momentum then
takes steps far too long: the errors grow, the gradients grow with them, and
within a few epochs the weights overflow. Every fit records the mean gradient
norm per epoch before clipping (``gradient_norm_curve_``) and after it
(``clipped_gradient_norm_curve_``), so the explosion can be watched.

``clip_norm=c`` rescales every mini-batch gradient whose global norm exceeds
``c`` down to norm ``c``, keeping its direction: no step can be longer than
``learning_rate_init * c``. Below, the unclipped network trains at the small
learning rate 1e-4, but at 1e-3 its gradient norm climbs from hundreds to
about 1e10 and the fit diverges after a few epochs. With ``clip_norm=10`` the
rate 1e-3 trains well. The cap works both ways: at the small rate, clipped
steps are so short that the network hardly moves in 15 epochs. (Clipping is a
guard, not a cure: the first fix here is to scale the target, e.g. with
:class:`~sklearn.compose.TransformedTargetRegressor`.)

The fits use ``early_stopping=True`` so that a diverging fit stops with a
warning and keeps its curves (and the weights of its best epoch) instead of
raising an error.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sknn import MLPRegressor

X, y = make_regression(n_samples=500, n_features=10, noise=10.0, random_state=0)
X = StandardScaler().fit_transform(X)  # the inputs are scaled, the target is not
print(f"target: mean {y.mean():.1f}, standard deviation {y.std():.1f}")

# %%
# Two learning rates, each with and without clipping. A diverging fit warns
# (a ``ConvergenceWarning`` naming the epoch); the warning is recorded here
# and summarised in the table.
fits = {}
print(f"{'lr':>6} {'clip_norm':>9} {'epochs':>6} {'final loss':>10} {'val. R2':>7}")
for lr in (1e-4, 1e-3):
    for clip_norm in (None, 10.0):
        reg = MLPRegressor(
            hidden_layer_sizes=(64, 64),
            solver="sgd",
            momentum=0.9,
            learning_rate_init=lr,
            clip_norm=clip_norm,
            batch_size=32,
            max_iter=15,
            early_stopping=True,
            n_iter_no_change=15,  # only a divergence stops a fit early
            random_state=0,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            reg.fit(X, y)
        diverged = any("Training stopped" in str(w.message) for w in caught)
        fits[lr, clip_norm] = reg
        final = "diverged" if diverged else f"{reg.loss_curve_[-1]:.1f}"
        best_r2 = max(reg.validation_scores_)
        print(
            f"{lr:>6g} {clip_norm!s:>9} {len(reg.loss_curve_):>6} {final:>10} "
            f"{best_r2:>7.3f}"
        )

# %%
# Left: the training loss per epoch; a cross marks the epoch where a fit
# diverged. Right: the mean gradient norm per epoch before clipping (solid)
# and after it (dotted, only for the clipped fits).
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
colors = {
    (1e-4, None): "tab:blue",
    (1e-3, None): "tab:red",
    (1e-4, 10.0): "tab:cyan",
    (1e-3, 10.0): "tab:green",
}
for (lr, clip_norm), reg in fits.items():
    label = f"lr={lr:g}, clip_norm={clip_norm}"
    color = colors[lr, clip_norm]
    loss = np.asarray(reg.loss_curve_, dtype=float)
    epochs = np.arange(1, len(loss) + 1)
    finite = np.isfinite(loss)
    ax1.plot(epochs[finite], loss[finite], marker=".", color=color, label=label)
    if not finite.all():
        ax1.plot(epochs[finite][-1], loss[finite][-1], "x", color=color, ms=12, mew=3)
    norms = np.asarray(reg.gradient_norm_curve_, dtype=float)
    finite = np.isfinite(norms)
    ax2.plot(epochs[finite], norms[finite], marker=".", color=color, label=label)
    if clip_norm is not None:
        clipped = reg.clipped_gradient_norm_curve_
        ax2.plot(epochs, clipped, ":", color=color, label=f"{label}, after clipping")
ax1.set(xlabel="epoch", ylabel="training loss (log scale)", yscale="log")
ax1.set_title("Training loss")
ax2.set(xlabel="epoch", ylabel="gradient norm (log scale)", yscale="log")
ax2.set_title("Mean mini-batch gradient norm")
for ax in (ax1, ax2):
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax1.legend(fontsize=8)
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()
