"""The parameter layout on its own: flat buffers, views, values, copies."""

import copy
import pickle

import numpy as np
import pytest

from sknn.core.layout import BUFFERS, VIEWS, ParameterLayout
from sknn.core.penalties import penalty_value

SIZES = [4, 5, 6, 3]


def _layout(dtype=np.float64, seed=0, **options):
    """Every kind of extra: batch and layer norm, PReLU slopes, weight norm."""
    options = {
        "normalization": ["batch", "layer"],
        "weight_norm": [True, False, True],
        **options,
    }
    layout = ParameterLayout(SIZES, ["prelu", "tanh"], dtype, **options)
    layout.initialize(np.random.default_rng(seed), bias_init=0.1)
    rng = np.random.default_rng(seed + 1)
    layout.extras[...] += rng.uniform(-0.3, 0.3, layout.extras.size)
    layout.stats[...] = rng.uniform(0.5, 1.5, layout.stats.size)
    return layout


def _check_views(layout):
    """Every view aliases its own buffer, in the documented order."""
    for name in VIEWS:
        buffer = layout.stats if name == "running_stats" else layout.params
        buffer = layout.grads if name.startswith("grad_") else buffer
        for view in getattr(layout, name):
            for part in view if isinstance(view, tuple) else (view,):
                assert part is None or part.base is buffer, name
    pos = 0
    parts = [*layout.coefs, *layout.intercepts]
    parts += [x for pair in layout.norm_params if pair is not None for x in pair]
    parts += [v for v in layout.act_params + layout.wn_scales if v is not None]
    for part in parts:  # contiguous, in order, covering the buffer
        assert np.shares_memory(part, layout.params[pos : pos + part.size])
        pos += part.size
    assert pos == layout.params.size


def test_buffers_are_flat_contiguous_and_views_alias_them():
    layout = _layout()
    n_weights = 4 * 5 + 5 * 6 + 6 * 3
    assert (layout.n_weights, layout.n_biases) == (n_weights, 5 + 6 + 3)
    # gamma/beta of both hidden layers, PReLU's 5 slopes, g of layers 0 and 2
    assert layout.n_extras == 2 * 5 + 2 * 6 + 5 + 5 + 3
    assert layout.params.shape == layout.grads.shape
    assert layout.params.size == n_weights + 14 + layout.n_extras
    assert all(getattr(layout, b).flags.c_contiguous for b in BUFFERS)
    assert [c.shape for c in layout.coefs] == [(4, 5), (5, 6), (6, 3)]
    assert layout.act_params[1] is None and layout.wn_scales[1] is None
    assert layout.stats.size == 2 * 5 and layout.running_stats[1] is None
    _check_views(layout)
    assert layout.weights.base is layout.params and layout.weights.size == n_weights
    assert layout.extras.size == layout.n_extras


def test_writing_through_a_view_writes_the_buffer():
    layout = _layout()
    layout.coefs[1][2, 3] = 42.0
    assert layout.params[4 * 5 + 2 * 6 + 3] == 42.0
    layout.grad_norm_params[1][1][:] = 7.0  # beta of layer 1
    start = layout.n_weights + layout.n_biases + 2 * 5 + 6
    np.testing.assert_array_equal(layout.grads[start : start + 6], 7.0)
    layout.running_stats[0][1][:] = 3.0  # batch norm's running variance
    np.testing.assert_array_equal(layout.stats[5:], 3.0)


def test_a_plain_layout_has_no_extras_and_no_stats():
    layout = ParameterLayout([3, 4, 2], ["relu"], np.float32)
    assert layout.n_extras == 0 and layout.stats.size == 0
    assert layout.norm_params == [None] and layout.act_params == [None]
    assert layout.wn_scales == [None, None] and layout.running_stats == [None]
    assert layout.params.dtype == np.float32


def test_initial_extras():
    layout = ParameterLayout(SIZES, ["prelu", "tanh"], np.float64, ["batch", None])
    layout.initialize(np.random.default_rng(0))
    gamma, beta = layout.norm_params[0]
    np.testing.assert_array_equal(gamma, 1.0)
    np.testing.assert_array_equal(beta, 0.0)
    np.testing.assert_array_equal(layout.act_params[0], 0.25)  # PReLU's slope
    mean, var = layout.running_stats[0]
    np.testing.assert_array_equal(mean, 0.0)
    np.testing.assert_array_equal(var, 1.0)
    wn = ParameterLayout(SIZES, ["tanh", "tanh"], np.float64, weight_norm=True)
    wn.initialize(np.random.default_rng(0))
    for v, g in zip(wn.coefs, wn.wn_scales, strict=True):
        np.testing.assert_allclose(g, np.linalg.norm(v, axis=0), rtol=1e-15)
    for v, w in zip(wn.coefs, wn.effective_coefs(), strict=True):
        np.testing.assert_allclose(w, v, rtol=1e-14)  # g = ||v||: W = v


