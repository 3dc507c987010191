"""The wire format between the trusted grader and the student's kernel: plain data, nothing else.

Why: the kernel runs the student's code, so whatever it sends back may have been made by that code.
Only values that cannot carry code or behaviour cross: ``None``, ``bool``, ``int``, ``float`` (NaN and
infinities included), ``complex``, ``str``, lists, tuples, dicts with ``str``/``int`` keys, NumPy scalars
and arrays of a numeric or boolean dtype. Types are checked exactly (a subclass of ``float`` or of
``numpy.ndarray`` is refused, so is an object with its own ``__eq__``), arrays travel as raw bytes with
their dtype and shape, and a message is size- and depth-capped before it is read.

The text is JSON; every non-JSON value is an object with one tag key (``{"tuple": [...]}``,
``{"array": {...}}``, ...). This module is also sent, as source, to the kernel: it uses only the
standard library and NumPy and keeps no state.
"""

import base64
import json
import re

import numpy as np

#: Largest message (characters of JSON text) either side accepts.
MAX_MESSAGE_CHARS = 16 * 1024 * 1024
#: Deepest nesting of lists, tuples and dicts.
MAX_DEPTH = 32
#: Most elements in one array, and most dimensions.
MAX_ARRAY_ELEMENTS = 4 * 1024 * 1024
MAX_DIMENSIONS = 32
#: Most digits of an ``int`` (checked by comparison: ``str`` of a huge int raises ValueError, not WireError).
MAX_INT_DIGITS = 400
_INT_LIMIT = 10**MAX_INT_DIGITS
#: Longest line of the trusted grader's protocol (``course.oracle.trusted``), in bytes of JSON text.
MAX_LINE_BYTES = 2 * MAX_MESSAGE_CHARS
#: Array dtypes that may cross: byte order, then kind (bool, signed, unsigned, float, complex), item size.
DTYPE = re.compile(r"^[<>|=][biufc][0-9]{1,2}$")
SCALAR_TYPES = frozenset(np.dtype(code).type for code in "?bhilqBHILQefdgFDG")
TAGS = ("tuple", "dict", "complex", "array", "scalar")


class WireError(ValueError):
    """A value that cannot cross, or a message that is not valid: ``path`` says where, ``kind`` what."""

    def __init__(self, kind, path, detail=""):
        super().__init__("{} at {}{}".format(kind, path or "the value", ": " + detail if detail else ""))
        self.kind, self.path, self.detail = kind, path, detail


def _type_name(value):
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else "{}.{}".format(kind.__module__, kind.__qualname__)


def _array_fields(array, path):
    dtype = array.dtype
    if dtype.kind not in "biufc" or dtype.fields is not None or not DTYPE.match(dtype.str):
        raise WireError("unsupported dtype", path, str(dtype))
    if array.size > MAX_ARRAY_ELEMENTS or array.ndim > MAX_DIMENSIONS:
        raise WireError("too large", path, "array of shape {}".format(array.shape))
    data = np.ascontiguousarray(array).tobytes()
    return {"dtype": dtype.str, "shape": list(array.shape), "data": base64.b64encode(data).decode("ascii")}


