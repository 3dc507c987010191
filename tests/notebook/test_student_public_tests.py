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
