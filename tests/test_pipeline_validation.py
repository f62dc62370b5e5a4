"""Validation data in a Pipeline: the metadata-routing route transforms X_val,
and X_val passed around the steps is caught by a warning naming the fix."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_digits
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sknn import MLPClassifier, ValidationDataWarning
from sknn._validation import warn_if_other_scale


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:900], y[:900], X[900:1200], y[900:1200]


def _mlp():
    return MLPClassifier(
        (32,),
        early_stopping=True,
        max_iter=15,
        learning_rate_init=0.01,
        random_state=0,
        tol=0.0,
    )


def test_transform_input_routes_x_val_through_the_pipeline(digits):
    X, y, X_val, y_val = digits
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = _mlp().set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline(
            [("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error", ValidationDataWarning)
            pipe.fit(X, y, X_val=X_val, y_val=y_val)
    # The recorded scores are those of the scaled X_val: the same as scoring
    # the fitted pipeline on the raw X_val at the best epoch.
    assert pipe[-1].best_validation_score_ == pytest.approx(pipe.score(X_val, y_val))
    assert pipe[-1].best_validation_score_ > 0.9


def test_untransformed_x_val_in_a_pipeline_warns_and_names_the_fix(digits):
    X, y, X_val, y_val = digits
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", _mlp())])
    with pytest.warns(ValidationDataWarning, match="transform_input=\\['X_val'\\]"):
        pipe.fit(X, y, mlp__X_val=X_val, mlp__y_val=y_val)


def test_x_val_from_the_same_data_does_not_warn(digits):
    X, y, X_val, y_val = digits
    scaler = StandardScaler().fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ValidationDataWarning)
        warn_if_other_scale(scaler.transform(X), scaler.transform(X_val))
        warn_if_other_scale(X, X_val)  # unscaled, but both alike
        warn_if_other_scale(np.ones((5, 3)), np.zeros((5, 3)))  # nothing varies


def test_shifted_x_val_warns_with_sparse_input_too():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    with pytest.warns(ValidationDataWarning, match="standard deviations"):
        warn_if_other_scale(sp.csr_matrix(X), sp.csr_matrix(X + 10))
