"""``sknn.core.callbacks``: the core imports nothing from the estimator layer."""

from _helpers import core_alone_imports


def test_the_core_imports_no_estimator_module():
    out = core_alone_imports("sknn.core.callbacks")
    assert "sknn.core.callbacks" in out
    assert [m for m in out if m != "sknn" and not m.startswith("sknn.core")] == []
