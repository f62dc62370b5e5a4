"""Validation data for early stopping and validation curves.

Either user-supplied (``fit(..., X_val=, y_val=, sample_weight_val=)``, the
way scikit-learn's HistGradientBoosting takes it) or split off the training
data by ``validation_fraction``; scored after every epoch by the estimator's
own score, the validation loss, or any scorer (``early_stopping_scoring``).
"""

import copy
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import _check_sample_weight, validate_data

from .core.targets import ClassCodes, dense

# X_val is "on another scale" when the median feature's mean lies this many
# training standard deviations from the training mean (a validation set from
# the same data lies within a fraction of one).
SCALE_WARNING_THRESHOLD = 3.0


def cast_to(a, dtype, name):
    """``a`` as ``dtype`` (the model's), refusing finite values that the cast
    would make infinite (float64 data beyond float32's range, for a float32
    model): a clear error instead of NaN predictions or a false "diverged"."""
    dtype = np.dtype(dtype)
    values = a.data if sp.issparse(a) else a
    if (
        isinstance(values, np.ndarray)
        and values.size
        and values.dtype.kind == "f"
        and values.dtype.itemsize > dtype.itemsize
    ):
        largest = max(float(values.max()), -float(values.min()))
        limit = float(np.finfo(dtype).max)
        if largest > limit:
            raise ValueError(
                f"{name} has values up to {largest:.3g} in magnitude, beyond the "
                f"range of {dtype.name} (at most {limit:.3g}), the model's dtype: "
                "they would become infinite. Scale the data, or train the model "
                "in float64 (fit it on float64 X)."
            )
    return a.astype(dtype, copy=False)


class ValidationDataWarning(UserWarning):
    """Validation data that looks unlike the training data."""


