"""The warning filter the docs give silences both libraries (issue 22, item 3).

scikit-learn's warnings are attributed to ``sklearn.*`` modules and sknn's to
``sknn.*`` ones, so ``module="sklearn"`` (scikit-learn's MNIST example) only
silences scikit-learn; the documented filter names both.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn.neural_network as sk
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import sknn

DOCS = Path(__file__).parents[1] / "docs" / "guide"
FILTER = (
    'warnings.filterwarnings("ignore", category=ConvergenceWarning, '
    'module="sklearn|sknn")'
)

X, y = load_iris(return_X_y=True)

FITS = {
    "adam": lambda m: m.MLPClassifier((5,), max_iter=2, random_state=0).fit(X, y),
    "early_stopping": lambda m: m.MLPClassifier(
        (5,), max_iter=2, early_stopping=True, random_state=0
    ).fit(X, y),
    "lbfgs": lambda m: m.MLPClassifier(
        (5,), solver="lbfgs", max_iter=2, random_state=0
    ).fit(X, y),
    "regressor sgd": lambda m: m.MLPRegressor(
        hidden_layer_sizes=(5,), solver="sgd", max_iter=2, random_state=0
    ).fit(X, y.astype(float)),
    "regressor lbfgs": lambda m: m.MLPRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=2, random_state=0
    ).fit(X, y.astype(float)),
}


def _convergence_warnings(library, fit, *filter_args, **filter_kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if filter_args or filter_kw:
            warnings.filterwarnings(*filter_args, **filter_kw)
        fit(library)
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("page", ["migrating.md", "differences.md"])
def test_the_pages_give_the_filter(page):
    assert FILTER in (DOCS / page).read_text()


@pytest.mark.parametrize("fit", FITS.values(), ids=FITS)
@pytest.mark.parametrize("library", [sk, sknn], ids=["sklearn", "sknn"])
def test_the_documented_filter_silences_both_libraries(library, fit):
    assert _convergence_warnings(library, fit)  # the case warns at all
    namespace = {"warnings": warnings, "ConvergenceWarning": ConvergenceWarning}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(FILTER, namespace)
        fit(library)
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("fit", FITS.values(), ids=FITS)
def test_a_filter_on_sklearn_alone_does_not_silence_sknn(fit):
    args = ("ignore",)
    kw = {"category": ConvergenceWarning, "module": "sklearn"}
    assert not _convergence_warnings(sk, fit, *args, **kw)
    left = _convergence_warnings(sknn, fit, *args, **kw)
    assert left  # what the pages explain
    # Attributed to sknn's own code, never to a file of another package.
    for w in left:
        assert re.search(r"[/\\]sknn[/\\]\w+\.py$", w.filename), w.filename
    assert np.all([w.category is ConvergenceWarning for w in left])


@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_warnings_point_at_the_estimators_method(call):
    # As the stochastic ConvergenceWarnings: the line of sknn's public method.
    model = sknn.MLPClassifier((3,), batch_size=500, max_iter=2, random_state=0)
    kw = {"classes": np.unique(y)} if call == "partial_fit" else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(model, call)(X, y, **kw)
    clipped = [w for w in caught if "batch_size" in str(w.message)]
    assert clipped and all(w.filename.endswith("classifier.py") for w in clipped)
