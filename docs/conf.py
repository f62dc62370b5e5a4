"""Sphinx configuration of the sknn documentation site.

Build, warnings as errors:   bash docs/build.sh
Quick build, the gallery's examples not run:
    SKNN_DOCS_PLOT_GALLERY=0 bash docs/build.sh
"""

import importlib.util
import inspect
import os
import re
import sys
import warnings
from pathlib import Path

import matplotlib
from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

matplotlib.use("Agg")  # before anything imports pyplot

HERE = Path(__file__).resolve().parent
if importlib.util.find_spec("sknn") is None:  # not installed: the working tree
    sys.path.insert(0, str(HERE.parent))  # (CI documents the installed wheel)

import sknn  # noqa: E402

project = "sknn"
author = "the sknn developers"
copyright = "the sknn developers"
version = release = sknn.__version__

root_doc = "index"  # the landing page, served as the site's index.html
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",  # served from _static/mathjax: see "Math" below
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
suppress_warnings = []
# Long signatures (the estimators' 40 parameters, long defaults) get one
# parameter per line instead of one line wider than the page.
maximum_signature_line_length = 60

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types
add_module_names = False
numpydoc_show_class_members = False  # the autosummary class template lists them
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- Markdown ----------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# -- Gallery -----------------------------------------------------------------
# SKNN_DOCS_PLOT_GALLERY=0 skips running the examples (a quick build): the
# gallery pages are still made, with their code but without output or figures.
_plot_gallery = os.environ.get("SKNN_DOCS_PLOT_GALLERY", "1").lower()
# The examples' experimental scikit-learn names (HalvingRandomSearchCV) must
# resolve for the gallery's cross-references also when the examples, which
# enable them, do not run.
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401

if _plot_gallery not in ("0", "false", "no", "off"):
    # NumPy's BLAS on one thread while the examples run in this process: their
    # matrices are small, and on a busy machine BLAS threads spinning for the
    # cores made the gallery several times slower (about 130 s instead of 40).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every script, not only plot_*.py
    "ignore_pattern": r"(^|/)_",  # helper modules starting with _ are not examples
    "plot_gallery": _plot_gallery not in ("0", "false", "no", "off"),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "remove_config_comments": True,
    # One section per subfolder of examples/ (each has a GALLERY_HEADER.rst),
    # in this order; within a section, by file name.
    "subsection_order": [
        f"../examples/{section}"
        for section in (
            "training_dynamics",
            "regularisation",
            "optimisation",
            "regression",
            "workflows",
        )
    ],
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "doc_module": ("sknn",),
    "backreferences_dir": "generated/backreferences",
    "show_memory": False,
    "write_computation_times": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}
# Examples train small networks; convergence warnings are part of the story,
# not build failures.
warnings.filterwarnings("ignore", message=".*Matplotlib is currently using agg.*")

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 8,
    "secondary_sidebar_items": ["page-toc"],
    # The search as an icon, so that the eight top-level links fit one line.
    "navbar_persistent": [],
    "navbar_end": ["search-button", "theme-switcher", "navbar-icon-links"],
}
html_context = {"default_mode": "auto"}  # light or dark as the reader's system
# Pages without sub-pages: no empty "Section Navigation" column.
html_sidebars = {
    page: []
    for page in (
        "index", "install", "getting_started", "guide/differences", "faq", "changelog",
    )
}  # fmt: skip
html_static_path = ["_static"]
html_css_files = ["sknn.css"]
html_show_sourcelink = False
html_favicon = "_static/favicon.svg"
toc_object_entries_show_parents = "hide"  # "On this page": fit(), not Class.fit()

# -- Math ------------------------------------------------------------------------
# MathJax is served with the site, not from a CDN, so that a site read offline
# (or in CI without network) still renders its formulas: the files come from
# the sphinx-mathjax-offline package (MathJax 3.2.2) of the docs extra and are
# copied to _static/mathjax.
_mathjax = importlib.util.find_spec("sphinx-mathjax-offline")
if _mathjax is None:
    raise RuntimeError(
        "The docs need sphinx-mathjax-offline for MathJax: "
        'python -m pip install -e ".[docs]"'
    )
html_static_path.append(str(Path(_mathjax.submodule_search_locations[0], "static")))
mathjax_path = "mathjax/tex-chtml.js"


# -- Inherited scikit-learn docstrings -------------------------------------------
# The estimators' pages show the methods they inherit from scikit-learn (score,
# get_params, ...). Their docstrings cross-reference labels and glossary terms
# of scikit-learn's own site, which this site does not have (and the build has
# no network for intersphinx): keep the text, drop the link. Their "Added in
# version 1.x" notes are scikit-learn's versions, not sknn's: dropped too.
_SKLEARN_XREF = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^`>]*)>)?`")
_VERSION_NOTE = re.compile(r"\s*\.\. version(added|changed)::")


def _unlink_sklearn_xrefs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn."):
        return
    kept, in_note = [], False
    for line in lines:
        if _VERSION_NOTE.match(line):
            in_note = True
            continue
        if in_note and (not line.strip() or line.startswith((" ", "\t"))):
            continue  # the note's indented body and the blank line after it
        in_note = False
        kept.append(
            _SKLEARN_XREF.sub(lambda m: f"*{m.group(1).strip() or m.group(2)}*", line)
        )
    lines[:] = kept


