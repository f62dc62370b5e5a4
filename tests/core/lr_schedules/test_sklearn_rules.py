"""scikit-learn's ``learning_rate`` rules: constant, invscaling and adaptive
(:mod:`sknn.core.lr_schedules.sklearn_rules`)."""

import pytest

from sknn.core.lr_schedules import SCHEDULES, Adaptive, InvScaling
from sknn.core.lr_schedules.sklearn_rules import ConstantRule


def test_registry():
    assert SCHEDULES == {
        "constant": ConstantRule,
        "invscaling": InvScaling,
        "adaptive": Adaptive,
    }


def test_constant_never_changes_and_stops_at_plateau():
    s = ConstantRule(0.03)
    assert s.rate == 0.03
    for t in (0, 10, 1000):
        s.epoch_end(t)
        assert s.rate == 0.03
    assert s.on_plateau() is False
    assert s.rate == 0.03


def test_default_rate():
    assert ConstantRule().rate == 0.001
    assert InvScaling().rate == 0.001
    assert InvScaling().power_t == 0.5


@pytest.mark.parametrize("power_t", [0.5, 0.25, 1.0])
def test_invscaling_rate_after_epoch_end(power_t):
    s = InvScaling(0.2, power_t=power_t)
    assert s.rate == 0.2  # until the first epoch ends
    for t in (100, 200, 5000):
        s.epoch_end(t)
        assert s.rate == pytest.approx(0.2 / (t + 1) ** power_t, rel=1e-15)
    assert s.learning_rate_init == 0.2


def test_invscaling_by_hand():
    s = InvScaling(1.0, power_t=0.5)
    s.epoch_end(99)
    assert s.rate == pytest.approx(0.1)
    assert s.on_plateau() is False


def test_adaptive_divides_by_five_until_small():
    s = Adaptive(1e-3)
    s.epoch_end(500)
    assert s.rate == 1e-3  # epochs alone do not change it
    rates = []
    while s.on_plateau():
        rates.append(s.rate)
    expected = [1e-3 / 5**k for k in range(1, 6)]  # 2e-4 ... 3.2e-7
    assert rates == pytest.approx(expected, rel=1e-12)
    assert s.rate <= 1e-6 < s.rate * 5
    assert s.on_plateau() is False
    assert s.rate == pytest.approx(3.2e-7)  # a refused plateau leaves it alone


def test_adaptive_stops_at_exactly_the_threshold():
    s = Adaptive(1e-6)
    assert s.on_plateau() is False
    assert s.rate == 1e-6
    s = Adaptive(1.1e-6)
    assert s.on_plateau() is True
    assert s.rate == pytest.approx(2.2e-7)
    assert s.on_plateau() is False


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (ConstantRule(0.01), "Stopping."),
        (InvScaling(0.01), "Stopping."),
        (Adaptive(0.01), "Learning rate too small. Stopping."),  # scikit-learn's
    ],
)
def test_stop_message(schedule, message):
    assert schedule.stop_message() == message


def test_a_fitted_adaptive_classifier_pickles(small_classification):
    """The fitted estimator keeps its rate driver (for ``partial_fit``) through a
    pickle, and training goes on from it."""
    import pickle

    import numpy as np
    from _helpers import assert_deep_equal

    from sknn import MLPClassifier

    X, y = small_classification
    clf = MLPClassifier(
        (8,), solver="sgd", learning_rate="adaptive", max_iter=5, random_state=0
    ).fit(X, y)
    assert type(clf._state.schedule) is Adaptive
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert_deep_equal(loaded._state.schedule, clf._state.schedule)
    loaded.partial_fit(X, y)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
