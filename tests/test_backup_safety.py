"""BackupAndRestore, hostile use: two fits in one directory, backups that pass
their checksum but hold a malformed state, the progress bar of a resumed
fit, and the plain state's one-pass encoding (pickle, deepcopy).
"""

import json
import os
import pickle

import numpy as np
import pytest
from _helpers import assert_same_model
from test_backup import BASE, CrashAt, crash_then_resume

from sknn import BackupAndRestore, BackupMismatchError, MLPClassifier
from sknn._backup_file import LOCK, SLOTS, checksum, lock_directory, unlock_directory
from sknn._plainstate import UntrustedStateError, decode, from_plain, to_plain

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((90, 5))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


class FitAnother(CrashAt):
    """At the end of epoch ``epoch``, fits ``other`` (in the same process,
    as a thread or a search's clone would) and keeps what it raised."""

    def __init__(self, epoch, other, X, y):
        super().__init__(epoch)
        self.other, self.X, self.y, self.raised = other, X, y, None

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name == "epoch":
            self.seen += 1
            if self.seen == self.epoch:
                try:
                    self.other.fit(self.X, self.y)
                except BackupMismatchError as exc:
                    self.raised = exc


def test_a_second_fit_in_the_directory_is_refused_while_the_first_runs(data, tmp_path):
    X, y = data
    backup = BackupAndRestore(tmp_path)  # one object, shared (as clone shares it)
    other = MLPClassifier(**{**BASE, "alpha": 0.1}).set_callbacks(backup)
    spy = FitAnother(3, other, X, y)
    est = MLPClassifier(**BASE).set_callbacks(backup, spy).fit(X, y)
    assert "Another fit is using the backup directory" in str(spy.raised)
    assert_same_model(MLPClassifier(**BASE).fit(X, y), est)  # undisturbed
    assert os.listdir(tmp_path) == []  # backup and lock removed
    # Another process holding the directory: refused too, then free again.
    fd = lock_directory(tmp_path)
    with pytest.raises(BackupMismatchError, match="one run per directory"):
        MLPClassifier(**BASE).set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    unlock_directory(tmp_path, fd)
    MLPClassifier(**BASE).set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    # A copy of the callback (joblib's workers) holds no fit's lock.
    assert pickle.loads(pickle.dumps(backup))._sessions == {}


def test_a_stale_lock_file_does_not_block_a_resume(data, tmp_path):
    # A killed process leaves the lock file, not the lock (flock dies with it).
    X, y = data
    resumed = crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    (tmp_path / LOCK).write_text("")
    resumed.fit(X, y)
    assert_same_model(MLPClassifier(**BASE).fit(X, y), resumed)
    assert os.listdir(tmp_path) == []


def _rewrite(directory, change):
    """Change each slot's tree/arrays and give it a matching checksum (what
    only a crafted file does)."""
    for name in SLOTS:
        with np.load(directory / name) as archive:
            arrays = {k: archive[k] for k in archive.files}
        header = json.loads(arrays.pop("__header__").tobytes())
        tree = arrays.pop("__tree__").tobytes().decode()
        tree = change(tree, arrays)
        header["checksum"] = checksum(tree, arrays)
        np.savez(
            directory / name,
            __header__=np.frombuffer(json.dumps(header).encode(), np.uint8),
            __tree__=np.frombuffer(tree.encode(), np.uint8),
            **arrays,
        )


DANGLING = '["entry",{"__ref__":999}],["x",'


def _shrink_params(tree, arrays):
    name = dict(json.loads(tree)["__dict__"])["params"]["__array__"]
    arrays[name] = arrays[name][:1]  # would broadcast into every weight
    return tree


@pytest.mark.parametrize(
    "change",
    [
        lambda tree, arrays: "[1, 2]",
        lambda tree, arrays: tree.replace(
            '["entry",', '["entry",{"__ref__":999}],["x",'
        ),
        lambda tree, arrays: tree.replace("sknn.core.state:TrainingState", "os:system"),
        _shrink_params,
    ],
    ids=["not-a-dict", "dangling-reference", "foreign-class", "params-shape"],
)
def test_a_malformed_state_with_a_valid_checksum_is_refused_clearly(
    change, data, tmp_path
):
    X, y = data
    resumed = crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    _rewrite(tmp_path, change)
    with pytest.raises(BackupMismatchError, match="malformed"):
        resumed.fit(X, y)


