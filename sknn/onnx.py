"""Export fitted sknn estimators to ONNX through skl2onnx.

:func:`register` teaches skl2onnx to convert :class:`sknn.MLPClassifier` and
:class:`sknn.MLPRegressor` (aliases ``"SknnMLPClassifier"``,
``"SknnMLPRegressor"``), also inside Pipelines; :func:`to_onnx` registers and
converts. The graph reproduces ``Network.predict``: every activation, batch
norm (running statistics), layer norm, weight norm, either ``norm_position``.
It computes in double for double input, else in float, with operators of opset
13 or later. The user guide's page on ONNX (``docs/guide/onnx.md``) says more.
Needs the ``onnx`` extra: ``pip install "sknn-mlp[onnx]"``.
"""

import importlib.util
import re

import numpy as np

from .classifier import MLPClassifier
from .core.activations import ACTIVATIONS
from .regressor import MLPRegressor

__all__ = ["MIN_OPSET", "register", "to_onnx"]

#: The lowest ONNX opset the converters emit (Clip with inputs, Softmax axis).
MIN_OPSET = 13
_INSTALL_HINT = 'sknn.onnx needs skl2onnx and onnx: pip install "sknn-mlp[onnx]"'


def _skl2onnx():
    try:
        import skl2onnx
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return skl2onnx


def register():
    """Register the sknn converters and shape calculators with skl2onnx.

    Idempotent: calling it again re-registers the same functions. After it,
    ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn`` convert sknn
    estimators, alone or inside Pipelines and other meta-estimators.

    Raises
    ------
    ImportError
        If skl2onnx is not installed.
    """
    skl2onnx = _skl2onnx()
    options = {
        "zipmap": [True, False, "columns"],
        "nocl": [False, True],
        "output_class_labels": [False, True],
    }
    skl2onnx.update_registered_converter(
        MLPClassifier,
        "SknnMLPClassifier",
        _classifier_shapes,
        _convert_classifier,
        parser=_parse_classifier,
        options=options,
    )
    skl2onnx.update_registered_converter(
        MLPRegressor, "SknnMLPRegressor", _regressor_shapes, _convert_regressor
    )


def to_onnx(estimator, X, **kwargs):
    """Convert a fitted sknn estimator, or a Pipeline holding one, to ONNX.

    Calls :func:`register`, then ``skl2onnx.to_onnx(estimator, X, **kwargs)``.

    Parameters
    ----------
    estimator : estimator
        A fitted :class:`~sknn.MLPClassifier`, :class:`~sknn.MLPRegressor` or
        anything skl2onnx converts that contains them (a Pipeline, ...).
    X : ndarray of shape (n_samples, n_features)
        A sample of the input, only for its type and width (``X[:1]``): float64
        input gives a double graph, anything else a float one.
    **kwargs
        Passed on to ``skl2onnx.to_onnx``: ``target_opset`` (at least
        :data:`MIN_OPSET`), ``options`` (e.g. ``{id(clf): {"zipmap": False}}``
        or ``{MLPClassifier: {"zipmap": False}}``), ``name``, ...

    Returns
    -------
    onnx.ModelProto
        The ONNX model, with outputs ``label`` and ``probabilities`` for a
        classifier (``output_probability`` with zipmap) and ``variable`` for a
        regressor.

    Raises
    ------
    ImportError
        If skl2onnx is not installed.

    Examples
    --------
    >>> import numpy as np, onnxruntime as ort
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknn import MLPClassifier
    >>> from sknn.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> pipe = make_pipeline(StandardScaler(), MLPClassifier((16,), activation="gelu",
    ...                      batch_norm=True, max_iter=300, random_state=0)).fit(X, y)
    >>> onx = to_onnx(pipe, X[:1], options={"zipmap": False})
    >>> sess = ort.InferenceSession(onx.SerializeToString(),
    ...                             providers=["CPUExecutionProvider"])
    >>> label, proba = sess.run(None, {"X": X})
    >>> bool((label == pipe.predict(X)).all())
    True
    >>> bool(np.allclose(proba, pipe.predict_proba(X), atol=1e-5))
    True
    """
    skl2onnx = _skl2onnx()
    register()
    return skl2onnx.to_onnx(estimator, X, **kwargs)


