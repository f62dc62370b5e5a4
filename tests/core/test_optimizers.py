"""The optimisers against reference updates written from their formulas."""

import pickle
import tracemalloc

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sknn.core.optimizers import (
    OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    RMSprop,
    get_optimizer,
)

SIZE = 11


def _grads(n_steps, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=SIZE).astype(dtype) for _ in range(n_steps)]


def _start(dtype=np.float64):
    return np.random.default_rng(42).normal(size=SIZE).astype(dtype)


LRS = [0.1, 0.05, 0.2, 0.01, 0.1]


def _reference_sgd(w, grads, lrs, momentum, nesterov):
    """v = momentum v - lr g; w += v, or w += momentum v - lr g (Nesterov)."""
    w, v = w.copy(), np.zeros_like(w)
    for g, lr in zip(grads, lrs, strict=True):
        if momentum:
            v = momentum * v - lr * g
            w = w + (momentum * v - lr * g if nesterov else v)
        else:
            w = w - lr * g
    return w


def _reference_adam(w, grads, lrs, b1=0.9, b2=0.999, eps=1e-8):
    """scikit-learn's Adam: bias correction folded into the step size."""
    w, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, (g, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - lr_t * m / (np.sqrt(v) + eps)
    return w


def _run(opt, w, grads, lrs):
    opt.init(w)
    for g, lr in zip(grads, lrs, strict=True):
        assert opt.step(w, g, lr) is None
    return w


SGD_CASES = [(0.0, False), (0.9, False), (0.9, True), (0.5, True)]


@pytest.mark.parametrize(("momentum", "nesterov"), SGD_CASES)
def test_sgd_one_step_by_hand(momentum, nesterov):
    w = np.array([1.0, -2.0, 0.5])
    g = np.array([0.5, 1.0, -4.0])
    _run(SGD(momentum=momentum, nesterov=nesterov), w, [g], [0.1])
    # v = -0.1 g after one step; Nesterov adds momentum * v - 0.1 g.
    step = -0.1 * g * (1 + momentum if nesterov and momentum else 1)
    np.testing.assert_allclose(w, np.array([1.0, -2.0, 0.5]) + step, rtol=1e-15)


@pytest.mark.parametrize(("momentum", "nesterov"), SGD_CASES)
def test_sgd_several_steps_match_reference(momentum, nesterov):
    grads = _grads(len(LRS))
    expected = _reference_sgd(_start(), grads, LRS, momentum, nesterov)
    w = _run(SGD(momentum=momentum, nesterov=nesterov), _start(), grads, LRS)
    np.testing.assert_allclose(w, expected, rtol=1e-14, atol=1e-15)


def test_adam_one_step_by_hand():
    w = np.array([1.0, -2.0, 0.5])
    g = np.array([0.5, 1.0, -4.0])
    _run(Adam(), w, [g], [0.01])
    # t = 1: m = 0.1 g, v = 0.001 g**2, lr_t = 0.01 sqrt(0.001) / 0.1, so the
    # step is 0.01 * g / (|g| + eps / sqrt(0.001)) ~ 0.01 * sign(g).
    step = 0.01 * g / (np.abs(g) + 1e-8 / np.sqrt(0.001))
    np.testing.assert_allclose(w, np.array([1.0, -2.0, 0.5]) - step, rtol=1e-14)


@pytest.mark.parametrize(
    "kwargs", [{}, {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}]
)
def test_adam_several_steps_match_reference(kwargs):
    grads = _grads(len(LRS))
    ref_kw = {
        "b1": kwargs.get("beta_1", 0.9),
        "b2": kwargs.get("beta_2", 0.999),
        "eps": kwargs.get("epsilon", 1e-8),
    }
    expected = _reference_adam(_start(), grads, LRS, **ref_kw)
    opt = Adam(**kwargs)
    w = _run(opt, _start(), grads, LRS)
    np.testing.assert_allclose(w, expected, rtol=1e-14)
    assert opt.t == len(LRS)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_equals_sklearn_optimizer(nesterov):
    grads = _grads(6)
    w = _start()
    sk_params = [w[:5].copy(), w[5:].copy()]
    sk = SGDOptimizer(sk_params, 0.05, momentum=0.8, nesterov=nesterov)
    for g in grads:
        sk.update_params(sk_params, [g[:5], g[5:]])
    _run(SGD(momentum=0.8, nesterov=nesterov), w, grads, [0.05] * 6)
    np.testing.assert_allclose(w, np.concatenate(sk_params), rtol=1e-14)


def test_adam_equals_sklearn_optimizer():
    grads = _grads(6)
    w = _start()
    sk_params = [w[:5].copy(), w[5:].copy()]
    sk = AdamOptimizer(sk_params, 0.01)
    for g in grads:
        sk.update_params(sk_params, [g[:5], g[5:]])
    _run(Adam(), w, grads, [0.01] * 6)
    np.testing.assert_allclose(w, np.concatenate(sk_params), rtol=1e-14)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SGD(),
        lambda: SGD(momentum=0),
        Adam,
        RMSprop,
        Adagrad,
        lambda: AdamW(n_decayed=4),
    ],
)
def test_updates_in_place_on_the_passed_buffer(make):
    buffer = np.zeros(2 * SIZE)
    params = buffer[SIZE:]  # a view, as a network's params would be
    params[...] = _start()
    before = params.copy()
    opt = make()
    opt.init(params)
    grads = _grads(1)[0]
    grads_before = grads.copy()
    opt.step(params, grads, 0.1)
    assert not np.array_equal(buffer[SIZE:], before)
    np.testing.assert_array_equal(buffer[:SIZE], 0.0)
    np.testing.assert_array_equal(grads, grads_before)  # gradients are not touched


