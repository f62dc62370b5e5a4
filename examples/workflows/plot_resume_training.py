"""
Resuming a killed training process, bit for bit
===============================================

:class:`sknn.BackupAndRestore` writes the whole training state (weights,
optimiser moments, learning-rate schedule, counters and curves, the random
streams, the order of the batches) to a directory after every epoch, atomically.
If the process dies -- an out-of-memory kill, a pre-empted machine,
``kill -9`` -- the same ``fit`` run again with the same backup continues from
the last completed epoch, and the model is the one an uninterrupted fit gives,
to the last bit. A fit that returns removes its backup.

Here a training process is started, killed with ``SIGKILL`` once it has written
a backup, and the fit is then run again in this process. See
:doc:`/guide/persistence` for what is saved and what is refused.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sknn import BackupAndRestore, MLPClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
PARAMS = dict(hidden_layer_sizes=(64,), max_iter=40, tol=0.0, dropout=0.1,
              learning_rate_init=0.003, random_state=0)  # fmt: skip
backup_dir = Path(tempfile.mkdtemp(prefix="sknn-backup-"))

# %%
# The training process: the same script would run on a cluster node. It is
# killed (``SIGKILL``: no clean-up, no ``finally``) once a backup exists.
TRAIN = f"""
import warnings; warnings.simplefilter("ignore")
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sknn import BackupAndRestore, MLPClassifier
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
clf = MLPClassifier(**{PARAMS!r})
clf.set_callbacks(BackupAndRestore({str(backup_dir)!r})).fit(X, y)
"""
process = subprocess.Popen([sys.executable, "-c", TRAIN])
deadline = time.monotonic() + 60
while not list(backup_dir.glob("*.npz")) and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(0.1)  # a few more epochs
process.kill()  # SIGKILL
process.wait()

# A backup is an .npz archive of arrays and a JSON header (no pickle).
headers = []
for path in backup_dir.glob("*.npz"):
    with np.load(path, allow_pickle=False) as archive:
        headers.append(json.loads(archive["__header__"].tobytes()))
killed_at = max(h["epoch"] for h in headers)
print(f"Training process killed (exit code {process.returncode}); the newest "
      f"backup holds epoch {killed_at} of {PARAMS['max_iter']}.")  # fmt: skip

# %%
# Run the same fit again with the same backup: it continues from that epoch.
# A reference fit runs without interruption.
resumed = MLPClassifier(**PARAMS).set_callbacks(BackupAndRestore(backup_dir))
resumed.fit(X, y)
reference = MLPClassifier(**PARAMS).fit(X, y)
largest = max(
    float(np.max(np.abs(a - b)))
    for a, b in zip(resumed.coefs_ + resumed.intercepts_,
                    reference.coefs_ + reference.intercepts_)
)  # fmt: skip
print(f"Largest weight difference to the uninterrupted fit: {largest}")
print(f"Same loss curve: {resumed.loss_curve_ == reference.loss_curve_}; "
      f"n_iter_ {resumed.n_iter_}, t_ {resumed.t_}; "
      f"backup left: {sorted(p.name for p in backup_dir.iterdir())}")  # fmt: skip
backup_dir.rmdir()  # empty: the resumed fit removed its backup

# %%
# The two loss curves lie on each other: the resumed run continued the first
# one's epochs, dropout masks and batch order exactly.
fig, ax = plt.subplots(figsize=(6, 3.5))
epochs = np.arange(1, len(reference.loss_curve_) + 1)
ax.plot(epochs, reference.loss_curve_, lw=4, alpha=0.4, label="uninterrupted")
ax.plot(epochs, resumed.loss_curve_, "k--", lw=1, label="killed, then resumed")
ax.axvline(
    killed_at, color="tab:red", lw=1, label=f"killed (backup: epoch {killed_at})"
)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
fig.tight_layout()
