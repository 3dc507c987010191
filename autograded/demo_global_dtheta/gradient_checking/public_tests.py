"""Public tests of the gradient-checking course / 梯度检查课程的公开测试.

Students call these from the notebook, e.g. ``forward_propagation_test(forward_propagation)``.
A passing test prints one short line in English and Chinese.  A failing test raises
``AssertionError`` whose message names the call, the expected value, what came back and,
where it helps, the likely mistake -- in both languages.  These are only the public
checks: the autograder runs further, hidden ones, of the same kinds on other inputs, so every honest
mistake they catch is named here first.  The checkers of Exercises 3 and 4 are also run with other
functions swapped in for forward_propagation, backward_propagation and forward_propagation_n (put back
afterwards): they must call them.

学生在 notebook 中调用这些函数，例如 ``forward_propagation_test(forward_propagation)``。
测试通过时打印一行简短的中英文提示；失败时抛出 ``AssertionError``，其消息用中英文
说明调用方式、期望值、实际返回值，以及（如有帮助）可能的错误原因。
这些只是公开测试：自动评分时还会在其他输入上运行同类的隐藏测试，所以隐藏测试能发现的诚实错误都会先在这里指出。
练习 3 和 4 的检查函数还会在 forward_propagation、backward_propagation 和 forward_propagation_n 被换成其他函数时运行（之后复原）：它们必须调用这些函数。
"""

import contextlib
import io
import os
import sys
import traceback
import types

import numpy as np

from gc_utils import (
    DIFFERENCE_THRESHOLD,
    PARAMETER_SHAPES,
    SHORTCUTS,
    bilingual,
    block_differences,
    dictionary_to_vector,
    gradients_to_vector,
    numerical_gradient,
    relative_difference,
    relu,
    sigmoid,
    vector_to_dictionary,
)
from testCases import gradient_check_n_test_case

__all__ = [
    "forward_propagation_test",
    "backward_propagation_test",
    "gradient_check_test",
    "gradient_check_n_test",
    "backward_propagation_n_fixed_test",
]
#: Expected values of the course, as printed in the notebook.
#: 课程中的期望值（与 notebook 中打印的一致）。
EXPECTED_J = 8
EXPECTED_DTHETA = 2
EXPECTED_DIFFERENCE_1D = 2.919335883291695e-10
EXPECTED_DIFFERENCE_BUGGY_N = 0.2850931566540251
#: Relative tolerance for numbers whose last digits depend on the platform's floating point.
#: 末几位随平台浮点实现而变的数值所用的相对容差。
PLATFORM_RTOL = 1e-6
#: epsilon of the overall check (as in Exercise 4) and of the per-block check of the bonus exercise.
#: 总体检查（与练习 4 相同）和附加练习逐块检查所用的 epsilon。
CHECK_EPSILON = 1e-7
BLOCK_EPSILON = 1e-4
#: Where installed libraries live; their frames are never "the line to fix".
_LIBRARY_PREFIXES = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
_HERE = os.path.dirname(os.path.abspath(__file__))


def _passed(name):
    print(bilingual("\u2714 {}: all public tests passed.".format(name), "\u2714 {}：公开测试全部通过。".format(name)))


def _call(function, *args, hints=None, **kwargs):
    """Call the student's function; turn any error except NotImplementedError into a clear failure.

    The failure names the line of the student's code where the error happened, and the original
    exception stays attached (``raise ... from``), so the traceback shows that line too. ``hints``:
    a function ``error -> (en, zh)`` that adds advice for errors with a usual cause.
    """
    __tracebackhide__ = True  # IPython leaves this frame out of the traceback the student reads
    call = "{}({})".format(
        getattr(function, "__name__", "function"),
        ", ".join([_short(a) for a in args] + ["{}={}".format(k, _short(v)) for k, v in kwargs.items()]),
    )
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:
        where_en, where_zh = _where(error)
        # A bilingual message (from gc_utils) has English on its first line, Chinese on its last.
        lines = [line.rstrip(".。") for line in str(error).strip().split("\n")]
        hint_en, hint_zh = hints(error) if hints is not None else ("", "")
        raise AssertionError(
            bilingual(
                "{} raised {}: {}.{}{} See the traceback above.".format(
                    call, type(error).__name__, lines[0], where_en, hint_en
                ),
                "{} 抛出了 {}：{}。{}{}请查看上方的回溯信息。".format(
                    call, type(error).__name__, lines[-1], where_zh, hint_zh
                ),
            )
        ) from error


def _where(error):
    """(en, zh) sentences naming the line of the student's code where ``error`` happened, or ("", "").

    That line is the deepest frame of the traceback that is the student's code (see ``_is_student_code``).
    When grading, the call ran in the student's kernel and the error carries those frames as
    ``student_frames``: (function name, line number, code).
    """
    frames = getattr(error, "student_frames", None)
    if frames is None:
        frames = [
            (frame.name, frame.lineno, frame.line)
            for frame in traceback.extract_tb(error.__traceback__)
            if _is_student_code(frame.filename)
        ]
    if not frames:
        return "", ""
    name, lineno, code = frames[-1]
    code = (code or "").strip()
    return (
        " The line to fix is in {}, line {} ({}).".format(name, lineno, code),
        "需要修改的是 {} 的第 {} 行（{}）。".format(name, lineno, code),
    )


def _shortcut_refused(name):
    """A stand-in for the gc_utils helper ``name`` that raises: it would do the exercise for the student."""

    def refused(*args, **kwargs):
        raise RuntimeError(
            bilingual(
                "{} would do part of this exercise for you, so it is switched off while the exercise is graded: "
                "write that part yourself.".format(name),
                "{} 会替你完成本练习的一部分，因此评分时它被停用：请自己编写这部分代码。".format(name),
            )
        )

    return refused


@contextlib.contextmanager
def _without_shortcuts(function):
    """While ``function`` (the student's) runs, the helpers of ``SHORTCUTS`` raise, wherever its code finds
    them: its own namespace (also under another name) or the course's modules. Everything is put back after."""
    spaces = [vars(sys.modules[m]) for m in ("gc_utils", "testCases", __name__) if m in sys.modules]
    spaces.append(getattr(function, "__globals__", {}))
    originals = (
        {name: vars(sys.modules["gc_utils"]).get(name) for name in SHORTCUTS} if "gc_utils" in sys.modules else {}
    )
    saved = []
    for space in spaces:
        for key, value in list(space.items()):
            for name, original in originals.items():
                if (key == name and space is not spaces[-1]) or (original is not None and value is original):
                    saved.append((space, key, value))
                    space[key] = _shortcut_refused(name)
    try:
        yield
    finally:
        for space, key, value in reversed(saved):
            space[key] = value


