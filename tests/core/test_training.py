"""Batches, the epoch loop, stopping rules, divergence and the L-BFGS driver."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import assert_deep_equal

from sknn.core.callbacks import Callback, StoppingRule, ValidationMonitor
from sknn.core.divergence import EXPLOSION_FACTOR, EXPLOSION_FLOOR, TrainingDiverged
from sknn.core.lbfgs import fit_lbfgs
from sknn.core.losses import get_loss
from sknn.core.lr_schedules import Adaptive, InvScaling, ScheduleDriver, StepLR
from sknn.core.lr_schedules.sklearn_rules import ConstantRule
from sknn.core.network import Network
from sknn.core.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from sknn.core.state import TrainingState
from sknn.core.training import fit_stochastic, iter_batches

# -- helpers -------------------------------------------------------------------


def _ids(n=23):
    """Rows that carry their own index, so every batch can be traced back."""
    X = np.arange(n, dtype=float)[:, None] * np.ones((1, 3))
    Y = 10 * np.arange(n, dtype=float)[:, None]
    w = np.arange(n) + 0.5
    return X, Y, w


def _regression(n=64, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = np.sin(X[:, :1]) + 0.5 * X[:, 1:2]
    return X.astype(dtype), Y.astype(dtype)


def _net(sizes=(3, 8, 1), activation="tanh", dtype=np.float64, seed=0, **kw):
    net = Network(
        sizes, [activation] * (len(sizes) - 2), get_loss("squared_error"), dtype, **kw
    )
    return net.initialize(np.random.default_rng(seed))


def _state(net, optimizer=None, schedule=None, early_stopping=False):
    optimizer = Adam() if optimizer is None else optimizer
    optimizer.init(net.params)
    schedule = ConstantRule(0.01) if schedule is None else schedule
    return TrainingState(optimizer, schedule, early_stopping)


def _fit(
    net, X, Y, state, sample_weight=None, tol=1e-4, n_iter_no_change=10,
    validation_score=None, **kw,
):  # fmt: skip
    """fit_stochastic with scikit-learn's stopping rule as callbacks."""
    options = dict(
        max_iter=30, batch_size=16, shuffle=True, rng=np.random.default_rng(1)
    )
    options.update(kw)
    callbacks = [StoppingRule(tol, n_iter_no_change)]
    if validation_score is not None:
        monitor = ValidationMonitor(lambda net: (validation_score(net), 0.0))
        callbacks = [monitor, StoppingRule(tol, n_iter_no_change, "validation")]
    options.setdefault("callbacks", callbacks)
    fit_stochastic(net, X, Y, sample_weight, state, **options)
    return state


def _cost(net, X, Y, sample_weight=None, alpha=0.0, l1=0.0):
    return net.loss_and_gradient(X, Y, sample_weight, alpha, l1)


# -- iter_batches --------------------------------------------------------------


def _collect(batches):
    """Copy every batch: shuffled batches live in reused buffers."""
    return [
        (x.copy(), y.copy(), None if w is None else w.copy()) for x, y, w in batches
    ]


def test_shuffled_batches_cover_every_row_once_per_epoch():
    X, Y, w = _ids()
    rng = np.random.default_rng(0)
    orders = []
    for _ in range(2):
        batches = _collect(iter_batches(X, Y, w, 5, True, rng))
        assert [len(xb) for xb, _, _ in batches] == [5, 5, 5, 5, 3]
        order = np.concatenate([xb[:, 0] for xb, _, _ in batches]).astype(int)
        np.testing.assert_array_equal(np.sort(order), np.arange(23))
        for xb, yb, wb in batches:  # rows stay aligned across X, Y and weights
            np.testing.assert_array_equal(yb[:, 0], 10 * xb[:, 0])
            np.testing.assert_array_equal(wb, xb[:, 0] + 0.5)
        orders.append(order)
    assert not np.array_equal(orders[0], np.arange(23))
    assert not np.array_equal(orders[0], orders[1])


