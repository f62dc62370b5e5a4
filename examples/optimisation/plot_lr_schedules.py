"""
Every learning-rate schedule
============================

``sknn.core.lr_schedules`` holds 22 schedule classes after PyTorch's
``torch.optim.lr_scheduler`` and Keras. Each one is a pure function of the step
count (except ``ReduceLROnPlateau``), and ``schedule.values(n, base_lr=...)``
gives its first ``n`` rates before any fitting. Below, each class is drawn over
100 steps from ``base_lr = 0.1`` (its ``learning_rate_init``), with parameters
picked to show its shape; lengths left at ``None`` span the whole run (here
``total=100``).

``ReduceLROnPlateau`` depends on the losses it observes, so its panel shows the
rate an actual fit used (``learning_rate_curve_``, Adam on ``make_moons``) with
the training loss it watched.
"""

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPClassifier
from sknn.core.lr_schedules import (
    SCHEDULE_CLASSES,
    ChainedScheduler,
    Constant,
    ConstantFactorLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CosineDecay,
    CyclicLR,
    ExponentialDecay,
    InverseTimeDecay,
    LambdaLR,
    LinearCosineDecay,
    LinearLR,
    LinearWarmup,
    MultiStepLR,
    NaturalExpDecay,
    NoisyLinearCosineDecay,
    OneCycleLR,
    PiecewiseConstant,
    PolynomialDecay,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

warnings.filterwarnings("ignore", category=ConvergenceWarning)

N_STEPS, BASE_LR = 100, 0.1


def inverse_sqrt(step):
    """A LambdaLR factor: ``1 / sqrt(1 + step)``."""
    return 1.0 / math.sqrt(1.0 + step)


schedules = {
    "constant": Constant(),
    "step": StepLR(step_size=25, gamma=0.5),
    "multistep": MultiStepLR(milestones=[30, 60, 80], gamma=0.3),
    "exponential": ExponentialDecay(decay_rate=0.5, decay_steps=20, staircase=True),
    "natural_exp": NaturalExpDecay(decay_rate=0.03),
    "inverse_time": InverseTimeDecay(decay_rate=0.1),
    "polynomial": PolynomialDecay(end_learning_rate=0.001, power=2.0),
    "cosine": CosineDecay(alpha=0.1, warmup_steps=10, warmup_target=0.2),
    "linear_cosine": LinearCosineDecay(num_periods=3.0),
    "noisy_linear_cosine": NoisyLinearCosineDecay(
        num_periods=3.0, initial_variance=0.1, random_state=0
    ),
    "piecewise_constant": PiecewiseConstant(
        boundaries=[20, 50], values=[0.1, 0.05, 0.01]
    ),
    "linear": LinearLR(start_factor=1.0, end_factor=0.1, total_iters=80),
    "cyclic": CyclicLR(max_lr=0.5, step_size_up=10, mode="triangular2"),
    "one_cycle": OneCycleLR(max_lr=0.5),
    "cosine_annealing": CosineAnnealingLR(eta_min=0.001),
    "cosine_warm_restarts": CosineAnnealingWarmRestarts(T_0=10, T_mult=2),
    "lambda": LambdaLR(inverse_sqrt),
    "sequential": SequentialLR(
        [LinearLR(start_factor=0.1, end_factor=1.0, total_iters=10), StepLR(30)],
        milestones=[10],
    ),
    "chained": ChainedScheduler(
        [ExponentialDecay(decay_rate=0.98), CosineAnnealingWarmRestarts(T_0=25)]
    ),
    "constant_factor": ConstantFactorLR(factor=0.25, total_iters=20),
    "linear_warmup": LinearWarmup(warmup_steps=15, after=CosineAnnealingLR()),
    "reduce_on_plateau": ReduceLROnPlateau(factor=0.5, patience=3),
}
assert set(schedules) == set(SCHEDULE_CLASSES)  # one panel per class

# %%
# ``ReduceLROnPlateau`` only changes the rate when the watched loss stalls, so
# let a fit drive it.
X, y = make_moons(n_samples=300, noise=0.3, random_state=0)
plateau_fit = MLPClassifier(
    hidden_layer_sizes=(16,),
    solver="adam",
    learning_rate_init=BASE_LR,
    learning_rate=schedules["reduce_on_plateau"],
    max_iter=N_STEPS,
    n_iter_no_change=N_STEPS,  # let it run all 100 epochs
    batch_size=32,
    random_state=0,
).fit(X, y)

# %%
# Compute every curve and print a short summary.
curves = {
    name: s.values(N_STEPS, base_lr=BASE_LR, total=N_STEPS)
    for name, s in schedules.items()
    if name != "reduce_on_plateau"
}
curves["reduce_on_plateau"] = np.asarray(plateau_fit.learning_rate_curve_)

print(f"{'schedule':<21} {'class':<28} {'lr[0]':>7} {'lr[50]':>7} {'lr[99]':>8}")
for name, lr in curves.items():
    cls = type(schedules[name]).__name__
    print(f"{name:<21} {cls:<28} {lr[0]:>7.4f} {lr[50]:>7.4f} {lr[-1]:>8.5f}")
n_reductions = int(np.sum(np.diff(curves["reduce_on_plateau"]) < 0))
print(f"ReduceLROnPlateau halved the rate {n_reductions} times in {N_STEPS} epochs")

# %%
# One panel per class: the learning rate at each step. The last panel is
# ``ReduceLROnPlateau`` in a fit, with the training loss it watched on its
# right-hand axis (orange).
fig, axes = plt.subplots(5, 5, figsize=(14, 13))
for ax, (name, lr) in zip(axes.flat, curves.items()):
    if name == "reduce_on_plateau":  # the rate each epoch of the fit used
        ax.plot(np.arange(1, len(lr) + 1), lr)
        ax.set_xlabel("epoch", fontsize=8)
    else:  # the rate after each number of steps
        ax.plot(np.arange(len(lr)), lr)
        ax.set_xlabel("step", fontsize=8)
    ax.set_title(type(schedules[name]).__name__, fontsize=9)
    ax.set_ylabel("learning rate", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=min(0.0, lr.min()))
loss_ax = axes.flat[len(curves) - 1].twinx()
loss_curve = plateau_fit.loss_curve_
loss_ax.plot(np.arange(1, len(loss_curve) + 1), loss_curve, color="tab:orange")
loss_ax.set_ylabel("training loss", fontsize=8, color="tab:orange")
loss_ax.tick_params(labelsize=7, colors="tab:orange")
for ax in axes.flat[len(curves) :]:
    ax.set_visible(False)
fig.suptitle(f"The 22 learning-rate schedules: rate per step, base_lr = {BASE_LR}")
fig.tight_layout()
plt.show()