def _oracle_replaced():
    """``course.oracle.replaced`` when these tests run in the course's trusted grader, else None."""
    try:
        from course.oracle import api
    except ImportError:  # the student's computer: the course's grader is not there
        return None
    return api.replaced if api._channel is not None else None


def _can_swap(target):
    """Whether the checks that swap other functions in for forward/backward propagation can run on ``target``."""
    return isinstance(target, types.FunctionType) or _oracle_replaced() is not None


@contextlib.contextmanager
def _swapped(target, **functions):
    """While active, the code of ``target`` sees ``functions`` instead of the notebook's functions of those names.

    In the notebook: they replace the names in the namespace of ``target`` (and any other name bound to the same
    function), put back afterwards. When grading, the course's grader does the same in the student's kernel."""
    space = target.__globals__ if isinstance(target, types.FunctionType) else None
    if space is None:
        with _oracle_replaced()(**functions):
            yield
        return
    missing = object()
    saved, cells = [], []
    for name, new in functions.items():
        old = space.get(name, missing)
        for key in [name] + [k for k, v in list(space.items()) if old is not missing and v is old and k != name]:
            saved.append((key, key in space, space.get(key)))
            space[key] = new
    # A function defined inside another one finds them in its closure instead.
    for name, cell in zip(target.__code__.co_freevars, target.__closure__ or ()):
        if name in functions:
            cells.append((cell, cell.cell_contents))
            cell.cell_contents = functions[name]
    try:
        yield
    finally:
        for cell, value in cells:
            cell.cell_contents = value
        for key, existed, value in reversed(saved):
            if existed:
                space[key] = value
            else:
                space.pop(key, None)


def _is_student_code(filename):
    """True unless ``filename`` is Python's own, an installed library's, or a course helper module's."""
    if filename.startswith("<"):  # code compiled from a string, e.g. a notebook cell
        return not filename.startswith("<frozen")
    path = os.path.abspath(filename)
    return not path.startswith(_LIBRARY_PREFIXES) and os.path.dirname(path) != _HERE


def _short(value):
    if isinstance(value, np.ndarray):
        return "<array {}>".format(value.shape)
    if isinstance(value, dict):
        return "<dict {}>".format(", ".join(value))
    if isinstance(value, (float, np.floating)):
        return _num(value)
    return repr(value)