@pytest.mark.parametrize(
    ("make", "reference"),
    [
        (lambda: SGD(momentum=0.9, nesterov=True), "sgd"),
        (lambda: SGD(momentum=0.0), "sgd0"),
        (Adam, "adam"),
    ],
)
def test_float32_stays_float32(make, reference):
    grads32 = _grads(len(LRS), np.float32)
    opt = make()
    w = _run(opt, _start(np.float32), grads32, LRS)
    assert w.dtype == np.float32
    for name in ("velocity", "m", "v", "_work"):
        if hasattr(opt, name):
            assert getattr(opt, name).dtype == np.float32
    grads64 = [g.astype(np.float64) for g in grads32]
    w64 = _start(np.float32).astype(np.float64)
    if reference == "adam":
        expected = _reference_adam(w64, grads64, LRS)
    else:
        momentum = 0.9 if reference == "sgd" else 0.0
        expected = _reference_sgd(w64, grads64, LRS, momentum, True)
    np.testing.assert_allclose(w, expected, rtol=1e-5, atol=1e-6)


def test_init_resets_state():
    opt = Adam()
    w = _run(opt, _start(), _grads(3), [0.1] * 3)
    opt.init(w)
    assert opt.t == 0 and not opt.m.any() and not opt.v.any()
    sgd = SGD()
    _run(sgd, _start(), _grads(3), [0.1] * 3)
    sgd.init(w)
    assert not sgd.velocity.any()


def test_registry():
    assert OPTIMIZERS == {
        "sgd": SGD,
        "adam": Adam,
        "adamw": AdamW,
        "rmsprop": RMSprop,
        "adagrad": Adagrad,
    }
    opt = get_optimizer("sgd", momentum=0.3, nesterov=False)
    assert isinstance(opt, SGD) and opt.momentum == 0.3 and opt.nesterov is False
    assert isinstance(get_optimizer("adam", beta_1=0.8), Adam)
    with pytest.raises(ValueError, match="'lbfgs'"):
        get_optimizer("lbfgs")


# -- RMSprop, Adagrad, AdamW --------------------------------------------------


def _reference_rmsprop(w, grads, lrs, rho=0.9, epsilon=1e-8):
    """PyTorch's RMSprop: v = rho v + (1 - rho) g**2; w -= lr g / (sqrt(v) + eps)."""
    w, v = w.copy(), np.zeros_like(w)
    for g, lr in zip(grads, lrs, strict=True):
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / (np.sqrt(v) + epsilon)
    return w


def _reference_adagrad(w, grads, lrs, epsilon=1e-8, initial_accumulator_value=0.0):
    """PyTorch's Adagrad (lr_decay=0): s += g**2; w -= lr g / (sqrt(s) + eps)."""
    w, s = w.copy(), np.full_like(w, initial_accumulator_value)
    for g, lr in zip(grads, lrs, strict=True):
        s = s + g * g
        w = w - lr * g / (np.sqrt(s) + epsilon)
    return w


