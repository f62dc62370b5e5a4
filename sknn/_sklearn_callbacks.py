"""scikit-learn's callback API (``sklearn.callback``) on sknn's training loop.

sknn's loop has callbacks of its own (:mod:`sknn.core.callbacks`); this
bridge is one of them. It opens one callback context per epoch and, inside
it, one per mini-batch, so scikit-learn's ``ProgressBar`` shows epochs and
batches. Only epoch and fit ends carry a ``fitted_estimator`` (built lazily,
only if a callback asks), so a ``ScoringMonitor`` scores once per epoch. A
callback returning True from ``on_fit_task_end`` stops training after the
epoch.
"""

import copy

from .core.callbacks import Callback

__all__ = ["SklearnCallbackBridge"]


class SklearnCallbackBridge(Callback):
    """Forward the loop's epoch and batch events to ``sklearn.callback`` hooks."""

    wants_batches = True

    def __init__(self, estimator, root, X, y, metadata, n_batches, fitted):
        self.estimator = estimator
        self.root = root
        self.X, self.y, self.metadata = X, y, metadata
        self.n_batches = n_batches
        self.fitted = fitted  # net -> attributes of a fitted estimator
        self.epoch_ctx = self.batch_ctx = None

    def _attributes(self, net):
        return lambda: self.fitted(copy.deepcopy(net))

    def on_epoch_begin(self, net, state):
        self.epoch_ctx = self.root.subcontext(
            task_name="epoch", max_subtasks=self.n_batches
        )
        self.epoch_ctx.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )
        self._begin_batch()

    def _begin_batch(self):
        self.batch_ctx = self.epoch_ctx.subcontext(task_name="batch")
        self.batch_ctx.call_on_fit_task_begin(estimator=self.estimator)

    def on_batch_end(self, net, state, batch):
        self.batch_ctx.call_on_fit_task_end(estimator=self.estimator)
        if batch + 1 < self.n_batches:
            self._begin_batch()

    def on_epoch_end(self, net, state):
        return self.epoch_ctx.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=self._attributes(net),
        )
