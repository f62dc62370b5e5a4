"""``BackupAndRestore``: resume a killed fit where it stopped, bit for bit.

The callback attaches with ``set_callbacks`` like scikit-learn's. During a
stochastic ``fit`` it writes the whole training state (:func:`capture`)
every ``save_every`` epochs, atomically, into ``directory``
(:mod:`sknn._backup_file`); a ``fit`` that returns removes it. A ``fit`` of
the same estimator on the same data that finds a backup continues from its
epoch: the random streams, optimiser, schedule, counters, curves, early
stopping's best epoch and batch order are put back, so the model is the one
an uninterrupted fit gives. ``partial_fit`` writes the estimator after
every call; :meth:`BackupAndRestore.restore` puts it back and says how many
calls it holds.
"""

import json
import os
import warnings

import numpy as np

from . import _version
from ._backup_file import (
    SLOTS,
    array_digest,
    differences,
    lock_directory,
    params_fingerprint,
    read_backups,
    remove_backups,
    stream_digest,
    unlock_directory,
    write_backup,
)
from ._fitted import InconsistentSknnVersionWarning
from ._plainstate import NotPlain, _Decoder, decode, encode, restore_into
from .core.callbacks import Callback

__all__ = ["BackupAndRestore", "BackupMismatchError", "BackupWarning"]

# Estimator attributes of scikit-learn's callback machinery: never backed up.
_CALLBACK_ATTRIBUTES = (
    "_skl_callbacks",
    "_callback_fit_ctx",
    "_skl_callbacks_to_teardown",
)


class BackupMismatchError(ValueError):
    """A backup belongs to another run: its parameters, data or starting model
    differ, another fit is using the directory, or the backup is malformed."""


#: What a well-formed file with a malformed state raises when it is read.
_MALFORMED = (LookupError, TypeError, ValueError, AttributeError, RecursionError)


def _malformed(directory, exc):
    return BackupMismatchError(
        f"The backup in {directory!r} passed its checksum but its state is "
        f"malformed ({type(exc).__name__}: {exc}), so it is not resumed: remove "
        f"{SLOTS[0]} and {SLOTS[1]} there to start afresh."
    )


class BackupWarning(UserWarning):
    """A damaged backup was skipped (the previous one is used, or none)."""


