"""What a fit draws: :class:`LossCurveDisplay`, the training curves of an estimator.

scikit-learn keeps a Display in a ``_plot`` module beside what it shows
(``sklearn.model_selection._plot`` holds ``LearningCurveDisplay``); this one
shows sknn's estimators, so it sits beside them and is imported from
:mod:`sknn`. matplotlib is imported only when something is drawn; it is the
optional ``plot`` extra (``pip install "sknn-mlp[plot]"``).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]

# name -> (fitted attribute, constructor argument, legend label, quantity)
_CURVES = {
    "loss": ("loss_curve_", "loss_curve", "Training loss", "loss"),
    "validation_loss": (
        "validation_loss_curve_",
        "validation_loss_curve",
        "Validation loss",
        "loss",
    ),
    "validation_score": (
        "validation_scores_",
        "validation_scores",
        "Validation score",
        "score",
    ),
    "learning_rate": (
        "learning_rate_curve_",
        "learning_rate_curve",
        "Learning rate",
        "learning_rate",
    ),
}
_Y_LABELS = {
    "loss": "Loss",
    "score": "Validation score",
    "learning_rate": "Learning rate",
}
_LINESTYLES = {
    "loss": "-",
    "validation_loss": "--",
    "validation_score": ":",
    "learning_rate": "-.",
}
_ALIASES = {"ls": "linestyle", "c": "color", "lw": "linewidth", "ms": "markersize"}


def _check_matplotlib_support(caller_name):
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"{caller_name} requires matplotlib. Install the 'plot' extra of "
            "sknn-mlp, or matplotlib itself."
        ) from e


def _style(defaults, user):
    """``defaults`` overridden by ``user``, with matplotlib's short aliases."""
    style = dict(defaults)
    for key, value in (user or {}).items():
        style[_ALIASES.get(key, key)] = value
    return style


