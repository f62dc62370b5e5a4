"""What a fit prints: the progress bar of ``progress_bar=True`` (``ProgressLogger``)
and scikit-learn's lines of ``verbose=True`` (``VerboseLogger``)."""

import io
import pickle
import re
import sys

import numpy as np
import pytest
from _helpers import assert_same_model

from sknn._progress import ProgressLogger, VerboseLogger, _clock_time
from sknn.core.callbacks import StoppingRule, ValidationMonitor
from sknn.core.losses import get_loss
from sknn.core.lr_schedules.sklearn_rules import ConstantRule
from sknn.core.network import Network
from sknn.core.optimizers import Adam
from sknn.core.state import TrainingState
from sknn.core.training import fit_stochastic


class Terminal(io.StringIO):
    """A stream that says it is a terminal: the bar is redrawn in place."""

    def isatty(self):
        return True


class FakeClock:
    """A clock that advances by ``step`` seconds at every reading."""

    def __init__(self, step):
        self.step = step
        self.now = 0.0
        self.calls = 0

    def __call__(self):
        self.calls += 1
        self.now += self.step
        return self.now


def _setup(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = np.sin(X[:, :1]) + 0.5 * X[:, 1:2]
    net = Network((3, 8, 1), ["tanh"], get_loss("squared_error"), np.float64)
    net.initialize(np.random.default_rng(seed))
    optimizer = Adam()
    optimizer.init(net.params)
    return net, X, Y, TrainingState(optimizer, ConstantRule(0.01), False)


def _train(progress, max_iter=3, batch_size=16, callbacks=(), state=None, **kw):
    net, X, Y, fresh = _setup(**kw)
    state = fresh if state is None else state
    fit_stochastic(
        net, X, Y, None, state, max_iter=max_iter, batch_size=batch_size,
        shuffle=True, rng=np.random.default_rng(1),
        callbacks=[progress, *callbacks],
    )  # fmt: skip
    return state


def _frames(text):
    """The successive contents of the bar's line."""
    return [frame.rstrip() for frame in text.split("\n")[0].split("\r") if frame]


def test_verbose_logger_prints_scikit_learns_lines():
    said = []
    scores = iter([0.5, 0.75])
    monitor = ValidationMonitor(lambda net: (next(scores), 1.0))
    net, X, Y, state = _setup()
    fit_stochastic(
        net, X, Y, None, state, max_iter=2, batch_size=16, shuffle=False,
        rng=np.random.default_rng(0), callbacks=[monitor, VerboseLogger(said.append)],
    )  # fmt: skip
    assert said == [
        f"Iteration 1, loss = {state.loss_curve[0]:.8f}",
        "Validation score: 0.500000",
        f"Iteration 2, loss = {state.loss_curve[1]:.8f}",
        "Validation score: 0.750000",
    ]


def test_clock_time():
    assert _clock_time(5) == "0:05"
    assert _clock_time(65.4) == "1:05"
    assert _clock_time(3725) == "1:02:05"


def test_bar_shows_epochs_batches_loss_and_eta(capsys, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)  # the default stream
    progress = ProgressLogger(3, 4, min_interval=0.0, clock=FakeClock(0.5))
    state = _train(progress)  # 64 samples / 16: 4 batches, 3 epochs
    assert capsys.readouterr().out == ""  # nothing on stdout
    err = terminal.getvalue()  # all on stderr
    assert err.startswith("\r") and err.endswith("\n")
    frames = _frames(err)
    # Unthrottled: every batch, every epoch end, and the final state.
    assert len(frames) == 3 * 4 + 3 + 1 == progress.n_redraws
    assert frames[0].startswith("epoch 1/3 [")
    assert "batch 1/4 loss --" in frames[0]
    assert frames[0].endswith("ETA ?")  # no rate from a single batch
    assert "batch 2/4" in frames[1]
    assert re.search(r"ETA \d+:\d\d$", frames[1])
    # From the second epoch on, the loss of the last completed epoch.
    second = next(f for f in frames if f.startswith("epoch 2/3"))
    assert f"loss {state.loss_curve[0]:.6f}" in second
    # The bar fills over the whole run.
    assert "[" + "." * 20 + "]" not in frames[-1]
    assert frames[-1].startswith("epoch 3/3 [" + "#" * 20 + "] batch 4/4")
    assert frames[-1].endswith("done")
    # The ETA is the time per batch since the first one times the batches
    # left: 0.5 s (one clock reading per batch) x 10 after the second batch.
    assert frames[1].endswith("ETA 0:05")
    summary = err.split("\n")[1]
    assert summary.startswith("3 epochs in ")
    assert f"loss {state.loss:.6f}" in summary
    assert err.count("\n") == 2


def test_redraws_are_throttled():
    clock = FakeClock(0.01)  # 10 ms per batch
    stream = Terminal()
    progress = ProgressLogger(5, 100, stream=stream, clock=clock)
    _train(progress, max_iter=5, batch_size=1, n=100)
    # One reading per batch and per epoch end, plus the start and the end.
    assert clock.calls == 5 * 100 + 5 + 2
    # 5.07 s of fake time, at most one redraw per 0.1 s, plus the final one.
    assert progress.n_redraws <= int(clock.now / 0.1) + 2
    assert progress.n_redraws >= 40
    assert len(_frames(stream.getvalue())) == progress.n_redraws


def test_off_a_terminal_plain_lines_at_most_every_plain_interval():
    clock = FakeClock(0.5)  # half a second per reading
    stream = io.StringIO()  # no isatty() True: a log file
    progress = ProgressLogger(
        3, 4, stream=stream, min_interval=0.0, plain_interval=2.0, clock=clock
    )
    state = _train(progress)
    text = stream.getvalue()
    assert "\r" not in text and text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == progress.n_redraws + 1  # one per drawing, then the summary
    # 3 x 4 batches + 3 epoch ends: 15 readings 0.5 s apart after the start;
    # the first batch draws (t=1), then one line every 2 s (t=3, 5, 7), then
    # the final state.
    assert clock.now == 8.5
    assert progress.n_redraws == 5
    assert lines[0].startswith("epoch 1/3 [") and lines[0].endswith("ETA ?")
    assert lines[-2].startswith("epoch 3/3 [" + "#" * 20 + "] batch 4/4")
    assert lines[-2].endswith("done")
    assert (
        lines[-1].startswith("3 epochs in ") and f"loss {state.loss:.6f}" in lines[-1]
    )
    # No padding: a plain line is never drawn over another.
    assert all(line == line.rstrip() for line in lines)


def test_off_a_terminal_the_default_interval_is_ten_seconds():
    stream = io.StringIO()
    clock = FakeClock(1.0)
    progress = ProgressLogger(3, 4, stream=stream, min_interval=0.0, clock=clock)
    assert progress.plain_interval == 10.0
    _train(progress)  # 17 s of fake time
    assert progress.n_redraws == 3  # the first batch, one 10 s later, the end
    assert "\r" not in stream.getvalue()


def test_a_stream_without_isatty_is_not_a_terminal():
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, text):
            self.parts.append(text)

        def flush(self):
            pass

    sink = Sink()
    progress = ProgressLogger(3, 4, stream=sink, min_interval=0.0, clock=FakeClock(0.5))
    _train(progress)
    text = "".join(sink.parts)
    assert "\r" not in text and text.count("\n") == progress.n_redraws + 1