def test_shuffled_batches_are_gathered_into_reused_buffers():
    X, Y, w = _ids()
    buffers = {}
    batches = iter_batches(X, Y, w, 5, True, np.random.default_rng(0), buffers)
    for xb, yb, wb in batches:
        assert np.shares_memory(xb, buffers["X"]) and not np.shares_memory(xb, X)
        assert np.shares_memory(yb, buffers["Y"]) and np.shares_memory(wb, buffers["w"])
        assert xb.flags.c_contiguous
    first = buffers["X"]
    list(iter_batches(X, Y, w, 5, True, np.random.default_rng(1), buffers))
    assert buffers["X"] is first  # kept between calls


def test_unshuffled_batches_are_views_in_order():
    X, Y, w = _ids()
    batches = list(iter_batches(X, Y, w, 5, False, None))
    assert [len(xb) for xb, _, _ in batches] == [5, 5, 5, 5, 3]
    for i, (xb, yb, wb) in enumerate(batches):
        assert xb.base is X and yb.base is Y and wb.base is w
        np.testing.assert_array_equal(xb[:, 0], np.arange(5 * i, min(5 * i + 5, 23)))
    unweighted = list(iter_batches(X, Y, None, 5, False, None))
    assert all(wb is None for _, _, wb in unweighted)


def test_one_batch_when_batch_size_exceeds_n():
    X, Y, w = _ids(7)
    for shuffle in (False, True):
        batches = _collect(iter_batches(X, Y, w, 50, shuffle, np.random.default_rng(0)))
        assert len(batches) == 1 and len(batches[0][0]) == 7


def test_sparse_shuffled_batches_match_rows():
    X, Y, w = _ids()
    Xs = sp.csr_matrix(X)
    seen = []
    for xb, yb, _ in iter_batches(Xs, Y, w, 5, True, np.random.default_rng(0)):
        assert sp.issparse(xb)
        dense = xb.toarray()
        np.testing.assert_array_equal(yb[:, 0], 10 * dense[:, 0])
        seen.append(dense[:, 0])
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(23))


# -- fit_stochastic ------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer", [lambda: Adam(), lambda: SGD(momentum=0.9, nesterov=True)]
)
def test_fit_stochastic_decreases_the_loss(optimizer):
    X, Y = _regression()
    net = _net()
    start = _cost(net, X, Y)
    state = _fit(net, X, Y, _state(net, optimizer(), ConstantRule(0.02)), max_iter=60)
    assert state.n_iter == len(state.loss_curve) <= 60
    assert state.t == 64 * state.n_iter
    assert state.loss == state.loss_curve[-1]
    assert state.loss_curve[-1] < 0.2 * state.loss_curve[0]
    assert _cost(net, X, Y) < 0.2 * start


def test_loss_curve_is_the_mean_batch_cost():
    # Full batch, no shuffle: the first epoch's loss is the cost before any step.
    X, Y = _regression()
    net = _net()
    start = _cost(net, X, Y, alpha=0.1)
    state = _fit(
        net, X, Y, _state(net), max_iter=2, batch_size=64, shuffle=False, alpha=0.1
    )
    assert state.loss_curve[0] == pytest.approx(start, rel=1e-14)
    assert state.loss_curve[1] < state.loss_curve[0]


def test_incremental_runs_one_epoch_and_continues_the_state():
    X, Y = _regression()
    net = _net()
    state = _state(net)
    for k in range(1, 4):
        _fit(net, X, Y, state, incremental=True)
        assert state.n_iter == k and state.t == 64 * k
    assert state.optimizer.t == 3 * 4  # 4 Adam steps per epoch of 64 / 16


def test_training_loss_stopping_rule():
    X, Y = _regression()
    net = _net()
    # With an enormous tol no epoch after the first counts as an improvement.
    state = _fit(net, X, Y, _state(net), max_iter=100, tol=1e9, n_iter_no_change=3)
    assert state.stopped_early
    assert state.n_iter == 1 + 3 + 1
    assert state.best_loss == min(state.loss_curve)


def test_adaptive_schedule_lowers_the_rate_at_plateaus_then_stops():
    X, Y = _regression()
    net = _net()
    state = _state(net, SGD(), Adaptive(1e-3), early_stopping=True)
    _fit(
        net,
        X,
        Y,
        state,
        max_iter=500,
        n_iter_no_change=2,
        validation_score=lambda n: 0.0,
    )
    # 1 improving epoch, then 6 plateaus of 3 epochs: 5 lower the rate, 1 stops.
    assert state.n_iter == 1 + 6 * 3
    assert state.stopped_early
    assert state.schedule.rate == pytest.approx(1e-3 / 5**5)


