"""Monte-Carlo dropout in running statistics (issue 22, item 7): the same
results as the mean and standard deviation of the stacked passes, memory that
does not grow with ``mc_samples``, and an impossible request refused at once."""

import time
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sknn import MLPClassifier, MLPRegressor
from sknn._montecarlo import MAX_MC_SAMPLES

rng = np.random.default_rng(0)
X = rng.normal(size=(120, 5))
y_reg = X[:, 0] ** 2 + X[:, 1]
y_clf = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def _fit(cls, dtype, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(
            hidden_layer_sizes=(16,), dropout=0.3, max_iter=20, random_state=0
        ).fit(X.astype(dtype), y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [1, 2, 50])
def test_regressor_mean_and_std_are_those_of_the_stacked_passes(dtype, k):
    reg = _fit(MLPRegressor, dtype, y_reg)
    mean, std = reg.predict(X, return_std=True, mc_samples=k)
    passes = reg._mc_dropout(X, k).astype(np.float64)[:, :, 0]
    assert mean.dtype == std.dtype == reg.predict(X).dtype == np.float64
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    atol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(mean, passes.mean(axis=0), rtol=rtol, atol=atol)
    np.testing.assert_allclose(std, passes.std(axis=0), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_classifier_mean_is_that_of_the_stacked_passes(dtype):
    clf = _fit(MLPClassifier, dtype, y_clf)
    proba = clf.predict_proba(X, mc_samples=50)
    passes = clf._mc_dropout(X, 50).astype(np.float64)
    assert proba.dtype == clf.predict_proba(X).dtype == np.float64
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(proba, passes.mean(axis=0), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_passes_come_in_the_dtype_of_plain_predictions(dtype):
    # As predict's: float32 only when both the model and X are float32.
    reg, clf = _fit(MLPRegressor, dtype, y_reg), _fit(MLPClassifier, dtype, y_clf)
    for X_in in (X, X.astype(np.float32)):
        expected = np.result_type(X_in.dtype, dtype)
        mean, std = reg.predict(X_in, return_std=True, mc_samples=3)
        assert mean.dtype == std.dtype == reg.predict(X_in).dtype == expected
        proba = clf.predict_proba(X_in, mc_samples=3)
        assert proba.dtype == clf.predict_proba(X_in).dtype == expected


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_memory_does_not_grow_with_mc_samples(cls):
    model = _fit(cls, np.float64, y_clf if cls is MLPClassifier else y_reg)

    def peak(k):
        tracemalloc.start()
        try:
            if cls is MLPClassifier:
                model.predict_proba(X, mc_samples=k)
            else:
                model.predict(X, return_std=True, mc_samples=k)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    few, many = peak(10), peak(2000)
    # Stacking 2000 passes would hold 2000 * 120 * n_outputs float64s.
    stacked = 2000 * X.shape[0] * model.n_outputs_ * 8
    assert many < 1.5 * few + 50_000 and many < stacked / 4


@pytest.mark.parametrize("mc_samples", [MAX_MC_SAMPLES + 1, 10**9, 10**30])
def test_an_impossible_number_of_passes_fails_at_once(mc_samples):
    reg = _fit(MLPRegressor, np.float64, y_reg)
    start = time.perf_counter()
    with pytest.raises(InvalidParameterError, match="up to 1,000,000"):
        reg.predict(X, return_std=True, mc_samples=mc_samples)
    clf = _fit(MLPClassifier, np.float64, y_clf)
    with pytest.raises(ValueError, match="up to 1,000,000"):
        clf.predict_proba(X, mc_samples=mc_samples)
    assert time.perf_counter() - start < 1.0
