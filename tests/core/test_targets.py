"""Class-code targets behave like their one-hot matrix."""

import numpy as np
import pytest

from sknn.core.losses import get_loss
from sknn.core.lr_schedules.sklearn_rules import ConstantRule
from sknn.core.network import Network
from sknn.core.optimizers import Adam
from sknn.core.state import TrainingState
from sknn.core.targets import ClassCodes, dense
from sknn.core.training import fit_stochastic, iter_batches


def _codes(n=23, k=4, dtype=np.float32):
    codes = np.random.default_rng(0).integers(0, k, n)
    return ClassCodes(codes, k, dtype), np.eye(k, dtype=dtype)[codes]


def test_take_toarray_and_indexing_match_the_one_hot_matrix():
    Y, onehot = _codes()
    assert Y.shape == onehot.shape and len(Y) == 23 and Y.dtype == np.float32
    np.testing.assert_array_equal(Y.toarray(), onehot)
    np.testing.assert_array_equal(np.asarray(Y), onehot)
    np.testing.assert_array_equal(dense(Y), onehot)
    rows = np.array([5, 0, 5, 22])
    out = np.full((4, 4), 7.0, np.float32, order="F")  # old contents cleared
    np.testing.assert_array_equal(Y.take(rows, out), onehot[rows])
    np.testing.assert_array_equal(Y[3:9].toarray(), onehot[3:9])
    assert Y.astype(np.float64).toarray().dtype == np.float64


@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_of_codes_equal_batches_of_the_matrix(shuffle):
    Y, onehot = _codes()
    X = np.arange(23 * 2, dtype=np.float32).reshape(23, 2)
    got = iter_batches(X, Y, None, 5, shuffle, np.random.default_rng(1))
    want = iter_batches(X, onehot, None, 5, shuffle, np.random.default_rng(1))
    for (xa, ya, _), (xb, yb, _) in zip(got, want, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)  # the last batch has 3 rows


@pytest.mark.parametrize("shuffle", [True, False])
def test_training_on_codes_equals_training_on_the_matrix(shuffle):
    Y, onehot = _codes(60, 3, np.float64)
    X = np.random.default_rng(2).normal(size=(60, 5))
    results = []
    for targets in (Y, onehot):
        net = Network([5, 8, 3], ["relu"], get_loss("log_loss"), np.float64)
        net.initialize(np.random.default_rng(0), "glorot_uniform")
        optimizer = Adam()
        optimizer.init(net.params)
        state = TrainingState(optimizer, ConstantRule(0.01), False)
        fit_stochastic(
            net, X, targets, None, state, max_iter=3, batch_size=16,
            shuffle=shuffle, rng=np.random.default_rng(1), alpha=1e-3,
        )  # fmt: skip
        results.append((net.params, state.loss_curve))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