def _sample_rows(X, max_rows=1000):
    """Up to ``max_rows`` evenly spaced rows of ``X``, dense."""
    rows = X[:: max(1, X.shape[0] // max_rows)]
    return rows.toarray() if sp.issparse(rows) else np.asarray(rows)


def warn_if_other_scale(X_train, X_val):
    """Warn when ``X_val`` looks untransformed relative to ``X_train``.

    The typical cause is a Pipeline: ``fit(..., mlp__X_val=X_val)`` hands the
    estimator ``X_val`` as given, while ``X`` went through the steps before
    it. Compared on up to 1,000 rows of each, over the features that vary.
    """
    train, val = _sample_rows(X_train), _sample_rows(X_val)
    std = train.std(axis=0)
    varying = std > 0
    if not varying.any():
        return
    shift = np.abs(val.mean(axis=0) - train.mean(axis=0))[varying] / std[varying]
    median = float(np.median(shift))
    if median > SCALE_WARNING_THRESHOLD:
        warnings.warn(
            f"X_val looks like it is on another scale than X: the median "
            f"feature's mean lies {median:.3g} standard deviations from the "
            "training data's. In a Pipeline, fit(..., step__X_val=...) passes "
            "X_val untransformed; route it through the steps before the "
            "estimator instead: sklearn.set_config(enable_metadata_routing=True), "
            "Pipeline(..., transform_input=['X_val']) and "
            "estimator.set_fit_request(X_val=True, y_val=True), then "
            "pipeline.fit(X, y, X_val=X_val, y_val=y_val).",
            ValidationDataWarning,
            stacklevel=5,
        )


class ValidationMixin:
    """Validation-data handling shared by the estimators."""

    def _validation_data(self, dtype, incremental, X_val=None, y_val=None,
                         sample_weight_val=None, n_outputs=None,
                         X_train=None):  # fmt: skip
        """Validated ``(X, Y, y, sample_weight)`` of user-supplied validation data.

        ``n_outputs``, if given, is the number of target columns of ``y``,
        which ``y_val`` must match. With ``X_train``, warns when ``X_val`` is
        plainly on another scale (:func:`warn_if_other_scale`).
        """
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val is given without X_val and y_val.")
            return None
        if X_val is None or y_val is None:
            missing = "y_val" if y_val is None else "X_val"
            raise ValueError(f"X_val and y_val go together; {missing} is missing.")
        if incremental:
            raise ValueError("partial_fit does not take validation data (X_val).")
        if self.solver == "lbfgs":
            raise ValueError(
                "X_val/y_val need a stochastic solver (epochs to validate); "
                "solver='lbfgs' has none."
            )
        try:  # scikit-learn's messages say "X": name X_val
            X_val = validate_data(
                self, X_val, accept_sparse=["csr", "csc"],
                dtype=(np.float64, np.float32), reset=False,
            )  # fmt: skip
        except ValueError as exc:
            raise ValueError(f"Invalid X_val: {exc}") from exc
        X_val = cast_to(X_val, dtype, "X_val")
        if X_train is not None:
            warn_if_other_scale(X_train, X_val)
        y_val, Y_val = self._encode_targets(y_val)
        if X_val.shape[0] != len(y_val):
            raise ValueError(
                f"X_val has {X_val.shape[0]} samples but y_val has {len(y_val)}."
            )
        if n_outputs is not None and Y_val.shape[1] != n_outputs:
            raise ValueError(
                f"y_val has {Y_val.shape[1]} target column(s) but y has {n_outputs}."
            )
        if sample_weight_val is not None:
            try:
                sample_weight_val = _check_sample_weight(
                    sample_weight_val, X_val, dtype=dtype, ensure_non_negative=True
                )
            except ValueError as exc:
                raise ValueError(f"Invalid sample_weight_val: {exc}") from exc
        Y_val = cast_to(Y_val, dtype, "y_val")
        return X_val, Y_val, y_val, sample_weight_val

    def _split_validation(self, X, Y, y, sample_weight, rng):
        """scikit-learn's early-stopping split: ``train_test_split`` drawing from
        ``rng``, stratified only for a single output column (binary)."""
        # scikit-learn stratifies by its boolean targets (its messages name
        # the classes so).
        codes = isinstance(Y, ClassCodes)
        stratify = None
        if self._stratify_validation(Y):
            stratify = Y.codes if codes else dense(Y).astype(bool)
        arrays = [X, Y.codes if codes else Y, y]
        arrays += [sample_weight] if sample_weight is not None else []
        hint = (
            f"(early_stopping holds out validation_fraction="
            f"{self.validation_fraction} of {X.shape[0]} samples; or pass X_val "
            "and y_val to fit.)"
        )
        try:
            split = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=stratify,
            )
        except ValueError as exc:
            raise ValueError(f"{exc} {hint}") from exc
        X_tr, X_val, Y_tr, Y_val, y_tr, y_val = split[:6]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                f"or the size of your dataset. {hint}"
            )
        if codes:
            Y_tr = ClassCodes(Y_tr, Y.n_classes, Y.dtype)
            Y_val = ClassCodes(Y_val, Y.n_classes, Y.dtype).toarray()
        sw_tr, sw_val = split[6:8] if sample_weight is not None else (None, None)
        return X_tr, Y_tr, y_tr, sw_tr, (X_val, Y_val, y_val, sw_val)

    def _stratify_validation(self, Y):
        return False

    def _evaluator(self, X_val, Y_val, y_val, sw_val):
        """``net -> (score, loss)`` on the validation data.

        The score is the estimator's own (accuracy / R², scikit-learn's
        choice) unless ``early_stopping_scoring`` names the validation loss
        ("loss", negated so that higher is better) or another scorer.
        """
        scoring = self.early_stopping_scoring
        scorer = None
        if scoring not in (None, "loss"):
            scorer = check_scoring(self, scoring)

        def evaluate(net):
            raw = net.predict(X_val, raw=True)
            p = net.loss.link(raw, np.empty_like(raw))
            per_sample = net.loss.per_sample(Y_val, raw, p)
            scale = net.loss.reported_scale(Y_val.shape[1])
            loss = float(np.average(per_sample, weights=sw_val)) * scale
            if not np.isfinite(loss):
                return np.nan, loss
            if scoring == "loss":
                return -loss, loss
            if scorer is None:
                return self._score_output(p, y_val, sw_val), loss
            fitted = copy.copy(self)
            fitted.__dict__.update(self._fitted_attributes(net))
            kwargs = {} if sw_val is None else {"sample_weight": sw_val}
            return scorer(fitted, X_val, y_val, **kwargs), loss

        return evaluate
