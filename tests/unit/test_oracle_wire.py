"""The wire format of trusted grading (course/oracle/wire.py): only plain data crosses, exactly as it was.

What the kernel answers may have been made by the student's code, so the trusted grader reads it with
``decode``: every allowed value comes back with its exact type, dtype and shape, anything that could carry
behaviour (a subclass, an object, a function, an object array) is refused when it is encoded, and any text
that is not valid wire data is refused with WireError -- never another exception, never a crash.
"""

import base64
import json
import math
import types

import numpy as np
import pytest

from course.oracle import wire
from course.oracle.wire import WireError, decode, encode


def round_trip(value):
    return decode(encode(value))


def array_text(dtype="<f8", shape=(2,), data=base64.b64encode(bytes(16)).decode("ascii")):
    """Wire text of an array message with the given fields (by default a valid one: two float64 zeros)."""
    return json.dumps({"array": {"dtype": dtype, "shape": list(shape), "data": data}})


# ---- round trips -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 10**399, -(10**399), 0.0, -0.0, 1.5, 1e-300, 1e300, "", "text", "梯度检查 ✔"],
    ids=repr,
)
def test_student_plain_scalars_come_back_with_their_exact_type(value):
    back = round_trip(value)
    assert type(back) is type(value)
    assert back == value
    if type(value) is float:
        assert math.copysign(1, back) == math.copysign(1, value)


def test_student_nan_and_infinities_are_data():
    nan, plus, minus = round_trip([math.nan, math.inf, -math.inf])
    assert type(nan) is float and np.isnan(nan)
    assert type(plus) is float and np.isposinf(plus)
    assert type(minus) is float and np.isneginf(minus)
    back = round_trip(np.array([np.nan, np.inf, -np.inf]))
    assert np.isnan(back[0]) and np.isposinf(back[1]) and np.isneginf(back[2])


def test_student_complex_numbers_come_back():
    for value in (1 + 2j, complex(0, -0.5), complex(math.inf, math.nan)):
        back = round_trip(value)
        assert type(back) is complex
        assert back.real == value.real or (np.isnan(back.real) and np.isnan(value.real))
        assert back.imag == value.imag or (np.isnan(back.imag) and np.isnan(value.imag))


def test_student_containers_keep_list_tuple_and_dict_apart():
    value = {"a": [1, (2.0, "x")], 3: (), "empty": {}, -1: [[], [None]], "t": ([True],)}
    back = round_trip(value)
    assert back == value
    assert type(back) is dict and type(back["a"]) is list and type(back["a"][1]) is tuple
    assert type(back[3]) is tuple and type(back["empty"]) is dict and type(back["t"][0]) is list
    assert list(back) == list(value)  # key order kept
    assert type(round_trip(())) is tuple and round_trip([]) == [] and round_trip({}) == {}


@pytest.mark.parametrize(
    "value",
    [
        np.float64(0.1),
        np.float32(-2.5),
        np.float16(1.5),
        np.int64(-(2**62)),
        np.int32(7),
        np.int8(-128),
        np.uint8(255),
        np.uint64(2**64 - 1),
        np.bool_(True),
        np.bool_(False),
        np.complex128(1 - 2j),
        np.complex64(0.5j),
        np.longdouble(1) / 3,
    ],
    ids=lambda v: "{}({})".format(type(v).__name__, v),
)
def test_student_numpy_scalars_keep_their_type(value):
    back = round_trip(value)
    assert type(back) is type(value)
    assert back.dtype == value.dtype
    assert back == value


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.float64).reshape(2, 3),
        np.array(3.5),  # 0-d
        np.array(7, dtype=np.int64),
        np.zeros((0,)),
        np.zeros((3, 0, 2), dtype=np.int32),
        np.array([[True, False]]),
        np.linspace(-1, 1, 5, dtype=np.float32).reshape(5, 1),
        np.arange(24, dtype=np.uint16).reshape(2, 3, 4),
        np.array([1 + 1j, -2j], dtype=np.complex64),
        np.array([1.0, 2.0], dtype=">f8"),  # big-endian stays big-endian
        np.arange(10.0)[::3],  # not contiguous
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    ],
    ids=lambda a: "{}{}".format(a.dtype.str, a.shape),
)
def test_student_arrays_keep_dtype_shape_and_values(value):
    back = round_trip(value)
    assert type(back) is np.ndarray
    assert back.dtype == value.dtype and back.dtype.str == value.dtype.str
    assert back.shape == value.shape
    assert np.array_equal(back, value)