# -- Metadata-routing methods ------------------------------------------------------
# scikit-learn generates set_fit_request, set_score_request, ... on every
# estimator class. They are the same on every estimator and would fill half of
# each estimator page: the API reference lists them once (the
# sknn-request-methods directive below) and the class pages leave them out.
_REQUEST_METHOD = re.compile(r"^set_\w+_request$")


def _skip_request_methods(app, what, name, obj, skip, options):
    if what == "class" and _REQUEST_METHOD.match(name):
        return True
    return None


def _import(dotted):
    module, _, attr = dotted.rpartition(".")
    obj = importlib.import_module(module)
    return getattr(obj, attr)


def _py_ref(obj):
    """An rST cross-reference to a class or function, else its repr."""
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return f":py:obj:`~{obj.__module__}.{obj.__qualname__}`"
    return f"``{obj!r}``"


class RequestMethods(SphinxDirective):
    """``.. sknn-request-methods:: sknn.MLPClassifier sknn.MLPRegressor``: each
    class's set_*_request methods with the metadata they route."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self):
        rows = []
        for dotted in self.arguments[0].split():
            cls = _import(dotted)
            for name in sorted(dir(cls)):
                if not _REQUEST_METHOD.match(name):
                    continue
                params = [
                    p
                    for p in inspect.signature(getattr(cls, name)).parameters
                    if p != "self"
                ]
                args = ", ".join(f"``{p}``" for p in params)
                rows.append(f"   * - ``{cls.__name__}.{name}``\n     - {args}")
        text = (
            ".. list-table::\n   :header-rows: 1\n   :widths: 40 60\n\n"
            "   * - method\n     - metadata it can request\n" + "\n".join(rows)
        )
        return self.parse_text_to_nodes(text)


class ModuleValue(SphinxDirective):
    """``.. sknn-value:: sknn.core.ACTIVATIONS``: a module constant's value; a
    registry (a dict) as a table of its names and what they stand for."""

    required_arguments = 1

    def run(self):
        value = _import(self.arguments[0])
        if not isinstance(value, dict):
            return self.parse_text_to_nodes(f"**Value:** ``{value!r}``")
        names = {}  # the object -> its names (aliases share a row)
        for key, obj in value.items():
            names.setdefault(id(obj), (obj, []))[1].append(f"``{key!r}``")
        rows = "\n".join(
            f"   * - {', '.join(keys)}\n     - {_py_ref(obj)}"
            for obj, keys in names.values()
        )
        text = (
            ".. list-table::\n   :header-rows: 1\n   :widths: 40 60\n\n"
            "   * - name\n     - stands for\n" + rows
        )
        return self.parse_text_to_nodes(text)


# -- Links to gallery examples -------------------------------------------------------
# {example}`plot_xor` links to the gallery page of examples/<section>/plot_xor.py
# (titled by the example), whichever section of the gallery it is in; an example
# that no longer exists fails the build.
class ExampleRole(SphinxRole):
    def run(self):
        name = self.text.strip()
        conf = self.config.sphinx_gallery_conf
        examples = Path(self.env.srcdir, conf["examples_dirs"]).resolve()
        found = sorted(
            "/".join((conf["gallery_dirs"], *path.relative_to(examples).parts))
            for path in examples.rglob(f"{name}.py")
        )
        found = [doc[: -len(".py")] for doc in found]
        if len(found) != 1 or found[0] not in self.env.found_docs:
            msg = self.inliner.reporter.warning(
                f"{{example}}`{name}`: expected one example {name}.py in "
                f"{examples} with a gallery page, found {found}",
                line=self.lineno,
            )
            return [nodes.literal(name, name)], [msg]
        ref = addnodes.pending_xref(
            "",
            nodes.inline(name, name, classes=["xref", "std", "std-doc"]),
            refdomain="std",
            reftype="doc",
            reftarget="/" + found[0],
            refexplicit=False,
            refwarn=True,
            refdoc=self.env.docname,
        )
        return [ref], []


# -- Long dotted names ---------------------------------------------------------------
# sknn.core.lr_schedules.CosineAnnealingWarmRestarts is wider than the sidebar:
# the navigation and the page titles may break such names after a dot (<wbr>),
# and sknn.css keeps every word whole.
_DOTTED_TEXT = re.compile(r">([^<>]*\w\.\w[^<>]*)<")
_H1 = re.compile(r"<h1>.*?</h1>", re.S)


def _break_at_dots(html):
    return _DOTTED_TEXT.sub(
        lambda m: ">" + re.sub(r"(?<=\w)\.(?=\w)", ".<wbr>", m.group(1)) + "<", html
    )


def _names_break_at_dots(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = _H1.sub(lambda m: _break_at_dots(m.group(0)), context["body"])
    generate = context.get("generate_toctree_html")  # the theme's, set just before
    if generate is None:
        return

    def generate_toctree_html(kind, *args, **kwargs):
        html = generate(kind, *args, **kwargs)  # a str, or a BeautifulSoup tree
        return _break_at_dots(str(html)) if kind == "sidebar" else html

    context["generate_toctree_html"] = generate_toctree_html


def setup(app):
    app.connect("html-page-context", _names_break_at_dots, priority=900)
    app.connect("autodoc-process-docstring", _unlink_sklearn_xrefs)
    app.connect("autodoc-skip-member", _skip_request_methods)
    app.add_directive("sknn-request-methods", RequestMethods)
    app.add_directive("sknn-value", ModuleValue)
    app.add_role("example", ExampleRole())