def test_a_stopped_clock_draws_once_plus_the_end():
    stream = Terminal()
    progress = ProgressLogger(3, 4, stream=stream, clock=lambda: 0.0)
    _train(progress)
    assert progress.n_redraws == 2  # the first batch, and the final state
    assert _frames(stream.getvalue())[-1].endswith("done")


def test_lines_are_padded_over_longer_ones():
    stream = Terminal()
    progress = ProgressLogger(1, 1, stream=stream, min_interval=0.0)
    state = _setup()[3]
    progress.on_train_begin(None, state)
    state.loss = 0.5
    progress._draw(state, 1, 0.0)
    first = stream.getvalue()
    state.loss = None  # "--" is shorter than "0.500000"
    progress._draw(state, 1, 0.0)
    second = stream.getvalue()[len(first) :]
    assert len(second) == len(first)


def test_messages_clear_the_bar_first():
    stream, said = Terminal(), []
    progress = ProgressLogger(30, 4, stream=stream, min_interval=0.0, log=said.append)
    rule = StoppingRule(tol=1e9, n_iter_no_change=1, log=progress.write)
    state = _train(progress, max_iter=30, callbacks=[rule])
    assert state.stopped_early and state.n_iter == 3
    assert said == [
        "Training loss did not improve more than tol=1000000000.000000 for 1 "
        "consecutive epochs. Stopping."
    ]
    text = stream.getvalue()
    assert re.search(r"\r +\r", text)  # the bar was wiped before the message
    last = text.rstrip("\n").split("\n")[-2].split("\r")[-1]
    assert last.startswith("epoch 3/30") and last.endswith("done")
    assert text.rstrip("\n").split("\n")[-1].endswith("stopped early")


def test_continuing_training_counts_from_the_state():
    stream = Terminal()
    state = _setup()[3]
    state.n_iter = 5  # as partial_fit after five epochs
    progress = ProgressLogger(1, 4, stream=stream, min_interval=0.0)
    _train(progress, max_iter=1, state=state)
    frames = _frames(stream.getvalue())
    assert frames[0].startswith("epoch 6/6 [")
    assert stream.getvalue().split("\n")[1].startswith("1 epoch in ")


