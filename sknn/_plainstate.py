"""A fit's state as plain data: a JSON tree and a dict of NumPy arrays.

:func:`encode` turns a value made of arrays, numbers, strings, lists,
tuples, dicts, NumPy scalars and dtypes, NumPy random streams
(``RandomState``, ``Generator``) and sknn's own objects into ``(tree,
arrays)``: ``tree`` is JSON text (floats written with ``repr``, so every
value comes back bit for bit; ``NaN`` and ``Infinity`` included) and
``arrays`` maps names to arrays of plain dtypes (never object arrays). A
value met twice (a list the estimator and its training state share) is
written once and comes back shared.

Two ways back, neither of which imports or calls anything the file names:

* :func:`decode` builds the objects. Only classes defined in ``sknn`` (and
  NumPy's bit generators and scikit-learn's ``LabelBinarizer``) can be
  built, and not those marked ``_not_plain_data`` (``BackupAndRestore``
  names a directory: no model file builds one unasked); a class is looked
  up in an already imported module and must be defined there; anything
  else raises
  :class:`UntrustedStateError`. Objects are made with ``cls.__new__`` and
  given their state (``__setstate__`` if the class defines one).
* :func:`restore_into` writes a tree into live objects of the same classes
  (what a backup does): it creates no object of a class named in the file.
"""

import json
import sys

import numpy as np

__all__ = ["NotPlain", "UntrustedStateError", "decode", "encode", "restore_into"]

_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
#: Classes from outside sknn that a fitted estimator holds, plain data only.
_FOREIGN = {"sklearn.preprocessing._label:LabelBinarizer"}


class NotPlain(TypeError):
    """A value :func:`encode` cannot write as plain data (a function, an
    object array, an object of a class outside sknn, ...)."""


class UntrustedStateError(ValueError):
    """A state names a class that is not sknn's own (or is malformed)."""


def _class_name(obj):
    cls = type(obj)
    return f"{cls.__module__}:{cls.__qualname__}"


def _object_state(obj):
    getstate = getattr(obj, "__getstate__", None)
    state = getstate() if getstate is not None else vars(obj)
    if state is None:
        state = {}
    if not isinstance(state, dict):
        raise NotPlain(f"{type(obj).__name__}.__getstate__ returned no dict")
    return state


class _Encoder:
    def __init__(self, arrays, prefix):
        self.arrays, self.prefix = arrays, prefix
        self.memo = {}  # id -> ref number (lists, dicts, arrays, objects)
        self.keep = []  # keeps memoised values alive while encoding

    def _ref(self, value):
        ref = self.memo.get(id(value))
        if ref is not None:
            return {"__ref__": ref}
        self.memo[id(value)] = len(self.memo)
        self.keep.append(value)
        return None

    def __call__(self, value):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value
        if isinstance(value, np.generic):
            if value.dtype.kind not in "biuf":
                raise NotPlain(f"NumPy scalar of dtype {value.dtype}")
            return {"__np__": value.dtype.str, "v": value.item()}
        if isinstance(value, np.dtype):
            if value.kind not in "biufUS":
                raise NotPlain(f"dtype {value}")
            return {"__dtype__": value.str}
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufUS" or value.dtype.fields is not None:
                raise NotPlain(f"array of dtype {value.dtype}")
            ref = self._ref(value)
            if ref is not None:
                return ref
            name = f"{self.prefix}{len(self.arrays)}"
            self.arrays[name] = value
            return {"__array__": name, "id": self.memo[id(value)]}
        if type(value) is list:
            ref = self._ref(value)
            if ref is not None:
                return ref
            ident = self.memo[id(value)]
            return {"__list__": [self(v) for v in value], "id": ident}
        if type(value) is tuple:
            return {"__tuple__": [self(v) for v in value]}
        if type(value) is dict:
            ref = self._ref(value)
            if ref is not None:
                return ref
            ident = self.memo[id(value)]
            items = [[self(k), self(v)] for k, v in value.items()]
            return {"__dict__": items, "id": ident}
        if type(value) in (set, frozenset):
            frozen = type(value) is frozenset
            return {"__set__": [self(v) for v in value], "frozen": frozen}
        if isinstance(value, np.random.RandomState):
            return {"__randomstate__": self(value.get_state())}
        if isinstance(value, np.random.Generator):
            bg = value.bit_generator
            return {"__generator__": type(bg).__name__, "state": self(bg.state)}
        module = type(value).__module__
        if getattr(type(value), "_not_plain_data", False):
            raise NotPlain(f"{module}.{type(value).__qualname__} is not model state")
        if (
            module == "sknn"
            or module.startswith("sknn.")
            or _class_name(value) in _FOREIGN
        ):
            ref = self._ref(value)
            if ref is not None:
                return ref
            ident = self.memo[id(value)]
            state = {k: self(v) for k, v in _object_state(value).items()}
            return {"__object__": _class_name(value), "state": state, "id": ident}
        raise NotPlain(f"{type(value).__module__}.{type(value).__qualname__}")


