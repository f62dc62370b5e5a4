"""LossCurveDisplay (``sknn._plot``): the training curves of a fitted estimator."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknn import LossCurveDisplay, MLPClassifier, MLPRegressor

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def validated(small_classification):
    X, y = small_classification
    clf = MLPClassifier((16,), max_iter=12, learning_rate_init=0.01, random_state=0)
    return clf.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])


@pytest.fixture(scope="module")
def plain(small_classification):
    return MLPClassifier((16,), max_iter=8, random_state=0).fit(*small_classification)


def _xy(line):
    return np.asarray(line.get_xdata()), np.asarray(line.get_ydata())


def test_default_draws_the_losses_that_were_recorded(validated):
    display = LossCurveDisplay.from_estimator(validated)
    assert set(display.lines_) == {"loss", "validation_loss"}
    n = validated.n_iter_
    for name, curve in [
        ("loss", validated.loss_curve_),
        ("validation_loss", validated.validation_loss_curve_),
    ]:
        x, y = _xy(display.lines_[name])
        np.testing.assert_array_equal(x, np.arange(1, n + 1))
        np.testing.assert_allclose(y, curve)
        assert display.lines_[name].axes is display.ax_
    assert display.lines_["loss"].get_label() == "Training loss"
    assert display.lines_["validation_loss"].get_label() == "Validation loss"
    assert display.lines_["validation_loss"].get_linestyle() == "--"
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == "Loss"
    assert display.figure_ is display.ax_.figure
    assert display.twin_axes_ == []
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["Training loss", "Validation loss"]


def test_no_validation_curve_without_validation_data(plain):
    assert plain.validation_loss_curve_ is None
    display = LossCurveDisplay.from_estimator(plain)
    assert list(display.lines_) == ["loss"]
    np.testing.assert_allclose(_xy(display.lines_["loss"])[1], plain.loss_curve_)
    assert len(display.ax_.get_lines()) == 1
    for curve in ("validation_loss", "validation_score"):
        with pytest.raises(ValueError, match="X_val/y_val or early_stopping"):
            LossCurveDisplay.from_estimator(plain, curves=("loss", curve))


def test_score_and_learning_rate_get_axes_of_their_own(validated):
    display = LossCurveDisplay.from_estimator(
        validated, curves=("loss", "validation_score", "learning_rate")
    )
    score, rate = display.lines_["validation_score"], display.lines_["learning_rate"]
    assert display.lines_["loss"].axes is display.ax_
    assert display.twin_axes_ == [score.axes, rate.axes]
    assert score.axes.get_ylabel() == "Validation score"
    assert rate.axes.get_ylabel() == "Learning rate"
    np.testing.assert_allclose(_xy(score)[1], validated.validation_scores_)
    np.testing.assert_allclose(_xy(rate)[1], validated.learning_rate_curve_)
    # One legend on the main axes lists the lines of every axes.
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["Training loss", "Validation score", "Learning rate"]


def test_single_curve_goes_on_the_main_axes(validated):
    display = LossCurveDisplay.from_estimator(validated, curves="learning_rate")
    assert list(display.lines_) == ["learning_rate"]
    assert display.lines_["learning_rate"].axes is display.ax_
    assert display.ax_.get_ylabel() == "Learning rate"


def test_log_scale(validated):
    display = LossCurveDisplay.from_estimator(
        validated,
        curves=("loss", "validation_score", "learning_rate"),
        log_scale=True,
    )
    assert display.ax_.get_yscale() == "log"
    assert display.lines_["learning_rate"].axes.get_yscale() == "log"
    assert display.lines_["validation_score"].axes.get_yscale() == "linear"
    assert LossCurveDisplay.from_estimator(validated).ax_.get_yscale() == "linear"


def test_ax_is_reused_to_compare_models(validated, plain):
    fig, ax = plt.subplots()
    first = LossCurveDisplay.from_estimator(validated, ax=ax, name="a")
    assert first.ax_ is ax and first.figure_ is fig
    second = LossCurveDisplay.from_estimator(
        plain, ax=first.ax_, name="b", line_kwargs={"c": "red"}
    )
    assert second.ax_ is ax
    assert len(ax.get_lines()) == 3
    assert second.lines_["loss"].get_label() == "b: Training loss"
    assert second.lines_["loss"].get_color() == "red"  # "c" is an alias
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["a: Training loss", "a: Validation loss", "b: Training loss"]


def test_unfitted_estimator():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(MLPClassifier())


def test_lbfgs_records_no_loss_curve(small_classification):
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=20, random_state=0)
    clf.fit(*small_classification)
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        LossCurveDisplay.from_estimator(clf)


def test_lbfgs_refit_does_not_plot_a_stale_curve(small_classification):
    clf = MLPClassifier((8,), max_iter=5, random_state=0).fit(*small_classification)
    clf.set_params(solver="lbfgs", max_iter=20).fit(*small_classification)
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        LossCurveDisplay.from_estimator(clf)


def test_unknown_or_no_curve(plain):
    with pytest.raises(ValueError, match="Unknown curve 'accuracy'"):
        LossCurveDisplay.from_estimator(plain, curves=("loss", "accuracy"))
    with pytest.raises(ValueError, match="at least one"):
        LossCurveDisplay.from_estimator(plain, curves=())


def test_regressor_in_a_pipeline(small_regression):
    pipe = make_pipeline(
        StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=6)
    )
    pipe.fit(*small_regression)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(_xy(display.lines_["loss"])[1], pipe[-1].loss_curve_)


def test_constructor_takes_the_arrays():
    display = LossCurveDisplay(
        loss_curve=[3.0, 2.0, 1.5], validation_loss_curve=[3.5, 2.5, 2.4], name="m"
    )
    assert not hasattr(display, "ax_")
    assert display.plot() is display
    np.testing.assert_array_equal(_xy(display.lines_["loss"])[0], [1, 2, 3])
    np.testing.assert_array_equal(
        _xy(display.lines_["validation_loss"])[1], [3.5, 2.5, 2.4]
    )
    assert display.lines_["loss"].get_label() == "m: Training loss"
    # plot(name=...) overrides the attribute; plotting again draws anew.
    again = display.plot(curves="loss", name="other")
    assert list(again.lines_) == ["loss"]
    assert again.lines_["loss"].get_label() == "other: Training loss"


def test_importing_sknn_does_not_import_matplotlib():
    code = (
        "import sys, sknn; sknn.LossCurveDisplay; "
        "assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