def test_student_decoded_arrays_are_writable_copies():
    text = encode({"x": np.arange(4.0), "s": np.float64(2.0)})
    first, second = decode(text), decode(text)
    assert first["x"].flags.writeable and first["x"].flags.owndata
    first["x"][0] = 99.0
    assert second["x"][0] == 0.0


def test_student_nested_dict_of_arrays_comes_back():
    rng = np.random.RandomState(0)
    value = {
        "parameters": {name: rng.randn(*shape) for name, shape in [("W1", (5, 4)), ("b1", (5, 1)), ("W3", (1, 3))]},
        "cache": (rng.randn(4, 3), np.int64(3), [np.float32(1.0), 2]),
        "cost": np.float64(0.25),
    }
    back = round_trip(value)
    assert list(back["parameters"]) == ["W1", "b1", "W3"]
    for name, array in value["parameters"].items():
        assert back["parameters"][name].dtype == array.dtype and np.array_equal(back["parameters"][name], array)
    assert type(back["cache"]) is tuple and np.array_equal(back["cache"][0], value["cache"][0])
    assert type(back["cache"][1]) is np.int64 and type(back["cache"][2][0]) is np.float32
    assert type(back["cost"]) is np.float64


def test_student_encoded_text_is_json_with_tags():
    plain = json.loads(encode((1, {"k": np.float64(0.0)}, np.zeros(2, dtype=np.int8), 2j)))
    zero = base64.b64encode(bytes(8)).decode("ascii")
    assert plain == {
        "tuple": [
            1,
            {"dict": [["k", {"scalar": {"dtype": "<f8", "shape": [], "data": zero}}]]},
            {"array": {"dtype": "|i1", "shape": [2], "data": "AAA="}},
            {"complex": [0.0, 2.0]},
        ]
    }
    assert decode(array_text()).tolist() == [0.0, 0.0]  # the helper's default is valid: the refusals below are not


# ---- refused when encoded --------------------------------------------------------------------------------
class FloatSubclass(float):
    pass


class IntSubclass(int):
    pass


class ArraySubclass(np.ndarray):
    pass


class Float64Subclass(np.float64):
    pass