def _num(value):
    """A number as a student reads it: ``0.2850931566540251``, ``8``, never ``np.float64(0.28...)``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


def _describe(value):
    """(en, zh) words for a value that is not a single real float64 number."""
    if isinstance(value, (bool, np.bool_)):
        return "{} (a bool)".format(bool(value)), "{}（布尔值）".format(bool(value))
    if isinstance(value, np.ndarray):
        return "an array of shape {}".format(value.shape), "形状为 {} 的数组".format(value.shape)
    if isinstance(value, np.generic) and np.isrealobj(value) and np.issubdtype(value.dtype, np.number):
        text = "{:.8g} (numpy.{})".format(float(value), value.dtype.name)
        return text, text
    if isinstance(value, (int, float)):
        return _num(value), _num(value)
    name = type(value).__name__
    return "a value of type {}".format(name), "类型为 {} 的值".format(name)


def _require_number(value, call, float64=False):
    """A failure unless ``value`` is one real number (``float64``: a float64 one, as a difference must be)."""
    __tracebackhide__ = True
    if value is None:
        raise AssertionError(
            bilingual(
                "{} returned None. Did you forget the return statement or leave the variable unassigned?".format(call),
                "{} 返回了 None。是否忘了 return 语句，或没有给变量赋值？".format(call),
            )
        )
    number = (
        not isinstance(value, (bool, np.bool_))
        and np.ndim(value) == 0
        and np.isrealobj(value)
        and np.issubdtype(np.asarray(value).dtype, np.number)
    )
    if number and float64 and np.asarray(value).dtype != np.float64:
        en, zh = _describe(value)
        raise AssertionError(
            bilingual(
                "{} returned {}; return the difference as a float64 number (do not convert it to float32, "
                "and keep the parameter vectors in float64).".format(call, en),
                "{} 返回了 {}；请把差异作为 float64 数返回（不要转换为 float32，参数向量也保持 float64）。".format(
                    call, zh
                ),
            )
        )
    if not number:
        en, zh = _describe(value)
        raise AssertionError(
            bilingual(
                "{} returned {}, expected a single real number.".format(call, en),
                "{} 返回了 {}，应返回一个实数。".format(call, zh),
            )
        )


def _expect_equal(call, got, expected, hint_en="", hint_zh=""):
    __tracebackhide__ = True
    _require_number(got, call)
    if not np.isclose(got, expected, rtol=0, atol=1e-12):
        raise AssertionError(
            bilingual(
                "{} returned {}, expected {}. {}".format(call, _num(got), _num(expected), hint_en).strip(),
                "{} 返回了 {}，期望值为 {}。{}".format(call, _num(got), _num(expected), hint_zh).strip(),
            )
        )


def forward_propagation_test(target):
    """Check Exercise 1: J(theta) = theta * x.  检查练习 1：J(θ) = θx。"""
    __tracebackhide__ = True
    x, theta = 2, 4
    _expect_equal(
        "forward_propagation({}, {})".format(x, theta),
        _call(target, x, theta),
        EXPECTED_J,
        "J is theta times x.",
        "J 等于 theta 乘以 x。",
    )
    for x, theta in [(-3, 0.5), (0, 6), (2.5, -1.5)]:
        _expect_equal(
            "forward_propagation({}, {})".format(_num(x), _num(theta)),
            _call(target, x, theta),
            x * theta,
            "Use the arguments x and theta, not fixed numbers: J = theta * x.",
            "请使用参数 x 和 theta，而不是固定的数字：J = theta * x。",
        )
    _passed("forward_propagation")


def backward_propagation_test(target):
    """Check Exercise 2: dJ/dtheta = x.  检查练习 2：dJ/dθ = x。"""
    __tracebackhide__ = True
    x, theta = 2, 4
    _expect_equal(
        "backward_propagation({}, {})".format(x, theta),
        _call(target, x, theta),
        EXPECTED_DTHETA,
        "The derivative of theta * x with respect to theta is x.",
        "theta * x 对 theta 的导数是 x。",
    )
    for x, theta in [(-3, 0.5), (1.5, 0), (0, 3)]:
        _expect_equal(
            "backward_propagation({}, {})".format(_num(x), _num(theta)),
            _call(target, x, theta),
            x,
            "Use the argument x, not a fixed number: the derivative is x whatever theta is (also when theta = 0, "
            "so do not divide by theta).",
            "请使用参数 x，而不是固定的数字：无论 theta 取何值，导数都是 x（theta = 0 时也是，所以不要除以 theta）。",
        )
    _passed("backward_propagation")


def _expect_difference(call, got, expected, rtol, hint_en, hint_zh):
    __tracebackhide__ = True
    _require_number(got, call, float64=True)
    if not np.isclose(got, expected, rtol=rtol, atol=0):
        raise AssertionError(
            bilingual(
                "{} returned {}, expected about {} (relative tolerance {:g}). {}".format(
                    call, _num(got), _num(expected), rtol, hint_en
                ),
                "{} 返回了 {}，期望约为 {}（相对容差 {:g}）。{}".format(call, _num(got), _num(expected), rtol, hint_zh),
            )
        )


def _close(a, b, rtol=1e-6):
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= rtol * max(abs(a), abs(b)) or (a == 0 and b == 0)


# ---------------------------------------------------------------- Exercise 3 with other functions swapped in
# The checker must call forward_propagation and backward_propagation: the grader swaps other functions in
# and expects the difference they give. A curved, non-symmetric J (x * theta**3) tells apart the mistakes
# that the linear J of the course (theta * x) hides: swapped arguments, a one-sided difference, ...
def _curved_forward(x, theta):
    return x * theta**3


def _curved_backward(x, theta):
    return 3 * x * theta**2


def _other_curved_forward(x, theta):
    return 2 * x * theta**3


def _wrong_factor_backward(x, theta):
    return 2 * x * theta**2


def _wrong_sign_backward(x, theta):
    return -3 * x * theta**2


_BACKWARDS = {
    _curved_backward: ("its derivative 3 * x * theta**2", "其导数 3 * x * theta**2"),
    _wrong_factor_backward: ("a wrong derivative 2 * x * theta**2", "错误的导数 2 * x * theta**2"),
    _wrong_sign_backward: ("a wrong derivative -3 * x * theta**2", "错误的导数 -3 * x * theta**2"),
}
#: (x, theta, epsilon) of the checks with the curved J and its true derivative, then of the wrong derivatives.
CURVED_CASES = [(0.5, 1.2, 1e-2), (-2.0, -0.9, 1e-3)]
CURVED_DEFAULT_EPSILON = (-1.2, 0.8)
WRONG_DERIVATIVE_CASE = (1.1, -1.4)

#: What each recognised mistake of Exercise 3 is, and how to fix it (en, zh).
MISTAKES_1D = {
    "no_backward": (
        "grad does not come from backward_propagation: the result stayed the same when backward_propagation "
        "was replaced. Write grad = backward_propagation(x, theta) and use grad in formula (2) (not x, not the "
        "notebook's variable dtheta).",
        "grad 不是由 backward_propagation 得到的：替换 backward_propagation 后结果没有变化。"
        "请写 grad = backward_propagation(x, theta)，并在公式 (2) 中使用 grad（不是 x，也不是 notebook 中的变量 dtheta）。",
    ),
    "grad_is_x": (
        "It looks like grad = x: the checker must not know the derivative; write grad = backward_propagation(x, theta).",
        "看起来写成了 grad = x：检查函数不应自己知道导数；请写 grad = backward_propagation(x, theta)。",
    ),
    "global_dtheta": (
        "It looks like formula (2) uses the notebook's variable dtheta (from Exercise 2's cell) instead of grad: "
        "write grad = backward_propagation(x, theta) and use grad.",
        "看起来公式 (2) 用的是 notebook 中的变量 dtheta（来自练习 2 的单元格），而不是 grad："
        "请写 grad = backward_propagation(x, theta) 并使用 grad。",
    ),
    "no_forward": (
        "J does not come from forward_propagation: the result stayed the same when forward_propagation was "
        "replaced. Compute J_plus = forward_propagation(x, theta_plus) and J_minus = forward_propagation(x, "
        "theta_minus), not theta_plus * x.",
        "J 不是由 forward_propagation 得到的：替换 forward_propagation 后结果没有变化。"
        "请用 J_plus = forward_propagation(x, theta_plus) 和 J_minus = forward_propagation(x, theta_minus) 计算，"
        "而不是 theta_plus * x。",
    ),
    "swapped_forward": (
        "It looks like forward_propagation is called with its arguments swapped, forward_propagation(theta_plus, x): "
        "the order is forward_propagation(x, theta_plus).",
        "看起来调用 forward_propagation 时参数顺序颠倒了（forward_propagation(theta_plus, x)）："
        "正确的顺序是 forward_propagation(x, theta_plus)。",
    ),
    "one_sided": (
        "It looks like a one-sided difference: use the centered difference (J_plus - J_minus) / (2 * epsilon), "
        "with J_plus at theta + epsilon and J_minus at theta - epsilon.",
        "看起来用了单侧差分：请用中心差分 (J_plus - J_minus) / (2 * epsilon)，"
        "其中 J_plus 取在 theta + epsilon，J_minus 取在 theta - epsilon。",
    ),
    "divide_by_epsilon": (
        "It looks like J_plus - J_minus is divided by epsilon: divide by 2 * epsilon.",
        "看起来 J_plus - J_minus 除以了 epsilon：应除以 2 * epsilon。",
    ),
    "precedence": (
        "It looks like (J_plus - J_minus) / 2 * epsilon, which multiplies by epsilon: write "
        "(J_plus - J_minus) / (2 * epsilon).",
        "看起来写成了 (J_plus - J_minus) / 2 * epsilon，这会乘以 epsilon：请写 (J_plus - J_minus) / (2 * epsilon)。",
    ),
    "minus_from_plus": (
        "It looks like theta_minus is built from theta_plus (theta_plus - epsilon is theta itself): "
        "write theta_minus = theta - epsilon.",
        "看起来 theta_minus 是由 theta_plus 得到的（theta_plus - epsilon 就是 theta 本身）：请写 theta_minus = theta - epsilon。",
    ),
    "fixed_epsilon": (
        "It looks like a fixed number is used instead of the argument epsilon: use epsilon in theta + epsilon, "
        "theta - epsilon and 2 * epsilon.",
        "看起来用了固定的数字而不是参数 epsilon：请在 theta + epsilon、theta - epsilon 和 2 * epsilon 中使用 epsilon。",
    ),
    "backward_of_gradapprox": (
        "It looks like grad = backward_propagation(x, gradapprox): the gradient is taken at theta, "
        "grad = backward_propagation(x, theta).",
        "看起来写成了 grad = backward_propagation(x, gradapprox)：梯度应在 theta 处计算，"
        "即 grad = backward_propagation(x, theta)。",
    ),
    "swapped_backward": (
        "It looks like backward_propagation is called with its arguments swapped: the order is "
        "backward_propagation(x, theta).",
        "看起来调用 backward_propagation 时参数顺序颠倒了：正确的顺序是 backward_propagation(x, theta)。",
    ),
    "grad_is_gradapprox": (
        "It looks like grad = gradapprox (the difference is 0): grad must be backward_propagation(x, theta).",
        "看起来写成了 grad = gradapprox（差异为 0）：grad 必须是 backward_propagation(x, theta)。",
    ),
    "denominator": (
        "It looks like the denominator lacks a term: formula (2) divides by ||grad|| + ||gradapprox||.",
        "看起来分母少了一项：公式 (2) 的分母是 ||grad|| + ||gradapprox||。",
    ),
    "abs_of_abs": (
        "It looks like the sizes are compared (abs(grad) - abs(gradapprox)): a gradient with the wrong sign must "
        "be flagged, so the numerator is the norm of grad - gradapprox.",
        "看起来比较的是绝对值（abs(grad) - abs(gradapprox)）：符号错误的梯度也必须被发现，"
        "所以分子应是 grad - gradapprox 的范数。",
    ),
    "signed": (
        "The numerator must be a norm: numerator = np.linalg.norm(grad - gradapprox).",
        "分子必须是范数：numerator = np.linalg.norm(grad - gradapprox)。",
    ),
    "generic": (
        "Check gradapprox = (J_plus - J_minus) / (2 * epsilon) with J_plus = forward_propagation(x, theta + epsilon) "
        "and J_minus = forward_propagation(x, theta - epsilon), grad = backward_propagation(x, theta), and formula (2).",
        "请检查 gradapprox = (J_plus - J_minus) / (2 * epsilon)，其中 J_plus = forward_propagation(x, theta + epsilon)，"
        "J_minus = forward_propagation(x, theta - epsilon)；grad = backward_propagation(x, theta)；以及公式 (2)。",
    ),
}


def _relative_1d(grad, gradapprox):
    return abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))


def _candidates_1d(J, dJ, x, theta, epsilon):
    """The difference a correct gradient_check returns (``"expected"``), then what each mistake would return."""
    J_plus, J_minus, J_0 = J(x, theta + epsilon), J(x, theta - epsilon), J(x, theta)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = dJ(x, theta)
    yield "expected", _relative_1d(grad, gradapprox)
    yield "swapped_forward", _relative_1d(grad, (J(theta + epsilon, x) - J(theta - epsilon, x)) / (2 * epsilon))
    yield "one_sided", _relative_1d(grad, (J_plus - J_0) / epsilon)
    yield "one_sided", _relative_1d(grad, (J_0 - J_minus) / epsilon)
    yield "divide_by_epsilon", _relative_1d(grad, (J_plus - J_minus) / epsilon)
    yield "precedence", _relative_1d(grad, (J_plus - J_minus) / 2 * epsilon)
    yield "minus_from_plus", _relative_1d(grad, (J_plus - J_0) / (2 * epsilon))
    yield "fixed_epsilon", _relative_1d(grad, (J(x, theta + 1e-7) - J(x, theta - 1e-7)) / 2e-7)
    yield "backward_of_gradapprox", _relative_1d(dJ(x, gradapprox), gradapprox)
    yield "swapped_backward", _relative_1d(dJ(theta, x), gradapprox)
    yield "grad_is_gradapprox", 0.0
    yield "denominator", abs(grad - gradapprox) / abs(grad)
    yield "denominator", abs(grad - gradapprox) / abs(gradapprox)
    yield "abs_of_abs", abs(abs(grad) - abs(gradapprox)) / (abs(grad) + abs(gradapprox))
    yield "signed", (grad - gradapprox) / (abs(grad) + abs(gradapprox))
    yield "signed", (gradapprox - grad) / (abs(grad) + abs(gradapprox))


def _check_1d(target, forward, backward, x, theta, epsilon=None):
    """Run the student's gradient_check with ``forward``/``backward`` swapped in; ``(call, difference)``."""
    __tracebackhide__ = True
    kwargs = {} if epsilon is None else {"epsilon": epsilon}
    call = "gradient_check({}, {}{})".format(
        _num(x), _num(theta), "" if epsilon is None else ", epsilon={:g}".format(epsilon)
    )
    with contextlib.redirect_stdout(io.StringIO()), _without_shortcuts(target):
        with _swapped(target, forward_propagation=forward, backward_propagation=backward):
            got = _call(target, x, theta, **kwargs)
    _require_number(got, call, float64=True)
    return call, got


