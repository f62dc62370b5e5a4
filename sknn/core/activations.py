"""Hidden-layer activations: each a forward map and its derivative.

Every activation is a small object with

* ``forward(z, out)`` writing ``f(z)`` into ``out`` (``out`` may be ``z``
  itself when ``needs_z`` is false, so no extra buffer is kept), and
* ``backward(z, a, delta)`` multiplying ``delta`` in place by ``f'(z)``;
* ``biased_forward(z, b, out)``: ``forward(z + b, out)``, which an activation
  may override to add the bias in the same pass.

``needs_z`` says whether the derivative needs the pre-activation ``z``; when it
is false the derivative is written from the output ``a`` alone and ``z`` is
``None``. SiLU, Mish, GELU and PReLU need ``z``: their derivatives cannot be
written from ``a`` alone.

Activations with learned parameters (PReLU) say how many they have for a layer
of ``n`` units with ``n_params(n)`` (0 for the others) and fill their initial
values with ``init_params(theta)``. The network keeps ``theta`` in its flat
parameter buffer and calls ``forward(z, out, theta)`` and
``backward(z, a, delta, theta, grad)``, where ``backward`` also *writes*
``d cost / d theta`` into ``grad``. Called without ``theta`` they use the
initial values, so they also work as plain activations.

Add an activation by writing its class here and registering it in
``ACTIVATIONS``; nothing else needs to change, also for learned parameters.
"""

import numpy as np
from scipy.special import expit, ndtr

__all__ = ["ACTIVATIONS", "Activation", "get_activation"]

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


class Activation:
    """Base class: identity."""

    name = "identity"
    needs_z = False
    #: The initializer "auto" picks for this activation.
    default_init = "glorot_uniform"
    #: The inputs ``z`` at which the derivative jumps (ELU's: its second
    #: derivative), where a finite difference straddling them is not a
    #: derivative; the gradient checker skips entries whose step crosses one.
    kinks = ()

    def n_params(self, n_units):
        """Number of learned parameters for a layer of ``n_units`` units."""
        return 0

    def init_params(self, theta):
        """Write the initial learned parameters into the view ``theta``."""

    def forward(self, z, out):
        if out is not z:
            np.copyto(out, z)
        return out

    def biased_forward(self, z, b, out):
        """``forward(z + b, out)``, adding the bias ``b`` to ``z`` in place."""
        z += b
        return self.forward(z, out)

    def backward(self, z, a, delta):
        return delta

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Identity(Activation):
    """``f(z) = z``."""


class Logistic(Activation):
    """``f(z) = 1 / (1 + exp(-z))``, ``f' = a (1 - a)``."""

    name = "logistic"

    def forward(self, z, out):
        return expit(z, out=out)

    def backward(self, z, a, delta):
        delta *= a
        delta *= 1 - a
        return delta


class Tanh(Activation):
    """``f(z) = tanh(z)``, ``f' = 1 - a**2``."""

    name = "tanh"

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def backward(self, z, a, delta):
        delta *= 1 - a * a
        return delta


class ReLU(Activation):
    """``f(z) = max(z, 0)``, ``f' = [a > 0]``."""

    name = "relu"
    default_init = "he_uniform"
    kinks = (0.0,)

    def forward(self, z, out):
        return np.maximum(z, 0, out=out)

    def backward(self, z, a, delta):
        delta *= a > 0
        return delta


class LeakyReLU(Activation):
    """``f(z) = z`` for ``z > 0`` else ``slope * z`` (``slope`` > 0)."""

    name = "leaky_relu"
    default_init = "he_uniform"
    kinks = (0.0,)

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, z, out):
        # max(z, slope*z) equals the piecewise definition for 0 < slope < 1.
        return np.maximum(z, self.slope * z, out=out)

    def backward(self, z, a, delta):
        delta *= np.where(a > 0, 1.0, self.slope).astype(delta.dtype, copy=False)
        return delta

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class ELU(Activation):
    """``f(z) = z`` for ``z > 0`` else ``alpha (exp(z) - 1)``; ``f' = a + alpha``."""

    name = "elu"
    default_init = "he_uniform"
    scale = 1.0
    # The slope jumps from scale * alpha to scale (SELU: 1.76 to 1.05); at
    # alpha = 1 only the second derivative jumps, which still makes a
    # centred difference across 0 first-order accurate only.
    kinks = (0.0,)

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, z, out):
        neg = np.minimum(z, 0)
        np.expm1(neg, out=neg)
        neg *= self.scale * self.alpha
        np.maximum(z, 0, out=out)
        out *= self.scale
        out += neg
        return out

    def backward(self, z, a, delta):
        slope = np.where(a > 0, self.scale, a + self.scale * self.alpha)
        delta *= slope.astype(delta.dtype, copy=False)
        return delta


