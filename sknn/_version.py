"""The version of sknn: its one source.

``pyproject.toml`` reads it when the package is built (setuptools'
``dynamic`` version), ``sknn.__version__`` re-exports it, and modules below the
package's ``__init__`` (the pickling in ``_fitted``) import it from here.
"""

__version__ = "0.1.0"
