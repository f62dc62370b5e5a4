"""``sknn.core.callbacks``: the names that moved out of the core still work, with
a warning, and the core imports nothing from the estimator layer to serve them."""

import subprocess
import sys

import pytest

import sknn.core.callbacks as callbacks


@pytest.mark.parametrize("name", ["ProgressLogger", "VerboseLogger"])
def test_moved_loggers_warn_and_come_from_the_estimator_layer(name):
    from sknn import _progress

    with pytest.warns(
        FutureWarning, match=rf"sknn.core.callbacks.{name} is deprecated"
    ):
        moved = getattr(callbacks, name)
    assert moved is getattr(_progress, name)
    assert name not in callbacks.__all__


def test_from_import_of_a_moved_logger_warns():
    with pytest.warns(FutureWarning, match="will be removed in sknn 0.3"):
        from sknn.core.callbacks import ProgressLogger  # noqa: F401


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        callbacks.Nothing  # noqa: B018


# ``import sknn.core`` runs ``sknn/__init__.py`` first, which imports the
# estimators; an empty stand-in for the parent package shows what the core alone
# imports.
_CORE_ALONE = """
import importlib.util, sys, types
parent = types.ModuleType("sknn")
parent.__path__ = list(importlib.util.find_spec("sknn").submodule_search_locations)
sys.modules["sknn"] = parent
import sknn.core, sknn.core.callbacks
print(" ".join(sorted(m for m in sys.modules if m.startswith(("sknn", "sklearn")))))
"""


def test_the_core_imports_no_estimator_module():
    out = subprocess.run(
        [sys.executable, "-c", _CORE_ALONE], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "sknn.core.callbacks" in out
    assert [m for m in out if m != "sknn" and not m.startswith("sknn.core")] == []
