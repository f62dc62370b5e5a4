"""Weight initialisers: shapes, dtypes, scales, "auto", determinism."""

import numpy as np
import pytest

from sknn.core.activations import ACTIVATIONS, get_activation
from sknn.core.initializers import INITIALIZERS, SklearnUniform, get_initializer
from sknn.core.losses import get_loss
from sknn.core.network import Network

FAN_IN, FAN_OUT = 500, 400

# name -> ("normal", std) or ("uniform", limit) for a FAN_IN x FAN_OUT matrix.
EXPECTED = {
    "normal": ("normal", 1.0),
    "small_normal": ("normal", 0.01),
    "normal_sqrt_fan_in": ("normal", 1 / np.sqrt(FAN_IN)),
    "glorot_normal": ("normal", np.sqrt(2 / (FAN_IN + FAN_OUT))),
    "he_normal": ("normal", np.sqrt(2 / FAN_IN)),
    "lecun_normal": ("normal", np.sqrt(1 / FAN_IN)),
    "uniform_fan_in": ("uniform", 1 / np.sqrt(FAN_IN)),
    "glorot_uniform": ("uniform", np.sqrt(6 / (FAN_IN + FAN_OUT))),
    "he_uniform": ("uniform", np.sqrt(6 / FAN_IN)),
    "sklearn": ("uniform", np.sqrt(6 / (FAN_IN + FAN_OUT))),
}


def _draw(name, seed=0, shape=(FAN_IN, FAN_OUT), rng_type=np.random.default_rng):
    fill = get_initializer(name)
    return fill(shape, shape[0], shape[1], rng_type(seed))


# Other names of the same function: tested through the name they alias.
ALIASES = {"xavier_normal": "glorot_normal", "xavier_uniform": "glorot_uniform"}


def test_every_registered_name_is_covered():
    assert set(INITIALIZERS) == set(EXPECTED) | set(ALIASES) | {"zeros"}
    for alias, name in ALIASES.items():
        assert INITIALIZERS[alias] is INITIALIZERS[name]


@pytest.mark.parametrize("rng_type", [np.random.default_rng, np.random.RandomState])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shape_dtype_and_scale(name, rng_type):
    w = _draw(name, rng_type=rng_type)
    assert w.shape == (FAN_IN, FAN_OUT)
    assert w.dtype == np.float64  # always float64: the caller casts
    kind, scale = EXPECTED[name]
    std = float(w.std())
    mean = float(w.mean())
    if kind == "normal":
        assert std == pytest.approx(scale, rel=0.05)
    else:
        assert float(np.abs(w).max()) <= scale
        assert float(np.abs(w).max()) >= 0.999 * scale  # the whole interval is used
        assert std == pytest.approx(scale / np.sqrt(3), rel=0.05)
    assert abs(mean) < 0.02 * scale


def test_zeros():
    w = _draw("zeros", shape=(3, 4))
    assert w.shape == (3, 4) and w.dtype == np.float64
    assert not w.any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name", ["he_normal", "glorot_uniform", "normal", "sklearn", "zeros"]
)
def test_network_casts_the_float64_draws_to_its_dtype(name, dtype):
    net = Network([20, 10, 3], ["relu"], get_loss("squared_error"), dtype)
    net.initialize(np.random.RandomState(0), init=name)
    assert all(w.dtype == dtype for w in net.coefs + net.intercepts)
    # The same draws as the initialiser's own float64 arrays, cast: one seed
    # gives the same initial model in float32 and float64.
    rng = np.random.RandomState(0)
    fill = get_initializer(name)
    w0 = fill((20, 10), 20, 10, rng)
    np.testing.assert_array_equal(net.coefs[0], w0.astype(dtype))


def test_network_draws_weights_then_biases_layer_by_layer_like_sklearn():
    net = Network([5, 4, 3], ["relu"], get_loss("squared_error"), np.float64)
    net.initialize(np.random.RandomState(7), init="sklearn")
    rng = np.random.RandomState(7)
    for fan_in, fan_out, w, b in zip((5, 4), (4, 3), net.coefs, net.intercepts):
        bound = np.sqrt(6 / (fan_in + fan_out))
        np.testing.assert_array_equal(w, rng.uniform(-bound, bound, (fan_in, fan_out)))
        np.testing.assert_array_equal(b, rng.uniform(-bound, bound, fan_out))


