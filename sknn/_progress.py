"""What a fit prints: scikit-learn's verbose lines and the progress bar.

The training loop (:func:`~sknn.core.training.fit_stochastic`) prints nothing
itself; the estimators add these callbacks (:mod:`sknn.core.callbacks`) to it:
:class:`VerboseLogger` for ``verbose=True`` (scikit-learn's per-epoch lines on
standard output, byte for byte) and :class:`ProgressLogger` for
``progress_bar=True`` (a bar on standard error). They are presentation, so they
live in the estimator layer, not in the NumPy core.
"""

import sys
import time

import numpy as np

from .core.callbacks import Callback

__all__ = ["ProgressLogger", "VerboseLogger"]


class VerboseLogger(Callback):
    """scikit-learn's per-epoch lines: the loss and, if any, the validation score."""

    def __init__(self, log=print):
        self.log = log

    def on_epoch_end(self, net, state):
        self.log(f"Iteration {state.n_iter}, loss = {state.loss:.8f}")
        if state.validation_scores:
            self.log(f"Validation score: {state.validation_scores[-1]:f}")
        return False


def _clock_time(seconds):
    """``m:ss`` or ``h:mm:ss``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


class ProgressLogger(Callback):
    """A text progress bar over epochs and batches (``progress_bar=True``).

    On a terminal, one line on ``stream`` (standard error by default), redrawn
    in place with carriage returns::

        epoch 3/10 [#####...............] batch 45/157 loss 0.512345 ETA 0:30

    The bar and the ETA cover the whole run (``n_epochs`` x ``n_batches``
    batches; with early stopping the ETA is an upper bound). With
    ``last_epoch`` (a fit's ``max_iter``) the run ends there instead: a fit
    resumed from a backup (``sknn.BackupAndRestore``) after epoch 4 of 12
    shows ``epoch 5/12``, its bar over the 8 epochs left; ``loss`` is the
    training loss of the last completed epoch, followed by the last
    validation score if there is one. The line is redrawn at most once every
    ``min_interval`` seconds: between redraws a batch costs one call of
    ``clock`` and a comparison. Training ends the line with a newline and
    writes a one-line summary. When ``stream`` is not a terminal (a log
    file, a pipe) nothing is redrawn: each drawing is a plain line of its
    own, at most one every ``plain_interval`` seconds, so logs hold no
    carriage returns.

    ``write(message)`` clears the bar and passes ``message`` to ``log``
    (``print``), so that other messages (the stopping rule's) do not land in
    the middle of the bar.
    """

    wants_batches = True

    def __init__(
        self,
        n_epochs,
        n_batches,
        *,
        stream=None,
        min_interval=0.1,
        plain_interval=10.0,
        width=20,
        clock=time.monotonic,
        log=print,
        last_epoch=None,
    ):
        self.n_epochs = n_epochs
        self.last_epoch = last_epoch
        self.n_batches = n_batches
        self.stream = stream
        self.min_interval = min_interval
        self.plain_interval = plain_interval
        self.width = width
        self.clock = clock
        self.log = log
        self.n_redraws = 0
        self._line_length = 0  # length of the bar on screen; 0: none drawn
        self._next_draw = float("-inf")

    def on_train_begin(self, net, state):
        self._out = sys.stderr if self.stream is None else self.stream
        isatty = getattr(self._out, "isatty", None)
        self._terminal = bool(isatty and isatty())
        self._interval = (
            self.min_interval
            if self._terminal
            else max(self.min_interval, self.plain_interval)
        )
        self._first_epoch = state.n_iter  # > 0 when partial_fit continues
        self._last_epoch = (
            self._first_epoch + self.n_epochs
            if self.last_epoch is None
            else self.last_epoch
        )
        self._epoch = state.n_iter + 1
        self._line_length = 0
        self._start = self.clock()
        self._next_draw = self._start  # the first batch draws
        self._first_draw = None  # (time, batches done): the ETA's origin

    def on_epoch_begin(self, net, state):
        self._epoch = state.n_iter + 1

    def on_batch_end(self, net, state, batch):
        now = self.clock()
        if now >= self._next_draw:
            self._draw(state, batch + 1, now)

    def on_epoch_end(self, net, state):
        now = self.clock()
        if now >= self._next_draw:
            self._draw(state, self.n_batches, now)
        return False

    def on_train_end(self, net, state):
        now = self.clock()
        epochs = state.n_iter - self._first_epoch
        if epochs:  # the completed state, then the summary
            self._epoch = state.n_iter
            self._draw(state, self.n_batches, now, final=True)
        elapsed = now - self._start
        summary = (
            f"{epochs} epoch{'s' if epochs != 1 else ''} in {_clock_time(elapsed)}"
        )
        if epochs:
            summary += f" ({elapsed / epochs:.3g} s/epoch)"
        if state.loss is not None:
            summary += f", loss {state.loss:.6f}"
        if state.validation_scores:
            scores = state.validation_scores
            best = int(np.argmax(scores))
            summary += f", best validation score {scores[best]:.6f} at epoch {best + 1}"
        if state.stopped_early:
            summary += ", stopped early"
        newline = self._terminal and self._line_length
        self._out.write(("\n" if newline else "") + summary + "\n")
        self._out.flush()
        self._line_length = 0

    def write(self, message):
        """Clear the bar, then ``log(message)``; the next batch redraws it."""
        if self._line_length and self._terminal:
            self._out.write("\r" + " " * self._line_length + "\r")
            self._out.flush()
            self._line_length = 0
        self._next_draw = float("-inf")
        self.log(message)

    def _draw(self, state, batch, now, final=False):
        done_epochs = self._epoch - 1 - self._first_epoch
        done = done_epochs * self.n_batches + batch
        total = max((self._last_epoch - self._first_epoch) * self.n_batches, 1)
        fraction = min(done / total, 1.0)
        filled = int(self.width * fraction)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = now - self._start
        if self._first_draw is None:
            # The rate is measured from here: the first batch, which pays for
            # warming up (threads, caches), would distort it.
            self._first_draw = (now, done)
        since, done_then = self._first_draw
        if final or done >= total:
            eta = "done"
        elif done > done_then:
            eta = (now - since) * (total - done) / (done - done_then)
            eta = "ETA " + _clock_time(eta)
        else:
            eta = "ETA ?"
        loss = "--" if state.loss is None else f"{state.loss:.6f}"
        line = (
            f"epoch {self._epoch}/{self._last_epoch} [{bar}] "
            f"batch {batch}/{self.n_batches} loss {loss}"
        )
        if state.validation_scores:
            line += f" val {state.validation_scores[-1]:.4f}"
        line += f" {_clock_time(elapsed)} {eta}"
        if self._terminal:
            padding = " " * max(self._line_length - len(line), 0)
            self._out.write("\r" + line + padding)
        else:
            self._out.write(line + "\n")
        self._out.flush()
        self._line_length = len(line)
        self._next_draw = now + self._interval
        self.n_redraws += 1
