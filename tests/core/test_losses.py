"""Costs fused with their links: gradients, link outputs, stability, values."""

import numpy as np
import pytest
from scipy.special import expit
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.neural_network import _base as sk_base

from sknn.core.losses import LOSSES, get_loss

N, K = 7, 3


def _one_hot(labels, k):
    return np.eye(k)[labels]


def _problem(name, params, seed=0):
    """Logits ``z`` and targets ``y`` for a loss, residuals kept off its kinks."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=1.5, size=(N, K))
    if name == "log_loss" or params.get("out_activation") == "softmax":
        y = _one_hot(rng.integers(0, K, N), K)
    elif name == "binary_log_loss" or params.get("out_activation") == "logistic":
        y = rng.integers(0, 2, size=(N, K)).astype(float)
    elif name == "poisson":
        y = rng.poisson(2.0, size=(N, K)).astype(float)
    else:
        # |p - y| in [0.2, 0.7] or [1.3, 1.8], both signs: off the kinks of
        # absolute/quantile (0) and of huber for delta in (0.1, 1.0, 2.5).
        r = rng.uniform(0.2, 0.7, size=(N, K)) + rng.integers(0, 2, (N, K)) * 1.1
        y = z + r * rng.choice([-1.0, 1.0], size=(N, K))
    return z, y


CASES = [
    ("squared_error", {}),
    ("squared_error", {"out_activation": "logistic"}),
    ("squared_error", {"out_activation": "softmax"}),
    ("binary_log_loss", {}),
    ("log_loss", {}),
    ("absolute_error", {}),
    ("huber", {"delta": 0.1}),  # every residual on the linear branch
    ("huber", {"delta": 1.0}),  # both branches
    ("huber", {"delta": 2.5}),  # every residual on the quadratic branch
    ("quantile", {"quantile": 0.5}),
    ("quantile", {"quantile": 0.2}),
    ("poisson", {}),
]
IDS = [f"{name}-{'-'.join(map(str, params.values()))}" for name, params in CASES]


def _total(loss, y, z):
    p = loss.link(z, np.empty_like(z))
    return loss.per_sample(y, z, p).sum()


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_gradient_matches_finite_differences(name, params):
    loss = get_loss(name, **params)
    z, y = _problem(name, params)
    p = loss.link(z, np.empty_like(z))
    out = np.empty_like(z)
    grad = loss.gradient(y, z, p, out)
    assert grad is out
    h = 1e-6
    numeric = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += h
        zm[idx] -= h
        numeric[idx] = (_total(loss, y, zp) - _total(loss, y, zm)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-7, atol=1e-8)


def test_registry_and_unknown_name():
    assert set(LOSSES) == {
        "squared_error",
        "binary_log_loss",
        "log_loss",
        "absolute_error",
        "huber",
        "quantile",
        "poisson",
    }
    with pytest.raises(ValueError, match="'hinge'"):
        get_loss("hinge")


@pytest.mark.parametrize(
    ("name", "params", "link"),
    [
        ("squared_error", {}, "identity"),
        ("squared_error", {"out_activation": "softmax"}, "softmax"),
        ("binary_log_loss", {}, "logistic"),
        ("log_loss", {}, "softmax"),
        ("absolute_error", {}, "identity"),
        ("huber", {}, "identity"),
        ("quantile", {}, "identity"),
        ("poisson", {}, "exp"),
    ],
)
def test_out_activation_names_the_link(name, params, link):
    assert get_loss(name, **params).out_activation == link


def test_softmax_link_rows_sum_to_one_and_match_formula():
    z = np.random.default_rng(1).normal(scale=3, size=(10, 4))
    p = get_loss("log_loss").link(z, np.empty_like(z))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    e = np.exp(z)
    np.testing.assert_allclose(p, e / e.sum(axis=1, keepdims=True), rtol=1e-13)
    assert (p > 0).all()


def test_softmax_link_is_stable_and_works_in_place():
    z = np.array([[1000.0, -1000.0, 999.0], [-800.0, -800.0, -800.0]])
    p = get_loss("log_loss").link(z.copy(), np.empty_like(z))
    e = 1 / (1 + np.exp(-1.0))
    np.testing.assert_allclose(p, [[e, 0.0, 1 - e], [1 / 3, 1 / 3, 1 / 3]])
    zz = z.copy()
    assert get_loss("log_loss").link(zz, zz) is zz
    np.testing.assert_array_equal(zz, p)


def test_logistic_link_is_in_unit_interval():
    z = np.linspace(-30, 30, 61).reshape(-1, 1)
    p = get_loss("binary_log_loss").link(z, np.empty_like(z))
    assert ((p > 0) & (p < 1)).all()
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-z)), rtol=1e-14)
    extreme = np.array([[-1000.0, 1000.0]])
    p = get_loss("binary_log_loss").link(extreme, np.empty_like(extreme))
    np.testing.assert_array_equal(p, [[0.0, 1.0]])


def test_exp_link_is_capped_instead_of_overflowing():
    z = np.array([[0.0, 1.0, 1000.0]])
    p = get_loss("poisson").link(z, np.empty_like(z))
    np.testing.assert_allclose(p[0, :2], [1.0, np.e])
    assert np.isfinite(p).all() and p[0, 2] > 1e300
    z32 = z.astype(np.float32)
    p32 = get_loss("poisson").link(z32, np.empty_like(z32))
    assert p32.dtype == np.float32 and np.isfinite(p32).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_log_loss_extreme_logits(dtype):
    z = np.array([[1000.0], [1000.0], [-1000.0], [-1000.0]], dtype=dtype)
    y = np.array([[1.0], [0.0], [1.0], [0.0]], dtype=dtype)
    exact = get_loss("binary_log_loss", clip=False)
    p = exact.link(z, np.empty_like(z))
    # -log(sigmoid(z)) -> max(-z, 0) + log1p(exp(-|z|)), which is exactly these.
    np.testing.assert_array_equal(exact.per_sample(y, z, p), [0.0, 1000.0, 1000.0, 0.0])
    # The default is scikit-learn's value: p clipped to [eps, 1 - eps] of the dtype.
    # Per entry scikit-learn's own arithmetic, bit for bit (the log in float64,
    # which its boolean targets select for float32 too).
    clipped = get_loss("binary_log_loss").per_sample(y, z, p)
    assert clipped.dtype == np.float64
    pc = np.clip(p, np.finfo(dtype).eps, 1 - np.finfo(dtype).eps)
    yb = y.astype(bool)
    expected = -(sk_base.xlogy(yb, pc) + sk_base.xlogy(1 - yb, 1 - pc)).ravel()
    np.testing.assert_array_equal(clipped, expected)
    np.testing.assert_allclose(clipped[1], -np.log(np.finfo(dtype).eps), rtol=1e-6)
    for loss in (exact, get_loss("binary_log_loss")):  # p - y, unclipped
        grad = loss.gradient(y, z, p, np.empty_like(z))
        np.testing.assert_array_equal(grad.ravel(), [0.0, 1.0, -1.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_loss_extreme_logits(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]])
    z = z.astype(dtype)
    y = _one_hot([0, 1, 2], 3).astype(dtype)
    exact = get_loss("log_loss", clip=False)
    p = exact.link(z, np.empty_like(z))
    values = exact.per_sample(y, z, p)
    np.testing.assert_allclose(values, [0.0, 2000.0, np.log(3)], rtol=1e-6)
    eps = np.finfo(dtype).eps
    clipped = get_loss("log_loss").per_sample(y, z, p)
    assert clipped.dtype == np.float64
    pc = np.clip(p, eps, 1 - eps)
    expected = -sk_base.xlogy(y.astype(bool), pc).sum(axis=1)
    np.testing.assert_array_equal(clipped, expected)
    for loss in (exact, get_loss("log_loss")):
        grad = loss.gradient(y, z, p, np.empty_like(z))
        assert np.isfinite(grad).all()
        np.testing.assert_allclose(grad[1], [1.0, -1.0, 0.0], atol=1e-300)


def _sklearn_log_loss(loss, y, p, sample_weight=None):
    """scikit-learn's MLP loss function for a loss object's targets."""
    name = "binary_log_loss" if loss.name == "binary_log_loss" else "log_loss"
    return sk_base.LOSS_FUNCTIONS[name](y, p, sample_weight)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "name, k", [("binary_log_loss", 1), ("binary_log_loss", 4), ("log_loss", 4)]
)
def test_clipped_value_is_sklearns_on_saturated_outputs(name, k, dtype):
    """Logits of a model fitted to unscaled data: most probabilities are 0 or 1
    within eps, many on the wrong side. The mean cost is scikit-learn's value
    (to the rounding of the sum), weighted or not; the exact cost is far off."""
    rng = np.random.default_rng(3)
    z = rng.normal(scale=80.0, size=(300, k)).astype(dtype)
    if name == "log_loss":
        y = _one_hot(rng.integers(0, k, 300), k).astype(dtype)
    else:
        y = rng.integers(0, 2, size=(300, k)).astype(dtype)
    loss = get_loss(name)
    p = loss.link(z, np.empty_like(z))
    w = rng.uniform(0.1, 3.0, 300).astype(dtype)
    per_sample = loss.per_sample(y, z, p)
    assert per_sample.dtype == np.float64  # as scikit-learn's, from float32 too
    rtol = 1e-13
    for weights in (None, w):
        np.testing.assert_allclose(
            np.average(per_sample.astype(np.float64), weights=weights),
            _sklearn_log_loss(loss, y.astype(bool), p, weights), rtol=rtol,
        )  # fmt: skip
    exact = get_loss(name, clip=False).per_sample(y, z, p).mean()
    assert exact > 2 * per_sample.mean()


def test_exact_cost_and_clip_option():
    for name in ("binary_log_loss", "log_loss"):
        loss = get_loss(name)
        assert loss.clip and loss.exact_cost() == get_loss(name, clip=False)
        assert loss.exact_cost() != loss and loss == get_loss(name, clip=True)
        exact = loss.exact_cost()
        assert exact.exact_cost() is exact
    other = get_loss("squared_error")
    assert other.exact_cost() is other


def test_squared_error_with_links_is_finite_at_extreme_logits():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    for link in ("logistic", "softmax"):
        loss = get_loss("squared_error", out_activation=link)
        p = loss.link(z, np.empty_like(z))
        np.testing.assert_allclose(loss.per_sample(y, z, p), [0.0, 1.0])
        grad = loss.gradient(y, z, p, np.empty_like(z))
        # Saturated units: the quadratic cost's gradient vanishes.
        np.testing.assert_array_equal(grad, 0.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_binary_log_loss_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2, size=(30, 1))
    y = rng.integers(0, 2, size=(30, 1)).astype(float)
    loss = get_loss("binary_log_loss")
    p = loss.link(z, np.empty_like(z))
    mean = loss.per_sample(y, z, p).mean()
    np.testing.assert_allclose(mean, sk_log_loss(y.ravel(), p.ravel()), rtol=1e-12)
    # Multilabel: summed over outputs, like scikit-learn's MLP cost.
    z = rng.normal(scale=2, size=(30, 4))
    y = rng.integers(0, 2, size=(30, 4)).astype(float)
    p = loss.link(z, np.empty_like(z))
    mean = loss.per_sample(y, z, p).mean()
    np.testing.assert_allclose(mean, sk_base.binary_log_loss(y, p), rtol=1e-12)


def test_log_loss_equals_sklearn():
    rng = np.random.default_rng(2)
    z = rng.normal(scale=2, size=(40, 4))
    labels = rng.integers(0, 4, 40)
    loss = get_loss("log_loss")
    p = loss.link(z, np.empty_like(z))
    per_sample = loss.per_sample(_one_hot(labels, 4), z, p)
    expected = sk_log_loss(labels, p, labels=[0, 1, 2, 3])
    np.testing.assert_allclose(per_sample.mean(), expected, rtol=1e-12)
    w = rng.uniform(0.5, 2, 40)
    np.testing.assert_allclose(
        np.average(per_sample, weights=w),
        sk_log_loss(labels, p, sample_weight=w, labels=[0, 1, 2, 3]),
        rtol=1e-12,
    )


def test_poisson_equals_sklearn_half_deviance():
    rng = np.random.default_rng(3)
    z = rng.normal(scale=0.7, size=(50, 2))
    y = rng.poisson(1.5, size=(50, 2)).astype(float)
    assert (y == 0).any()
    loss = get_loss("poisson")
    p = loss.link(z, np.empty_like(z))
    per_sample = loss.per_sample(y, z, p)
    np.testing.assert_allclose(
        per_sample.mean(), sk_base.poisson_loss(y, p), rtol=1e-12
    )
    # And by hand: y log(y / p) - y + p with 0 log 0 = 0.
    y_log = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / p), 0.0)
    np.testing.assert_allclose(per_sample, (y_log - y + p).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(loss.per_sample(p, z, p), 0.0, atol=1e-12)


def test_squared_error_value():
    loss = get_loss("squared_error")
    z = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.0, 0.0], [0.5, 1.0]])
    np.testing.assert_allclose(loss.per_sample(y, z, z), [2.5, 0.5 * (0.25 + 4.0)])


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_huber_value(delta):
    r = np.array([[-3.0, -0.4, 0.0, 0.3, 1.2, 4.0]])
    expected = np.where(
        np.abs(r) <= delta, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta)
    ).sum()
    loss = get_loss("huber", delta=delta)
    y = np.zeros_like(r)
    np.testing.assert_allclose(loss.per_sample(y, r, r), [expected], rtol=1e-15)
    grad = loss.gradient(y, r, r, np.empty_like(r))
    np.testing.assert_allclose(grad, np.clip(r, -delta, delta))


def test_huber_by_hand():
    loss = get_loss("huber", delta=1.0)
    p = np.array([[0.5, 3.0]])
    y = np.zeros_like(p)
    # 0.5 * 0.5**2 + 1.0 * (3 - 0.5)
    np.testing.assert_allclose(loss.per_sample(y, p, p), [0.125 + 2.5])


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_quantile_value(q):
    y = np.array([[1.0, 1.0, 1.0, -2.0]])
    p = np.array([[0.0, 3.0, 1.0, 2.0]])
    r = y - p  # [1, -2, 0, -4]
    expected = q * 1.0 + (1 - q) * 2.0 + 0.0 + (1 - q) * 4.0
    loss = get_loss("quantile", quantile=q)
    np.testing.assert_allclose(loss.per_sample(y, p, p), [expected], rtol=1e-15)
    np.testing.assert_allclose(
        loss.per_sample(y, p, p), np.maximum(q * r, (q - 1) * r).sum(axis=1)
    )
    grad = loss.gradient(y, p, p, np.empty_like(p))
    np.testing.assert_allclose(grad[0, [0, 1, 3]], [-q, 1 - q, 1 - q])


def test_absolute_error_value_and_gradient():
    loss = get_loss("absolute_error")
    y = np.array([[1.0, -1.0, 2.0]])
    p = np.array([[0.5, 1.0, 2.0]])
    np.testing.assert_allclose(loss.per_sample(y, p, p), [2.5])
    grad = loss.gradient(y, p, p, np.empty_like(p))
    np.testing.assert_array_equal(grad, [[-1.0, 1.0, 0.0]])


def test_quantile_half_is_half_absolute_error():
    z, y = _problem("absolute_error", {})
    half = get_loss("quantile", quantile=0.5).per_sample(y, z, z)
    np.testing.assert_allclose(
        half, 0.5 * get_loss("absolute_error").per_sample(y, z, z)
    )


def test_log_loss_on_binary_equals_binary_log_loss():
    # Softmax over (0, z) is the sigmoid of z: the two classification costs agree.
    rng = np.random.default_rng(4)
    z1 = rng.normal(size=(9, 1))
    y1 = rng.integers(0, 2, size=(9, 1)).astype(float)
    z2 = np.hstack([np.zeros_like(z1), z1])
    y2 = np.hstack([1 - y1, y1])
    bll = get_loss("binary_log_loss")
    ll = get_loss("log_loss")
    p1 = bll.link(z1, np.empty_like(z1))
    p2 = ll.link(z2, np.empty_like(z2))
    np.testing.assert_allclose(p2[:, 1:], expit(z1), rtol=1e-14)
    np.testing.assert_allclose(
        ll.per_sample(y2, z2, p2), bll.per_sample(y1, z1, p1), rtol=1e-13
    )


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_float32_is_preserved(name, params):
    loss = get_loss(name, **params)
    z, y = _problem(name, params)
    z32, y32 = z.astype(np.float32), y.astype(np.float32)
    p32 = loss.link(z32, np.empty_like(z32))
    assert p32.dtype == np.float32
    grad = loss.gradient(y32, z32, p32, np.empty_like(z32))
    assert grad.dtype == np.float32
    p = loss.link(z, np.empty_like(z))
    np.testing.assert_allclose(
        grad, loss.gradient(y, z, p, np.empty_like(z)), atol=1e-5
    )
    values = loss.per_sample(y32, z32, p32)
    np.testing.assert_allclose(values, loss.per_sample(y, z, p), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n_outputs", [1, 2, 5])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_reported_scale_is_the_mean_over_outputs_only_for_squared_error(
    name, n_outputs
):
    # scikit-learn minimises the squared error summed over outputs but reports
    # it averaged over them; every other loss is reported as minimised.
    expected = 1.0 / n_outputs if name == "squared_error" else 1.0
    assert get_loss(name).reported_scale(n_outputs) == expected