# -- shape calculators --------------------------------------------------------


def _float_type(operator):
    from skl2onnx.common import data_types as dt

    double = isinstance(operator.inputs[0].type, dt.DoubleTensorType)
    return dt.DoubleTensorType if double else dt.FloatTensorType


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser; a ZipMap's values are floats for double input."""
    from skl2onnx._parse import _parse_sklearn_classifier
    from skl2onnx.common import data_types as dt

    outputs = _parse_sklearn_classifier(scope, model, inputs, custom_parsers)
    for var in outputs:
        if isinstance(var.type, dt.SequenceType):
            key = var.type.element_type.key_type
            var.type = dt.SequenceType(dt.DictionaryType(key, dt.FloatTensorType()))
    return outputs


def _is_multilabel(est):
    return est._label_binarizer.y_type_ == "multilabel-indicator"


def _classifier_shapes(operator):
    from skl2onnx.common import data_types as dt

    est, scope = operator.raw_operator, operator.scope_inst
    n, k = operator.inputs[0].get_first_dimension(), len(est.classes_)
    if _is_multilabel(est):
        label = dt.Int64TensorType([n, k])
    elif _classes(scope, est).dtype == object:
        label = dt.StringTensorType([n])
    else:
        label = dt.Int64TensorType([n])
    operator.outputs[0].set_type(label)
    zipmap = scope.get_options(est, dict(zipmap=True))["zipmap"] is True
    proba = dt.FloatTensorType if zipmap else _float_type(operator)  # ZipMap: floats
    operator.outputs[1].set_type(proba([n, k]))


def _regressor_shapes(operator):
    n = operator.inputs[0].get_first_dimension()
    k = operator.raw_operator._network.layer_sizes[-1]
    operator.outputs[0].set_type(_float_type(operator)([n, k]))


# -- graph building -----------------------------------------------------------


class _Graph:
    """Adds constants and nodes in one float type to a skl2onnx container."""

    def __init__(self, scope, operator, container):
        from onnx import TensorProto

        if container.target_opset < MIN_OPSET:
            raise RuntimeError(
                f"sknn's ONNX converters need target_opset >= {MIN_OPSET}, "
                f"got {container.target_opset}."
            )
        self.scope, self.container, self.TensorProto = scope, container, TensorProto
        self.type = _float_type(operator)
        double = self.type.__name__.startswith("Double")
        self.dtype = np.dtype(np.float64 if double else np.float32)
        self.proto = TensorProto.DOUBLE if double else TensorProto.FLOAT
        self.fused = not double  # whether float-only operators may be used

    def const(self, value, proto=None):
        """An initializer holding ``value`` (in the graph's float type by default)."""
        value = np.asarray(value, dtype=self.dtype if proto is None else None)
        name = self.scope.get_unique_variable_name("c")
        self.container.add_initializer(
            name, proto or self.proto, list(value.shape), value.ravel().tolist()
        )
        return name

    def op(self, op_type, *inputs, out=None, **attrs):
        """Add one node; returns the name of its output (``out`` if given)."""
        out = out or self.scope.get_unique_variable_name(op_type.lower())
        name = self.scope.get_unique_operator_name(op_type)
        self.container.add_node(op_type, list(inputs), out, name=name, **attrs)
        return out

    def float(self, x):
        """``x`` as float (onnxruntime has some operators only for float)."""
        return x if self.fused else self.op("Cast", x, to=self.TensorProto.FLOAT)

    def input(self, variable):
        """The operator's input, cast to the graph's float type if needed."""
        if isinstance(variable.type, self.type):
            return variable.full_name
        return self.op("Cast", variable.full_name, to=self.proto)


# onnxruntime runs LeakyRelu, Elu, Selu, Softplus, PRelu and Erf on floats only:
# double graphs spell them out (as sknn computes them), and cast around Erf.