def to_plain(value: object, path: str = "", depth: int = 0) -> object:
    """The JSON-able form of ``value``; WireError if it (or anything inside) may not cross."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply", path)
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        if abs(value) >= _INT_LIMIT:
            raise WireError("too large", path, "an int of more than {} digits".format(MAX_INT_DIGITS))
        return value
    if kind is float:
        return value
    if kind is complex:
        return {"complex": [value.real, value.imag]}
    if kind is np.ndarray:
        return {"array": _array_fields(value, path)}
    if kind in SCALAR_TYPES:
        return {"scalar": _array_fields(np.asarray(value), path)}
    if kind is list or kind is tuple:
        items = [to_plain(item, "{}[{}]".format(path, i), depth + 1) for i, item in enumerate(value)]
        return items if kind is list else {"tuple": items}
    if kind is dict:
        pairs = []
        for key, item in value.items():
            if type(key) not in (str, int) or (type(key) is int and abs(key) >= _INT_LIMIT):
                raise WireError("unsupported key", path, "{} ({})".format(str(key)[:100], _type_name(key)))
            pairs.append([key, to_plain(item, "{}[{!r}]".format(path, key), depth + 1)])
        return {"dict": pairs}
    raise WireError("unsupported type", path, _type_name(value))


def encode(value: object) -> str:
    """``value`` as wire text (JSON); WireError if it may not cross."""
    text = json.dumps(to_plain(value), separators=(",", ":"))
    if len(text) > MAX_MESSAGE_CHARS:
        raise WireError("too large", "", "{} characters".format(len(text)))
    return text


def _array(fields, path):
    if type(fields) is not dict or set(fields) != {"dtype", "shape", "data"}:
        raise WireError("malformed array", path)
    dtype, shape, data = fields["dtype"], fields["shape"], fields["data"]
    try:  # the pattern lets through codes NumPy does not know ("<f3", "<b2"): np.dtype raises TypeError
        known = type(dtype) is str and DTYPE.match(dtype) and np.dtype(dtype).kind in "biufc"
    except TypeError:
        known = False
    if not known:
        raise WireError("unsupported dtype", path, str(dtype)[:40])
    if (
        type(shape) is not list
        or len(shape) > MAX_DIMENSIONS
        or not all(type(n) is int and 0 <= n <= MAX_ARRAY_ELEMENTS for n in shape)
        or int(np.prod(shape, dtype=np.float64)) > MAX_ARRAY_ELEMENTS
        or type(data) is not str
    ):
        raise WireError("malformed array", path)
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("malformed array", path, "data is not base64") from None
    dtype = np.dtype(dtype)
    if len(raw) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise WireError("malformed array", path, "data does not fit dtype and shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def from_plain(plain: object, path: str = "", depth: int = 0) -> object:
    """The value that ``plain`` (parsed JSON) stands for; WireError if it is not valid wire data."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply", path)
    kind = type(plain)
    if plain is None or kind in (bool, str, float):
        return plain
    if kind is int:
        if abs(plain) >= _INT_LIMIT:
            raise WireError("too large", path)
        return plain
    if kind is list:
        return [from_plain(item, "{}[{}]".format(path, i), depth + 1) for i, item in enumerate(plain)]
    if kind is not dict or len(plain) != 1 or next(iter(plain)) not in TAGS:
        raise WireError("malformed value", path)
    tag, body = next(iter(plain.items()))
    if tag == "tuple":
        if type(body) is not list:
            raise WireError("malformed value", path)
        return tuple(from_plain(item, "{}[{}]".format(path, i), depth + 1) for i, item in enumerate(body))
    if tag == "dict":
        if type(body) is not list or not all(type(p) is list and len(p) == 2 for p in body):
            raise WireError("malformed value", path)
        result = {}
        for key, item in body:
            if type(key) not in (str, int) or (type(key) is int and abs(key) >= _INT_LIMIT):
                raise WireError("unsupported key", path)
            result[key] = from_plain(item, "{}[{!r}]".format(path, key), depth + 1)
        return result
    if tag == "complex":
        if type(body) is not list or len(body) != 2 or not all(type(p) in (int, float) for p in body):
            raise WireError("malformed value", path)
        return complex(body[0], body[1])
    array = _array(body, path)
    if tag == "scalar":
        if array.ndim != 0:
            raise WireError("malformed value", path)
        return array[()]
    return array


def decode(text: str) -> object:
    """The value of wire text ``text``; WireError if it is too large, not JSON or not wire data."""
    if type(text) is not str:
        raise WireError("malformed message", "", "not text")
    if len(text) > MAX_MESSAGE_CHARS:
        raise WireError("too large", "", "{} characters".format(len(text)))
    try:
        plain = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError("malformed message", "", str(error)[:200]) from None
    return from_plain(plain)
