"""BackupAndRestore: a crashed fit resumed bit for bit, wrong or damaged
backups refused, partial_fit streams, warm_start and L-BFGS.

A crash is simulated in-process by a scikit-learn callback raising at the end
of an epoch (the fit fails and leaves its backup, as a killed process does);
tests/test_backup_kill.py kills real processes.
"""

import json
import os
import warnings

import numpy as np
import pytest
from _helpers import assert_same_model

from sknn import (
    BackupAndRestore,
    BackupMismatchError,
    BackupWarning,
    InconsistentSknnVersionWarning,
    MLPClassifier,
    MLPRegressor,
)
from sknn._backup_file import SLOTS, read_backups
from sknn.core.lr_schedules import (
    NoisyLinearCosineDecay,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class Crash(RuntimeError):
    pass


class CrashAt:
    """A scikit-learn callback that raises at the end of epoch ``epoch``."""

    def __init__(self, epoch):
        self.epoch, self.seen = epoch, 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name == "epoch":
            self.seen += 1
            if self.seen == self.epoch:
                raise Crash


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((90, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def crash_then_resume(cls, params, X, y, directory, at=5, fit_kw=None, **kw):
    fit_kw = fit_kw or {}
    est = cls(**params).set_callbacks(BackupAndRestore(directory, **kw), CrashAt(at))
    with pytest.raises(Crash):
        est.fit(X, y, **fit_kw)
    assert read_backups(directory)[0], "no backup left by the crash"
    return cls(**params).set_callbacks(BackupAndRestore(directory, **kw))


BASE = {"hidden_layer_sizes": (6,), "max_iter": 12, "random_state": 0, "batch_size": 16}
CASES = {
    "sgd-nesterov": {"solver": "sgd", "learning_rate_init": 0.05},
    "sgd-adaptive": {"solver": "sgd", "learning_rate": "adaptive", "tol": 0.5,
                     "n_iter_no_change": 1},
    "sgd-invscaling": {"solver": "sgd", "learning_rate": "invscaling"},
    "adam-dropout-bn-early": {"solver": "adam", "dropout": 0.2, "batch_norm": True,
                              "early_stopping": True, "n_iter_no_change": 4},
    "adamw-layernorm-noise": {"solver": "adamw", "layer_norm": True,
                              "input_noise": 0.1},
    "rmsprop-plateau": {"solver": "rmsprop",
                        "learning_rate": ReduceLROnPlateau(patience=1)},
    "adam-noisy-name": {"solver": "adam", "learning_rate": "noisy_linear_cosine"},
    "adagrad-noisy": {"solver": "adagrad",
                      "learning_rate": NoisyLinearCosineDecay(random_state=3)},
    "sgd-onecycle-batch-clip": {"solver": "sgd", "clip_norm": 0.5,
                                "learning_rate": OneCycleLR(max_lr=0.1, unit="batch")},
    "adam-step-prelu-weightnorm": {"solver": "adam", "activation": "prelu",
                                   "weight_norm": True,
                                   "learning_rate": StepLR(step_size=3)},
    "adam-random-state-none": {"solver": "adam", "random_state": None},
    "sgd-random-state-object": {"solver": "sgd", "random_state": "object"},
}  # fmt: skip


def _params(case):
    params = {**BASE, **CASES[case]}
    if params["random_state"] == "object":
        params["random_state"] = np.random.RandomState(4)
    return params


@pytest.mark.parametrize("case", CASES)
def test_resumed_fit_is_bit_identical(case, data, tmp_path):
    X, y = data
    np.random.seed(11)  # noqa: NPY002  (random_state=None: NumPy's global stream)
    reference = MLPClassifier(**_params(case)).fit(X, y)
    np.random.seed(11)  # noqa: NPY002
    resumed = crash_then_resume(MLPClassifier, _params(case), X, y, tmp_path)
    np.random.seed(99)  # noqa: NPY002  (another stream: the backup rewinds it)
    resumed.fit(X, y)
    if case == "sgd-random-state-object":  # the stream ends where it would
        for a, b in zip(*(e.random_state.get_state() for e in (reference, resumed))):
            np.testing.assert_array_equal(a, b)
        reference.random_state = resumed.random_state
    assert_same_model(reference, resumed)
    assert os.listdir(tmp_path) == []  # a fit that returns removes its backup


def test_regressor_float32_validation_data_weights_save_every(tmp_path):
    rng = np.random.RandomState(1)
    X = rng.standard_normal((80, 4)).astype(np.float32)
    y = (X @ [1.0, -2.0, 0.5, 0.0]).astype(np.float32)
    fit_kw = {
        "sample_weight": rng.uniform(0.5, 2, 80),
        "X_val": X[:20],
        "y_val": y[:20],
    }
    params = {**BASE, "solver": "adam", "loss": "huber"}
    reference = MLPRegressor(**params).fit(X, y, **fit_kw)
    resumed = crash_then_resume(
        MLPRegressor, params, X, y, tmp_path, at=8, fit_kw=fit_kw, save_every=3
    )
    assert read_backups(tmp_path)[0][0][1]["epoch"] == 6  # every third epoch
    resumed.fit(X, y, **fit_kw)
    assert_same_model(reference, resumed)


def test_verbose_output_from_the_resumed_epoch_on(data, tmp_path, capsys):
    X, y = data
    params = {**BASE, "verbose": True}
    MLPClassifier(**params).fit(X, y)
    full = capsys.readouterr().out.splitlines()
    resumed = crash_then_resume(MLPClassifier, params, X, y, tmp_path)
    capsys.readouterr()
    resumed.fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Iteration 5,")  # epoch 5 was cut: it runs again
    assert full[-len(out) :] == out


def test_warm_start_fit_resumes(data, tmp_path):
    X, y = data
    params = {**BASE, "warm_start": True, "solver": "sgd"}
    reference = MLPClassifier(**params).fit(X, y).fit(X, y)
    first = MLPClassifier(**params).fit(X, y)
    est = first.set_callbacks(BackupAndRestore(tmp_path), CrashAt(4))
    with pytest.raises(Crash):
        est.fit(X, y)
    # A fresh fit does not start from the backed-up fit's starting model.
    with pytest.raises(BackupMismatchError, match="starts from"):
        MLPClassifier(**params).set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    again = MLPClassifier(**params).fit(X, y)  # the same first model, rebuilt
    again.set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    assert_same_model(reference, again)


def test_partial_fit_stream_resumes(data, tmp_path):
    X, y = data
    chunks = [(X[i : i + 30], y[i : i + 30]) for i in range(0, 90, 30)] * 2
    params = {**BASE, "solver": "adam"}
    reference = MLPClassifier(**params)
    for Xc, yc in chunks:
        reference.partial_fit(Xc, yc, classes=[0, 1, 2])
    backup = BackupAndRestore(tmp_path)
    est = MLPClassifier(**params).set_callbacks(backup)
    for Xc, yc in chunks[:4]:
        est.partial_fit(Xc, yc, classes=[0, 1, 2])
    # A new process: the stream is not continued by accident ...
    fresh = MLPClassifier(**params).set_callbacks(BackupAndRestore(tmp_path))
    with pytest.raises(BackupMismatchError, match="restore"):
        fresh.partial_fit(*chunks[0], classes=[0, 1, 2])
    # ... but restored, and continued where it stopped.
    backup = BackupAndRestore(tmp_path)
    fresh = MLPClassifier(**params).set_callbacks(backup)
    done = backup.restore(fresh)
    assert done == 4
    for Xc, yc in chunks[done:]:
        fresh.partial_fit(Xc, yc)
    assert_same_model(reference, fresh)
    assert backup.restore(MLPClassifier(**params)) == 6
    backup.clear()
    assert os.listdir(tmp_path) == []
    assert backup.restore(MLPClassifier(**params)) == 0


def test_lbfgs_writes_nothing_and_reruns_from_the_start(data, tmp_path):
    # SciPy's L-BFGS run cannot be continued mid-way: no backup is written, a
    # killed fit runs again from the start and gives the same model.
    X, y = data
    params = {**BASE, "solver": "lbfgs", "max_iter": 30}
    reference = MLPClassifier(**params).fit(X, y)
    est = MLPClassifier(**params).set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    assert os.listdir(tmp_path) == []
    assert_same_model(reference, est)


# -- the wrong backup, a damaged backup ----------------------------------------------


def test_backup_of_other_parameters_or_data_is_refused(data, tmp_path):
    X, y = data
    crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    other = MLPClassifier(**{**BASE, "alpha": 0.01})
    with pytest.raises(BackupMismatchError, match=r"parameter alpha: 0\.0001 \(now"):
        other.set_callbacks(BackupAndRestore(tmp_path)).fit(X, y)
    with pytest.raises(BackupMismatchError, match="data X differs"):
        MLPClassifier(**BASE).set_callbacks(BackupAndRestore(tmp_path)).fit(X + 1, y)
    with pytest.raises(BackupMismatchError, match="estimator MLPClassifier"):
        MLPRegressor(**BASE).set_callbacks(BackupAndRestore(tmp_path)).fit(X, y * 1.0)
    # verbose and progress_bar change what is printed, not what is computed.
    est = MLPClassifier(**{**BASE, "progress_bar": False, "verbose": False})
    assert_same_model(
        MLPClassifier(**BASE).fit(X, y),
        est.set_callbacks(BackupAndRestore(tmp_path)).fit(X, y),
    )


def _damage(path, how):
    blob = bytearray(open(path, "rb").read())
    if how == "truncate":
        blob = blob[: len(blob) // 2]
    else:  # one byte in every region: arrays, tree, zip directory
        for i in np.random.RandomState(hash(how) % 2**31).randint(0, len(blob), 3):
            blob[i] ^= 0xFF
    with open(path, "wb") as f:
        f.write(blob)


@pytest.mark.parametrize("how", ["truncate", "flip-1", "flip-2", "flip-3"])
def test_damaged_newest_backup_falls_back_to_the_previous(how, data, tmp_path):
    X, y = data
    reference = MLPClassifier(**BASE).fit(X, y)
    resumed = crash_then_resume(MLPClassifier, BASE, X, y, tmp_path, at=6)
    (newest, header, *_), (previous, old, *_) = read_backups(tmp_path)[0]
    assert (header["epoch"], old["epoch"]) == (5, 4)
    _damage(newest, how)
    with pytest.warns(
        BackupWarning, match="resuming from " + os.path.basename(previous)
    ):
        resumed.fit(X, y)
    assert_same_model(reference, resumed)


def test_every_byte_flip_is_detected(data, tmp_path):
    # Any single flipped byte: the slot is refused or loads exactly.
    X, y = data
    crash_then_resume(MLPClassifier, BASE, X, y, tmp_path, at=3)
    (newest, header, tree, arrays), _ = read_backups(tmp_path)[0]
    blob = open(newest, "rb").read()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for i in range(0, len(blob), max(1, len(blob) // 300)):
        with open(damaged / SLOTS[0], "wb") as f:
            f.write(blob[:i] + bytes([blob[i] ^ 0x55]) + blob[i + 1 :])
        valid, bad = read_backups(damaged)
        if valid:  # e.g. a flip in the zip's comment-free padding or a name's case
            assert valid[0][2] == tree and valid[0][1]["checksum"] == header["checksum"]
            for name, a in arrays.items():
                assert valid[0][3][name].tobytes() == a.tobytes()
        else:
            assert bad


def test_both_backups_damaged_starts_afresh_with_a_warning(data, tmp_path):
    X, y = data
    reference = MLPClassifier(**BASE).fit(X, y)
    resumed = crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    for name in SLOTS:
        _damage(tmp_path / name, "truncate")
    with pytest.warns(BackupWarning, match="starts from the beginning"):
        resumed.fit(X, y)
    assert_same_model(reference, resumed)


def test_backup_of_another_sknn_version_warns(data, tmp_path):
    X, y = data
    resumed = crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    for name in SLOTS:  # rewrite each header with another version
        path = tmp_path / name
        with np.load(path) as archive:
            arrays = {k: archive[k] for k in archive.files}
        header = json.loads(arrays["__header__"].tobytes())
        header["sknn_version"] = "0.0.1"
        arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
        np.savez(path, **arrays)
    with pytest.warns(InconsistentSknnVersionWarning, match="0.0.1"):
        resumed.fit(X, y)


def test_backups_are_not_pickles_and_save_every_is_checked(data, tmp_path):
    X, y = data
    crash_then_resume(MLPClassifier, BASE, X, y, tmp_path)
    for name in SLOTS:
        with np.load(tmp_path / name, allow_pickle=False) as archive:
            assert all(archive[k].dtype != object for k in archive.files)
    with pytest.raises(ValueError, match="save_every"):
        BackupAndRestore(tmp_path, save_every=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "save_every=1" in repr(BackupAndRestore(tmp_path))
