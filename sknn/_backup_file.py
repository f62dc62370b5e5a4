"""The backup file: two slots of ``.npz`` archives, written atomically.

A backup is one ``.npz`` archive (``numpy.load(path, allow_pickle=False)``
opens it) holding ``__header__`` (JSON, as bytes), ``__tree__`` (the state's
JSON tree, see :mod:`sknn._plainstate`) and the state's arrays. The header
carries the format version, the sknn version, the kind (``"fit"`` or
``"stream"``), a sequence number, the fingerprint of the run (parameters,
data, starting model) and a SHA-256 checksum of the tree and the arrays
(their names, dtypes, shapes and bytes).

Writes alternate between two slots, so the previous good backup survives a
write that is cut short: a new backup goes to a temporary file in the same
directory, which is flushed, ``fsync``-ed and renamed over the older slot
(``os.replace``), and the directory is ``fsync``-ed. Reading checks every
slot and takes the valid one with the highest sequence number.
"""

import hashlib
import json
import os
import signal
import time
import zipfile

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; one fit per directory unchecked
    fcntl = None

from . import _version

__all__ = [
    "FORMAT_VERSION",
    "LOCK",
    "SLOTS",
    "lock_directory",
    "read_backups",
    "remove_backups",
    "unlock_directory",
    "write_backup",
]

FORMAT = "sknn-backup"
FORMAT_VERSION = 1
SLOTS = ("sknn-backup-0.npz", "sknn-backup-1.npz")
#: Held (``flock``) by the fit using the directory; removed when it ends.
LOCK = "sknn-backup.lock"
_TEST_HOOK = "_SKNN_BACKUP_TEST_HOOK"  # tests only: "kill:<n>" or "sleep:<s>"
_writes = [0]  # writes in this process, for the test hook


def _contiguous(a):
    if a.flags.c_contiguous:
        return a
    return a.T if a.flags.f_contiguous else np.ascontiguousarray(a)


def checksum(tree, arrays):
    """SHA-256 of the tree and of every array's name, layout and bytes."""
    h = hashlib.sha256(tree.encode())
    for name in sorted(arrays):
        a = arrays[name]
        meta = [name, a.dtype.str, list(a.shape), bool(a.flags.f_contiguous)]
        h.update(json.dumps(meta).encode())
        h.update(memoryview(_contiguous(a)).cast("B"))
    return h.hexdigest()


def _fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _test_hook(stage):
    hook = os.environ.get(_TEST_HOOK)
    if not hook:
        return
    kind, _, value = hook.partition(":")
    if kind == "kill" and stage == "written" and _writes[0] == int(value):
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "sleep" and stage == "half":
        time.sleep(float(value))


def write_backup(directory, slot, header, tree, arrays):
    """Write a backup into ``SLOTS[slot]`` atomically; returns its path."""
    _writes[0] += 1
    header = dict(header, checksum=checksum(tree, arrays))
    header.update(format=FORMAT, format_version=FORMAT_VERSION)
    header["sknn_version"] = _version.__version__
    path = os.path.join(directory, SLOTS[slot])
    tmp = f"{path}.tmp-{os.getpid()}"
    payload = {
        "__header__": np.frombuffer(json.dumps(header).encode(), np.uint8),
        "__tree__": np.frombuffer(tree.encode(), np.uint8),
        **arrays,
    }
    try:
        with open(tmp, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
                for i, (name, array) in enumerate(payload.items()):
                    if i == len(payload) // 2:
                        _test_hook("half")
                    with z.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        _test_hook("written")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)
    return path


