"""The fit/partial_fit flow of ``sknn._base``: in-place continuation and the
per-call random stream."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sknn import MLPClassifier
from sknn._base import call_random_state


@pytest.fixture
def data():
    return make_classification(n_samples=120, n_features=6, random_state=0)


def _stream(clf, X, y, rebuild=False):
    for chunk in np.array_split(np.arange(len(y)), 4):
        if rebuild:  # forget the spec: the next call builds a new network
            clf.__dict__.pop("_network_spec", None)
        clf.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    return clf


def test_partial_fit_trains_the_fitted_network_in_place(data):
    X, y = data
    clf = MLPClassifier((8,), random_state=0).partial_fit(X, y, classes=[0, 1])
    net = clf._network
    _stream(clf, X, y)
    assert clf._network is net
    # The same model as when every call copies the network into a new one.
    rebuilt = _stream(
        MLPClassifier((8,), random_state=0).partial_fit(X, y, classes=[0, 1]),
        X,
        y,
        rebuild=True,
    )
    assert rebuilt._network is not net
    np.testing.assert_array_equal(clf._network.params, rebuilt._network.params)
    assert clf.loss_curve_ == rebuilt.loss_curve_ and clf.t_ == rebuilt.t_


def test_a_changed_network_parameter_takes_effect_in_partial_fit(data):
    X, y = data
    clf = MLPClassifier((8,), random_state=0).partial_fit(X, y, classes=[0, 1])
    old = clf._network
    clf.set_params(activation="tanh").partial_fit(X, y)
    assert clf._network is not old
    assert clf._network.activations[0].name == "tanh"
    assert len(clf.loss_curve_) == 2  # the history goes on
    # Parameters that do not define the network keep it.
    net = clf._network
    clf.set_params(alpha=0.5, learning_rate_init=0.01).partial_fit(X, y)
    assert clf._network is net


def test_a_failed_in_place_call_cuts_the_curves_back(data, monkeypatch):
    X, y = data
    clf = MLPClassifier((8,), random_state=0).partial_fit(X, y, classes=[0, 1])
    params, curve, t = clf._network.params.copy(), list(clf.loss_curve_), clf.t_
    moments = clf._state.optimizer.m.copy()

    def fail(net, X):  # after the epoch was recorded
        raise RuntimeError("late failure")

    monkeypatch.setattr("sknn._base.check_outputs", fail)
    with pytest.raises(RuntimeError, match="late failure"):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf._network.params, params)
    np.testing.assert_array_equal(clf._state.optimizer.m, moments)
    assert clf.loss_curve_ == curve and clf._state.loss_curve is clf.loss_curve_
    assert clf.t_ == t == clf._state.t and clf._state.n_iter == 1


def test_an_int_seed_gives_scikit_learns_stream_at_every_call():
    expected = np.random.RandomState(3).random_sample(4)
    for _ in range(2):
        with call_random_state(3) as (rng, rewind):
            np.testing.assert_array_equal(rng.random_sample(4), expected)
            rewind()  # nothing to put back: the next call starts afresh
    # Nested calls (a fit inside a callback) get streams of their own.
    with call_random_state(3) as (outer, _):
        outer.random_sample(2)
        with call_random_state(3) as (inner, _):
            assert inner is not outer
            np.testing.assert_array_equal(inner.random_sample(4), expected)
        np.testing.assert_array_equal(outer.random_sample(2), expected[2:])


@pytest.mark.parametrize("make", [lambda: np.random.RandomState(5), lambda: None])
def test_a_random_state_object_is_consumed_and_rewound(make):
    given = make()
    rng_of = (lambda r: r) if given is not None else (lambda r: np.random.mtrand._rand)

    def position():  # the key and the position in it
        _, key, pos, *_ = rng_of(given).get_state()
        return key.copy(), pos

    before = position()
    with call_random_state(given) as (rng, rewind):
        assert rng is rng_of(given)
        rng.random_sample(3)
        assert position()[1] != before[1]
        rewind()
    after = position()
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1] == before[1]


def test_a_bad_seed_is_refused_with_numpys_message():
    with pytest.raises(ValueError, match="Seed must be between 0 and 2\\*\\*32 - 1"):
        with call_random_state(2**40):
            pass
