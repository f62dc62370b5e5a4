"""What a fitted estimator offers: predictions, weight views and pickling.

Pickles carry the sknn version; loading one made by another version warns
with :class:`InconsistentSknnVersionWarning`, as scikit-learn does for its
own estimators.
"""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _version
from ._plainstate import from_plain, to_plain
from ._validation import cast_to

__all__ = ["FittedMixin", "InconsistentSknnVersionWarning"]


class InconsistentSknnVersionWarning(UserWarning):
    """An estimator is unpickled with another sknn version than it was pickled
    with (scikit-learn's ``InconsistentVersionWarning``, for sknn)."""

    def __init__(self, *, estimator_name, current_sknn_version, original_sknn_version):
        super().__init__(estimator_name, current_sknn_version, original_sknn_version)
        self.estimator_name = estimator_name
        self.current_sknn_version = current_sknn_version
        self.original_sknn_version = original_sknn_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from sknn version "
            f"{self.original_sknn_version} when using sknn version "
            f"{self.current_sknn_version}. This might lead to breaking code or "
            "invalid results. Use at your own risk; refitting is safest."
        )


def _assign(views, value, name):
    """Copy arrays into the network's parameter views, after checking all of
    them (count, shapes, finiteness), so a bad assignment changes nothing."""
    value = list(value)
    if len(value) != len(views):
        raise ValueError(
            f"{name} needs {len(views)} arrays, one per layer; got {len(value)}."
        )
    arrays = []
    for i, (dst, src) in enumerate(zip(views, value)):
        src = np.asarray(src)
        if src.shape != dst.shape:
            raise ValueError(
                f"{name}[{i}] has shape {src.shape}; this layer needs {dst.shape}."
            )
        if not np.isfinite(src).all():
            raise ValueError(f"{name}[{i}] contains NaN or infinity.")
        arrays.append(src)
    if not all(dst.flags.writeable for dst in views):
        raise ValueError(
            f"Cannot assign {name}: this model's arrays are read-only (memory "
            "maps, as joblib.load(path, mmap_mode='r') gives). Assign on a copy "
            "in memory (model = copy.deepcopy(model)) or load without mmap_mode."
        )
    for dst, src in zip(views, arrays):
        dst[...] = src


class FittedMixin:
    """Prediction plumbing, weight views and version-aware pickling."""

    def _network_for(self, X):
        """The fitted network and validated ``X`` in scikit-learn's dtype: its
        products ``X @ coefs_`` promote, so outputs are float32 only when both
        ``X`` and the model are; float64 ``X`` given to a float32 model is
        computed (and returned) in float64, by a float64 copy of the network
        (its parameters upcast exactly)."""
        check_is_fitted(self)
        net = self._network
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
            reset=False,
        )  # fmt: skip
        if X.dtype.itemsize > net.dtype.itemsize:
            return net.astype(X.dtype), X
        return net, cast_to(X, net.dtype, "X")

    def _forward(self, X):
        """Validated ``X`` through the fitted network: the output activations."""
        net, X = self._network_for(X)
        return net.predict(X)

    def _mc_dropout(self, X, mc_samples):
        """``mc_samples`` predictions with dropout on: shape (k, n, n_outputs)
        (the passes the estimators fold into running statistics, stacked)."""
        from ._montecarlo import mc_passes

        return np.stack(list(mc_passes(self, X, mc_samples)))

    @property
    def coefs_(self):
        """Weight matrices, one ``(fan_in, fan_out)`` view per layer."""
        return self._network.coefs

    @coefs_.setter
    def coefs_(self, value):
        _assign(self._network.coefs, value, "coefs_")

    @property
    def effective_coefs_(self):
        """Weight matrices as used: ``g v / ||v||`` with ``weight_norm``, else
        ``coefs_``."""
        return self._network.effective_coefs()

    @property
    def intercepts_(self):
        """Bias vectors, one view per layer."""
        return self._network.intercepts

    @intercepts_.setter
    def intercepts_(self, value):
        _assign(self._network.intercepts, value, "intercepts_")

    @property
    def layer_gradient_norms_(self):
        """Mean norm of each weight matrix's gradient per epoch, shape
        ``(n_epochs, n_layers_ - 1)`` (stochastic solvers only).

        Made from the training history when read, so that a ``partial_fit``
        call costs the same after a million calls as after one.
        """
        state = self.__dict__.get("_state")
        if state is None:  # not fitted, or fitted by L-BFGS
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute "
                "'layer_gradient_norms_' (stochastic solvers record it)"
            )
        return np.array(state.layer_gradient_norms)

    # -- pickling ----------------------------------------------------------------

    def __getstate__(self):
        __version__ = _version.__version__
        # scikit-learn records its own version only for its own estimators.
        # The fitted state is plain data (arrays, numbers, strings), so that a
        # skops file names no sknn type but the estimator's (sknn._plainstate).
        return dict(to_plain(super().__getstate__()), _sknn_version=__version__)

    def __setstate__(self, state):
        __version__ = _version.__version__
        state = dict(state)
        pickled = state.pop("_sknn_version", "unknown")
        if pickled != __version__:
            warnings.warn(
                InconsistentSknnVersionWarning(
                    estimator_name=type(self).__name__,
                    current_sknn_version=__version__,
                    original_sknn_version=pickled,
                ),
                stacklevel=2,
            )
        super().__setstate__(from_plain(state))
