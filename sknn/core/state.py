"""What a stochastic fit carries between epochs and calls, and how an epoch
is undone.

:class:`TrainingState` holds the history, counters, optimiser and schedule
that ``partial_fit`` and ``warm_start`` continue; :class:`EpochStart` saves
what an epoch changes, so that an interrupted or diverged epoch leaves
everything as it was at its start.
"""

import copy

import numpy as np

__all__ = ["EpochStart", "TrainingState"]


class TrainingState:
    """What persists between epochs and between calls to ``fit_stochastic``.

    The per-epoch curves grow by one entry per completed epoch:
    ``loss_curve``, ``learning_rate_curve`` (the rate of the epoch's first
    batch), ``gradient_norm_curve`` / ``clipped_gradient_norm_curve`` (mean
    global gradient norm over the epoch's batches, before and after
    clipping) and ``layer_gradient_norms`` (mean norm of each weight
    matrix's gradient); with validation data also ``validation_scores`` and
    ``validation_loss_curve``. ``start_loss`` is the cost of the history's
    first batch (at the initial parameters), kept for the explosion check
    (:data:`EXPLOSION_FACTOR`).
    """

    #: The per-epoch lists, which only grow.
    CURVES = (
        "loss_curve", "learning_rate_curve", "gradient_norm_curve",
        "clipped_gradient_norm_curve", "layer_gradient_norms", "validation_scores",
        "validation_loss_curve",
    )  # fmt: skip

    def __init__(self, optimizer, schedule, early_stopping):
        self.optimizer = optimizer
        self.schedule = schedule
        self.n_iter = 0
        self.t = 0  # samples seen, scikit-learn's ``t_``
        self.loss = None
        self.start_loss = None
        self.loss_curve = []
        self.learning_rate_curve = []
        self.gradient_norm_curve = []
        self.clipped_gradient_norm_curve = []
        self.layer_gradient_norms = []
        self.validation_scores = []
        self.validation_loss_curve = []
        self.no_improvement_count = 0
        self.stopped_early = False
        self.diverged = None  # why, when divergence ended a call
        self.best_epoch = None
        self.best_validation_score = -np.inf if early_stopping else None
        self.best_loss = None if early_stopping else np.inf
        self.best_params = None

    def record_epoch(self, loss, n_samples, rate, gradient_summary):
        layer_norms, norm, clipped = gradient_summary
        self.n_iter += 1
        self.t += n_samples
        self.loss = loss
        self.loss_curve.append(loss)
        self.learning_rate_curve.append(rate)
        self.layer_gradient_norms.append(layer_norms)
        self.gradient_norm_curve.append(norm)
        self.clipped_gradient_norm_curve.append(clipped)

    def continue_history(self, old):
        """Carry the curves and counters of an earlier fit (``warm_start``).

        As in scikit-learn, the stopping rule's best value and its count of
        epochs without improvement carry over too (when both fits monitor the
        same thing); only the optimiser, the schedule and ``n_iter`` restart.
        """
        names = ["t", "start_loss", *self.CURVES]
        if (old.best_loss is None) == (self.best_loss is None):
            names += ["best_loss", "best_validation_score", "no_improvement_count"]
        for name in names:
            value = getattr(old, name)
            setattr(self, name, list(value) if isinstance(value, list) else value)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_batch_buffers", None)  # work buffers: not worth pickling
        return state


class EpochStart:
    """What an epoch changes, saved at its start and restored if it fails.

    The parameters and batch norm's running statistics, the optimiser's state
    (its ``save_state``: Adam's moments and step count, momentum velocities,
    ...), the schedule's position (``save_state``: its rate and step) and
    the state's counters (``n_iter``, ``t``, ``start_loss``, ...: a
    shallow copy) and the lengths of its curves, which only grow, so that
    restoring cuts them back (the estimator's curve attributes are the same
    lists): saved at the start of a ``partial_fit`` call, it undoes the
    whole call. The
    arrays are copied into buffers made once per call: saving costs a few
    copies of the parameters per epoch (an optimiser without
    ``save_state`` is not rolled back; a schedule without it is
    deep-copied). The random streams are not rewound (saving a
    ``RandomState`` costs 50 us): the draws of an interrupted epoch are
    spent, and a fit with an int ``random_state`` draws afresh at every
    call anyway.
    """

    def __init__(self, net):
        self.params = np.empty_like(net.params)
        self.stats = np.empty_like(net.stats)  # batch norm's running averages
        self.optimizer = self.schedule = self.counters = None

    def save(self, net, state):
        np.copyto(self.params, net.params)
        np.copyto(self.stats, net.stats)
        save = getattr(state.optimizer, "save_state", None)
        self.optimizer = None if save is None else save(self.optimizer)
        save = getattr(state.schedule, "save_state", None)
        self.schedule = copy.deepcopy(state.schedule) if save is None else save()
        self.counters = vars(state).copy()
        self.lengths = [len(getattr(state, name)) for name in state.CURVES]

    def restore(self, net, state):
        np.copyto(net.params, self.params)
        np.copyto(net.stats, self.stats)
        for name in vars(state).keys() - self.counters.keys():
            if not name.startswith("_"):  # set during the epoch (work buffers stay)
                delattr(state, name)
        vars(state).update(self.counters)
        for name, length in zip(state.CURVES, self.lengths):
            del getattr(state, name)[length:]
        if self.optimizer is not None:
            state.optimizer.load_state(self.optimizer)
        if hasattr(state.schedule, "load_state"):
            state.schedule.load_state(self.schedule)
        else:
            state.schedule = self.schedule
