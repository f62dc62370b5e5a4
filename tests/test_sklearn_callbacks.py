"""scikit-learn's callback API (sklearn.callback) on sknn's estimators."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.callback import ScoringMonitor
from sklearn.model_selection import GridSearchCV

from sknn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class Recorder:
    """A FitCallback that records every task it sees, and may stop training."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.events = []

    def setup(self, estimator, context):
        self.events.append(("setup", None))

    def teardown(self, estimator, context):
        self.events.append(("teardown", None))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", context.task_name, fitted_estimator))
        epochs = sum(e[:2] == ("end", "epoch") for e in self.events)
        return context.task_name == "epoch" and epochs == self.stop_after

    def count(self, kind, task):
        return sum(e[:2] == (kind, task) for e in self.events)


def test_one_context_per_epoch_and_per_batch(small_classification):
    X, y = small_classification  # 200 rows, batch 50: 4 batches per epoch
    rec = Recorder()
    clf = MLPClassifier((8,), max_iter=3, batch_size=50, random_state=0)
    clf.set_callbacks(rec).fit(X, y)
    assert rec.events[0] == ("setup", None) and rec.events[-1] == ("teardown", None)
    assert rec.count("begin", "fit") == rec.count("end", "fit") == 1
    assert rec.count("begin", "epoch") == rec.count("end", "epoch") == 3
    assert rec.count("begin", "batch") == rec.count("end", "batch") == 12


def test_epoch_ends_carry_a_fitted_estimator(small_classification):
    X, y = small_classification
    rec = Recorder()
    clf = MLPClassifier((8,), max_iter=3, random_state=0).set_callbacks(rec).fit(X, y)
    fitted = [e[2] for e in rec.events if e[:2] == ("end", "epoch")]
    assert all(f is not None and f is not clf for f in fitted)
    # The last epoch's snapshot predicts like the final model.
    np.testing.assert_allclose(fitted[-1].predict_proba(X), clf.predict_proba(X))
    # Earlier snapshots are different models.
    assert not np.allclose(fitted[0].predict_proba(X), clf.predict_proba(X))
    # Batch ends carry none (no per-batch scoring cost).
    assert all(e[2] is None for e in rec.events if e[:2] == ("end", "batch"))


def test_a_callback_can_stop_training(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), max_iter=50, random_state=0)
    clf.set_callbacks(Recorder(stop_after=4)).fit(X, y)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 4


def test_scoring_monitor_logs_every_epoch(small_regression):
    X, y = small_regression
    monitor = ScoringMonitor(scoring="r2")
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=5, random_state=0
    ).set_callbacks(monitor)
    reg.fit(X, y)
    data = monitor.get_logs().data
    epochs = [row for row in data if row["task_name"] == "epoch"]
    assert len(epochs) == 5
    scores = [row["r2"] for row in epochs]
    assert scores[-1] == pytest.approx(reg.score(X, y))
    assert scores[-1] > scores[0]


def test_partial_fit_and_lbfgs_run_callbacks(small_classification):
    X, y = small_classification
    rec = Recorder()
    clf = MLPClassifier((8,), random_state=0).set_callbacks(rec)
    clf.partial_fit(X, y, classes=np.unique(y))
    assert rec.count("end", "epoch") == 1 and rec.count("end", "fit") == 1
    rec = Recorder()
    MLPClassifier((8,), solver="lbfgs", max_iter=5).set_callbacks(rec).fit(X, y)
    assert rec.count("end", "fit") == 1 and rec.events[-1] == ("teardown", None)


def test_callbacks_are_torn_down_after_a_failed_fit(small_classification):
    X, y = small_classification
    rec = Recorder()
    clf = MLPClassifier((8,), learning_rate_init=1e12, solver="sgd", momentum=0.0)
    with pytest.raises(ValueError, match="Solver produced non-finite parameter"):
        clf.set_callbacks(rec).fit(X * 1e6, y)
    assert rec.events[-1] == ("teardown", None)
    assert not hasattr(clf, "_callback_fit_ctx")


def test_callbacks_survive_clone_and_grid_search(small_classification):
    X, y = small_classification
    rec = Recorder()
    clf = MLPClassifier((8,), max_iter=2, random_state=0).set_callbacks(rec)
    assert clone(clf)._skl_callbacks == [rec]
    GridSearchCV(clf, {"alpha": [1e-4, 1e-2]}, cv=2).fit(X, y)
    # 2 candidates x 2 folds + the refit, 2 epochs each.
    assert rec.count("end", "epoch") == 5 * 2


def test_progress_bar_runs_on_sknn(small_classification):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = small_classification
    clf = MLPClassifier((8,), max_iter=3, random_state=0)
    clf.set_callbacks(ProgressBar()).fit(X, y)
    assert clf.n_iter_ == 3