def _leaky_relu(g, x, act, theta):
    if g.fused and 0 <= act.slope <= 1:
        return g.op("LeakyRelu", x, alpha=float(act.slope))
    return g.op("Max", x, g.op("Mul", x, g.const(act.slope)))  # max(z, slope z)


def _elu(g, x, act, theta):
    if g.fused and act.scale == 1:
        return g.op("Elu", x, alpha=float(act.alpha))
    if g.fused:
        return g.op("Selu", x, alpha=float(act.alpha), gamma=float(act.scale))
    neg = g.op("Sub", g.op("Exp", g.op("Min", x, g.const(0.0))), g.const(1.0))
    neg = g.op("Mul", neg, g.const(act.scale * act.alpha))
    return g.op("Add", g.op("Mul", g.op("Relu", x), g.const(act.scale)), neg)


def _softplus(g, x, act=None, theta=None):
    if g.fused:
        return g.op("Softplus", x)
    # max(z, 0) + log(1 + exp(-|z|)): no overflow
    tail = g.op("Exp", g.op("Neg", g.op("Abs", x)))
    return g.op("Add", g.op("Relu", x), g.op("Log", g.op("Add", tail, g.const(1.0))))


def _gelu(g, x, act, theta):  # exact: z Phi(z) = z (1 + erf(z / sqrt 2)) / 2
    erf = g.op("Erf", g.float(g.op("Mul", x, g.const(np.sqrt(0.5)))))
    erf = erf if g.fused else g.op("Cast", erf, to=g.proto)
    return g.op("Mul", g.op("Mul", x, g.const(0.5)), g.op("Add", erf, g.const(1.0)))


def _prelu(g, x, act, theta):
    slope = g.const(act.init if theta is None else theta)
    if g.fused:
        return g.op("PRelu", x, slope)
    neg = g.op("Mul", g.op("Min", x, g.const(0.0)), slope)
    return g.op("Add", g.op("Relu", x), neg)


_ACTIVATIONS = {  # name -> f(graph, x, activation, learned parameters)
    "identity": lambda g, x, a, t: x,
    "logistic": lambda g, x, a, t: g.op("Sigmoid", x),
    "tanh": lambda g, x, a, t: g.op("Tanh", x),
    "relu": lambda g, x, a, t: g.op("Relu", x),
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "selu": _elu,
    "softplus": _softplus,
    "silu": lambda g, x, a, t: g.op("Mul", x, g.op("Sigmoid", x)),
    "relu6": lambda g, x, a, t: g.op("Clip", x, g.const(0.0), g.const(6.0)),
    "mish": lambda g, x, a, t: g.op("Mul", x, g.op("Tanh", _softplus(g, x))),
    "gelu": _gelu,
    "prelu": _prelu,
}


def _activation(g, x, act, theta):
    if type(act) is not ACTIVATIONS.get(act.name):  # a user's own Activation
        raise NotImplementedError(f"No ONNX conversion for activation {act!r}.")
    return _ACTIVATIONS[act.name](g, x, act, theta)


def _affine(g, xhat, gamma, beta):
    return g.op("Add", g.op("Mul", xhat, g.const(gamma)), g.const(beta))


def _batch_norm(g, x, net, i):
    """Evaluation mode: the running statistics, as ``NormHooks.eval``."""
    mean, var = net.running_stats[i]
    inv = 1 / np.sqrt(var + net.dtype.type(net.norm_eps))
    xhat = g.op("Mul", g.op("Sub", x, g.const(mean)), g.const(inv))
    return _affine(g, xhat, *net.norm_params[i])


def _layer_norm(g, x, net, i):
    """Each row over its units; means as products with ``1/k`` (any opset)."""
    k = net.layer_sizes[i + 1]
    avg = g.const(np.full((k, 1), 1 / k))
    xc = g.op("Sub", x, g.op("MatMul", x, avg))
    var = g.op("MatMul", g.op("Mul", xc, xc), avg)
    xhat = g.op("Div", xc, g.op("Sqrt", g.op("Add", var, g.const(net.norm_eps))))
    return _affine(g, xhat, *net.norm_params[i])