def encode(value, arrays=None, prefix="a"):
    """``(tree, arrays)``: ``value`` as JSON text and the arrays it names.

    Raises :class:`NotPlain` for a value that cannot be written plainly.
    """
    arrays = {} if arrays is None else arrays
    tree = _Encoder(arrays, prefix)(value)
    return json.dumps(tree, separators=(",", ":"), check_circular=False), arrays


def _trusted_class(name):
    module_name, _, qualname = str(name).partition(":")
    sknn = module_name == "sknn" or module_name.startswith("sknn.")
    if not sknn and name not in _FOREIGN:
        raise UntrustedStateError(f"the state names {name!r}, not an sknn class")
    module = sys.modules.get(module_name)
    if module is None:
        raise UntrustedStateError(f"the state names {name!r}: no such sknn module")
    cls = module
    for part in qualname.split("."):
        cls = getattr(cls, part, None)
    if not isinstance(cls, type) or cls.__module__ != module_name:
        raise UntrustedStateError(f"the state names {name!r}: no such sknn class")
    if getattr(cls, "_not_plain_data", False):  # e.g. BackupAndRestore
        raise UntrustedStateError(f"the state names {name!r}, which is not state")
    return cls


class _Decoder:
    def __init__(self, arrays):
        self.arrays = arrays
        self.refs = {}

    def __call__(self, node):
        if not isinstance(node, dict):
            if isinstance(node, list):
                raise UntrustedStateError("malformed state (bare list)")
            return node
        if "__ref__" in node:
            return self.refs[node["__ref__"]]
        if "__np__" in node:
            return np.dtype(node["__np__"]).type(node["v"])
        if "__dtype__" in node:
            return np.dtype(node["__dtype__"])
        if "__array__" in node:
            array = self.arrays[node["__array__"]]
            self.refs[node["id"]] = array
            return array
        if "__list__" in node:
            out = self.refs[node["id"]] = []
            out.extend(self(v) for v in node["__list__"])
            return out
        if "__tuple__" in node:
            return tuple(self(v) for v in node["__tuple__"])
        if "__dict__" in node:
            out = self.refs[node["id"]] = {}
            out.update((self(k), self(v)) for k, v in node["__dict__"])
            return out
        if "__set__" in node:
            items = [self(v) for v in node["__set__"]]
            return frozenset(items) if node["frozen"] else set(items)
        if "__randomstate__" in node:
            rng = np.random.RandomState()
            rng.set_state(self(node["__randomstate__"]))
            return rng
        if "__generator__" in node:
            name = node["__generator__"]
            if name not in _BIT_GENERATORS:
                raise UntrustedStateError(f"the state names the bit generator {name!r}")
            return _generator(name, self(node["state"]))
        if "__object__" in node:
            cls = _trusted_class(node["__object__"])
            obj = self.refs[node["id"]] = cls.__new__(cls)
            state = {k: self(v) for k, v in node["state"].items()}
            if getattr(cls, "__setstate__", None) is not None and (
                "__setstate__" in _defined(cls)
            ):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise UntrustedStateError(f"malformed state node {sorted(node)}")


