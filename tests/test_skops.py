"""skops round trips: a fitted model loads without running code, names only
its own class, and then predicts and continues training exactly.

The estimator's state is plain data (sknn._plainstate): skops sees a JSON
string and arrays, and the one type a user must trust is the estimator's
class (``sknn.classifier.MLPClassifier`` or ``sknn.regressor.MLPRegressor``).
"""

import io
import json
import zipfile

import numpy as np
import pytest
from _helpers import assert_same_model
from test_parity import FIT_CASES, FLOAT32_CASES, estimators, make_data, weights

from sknn import MLPClassifier
from sknn._plainstate import PLAIN_KEY, UntrustedStateError, decode
from sknn.core.lr_schedules import ReduceLROnPlateau

sio = pytest.importorskip("skops.io")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SKNN_CASES = [
    pytest.param(
        "multiclass",
        {"hidden_layer_sizes": (6, 5), "max_iter": 8, "random_state": 0, **extra},
        False,
        id=name,
    )
    for name, extra in {
        "dropout-batchnorm-adam": {"dropout": 0.2, "batch_norm": True},
        "layernorm-prelu-rmsprop": {"layer_norm": True, "activation": "prelu",
                                    "solver": "rmsprop"},
        "weightnorm-adamw-plateau": {"weight_norm": True, "solver": "adamw",
                                     "learning_rate": ReduceLROnPlateau(patience=1)},
        "early-stop-adagrad-l1": {"early_stopping": True, "solver": "adagrad",
                                  "l1": 1e-3},
    }.items()
]  # fmt: skip


@pytest.mark.parametrize(
    "task, params, weighted", FIT_CASES + FLOAT32_CASES + SKNN_CASES
)
def test_skops_round_trip(task, params, weighted):
    X, y = make_data(task, np.float32 if "f32" in str(params) else np.float64)
    _, cls = estimators(task)
    kw = {"sample_weight": weights(len(X))} if weighted else {}
    est = cls(**params).fit(X, y, **kw)
    blob = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=blob)
    # The one type to trust: the estimator's (schedule objects are plain data).
    assert untrusted == [f"{cls.__module__}.{cls.__name__}"]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(blob)  # nothing is trusted by default
    loaded = sio.loads(blob, trusted=untrusted)
    assert_same_model(est, loaded)
    for method in ("predict", "predict_proba"):
        if hasattr(est, method):
            a, b = getattr(est, method)(X), getattr(loaded, method)(X)
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if params.get("solver", "adam") != "lbfgs" and not params.get("early_stopping"):
        est.partial_fit(X[:40], y[:40])
        loaded.partial_fit(X[:40], y[:40])
        assert_same_model(est, loaded)


def _fitted():
    X, y = make_data("binary")
    return MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)


def _rewrite_schema(blob, change):
    source = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "schema.json":
                data = json.dumps(change(json.loads(data))).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_a_file_naming_another_type_is_refused():
    blob = sio.dumps(_fitted())

    def to_os_system(schema):
        schema["__module__"], schema["__class__"] = "os", "system"
        return schema

    crafted = _rewrite_schema(blob, to_os_system)
    assert "os.system" in sio.get_untrusted_types(data=crafted)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="os.system"):
        sio.loads(crafted, trusted=["sknn.classifier.MLPClassifier"])


def test_a_state_naming_a_class_outside_sknn_is_refused():
    # Even past skops (or in a pickle), the plain state builds sknn classes only.
    state = _fitted().__getstate__()[PLAIN_KEY]
    for name in ("os:system", "subprocess:Popen", "sknn.core:os", "numpy:ndarray"):
        tree = json.loads(state["tree"])
        tree["__dict__"].append(
            ["evil", {"__object__": name, "state": {}, "id": 10**6}]
        )
        with pytest.raises(UntrustedStateError):
            decode(json.dumps(tree), state["arrays"])
    tree = json.loads(state["tree"])
    tree["__dict__"].append(["evil", {"__generator__": "os", "state": {}}])
    with pytest.raises(UntrustedStateError, match="bit generator"):
        decode(json.dumps(tree), state["arrays"])


def test_a_file_from_another_sknn_version_warns():
    from sknn import InconsistentSknnVersionWarning

    def older(schema):
        version = schema["content"]["content"]["_sknn_version"]
        version["content"] = json.dumps("0.0.1")
        return schema

    blob = _rewrite_schema(sio.dumps(_fitted()), older)
    with pytest.warns(InconsistentSknnVersionWarning, match="0.0.1"):
        sio.loads(blob, trusted=["sknn.classifier.MLPClassifier"])


def test_an_attached_backup_callback_is_one_more_type_to_trust(tmp_path):
    # A BackupAndRestore names a directory to write into: a model file holds
    # it only as a type the user trusts explicitly (or detaches before saving).
    from sknn import BackupAndRestore

    est = _fitted().set_callbacks(BackupAndRestore(tmp_path))
    blob = sio.dumps(est)
    assert sio.get_untrusted_types(data=blob) == [
        "sknn._backup.BackupAndRestore",
        "sknn.classifier.MLPClassifier",
    ]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(blob, trusted=["sknn.classifier.MLPClassifier"])
    loaded = sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))
    assert loaded._skl_callbacks[0].directory == str(tmp_path)
    blob = sio.dumps(est.set_callbacks())  # detached: the one type again
    assert sio.get_untrusted_types(data=blob) == ["sknn.classifier.MLPClassifier"]