class BackupAndRestore:
    """Back up a fit's whole state to resume it after a crash, bit for bit.

    Attach it with ``est.set_callbacks(BackupAndRestore(directory))``.
    Every ``save_every`` epochs of a stochastic ``fit`` the estimator's
    training state is written atomically to ``directory`` (two alternating
    files, ``sknn-backup-0.npz`` and ``sknn-backup-1.npz``: a write cut
    short leaves the previous one). When a ``fit`` returns, the backup is
    removed. When the same estimator (same parameters) is fitted on the same
    data (and, with ``warm_start``, from the same fitted model) and finds a
    backup, it continues from the backed-up epoch, and the fitted model --
    ``coefs_``, ``intercepts_``, ``n_iter_``, ``t_``, every curve, ``best_*``
    and what ``verbose`` prints from that epoch on -- is the one of a fit
    that was never interrupted.

    A backup of another run is refused (:class:`BackupMismatchError`, saying
    what differs); a damaged one (checksum) is skipped with a
    :class:`BackupWarning` for the previous one. Backups are ``.npz``
    archives of arrays and JSON, never pickles; loading one imports and
    calls nothing it names (it builds sknn's own classes only). Another fit
    using the directory at the same time (a thread, a process, a clone
    sharing the callback) is refused: one run per directory.

    ``partial_fit`` writes the whole fitted estimator after every call; in a
    new process, :meth:`restore` loads it into an estimator with the same
    parameters and returns the number of calls it holds, so a stream skips
    the batches already learnt. ``solver="lbfgs"`` writes nothing: SciPy's
    L-BFGS cannot be continued mid-way, so a killed L-BFGS fit runs again
    from the start (and, being deterministic, gives the same model).

    Parameters
    ----------
    directory : str or path-like
        Where the backup is kept (created if needed). One run per directory.
    save_every : int, default=1
        Write a backup every ``save_every`` completed epochs.
    """

    # A handle on a directory, not model state: a model file (skops, the
    # plain state of a pickle) holds it only as a type the user must trust.
    _not_plain_data = True

    def __init__(self, directory, save_every=1):
        if int(save_every) != save_every or save_every < 1:
            raise ValueError(f"save_every must be an int >= 1, got {save_every!r}")
        self.directory = os.fspath(directory)
        self.save_every = int(save_every)
        self._sessions = {}  # id(estimator) -> [lock fd, _Session] of a fit
        self._stream = None  # (seq, n_calls) of this process's stream

    def __getstate__(self):  # a copy (joblib's workers) holds no fit's lock
        return {k: v for k, v in vars(self).items() if k != "_sessions"}

    def __setstate__(self, state):
        vars(self).update(state, _sessions={})

    def __repr__(self):
        return f"BackupAndRestore({self.directory!r}, save_every={self.save_every})"

    # -- scikit-learn's callback protocol ----------------------------------------

    def setup(self, estimator, context):
        os.makedirs(self.directory, exist_ok=True)
        try:
            fd = lock_directory(self.directory)
        except BlockingIOError:
            raise BackupMismatchError(
                f"Another fit is using the backup directory {self.directory!r} "
                "(one run per directory). Give each estimator its own "
                "BackupAndRestore(directory); scikit-learn's clone (GridSearchCV, "
                "cross_validate, ...) shares callbacks: attach none to an "
                "estimator that is cloned."
            ) from None
        self._sessions[id(estimator)] = [fd, None]

    def teardown(self, estimator, context):
        fd, _ = self._sessions.pop(id(estimator), (None, None))
        unlock_directory(self.directory, fd)

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context is not getattr(estimator, "_callback_fit_ctx", None):
            return None  # an epoch or a batch
        entry = self._sessions.get(id(estimator))
        session = None if entry is None else entry[1]
        if entry is not None:
            entry[1] = None
        if session is None:  # L-BFGS
            return None
        if session.incremental:
            self._write_stream(estimator, session)
        else:  # a fit that returns needs no backup
            remove_backups(self.directory)
        return None

    # -- partial_fit streams --------------------------------------------------

    def _write_stream(self, est, session):
        seq, n_calls = self._stream or (session.seq, 0)
        state = {
            k: v
            for k, v in vars(est).items()
            if k not in _CALLBACK_ATTRIBUTES and k not in est.get_params(deep=False)
        }
        try:
            tree, arrays = encode(state)
        except NotPlain as exc:
            raise TypeError(
                f"BackupAndRestore cannot write this model: {exc}"
            ) from None
        header = {
            "kind": "stream",
            "seq": seq + 1,
            "n_calls": n_calls + 1,
            "fingerprint": session.fingerprint,
        }
        write_backup(self.directory, (seq + 1) % 2, header, tree, arrays)
        self._stream = (seq + 1, n_calls + 1)

    def restore(self, estimator):
        """Load a ``partial_fit`` stream's backup into ``estimator``.

        Returns the number of ``partial_fit`` calls the backup holds (0, and
        ``estimator`` unchanged, if there is none). The estimator must have
        the backed-up run's parameters.
        """
        found = self._newest("stream", estimator, data=None)
        if found is None:
            self._stream = None
            return 0
        header, tree, arrays = found
        try:
            attributes = decode(tree, arrays)
            if not isinstance(attributes, dict) or not all(
                isinstance(key, str) for key in attributes
            ):
                raise TypeError("not a dict of attributes")
            n_calls, seq = int(header["n_calls"]), int(header["seq"])
        except _MALFORMED as exc:
            raise _malformed(self.directory, exc) from None
        for key in [k for k in vars(estimator) if k.endswith("_") or k.startswith("_")]:
            if key not in _CALLBACK_ATTRIBUTES and not key.startswith("__"):
                delattr(estimator, key)
        vars(estimator).update(attributes)
        self._stream = (seq, n_calls)
        return n_calls

    def clear(self):
        """Remove the backup (e.g. at the end of a ``partial_fit`` stream)."""
        remove_backups(self.directory)
        self._stream = None

    # -- reading --------------------------------------------------------------

    def _newest(self, kind, est, data, start=None, stream=None):
        """The newest valid backup ``(header, tree, arrays)`` or None; a
        backup of another run raises :class:`BackupMismatchError`."""
        if not os.path.isdir(self.directory):
            return None
        valid, damaged = read_backups(self.directory)
        for path, reason in damaged:
            fallback = (
                f"resuming from {os.path.basename(valid[0][0])}" if valid
                else "no usable backup is left; training starts from the beginning"
            )  # fmt: skip
            warnings.warn(
                f"Skipping the damaged backup {path} ({reason}); {fallback}.",
                BackupWarning,
                stacklevel=4,
            )
        if not valid:
            return None
        _, header, tree, arrays = valid[0]
        if header.get("sknn_version") != _version.__version__:
            warnings.warn(
                InconsistentSknnVersionWarning(
                    estimator_name=type(est).__name__,
                    current_sknn_version=_version.__version__,
                    original_sknn_version=header.get("sknn_version"),
                ),
                stacklevel=4,
            )
        current = {
            "kind": kind,
            "estimator": type(est).__name__,
            "params": params_fingerprint(est),
        }
        saved = dict(header.get("fingerprint", {}), kind=header.get("kind"))
        if data is not None:
            current.update(data=data, start=start, stream=stream)
        else:  # a stream: the data change from call to call
            saved.pop("data", None), saved.pop("start", None)
            saved.pop("stream", None)
        diff = differences(saved, current)
        if diff:
            raise BackupMismatchError(
                f"The backup in {self.directory!r} was written by another run, so "
                "it is not resumed: " + "; ".join(diff) + ". Fit with the backed-up "
                "run's parameters and data, or use another directory (or remove "
                f"{SLOTS[0]} and {SLOTS[1]} there) to start afresh."
            )
        return header, tree, arrays

    # -- the fit's side -------------------------------------------------------

    def _open(self, est, net, state, X, y, sample_weight, validation, rng, incremental):
        """The loop callback for one stochastic training call (see _solvers)."""
        data = {"X": array_digest(X), "y": array_digest(y)}
        data["sample_weight"] = array_digest(sample_weight)
        names = ("X_val", "Y_val", "y_val", "sample_weight_val")
        for name, part in zip(names, validation or ()):
            if name != "Y_val":  # encoded from y_val
                data[name] = array_digest(part)
        fresh = state.t == 0 and not state.loss_curve
        start = (
            "fresh" if fresh else array_digest(np.concatenate([net.params, net.stats]))
        )
        start = None if fresh else f"{start} t={state.t}"
        fingerprint = {
            "estimator": type(est).__name__,
            "params": params_fingerprint(est),
            "data": data,
            "start": start,
            "stream": stream_digest(est, rng),
        }
        if incremental:
            if self._stream is None:
                found = self._newest("stream", est, data=None)
                if found is not None:
                    raise BackupMismatchError(
                        f"{self.directory!r} holds the backup of a partial_fit "
                        f"stream ({found[0]['n_calls']} calls): call "
                        "restore(estimator) to continue it, or clear() to start afresh."
                    )
            session = _Session(self, fingerprint, None, incremental=True)
        else:
            found = self._newest(
                "fit", est, data=data, start=start, stream=fingerprint["stream"]
            )
            session = _Session(self, fingerprint, found, incremental=False)
            if found is not None:
                try:
                    session.resume_entry(rng)
                except _MALFORMED as exc:
                    raise _malformed(self.directory, exc) from None
        self._sessions.setdefault(id(est), [None, None])[1] = session
        return session