def _reference_adamw(
    w,
    grads,
    lrs,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    weight_decay=0.01,
    n_decayed=None,
):
    """w[:k] *= 1 - lr wd, then scikit-learn's Adam step from g alone."""
    k = len(w) if n_decayed is None else n_decayed
    w, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, (g, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        w[:k] = w[:k] * (1 - lr * weight_decay)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        lr_t = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w = w - lr_t * m / (np.sqrt(v) + epsilon)
    return w


W0 = [1.0, -2.0, 0.5]


def test_rmsprop_steps_by_hand():
    w = np.array(W0)
    opt = RMSprop(rho=0.75, epsilon=0.5)
    opt.init(w)
    opt.step(w, np.array([2.0, -4.0, 0.0]), 0.3)
    # v = 0.25 g**2 = [1, 4, 0]; sqrt(v) + eps = [1.5, 2.5, 0.5]
    # g / that = [4/3, -1.6, 0]; times lr = 0.3: [0.4, -0.48, 0]
    np.testing.assert_allclose(opt.square_avg, [1.0, 4.0, 0.0], rtol=1e-15)
    np.testing.assert_allclose(w, [0.6, -1.52, 0.5], rtol=1e-15)
    opt.step(w, np.array([1.0, -2.0, 2.0]), 0.15)
    # v = 0.75 [1, 4, 0] + 0.25 [1, 4, 4] = [1, 4, 1]; + eps: [1.5, 2.5, 1.5]
    # g / that = [2/3, -0.8, 4/3]; times lr = 0.15: [0.1, -0.12, 0.2]
    np.testing.assert_allclose(opt.square_avg, [1.0, 4.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(w, [0.5, -1.4, 0.3], rtol=1e-14)


def test_rmsprop_default_step_by_hand():
    w = np.array(W0)
    _run(RMSprop(), w, [np.array([0.5, 1.0, -4.0])], [0.01])
    # v = 0.1 g**2, sqrt(v) = 0.316227766 |g|, so the step is
    # 0.01 / 0.316227766 = 0.0316227766 times sign(g) (eps moves it < 1e-8).
    np.testing.assert_allclose(
        w, [0.9683772234, -2.0316227766, 0.5316227766], rtol=0, atol=1e-8
    )


@pytest.mark.parametrize(
    ("kwargs", "g", "lr", "expected"),
    [
        # s = g**2 = [9, 16, 0]; sqrt(s) + 1 = [4, 5, 1]; g / that = [0.75,
        # -0.8, 0]; times lr = 0.5: [0.375, -0.4, 0].
        ({"epsilon": 1.0}, [3.0, -4.0, 0.0], 0.5, [0.625, -1.6, 0.5]),
        # s = 144 + g**2 = [225, 400, 144]; sqrt(s) + 5 = [20, 25, 17];
        # g / that = [-0.45, 0.64, 0]; times lr = 0.5: [-0.225, 0.32, 0].
        (
            {"epsilon": 5.0, "initial_accumulator_value": 144.0},
            [-9.0, 16.0, 0.0],
            0.5,
            [1.225, -2.32, 0.5],
        ),
    ],
)
def test_adagrad_one_step_by_hand(kwargs, g, lr, expected):
    w = np.array(W0)
    _run(Adagrad(**kwargs), w, [np.array(g)], [lr])
    np.testing.assert_allclose(w, expected, rtol=1e-15)


def test_adagrad_accumulates_by_hand():
    w = np.array(W0)
    opt = Adagrad(epsilon=1.0)
    _run(opt, w, [np.array([3.0, -4.0, 0.0]), np.array([4.0, 3.0, -2.0])], [0.5, 0.3])
    # Step 1 as above: w = [0.625, -1.6, 0.5], s = [9, 16, 0].
    # Step 2: s = [25, 25, 4]; sqrt(s) + 1 = [6, 6, 3]; g / that = [2/3, 0.5,
    # -2/3]; times lr = 0.3: [0.2, 0.15, -0.2].
    np.testing.assert_allclose(opt.sum_sq, [25.0, 25.0, 4.0], rtol=1e-15)
    np.testing.assert_allclose(w, [0.425, -1.75, 0.7], rtol=1e-15)


@pytest.mark.parametrize(
    ("n_decayed", "expected"),
    [
        # 1 - lr wd = 1 - 0.1 * 0.5 = 0.95 on the decayed entries, then Adam's
        # first step with eps = 0 is exactly lr sign(g) = [0.1, 0.1, -0.1].
        (None, [0.85, -2.0, 0.575]),  # [0.95, -1.9, 0.475] - step
        (3, [0.85, -2.0, 0.575]),
        (2, [0.85, -2.0, 0.6]),  # [0.95, -1.9, 0.5] - step
        (0, [0.9, -2.1, 0.6]),  # [1, -2, 0.5] - step: plain Adam
    ],
)
def test_adamw_one_step_by_hand(n_decayed, expected):
    w = np.array(W0)
    opt = AdamW(epsilon=0.0, weight_decay=0.5, n_decayed=n_decayed)
    _run(opt, w, [np.array([0.5, 1.0, -4.0])], [0.1])
    np.testing.assert_allclose(w, expected, rtol=1e-14)


NEW_CASES = [
    (RMSprop, _reference_rmsprop, {}),
    (RMSprop, _reference_rmsprop, {"rho": 0.5, "epsilon": 1e-3}),
    (RMSprop, _reference_rmsprop, {"rho": 0.99}),
    (Adagrad, _reference_adagrad, {}),
    (Adagrad, _reference_adagrad, {"epsilon": 1e-3, "initial_accumulator_value": 0.1}),
    (AdamW, _reference_adamw, {}),
    (AdamW, _reference_adamw, {"weight_decay": 0.1, "n_decayed": 7}),
    (
        AdamW,
        _reference_adamw,
        {
            "beta_1": 0.5,
            "beta_2": 0.9,
            "epsilon": 1e-3,
            "weight_decay": 0.3,
            "n_decayed": 0,
        },
    ),
]
NEW_IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(NEW_CASES)]


@pytest.mark.parametrize(("cls", "reference", "kwargs"), NEW_CASES, ids=NEW_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_several_steps_match_reference(cls, reference, kwargs, dtype):
    grads = _grads(len(LRS), dtype)
    opt = cls(**kwargs)
    w = _run(opt, _start(dtype), grads, LRS)
    assert w.dtype == dtype
    assert all(a.dtype == dtype for a in _state_arrays(opt))
    assert opt._work.dtype == dtype
    # The reference runs in float64 from the same (rounded) starting values.
    grads64 = [g.astype(np.float64) for g in grads]
    expected = reference(_start(dtype).astype(np.float64), grads64, LRS, **kwargs)
    if dtype == np.float64:
        np.testing.assert_allclose(w, expected, rtol=1e-13)
    else:
        np.testing.assert_allclose(w, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adamw_without_decay_is_adam(dtype):
    grads = _grads(len(LRS), dtype)
    adam, adamw = Adam(), AdamW(weight_decay=0.0)
    w = _run(adam, _start(dtype), grads, LRS)
    w_decoupled = _run(adamw, _start(dtype), grads, LRS)
    np.testing.assert_array_equal(w_decoupled, w)
    np.testing.assert_array_equal(adamw.m, adam.m)
    np.testing.assert_array_equal(adamw.v, adam.v)
    assert adamw.t == adam.t


@pytest.mark.parametrize("k", [0, 1, 6, SIZE])
def test_adamw_decays_only_the_first_n(k):
    grads = _grads(len(LRS))
    adam, adamw = Adam(), AdamW(weight_decay=0.2, n_decayed=k)
    w = _run(adam, _start(), grads, LRS)
    w_decoupled = _run(adamw, _start(), grads, LRS)
    # The Adam step depends on the gradients alone, so the undecayed tail is
    # bit for bit Adam's, and the moments never see the decay.
    np.testing.assert_array_equal(w_decoupled[k:], w[k:])
    np.testing.assert_array_equal(adamw.m, adam.m)
    np.testing.assert_array_equal(adamw.v, adam.v)
    assert not np.isclose(w_decoupled[:k], w[:k], rtol=1e-6, atol=0).any()
    expected = _reference_adamw(_start(), grads, LRS, weight_decay=0.2, n_decayed=k)
    np.testing.assert_allclose(w_decoupled, expected, rtol=1e-13)


@pytest.mark.parametrize("n_decayed", [-1, SIZE + 1])
def test_adamw_rejects_out_of_range_n_decayed(n_decayed):
    with pytest.raises(ValueError, match="n_decayed"):
        AdamW(n_decayed=n_decayed).init(_start())


ALL_MAKERS = [
    lambda: SGD(momentum=0.9, nesterov=True),
    lambda: SGD(momentum=0.0),
    Adam,
    lambda: RMSprop(rho=0.8),
    lambda: Adagrad(initial_accumulator_value=0.1),
    lambda: AdamW(weight_decay=0.1, n_decayed=7),
]
ALL_IDS = ["sgd", "sgd0", "adam", "rmsprop", "adagrad", "adamw"]


@pytest.mark.parametrize("make", ALL_MAKERS, ids=ALL_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pickle_mid_training_continues_identically(make, dtype):
    grads = _grads(8, dtype)
    lrs = [0.1, 0.05, 0.2, 0.01, 0.1, 0.3, 0.02, 0.07]
    opt = make()
    w = _run(opt, _start(dtype), grads[:4], lrs[:4])
    blob = pickle.dumps(opt)
    clone = pickle.loads(blob)
    assert "_work" not in opt.__getstate__()
    assert not hasattr(clone, "_work")  # rebuilt on the first step
    w_clone = w.copy()
    for g, lr in zip(grads[4:], lrs[4:], strict=True):
        opt.step(w, g, lr)
        clone.step(w_clone, g, lr)
    np.testing.assert_array_equal(w_clone, w)
    assert clone._work is not opt._work
    assert clone._work.shape == w.shape and clone._work.dtype == dtype
    assert w_clone.dtype == dtype


@pytest.mark.parametrize("make", ALL_MAKERS, ids=ALL_IDS)
def test_pickle_before_init(make):
    clone = pickle.loads(pickle.dumps(make()))
    assert not hasattr(clone, "_work")
    w = _run(clone, _start(), _grads(2), [0.1, 0.1])
    assert np.isfinite(w).all()


def _state_arrays(opt):
    return [a for a in vars(opt).values() if isinstance(a, np.ndarray)]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_arrays_are_shaped_and_typed_like_params(name):
    opt = OPTIMIZERS[name]()
    params = _start(np.float32)
    opt.init(params)
    assert _state_arrays(opt)  # every optimiser here keeps some state
    assert not hasattr(opt, "_work")  # made on first use only
    for state in _state_arrays(opt):
        assert state.shape == params.shape and state.dtype == np.float32


@pytest.mark.parametrize("make", ALL_MAKERS, ids=ALL_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_allocates_no_params_sized_arrays(make, dtype):
    n = 200_000
    rng = np.random.default_rng(0)
    params = rng.normal(size=n).astype(dtype)
    grads = rng.normal(size=n).astype(dtype)
    opt = make()
    opt.init(params)
    opt.step(params, grads, 0.01)  # warm up
    tracemalloc.start()
    try:
        opt.step(params, grads, np.float64(0.01))  # as a schedule may pass it
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < params.nbytes / 4
    assert params.dtype == dtype


@pytest.mark.parametrize(
    ("opt", "name", "initial"),
    [
        (RMSprop(), "square_avg", 0.0),
        (Adagrad(initial_accumulator_value=0.5), "sum_sq", 0.5),
        (AdamW(), "m", 0.0),
    ],
    ids=["rmsprop", "adagrad", "adamw"],
)
def test_new_optimizers_init_resets_state(opt, name, initial):
    _run(opt, _start(), _grads(3), [0.1] * 3)
    opt.init(_start())
    np.testing.assert_array_equal(getattr(opt, name), initial)
    if isinstance(opt, AdamW):
        assert opt.t == 0 and not opt.v.any()


def test_registry_new_optimizers():
    opt = get_optimizer("rmsprop", rho=0.8, epsilon=1e-6)
    assert type(opt) is RMSprop and (opt.rho, opt.epsilon) == (0.8, 1e-6)
    opt = get_optimizer("adagrad", initial_accumulator_value=0.1)
    assert type(opt) is Adagrad and opt.initial_accumulator_value == 0.1
    assert opt.epsilon == 1e-8
    opt = get_optimizer("adamw", weight_decay=0.05, n_decayed=10, beta_1=0.8)
    assert type(opt) is AdamW and isinstance(opt, Adam)
    assert (opt.weight_decay, opt.n_decayed, opt.beta_1) == (0.05, 10, 0.8)
    defaults = get_optimizer("adamw")
    assert (defaults.weight_decay, defaults.n_decayed) == (0.01, None)
    rms = get_optimizer("rmsprop")
    assert (rms.rho, rms.epsilon) == (0.9, 1e-8)
    with pytest.raises(ValueError, match="adagrad.*adam.*adamw.*rmsprop.*sgd"):
        get_optimizer("nadam")
