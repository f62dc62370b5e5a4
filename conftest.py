"""pytest configuration for the whole run: ``tests/`` and the doctests of ``sknn``.

A doctest that imports a package of an optional extra (matplotlib for
``LossCurveDisplay``, ...) skips when that package is not installed, as the
tests of ``tests/`` do with ``pytest.importorskip``: an install with only the
``test`` extra passes. In CI the doctests run from the installed wheel, so this
hook lives here, at the root of the run, not in the package.
"""

import importlib.util
import re

import pytest

_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_]\w*)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        dtest = getattr(item, "dtest", None)  # a DoctestItem
        if dtest is None:
            continue
        for example in dtest.examples:
            match = _IMPORT.match(example.source)
            if match and importlib.util.find_spec(match.group(1)) is None:
                reason = f"the doctest needs {match.group(1)} (an optional extra)"
                item.add_marker(pytest.mark.skip(reason=reason))
                break
