"""Feedback pages tell a public-test failure from a hidden-test failure by nbgrader's own delimiter."""

import nbformat

from course.messages import HIDDEN_FAILED
from course.results.feedback import cell_message, public_line_count

TEST_CELL = "public_check()\n### BEGIN HIDDEN TESTS\nhidden_check()\n### END HIDDEN TESTS"


def _failed_cell(line):
    error = nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="secret detail", traceback=["Cell In[7], line {}".format(line)]
    )
    return nbformat.v4.new_code_cell(TEST_CELL, outputs=[error])


def test_instructor_public_part_ends_at_the_hidden_tests_delimiter():
    assert public_line_count(TEST_CELL) == 1
    assert public_line_count("public_check()\nmore()") == 2


def test_student_hidden_failure_is_not_described():
    assert cell_message(_failed_cell(3)) == HIDDEN_FAILED.text()


def test_student_public_failure_shows_the_public_message():
    assert cell_message(_failed_cell(1)) == "AssertionError: secret detail"


def _trusted_error(line, student_traceback):
    """The error output the trusted grader writes for a failure at ``line`` of TEST_CELL, after a call whose
    student traceback (from the kernel) names a notebook cell of its own."""
    from course.oracle.trusted import CELL_FILE_PREFIX, _error_output

    code = "\n" * (line - 1) + "raise error"
    error = AssertionError("secret detail")
    error.student_traceback = student_traceback
    try:
        exec(compile(code, CELL_FILE_PREFIX + "gradient_check_tests>", "exec"), {"error": error})
    except AssertionError as raised:
        return nbformat.v4.new_output("error", **_error_output(raised))


def test_student_trusted_grader_failure_is_told_public_from_hidden_by_the_test_cell_line():
    """The student's own traceback (``Cell In[2], line 1`` of their cell) does not decide: the test cell's line does."""
    student = "Traceback (most recent call last):\n  Cell In[2], line 1, in gradient_check\n    raise ValueError()"
    hidden = _trusted_error(3, student)
    assert hidden.traceback[0] == "Cell In[], line 3"
    assert cell_message(nbformat.v4.new_code_cell(TEST_CELL, outputs=[hidden])) == HIDDEN_FAILED.text()
    public = _trusted_error(1, student)
    assert cell_message(nbformat.v4.new_code_cell(TEST_CELL, outputs=[public])) == "AssertionError: secret detail"