def test_validation_score_in_bar_and_summary():
    scores = iter([0.5, 0.9, 0.7])
    monitor = ValidationMonitor(lambda net: (next(scores), 1.0))
    stream = Terminal()
    progress = ProgressLogger(3, 4, stream=stream, min_interval=0.0)
    net, X, Y, state = _setup()
    fit_stochastic(
        net, X, Y, None, state, max_iter=3, batch_size=16, shuffle=False,
        rng=np.random.default_rng(0), callbacks=[monitor, progress],
    )  # fmt: skip
    text = stream.getvalue()
    assert " val 0.9000 " in text
    assert "best validation score 0.900000 at epoch 2" in text.split("\n")[1]


# -- through the estimators ------------------------------------------------------


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def test_progress_bar_draws_on_stderr(data, capsys, monkeypatch):
    from sknn import MLPClassifier

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    MLPClassifier(
        (8,), max_iter=4, batch_size=32, progress_bar=True, random_state=0
    ).fit(*data)
    assert capsys.readouterr().out == ""
    err = terminal.getvalue()
    frames = _frames(err)
    assert frames[0].startswith("epoch 1/4 [") and "batch 1/4" in frames[0]
    assert frames[-1].startswith("epoch 4/4 [" + "#" * 20 + "] batch 4/4")
    assert err.split("\n")[1].startswith("4 epochs in ")


def test_progress_bar_off_a_terminal_writes_plain_lines(data, capsys):
    from sknn import MLPClassifier

    MLPClassifier(
        (8,), max_iter=4, batch_size=32, progress_bar=True, random_state=0
    ).fit(*data)
    out, err = capsys.readouterr()  # captured stderr is not a terminal
    assert out == ""
    assert "\r" not in err and err.endswith("\n")
    lines = err.splitlines()
    assert lines[0].startswith("epoch 1/4 [")
    assert lines[-2].startswith("epoch 4/4 [" + "#" * 20 + "] batch 4/4")
    assert lines[-1].startswith("4 epochs in ")


@pytest.mark.parametrize("verbose", [1, 2, True])
def test_verbose_draws_no_progress_bar(data, capsys, monkeypatch, verbose):
    from sknn import MLPClassifier

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    clf = MLPClassifier((8,), max_iter=4, verbose=verbose, random_state=0)
    clf.fit(*data)
    out = capsys.readouterr().out
    assert out.splitlines()[:4] == [
        f"Iteration {k}, loss = {loss:.8f}" for k, loss in enumerate(clf.loss_curve_, 1)
    ]
    assert terminal.getvalue() == ""


def test_verbose_1_keeps_scikit_learns_lines(data, capsys):
    from sknn import MLPClassifier

    clf = MLPClassifier((8,), max_iter=4, verbose=1, random_state=0).fit(*data)
    out, err = capsys.readouterr()
    assert out.splitlines()[:4] == [
        f"Iteration {k}, loss = {loss:.8f}" for k, loss in enumerate(clf.loss_curve_, 1)
    ]
    assert "\r" not in err and "epoch" not in err


def test_verbose_with_progress_bar_messages_go_to_stdout(data, capsys, monkeypatch):
    from sknn import MLPClassifier

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    clf = MLPClassifier(
        (8,), max_iter=50, verbose=1, progress_bar=True, early_stopping=True,
        n_iter_no_change=1, tol=10.0, random_state=0,
    ).fit(*data)  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    # scikit-learn's lines, on stdout: per epoch the loss and validation score,
    # then the stopping message.
    assert out[:2] == [
        f"Iteration 1, loss = {clf.loss_curve_[0]:.8f}",
        f"Validation score: {clf.validation_scores_[0]:.6f}",
    ]
    assert out[-1] == (
        "Validation score did not improve more than tol=10.000000 for 1 "
        "consecutive epochs. Stopping."
    )
    assert len(out) == 2 * clf.n_iter_ + 1
    err = terminal.getvalue()
    assert re.search(r"\r +\r", err)  # the bar was cleared before each message
    assert "Iteration" not in err
    assert "stopped early" in err.splitlines()[-1]


def test_fitted_with_bar_and_verbose_pickles(data, capsys):
    """The loggers live only during a call: the fitted model pickles, and the
    unpickled one predicts the same and trains on with both still on."""
    from sknn import MLPClassifier

    clf = MLPClassifier(
        (8,), max_iter=3, batch_size=32, verbose=True, progress_bar=True,
        random_state=0,
    ).fit(*data)  # fmt: skip
    assert not any(
        isinstance(value, ProgressLogger | VerboseLogger)
        for value in vars(clf).values()
    )
    again = pickle.loads(pickle.dumps(clf))
    assert_same_model(again, clf)
    np.testing.assert_array_equal(
        again.predict_proba(data[0]), clf.predict_proba(data[0])
    )
    capsys.readouterr()
    again.partial_fit(*data)
    out, err = capsys.readouterr()
    assert out.startswith("Iteration 1, loss = ")  # n_iter_ counts per call
    assert err.splitlines()[-1].startswith("1 epoch in ")