def _diagnose_1d(target, backward, x, theta, epsilon, got):
    """(en, zh): what the student's gradient_check most likely does wrong, from what it returned."""
    __tracebackhide__ = True
    used = 1e-7 if epsilon is None else epsilon
    found = []
    # Does the result depend on the functions at all?
    _, other_backward = _check_1d(
        target,
        _curved_forward,
        _wrong_factor_backward if backward is not _wrong_factor_backward else _curved_backward,
        x,
        theta,
        epsilon,
    )
    _, other_forward = _check_1d(target, _other_curved_forward, backward, x, theta, epsilon)
    gradapprox = (_curved_forward(x, theta + used) - _curved_forward(x, theta - used)) / (2 * used)
    if _close(other_backward, got, 1e-12):
        found.append("no_backward")
        if _close(got, _relative_1d(x, gradapprox)):
            found.append("grad_is_x")
        dtheta = getattr(target, "__globals__", {}).get("dtheta")
        if isinstance(dtheta, (int, float, np.number)) and _close(got, _relative_1d(float(dtheta), gradapprox)):
            found.append("global_dtheta")
    if "grad_is_x" in found or "global_dtheta" in found:
        found.remove("no_backward")
    if _close(other_forward, got, 1e-12):
        found.append("no_forward")
    if got == 0.0 and "no_backward" in found:  # the same, whatever the functions: nothing is compared
        found = ["grad_is_gradapprox"]
    if not found:
        for name, value in _candidates_1d(_curved_forward, backward, x, theta, used):
            if name != "expected" and _close(got, value):
                found.append(name)
                break
    found = found or ["generic"]
    return " ".join(MISTAKES_1D[k][0] for k in found), "".join(MISTAKES_1D[k][1] for k in found)


