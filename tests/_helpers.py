"""Helpers shared by the estimator tests."""

import subprocess
import sys
import types

import numpy as np

_NOT_COMPARED_BY_ATTRIBUTES = (types.FunctionType, types.MethodType, type)


# ``import sknn.core`` runs ``sknn/__init__.py`` first, which imports the
# estimators; an empty stand-in for the parent package shows what the core alone
# imports.
_CORE_ALONE = """
import importlib.util, sys, types
parent = types.ModuleType("sknn")
parent.__path__ = list(importlib.util.find_spec("sknn").submodule_search_locations)
sys.modules["sknn"] = parent
import sknn.core, {modules}
print(" ".join(sorted(m for m in sys.modules if m.startswith(("sknn", "sklearn")))))
"""


def core_alone_imports(*modules):
    """The sknn and scikit-learn modules a fresh interpreter holds after importing
    ``sknn.core`` and ``modules`` without ``sknn/__init__.py``."""
    code = _CORE_ALONE.format(modules=", ".join(modules))
    return subprocess.run(
        [sys.executable, "-c", code],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip


def fitted_state(est):
    """Everything a fit may change: attributes and a copy of every parameter."""
    state = {k: v for k, v in vars(est).items() if not k.startswith("_network")}
    return state, est._network.params.copy()


def assert_unchanged(est, before):
    state, params = before
    np.testing.assert_array_equal(est._network.params, params)
    assert {k for k in vars(est) if not k.startswith("_network")} == set(state)
    for key, value in state.items():
        assert vars(est)[key] is value, key


def assert_deep_equal(a, b, path="value"):
    """``a`` and ``b`` are equal all the way down: arrays (values and dtypes),
    dicts, lists, tuples, NaN, and objects (by type and attributes, work
    buffers ``_work*`` excepted). ``path`` names the place of a difference."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert type(a) is type(b) and a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_deep_equal(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_deep_equal(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), path
    elif hasattr(a, "__dict__") and not isinstance(a, _NOT_COMPARED_BY_ATTRIBUTES):
        assert type(a) is type(b), path
        keys = {k for k in vars(a) if not k.startswith("_work")}
        assert keys == {k for k in vars(b) if not k.startswith("_work")}, path
        for key in sorted(keys):
            assert_deep_equal(vars(a)[key], vars(b)[key], f"{path}.{key}")
    else:
        assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


def assert_same_model(a, b):
    """Two estimators hold the same model and the same training state: every
    attribute (scikit-learn callbacks aside) equal all the way down, among
    them ``_state`` (optimiser, schedule, counters, curves), and the same
    parameters and batch norm statistics."""
    skip = {"_network", "_skl_callbacks"}
    keys = set(vars(a)) - skip
    assert keys == set(vars(b)) - skip
    for key in sorted(keys):
        assert_deep_equal(vars(a)[key], vars(b)[key], key)
    for name in ("params", "stats"):
        assert_deep_equal(getattr(a._network, name), getattr(b._network, name), name)


class ScriptedCallback:
    """A scikit-learn callback that presses Ctrl-C at the end of batch
    ``interrupt_at_batch`` or of epoch ``interrupt_at_epoch``, or stops training
    cleanly after epoch ``stop_after`` (all 1-based, counted within one call)."""

    def __init__(self, interrupt_at_batch=None, interrupt_at_epoch=None,
                 stop_after=None):  # fmt: skip
        self.interrupt_at_batch = interrupt_at_batch
        self.interrupt_at_epoch = interrupt_at_epoch
        self.stop_after = stop_after
        self.batches = self.epochs = 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "batch":
            self.batches += 1
            if self.batches == self.interrupt_at_batch:
                raise KeyboardInterrupt
        if context.task_name == "epoch":
            self.epochs += 1
            if self.epochs == self.interrupt_at_epoch:
                raise KeyboardInterrupt
            return self.epochs == self.stop_after
        return False