class LiesAboutEquality:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def _nested(depth):
    value = 0
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value, kind",
    [
        (FloatSubclass(1.0), "unsupported type"),
        (IntSubclass(1), "unsupported type"),
        (np.zeros(3).view(ArraySubclass), "unsupported type"),
        (Float64Subclass(1.0), "unsupported type"),
        (LiesAboutEquality(), "unsupported type"),
        (len, "unsupported type"),
        (lambda: 0, "unsupported type"),
        (math, "unsupported type"),
        (types.SimpleNamespace(a=1), "unsupported type"),
        ({1, 2}, "unsupported type"),
        (b"bytes", "unsupported type"),
        (np.array([1, "x"], dtype=object), "unsupported dtype"),
        (np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]), "unsupported dtype"),
        (np.zeros(2, dtype="U3"), "unsupported dtype"),
        (np.zeros(2, dtype="datetime64[s]"), "unsupported dtype"),
        ({(1, 2): 3}, "unsupported key"),
        ({1.5: 3}, "unsupported key"),
        ({True: 3}, "unsupported key"),
        ({10**500: 1}, "unsupported key"),
        (_nested(wire.MAX_DEPTH + 2), "nested too deeply"),
        (10**wire.MAX_INT_DIGITS, "too large"),
        (-(10**5000), "too large"),  # more digits than Python will even print: still a WireError
        (np.broadcast_to(np.zeros(1), (wire.MAX_ARRAY_ELEMENTS + 1,)), "too large"),
        (np.zeros((1,) * 33), "too large"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_student_values_that_could_carry_behaviour_are_refused(value, kind):
    with pytest.raises(WireError) as caught:
        encode(value)
    assert caught.value.kind == kind


def test_student_refusal_says_where_inside_the_value():
    with pytest.raises(WireError) as caught:
        encode({"grads": [np.zeros(2), FloatSubclass(1.0)]})
    assert caught.value.path == "['grads'][1]"
    assert "FloatSubclass" in caught.value.detail


def test_student_a_value_inside_a_container_is_checked_too():
    for value in ([1, FloatSubclass(2.0)], (np.zeros(1).view(ArraySubclass),), {"f": print}):
        with pytest.raises(WireError):
            encode(value)


def test_student_deepest_allowed_nesting_still_crosses():
    value = _nested(wire.MAX_DEPTH)
    assert round_trip(value) == value


# ---- refused when decoded --------------------------------------------------------------------------------
GOOD_ARRAY = {"dtype": "<f8", "shape": [2], "data": base64.b64encode(bytes(16)).decode("ascii")}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "{",
        "[1, 2",
        "{'single': 'quotes'}",
        "[1] [2]",
        "1" * 5000,  # an int with more digits than json will read
        "1" * (wire.MAX_INT_DIGITS + 1),
        "[" * (wire.MAX_DEPTH + 2) + "]" * (wire.MAX_DEPTH + 2),
        "[" * 100_000 + "]" * 100_000,
        '{"dict": [' * 50 + "]}" * 50,
        json.dumps({"unknown": 1}),
        json.dumps({"evil": 1}),
        json.dumps({"tuple": [], "dict": []}),
        json.dumps({"tuple": {"a": 1}}),
        json.dumps({"dict": [["a"]]}),
        json.dumps({"dict": [[1.5, 1]]}),
        json.dumps({"dict": [[None, 1]]}),
        json.dumps({"dict": {"a": 1}}),
        json.dumps({"complex": ["1", "2"]}),
        json.dumps({"complex": [1.0]}),
        json.dumps({"complex": [True, 1.0]}),
        json.dumps({"complex": 1.0}),
        json.dumps({"scalar": GOOD_ARRAY}),  # a scalar must be 0-d
        json.dumps({"array": dict(GOOD_ARRAY, extra=1)}),
        json.dumps({"array": [1, 2]}),
        array_text(shape=(3,), data=base64.b64encode(bytes(16)).decode("ascii")),  # data too short
        array_text(shape=(1,), data=base64.b64encode(bytes(16)).decode("ascii")),  # data too long
        array_text(shape=(-2,)),
        array_text(shape=(2**40, 2**40), data=""),
        array_text(shape=(wire.MAX_ARRAY_ELEMENTS + 1,), data=""),
        array_text(shape=(1,) * 33, data=""),
        array_text(shape=("2",), data=""),
        json.dumps({"array": {"dtype": "<f8", "shape": 2, "data": ""}}),
        array_text(data="!!not base64!!"),
        array_text(data="AAAA AAAA AAAA AAAA AAAA"),
        array_text(data="ÄÖÜ"),
        json.dumps({"array": {"dtype": "<f8", "shape": [0], "data": 0}}),
        array_text(dtype="|O8"),
        array_text(dtype="<V8"),
        array_text(dtype="object"),
        array_text(dtype="<U1"),
        array_text(dtype="<M8[s]"),
        array_text(dtype="f8"),
        array_text(dtype="<f3"),  # matches the dtype pattern, but NumPy does not know it
        array_text(dtype="<b2"),
        array_text(dtype="<i16"),
        json.dumps({"array": {"dtype": ["<f8"], "shape": [0], "data": ""}}),
    ],
    ids=lambda text: text[:60],
)
def test_student_invalid_text_is_refused_with_wire_error_only(text):
    with pytest.raises(WireError):
        decode(text)


def test_student_oversize_text_is_refused_before_it_is_parsed():
    with pytest.raises(WireError) as caught:
        decode(" " * (wire.MAX_MESSAGE_CHARS + 1))
    assert caught.value.kind == "too large"


def test_student_only_text_is_decoded():
    for value in (b"[]", None, 1, ["[]"]):
        with pytest.raises(WireError):
            decode(value)


def test_student_huge_nesting_is_a_wire_error_not_a_crash():
    """100000 levels of brackets: WireError, not RecursionError (which would stop the grader)."""
    for opening, closing in (("[", "]"), ('{"tuple": [', "]}")):
        with pytest.raises(WireError):
            decode(opening * 100_000 + closing * 100_000)


def test_student_decode_rechecks_what_encode_would_refuse():
    """Text made by hand (in a student's kernel) gets no further than text made by encode."""
    for value in (np.zeros(2, dtype=object), FloatSubclass(1.0)):
        with pytest.raises(WireError):
            encode(value)
    sneaky = json.dumps({"array": {"dtype": "|O8", "shape": [1], "data": base64.b64encode(bytes(8)).decode()}})
    with pytest.raises(WireError) as caught:
        decode(sneaky)
    assert caught.value.kind == "unsupported dtype"