def _read(path):
    """``(header, tree, arrays)`` of one backup; raises ValueError if damaged."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"unreadable ({type(exc).__name__}: {exc})") from None
    try:
        header = json.loads(arrays.pop("__header__").tobytes().decode())
        tree = arrays.pop("__tree__").tobytes().decode()
    except (KeyError, ValueError) as exc:
        raise ValueError(f"no valid header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("not an sknn backup")
    if header.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"backup format {header.get('format_version')}, this sknn reads "
            f"{FORMAT_VERSION}"
        )
    if checksum(tree, arrays) != header.get("checksum"):
        raise ValueError("checksum mismatch: the file is damaged")
    return header, tree, arrays


def read_backups(directory):
    """``(valid, damaged)``: valid backups ``(path, header, tree, arrays)``,
    newest first, and ``(path, reason)`` for damaged slots."""
    valid, damaged = [], []
    for name in SLOTS:
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            continue
        try:
            valid.append((path, *_read(path)))
        except ValueError as exc:
            damaged.append((path, str(exc)))
    valid.sort(key=lambda item: item[1].get("seq", -1), reverse=True)
    return valid, damaged


def remove_backups(directory):
    """Remove both slots and any temporary file left by a cut write."""
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        if name in SLOTS or name.startswith(tuple(s + ".tmp-" for s in SLOTS)):
            try:
                os.remove(os.path.join(directory, name))
            except FileNotFoundError:
                pass
    _fsync_directory(directory)


def lock_directory(directory):
    """Hold ``directory`` for one fit: an open, ``flock``-ed file descriptor
    (None without ``fcntl`` or on a file system without locks). Raises
    BlockingIOError if another fit (another process, or another thread)
    holds it. The kernel releases the lock when the process dies, so a
    killed fit leaves no stale lock.
    """
    if fcntl is None:
        return None
    path = os.path.join(directory, LOCK)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BlockingIOError(f"{path} is locked") from None
        except OSError:  # a file system without locks (some network mounts)
            os.close(fd)
            unlock_directory(directory, None, remove=True)
            return None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # removed by its holder meanwhile: lock the new file


def unlock_directory(directory, fd, remove=False):
    """Release :func:`lock_directory`'s lock and remove the lock file."""
    if fd is None and not remove:
        return
    try:
        os.remove(os.path.join(directory, LOCK))
    except FileNotFoundError:
        pass
    finally:
        if fd is not None:
            os.close(fd)


# -- fingerprints -------------------------------------------------------------

#: Parameters that change what a fit prints, not what it computes.
_NOT_FINGERPRINTED = ("verbose", "progress_bar")


def _describe(value):
    """A description of a parameter value that is the same in every process."""
    if isinstance(value, np.random.RandomState):
        return "RandomState (its state at the call's start is in the backup)"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def params_fingerprint(est):
    params = est.get_params(deep=False)
    return {
        name: _describe(value)
        for name, value in sorted(params.items())
        if name not in _NOT_FINGERPRINTED
    }


def array_digest(a):
    """``"<kind> <dtype> <shape> sha256:<hex>"`` of an array (dense or
    sparse): the SHA-256 of its dtype, shape and values, after words that
    say how two arrays differ."""
    if a is None:
        return None
    h = hashlib.sha256()
    if hasattr(a, "tocsr") and not isinstance(a, np.ndarray):
        a = a.tocsr()
        h.update(f"sparse {a.shape}".encode())
        parts, kind = (a.data, a.indices, a.indptr), "sparse"
    else:
        a = np.asarray(a)
        parts, kind = (a,), "dense"
    for part in parts:
        h.update(f"{part.dtype.str} {part.shape}".encode())
        h.update(memoryview(np.ascontiguousarray(part)).cast("B"))
    shape = "x".join(map(str, a.shape))
    return f"{kind} {a.dtype} {shape} sha256:{h.hexdigest()}"


def _data_difference(name, old, new):
    old_words, new_words = (
        "none" if d is None else str(d).partition(" sha256:")[0] for d in (old, new)
    )
    if old_words != new_words:
        return f"data {name}: {old_words} (now {new_words})"
    return f"data {name} differs (the same shape and dtype, other values)"


def stream_digest(est, rng):
    """The state of a ``RandomState`` given as ``random_state`` when the call
    starts (None for an int, always the same stream, and for None, NumPy's
    global stream, which a resume rewinds to the backed-up run's)."""
    if not isinstance(est.random_state, np.random.RandomState):
        return None
    _, keys, pos, has_gauss, gauss = rng.get_state()
    return f"{array_digest(keys)} pos={pos} gauss={has_gauss}:{gauss!r}"


def differences(saved, current):
    """What differs between two fingerprints, in words."""
    out = []
    if saved.get("kind") != current.get("kind"):
        out.append(
            f"the backup is of a {saved.get('kind')!r} run, this is a "
            f"{current.get('kind')!r} run"
        )
    if saved.get("estimator") != current.get("estimator"):
        out.append(f"estimator {saved.get('estimator')} (now {current['estimator']})")
    old, new = saved.get("params", {}), current["params"]
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            out.append(f"parameter {name}: {old.get(name)} (now {new.get(name)})")
    old, new = saved.get("data", {}), current.get("data", {})
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            out.append(_data_difference(name, old.get(name), new.get(name)))
    if saved.get("stream") != current.get("stream"):
        out.append(
            "parameter random_state: a RandomState in another state than the "
            "backed-up run's (give it the one that run was given: the same seed)"
        )
    if saved.get("start") != current.get("start"):
        out.append(
            "the model the fit starts from differs (warm_start: another fitted "
            "model, or none)"
        )
    return out
