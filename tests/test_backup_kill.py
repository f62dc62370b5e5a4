"""Kill real training processes (SIGKILL) at random moments, resume, and get
the bytes of an uninterrupted fit, every time.

Each trial forks the test process (the modules are already imported, so a
trial costs a short fit, not an interpreter start), lets the child fit with a
``BackupAndRestore`` and kills it after a random delay; some trials kill it
inside a backup write (``_SKNN_BACKUP_TEST_HOOK``: "kill:<n>" kills the
process after the temporary file of the n-th write is written, before it is
renamed; "sleep:<s>" pauses in the middle of every write, widening the window
a random kill lands in). The test process then resumes the fit and compares
the whole model and training state with the uninterrupted fit.
"""

import os
import signal
import sys
import time
import warnings

import numpy as np
import pytest
from _helpers import assert_same_model

from sknn import BackupAndRestore, BackupWarning, MLPClassifier, _backup_file
from sknn._backup_file import _TEST_HOOK, read_backups

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
]

N_TRIALS = int(os.environ.get("SKNN_KILL_TRIALS", 20))  # random kills per family
N_IN_WRITE = 6  # kills inside a chosen write, per family

FAMILIES = {
    # solver family -> the configurations its trials cycle through
    "sgd": [
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.1},
        {"solver": "sgd", "learning_rate": "adaptive", "tol": 0.5,
         "n_iter_no_change": 3, "nesterovs_momentum": False},
    ],
    "adaptive": [
        {"solver": "adam", "dropout": 0.2, "batch_norm": True},
        {"solver": "adamw", "early_stopping": True, "n_iter_no_change": 30},
        {"solver": "rmsprop"},
        {"solver": "adagrad", "input_noise": 0.1},
    ],
}  # fmt: skip
BASE = {"hidden_layer_sizes": (8,), "max_iter": 25, "random_state": 0, "batch_size": 20}


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((160, 6))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


def _fork_fit(params, X, y, directory, hook=None):
    pid = os.fork()
    if pid == 0:  # the child: fit, and leave without pytest's clean-up
        code = 0
        try:
            if hook:
                os.environ[_TEST_HOOK] = hook
                _backup_file._writes[0] = 0  # count this child's writes
            warnings.simplefilter("ignore")
            est = MLPClassifier(**params).set_callbacks(BackupAndRestore(directory))
            est.fit(X, y)
        except BaseException:
            code = 1
        finally:
            sys.stdout.flush()
            os._exit(code)
    return pid


def _wait(pid, timeout=120):
    """The child's exit status; a child still running after ``timeout``
    seconds (hung) is killed and fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"the child process did not finish in {timeout} s")


def _kill(pid, delay):
    time.sleep(delay)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)  # False: it had finished


def _resume_and_compare(params, X, y, directory, reference):
    had_backup = bool(read_backups(directory)[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = MLPClassifier(**params).set_callbacks(BackupAndRestore(directory))
        resumed.fit(X, y)
    assert not [w for w in caught if w.category is BackupWarning]  # never damaged
    assert_same_model(reference, resumed)
    for a, b in zip(reference.coefs_ + reference.intercepts_,
                    resumed.coefs_ + resumed.intercepts_):  # fmt: skip
        assert a.tobytes() == b.tobytes()
    assert os.listdir(directory) == []
    return had_backup


@pytest.mark.parametrize("family", FAMILIES)
def test_sigkill_at_random_moments_then_resume(family, data, tmp_path):
    X, y = data
    configs = [{**BASE, **c} for c in FAMILIES[family]]
    references = [MLPClassifier(**p).fit(X, y) for p in configs]
    # How long a child takes to fit (with backups): kills land within it.
    start = time.perf_counter()
    _wait(_fork_fit(configs[0], X, y, tmp_path / "timing"))
    duration = time.perf_counter() - start
    rng = np.random.default_rng(sum(map(ord, family)))
    killed = mid_fit = 0
    for trial in range(N_TRIALS):
        i = trial % len(configs)
        directory = tmp_path / f"trial{trial}"
        hook = "sleep:0.002" if trial % 2 else None
        pid = _fork_fit(configs[i], X, y, directory, hook)
        killed += _kill(pid, rng.uniform(0, duration))
        mid_fit += _resume_and_compare(configs[i], X, y, directory, references[i])
    print(f"{family}: {N_TRIALS} trials, {killed} killed, {mid_fit} with a backup")
    assert mid_fit >= N_TRIALS // 4  # kills land inside the fit


@pytest.mark.parametrize("family", FAMILIES)
def test_sigkill_inside_a_backup_write_then_resume(family, data, tmp_path):
    X, y = data
    configs = [{**BASE, **c} for c in FAMILIES[family]]
    for trial in range(N_IN_WRITE):
        params = configs[trial % len(configs)]
        reference = MLPClassifier(**params).fit(X, y)
        directory = tmp_path / f"trial{trial}"
        write = 1 + 3 * trial  # the first write, and later ones
        pid = _fork_fit(params, X, y, directory, hook=f"kill:{write}")
        status = _wait(pid)
        assert os.WIFSIGNALED(status)  # killed itself inside the write
        assert any(".tmp-" in name for name in os.listdir(directory))  # cut short
        backups = read_backups(directory)[0]
        assert len(backups) == min(write - 1, 2)  # the earlier writes, intact
        # The write of epoch n happens as epoch n + 1 begins.
        assert not backups or backups[0][1]["epoch"] == write - 1
        _resume_and_compare(params, X, y, directory, reference)


def _fork_stream(params, chunks, directory):
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            warnings.simplefilter("ignore")
            backup = BackupAndRestore(directory)
            est = MLPClassifier(**params).set_callbacks(backup)
            for Xc, yc in chunks[backup.restore(est) :]:
                est.partial_fit(Xc, yc, classes=[0, 1])
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def test_sigkill_during_a_partial_fit_stream_then_restore(data, tmp_path):
    X, y = data
    chunks = [(X[i : i + 20], y[i : i + 20]) for i in range(0, len(X), 20)] * 3
    params = {**BASE, "solver": "adam", "dropout": 0.1}
    reference = MLPClassifier(**params)
    for Xc, yc in chunks:
        reference.partial_fit(Xc, yc, classes=[0, 1])
    start = time.perf_counter()
    _wait(_fork_stream(params, chunks, tmp_path / "timing"))
    duration = time.perf_counter() - start
    rng = np.random.default_rng(7)
    restored_counts = []
    for trial in range(N_TRIALS):
        directory = tmp_path / f"trial{trial}"
        _kill(_fork_stream(params, chunks, directory), rng.uniform(0, duration))
        backup = BackupAndRestore(directory)
        est = MLPClassifier(**params).set_callbacks(backup)
        done = backup.restore(est)
        restored_counts.append(done)
        for Xc, yc in chunks[done:]:
            est.partial_fit(Xc, yc, classes=[0, 1])
        assert_same_model(reference, est)
    print(f"stream: {N_TRIALS} trials, calls restored: {restored_counts}")
    assert sum(0 < n < len(chunks) for n in restored_counts) >= N_TRIALS // 4