def test_early_stopping_restores_the_best_parameters():
    X, Y = _regression()
    net = _net()
    state = _state(net, early_stopping=True)
    scores = iter([0.1, 0.5, 0.9, 0.8, 0.85, 0.7, 0.95, 0.3])
    seen = []

    def validation_score(net):
        seen.append(net.params.copy())
        return next(scores)

    _fit(
        net,
        X,
        Y,
        state,
        max_iter=100,
        n_iter_no_change=2,
        validation_score=validation_score,
    )
    assert state.stopped_early
    assert state.n_iter == 6  # epochs 4, 5, 6 do not improve on 0.9
    assert state.validation_scores == [0.1, 0.5, 0.9, 0.8, 0.85, 0.7]
    assert state.best_validation_score == 0.9
    np.testing.assert_array_equal(net.params, seen[2])
    assert not np.array_equal(seen[2], seen[-1])


def test_early_stopping_restores_the_best_also_at_max_iter():
    X, Y = _regression()
    net = _net()
    state = _state(net, early_stopping=True)
    scores = iter([0.2, 0.6, 0.4])
    seen = []

    def validation_score(net):
        seen.append(net.params.copy())
        return next(scores)

    _fit(net, X, Y, state, max_iter=3, validation_score=validation_score)
    assert not state.stopped_early and state.n_iter == 3
    np.testing.assert_array_equal(net.params, seen[1])


def _divergent_setup(lr):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    Y = 100 * X.sum(axis=1, keepdims=True)
    net = _net((2, 3, 1), "identity")
    return (
        net,
        X,
        Y,
        _state(net, SGD(momentum=0.0), ConstantRule(lr), early_stopping=True),
    )


def test_divergence_raises_and_keeps_the_last_completed_epoch():
    net, X, Y, state = _divergent_setup(lr=0.01)
    seen = []

    def record(net):
        seen.append(net.params.copy())
        return 0.0

    with np.errstate(all="raise"):  # numerics inside the loop must not leak out
        with pytest.raises(TrainingDiverged, match="epoch"):
            _fit(
                net,
                X,
                Y,
                state,
                max_iter=500,
                batch_size=10,
                n_iter_no_change=10**6,
                validation_score=record,
            )
    assert len(seen) >= 2 and state.n_iter == len(seen)
    np.testing.assert_array_equal(net.params, seen[-1])
    assert np.isfinite(net.params).all()
    assert np.isfinite(state.loss_curve).all()


def test_divergence_of_the_last_step_is_caught():
    # Every cost is finite, but the single step of the epoch overflows the
    # parameters: the epoch must not complete with inf weights.
    net, X, Y, state = _divergent_setup(lr=1e308)
    before = net.params.copy()
    for incremental in (False, True):
        with pytest.raises(TrainingDiverged, match="non-finite"):
            _fit(net, X, Y, state, max_iter=1, batch_size=40, incremental=incremental)
        np.testing.assert_array_equal(net.params, before)
        assert state.n_iter == 0 and state.loss_curve == []


def test_keyboard_interrupt_keeps_the_best_epoch_with_early_stopping():
    X, Y = _regression()
    net = _net()
    seen = []

    class Interrupting(SGD):
        calls = 0

        def step(self, params, grads, lr):
            Interrupting.calls += 1
            if Interrupting.calls == 10:  # third step of epoch 3 (4 per epoch)
                raise KeyboardInterrupt
            super().step(params, grads, lr)

    state = _state(net, Interrupting(), ConstantRule(0.05), early_stopping=True)

    def record(net):
        seen.append(net.params.copy())
        return 0.0

    with pytest.warns(
        UserWarning, match=r"Training interrupted by user\. 2 epochs were completed"
    ):
        _fit(net, X, Y, state, max_iter=10, validation_score=record)
    assert state.n_iter == 2
    # The score never improves after the first epoch, so that epoch is the best.
    np.testing.assert_array_equal(net.params, seen[0])
    assert not np.array_equal(seen[0], seen[-1])


