"""A failed public test points the student at the line to fix (issue 7, point 3).

The student's functions are compiled here the way IPython compiles a notebook cell (source in
``linecache``, a pseudo file name), then handed to the public tests.  The browser test
(test_student_jupyterlab.py) checks the same message as JupyterLab shows it.
"""

import linecache
from itertools import count

import pytest

import public_tests

_cells = count(1)


def student_cell(source, name):
    """Run ``source`` as a notebook cell would be run; return the function ``name`` it defines."""
    filename = "<cell {}>".format(next(_cells))
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def failure(test, function):
    """The AssertionError that public test ``test`` raises for ``function`` (the test must fail)."""
    with pytest.raises(AssertionError) as raised:
        test(function)
    return raised.value


FORWARD_WITH_NAME_ERROR = """\
def forward_propagation(x, theta):
    J = theta * X
    return J
"""
#: The error happens inside numpy; the line to fix is still the student's call of numpy.
FORWARD_WITH_NUMPY_ERROR = """\
import numpy as np
def forward_propagation(x, theta):
    scale = np.ones(2)
    J = float(np.dot(scale, np.ones(3))) * theta * x
    return J
"""
#: The error happens inside the course helper gc_utils; the line to fix is the student's call.
GRADIENT_CHECK_N_WITH_HELPER_ERROR = """\
import numpy as np
from gc_utils import vector_to_dictionary
def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    theta = np.zeros((3, 1))
    vector_to_dictionary(theta)
    return 0.0
"""


@pytest.mark.parametrize(
    "test, source, name, line_number, line",
    [
        (public_tests.forward_propagation_test, FORWARD_WITH_NAME_ERROR, "forward_propagation", 2, "J = theta * X"),
        (
            public_tests.forward_propagation_test,
            FORWARD_WITH_NUMPY_ERROR,
            "forward_propagation",
            4,
            "J = float(np.dot(scale, np.ones(3))) * theta * x",
        ),
        (
            public_tests.gradient_check_n_test,
            GRADIENT_CHECK_N_WITH_HELPER_ERROR,
            "gradient_check_n",
            5,
            "vector_to_dictionary(theta)",
        ),
    ],
)
def test_student_failed_public_test_names_the_line_to_fix(test, source, name, line_number, line):
    assert source.split("\n")[line_number - 1].strip() == line  # the case itself is right
    error = failure(test, student_cell(source, name))
    english, chinese = str(error).split("\n")  # one line per language, even for gc_utils' bilingual errors
    assert ".." not in english and "。。" not in chinese, str(error)
    assert "The line to fix is in {}, line {} ({}).".format(name, line_number, line) in english
    assert "需要修改的是 {} 的第 {} 行（{}）。".format(name, line_number, line) in chinese
    assert error.__cause__ is not None, "the student's own exception must stay attached (raise ... from)"


def test_student_wrong_value_names_no_line():
    """A function that returns a wrong number raised nothing: the message says what came back, no line."""
    wrong = student_cell("def forward_propagation(x, theta):\n    return theta + x\n", "forward_propagation")
    error = failure(public_tests.forward_propagation_test, wrong)
    assert "returned 6, expected 8" in str(error)
    assert "line to fix" not in str(error) and error.__cause__ is None


def test_student_public_tests_hide_their_own_frames_from_ipython():
    """IPython leaves out frames whose locals set ``__tracebackhide__``: every public-test frame above the raise."""
    hidden = [
        public_tests._call,
        public_tests._require_number,
        public_tests._expect_equal,
        public_tests._expect_difference,
    ] + [getattr(public_tests, name) for name in public_tests.__all__]
    for function in hidden:
        assert "__tracebackhide__" in function.__code__.co_varnames, function.__name__


# ---------------------------------------------------------------- the checkers, with other functions swapped in
MODEL_1D = """\
import numpy as np
from gc_utils import DIFFERENCE_THRESHOLD


def forward_propagation(x, theta):
    return theta * x


def backward_propagation(x, theta):
    return x


x, theta = 2, 4
dtheta = backward_propagation(x, theta)


def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    difference = numerator / denominator
    return difference
"""
#: (mistake, (old, new) in MODEL_1D, words of the English and of the Chinese message that name it).
MISTAKES_1D = [
    (
        "global dtheta",
        (
            "norm(grad - gradapprox)\n    denominator = np.linalg.norm(grad)",
            "norm(dtheta - gradapprox)\n    denominator = np.linalg.norm(dtheta)",
        ),
        "the notebook's variable dtheta",
        "notebook 中的变量 dtheta",
    ),
    (
        "J computed inline",
        ("J_plus = forward_propagation(x, theta_plus)", "J_plus = theta_plus * x"),
        "J does not come from forward_propagation",
        "J 不是由 forward_propagation 得到的",
    ),
    ("grad = x", ("grad = backward_propagation(x, theta)", "grad = x"), "It looks like grad = x", "grad = x"),
    (
        "backward of gradapprox",
        ("grad = backward_propagation(x, theta)", "grad = backward_propagation(x, gradapprox)"),
        "grad = backward_propagation(x, gradapprox)",
        "grad = backward_propagation(x, gradapprox)",
    ),
    (
        "swapped arguments",
        (
            "forward_propagation(x, theta_plus)\n    J_minus = forward_propagation(x, theta_minus)",
            "forward_propagation(theta_plus, x)\n    J_minus = forward_propagation(theta_minus, x)",
        ),
        "forward_propagation(theta_plus, x)",
        "参数顺序颠倒",
    ),
    (
        "fixed epsilon",
        ("    theta_plus = theta + epsilon", "    epsilon = 1e-7\n    theta_plus = theta + epsilon"),
        "instead of the argument epsilon",
        "而不是参数 epsilon",
    ),
    (
        "one-sided difference",
        ("(J_plus - J_minus) / (2 * epsilon)", "(J_plus - forward_propagation(x, theta)) / epsilon"),
        "one-sided difference",
        "单侧差分",
    ),
    (
        "sizes compared",
        ("np.linalg.norm(grad - gradapprox)", "abs(abs(grad) - abs(gradapprox))"),
        "a gradient with the wrong sign must be flagged",
        "符号错误的梯度也必须被发现",
    ),
    ("float32 result", ("return difference", "return np.float32(difference)"), "float64", "float64"),
]