def test_initialize_is_deterministic_and_fills_biases():
    a, b = _layout(seed=3), _layout(seed=3)
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(np.concatenate(a.intercepts), 0.1)
    assert not np.array_equal(a.params, _layout(seed=4).params)


def test_effective_coefs_are_the_coefs_unless_weight_normalised():
    layout = _layout()
    effective = layout.effective_coefs()
    assert effective[1] is layout.coefs[1]
    for i in (0, 2):
        v, g = layout.coefs[i], layout.wn_scales[i]
        np.testing.assert_allclose(effective[i], g * v / np.linalg.norm(v, axis=0))
        assert not np.shares_memory(effective[i], layout.params)


@pytest.mark.parametrize("alpha, l1", [(0.0, 0.0), (0.3, 0.0), (0.3, 0.1)])
def test_add_penalty_changes_only_the_weights_gradient(alpha, l1):
    layout = _layout()
    layout.grads[...] = 1.0
    value = layout.add_penalty(alpha, l1, 10)
    assert value == pytest.approx(penalty_value(layout.weights, alpha, l1, 10))
    w = layout.weights
    expected = 1.0 + alpha / 10 * w + l1 / 10 * np.sign(w)
    np.testing.assert_allclose(layout.grads[: layout.n_weights], expected)
    np.testing.assert_array_equal(layout.grads[layout.n_weights :], 1.0)


def test_scratch_is_made_once_and_never_pickled():
    layout = _layout()
    scratch = layout.scratch()
    assert scratch.shape == layout.params.shape and layout.scratch() is scratch
    assert "_scratch" not in layout.__getstate__()
    assert pickle.loads(pickle.dumps(layout)).__dict__.get("_scratch") is None


# -- copies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "clone", [lambda x: pickle.loads(pickle.dumps(x)), copy.deepcopy]
)
def test_copies_have_their_own_buffers_and_views(clone):
    layout = _layout()
    layout.grads[...] = 2.0
    new = clone(layout)
    assert type(new) is ParameterLayout
    _check_views(new)
    for name in BUFFERS:
        assert not np.shares_memory(getattr(new, name), getattr(layout, name))
        if name != "grads":
            np.testing.assert_array_equal(getattr(new, name), getattr(layout, name))
    # The gradient is scratch: not carried, the copy's starts at zero.
    assert layout.__getstate__()["grads"] is None and not new.grads.any()
    new.coefs[0][0, 0] = 42.0
    assert new.params[0] == 42.0 and layout.params[0] != 42.0


def test_pickled_state_is_the_buffers_and_the_configuration():
    state = _layout().__getstate__()
    assert not set(VIEWS) & set(state)
    assert set(BUFFERS) <= set(state)
    assert {"layer_sizes", "activations", "dtype", "normalization"} <= set(state)


def test_astype_casts_the_buffers_and_remakes_the_views():
    layout = _layout(dtype=np.float32)
    up = layout.astype(np.float64)
    assert up.dtype == np.float64 and layout.dtype == np.float32
    for name in BUFFERS:
        assert getattr(up, name).dtype == np.float64
        np.testing.assert_array_equal(getattr(up, name), getattr(layout, name))
    _check_views(up)
    down = up.astype("float32")
    for name in BUFFERS:  # float32 -> float64 -> float32 is exact
        np.testing.assert_array_equal(getattr(down, name), getattr(layout, name))
    assert up.activations[0] is not layout.activations[0]  # a deep copy


def test_load_state_copies_params_and_stats_between_equal_layouts():
    source, target = _layout(seed=0), _layout(seed=5)
    target.grads[...] = 3.0
    assert target.load_state(source) is target
    np.testing.assert_array_equal(target.params, source.params)
    np.testing.assert_array_equal(target.stats, source.stats)
    np.testing.assert_array_equal(target.grads, 3.0)  # gradients are not state
    assert not np.shares_memory(target.params, source.params)
    _check_views(target)


@pytest.mark.parametrize(
    "options",
    [
        {"normalization": ["layer", "batch"]},
        {"normalization": ["batch", None]},
        {"weight_norm": False},
    ],
)
def test_load_state_refuses_another_layout(options):
    with pytest.raises(ValueError, match="same architecture"):
        _layout(**options).load_state(_layout())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"activations": ["relu"]}, "one activation per hidden layer"),
        ({"normalization": ["batch"]}, "one normalization per hidden layer"),
        ({"weight_norm": [True, True]}, "one weight_norm flag"),
        ({"normalization": ["group", None]}, "Unknown normalization"),
    ],
)
def test_bad_layouts_raise(kwargs, match):
    kwargs = {"activations": ["relu", "relu"], **kwargs}
    with pytest.raises(ValueError, match=match):
        ParameterLayout(SIZES, dtype=np.float64, **kwargs)