def test_sample_weights_change_training():
    X, Y = _regression()
    w = np.where(X[:, 0] > 0, 5.0, 0.2)
    a, b = _net(), _net()
    _fit(a, X, Y, _state(a), max_iter=5)
    _fit(b, X, Y, _state(b), sample_weight=w, max_iter=5)
    assert not np.allclose(a.params, b.params)
    # Uniform weights are the unweighted fit.
    c = _net()
    _fit(c, X, Y, _state(c), sample_weight=np.full(64, 3.0), max_iter=5)
    np.testing.assert_allclose(c.params, a.params, rtol=1e-10, atol=1e-12)


def test_sparse_training_equals_dense():
    X, Y = _regression()
    X[np.abs(X) < 0.7] = 0.0
    dense, sparse = _net(), _net()
    _fit(dense, X, Y, _state(dense), max_iter=5)
    _fit(sparse, sp.csr_matrix(X), Y, _state(sparse), max_iter=5)
    np.testing.assert_allclose(sparse.params, dense.params, rtol=1e-10, atol=1e-12)


def test_float32_stochastic_training_stays_float32():
    X, Y = _regression(dtype=np.float32)
    net = _net(dtype=np.float32, dropout=[0.1])
    state = _fit(net, X, Y, _state(net), max_iter=10)
    assert net.params.dtype == np.float32
    assert state.optimizer.m.dtype == state.optimizer.v.dtype == np.float32
    assert state.loss_curve[-1] < state.loss_curve[0]


def test_dropout_training_is_reproducible_per_seed():
    X, Y = _regression()
    runs = []
    for seed in (1, 1, 2):
        net = _net(dropout=[0.3])
        _fit(net, X, Y, _state(net), max_iter=3, rng=np.random.default_rng(seed))
        runs.append(net.params)
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])


# -- fit_lbfgs -----------------------------------------------------------------


def test_lbfgs_reaches_a_lower_cost_and_reports_it():
    X, Y = _regression()
    net = _net()
    start = _cost(net, X, Y, alpha=0.01)
    result = fit_lbfgs(
        net, X, Y, None, max_iter=200, max_fun=15000, tol=1e-8, alpha=0.01
    )
    final = _cost(net, X, Y, alpha=0.01)
    assert final < 0.05 * start
    assert result.fun == pytest.approx(final, rel=1e-12)
    np.testing.assert_array_equal(net.params, result.x)


def test_lbfgs_keeps_float32_params_in_place():
    X, Y = _regression(dtype=np.float32)
    w = np.linspace(0.5, 1.5, 64, dtype=np.float32)
    net = _net(dtype=np.float32)
    params, coef = net.params, net.coefs[0]
    start = _cost(net, X, Y, w, alpha=0.01, l1=0.001)
    result = fit_lbfgs(
        net, X, Y, w, max_iter=100, max_fun=15000, tol=1e-6, alpha=0.01, l1=0.001
    )
    assert net.params is params and net.params.dtype == np.float32
    assert coef.base is net.params  # the views still see the fitted values
    assert net.grads.dtype == np.float32
    assert result.nit > 0
    assert _cost(net, X, Y, w, alpha=0.01, l1=0.001) < 0.1 * start


def test_lbfgs_respects_max_iter():
    X, Y = _regression()
    net = _net()
    result = fit_lbfgs(net, X, Y, None, max_iter=3, max_fun=15000, tol=0.0)
    assert result.nit == 3


def test_training_state_defaults():
    net = _net()
    plain = _state(net)
    assert plain.n_iter == plain.t == 0 and plain.loss_curve == []
    assert plain.best_loss == np.inf and plain.validation_scores == []
    stopping = _state(net, early_stopping=True)
    assert stopping.best_validation_score == -np.inf
    assert stopping.validation_scores == [] and stopping.best_loss is None


