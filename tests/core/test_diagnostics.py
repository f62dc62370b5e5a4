"""Loss-curve advice and dead-unit measurement."""

import numpy as np
import pytest

from sknn.core.diagnostics import (
    check_outputs,
    dead_unit_fraction,
    diagnose_loss_curve,
)
from sknn.core.divergence import TrainingDiverged
from sknn.core.losses import get_loss
from sknn.core.network import Network


@pytest.mark.parametrize(
    "curve, advice",
    [
        ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5], "raise max_iter"),
        ([1.0, 1.0, 0.99995, 1.0, 0.99999], "flat from the start"),
        ([1.0, 0.6, 0.8, 0.5, 0.9, 0.4, 0.85, 0.45, 0.9], "oscillating"),
        ([2.0], "single epoch"),
        ([1.0, 5.0, 1e10, 1e30], "ended higher"),
    ],
)
def test_diagnosis(curve, advice):
    assert advice in diagnose_loss_curve(curve)


def test_falling_message_quotes_the_rate():
    assert "0.1 per epoch" in diagnose_loss_curve([1.0, 0.9, 0.8, 0.7])


def test_dead_units_are_those_never_active():
    net = Network([2, 3, 3, 1], ["relu", "tanh"], get_loss("squared_error"), float)
    net.initialize(np.random.default_rng(0))
    net.coefs[0][:, 0] = -1.0  # unit 0: negative on positive inputs
    net.intercepts[0][0] = -1.0
    net.coefs[0][:, 1:] = 1.0
    X = np.random.default_rng(1).uniform(0, 1, size=(50, 2))
    fractions = dead_unit_fraction(net, X, np.random.default_rng(0))
    assert fractions == [pytest.approx(1 / 3), None]


def test_dead_units_use_a_bounded_sample():
    net = Network([2, 4, 1], ["relu"], get_loss("squared_error"), float)
    net.initialize(np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(5000, 2))
    seen = []
    original = net.evaluate
    net.evaluate = lambda X, hidden: seen.append(X.shape[0]) or original(X, hidden)
    dead_unit_fraction(net, X, np.random.default_rng(0), max_samples=100)
    assert seen == [100]


def test_check_outputs_is_one_pass_with_the_dead_unit_fraction(monkeypatch):
    net = Network([2, 4, 1], ["relu"], get_loss("squared_error"), float)
    net.initialize(np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(3000, 2))
    passes = []
    original = net.evaluate
    net.evaluate = lambda X, hidden: passes.append(len(X)) or original(X, hidden)
    # Rows spread evenly over X: no random generator is made.
    monkeypatch.setattr(np.random, "default_rng", None)
    dead = check_outputs(net, X)
    monkeypatch.undo()
    assert sum(passes) == 1000  # one pass over the sampled rows
    rows = np.linspace(0, len(X) - 1, 1000).astype(int)
    assert len(set(rows)) == 1000 and rows[0] == 0 and rows[-1] == len(X) - 1
    assert dead == dead_unit_fraction(net, X[rows], rng=None)
    net.params[:] = 1e300  # finite weights whose outputs overflow
    with pytest.raises(TrainingDiverged, match="outputs overflow"):
        check_outputs(net, X)
