"""Every example script runs, prints its numbers and draws labelled figures.

The examples are sphinx-gallery scripts (``examples/<section>/plot_*.py``, one
folder per gallery section); they need matplotlib (the ``plot`` extra), so
these tests skip cleanly without it. Each script runs here the way the
gallery runs it: cell by cell (cells start at ``# %%`` lines), on the Agg
backend, with the figures of a cell collected and closed after it. The
gallery shows a cell's figures first and its printed text after them, so a
cell may print or draw, not both: then every output appears right below the
code that makes it.
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.rglob("*.py"))
SECTIONS = sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir() and p.name[0] != "_")

# Optional packages an example needs; without them its test skips.
REQUIRES = {
    "plot_callbacks.py": ("rich",),
    "plot_dask_search.py": ("dask", "distributed"),
    "plot_onnx_export.py": ("onnx", "onnxruntime", "skl2onnx"),
}


def _id(path):
    return path.relative_to(EXAMPLES_DIR).as_posix()


@pytest.fixture
def pyplot(monkeypatch):
    """matplotlib's pyplot on the non-interactive Agg backend; figures closed after."""
    matplotlib = pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib.use("Agg")  # pyplot may already be imported: switch explicitly
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")


@pytest.fixture
def one_blas_thread():
    """NumPy's BLAS on one thread while an example runs.

    The examples' matrices are small; on a shared machine, multi-threaded
    BLAS made them several times slower (threads spinning for busy cores).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _cells(path):
    """The script's cells as (first line, code): a cell starts at a ``# %%`` line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [0] + [i for i, line in enumerate(lines) if line.startswith("# %%")]
    ends = starts[1:] + [len(lines)]
    return [(start, "".join(lines[start:end])) for start, end in zip(starts, ends)]


def _shares_label(ax, which):
    """True if ``ax`` or an axes sharing its ``which`` axis carries a label."""
    group = ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()
    label = "get_xlabel" if which == "x" else "get_ylabel"
    return any(getattr(other, label)().strip() for other in group.get_siblings(ax))


def _axis_problems(fig):
    """Unlabelled axes, and epoch axes with ticks between whole epochs."""
    fig.canvas.draw()  # place the ticks
    problems = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        title = ax.get_title() or ax.get_label() or "an axes"
        if hasattr(ax, "_colorbar"):  # a colorbar: its one axis needs a label
            if not (ax.get_xlabel().strip() or ax.get_ylabel().strip()):
                problems.append(f"{title}: colorbar without a label")
            continue
        for which in "xy":
            if not _shares_label(ax, which):
                problems.append(f"{title}: no {which} label")
        if "epoch" in ax.get_xlabel().lower() and ax.get_xscale() == "linear":
            low, high = sorted(ax.get_xlim())
            ticks = [t for t in ax.get_xticks() if low <= t <= high]
            if any(abs(t - round(t)) > 1e-9 for t in ticks):
                problems.append(f"{title}: epoch ticks {ticks} are not whole epochs")
    return problems


def run_cells(path, plt):
    """Run the script cell by cell; per cell: (line, printed text, figure problems).

    "Printed" counts standard output, standard error and warnings: the gallery
    shows all three.
    """
    namespace = {"__name__": "__main__", "__file__": str(path)}
    results = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for category in (DeprecationWarning, PendingDeprecationWarning):
            warnings.filterwarnings("ignore", category=category)
        for start, code in _cells(path):
            n_warnings = len(caught)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile("\n" * start + code, str(path), "exec"), namespace)
            text = out.getvalue()
            text += "".join(
                f"{w.category.__name__}: {w.message}\n" for w in caught[n_warnings:]
            )
            figures = [plt.figure(n) for n in plt.get_fignums()]
            problems = [p for fig in figures for p in _axis_problems(fig)]
            results.append((start + 1, text, len(figures), problems))
            plt.close("all")
    return results


def test_examples_found():
    assert len(EXAMPLES) >= 25, "example scripts are missing"


def test_examples_are_in_sections():
    """Every example is in a section folder with a header (or the gallery drops it)."""
    assert SECTIONS, "no gallery sections"
    assert (EXAMPLES_DIR / "GALLERY_HEADER.rst").is_file()
    for path in EXAMPLES:
        assert path.parent in SECTIONS, f"{_id(path)} is not in a section folder"
    for section in SECTIONS:
        header = section / "GALLERY_HEADER.rst"
        assert header.is_file(), f"{section.name} has no GALLERY_HEADER.rst"
        assert list(section.glob("plot_*.py")), f"{section.name} holds no example"


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_example_runs(path, pyplot, one_blas_thread):
    for module in REQUIRES.get(path.name, ()):
        pytest.importorskip(module)
    results = run_cells(path, pyplot)
    assert any(text.strip() for _, text, _, _ in results), "the example prints nothing"
    assert any(n_figures for _, _, n_figures, _ in results), "it draws no figure"
    for line, text, n_figures, problems in results:
        assert not (text.strip() and n_figures), (
            f"the cell at line {line} prints and draws: in the gallery its figure "
            f"would come before its printed output; split it with '# %%'.\n{text}"
        )
        assert not problems, f"the cell at line {line} draws: {problems}"


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_example_is_gallery_script(path):
    """sphinx-gallery format: a ``plot_`` name and a docstring with an RST title."""
    assert path.name.startswith("plot_")
    text = path.read_text(encoding="utf-8")
    match = re.match(r'"""\n(?P<title>[^\n]+)\n(?P<rule>=+)\n\n\S', text)
    assert match, 'the file must start with """, a title, a rule of "=" and text'
    assert len(match["rule"]) >= len(match["title"]), "the title's rule is too short"