def test_fitted_models_keep_no_work_buffers():
    """Activation, delta, scratch and batch buffers are dropped after a fit
    (L-BFGS's would hold the whole training set's activations)."""
    from sknn import MLPClassifier

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 4)), rng.integers(0, 3, 300)
    for solver in ("adam", "sgd", "lbfgs"):
        est = MLPClassifier(hidden_layer_sizes=(16,), solver=solver, max_iter=3)
        est.fit(X, y) if solver != "sgd" else est.partial_fit(X, y, classes=[0, 1, 2])
        net = est._network
        assert net._work is None and net.__dict__.get("_scratch") is None
        if est._state is not None:
            assert "_batch_buffers" not in vars(est._state)
        before = est.predict_proba(X)
        est.partial_fit(X, y) if solver != "lbfgs" else est.fit(X, y)
        assert est.predict_proba(X).shape == before.shape  # buffers remade


def test_optimizer_shares_the_work_buffer_it_is_given():
    import pickle

    from sknn.core.optimizers import RMSprop

    params, scratch = np.ones(10), np.empty(10)
    opt = RMSprop()
    opt.init(params)
    opt.share_work(scratch)
    opt.step(params, np.full(10, 0.5), 0.1)
    assert opt._work_for(params) is scratch
    clone = pickle.loads(pickle.dumps(opt))  # the loan is not pickled
    assert "_work" not in vars(clone)
    clone.step(params.copy(), np.full(10, 0.5), 0.1)  # makes its own again
    assert clone._work.shape == params.shape and clone._work is not scratch
    opt.share_work(None)  # the loan ends
    assert opt._work is None


def test_optimizer_keeps_no_reference_to_the_network_after_training():
    """The scratch buffer is lent for one call: the training state (kept by
    the estimator, and pickled with it) must not hold on to the network."""
    from sknn import MLPRegressor

    rng = np.random.default_rng(0)
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=2).fit(
        rng.normal(size=(50, 3)), rng.normal(size=50)
    )
    assert vars(est._state.optimizer).get("_work") is None


def test_training_uses_small_ufunc_buffers_and_restores_numpy_s(monkeypatch):
    """Each epoch runs with NumPy's ufunc buffer at ``_UFUNC_BUFFER`` elements
    (a broadcast allocates it although nothing is cast); afterwards NumPy's
    own setting is back."""
    import sknn.core.divergence as divergence
    import sknn.core.training as training

    seen = []
    run_epoch = training.run_epoch
    monkeypatch.setattr(
        training,
        "run_epoch",
        lambda *a, **k: seen.append(np.getbufsize()) or run_epoch(*a, **k),
    )
    before = np.getbufsize()
    X, Y = _regression()
    net, state = _net(), TrainingState(Adam(), ConstantRule(0.01), early_stopping=False)
    state.optimizer.init(net.params)
    fit_stochastic(net, X, Y, None, state, max_iter=2, batch_size=16, shuffle=True,
                   rng=np.random.default_rng(0))  # fmt: skip
    assert seen == [divergence._UFUNC_BUFFER] * 2
    assert np.getbufsize() == before


# -- an interrupted or diverged epoch is a transaction ---------------------------


class _BatchRaiser(Callback):
    """Raises ``exc`` at the end of the ``at``-th batch of the call (1-based)."""

    wants_batches = True

    def __init__(self, at, exc=KeyboardInterrupt):
        self.at, self.exc, self.seen = at, exc, 0

    def on_batch_end(self, net, state, batch):
        self.seen += 1
        if self.seen == self.at:
            raise self.exc("raised by a batch callback")


class _StopAfter(Callback):
    """Stops training cleanly at the end of epoch ``n``."""

    def __init__(self, n):
        self.n = n

    def on_epoch_end(self, net, state):
        return state.n_iter == self.n


def _transaction_setup(optimizer, schedule):
    X, Y = _regression()  # 64 rows, batches of 16: 4 batches per epoch
    net = _net(dropout=[0.2], normalization="batch")
    return net, X, Y, _state(net, optimizer, schedule)


def _run(net, X, Y, state, callback, max_iter=10, seed=1):
    return fit_stochastic(
        net, X, Y, None, state, max_iter=max_iter, batch_size=16, shuffle=True,
        rng=np.random.default_rng(seed), callbacks=[StoppingRule(0.0, 50), callback],
    )  # fmt: skip


