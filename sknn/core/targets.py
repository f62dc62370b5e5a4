"""Multiclass targets kept as class indices.

The softmax log-loss needs one-hot rows ``Y`` (``n_samples x n_classes``);
storing them for the whole training set costs ``n_classes`` numbers per
sample. :class:`ClassCodes` keeps one index per sample instead and writes the
one-hot rows of a mini-batch into the batch buffer when it is drawn
(:meth:`ClassCodes.take`), so the targets of a 10-class problem need a tenth
of the memory (less than the data's own rows, typically).
"""

import numpy as np

__all__ = ["ClassCodes", "dense"]


class ClassCodes:
    """One-hot targets ``Y[i, codes[i]] = 1`` stored as ``codes``.

    Parameters
    ----------
    codes : array of int
        The class index of every sample, in ``[0, n_classes)``.
    n_classes : int
        Number of columns of the one-hot matrix.
    dtype : numpy dtype
        The dtype of the one-hot rows it writes.

    Examples
    --------
    >>> import numpy as np
    >>> Y = ClassCodes([2, 0, 1], 3, np.float32)
    >>> Y.shape
    (3, 3)
    >>> out = np.empty((2, 3), np.float32)
    >>> Y.take(np.array([0, 2]), out)
    array([[0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """

    ndim = 2

    def __init__(self, codes, n_classes, dtype):
        self.codes = np.asarray(codes, dtype=np.intp)
        self.n_classes = int(n_classes)
        self.dtype = np.dtype(dtype)

    @property
    def shape(self):
        return (len(self.codes), self.n_classes)

    def __len__(self):
        return len(self.codes)

    def __getitem__(self, rows):
        """The targets of ``rows`` (a slice or index array), still as codes."""
        return ClassCodes(self.codes[rows], self.n_classes, self.dtype)

    def take(self, rows, out):
        """Write the one-hot rows ``rows`` into ``out`` (any layout); return it."""
        # One comparison writes the whole block (zeros included).
        return np.equal(self.codes[rows][:, None], np.arange(self.n_classes), out=out)

    def astype(self, dtype, copy=True):
        return ClassCodes(self.codes, self.n_classes, dtype)

    def toarray(self):
        """The dense one-hot matrix."""
        return self.take(slice(None), np.empty(self.shape, self.dtype))

    def __array__(self, dtype=None, copy=None):
        dense_rows = self.toarray()
        return dense_rows if dtype is None else dense_rows.astype(dtype)


def dense(Y):
    """``Y`` as an ndarray (class codes expanded)."""
    return Y.toarray() if isinstance(Y, ClassCodes) else Y
