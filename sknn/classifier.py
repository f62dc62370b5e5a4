"""MLPClassifier: target encoding, probabilities and class weights."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from ._base import BaseMLP
from ._docstrings import COMMON_PARAMETERS, EXTRA_PARAMETERS, FITTED_ATTRIBUTES
from ._labels import LabelTypeError, check_labels, encode_labels, is_missing
from ._montecarlo import mc_mean
from .core.losses import BinaryLogLoss, LogLoss, SquaredError


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier on a NumPy backpropagation core.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`
    (same constructor names, defaults and fitted attributes) that adds many
    activations, initialisers, L1, dropout, class weights, a quadratic-cost
    option and float32 training with every solver.

    Parameters
    ----------
    {common}
    loss : {{'log_loss', 'squared_error'}}, default='log_loss'
        'log_loss' is softmax + log-likelihood (multiclass) or sigmoid +
        cross-entropy (binary, multilabel): gradient ``p - y``.
        'squared_error' is the quadratic cost on the probabilities, which
        learns slowly when output units saturate.
    {extra}
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``; 'balanced'
        uses ``n_samples / (n_classes * np.bincount(y))``.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels (one array per output for multilabel).
    {fitted}

    See Also
    --------
    MLPRegressor : The regressor on the same core.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(
    ...     StandardScaler(),
    ...     MLPClassifier((16,), activation="gelu", solver="lbfgs", random_state=0),
    ... ).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)

    The training toolbox: batch normalisation, a per-batch one-cycle
    schedule, clipping, validation data and early stopping on the loss.

    >>> from sknn.core.lr_schedules import OneCycleLR
    >>> Xs = StandardScaler().fit_transform(X)
    >>> clf = MLPClassifier(
    ...     (32, 32), batch_norm=True, learning_rate=OneCycleLR(max_lr=0.05),
    ...     clip_norm=5.0, early_stopping=True, early_stopping_scoring="loss",
    ...     batch_size=16, max_iter=60, random_state=0,
    ... ).fit(Xs[::2], y[::2], X_val=Xs[1::2], y_val=y[1::2])
    >>> clf.score(Xs[1::2], y[1::2]) > 0.9
    True
    >>> len(clf.learning_rate_curve_) == len(clf.validation_loss_curve_)
    True
    """

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
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
        loss="log_loss",
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
        class_weight=None,
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
        """Fit the model to ``X`` and class labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 input trains a float32 model.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label-indicator matrix for multilabel.
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
        self : MLPClassifier
            The fitted estimator.
        """
        validation = {
            "X_val": X_val, "y_val": y_val, "sample_weight_val": sample_weight_val
        }  # fmt: skip
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Run one epoch over ``X, y`` (every solver but 'lbfgs').

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.
        classes : array-like of shape (n_classes,), default=None
            All classes across calls; required on the first call (except for
            multilabel indicator targets).

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _validate_targets(self, X, y, incremental, reset, classes=None):
        try:
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                dtype=(np.float64, np.float32),
                reset=reset,
            )
        except TypeError as exc:  # pandas' NA fails scikit-learn's NaN check
            labels = np.asarray(y, dtype=object).ravel()
            if not any(is_missing(label) for label in labels):
                raise
            raise LabelTypeError(
                f"{exc} (y contains missing labels: every sample needs a class "
                "label; missing labels are not supported.)"
            ) from exc
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_labels(y, "y")
        fitted = hasattr(self, "_label_binarizer")
        if incremental and not fitted:
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            elif classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            else:
                self._label_binarizer.fit(classes)
        elif incremental and classes is not None:
            if not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to "
                    f"partial_fit, was: {self.classes_!r}"
                )
        elif not incremental and (not fitted or not self.warm_start):
            self._label_binarizer = LabelBinarizer().fit(y)
        elif not incremental and set(unique_labels(y)) != set(self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` has "
                f"{unique_labels(y)}"
            )
        self.classes_ = self._label_binarizer.classes_
        hint = "pass every class to the first partial_fit call, or refit"
        return (
            X,
            encode_labels(self._label_binarizer, y, "y", hint, X.dtype, codes=True),
            y,
        )

    def _sample_weight(self, sample_weight, X, y, incremental):
        sample_weight = super()._sample_weight(sample_weight, X, y, incremental)
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            raise ValueError("class_weight is not supported for multilabel targets.")
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: a chunk's "
                "class frequencies are not the data's. Pass a dict computed with "
                "sklearn.utils.class_weight.compute_class_weight instead."
            )
        weights = compute_sample_weight(self.class_weight, y).astype(X.dtype)
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError(
                "class_weight must give finite, non-negative weights, got "
                f"{self.class_weight!r}."
            )
        if sample_weight is not None:
            weights *= sample_weight
        if not weights.any():
            raise ValueError(
                "class_weight (times sample_weight) gives every sample a weight of "
                "zero; at least one sample needs a positive weight."
            )
        return weights

    def _make_loss(self):
        link = (
            "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"
        )
        if self.loss == "squared_error":
            return SquaredError(out_activation=link)
        return LogLoss() if link == "softmax" else BinaryLogLoss()

    def _stratify_validation(self, Y):
        # scikit-learn stratifies only a single output column (binary). With
        # early_stopping_scoring (sknn's own), multiclass splits are stratified
        # too: a scorer such as log-loss needs every class in the split.
        if self.early_stopping_scoring is not None:
            return self._label_binarizer.y_type_ != "multilabel-indicator"
        return Y.shape[1] == 1

    def _decode(self, p):
        if p.shape[1] == 1:
            p = p.ravel()
        return self._label_binarizer.inverse_transform(p)

    def _encode_targets(self, y):
        try:
            y = check_array(y, ensure_2d=False, dtype=None, input_name="y_val")
        except ValueError as exc:  # not every message of check_array names y_val
            raise ValueError(f"Invalid y_val: {exc}") from exc
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_labels(y, "y_val")
        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        if multilabel != (y.ndim == 2) or (
            multilabel and y.shape[1] != len(self.classes_)
        ):
            expected = (
                f"a label-indicator matrix with {len(self.classes_)} columns"
                if multilabel
                else "a 1-D array of class labels"
            )
            raise ValueError(f"y_val has shape {y.shape}; expected {expected}, as y.")
        hint = "validation labels must occur in y"
        return y, encode_labels(self._label_binarizer, y, "y_val", hint)

    def _score_output(self, p, y, sample_weight):
        return accuracy_score(y, self._decode(p), sample_weight=sample_weight)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes (or label indicators for multilabel).
        """
        return self._decode(self._forward(X))

    def predict_proba(self, X, mc_samples=None):
        """Probability of each class, ordered as in ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        mc_samples : int, default=None
            Monte-Carlo dropout: average the probabilities of this many
            forward passes with dropout left on (needs ``dropout > 0``). The
            spread between passes measures the model's uncertainty; the
            passes are seeded by ``random_state``. At most 1,000,000
            (memory does not grow with it; time does).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities (independent label probabilities for
            multilabel).

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sknn import MLPClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = MLPClassifier((32,), dropout=0.2, max_iter=300,
        ...                     random_state=0).fit(X, y)
        >>> proba = clf.predict_proba(X[:2], mc_samples=50)
        >>> proba.shape, bool(abs(proba.sum(axis=1) - 1).max() < 1e-6)
        ((2, 3), True)
        """
        if mc_samples is None:
            p = self._forward(X)
        else:
            p = mc_mean(self, X, mc_samples)  # memory independent of mc_samples
        if p.shape[1] == 1:
            return np.hstack([1 - p, p])
        return p

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities.
        """
        # log of predict_proba, as scikit-learn's checks require (-inf where a
        # probability underflows to 0, with NumPy's "divide by zero" warning,
        # as scikit-learn's).
        p = self.predict_proba(X)
        return np.log(p, out=p)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MLPClassifier.__doc__ = MLPClassifier.__doc__.format(
    common=COMMON_PARAMETERS.strip("\n").lstrip(),
    extra=EXTRA_PARAMETERS.strip("\n").lstrip(),
    fitted=FITTED_ATTRIBUTES.strip("\n").lstrip(),
)
