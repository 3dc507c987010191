"""Public tests of the gradient-checking course / 梯度检查课程的公开测试.

Students call these from the notebook, e.g. ``forward_propagation_test(forward_propagation)``.
A passing test prints one short line in English and Chinese.  A failing test raises
``AssertionError`` whose message names the call, the expected value, what came back and,
where it helps, the likely mistake -- in both languages.  These are only the public
checks: the autograder runs further, hidden ones.

学生在 notebook 中调用这些函数，例如 ``forward_propagation_test(forward_propagation)``。
测试通过时打印一行简短的中英文提示；失败时抛出 ``AssertionError``，其消息用中英文
说明调用方式、期望值、实际返回值，以及（如有帮助）可能的错误原因。
这些只是公开测试：自动评分时还会运行其他隐藏测试。
"""

import contextlib
import io
import os
import sys
import traceback

import numpy as np

from gc_utils import (
    DIFFERENCE_THRESHOLD,
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


def _call(function, *args, **kwargs):
    """Call the student's function; turn any error except NotImplementedError into a clear failure.

    The failure names the line of the student's code where the error happened, and the original
    exception stays attached (``raise ... from``), so the traceback shows that line too.
    """
    __tracebackhide__ = True  # IPython leaves this frame out of the traceback the student reads
    call = "{}({})".format(
        getattr(function, "__name__", "function"),
        ", ".join([_short(a) for a in args] + ["{}={!r}".format(k, v) for k, v in kwargs.items()]),
    )
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:
        where_en, where_zh = _where(error)
        # A bilingual message (from gc_utils) has English on its first line, Chinese on its last.
        lines = [line.rstrip(".。") for line in str(error).strip().split("\n")]
        raise AssertionError(
            bilingual(
                "{} raised {}: {}.{} See the traceback above.".format(call, type(error).__name__, lines[0], where_en),
                "{} 抛出了 {}：{}。{}请查看上方的回溯信息。".format(call, type(error).__name__, lines[-1], where_zh),
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
    return repr(value)


def _require_number(value, call):
    __tracebackhide__ = True
    if value is None:
        raise AssertionError(
            bilingual(
                "{} returned None. Did you forget the return statement or leave the variable unassigned?".format(call),
                "{} 返回了 None。是否忘了 return 语句，或没有给变量赋值？".format(call),
            )
        )
    if np.ndim(value) != 0 or not np.isrealobj(value) or not np.issubdtype(np.asarray(value).dtype, np.number):
        raise AssertionError(
            bilingual(
                "{} returned {!r} ({}), expected a single real number.".format(call, value, type(value).__name__),
                "{} 返回了 {!r}（{}），应返回一个实数。".format(call, value, type(value).__name__),
            )
        )


def _expect_equal(call, got, expected, hint_en="", hint_zh=""):
    __tracebackhide__ = True
    _require_number(got, call)
    if not np.isclose(got, expected, rtol=0, atol=1e-12):
        raise AssertionError(
            bilingual(
                "{} returned {}, expected {}. {}".format(call, got, expected, hint_en).strip(),
                "{} 返回了 {}，期望值为 {}。{}".format(call, got, expected, hint_zh).strip(),
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
    x, theta = -3, 0.5
    _expect_equal(
        "forward_propagation({}, {})".format(x, theta),
        _call(target, x, theta),
        x * theta,
        "Use the arguments x and theta, not fixed numbers.",
        "请使用参数 x 和 theta，而不是固定的数字。",
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
    x, theta = -3, 0.5
    _expect_equal(
        "backward_propagation({}, {})".format(x, theta),
        _call(target, x, theta),
        x,
        "Use the argument x, not a fixed number.",
        "请使用参数 x，而不是固定的数字。",
    )
    _passed("backward_propagation")


def _expect_difference(call, got, expected, rtol, hint_en, hint_zh):
    __tracebackhide__ = True
    _require_number(got, call)
    if not np.isclose(got, expected, rtol=rtol, atol=0):
        raise AssertionError(
            bilingual(
                "{} returned {!r}, expected about {!r} (relative tolerance {:g}). {}".format(
                    call, got, expected, rtol, hint_en
                ),
                "{} 返回了 {!r}，期望约为 {!r}（相对容差 {:g}）。{}".format(call, got, expected, rtol, hint_zh),
            )
        )


def gradient_check_test(target):
    """Check Exercise 3 on the course input (x, theta) = (2, 4).  在 (x, θ) = (2, 4) 上检查练习 3。"""
    __tracebackhide__ = True
    call = "gradient_check(2, 4)"
    with contextlib.redirect_stdout(io.StringIO()), _without_shortcuts(target):
        difference = _call(target, 2, 4)
    _expect_difference(
        call,
        difference,
        EXPECTED_DIFFERENCE_1D,
        1e-3,
        "Check gradapprox = (J_plus - J_minus) / (2 * epsilon) and formula (2); "
        "grad must come from backward_propagation(x, theta).",
        "请检查 gradapprox = (J_plus - J_minus) / (2 * epsilon) 和公式 (2)；"
        "grad 必须由 backward_propagation(x, theta) 计算。",
    )
    if not difference < DIFFERENCE_THRESHOLD:
        raise AssertionError(
            bilingual(
                "{} should be below the threshold {:g}.".format(call, DIFFERENCE_THRESHOLD),
                "{} 应低于阈值 {:g}。".format(call, DIFFERENCE_THRESHOLD),
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


def gradient_check_n_test(target):
    """Check Exercise 4 on the seeded fixture with the buggy backprop.  用带错误的反向传播检查练习 4。"""
    __tracebackhide__ = True
    X, Y, parameters = gradient_check_n_test_case()
    _, cache = forward_propagation_n(X, Y, parameters)
    gradients = buggy_backward_propagation_n(X, Y, cache)
    before = {k: v.copy() for k, v in parameters.items()}
    call = "gradient_check_n(parameters, gradients, X, Y)"
    with contextlib.redirect_stdout(io.StringIO()), _without_shortcuts(target):
        difference = _call(target, parameters, gradients, X, Y)
    _expect_difference(
        call,
        difference,
        EXPECTED_DIFFERENCE_BUGGY_N,
        PLATFORM_RTOL,
        "Perturb one entry at a time on a copy of parameters_values (np.copy), "
        "use theta_plus for J_plus and theta_minus for J_minus, divide by 2 * epsilon, "
        "and compute formula (3) once, after the loop.",
        "请在 parameters_values 的副本（np.copy）上每次只扰动一个元素，"
        "用 theta_plus 计算 J_plus、theta_minus 计算 J_minus，除以 2 * epsilon，"
        "并在循环结束后计算一次公式 (3)。",
    )
    for key, value in before.items():
        if not np.array_equal(parameters[key], value):
            raise AssertionError(
                bilingual(
                    "{} changed parameters['{}']. Work on a copy of the parameter vector.".format(call, key),
                    "{} 修改了 parameters['{}']。请在参数向量的副本上操作。".format(call, key),
                )
            )
    _passed("gradient_check_n")


def backward_propagation_n_fixed_test(target, case=None):
    """Check the bonus exercise: the corrected backprop passes gradient checking, overall and block by block.

    ``case`` is ``(X, Y, parameters)`` of the course network; by default the seeded fixture.
    检查附加练习：修正后的反向传播在总体上和逐块都通过梯度检查。``case`` 默认为固定种子的测试数据。
    """
    __tracebackhide__ = True
    X, Y, parameters = gradient_check_n_test_case() if case is None else case
    theta, _ = dictionary_to_vector(parameters)
    _, cache = forward_propagation_n(X, Y, parameters)
    gradients = _call(target, X, Y, cache)
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
