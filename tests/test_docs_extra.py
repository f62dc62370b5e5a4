"""``pip install -e ".[docs]" && bash docs/build.sh`` works (issue 22, item 8):
the gallery runs every example, so the ``docs`` extra must provide every
package an example imports."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.py"))
# Imported at run time by what an example calls, not by an import statement.
CALLS = {"ProgressBar(": "rich"}


def _name(requirement):
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def _extra(name, project):
    """The distributions of extra ``name``, its self-references expanded."""
    out = set()
    for req in project["optional-dependencies"][name]:
        if _name(req) == project["name"]:
            for sub in re.search(r"\[(.*)\]", req).group(1).split(","):
                out |= _extra(sub.strip(), project)
        else:
            out.add(_name(req))
    return out


def _normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PROVIDED = {
    _normalise(n)
    for n in _extra("docs", PROJECT) | {_name(r) for r in PROJECT["dependencies"]}
}


_DISTRIBUTIONS = packages_distributions()  # import name -> distributions


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_docs_extra_provides_what_each_example_needs(path):
    dists = _DISTRIBUTIONS
    needed = set()
    for module in _imports(path):
        if module in sys.stdlib_module_names or module == "sknn":
            continue
        needed |= {_normalise(d) for d in dists.get(module, [module])}
    text = path.read_text()
    needed |= {dist for call, dist in CALLS.items() if call in text}
    if "sknn.onnx" in text or "to_onnx" in text:
        needed |= {"skl2onnx", "onnx"}  # what sknn.onnx imports
    # Dependencies of scikit-learn that it always installs.
    needed -= {"threadpoolctl"}
    assert needed <= PROVIDED, sorted(needed - PROVIDED)