def test_bias_init_none_is_zeros_for_an_initializer_that_does_not_draw_biases():
    net = Network([5, 4, 3], ["relu"], get_loss("squared_error"), np.float64)
    net.initialize(np.random.RandomState(7), init="glorot_uniform")
    assert not any(b.any() for b in net.intercepts)
    net.initialize(np.random.RandomState(7), init="sklearn", bias_init=0.5)
    assert all((b == 0.5).all() for b in net.intercepts)


def test_sklearn_uniform_bound_and_a_smaller_factor_narrows_it():
    fill = INITIALIZERS["sklearn"]
    assert isinstance(fill, SklearnUniform) and fill.factor == 6.0
    assert fill.draws_bias is True
    shape = (30, 7)
    w = _draw("sklearn", shape=shape)
    bound6 = np.sqrt(6 / (30 + 7))
    assert np.abs(w).max() <= bound6
    assert np.abs(w).max() >= 0.95 * bound6
    narrow = SklearnUniform(factor=2.0)(shape, 30, 7, np.random.default_rng(0))
    bound2 = np.sqrt(2 / (30 + 7))
    assert np.abs(narrow).max() <= bound2 < bound6
    assert np.abs(narrow).max() >= 0.95 * bound2
    # scikit-learn's own draw: rng.uniform(-bound, bound, shape) on its RandomState.
    np.testing.assert_array_equal(
        fill(shape, 30, 7, np.random.RandomState(1)),
        np.random.RandomState(1).uniform(-bound6, bound6, shape),
    )


def test_get_initializer_returns_a_callable_unchanged():
    fill = SklearnUniform(factor=2.0)
    assert get_initializer(fill) is fill
    assert get_initializer(fill, get_activation("relu")) is fill


def test_glorot_uniform_limit_on_a_non_square_layer():
    w = _draw("glorot_uniform", shape=(30, 7))
    assert np.abs(w).max() <= np.sqrt(6 / (30 + 7))


@pytest.mark.parametrize("rng_type", [np.random.default_rng, np.random.RandomState])
@pytest.mark.parametrize("name", sorted(set(INITIALIZERS) - set(ALIASES)))
def test_same_seed_same_array_other_seed_other_array(name, rng_type):
    a = _draw(name, seed=3, shape=(8, 6), rng_type=rng_type)
    b = _draw(name, seed=3, shape=(8, 6), rng_type=rng_type)
    np.testing.assert_array_equal(a, b)
    if name != "zeros":
        assert not np.array_equal(
            a, _draw(name, seed=4, shape=(8, 6), rng_type=rng_type)
        )


@pytest.mark.parametrize(
    ("activation", "expected"),
    [
        ("relu", "he_uniform"),
        ("leaky_relu", "he_uniform"),
        ("relu6", "he_uniform"),
        ("elu", "he_uniform"),
        ("gelu", "he_uniform"),
        ("tanh", "glorot_uniform"),
        ("logistic", "glorot_uniform"),
        ("identity", "glorot_uniform"),
        ("selu", "lecun_normal"),
    ],
)
def test_auto_resolves_per_activation(activation, expected):
    assert get_initializer("auto", get_activation(activation)) is INITIALIZERS[expected]


def test_auto_without_activation_is_glorot_uniform():
    assert get_initializer("auto") is INITIALIZERS["glorot_uniform"]
    assert get_initializer("auto", None) is INITIALIZERS["glorot_uniform"]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_declares_a_registered_initializer(name):
    assert ACTIVATIONS[name].default_init in INITIALIZERS


def test_explicit_name_wins_over_activation():
    relu = get_activation("relu")
    assert get_initializer("lecun_normal", relu) is INITIALIZERS["lecun_normal"]


@pytest.mark.parametrize("bad", ["he", "Glorot_Uniform", None, 3])
def test_unknown_name_raises_value_error(bad):
    with pytest.raises(ValueError, match="Unknown init"):
        get_initializer(bad)
    with pytest.raises(ValueError, match=repr(bad)):
        get_initializer(bad)