def _expect_curved(target, backward, x, theta, epsilon=None):
    """The student's gradient_check, with the curved J and ``backward`` swapped in, returns what formula (2) gives."""
    __tracebackhide__ = True
    call, got = _check_1d(target, _curved_forward, backward, x, theta, epsilon)
    expected = dict(_candidates_1d(_curved_forward, backward, x, theta, 1e-7 if epsilon is None else epsilon))[
        "expected"
    ]
    if _close(got, expected, 1e-4 if epsilon is not None else 1e-6):
        return got
    hint_en, hint_zh = _diagnose_1d(target, backward, x, theta, epsilon, got)
    what_en, what_zh = _BACKWARDS[backward]
    raise AssertionError(
        bilingual(
            "{}, with forward_propagation replaced by J = x * theta**3 and backward_propagation by {}, returned {}, "
            "expected about {}. gradient_check must get J by calling forward_propagation(x, ...) and the gradient "
            "by calling backward_propagation(x, theta): the grader checks it with other functions swapped in. "
            "{}".format(call, what_en, _num(got), _num(expected), hint_en),
            "{}（把 forward_propagation 替换为 J = x * theta**3，把 backward_propagation 替换为{}）返回了 {}，期望约为 {}。"
            "gradient_check 必须通过调用 forward_propagation(x, ...) 得到 J，通过调用 backward_propagation(x, theta) "
            "得到梯度：评分时会换入其他函数来检查。{}".format(call, what_zh, _num(got), _num(expected), hint_zh),
        )
    )


def gradient_check_test(target):
    """Check Exercise 3: on the course input (x, theta) = (2, 4), then with other functions swapped in for
    forward_propagation and backward_propagation.  检查练习 3：先在 (x, θ) = (2, 4) 上，再换入其他函数。"""
    __tracebackhide__ = True
    call = "gradient_check(2, 4)"
    with contextlib.redirect_stdout(io.StringIO()), _without_shortcuts(target):
        difference = _call(target, 2, 4)
    _require_number(difference, call, float64=True)
    hint_en, hint_zh = (
        "With the notebook's forward_propagation and backward_propagation: check them (Exercises 1 and 2), "
        "gradapprox = (J_plus - J_minus) / (2 * epsilon) and formula (2).",
        "使用 notebook 中的 forward_propagation 和 backward_propagation：请检查它们（练习 1 和 2）、"
        "gradapprox = (J_plus - J_minus) / (2 * epsilon) 和公式 (2)。",
    )
    if not np.isclose(difference, EXPECTED_DIFFERENCE_1D, rtol=1e-3, atol=0) and _can_swap(target):
        x, theta, epsilon = CURVED_CASES[0]
        _, got = _check_1d(target, _curved_forward, _curved_backward, x, theta, epsilon)
        if not _close(
            got, dict(_candidates_1d(_curved_forward, _curved_backward, x, theta, epsilon))["expected"], 1e-4
        ):
            found_en, found_zh = _diagnose_1d(target, _curved_backward, x, theta, epsilon, got)
            hint_en, hint_zh = (
                "Run with other functions swapped in for forward_propagation and backward_propagation, it shows: "
                + found_en,
                "把其他函数换入 forward_propagation 和 backward_propagation 的位置再运行，可以看出：" + found_zh,
            )
    _expect_difference(call, difference, EXPECTED_DIFFERENCE_1D, 1e-3, hint_en, hint_zh)
    if not difference < DIFFERENCE_THRESHOLD:
        raise AssertionError(
            bilingual(
                "{} should be below the threshold {:g}.".format(call, DIFFERENCE_THRESHOLD),
                "{} 应低于阈值 {:g}。".format(call, DIFFERENCE_THRESHOLD),
            )
        )
    if _can_swap(target):
        for x, theta, epsilon in CURVED_CASES:
            _expect_curved(target, _curved_backward, x, theta, epsilon)
        x, theta = CURVED_DEFAULT_EPSILON
        _expect_curved(target, _curved_backward, x, theta)
        x, theta = WRONG_DERIVATIVE_CASE
        for wrong in (_wrong_factor_backward, _wrong_sign_backward):
            if not _expect_curved(target, wrong, x, theta) > DIFFERENCE_THRESHOLD:
                raise AssertionError(
                    bilingual(
                        "gradient_check did not flag a wrong backward_propagation: does it call "
                        "backward_propagation(x, theta)?",
                        "gradient_check 没有发现错误的 backward_propagation：它是否调用了 backward_propagation(x, theta)？",
                    )
                )
    _passed("gradient_check")


def forward_propagation_n(X, Y, parameters):
    """Copy of the notebook's given forward pass, so the test does not depend on your edits.

    与 notebook 中给出的前向传播相同的副本，使测试不受你对 notebook 的修改影响。
    Returns ``(cost, cache)``.
    """
    m = X.shape[1]
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cost = 1.0 / m * np.sum(np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y))
    return cost, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def buggy_backward_propagation_n(X, Y, cache):
    """Copy of the notebook's given backward pass, WITH its two planted bugs (dW2, db1).

    与 notebook 中给出的反向传播相同的副本，包含两个故意埋下的错误（dW2、db1）。
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T) * 2
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 4.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {
        "dZ3": dZ3,
        "dW3": dW3,
        "db3": db3,
        "dA2": dA2,
        "dZ2": dZ2,
        "dW2": dW2,
        "db2": db2,
        "dA1": dA1,
        "dZ1": dZ1,
        "dW1": dW1,
        "db1": db1,
    }


def _doubled_forward_n(X, Y, parameters):
    """A stand-in for forward_propagation_n: twice the course's cost (a checker that calls it must notice)."""
    cost, cache = forward_propagation_n(X, Y, parameters)
    return 2 * cost, cache