_NORMALIZATIONS = {"batch": _batch_norm, "layer": _layer_norm}


def _forward(g, net, x):
    """The output layer's ``z``, as ``Network._eval_block`` computes it."""
    coefs = net.effective_coefs()
    for i, (w, b) in enumerate(zip(coefs, net.intercepts)):
        x = g.op("Add", g.op("MatMul", x, g.const(w)), g.const(b))
        if i == net.n_layers - 1:
            return x
        norm = net.normalization[i]
        before = norm is not None and net.norm_position == "before"
        if before:
            x = _NORMALIZATIONS[norm](g, x, net, i)
        x = _activation(g, x, net.activations[i], net.act_params[i])
        if norm is not None and not before:
            x = _NORMALIZATIONS[norm](g, x, net, i)
    raise AssertionError("unreachable")  # pragma: no cover


def _link(g, z, net, out=None):
    """The output activation (``Loss.link``)."""
    name = net.loss.out_activation
    if name == "logistic":
        return g.op("Sigmoid", z, out=out)
    if name == "softmax":
        return g.op("Softmax", z, axis=1, out=out)
    if name == "exp":  # clipped as sknn does, so that no value overflows
        top = min(np.log(np.finfo(d).max) for d in (net.dtype, g.dtype)) - 1
        return g.op("Exp", g.op("Min", z, g.const(top)), out=out)
    if name == "identity":
        return g.op("Identity", z, out=out)
    raise NotImplementedError(f"No ONNX conversion for output activation {name!r}.")


def _classes(scope, est):
    """Class labels as int64 (integers, booleans, floats: classifiers only accept
    integral ones) or as strings; with the option ``nocl`` as ``0, ..., k - 1``."""
    from skl2onnx.common.utils_classifier import get_label_classes

    classes = np.asarray(get_label_classes(scope, est))
    if classes.dtype.kind in "biuf":
        return classes.astype(np.int64)
    return np.array([str(c).encode("utf-8") for c in classes], dtype=object)


def _convert_classifier(scope, operator, container):
    est = operator.raw_operator
    g, net = _Graph(scope, operator, container), est._network
    label, proba = (v.full_name for v in operator.outputs[:2])
    p = _link(g, _forward(g, net, g.input(operator.inputs[0])), net)
    if net.layer_sizes[-1] == 1 and not _is_multilabel(est):  # binary: [1 - p, p]
        p = g.op("Concat", g.op("Sub", g.const(1.0), p), p, axis=1)
    float_zipmap = not isinstance(operator.outputs[1].type, g.type)
    g.op("Identity", g.float(p) if float_zipmap else p, out=proba)
    INT64, STRING = g.TensorProto.INT64, g.TensorProto.STRING
    if _is_multilabel(est):  # indicator matrix, as predict's threshold at 0.5
        g.op("Cast", g.op("Greater", p, g.const(0.5)), out=label, to=INT64)
        return
    classes = _classes(scope, est)
    classes = g.const(classes, proto=STRING if classes.dtype == object else INT64)
    g.op("Gather", classes, g.op("ArgMax", p, axis=1, keepdims=0), out=label)


def _convert_regressor(scope, operator, container):
    g, net = _Graph(scope, operator, container), operator.raw_operator._network
    z = _forward(g, net, g.input(operator.inputs[0]))
    _link(g, z, net, out=operator.outputs[0].full_name)


def _skip_examples(doc):
    """Mark every doctest example of ``doc`` as skipped."""
    return re.sub(r"^(\s*>>> .*)$", r"\1  # doctest: +SKIP", doc, flags=re.M)


if any(importlib.util.find_spec(m) is None for m in ("skl2onnx", "onnxruntime")):
    to_onnx.__doc__ = _skip_examples(to_onnx.__doc__)  # pragma: no cover