class _Session(Callback):
    """One training call's backups: resumes at train begin, writes at the
    start of epochs (when the last epoch, schedule step included, is done)."""

    def __init__(self, owner, fingerprint, found, incremental):
        self.owner, self.fingerprint = owner, fingerprint
        self.incremental = incremental
        self.found = found
        self.seq = 0  # the backed-up run's, once resume_entry has read it
        self.rng = self.noise_rng = self.entry = None
        self.first_epoch = 0

    def resume_entry(self, rng):
        """Rewind ``rng`` to where the backed-up call started (before the
        validation split and the dropout seed are drawn)."""
        header, tree, arrays = self.found
        self.seq = int(header["seq"])
        self.decoder = _Decoder(arrays)
        self.node = dict(json.loads(tree)["__dict__"])  # the captured dict's items
        rng.set_state(self.decoder(self.node["entry"]))

    def bind(self, rng, noise_rng, entry):
        self.rng, self.noise_rng, self.entry = rng, noise_rng, entry

    def on_train_begin(self, net, state):
        if self.found is None:
            return
        try:
            self._restore(net, state)
        except _MALFORMED as exc:
            raise _malformed(self.owner.directory, exc) from None
        self.first_epoch = state.n_iter
        self.found = self.node = self.decoder = None

    def _restore(self, net, state):
        node, decoder = self.node, self.decoder
        for name in ("params", "stats"):
            live, saved = getattr(net, name), decoder(node[name])
            if saved.shape != live.shape or saved.dtype != live.dtype:
                raise ValueError(f"{name} of shape {saved.shape} and {saved.dtype}")
            np.copyto(live, saved)
        restore_into(state, node["state"], decoder)
        order = decoder(node["order"])
        if order is not None:
            state.__dict__.setdefault("_batch_buffers", {})["order"] = order
        self.rng.set_state(decoder(node["rng"]))
        if self.noise_rng is not None:
            self.noise_rng.bit_generator.state = decoder(node["noise_rng"])

    def on_epoch_begin(self, net, state):
        if self.incremental or state.n_iter <= self.first_epoch:
            return
        if state.n_iter % self.owner.save_every:
            return
        order = state.__dict__.get("_batch_buffers", {}).get("order")
        captured = {
            "entry": self.entry,
            "params": net.params,
            "stats": net.stats,
            "state": state,
            "order": order,
            "rng": self.rng.get_state(),
            "noise_rng": None
            if self.noise_rng is None
            else self.noise_rng.bit_generator.state,
        }
        tree, arrays = encode(captured)
        header = {
            "kind": "fit",
            "seq": self.seq + 1,
            "epoch": state.n_iter,
            "fingerprint": self.fingerprint,
        }
        write_backup(self.owner.directory, (self.seq + 1) % 2, header, tree, arrays)
        self.seq += 1


def backup_session(est, net, state, X, y, sample_weight, validation, rng, incremental):
    """The loop callback of the estimator's ``BackupAndRestore`` (set up for
    this call), or None."""
    for callback in getattr(est, "_skl_callbacks_to_teardown", ()):
        if isinstance(callback, BackupAndRestore):
            return callback._open(
                est, net, state, X, y, sample_weight, validation, rng, incremental
            )
    return None