class LossCurveDisplay:
    """Training curves of a stochastic sknn estimator, epoch by epoch.

    Draws the training loss (``loss_curve_``) and, when they were recorded,
    the validation loss (``validation_loss_curve_``), the validation score
    (``validation_scores_``) and the learning rate (``learning_rate_curve_``)
    against the epoch. The losses share the main axes; the validation score
    and the learning rate, which are on other scales, each get a y-axis of
    their own on the right (a twin of the main axes).

    Build it with :meth:`from_estimator` from a fitted estimator, or from the
    arrays with the constructor and then call :meth:`plot`. All parameters
    are stored as attributes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of every epoch (the penalised cost that was minimised).

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss on the validation data after every epoch.

    validation_scores : array-like of shape (n_epochs,), default=None
        Score on the validation data after every epoch.

    learning_rate_curve : array-like of shape (n_epochs,), default=None
        Learning rate of every epoch.

    name : str, default=None
        Name prefixed to the legend labels, to tell several models apart on
        one axes.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The main axes: the one given as ``ax``, or a new one.

    figure_ : matplotlib Figure
        Figure holding the axes.

    lines_ : dict of str to matplotlib Line2D
        The drawn curves by name (``"loss"``, ``"validation_loss"``,
        ``"validation_score"``, ``"learning_rate"``). ``lines_[name].axes``
        is the axes a curve was drawn on.

    twin_axes_ : list of matplotlib Axes
        The right-hand axes created for the validation score and the
        learning rate (empty when every curve is a loss).

    See Also
    --------
    LossCurveDisplay.from_estimator : Plot the curves of a fitted estimator.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sknn import LossCurveDisplay, MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_val, y_val = X[1500:] / 16, y[1500:]
    >>> clf = MLPClassifier((32,), max_iter=15, random_state=0)
    >>> clf = clf.fit(X[:1500] / 16, y[:1500], X_val=X_val, y_val=y_val)
    >>> display = LossCurveDisplay.from_estimator(
    ...     clf, curves=("loss", "validation_loss", "validation_score")
    ... )
    >>> sorted(display.lines_)
    ['loss', 'validation_loss', 'validation_score']
    >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
    ('Epoch', 'Loss')

    The constructor takes the arrays:

    >>> display = LossCurveDisplay(loss_curve=[1.0, 0.5, 0.3]).plot(log_scale=True)
    >>> display.ax_.get_yscale()
    'log'
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        learning_rate_curve=None,
        name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.learning_rate_curve = learning_rate_curve
        self.name = name

    def _resolve_curves(self, curves):
        if curves is None:
            curves = ("loss", "validation_loss")
            return [c for c in curves if self._data(c) is not None]
        if isinstance(curves, str):
            curves = (curves,)
        curves = list(dict.fromkeys(curves))
        if not curves:
            raise ValueError("curves must name at least one curve.")
        for curve in curves:
            if curve not in _CURVES:
                raise ValueError(
                    f"Unknown curve {curve!r}; choose among {sorted(_CURVES)}."
                )
            if self._data(curve) is None:
                raise ValueError(
                    f"No {_CURVES[curve][2].lower()} was recorded "
                    f"({_CURVES[curve][1]} is None)"
                    + (
                        ": fit with X_val/y_val or early_stopping=True."
                        if curve.startswith("validation")
                        else "."
                    )
                )
        return curves

    def _data(self, curve):
        values = getattr(self, _CURVES[curve][1])
        if values is None:
            return None
        return np.asarray(values, dtype=float)

    def plot(
        self, ax=None, *, curves=None, log_scale=False, name=None, line_kwargs=None
    ):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on (the losses); a new figure and axes if None.
            Passing the ``ax_`` of another display overlays two models.

        curves : str or tuple of str, default=None
            Which curves to draw, among ``"loss"``, ``"validation_loss"``,
            ``"validation_score"`` and ``"learning_rate"``. None draws the
            training loss and, if it was recorded, the validation loss. A
            named curve that was not recorded is an error.

        log_scale : bool, default=False
            Logarithmic y-axis for the losses and the learning rate (not the
            score, which may be negative).

        name : str, default=None
            Prefix of the legend labels; defaults to the ``name`` attribute.

        line_kwargs : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for every line, e.g.
            ``{"color": "C1"}``; the curves differ by line style.

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``ax_``, ``figure_``, ``lines_`` and
            ``twin_axes_`` set.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        curves = self._resolve_curves(curves)
        name = self.name if name is None else name
        if ax is None:
            _, ax = plt.subplots()

        axes = {}  # quantity -> axes
        twins = []
        for curve in curves:
            quantity = _CURVES[curve][3]
            if quantity in axes:
                continue
            if not axes:
                axes[quantity] = ax
                continue
            twin = ax.twinx()
            if twins:  # a third scale: move its spine out of the way
                twin.spines["right"].set_position(("axes", 1.0 + 0.15 * len(twins)))
            axes[quantity] = twin
            twins.append(twin)

        self.lines_ = {}
        for curve in curves:
            label = _CURVES[curve][2]
            if name is not None:
                label = f"{name}: {label}"
            y = self._data(curve)
            style = _style(
                {"linestyle": _LINESTYLES[curve], "label": label}, line_kwargs
            )
            target = axes[_CURVES[curve][3]]
            (self.lines_[curve],) = target.plot(np.arange(1, len(y) + 1), y, **style)

        for quantity, target in axes.items():
            target.set_ylabel(_Y_LABELS[quantity])
            if log_scale and quantity != "score":
                target.set_yscale("log")
        ax.set_xlabel("Epoch")

        handles, labels = [], []
        for target in [ax, *twins]:
            h, lab = target.get_legend_handles_labels()
            handles += h
            labels += lab
        ax.legend(handles, labels)

        self.ax_ = ax
        self.figure_ = ax.figure
        self.twin_axes_ = twins
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        curves=None,
        ax=None,
        log_scale=False,
        name=None,
        line_kwargs=None,
    ):
        """Plot the training curves of a fitted estimator.

        Parameters
        ----------
        estimator : MLPClassifier or MLPRegressor
            Estimator fitted with a stochastic solver (every solver but
            'lbfgs', which records no curves), or a Pipeline ending in one.

        curves : str or tuple of str, default=None
            Which curves to draw, among ``"loss"``, ``"validation_loss"``,
            ``"validation_score"`` and ``"learning_rate"``. None draws the
            training loss and, if it was recorded, the validation loss.

        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes if None.

        log_scale : bool, default=False
            Logarithmic y-axis for the losses and the learning rate.

        name : str, default=None
            Prefix of the legend labels, to tell models apart on one axes.

        line_kwargs : dict, default=None
            Keyword arguments of matplotlib's ``plot`` for every line.

        Returns
        -------
        display : LossCurveDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import make_regression
        >>> from sknn import LossCurveDisplay, MLPRegressor
        >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
        >>> reg = MLPRegressor(max_iter=20, learning_rate_init=0.01, random_state=0)
        >>> reg = reg.fit(X, y / y.std())
        >>> disp = LossCurveDisplay.from_estimator(
        ...     reg, curves=("loss", "learning_rate"), log_scale=True
        ... )
        >>> len(disp.lines_["loss"].get_ydata()) == reg.n_iter_
        True
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if hasattr(estimator, "steps"):  # a Pipeline: its final step
            estimator = estimator[-1]
        check_is_fitted(estimator)
        if (
            getattr(estimator, "solver", None) == "lbfgs"
            or getattr(estimator, "loss_curve_", None) is None
        ):
            raise ValueError(
                f"{type(estimator).__name__} records no loss curve with "
                "solver='lbfgs'; fit it with a stochastic solver ('adam', 'sgd', "
                "...) to plot its training curves."
            )
        display = cls(
            **{
                argument: getattr(estimator, attribute, None)
                for attribute, argument, _, _ in _CURVES.values()
            },
            name=name,
        )
        return display.plot(
            ax=ax, curves=curves, log_scale=log_scale, line_kwargs=line_kwargs
        )