def _defined(cls):
    names = set()
    for klass in cls.__mro__:
        if klass is object:
            break
        names.update(vars(klass))
    return names


def _generator(name, state):
    bit_generator = getattr(np.random, name)()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def decode(tree, arrays):
    """The value :func:`encode` wrote (objects built from sknn classes only)."""
    try:
        return _Decoder(arrays)(json.loads(tree))
    except UntrustedStateError:
        raise
    except (LookupError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise UntrustedStateError(
            f"malformed state ({type(exc).__name__}: {exc})"
        ) from None


def restore_into(obj, node, decoder, path="state"):
    """Write an ``__object__`` node's attributes into the live object ``obj``.

    An attribute whose node is an object of the live attribute's class is
    restored into it, recursively; other values are decoded (an object of
    another class than the live one is refused: no class named in the file
    is built).
    """
    name = node.get("__object__") if isinstance(node, dict) else None
    if name != _class_name(obj):
        raise UntrustedStateError(
            f"{path}: the backup holds {name!r}, this fit has {_class_name(obj)!r}"
        )
    decoder.refs[node["id"]] = obj
    for key, child in node["state"].items():
        current = getattr(obj, key, None)
        if isinstance(child, dict) and "__object__" in child:
            if current is None:
                raise UntrustedStateError(f"{path}.{key}: no such object in this fit")
            restore_into(current, child, decoder, f"{path}.{key}")
        else:
            setattr(obj, key, decoder(child))
    return obj


#: The key under which an estimator's pickled state holds its plain part.
PLAIN_KEY = "_sknn_plain_state"


def to_plain(state):
    """An estimator's ``__getstate__`` dict with every attribute that can be
    written plainly moved into one ``{"tree", "arrays"}`` entry (pickle and
    skops then see only a JSON string and arrays); the others (scikit-learn
    objects such as a ``LabelBinarizer``, a user's callable) stay as they are.

    One pass (pickle, ``deepcopy`` and joblib's workers call it for every
    fitted estimator): an attribute that turns out not plain is taken back
    out of the encoding, so no reference points into it.
    """
    plain, raw, items, arrays = {}, {}, [], {}
    encoder = _Encoder(arrays, "a")
    encoder._ref(plain)  # the dict node of the plain part: id 0, as encode(plain)
    for key, value in state.items():
        if key == "_sklearn_version":  # scikit-learn's __setstate__ reads it
            raw[key] = value
            continue
        n_refs, n_arrays = len(encoder.keep), len(arrays)
        try:
            items.append([encoder(key), encoder(value)])
        except NotPlain:
            for kept in encoder.keep[n_refs:]:
                del encoder.memo[id(kept)]
            del encoder.keep[n_refs:]
            for name in list(arrays)[n_arrays:]:
                del arrays[name]
            raw[key] = value
    tree = json.dumps(
        {"__dict__": items, "id": 0}, separators=(",", ":"), check_circular=False
    )
    return {**raw, PLAIN_KEY: {"tree": tree, "arrays": arrays, "order": list(state)}}


def from_plain(state):
    """The inverse of :func:`to_plain`."""
    state = dict(state)
    plain = state.pop(PLAIN_KEY, None)
    if not isinstance(plain, dict) or {"tree", "arrays", "order"} - set(plain):
        raise UntrustedStateError("malformed state: no plain part")
    state.update(decode(plain["tree"], plain["arrays"]))
    order = [key for key in plain["order"] if key in state]
    return {**{key: state[key] for key in order}, **state}