def public_case_n(seed=21, m=4):
    """``(X, Y, parameters)`` of the course network other than the notebook's: checks that the arguments are used."""
    rng = np.random.RandomState(seed)
    X = rng.randn(4, m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    parameters = {name: rng.randn(*shape) for name, shape in PARAMETER_SHAPES.items()}
    return X, Y, parameters


#: What each recognised mistake of Exercise 4 is, and how to fix it (en, zh).
MISTAKES_N = {
    "globals": (
        "It looks like gradient_check_n uses the notebook's variables {} instead of its arguments: use the "
        "arguments parameters, gradients, X and Y.",
        "看起来 gradient_check_n 用的是 notebook 中的变量 {}，而不是它的参数：请使用参数 parameters、gradients、X 和 Y。",
    ),
    "no_forward": (
        "The result stayed the same when forward_propagation_n was replaced: get every cost by calling "
        "forward_propagation_n(X, Y, vector_to_dictionary(theta_plus)) (and theta_minus), not by code of your own.",
        "替换 forward_propagation_n 后结果没有变化：每个代价都必须通过调用 "
        "forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))（以及 theta_minus）得到，而不是用自己的代码计算。",
    ),
    "fixed_epsilon": (
        "It looks like a fixed number is used instead of the argument epsilon: use epsilon in theta_plus[i], "
        "theta_minus[i] and 2 * epsilon.",
        "看起来用了固定的数字而不是参数 epsilon：请在 theta_plus[i]、theta_minus[i] 和 2 * epsilon 中使用 epsilon。",
    ),
    "divide_by_epsilon": (
        "It looks like J_plus[i] - J_minus[i] is divided by epsilon: divide by 2 * epsilon.",
        "看起来 J_plus[i] - J_minus[i] 除以了 epsilon：应除以 2 * epsilon。",
    ),
    "one_sided": (
        "It looks like a one-sided difference: J_plus[i] at parameters_values + epsilon and J_minus[i] at "
        "parameters_values - epsilon, divided by 2 * epsilon.",
        "看起来用了单侧差分：J_plus[i] 取在 parameters_values + epsilon，J_minus[i] 取在 parameters_values - epsilon，"
        "再除以 2 * epsilon。",
    ),
    "minus_not_copied": (
        "It looks like J_minus[i] is computed at the unshifted parameters: theta_minus must be a fresh copy of "
        "parameters_values (np.copy, not theta_plus and not parameters_values itself) with epsilon subtracted.",
        "看起来 J_minus[i] 是在未偏移的参数处计算的：theta_minus 必须是 parameters_values 的新副本"
        "（np.copy；不是 theta_plus，也不是 parameters_values 本身），再减去 epsilon。",
    ),
    "gradapprox_zero": (
        "gradapprox is (almost) 0: is J_minus[i] computed from theta_minus (not theta_plus), and divided by "
        "(2 * epsilon) with the parentheses?",
        "gradapprox （几乎）为 0：J_minus[i] 是否由 theta_minus（而不是 theta_plus）计算，"
        "并且除以带括号的 (2 * epsilon)？",
    ),
    "float32": (
        "It looks like the shifted parameter vectors are float32, in which theta + epsilon rounds: keep them "
        "float64, np.copy(parameters_values).",
        "看起来偏移后的参数向量是 float32，其中 theta + epsilon 会被舍入：请保持 float64，即 np.copy(parameters_values)。",
    ),
    "grad_is_gradapprox": (
        "It looks like grad is replaced by gradapprox (the difference is 0): grad = gradients_to_vector(gradients).",
        "看起来 grad 被替换成了 gradapprox（差异为 0）：grad = gradients_to_vector(gradients)。",
    ),
    "l1_norm": (
        "It looks like the 1-norm is used: formula (3) uses the 2-norm, np.linalg.norm(v) without ord.",
        "看起来用了 1-范数：公式 (3) 用的是 2-范数，即不带 ord 参数的 np.linalg.norm(v)。",
    ),
    "abs_of_abs": (
        "It looks like the sizes are compared (np.abs(grad) - np.abs(gradapprox)): a gradient with the wrong "
        "sign must be flagged, so the numerator is the norm of grad - gradapprox.",
        "看起来比较的是绝对值（np.abs(grad) - np.abs(gradapprox)）：符号错误的梯度也必须被发现，"
        "所以分子应是 grad - gradapprox 的范数。",
    ),
    "broadcast": (
        "It looks like grad - gradapprox mixes shapes (n, 1) and (1, n), which broadcasts to an n x n matrix: "
        "keep both of shape (n, 1).",
        "看起来 grad - gradapprox 混用了形状 (n, 1) 和 (1, n)，广播成了 n x n 矩阵：请让两者都保持形状 (n, 1)。",
    ),
    "denominator": (
        "It looks like the denominator lacks a term: formula (3) divides by ||grad|| + ||gradapprox||.",
        "看起来分母少了一项：公式 (3) 的分母是 ||grad|| + ||gradapprox||。",
    ),
    "generic": (
        "Perturb one entry at a time on a copy of parameters_values (np.copy), use theta_plus for J_plus and "
        "theta_minus for J_minus, both by calling forward_propagation_n, divide by 2 * epsilon, and compute "
        "formula (3) once, after the loop.",
        "请在 parameters_values 的副本（np.copy）上每次只扰动一个元素，用 theta_plus 计算 J_plus、theta_minus "
        "计算 J_minus（都通过调用 forward_propagation_n），除以 2 * epsilon，并在循环结束后计算一次公式 (3)。",
    ),
}


def _relative_n(grad, gradapprox, order=None):
    norm = np.linalg.norm
    return float(norm(grad - gradapprox, order) / (norm(grad, order) + norm(gradapprox, order)))


def _shifted_costs(forward, X, Y, theta, epsilon):
    plus, minus = np.zeros(theta.shape), np.zeros(theta.shape)
    for i in range(theta.shape[0]):
        shifted = np.copy(theta)
        shifted[i, 0] += epsilon
        plus[i, 0] = forward(X, Y, vector_to_dictionary(shifted))[0]
        shifted = np.copy(theta)
        shifted[i, 0] -= epsilon
        minus[i, 0] = forward(X, Y, vector_to_dictionary(shifted))[0]
    return plus, minus


def _expected_n(forward, parameters, gradients, X, Y, epsilon):
    """The difference formula (3) gives (a correct gradient_check_n returns it)."""
    theta, _ = dictionary_to_vector(parameters)
    plus, minus = _shifted_costs(forward, X, Y, theta, epsilon)
    return _relative_n(gradients_to_vector(gradients), (plus - minus) / (2 * epsilon))


def _candidates_n(forward, parameters, gradients, X, Y, epsilon):
    """What each mistake would return (name, difference)."""
    theta, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    plus, minus = _shifted_costs(forward, X, Y, theta, epsilon)
    J_0 = forward(X, Y, parameters)[0]
    gradapprox = (plus - minus) / (2 * epsilon)
    norm = np.linalg.norm
    if epsilon != 1e-7:
        plus_7, minus_7 = _shifted_costs(forward, X, Y, theta, 1e-7)
        yield "fixed_epsilon", _relative_n(grad, (plus_7 - minus_7) / 2e-7)
    yield "gradapprox_zero", 1.0
    yield "divide_by_epsilon", _relative_n(grad, (plus - minus) / epsilon)
    yield "one_sided", _relative_n(grad, (plus - J_0) / epsilon)
    yield "one_sided", _relative_n(grad, (J_0 - minus) / epsilon)
    yield "minus_not_copied", _relative_n(grad, (plus - J_0) / (2 * epsilon))
    yield "grad_is_gradapprox", 0.0
    yield "l1_norm", _relative_n(grad, gradapprox, 1)
    yield "abs_of_abs", _relative_n(np.abs(grad), np.abs(gradapprox))
    yield "broadcast", float(norm(grad - gradapprox.T) / (norm(grad) + norm(gradapprox)))
    yield "denominator", float(norm(grad - gradapprox) / norm(grad))
    yield "denominator", float(norm(grad - gradapprox) / norm(gradapprox))
    plus_32, minus_32 = _shifted_costs(forward, X, Y, theta.astype(np.float32), np.float32(epsilon))
    yield "float32", _relative_n(grad, (plus_32 - minus_32) / (2 * epsilon))


def _notebook_values(target):
    """The notebook's own X, Y, parameters and gradients (Exercise 4's cell), which a checker could use by mistake."""
    X, Y, parameters = gradient_check_n_test_case()
    values = {"X": X, "Y": Y, "parameters": parameters}
    values["gradients"] = buggy_backward_propagation_n(X, Y, forward_propagation_n(X, Y, parameters)[1])
    space = getattr(target, "__globals__", {})
    for name in values:
        if isinstance(space.get(name), type(values[name])):
            values[name] = space[name]
    return values


def _diagnose_n(target, forward, arguments, epsilon, got):
    """(en, zh): what the student's gradient_check_n most likely does wrong, from what it returned."""
    found = []
    if forward is _doubled_forward_n and _close(got, _expected_n(forward_propagation_n, *arguments, epsilon)):
        found.append(MISTAKES_N["no_forward"])
    if not found:
        names = ("parameters", "gradients", "X", "Y")
        notebook = _notebook_values(target)
        for mask in range(1, 16):
            used = [notebook[n] if mask >> k & 1 else a for k, (n, a) in enumerate(zip(names, arguments))]
            try:
                with np.errstate(all="ignore"):
                    value = _expected_n(forward, *used, epsilon)
            except Exception:  # shapes that do not fit: not this mistake
                continue
            if _close(got, value):
                which = ", ".join(n for k, n in enumerate(names) if mask >> k & 1)
                en, zh = MISTAKES_N["globals"]
                found.append((en.format(which), zh.format(which)))
                break
    if not found:
        with np.errstate(all="ignore"):
            for name, value in _candidates_n(forward, *arguments, epsilon):
                if _close(got, value):
                    found.append(MISTAKES_N[name])
                    break
    en, zh = found[0] if found else MISTAKES_N["generic"]
    return en, zh


def _hint_for_other_inputs(error):
    """``_hint_for_error``, and for a shape error on inputs other than the notebook's: its usual cause."""
    if isinstance(error, ValueError) and "broadcast" in str(error):
        return (
            " These inputs are not the notebook's (other shapes): does gradient_check_n use a variable of the "
            "notebook (cache, gradients, X, ...) instead of its arguments parameters, gradients, X and Y?",
            "这些输入不是 notebook 中的（形状不同）：gradient_check_n 是否用了 notebook 中的变量（cache、gradients、X 等），"
            "而不是它的参数 parameters、gradients、X 和 Y？",
        )
    return _hint_for_error(error)


def _hint_for_error(error):
    """(en, zh) advice for an error of the student's code that has a usual cause, or ("", "")."""
    if isinstance(error, ValueError) and "sequence" in str(error):
        return (
            " NumPy 2.4 and later refuse to store an array of one entry (shape (1,)) in one entry of a 1-D array: "
            "keep J_plus, J_minus and gradapprox of shape (num_parameters, 1) as the notebook creates them, "
            "or store a number.",
            "NumPy 2.4 及以后的版本不允许把只有一个元素的数组（形状 (1,)）存入一维数组的一个元素："
            "请让 J_plus、J_minus 和 gradapprox 保持 notebook 创建时的形状 (num_parameters, 1)，或存入一个数。",
        )
    return "", ""


def _check_n(target, call, forward, parameters, gradients, X, Y, epsilon=None):
    """Run the student's gradient_check_n (``forward`` swapped in unless it is the course's); check that it
    changed none of its arguments and returned one float64 number."""
    __tracebackhide__ = True
    before = [copy_of(value) for value in (parameters, gradients, X, Y)]
    kwargs = {} if epsilon is None else {"epsilon": epsilon}
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        stack.enter_context(_without_shortcuts(target))
        if forward is not forward_propagation_n:
            stack.enter_context(_swapped(target, forward_propagation_n=forward))
        hints = _hint_for_error if X.shape == gradient_check_n_test_case()[0].shape else _hint_for_other_inputs
        got = _call(target, parameters, gradients, X, Y, hints=hints, **kwargs)
    for name, old, new in zip(("parameters", "gradients", "X", "Y"), before, (parameters, gradients, X, Y)):
        if not _same(old, new):
            if isinstance(old, dict):
                name = "{}['{}']".format(name, next((k for k in old if not _same(old[k], dict(new).get(k))), "?"))
            raise AssertionError(
                bilingual(
                    "{} changed its argument {}. Work on copies (np.copy of parameters_values).".format(call, name),
                    "{} 修改了它的参数 {}。请在副本上操作（对 parameters_values 使用 np.copy）。".format(call, name),
                )
            )
    _require_number(got, call, float64=True)
    return got


def copy_of(value):
    if isinstance(value, dict):
        return {k: np.copy(v) for k, v in value.items()}
    return np.copy(value)


def _same(old, new):
    if isinstance(old, dict):
        return isinstance(new, dict) and old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    return isinstance(new, np.ndarray) and old.shape == new.shape and np.array_equal(old, new)


def _expect_n(target, what, forward, arguments, epsilon=None, expected=None, rtol=1e-6):
    """The student's gradient_check_n on ``arguments`` (parameters, gradients, X, Y) returns what formula (3) gives."""
    __tracebackhide__ = True
    call = "gradient_check_n(parameters, gradients, X, Y{})".format(
        "" if epsilon is None else ", epsilon={:g}".format(epsilon)
    )
    got = _check_n(target, call, forward, *arguments, epsilon=epsilon)
    used = 1e-7 if epsilon is None else epsilon
    if expected is None:
        expected = _expected_n(forward, *arguments, used)
    if _close(got, expected, rtol):
        return got
    hint_en, hint_zh = _diagnose_n(target, forward, arguments, used, got)
    raise AssertionError(
        bilingual(
            "{} on {} returned {}, expected about {} (relative tolerance {:g}). {}".format(
                call, what[0], _num(got), _num(expected), rtol, hint_en
            ),
            "{} 在{}上返回了 {}，期望约为 {}（相对容差 {:g}）。{}".format(
                call, what[1], _num(got), _num(expected), rtol, hint_zh
            ),
        )
    )


def gradient_check_n_test(target):
    """Check Exercise 4: on the seeded fixture with the buggy backprop, on other inputs and another epsilon, and
    with another cost swapped in for forward_propagation_n.  检查练习 4：固定种子的数据、其他输入和 epsilon、换入的代价函数。"""
    __tracebackhide__ = True
    X, Y, parameters = gradient_check_n_test_case()
    gradients = buggy_backward_propagation_n(X, Y, forward_propagation_n(X, Y, parameters)[1])
    _expect_n(
        target,
        (
            "the notebook's inputs, with the buggy backward_propagation_n",
            " notebook 的输入（错误的 backward_propagation_n）",
        ),
        forward_propagation_n,
        (parameters, gradients, X, Y),
        expected=EXPECTED_DIFFERENCE_BUGGY_N,
        rtol=PLATFORM_RTOL,
    )
    X2, Y2, parameters2 = public_case_n()
    gradients2 = buggy_backward_propagation_n(X2, Y2, forward_propagation_n(X2, Y2, parameters2)[1])
    gradients2["dW2"] = -gradients2["dW2"]  # a wrong sign must be flagged as well
    _expect_n(
        target,
        (
            "other inputs (public_case_n()), a backprop whose dW2 also has the wrong sign, and epsilon=0.01",
            "其他输入（public_case_n()）、dW2 符号也错误的反向传播，以及 epsilon=0.01 ",
        ),
        forward_propagation_n,
        (parameters2, gradients2, X2, Y2),
        epsilon=1e-2,
    )
    if _can_swap(target):
        _expect_n(
            target,
            (
                "the notebook's inputs, with forward_propagation_n replaced by twice its cost",
                " notebook 的输入（forward_propagation_n 被替换为两倍的代价）",
            ),
            _doubled_forward_n,
            (parameters, gradients, X, Y),
        )
    _passed("gradient_check_n")


def backward_propagation_n_fixed_test(target, case=None, optional=True):
    """Check the bonus exercise: the corrected backprop passes gradient checking, overall and block by block.

    ``case`` is ``(X, Y, parameters)`` of the course network; by default the seeded fixture. The bonus is
    optional: while its function still raises NotImplementedError the test says so and passes, unless
    ``optional`` is False (the grader's call: an untouched bonus scores 0).
    检查附加练习：修正后的反向传播在总体上和逐块都通过梯度检查。``case`` 默认为固定种子的测试数据。
    附加题是选做的：函数仍抛出 NotImplementedError 时，测试会说明未作答并通过（``optional`` 为 False 时除外）。
    """
    __tracebackhide__ = True
    X, Y, parameters = gradient_check_n_test_case() if case is None else case
    theta, _ = dictionary_to_vector(parameters)
    _, cache = forward_propagation_n(X, Y, parameters)
    try:
        gradients = _call(target, X, Y, cache)
    except NotImplementedError:
        if not optional:
            raise
        print(
            bilingual(
                "\u2139 backward_propagation_n_fixed: bonus not attempted (optional): 0 bonus points. The four "
                "exercises do not depend on it.",
                "\u2139 backward_propagation_n_fixed：附加题未作答（选做）：附加分 0 分。四个必做练习不依赖它。",
            )
        )
        return
    call = "backward_propagation_n_fixed(X, Y, cache)"
    try:
        grad = gradients_to_vector(gradients)
    except (TypeError, KeyError, ValueError) as error:
        raise AssertionError(
            bilingual("{} returned unusable gradients:".format(call), "{} 返回的梯度无法使用：".format(call))
            + "\n"
            + str(error)
        ) from error

    def cost(vector):
        return forward_propagation_n(X, Y, vector_to_dictionary(vector))[0]

    failing = [
        row["block"]
        for row in block_differences(grad, numerical_gradient(cost, theta, BLOCK_EPSILON))
        if row["difference"] > DIFFERENCE_THRESHOLD
    ]
    difference = relative_difference(grad, numerical_gradient(cost, theta, CHECK_EPSILON))
    if failing or not difference < DIFFERENCE_THRESHOLD:
        raise AssertionError(
            bilingual(
                "{}: difference = {:.3e} (threshold {:g}); the gradient is still wrong in {}.".format(
                    call, difference, DIFFERENCE_THRESHOLD, ", ".join("d" + b for b in failing) or "some block"
                ),
                "{}：difference = {:.3e}（阈值 {:g}）；梯度在 {} 中仍然有错。".format(
                    call, difference, DIFFERENCE_THRESHOLD, "、".join("d" + b for b in failing) or "某个参数块"
                ),
            )
        )
    _passed("backward_propagation_n_fixed")
