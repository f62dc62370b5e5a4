"""``sknn.core.schedules``, the old home of scikit-learn's rules and the driver:
a deprecated alias that warns only when one of its names is used, so that
pickles naming it still load."""

import importlib
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from _helpers import assert_deep_equal, pickled_under

import sknn.core
import sknn.core.schedules as old
from sknn import MLPClassifier
from sknn.core import lr_schedules
from sknn.core.lr_schedules import StepLR, driver, sklearn_rules

HOMES = {
    # sknn.core.lr_schedules.Constant is the schedule, not scikit-learn's rule
    "Constant": "sknn.core.lr_schedules.sklearn_rules",
    "InvScaling": "sknn.core.lr_schedules",
    "Adaptive": "sknn.core.lr_schedules",
    "SCHEDULES": "sknn.core.lr_schedules",
    "ScheduleDriver": "sknn.core.lr_schedules",
}


def _message(name):
    return re.escape(
        "sknn.core.schedules is deprecated and will be removed in sknn 0.3; "
        f"import {name} from {HOMES[name]} instead"
    )


def test_importing_the_old_module_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.reload(old)


@pytest.mark.parametrize("name", list(HOMES))
def test_old_names_warn_and_are_the_objects_of_their_new_home(name):
    with pytest.warns(FutureWarning, match=_message(name)):
        moved = getattr(old, name)
    assert moved is getattr(importlib.import_module(HOMES[name]), name)


def test_the_old_constant_is_scikit_learns_rule_not_the_schedule():
    with pytest.warns(FutureWarning):
        from sknn.core.schedules import Constant
    assert Constant is sklearn_rules.Constant is not lr_schedules.Constant
    assert sknn.core.SCHEDULES is lr_schedules.SCHEDULES is sklearn_rules.SCHEDULES
    assert lr_schedules.ScheduleDriver is driver.ScheduleDriver


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="'sknn.core.schedules' has no attribute"):
        old.Nothing  # noqa: B018


def test_nothing_in_sknn_imports_the_old_paths():
    code = (
        "import sys, sknn, sknn.core\n"
        "print(' '.join(m for m in sys.modules if m.startswith('sknn')))"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error::FutureWarning", "-c", code],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert "sknn.core.lr_schedules.driver" in out
    assert "sknn.core.schedules" not in out and "sknn.core.gradcheck" not in out


def _adaptive_after_a_plateau():
    rule = sklearn_rules.Adaptive(0.5)
    rule.on_plateau()
    return rule


def _driver_mid_run():
    run = driver.ScheduleDriver(StepLR(2, gamma=0.5), 0.1)
    run.start(n_epochs=6, n_batches=3)
    run.epoch_end(t=30, metric=0.4)
    return run


@pytest.mark.parametrize(
    "make, home",
    [
        (lambda: sklearn_rules.Constant(0.01), "sklearn_rules"),
        (lambda: sklearn_rules.InvScaling(0.02, power_t=0.3), "sklearn_rules"),
        (_adaptive_after_a_plateau, "sklearn_rules"),
        (_driver_mid_run, "driver"),
    ],
    ids=["Constant", "InvScaling", "Adaptive", "ScheduleDriver"],
)
def test_a_pickle_naming_the_old_module_loads_with_a_warning(make, home):
    obj = make()
    data = pickled_under(obj, f"sknn.core.lr_schedules.{home}", "sknn.core.schedules")
    assert b"csknn.core.schedules\n" in data
    with pytest.warns(FutureWarning, match="sknn.core.schedules is deprecated"):
        loaded = pickle.loads(data)
    assert type(loaded) is type(obj)
    assert_deep_equal(loaded, obj)


def test_a_fitted_adaptive_classifier_pickles(small_classification):
    """The fitted estimator keeps its rate driver (for ``partial_fit``): new
    pickles name the new module, old ones (naming sknn.core.schedules) load."""
    X, y = small_classification
    clf = MLPClassifier(
        (8,), solver="sgd", learning_rate="adaptive", max_iter=5, random_state=0
    ).fit(X, y)
    assert type(clf._state.schedule) is sklearn_rules.Adaptive
    expected = clf.predict_proba(X)
    data = pickle.dumps(clf)
    assert b"sknn.core.schedules" not in data
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        loaded = pickle.loads(data)
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert_deep_equal(loaded._state.schedule, clf._state.schedule)

    old_data = pickled_under(
        clf, "sknn.core.lr_schedules.sklearn_rules", "sknn.core.schedules"
    )
    with pytest.warns(FutureWarning, match="import Adaptive from"):
        loaded = pickle.loads(old_data)
    assert type(loaded._state.schedule) is sklearn_rules.Adaptive
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    loaded.partial_fit(X, y)  # training goes on with the unpickled driver
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
