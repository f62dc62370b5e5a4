"""A model loaded with ``joblib.load(path, mmap_mode="r")`` holds read-only
memory maps (issue 22, item 7): it predicts, and ``partial_fit`` says what
happened and how to continue instead of NumPy's bare "assignment destination
is read-only", leaving the model intact."""

import copy
import warnings

import joblib
import numpy as np
import pytest
from _helpers import assert_unchanged, fitted_state

from sknn import MLPClassifier, MLPRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(150, 5))
y = (X[:, 0] > 0).astype(int)


@pytest.fixture
def saved(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPClassifier((8,), max_iter=3, random_state=0).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    return model, path


@pytest.mark.parametrize("change", [{}, {"dropout": 0.1}], ids=["same", "rebuilt"])
def test_partial_fit_on_read_only_memory_maps_says_how_to_continue(saved, change):
    model, path = saved
    loaded = joblib.load(path, mmap_mode="r")
    assert not loaded._network.params.flags.writeable  # really memory-mapped
    loaded.set_params(**change)
    before = fitted_state(loaded)
    with pytest.raises(ValueError, match="read-only .*copy.deepcopy") as info:
        loaded.partial_fit(X, y)
    assert "mmap_mode" in str(info.value)
    assert_unchanged(loaded, before)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    "mode, thaw",
    [("r", copy.deepcopy), (None, None), ("c", None)],
    ids=["deepcopy", "no mmap_mode", "copy-on-write"],
)
def test_each_documented_way_to_continue_works(saved, mode, thaw):
    model, path = saved
    loaded = joblib.load(path, mmap_mode=mode)
    loaded = thaw(loaded) if thaw else loaded
    loaded.partial_fit(X, y)
    model.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.coefs_[0], model.coefs_[0])
    # The file is untouched: a fresh load is the saved model.
    assert joblib.load(path).t_ == model.t_ - X.shape[0]


def test_read_only_regressor_predicts_and_refuses_partial_fit(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        reg.fit(X, X[:, 1])
    joblib.dump(reg, tmp_path / "reg.joblib")
    loaded = joblib.load(tmp_path / "reg.joblib", mmap_mode="r")
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    with pytest.raises(ValueError, match="arrays are read-only"):
        loaded.partial_fit(X, X[:, 1])


def test_assigning_weights_of_a_read_only_model_says_why(saved):
    model, path = saved
    loaded = joblib.load(path, mmap_mode="r")
    before = fitted_state(loaded)
    with pytest.raises(ValueError, match="Cannot assign coefs_: .* read-only"):
        loaded.coefs_ = [c * 2 for c in loaded.coefs_]
    assert_unchanged(loaded, before)
