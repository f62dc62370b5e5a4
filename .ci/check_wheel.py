"""Fail when the wheel does not hold exactly the package's files.

    python .ci/check_wheel.py dist/sknn_mlp-*.whl

Every file under ``sknn/`` that git tracks (modules and any package data) must
be in the wheel's RECORD, and the wheel must hold nothing else under ``sknn/``
(a stale ``build/`` directory once leaked removed modules into wheels). The
license file and the version (``sknn/_version.py``) are checked too.
"""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def source_files():
    try:
        out = subprocess.run(
            ["git", "ls-files", "sknn"], cwd=ROOT, check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        files = set(out.split())
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        files = set()
    if not files:
        files = {
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / "sknn").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
    return files


def main(wheel):
    with zipfile.ZipFile(wheel) as zf:
        (record_name,) = [n for n in zf.namelist() if n.endswith(".dist-info/RECORD")]
        record = zf.read(record_name).decode()
        metadata = zf.read(record_name.replace("RECORD", "METADATA")).decode()
    in_wheel = {line.split(",")[0] for line in record.splitlines() if line}
    package = {name for name in in_wheel if name.startswith("sknn/")}
    source = source_files()
    problems = [f"missing from the wheel: {name}" for name in sorted(source - package)]
    problems += [f"in the wheel only: {name}" for name in sorted(package - source)]
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in in_wheel):
        problems.append("the wheel has no LICENSE")
    tree = ast.parse((ROOT / "sknn" / "_version.py").read_text())
    (version,) = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "__version__"
    ]
    if f"\nVersion: {version}\n" not in metadata:
        problems.append(f"the wheel's metadata does not say Version: {version}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{wheel}: {len(package)} package files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