@pytest.mark.parametrize(
    "optimizer, schedule",
    [
        (Adam, lambda: ScheduleDriver(StepLR(3, gamma=0.5, unit="batch"), 0.01)),
        (lambda: SGD(momentum=0.9), lambda: InvScaling(0.01)),
        (lambda: SGD(momentum=0.5, nesterov=False), lambda: Adaptive(0.01)),
    ],
    ids=["adam-per-batch-step", "nesterov-invscaling", "momentum-adaptive"],
)
def test_an_interrupted_epoch_leaves_no_trace(optimizer, schedule):
    """Ctrl-C at the third batch of epoch 3 (batch 11): the weights, batch
    norm's statistics, the optimiser's state (Adam's step count 8, not 11,
    and its moments; momentum velocities), the schedule's rate and step, the
    counters and the curves are all those of a run stopped cleanly after
    epoch 2; and training on gives the same weights as that run's."""
    runs = []
    for callback in (_StopAfter(2), _BatchRaiser(11)):
        net, X, Y, state = _transaction_setup(optimizer(), schedule())
        if isinstance(callback, _BatchRaiser):
            with pytest.warns(UserWarning, match="2 epochs were completed"):
                _run(net, X, Y, state, callback)
        else:
            _run(net, X, Y, state, callback)
        runs.append((net, state))
    (clean, clean_state), (interrupted, interrupted_state) = runs
    assert interrupted_state.n_iter == 2 and len(interrupted_state.loss_curve) == 2
    if isinstance(interrupted_state.optimizer, Adam):
        assert interrupted_state.optimizer.t == 8
        assert interrupted_state.schedule.step == 8
    assert_deep_equal(interrupted.params, clean.params, "params")
    assert_deep_equal(interrupted.stats, clean.stats, "stats")
    assert_deep_equal(interrupted_state, clean_state, "state")
    for net, state in runs:  # and the next epochs agree
        _run(net, X, Y, state, _StopAfter(2), seed=7)
    assert_deep_equal(interrupted.params, clean.params, "params")
    assert_deep_equal(interrupted_state, clean_state, "state")


def test_a_diverged_epoch_restores_the_optimiser_and_the_schedule():
    """A divergence in epoch 3 raises with the optimiser and the schedule (and
    the weights) as they were after epoch 2, so the state can be kept."""
    make = lambda: ScheduleDriver(StepLR(2, gamma=0.5, unit="batch"), 0.01)  # noqa: E731
    net, X, Y, clean_state = _transaction_setup(Adam(), make())
    _run(net, X, Y, clean_state, _StopAfter(2))
    diverged, X, Y, state = _transaction_setup(Adam(), make())
    with pytest.raises(TrainingDiverged, match="raised by a batch callback"):
        _run(diverged, X, Y, state, _BatchRaiser(10, TrainingDiverged))
    assert state.optimizer.t == 8 and state.schedule.step == 8
    assert_deep_equal(diverged.params, net.params, "params")
    assert_deep_equal(state, clean_state, "state")


def test_an_interrupt_at_an_epoch_end_still_steps_the_schedule():
    """Ctrl-C in an epoch-end callback keeps the completed epoch; the schedule
    takes its end-of-epoch step, as after a clean stop there."""

    class InterruptAtEnd(Callback):
        def on_epoch_end(self, net, state):
            if state.n_iter == 2:
                raise KeyboardInterrupt

    runs = []
    for callback in (_StopAfter(2), InterruptAtEnd()):
        net, X, Y, state = _transaction_setup(Adam(), InvScaling(0.01))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            _run(net, X, Y, state, callback)
        runs.append((net, state))
    assert runs[1][1].n_iter == 2
    assert runs[1][1].schedule.rate == 0.01 / (2 * 64 + 1) ** 0.5
    assert_deep_equal(runs[1][0].params, runs[0][0].params, "params")
    assert_deep_equal(runs[1][1], runs[0][1], "state")


def test_optimiser_state_round_trip_reuses_its_buffers():
    for optimizer in (SGD(), Adam(), AdamW(), RMSprop(), Adagrad()):
        params = np.linspace(-1, 1, 7)
        optimizer.init(params)
        optimizer.step(params, np.full(7, 0.3), 0.1)
        saved = optimizer.save_state()
        arrays = {k: v for k, v in saved.items() if isinstance(v, np.ndarray)}
        assert arrays and all(v is not getattr(optimizer, k) for k, v in arrays.items())
        before = {k: np.copy(v) for k, v in saved.items()}
        optimizer.step(params, np.full(7, -0.2), 0.1)
        assert optimizer.save_state(saved) is saved  # the same arrays, refilled
        assert all(saved[k] is v for k, v in arrays.items())
        optimizer.load_state(before)
        assert_deep_equal(optimizer.save_state(), before, type(optimizer).__name__)


