"""MLPRegressor: single- and multi-output regression with robust costs."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    assert_all_finite,
    check_array,
    column_or_1d,
    validate_data,
)

from ._base import BaseMLP
from ._docstrings import COMMON_PARAMETERS, EXTRA_PARAMETERS, FITTED_ATTRIBUTES
from ._montecarlo import mc_mean_std
from ._validation import cast_to
from .core.losses import get_loss


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor on a NumPy backpropagation core.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`
    (same constructor names, defaults and fitted attributes) with robust
    costs, many activations, initialisers, L1, dropout and float32 training
    with every solver. ``partial_fit`` exists for every solver but 'lbfgs'.

    Parameters
    ----------
    loss : {{'squared_error', 'poisson', 'absolute_error', 'huber', \
'quantile'}}, default='squared_error'
        'squared_error' is ``1/2 (p - y)**2``; 'poisson' the half Poisson
        deviance with an exp output (targets >= 0); 'absolute_error'
        ``|p - y|``; 'huber' quadratic within ``huber_delta`` and linear
        beyond; 'quantile' the pinball cost of ``quantile``. All are summed
        over outputs and averaged over (weighted) samples.
    {common}
    {extra}
    huber_delta : float, default=1.0
        Where the Huber cost turns from quadratic to linear.

    quantile : float, default=0.5
        The quantile estimated with ``loss='quantile'``, in (0, 1).

    Attributes
    ----------
    {fitted}

    See Also
    --------
    MLPClassifier : The classifier on the same core.

    Examples
    --------
    >>> import numpy as np
    >>> from sknn import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    >>> reg = MLPRegressor(hidden_layer_sizes=(32, 32), activation="tanh",
    ...                    solver="lbfgs", random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [
            StrOptions(
                {"squared_error", "poisson", "absolute_error", "huber", "quantile"}
            )
        ],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        progress_bar=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="sklearn",
        bias_init=None,
        l1=0.0,
        dropout=0.0,
        batch_norm=False,
        layer_norm=False,
        norm_position="before",
        batch_norm_momentum=0.1,
        weight_norm=False,
        input_noise=0.0,
        rho=0.9,
        weight_decay=0.01,
        clip_norm=None,
        clip_value=None,
        early_stopping_scoring=None,
        huber_delta=1.0,
        quantile=0.5,
    ):
        params = dict(locals())
        del params["self"], params["__class__"]
        super().__init__(**params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input trains a float32 model.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
default=None
            Validation data scored after every epoch (stochastic solvers):
            with ``early_stopping`` it replaces the ``validation_fraction``
            split; without, it only records ``validation_scores_`` and
            ``validation_loss_curve_``.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        validation = {
            "X_val": X_val, "y_val": y_val, "sample_weight_val": sample_weight_val
        }  # fmt: skip
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over ``X, y`` (every solver but 'lbfgs').

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_targets(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        # An object y is checked before its conversion to float, where None
        # becomes NaN: check again.
        assert_all_finite(y, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for "
                "Poisson regression (loss='poisson')."
            )
        Y = cast_to(y.reshape(len(y), -1), X.dtype, "y")
        return X, Y, y

    def _make_loss(self):
        params = {"huber": {"delta": self.huber_delta}}
        params["quantile"] = {"quantile": self.quantile}
        return get_loss(self.loss, **params.get(self.loss, {}))

    def _encode_targets(self, y):
        try:
            y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y_val")
        except ValueError as exc:  # not every message of check_array names y_val
            raise ValueError(f"Invalid y_val: {exc}") from exc
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y, y.reshape(len(y), -1)

    def _score_output(self, p, y, sample_weight):
        return r2_score(y, p.reshape(y.shape), sample_weight=sample_weight)

    def predict(self, X, return_std=False, mc_samples=100):
        """Predict target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        return_std : bool, default=False
            Also return the standard deviation of Monte-Carlo dropout
            predictions (needs ``dropout > 0``): the mean and spread of
            ``mc_samples`` forward passes with dropout left on, seeded by
            ``random_state``.
        mc_samples : int, default=100
            Number of Monte-Carlo passes when ``return_std=True``, at most
            1,000,000 (memory does not grow with it; time does).

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values (the Monte-Carlo mean with ``return_std``).
        std : ndarray of the same shape
            Only with ``return_std=True``.

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import MLPRegressor
        >>> X = np.linspace(-1, 1, 200)[:, None]
        >>> reg = MLPRegressor(hidden_layer_sizes=(64,), dropout=0.1,
        ...                    max_iter=300, random_state=0).fit(X, X.ravel() ** 2)
        >>> mean, std = reg.predict(X[:3], return_std=True)
        >>> mean.shape, bool((std > 0).all())
        ((3,), True)
        """
        if not return_std:
            p = self._forward(X)
            return p.ravel() if p.shape[1] == 1 else p
        # Running statistics: memory does not grow with mc_samples.
        mean, std = mc_mean_std(self, X, mc_samples)
        if mean.shape[1] == 1:
            return mean.ravel(), std.ravel()
        return mean, std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


MLPRegressor.__doc__ = MLPRegressor.__doc__.format(
    common=COMMON_PARAMETERS.strip("\n").lstrip(),
    extra=EXTRA_PARAMETERS.strip("\n").lstrip(),
    fitted=FITTED_ATTRIBUTES.strip("\n").lstrip(),
)
