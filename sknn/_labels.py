"""Class labels: what may be a label, and the encoding the network trains on."""

import numpy as np
from sklearn.utils.multiclass import unique_labels

from .core.targets import ClassCodes

__all__ = ["LabelTypeError", "check_labels", "encode_labels", "is_missing"]


class LabelTypeError(TypeError, ValueError):
    """Labels that cannot be classes: missing, or of types that do not compare.

    A ``TypeError`` where scikit-learn raises one (so code catching its error
    keeps working) and a ``ValueError``, like sknn's other input errors.
    """


def is_missing(label):
    """None, NaN or pandas' NA (whose truth value raises)."""
    if label is None or type(label).__name__ == "NAType":
        return True
    return isinstance(label, float) and label != label


def check_labels(y, name):
    """A clear error for missing labels and for labels that do not compare
    (scikit-learn fails sorting them with a bare TypeError)."""
    if y.dtype != object:
        return
    labels = y.ravel()
    missing = [label for label in labels if is_missing(label)]
    if missing:
        raise LabelTypeError(
            f"{name} contains missing labels ({missing[0]!r}): every sample needs "
            "a class label (missing labels are not supported)."
        )
    kinds = {type(label).__name__ for label in labels}
    try:
        sorted(set(labels))
    except TypeError as exc:
        raise LabelTypeError(
            f"{exc} ({name} mixes label types {sorted(kinds)}; labels must be all "
            "numbers or all strings, e.g. y.astype(str).)"
        ) from exc


def encode_labels(binarizer, y, name, hint, dtype=None, codes=False):
    """``binarizer``'s encoding of ``y`` (as ``dtype``), after checking
    that every label is one of its classes (``name`` and ``hint`` go
    into the error). 1-D labels are one-hot encoded by a binary search in
    ``classes_``: LabelBinarizer.transform's sparse round trip took
    milliseconds per fit. With ``codes``, multiclass targets come as
    :class:`~sknn.core.targets.ClassCodes` (one index per sample; the
    training loop writes one-hot rows per mini-batch)."""
    if binarizer.y_type_ == "multilabel-indicator":
        Y = binarizer.transform(y)
        return Y if dtype is None else Y.astype(dtype)
    classes, index = binarizer.classes_, None
    try:
        index = np.minimum(np.searchsorted(classes, y), len(classes) - 1)
        known = classes[index] == y
    except TypeError:  # labels that do not compare with the classes
        known = np.isin(y, classes)
    if not np.all(known):
        unseen = unique_labels(np.asarray(y)[~np.asarray(known, bool)])
        # scikit-learn's sentence, then which labels are new.
        raise ValueError(
            f"`{name}` has classes not in `self.classes_`. `self.classes_` has "
            f"{classes}. '{name}' has {unique_labels(y)}. (New: "
            f"{unseen.tolist()}; {hint}.)"
        )
    dtype = dtype or int
    if index is None:
        return binarizer.transform(y).astype(dtype)
    if binarizer.y_type_ == "binary":
        return (index == 1).astype(dtype)[:, None]
    Y = ClassCodes(index, len(classes), dtype)
    return Y if codes else Y.toarray()