# -- a loss that explodes is a divergence --------------------------------------


def test_an_exploding_loss_diverges_before_it_is_infinite():
    """Full-batch SGD at a rate of 2 on a tanh network: the loss grows from 0.9
    to 1.6e5 in 8 epochs, all finite; epoch 9 (2e6) is more than a million
    times the first epoch's loss and diverges, leaving the model of epoch 8."""
    X, Y = _regression()
    net = _net()
    state = _state(net, SGD(momentum=0.0), ConstantRule(2.0))
    seen = []

    class Record(Callback):
        def on_epoch_end(self, net, state):
            seen.append(net.params.copy())

    with pytest.raises(TrainingDiverged) as info:
        _fit(net, X, Y, state, batch_size=64, callbacks=[Record()])
    message = str(info.value)
    match = re.fullmatch(
        r"The training loss exploded to (\S+) \((\S+) times its first epoch's "
        r"(\S+)\) at epoch (\d+)\.",
        message,
    )
    assert match, message
    loss, ratio, first = (float(match[i]) for i in (1, 2, 3))
    assert np.isfinite(loss) and ratio > EXPLOSION_FACTOR and loss > EXPLOSION_FLOOR
    assert first == pytest.approx(state.loss_curve[0], rel=1e-3)
    assert int(match[4]) == state.n_iter + 1 and state.n_iter >= 1
    np.testing.assert_array_equal(net.params, seen[-1])  # the last good epoch


def test_an_explosion_within_the_first_epoch_is_measured_from_the_start():
    """Adam at 1e6 with many batches explodes inside epoch 1: its mean loss is
    compared with the initial parameters' loss on the whole training set."""
    X, Y = _regression(n=256)
    net = _net()
    before = net.params.copy()
    state = _state(net, Adam(), ConstantRule(1e6))
    with pytest.raises(TrainingDiverged, match=r"times the initial parameters' "
                       r"\S+\) at epoch 1\.$"):  # fmt: skip
        _fit(net, X, Y, state, batch_size=8)
    np.testing.assert_array_equal(net.params, before)
    assert state.loss_curve == [] and state.start_loss is None
    assert state.optimizer.t == 0


def test_a_large_but_steady_loss_is_not_an_explosion():
    """Targets of 1e4 give losses of 1e8 from the start; a first batch that
    happens to fit (a loss near 0) does not make later batches an explosion:
    the initial parameters' loss on all rows decides."""
    X, Y = _regression()
    Y = 1e4 * Y
    Y[0] = _net().predict(X[:1])  # the first batch of one row fits exactly
    for batch_size, optimizer in ((1, SGD(momentum=0.0)), (16, Adam())):
        net = _net()
        state = _state(net, optimizer, ConstantRule(1e-4))
        _fit(net, X, Y, state, batch_size=batch_size, shuffle=False, max_iter=5)
        assert state.n_iter == 5 and state.loss_curve[0] > 1e7
        if batch_size == 1:
            assert state.start_loss < 1e-6 * state.loss_curve[0]


def test_a_loss_that_grows_from_exactly_zero_is_an_explosion_above_the_floor():
    """A first epoch that fits exactly (loss 0): growth beyond the floor is an
    explosion (an infinite ratio, no division by zero), growth below it not."""
    from sknn.core.divergence import check_explosion as _check_explosion

    state = _state(_net())
    state.loss_curve = [0.0]
    _check_explosion(0.5 * EXPLOSION_FLOOR, state, None)  # below the floor
    with pytest.raises(TrainingDiverged, match=r"\(inf times its first epoch's 0\)"):
        _check_explosion(2 * EXPLOSION_FLOOR, state, None)
    state.loss_curve, state.start_loss = [], 0.0  # the first epoch
    with pytest.raises(TrainingDiverged, match="inf times the initial parameters'"):
        _check_explosion(2 * EXPLOSION_FLOOR, state, lambda: 0.0)