def test_a_malformed_stream_backup_is_refused_clearly(data, tmp_path):
    X, y = data
    backup = BackupAndRestore(tmp_path)
    est = MLPClassifier(**BASE).set_callbacks(backup)
    est.partial_fit(X, y, classes=[0, 1])
    est.partial_fit(X, y)
    _rewrite(tmp_path, lambda tree, arrays: '{"__list__":[],"id":0}')
    with pytest.raises(BackupMismatchError, match="malformed"):
        BackupAndRestore(tmp_path).restore(MLPClassifier(**BASE))


def test_progress_bar_of_a_resumed_fit_counts_to_max_iter(data, tmp_path, capsys):
    X, y = data
    params = {**BASE, "progress_bar": True}
    resumed = crash_then_resume(MLPClassifier, params, X, y, tmp_path, at=5)
    capsys.readouterr()
    resumed.fit(X, y)
    err = capsys.readouterr().err
    assert "epoch 5/12 " in err and "epoch 12/12 [####################]" in err
    assert "/16" not in err and err.splitlines()[-1].startswith("8 epochs in ")


def test_the_backup_callback_is_no_plain_state(data, tmp_path):
    # A model file holds a BackupAndRestore (a directory to write into and
    # remove files from) only as a type the user must trust, never built
    # from the plain state that needs no trust.
    X, y = data
    est = MLPClassifier(**BASE).set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    state = est.__getstate__()
    assert "BackupAndRestore" not in state["_sknn_plain_state"]["tree"]
    assert isinstance(state["_skl_callbacks"][0], BackupAndRestore)
    copied = pickle.loads(pickle.dumps(est))
    assert copied._skl_callbacks[0].directory == str(tmp_path)
    crafted = {"__object__": "sknn._backup:BackupAndRestore", "state": {}, "id": 0}
    with pytest.raises(UntrustedStateError, match="not state"):
        decode(json.dumps(crafted), {})


def test_a_value_that_is_not_plain_leaves_no_reference_behind():
    # to_plain encodes in one pass; an attribute found not plain half-way is
    # taken back out, and what it shared is written again where it is plain.
    shared = np.arange(3.0)
    inner = [shared, 1.5]
    state = {
        "a": [inner, shared, len],  # len: not plain, after two arrays
        "b": inner,
        "c": {"x": shared},
        "d": np.float32(2.5),
    }
    out = from_plain(to_plain(state))
    assert list(out) == ["a", "b", "c", "d"] and out["a"] is state["a"]
    assert out["b"][0] is out["c"]["x"] and out["b"][1] == 1.5
    np.testing.assert_array_equal(out["c"]["x"], shared)
    assert type(out["d"]) is np.float32 and out["d"] == 2.5


def test_the_refusal_says_how_the_data_differ(data, tmp_path):
    X, y = data
    crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    backup = BackupAndRestore(tmp_path)
    for X_new, y_new, message in [
        (X[:80], y[:80], r"data X: dense float64 90x5 \(now dense float64 80x5\)"),
        (X.astype(np.float32), y, r"data X: dense float64 90x5 \(now dense float32"),
        (X, 1 - y, r"data y differs \(the same shape and dtype, other values\)"),
    ]:
        with pytest.raises(BackupMismatchError, match=message):
            MLPClassifier(**BASE).set_callbacks(backup).fit(X_new, y_new)


def test_a_file_system_without_locks_still_backs_up(data, tmp_path, monkeypatch):
    # Some network mounts refuse flock (ENOLCK): the fit runs unlocked.
    import errno

    from sknn import _backup_file

    class NoLocks:
        LOCK_EX, LOCK_NB = 2, 4

        @staticmethod
        def flock(fd, operation):
            raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(_backup_file, "fcntl", NoLocks)
    X, y = data
    resumed = crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    resumed.fit(X, y)
    assert_same_model(MLPClassifier(**BASE).fit(X, y), resumed)
    assert os.listdir(tmp_path) == []


def test_a_random_state_object_in_another_state_is_refused(data, tmp_path):
    # RandomState(4) again resumes (test_backup); RandomState(5) is another run.
    X, y = data
    params = {**BASE, "solver": "sgd", "random_state": np.random.RandomState(4)}
    crash_then_resume(MLPClassifier, params, X, y, tmp_path)
    other = MLPClassifier(**{**params, "random_state": np.random.RandomState(5)})
    with pytest.raises(BackupMismatchError, match="RandomState in another state"):
        other.set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)


@pytest.mark.parametrize(
    "tree",
    ['{"__ref__": 7}', '{"__array__": "a9", "id": 0}', '{"__dict__": 3, "id": 0}', "{"],
)
def test_a_malformed_plain_state_is_refused_clearly(tree):
    # What a crafted skops file or pickle could hold in its plain part.
    with pytest.raises(UntrustedStateError, match="malformed state"):
        decode(tree, {})
