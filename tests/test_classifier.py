import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from sknn import MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_fitted_attributes_match_sklearn(small_classification):
    X, y = small_classification
    ours = MLPClassifier((7, 5), max_iter=20, random_state=0).fit(X, y)
    theirs = SkMLPClassifier((7, 5), max_iter=20, random_state=0).fit(X, y)
    for name in (
        "classes_",
        "n_features_in_",
        "n_iter_",
        "n_layers_",
        "n_outputs_",
        "out_activation_",
        "t_",
    ):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert len(ours.loss_curve_) == 20 and ours.loss_ == ours.loss_curve_[-1]
    assert ours.best_loss_ == min(ours.loss_curve_)
    assert ours.validation_scores_ is None and ours.best_validation_score_ is None


def test_same_parameters_as_sklearn():
    ours, theirs = MLPClassifier().get_params(), SkMLPClassifier().get_params()
    for name, value in theirs.items():
        assert ours[name] == value, name


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_binary_multiclass_and_probabilities(solver, small_classification):
    X, y = small_classification
    for target in (y, (y == 1).astype(int)):
        clf = MLPClassifier(
            (16,), solver=solver, learning_rate_init=0.02, max_iter=200, random_state=0
        )
        clf.fit(X, target)
        proba = clf.predict_proba(X)
        assert proba.shape == (len(X), len(np.unique(target)))
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
        with np.errstate(divide="ignore"):
            np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
        np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))
        assert clf.score(X, target) > 0.8


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    clf = MLPClassifier((32,), max_iter=300, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.score(X, Y) > 0.5


def test_string_labels_and_float32(small_classification):
    X, y = small_classification
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = MLPClassifier((8,), max_iter=50, random_state=0).fit(
        X.astype(np.float32), labels
    )
    assert set(clf.predict(X)) <= set(labels)
    assert clf.coefs_[0].dtype == np.float32
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_lbfgs_keeps_float32(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=50, random_state=0)
    clf.fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)


def test_pickle_and_clone_round_trip(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), max_iter=30, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # Views survive the round trip: editing coefs_ edits the model.
    restored.coefs_[0][...] = 0
    assert not np.array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params() == clf.get_params()
    assert not hasattr(clone(clf), "coefs_")


def test_pickled_model_is_small_and_continues_training(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), max_iter=5, batch_size=200, random_state=0).fit(X, y)
    blob = pickle.dumps(clf)
    # parameters, their gradient and Adam's two moments; no batch or work buffers
    assert len(blob) < 5 * clf._network.params.nbytes + 20_000
    restored = pickle.loads(blob)
    for model in (clf, restored):
        model.partial_fit(X, y)
    np.testing.assert_array_equal(restored._network.params, clf._network.params)


def test_same_random_state_same_model(small_classification):
    X, y = small_classification
    a = MLPClassifier((8,), max_iter=10, dropout=0.2, random_state=3).fit(X, y)
    b = MLPClassifier((8,), max_iter=10, dropout=0.2, random_state=3).fit(X, y)
    c = MLPClassifier((8,), max_iter=10, dropout=0.2, random_state=4).fit(X, y)
    np.testing.assert_array_equal(a._network.params, b._network.params)
    assert not np.array_equal(a._network.params, c._network.params)


def test_pandas_feature_names(small_classification):
    pd = pytest.importorskip("pandas")
    X, y = small_classification
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)


def test_partial_fit_streaming_converges(small_classification):
    X, y = small_classification
    clf = MLPClassifier((16,), learning_rate_init=0.01, random_state=0)
    for _ in range(30):
        for chunk in np.array_split(np.arange(len(X)), 4):
            clf.partial_fit(X[chunk], y[chunk], classes=np.unique(y))
    # n_iter_ is the epochs of the last call (one), as scikit-learn's; t_ and
    # the curve count every call.
    assert clf.n_iter_ == 1
    assert len(clf.loss_curve_) == 120 and clf.t_ == 30 * len(X)
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]
    assert clf.score(X, y) > 0.8


def test_partial_fit_only_for_stochastic_solvers():
    assert hasattr(MLPClassifier(solver="adam"), "partial_fit")
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")


def test_warm_start_continues(small_classification):
    X, y = small_classification
    clf = MLPClassifier((8,), max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = clf.loss_curve_[-1]
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and clf.loss_curve_[-1] < first
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X[y < 2], y[y < 2])


def test_early_stopping_restores_best(small_classification):
    X, y = small_classification
    clf = MLPClassifier(
        (32,), early_stopping=True, n_iter_no_change=3, max_iter=300, random_state=0
    ).fit(X, y)
    assert clf.best_loss_ is None
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert len(clf.validation_scores_) == clf.n_iter_ < 300


def test_verbose_prints_epochs(small_classification, capsys):
    X, y = small_classification
    MLPClassifier((4,), max_iter=3, verbose=True, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Iteration") == 3 and "loss = " in out


def test_convergence_warning(small_classification):
    X, y = small_classification
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning, match="Maximum iterations"):
            MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)


def test_sparse_input_equals_dense(small_classification):
    sp = pytest.importorskip("scipy.sparse")
    X, y = small_classification
    dense = MLPClassifier((6,), max_iter=5, random_state=0).fit(X, y)
    sparse = MLPClassifier((6,), max_iter=5, random_state=0).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(
        sparse._network.params, dense._network.params, atol=1e-10
    )
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csc_matrix(X)), dense.predict_proba(X)
    )


@pytest.mark.parametrize(
    "y",
    [
        np.array([0, 1, 1, 0, 1]),
        np.array([3, 1, 2, 3, 1, 7]),
        np.array(["b", "a", "c", "a"], dtype=object),
        np.array(["no", "yes", "no"]),
        np.array([-1.0, 2.0, 2.0, -1.0]),
        np.array([True, False, True]),
    ],
)
def test_target_encoding_equals_label_binarizer(y):
    from sklearn.preprocessing import LabelBinarizer

    X = np.arange(2 * len(y), dtype=float).reshape(len(y), 2)
    est = MLPClassifier(hidden_layer_sizes=(3,), max_iter=1)
    _, Y, _ = est._validate_targets(X, y, incremental=False, reset=True)
    expected = LabelBinarizer().fit_transform(y)
    np.testing.assert_array_equal(Y, expected)
    assert Y.dtype == X.dtype


def test_multiclass_targets_are_kept_as_class_codes():
    """A one-hot matrix of the training set is never built for multiclass y."""
    from sknn.core.targets import ClassCodes

    X = np.zeros((6, 2))
    est = MLPClassifier(hidden_layer_sizes=(3,))
    _, Y, _ = est._validate_targets(X, [0, 1, 2, 2, 1, 0], False, True)
    assert isinstance(Y, ClassCodes) and Y.shape == (6, 3)
    _, Y, _ = est._validate_targets(X, [0, 1, 1, 0, 1, 0], False, True)
    assert isinstance(Y, np.ndarray) and Y.shape == (6, 1)  # binary: one column
