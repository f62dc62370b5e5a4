"""Every Python snippet of the documentation's pages runs on its own.

A reader copies one code block, not the page: each ```python block of the
Markdown pages under ``docs/`` (fenced blocks inside tables and lists too) runs
here alone, in a fresh namespace and an empty working directory. A block that
cannot run by design (it needs a Ray cluster, or shows another package's API)
starts with a ``# skip-test: <reason>`` line; one that needs an optional extra
that is not installed skips.
"""

import contextlib
import io
import os
import re
import textwrap
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[2] / "docs"
PAGES = sorted(
    p
    for p in DOCS.rglob("*.md")
    if not {"_build", "auto_examples", "generated"} & set(p.relative_to(DOCS).parts)
)
OPTIONAL = {"dask", "dask_ml", "distributed", "matplotlib", "onnx", "onnxruntime",
            "pandas", "rich", "skl2onnx", "skops"}  # fmt: skip
# A fence may follow list markers ("* - ```python" in a MyST list-table); its
# closing fence is indented to where the opening one starts.
FENCE = re.compile(
    r"^(?P<prefix>[ \t]*(?:(?:[*+-]|\d+[.)])[ \t]+)*)"
    r"(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)"
)


def code_blocks(text):
    """(first line number, language, code) of each fenced block of ``text``."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        width, fence = len(m["prefix"]), m["fence"]
        close = re.compile(rf"^[ \t]{{0,{width}}}{re.escape(fence)}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        code = textwrap.dedent("\n".join(lines[i + 1 : j])) + "\n"
        yield i + 2, m["info"].strip("{}").lower(), code
        i = j + 1


SNIPPETS = [
    pytest.param(code, id=f"{page.relative_to(DOCS).as_posix()}:{line}")
    for page in PAGES
    for line, language, code in code_blocks(page.read_text(encoding="utf-8"))
    if language in ("python", "py")
]


def test_the_pages_have_snippets():
    assert len(SNIPPETS) > 40
    assert any(p.name == "getting_started.md" for p in PAGES)


def test_code_blocks_parser():
    text = (
        "a\n```python\nx = 1\n```\n* - ```python\n    y = 2\n    ```\n~~~text\nz\n~~~\n"
    )
    assert list(code_blocks(text)) == [
        (3, "python", "x = 1\n"),
        (6, "python", "y = 2\n"),
        (9, "text", "z\n"),
    ]


@pytest.mark.parametrize("code", SNIPPETS)
def test_snippet_runs_on_its_own(code, tmp_path, monkeypatch):
    first = code.lstrip().splitlines()[0] if code.strip() else ""
    if first.startswith("# skip-test"):
        reason = first.partition(":")[2].strip()
        assert reason, "a skip-test marker says why: '# skip-test: <reason>'"
        pytest.skip(reason)
    monkeypatch.chdir(tmp_path)  # files a snippet writes (model.onnx) go here
    pytest.importorskip("matplotlib").use("Agg")
    namespace = {"__name__": "__main__"}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            exec(compile(code, "<snippet>", "exec"), namespace)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in OPTIONAL:
            pytest.skip(f"needs the optional package {exc.name}")
        raise
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    assert os.getcwd() == str(tmp_path)
