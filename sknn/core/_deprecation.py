"""Old import paths that keep working, with a warning, after a move.

A module whose names moved elsewhere sets ``__getattr__ = moved(...)``:
Python calls a module's ``__getattr__`` only for names the module lacks
(PEP 562), so importing the old module warns about nothing, and ``from old
import Name`` or unpickling an object saved under the old path (pickle looks
the class up by attribute) warns once per access and returns the very
object of the new home. The new home is imported only then, so an old path
in the core can lead to the estimator layer without the core importing it.
"""

import importlib
import warnings

#: The gradient checker's names, moved from the core (``sknn.core`` and
#: ``sknn.core.gradcheck``) to the estimator layer.
GRADCHECK = dict.fromkeys(
    ["GradientCheck", "numerical_gradient", "relative_gradient_error"],
    "sknn.gradcheck",
)


def moved(module, homes, deprecated):
    """A module ``__getattr__`` for ``module``, serving the names that moved.

    Parameters
    ----------
    module : str
        The old module's ``__name__``, for the ``AttributeError`` of other names.
    homes : dict
        Each moved name, mapped to the module that now holds it.
    deprecated : str
        What the warning says is deprecated; ``{name}`` is replaced by the name
        used (e.g. ``"sknn.core.{name}"``).
    """

    def __getattr__(name):
        if name not in homes:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{deprecated.format(name=name)} is deprecated and will be removed in "
            f"sknn 0.3; import {name} from {homes[name]} instead",
            FutureWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(homes[name]), name)

    return __getattr__