class SELU(ELU):
    """Self-normalising ELU (Klambauer et al. 2017): ``scale * elu(z, alpha)``."""

    name = "selu"
    default_init = "lecun_normal"
    scale = 1.0507009873554804934193349852946

    def __init__(self):
        self.alpha = 1.6732632423543772848170429916717

    def __repr__(self):
        return "SELU()"


class Softplus(Activation):
    """``f(z) = log(1 + exp(z))``; ``f' = sigmoid(z) = 1 - exp(-a)``."""

    name = "softplus"

    def forward(self, z, out):
        return np.logaddexp(z, 0, out=out)

    def backward(self, z, a, delta):
        delta *= -np.expm1(-a)
        return delta


class SiLU(Activation):
    """SiLU / swish: ``f(z) = z sigmoid(z)``; ``f' = s + a (1 - s)``."""

    name = "silu"
    needs_z = True
    default_init = "he_uniform"

    def forward(self, z, out):
        expit(z, out=out)
        out *= z
        return out

    def backward(self, z, a, delta):
        s = expit(z)
        delta *= s + a * (1 - s)
        return delta


class ReLU6(Activation):
    """``f(z) = min(max(z, 0), 6)``; ``f' = [0 < a < 6]``."""

    name = "relu6"
    default_init = "he_uniform"
    kinks = (0.0, 6.0)

    def forward(self, z, out):
        return np.clip(z, 0, 6, out=out)

    def backward(self, z, a, delta):
        delta *= (a > 0) & (a < 6)
        return delta


class Mish(Activation):
    """``f(z) = z tanh(softplus(z))`` (Misra 2019)."""

    name = "mish"
    needs_z = True
    default_init = "he_uniform"

    def forward(self, z, out):
        np.logaddexp(z, 0, out=out)
        np.tanh(out, out=out)
        out *= z
        return out

    def backward(self, z, a, delta):
        t = np.tanh(np.logaddexp(z, 0))
        # f' = tanh(sp) + z * sech^2(sp) * sigmoid(z)
        delta *= t + z * (1 - t * t) * expit(z)
        return delta


class GELU(Activation):
    """Exact GELU: ``f(z) = z Phi(z)``; ``f' = Phi(z) + z phi(z)``."""

    name = "gelu"
    needs_z = True
    default_init = "he_uniform"

    def forward(self, z, out):
        ndtr(z, out=out)
        out *= z
        return out

    def backward(self, z, a, delta):
        pdf = np.exp(-0.5 * z * z) / _SQRT_2PI
        delta *= ndtr(z) + z * pdf
        return delta


class PReLU(Activation):
    """Parametric ReLU (He et al. 2015): ``f(z) = z`` for ``z > 0`` else ``s z``.

    One learned slope ``s`` per unit, initialised to ``init`` (0.25, as in
    PyTorch). ``d f / d s = min(z, 0)``. Unlike ``leaky_relu`` the slope may
    leave (0, 1) during training, so the derivative is taken from ``z``.
    """

    name = "prelu"
    needs_z = True
    default_init = "he_uniform"
    kinks = (0.0,)

    def __init__(self, init=0.25):
        self.init = init

    def n_params(self, n_units):
        return n_units

    def init_params(self, theta):
        theta.fill(self.init)

    def forward(self, z, out, theta=None):
        slope = self.init if theta is None else theta
        np.multiply(z, slope, out=out)
        np.copyto(out, z, where=z > 0)
        return out

    def backward(self, z, a, delta, theta=None, grad=None):
        if grad is not None:
            np.einsum("ij,ij->j", delta, np.minimum(z, 0), out=grad)
        slope = self.init if theta is None else theta
        np.multiply(delta, slope, out=delta, where=z <= 0)
        return delta

    def __repr__(self):
        return f"PReLU(init={self.init})"


#: Every name ``activation`` accepts (aliases included), mapped to its
#: :class:`Activation` class.
ACTIVATIONS = {
    cls.name: cls
    for cls in (
        Identity,
        Logistic,
        Tanh,
        ReLU,
        LeakyReLU,
        ELU,
        SELU,
        Softplus,
        SiLU,
        ReLU6,
        Mish,
        GELU,
        PReLU,
    )
}
ACTIVATIONS["sigmoid"] = Logistic
ACTIVATIONS["swish"] = SiLU


def get_activation(activation):
    """Return an activation object from a registered name or an instance."""
    if isinstance(activation, Activation):
        return activation
    try:
        return ACTIVATIONS[activation]()
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown activation {activation!r}; expected one of "
            f"{sorted(ACTIVATIONS)} or an Activation instance."
        ) from None