@pytest.mark.parametrize("mistake, patch, english, chinese", MISTAKES_1D, ids=[m[0] for m in MISTAKES_1D])
def test_student_checker_mistake_is_named_by_the_public_test(mistake, patch, english, chinese):
    """Each mistake of issue 15 that only the hidden tests caught is named, with its fix, by the public test."""
    assert MODEL_1D.count(patch[0]) == 1
    namespace = {"__name__": "__main__"}
    exec(compile(MODEL_1D.replace(patch[0], patch[1]), "<cell mistake>", "exec"), namespace)
    original = {name: namespace[name] for name in ("forward_propagation", "backward_propagation")}
    error = failure(public_tests.gradient_check_test, namespace["gradient_check"])
    message_en, message_zh = str(error).split("\n")
    assert english in message_en and chinese in message_zh, str(error)
    assert "np.float64(" not in str(error) and "array(" not in str(error)
    # The functions swapped in while the test ran are put back.
    assert {name: namespace[name] for name in original} == original


def test_student_right_checker_passes_and_keeps_the_notebook_functions(capsys):
    namespace = {"__name__": "__main__"}
    exec(compile(MODEL_1D, "<cell right>", "exec"), namespace)
    forward = namespace["forward_propagation"]
    public_tests.gradient_check_test(namespace["gradient_check"])
    assert "\u2714 gradient_check: all public tests passed." in capsys.readouterr().out
    assert namespace["forward_propagation"] is forward


# ---------------------------------------------------------------- no surprise at grading (in the student's kernel)
def _public_part(source):
    """A graded test cell without its hidden parts (what the release notebook holds)."""
    from course.results.feedback import hidden_lines

    hidden = hidden_lines(source)
    return "\n".join(line for number, line in enumerate(source.split("\n"), start=1) if number not in hidden)


def run_public_tests(notebook):
    """Run ``notebook``'s code cells in order as a kernel would (magics left out, only the public part of each
    graded test cell) up to the bonus test; ``{exercise: (printed, error or None)}``."""
    import contextlib
    import io
    import warnings

    import matplotlib.pyplot as plt

    from course.assignment import test_cell_exercise

    namespace, results = {"__name__": "__main__"}, {}
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        lines = [line for line in cell.source.split("\n") if not line.lstrip().startswith(("%", "!"))]
        source = _public_part("\n".join(lines)) if meta.get("grade") else "\n".join(lines)
        printed, error = io.StringIO(), None
        try:
            # What the student's code prints or warns is its own business here (a kernel shows it); figures closed.
            with (
                contextlib.redirect_stdout(printed),
                contextlib.redirect_stderr(io.StringIO()),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                exec(compile(source, "<cell {}>".format(number), "exec"), namespace)
        except Exception as raised:
            error = raised
        finally:
            plt.close("all")
        if meta.get("grade"):
            results[test_cell_exercise(meta["grade_id"])] = (printed.getvalue(), error)
            if meta["grade_id"] == "backward_propagation_n_fixed_tests":
                return results
    return results


@pytest.fixture(scope="module")
def honest_public_results():
    """The public tests of every honest catalogue variant (no hard-coded answer), run in-process."""
    import matplotlib

    matplotlib.use("Agg")
    from support.catalogue import HONEST

    from course.notebooks import fill_solution_cells, master_notebook, patched_solutions, reference_solutions

    master = master_notebook()
    solutions = reference_solutions(master)
    results = {}
    for variant in HONEST:
        if "hardcoded" in variant.name or variant.start == "release":
            continue
        notebook = fill_solution_cells(master, patched_solutions(solutions, variant.patches, variant.name))
        for edit in variant.edits:
            edit(notebook)
        results[variant.name] = (variant, run_public_tests(notebook))
    return results


def test_student_no_public_test_passes_what_grading_fails(honest_public_results):
    """Issue 15: in the student's kernel, no honest catalogue variant sees "✔ … all public tests passed" for an
    exercise that grading then marks down; and every one that loses an exercise reads a message there."""
    from support.catalogue import MAX_POINTS

    from course.assignment import EXERCISES

    surprises, silent = [], []
    for variant, results in honest_public_results.values():
        for exercise, points, maximum in zip(EXERCISES, variant.expected, MAX_POINTS):
            printed, error = results[exercise]
            if error is None and "\u2714 {}:".format(exercise) in printed and points < maximum:
                surprises.append((variant.name, exercise))
            if points < maximum and error is None:
                silent.append((variant.name, exercise))
    assert surprises == [] and silent == []


def test_student_public_messages_print_plain_numbers(honest_public_results):
    """No ``np.float64(0.28…)`` or ``array([…])`` repr in any public test message of the honest variants."""
    messages = [str(e) for _, results in honest_public_results.values() for _, e in results.values() if e is not None]
    assert messages
    assert [m for m in messages if "np.float" in m or "array(" in m] == []
