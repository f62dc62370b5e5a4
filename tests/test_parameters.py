"""Every public parameter changes behaviour, and the new ones do what they say."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sknn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

BASE = dict(hidden_layer_sizes=(8, 6), max_iter=8, random_state=0, batch_size=50)

# (parameter, value, other value): fitting with each must give different weights.
CHANGES = [
    ("hidden_layer_sizes", (8, 6), (8, 5)),
    ("activation", "relu", ("tanh", "gelu")),
    ("solver", "adam", "sgd"),
    ("alpha", 0.0, 1.0),
    ("batch_size", 50, 20),
    ("learning_rate_init", 0.001, 0.01),
    ("shuffle", True, False),
    ("random_state", 0, 1),
    ("beta_1", 0.9, 0.5),
    ("beta_2", 0.999, 0.9),
    ("epsilon", 1e-8, 1e-1),
    ("init", "auto", "glorot_normal"),
    ("init", "auto", ("zeros", "he_normal")),
    ("bias_init", 0.0, 0.1),
    ("l1", 0.0, 0.5),
    ("dropout", 0.0, (0.5, 0.0)),
    ("loss", "log_loss", "squared_error"),
    ("class_weight", None, {0: 1.0, 1: 3.0, 2: 1.0}),
    ("class_weight", None, "balanced"),
    ("solver", "adam", "rmsprop"),
    ("solver", "adam", "adagrad"),
    ("solver", "adam", "adamw"),
    ("batch_norm", False, True),
    ("batch_norm", False, (True, False)),
    ("layer_norm", False, True),
    ("layer_norm", False, (False, True)),
    ("weight_norm", False, True),
    ("input_noise", 0.0, 0.3),
    ("activation", "relu", "prelu"),
    ("clip_norm", None, 0.05),
    ("clip_value", None, 1e-3),
]
NORM_CHANGES = [
    ("norm_position", "before", "after"),
    ("batch_norm_momentum", 0.1, 0.9),
]
RMSPROP_CHANGES = [("rho", 0.9, 0.5)]
ADAMW_CHANGES = [("weight_decay", 0.01, 5.0)]
SGD_CHANGES = [
    ("momentum", 0.9, 0.5),
    ("nesterovs_momentum", True, False),
    ("learning_rate", "constant", "invscaling"),
    ("power_t", 0.5, 0.1),
]
LBFGS_CHANGES = [("max_fun", 15000, 4), ("max_iter", 8, 3)]
STOPPING_CHANGES = [
    ("tol", 1e-4, 10.0),
    ("n_iter_no_change", 10, 1),
    ("early_stopping", False, True),
]
EARLY_STOPPING_CHANGES = [
    ("early_stopping_scoring", None, "loss"),
    ("early_stopping_scoring", None, "neg_log_loss"),
]


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=200,
        n_features=6,
        n_informative=4,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        random_state=0,
    )
    return X, y


def _params(solver_defaults, name, value):
    return {**BASE, **solver_defaults, name: value}


@pytest.mark.parametrize(
    "solver_defaults, name, a, b",
    [({}, *c) for c in CHANGES]
    + [({"solver": "sgd", "learning_rate": "invscaling"}, *c) for c in SGD_CHANGES]
    + [({"solver": "lbfgs"}, *c) for c in LBFGS_CHANGES]
    + [({"batch_norm": True}, *c) for c in NORM_CHANGES]
    + [({"solver": "rmsprop"}, *c) for c in RMSPROP_CHANGES]
    + [({"solver": "adamw", "learning_rate_init": 0.01}, *c) for c in ADAMW_CHANGES]
    + [({"max_iter": 60, "tol": 0.01}, *c) for c in STOPPING_CHANGES]
    + [
        ({"max_iter": 60, "early_stopping": True, "n_iter_no_change": 2}, *c)
        for c in EARLY_STOPPING_CHANGES
    ],
    ids=lambda v: str(v) if not isinstance(v, dict) else "",
)
def test_parameter_changes_the_model(data, solver_defaults, name, a, b):
    X, y = data
    first = MLPClassifier(**_params(solver_defaults, name, a)).fit(X, y)
    second = MLPClassifier(**_params(solver_defaults, name, b)).fit(X, y)
    p1, p2 = first._network.params, second._network.params
    # Batch norm's running averages are state, not parameters: compare outputs.
    same_outputs = np.allclose(first.predict_proba(X), second.predict_proba(X))
    assert p1.shape != p2.shape or not np.allclose(p1, p2) or not same_outputs


def test_validation_fraction_and_adaptive(data):
    X, y = data
    kw = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=200)
    # learning_rate_init=0.01: with the default rate both validation accuracies
    # sit at the majority-class 0.4 until stopping (scikit-learn's too).
    es = dict(early_stopping=True, learning_rate_init=0.01, **kw)
    a = MLPClassifier(validation_fraction=0.1, **es).fit(X, y)
    b = MLPClassifier(validation_fraction=0.4, **es).fit(X, y)
    assert a.validation_scores_ != b.validation_scores_
    # 20 and 80 of the 200 samples are held out.
    assert a.t_ == 180 * a.n_iter_ and b.t_ == 120 * b.n_iter_
    adaptive = MLPClassifier(
        solver="sgd", learning_rate="adaptive", tol=1.0, n_iter_no_change=2, **kw
    ).fit(X, y)
    constant = MLPClassifier(
        solver="sgd", learning_rate="constant", tol=1.0, n_iter_no_change=2, **kw
    ).fit(X, y)
    # The first epoch sets the best loss; then n_iter_no_change + 1 flat epochs.
    assert constant.n_iter_ == 4  # stops at the first plateau
    assert adaptive.n_iter_ > constant.n_iter_  # lowers the rate instead
    assert adaptive._state.schedule.rate < adaptive.learning_rate_init


def test_l1_gives_sparse_weights(data):
    X, y = data
    kw = dict(hidden_layer_sizes=(32,), solver="lbfgs", random_state=0)
    dense = MLPClassifier(l1=0.0, alpha=0.0, **kw).fit(X, y)
    sparse = MLPClassifier(l1=2.0, alpha=0.0, **kw).fit(X, y)
    small = lambda m: np.mean(np.abs(m.coefs_[0]) < 1e-3)  # noqa: E731
    assert small(sparse) > small(dense) + 0.3


def test_zero_init_keeps_units_identical(data):
    X, y = data
    clf = MLPClassifier((5,), init="zeros", bias_init=0.1, max_iter=20).fit(X, y)
    w = clf.coefs_[0]
    np.testing.assert_allclose(w, w[:, :1] * np.ones((1, 5)))  # columns equal


def test_dropout_is_training_only(data):
    X, y = data
    clf = MLPClassifier((16,), dropout=0.5, max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


def test_quadratic_cost_learns_slower_than_cross_entropy():
    X, y = make_classification(n_samples=300, n_features=5, random_state=1)
    kw = dict(
        hidden_layer_sizes=(16,),
        activation="logistic",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.5,
        max_iter=15,
        random_state=0,
        init="normal",
    )
    ce = MLPClassifier(loss="log_loss", **kw).fit(X, y)
    quad = MLPClassifier(loss="squared_error", **kw).fit(X, y)
    assert ce.score(X, y) > quad.score(X, y)


def test_balanced_class_weight_raises_minority_recall(data):
    X, y = data
    kw = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0)
    plain = MLPClassifier(**kw).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **kw).fit(X, y)
    recall = lambda m: np.mean(m.predict(X[y == 2]) == 2)  # noqa: E731
    assert recall(balanced) > recall(plain)


def test_activation_objects_and_per_layer_values(data):
    from sknn.core.activations import LeakyReLU

    X, y = data
    clf = MLPClassifier(
        (6, 4), activation=(LeakyReLU(slope=0.2), "selu"), max_iter=3, random_state=0
    ).fit(X, y)
    acts = clf._network.activations
    assert acts[0].slope == 0.2 and acts[1].name == "selu"


def test_regressor_specific_parameters():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X[:, 0] + rng.standard_t(2, size=100)
    base = dict(hidden_layer_sizes=(6,), solver="lbfgs", random_state=0, max_iter=50)
    for name, a, b in [
        ("loss", "squared_error", "absolute_error"),
        ("huber_delta", 0.1, 3.0),
        ("quantile", 0.2, 0.8),
    ]:
        extra = {"loss": "huber"} if name == "huber_delta" else {}
        extra = {"loss": "quantile"} if name == "quantile" else extra
        r1 = MLPRegressor(**base, **extra, **{name: a}).fit(X, y)
        r2 = MLPRegressor(**base, **extra, **{name: b}).fit(X, y)
        assert not np.allclose(r1.predict(X), r2.predict(X)), name
