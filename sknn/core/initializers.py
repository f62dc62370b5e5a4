"""Weight initialisers: ``fill(shape, fan_in, fan_out, rng) -> float64 array``.

``rng`` is a :class:`numpy.random.RandomState` (what scikit-learn's
``check_random_state`` gives) or a :class:`numpy.random.Generator`: only
``uniform`` and ``standard_normal``, which both offer, are used. Draws are
always float64 and cast by the caller, as scikit-learn does, so one seed gives
the same initial model in float32 and float64.

``"sklearn"`` (the estimators' default) is scikit-learn's own scheme; an
initialiser whose ``draws_bias`` is true also draws the biases (right after
each layer's weights, in scikit-learn's order). ``"auto"`` resolves to the
initialiser an activation declares as its ``default_init`` (He for the ReLU
family, Glorot for sigmoid/tanh, LeCun normal for SELU).
"""

import numpy as np

__all__ = ["INITIALIZERS", "get_initializer"]


def zeros(shape, fan_in, fan_out, rng):
    """All zeros: every unit of a layer stays identical (the symmetry problem)."""
    return np.zeros(shape)


def normal(shape, fan_in, fan_out, rng):
    """Standard normal N(0, 1)."""
    return rng.standard_normal(shape)


def small_normal(shape, fan_in, fan_out, rng):
    """N(0, 0.01**2)."""
    return _scaled_normal(shape, 0.01, rng)


def normal_sqrt_fan_in(shape, fan_in, fan_out, rng):
    """N(0, 1) / sqrt(fan_in): the course notes' ``randn(y, x) / sqrt(x)``."""
    return _scaled_normal(shape, 1 / np.sqrt(fan_in), rng)


def uniform_fan_in(shape, fan_in, fan_out, rng):
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    return _uniform(shape, 1 / np.sqrt(fan_in), rng)


def glorot_normal(shape, fan_in, fan_out, rng):
    """Xavier/Glorot normal: std = sqrt(2 / (fan_in + fan_out))."""
    return _scaled_normal(shape, np.sqrt(2 / (fan_in + fan_out)), rng)


def glorot_uniform(shape, fan_in, fan_out, rng):
    """Xavier/Glorot uniform: limit = sqrt(6 / (fan_in + fan_out))."""
    return _uniform(shape, np.sqrt(6 / (fan_in + fan_out)), rng)


def he_normal(shape, fan_in, fan_out, rng):
    """He/Kaiming normal: std = sqrt(2 / fan_in)."""
    return _scaled_normal(shape, np.sqrt(2 / fan_in), rng)


def he_uniform(shape, fan_in, fan_out, rng):
    """He/Kaiming uniform: limit = sqrt(6 / fan_in)."""
    return _uniform(shape, np.sqrt(6 / fan_in), rng)


def lecun_normal(shape, fan_in, fan_out, rng):
    """LeCun normal: std = sqrt(1 / fan_in) (for SELU)."""
    return _scaled_normal(shape, np.sqrt(1 / fan_in), rng)


def _scaled_normal(shape, std, rng):
    w = rng.standard_normal(shape)
    w *= std
    return w


def _uniform(shape, limit, rng):
    return rng.uniform(-limit, limit, shape)


class SklearnUniform:
    """scikit-learn's MLP initialisation: weights and then biases of each layer
    from U(-b, b), ``b = sqrt(factor / (fan_in + fan_out))``.

    ``factor`` is 6 (Glorot uniform), or 2 when the hidden activation is
    logistic (scikit-learn's choice, for every layer including the output).
    """

    draws_bias = True

    def __init__(self, factor=6.0):
        self.factor = factor

    def __call__(self, shape, fan_in, fan_out, rng):
        """Draw an array of ``shape`` from U(-b, b) with ``rng`` (a
        ``RandomState``), ``b = sqrt(factor / (fan_in + fan_out))``."""
        bound = np.sqrt(self.factor / (fan_in + fan_out))
        return rng.uniform(-bound, bound, shape)

    def __repr__(self):
        return f"SklearnUniform(factor={self.factor})"


#: Every name ``init`` accepts, mapped to its initialiser, a callable
#: ``(shape, fan_in, fan_out, rng) -> ndarray`` ('auto' is resolved per
#: activation by :func:`get_initializer`).
INITIALIZERS = {
    f.__name__: f
    for f in (
        zeros,
        normal,
        small_normal,
        normal_sqrt_fan_in,
        uniform_fan_in,
        glorot_normal,
        glorot_uniform,
        he_normal,
        he_uniform,
        lecun_normal,
    )
}
INITIALIZERS["sklearn"] = SklearnUniform()
INITIALIZERS["xavier_normal"] = glorot_normal
INITIALIZERS["xavier_uniform"] = glorot_uniform


def get_initializer(name, activation=None):
    """Return an initialiser by name (a callable is returned as it is);
    ``"auto"`` asks the activation."""
    if callable(name):
        return name
    if name == "auto":
        name = activation.default_init if activation is not None else "glorot_uniform"
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown init {name!r}; expected 'auto' or one of {sorted(INITIALIZERS)}."
        ) from None
