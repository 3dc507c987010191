"""Feedback pages tell a public-test failure from a hidden-test failure by nbgrader's own delimiter."""

import nbformat

from course.messages import HIDDEN_FAILED
from course.results.feedback import cell_message, hidden_lines

TEST_CELL = "public_check()\n### BEGIN HIDDEN TESTS\nhidden_check()\n### END HIDDEN TESTS"


def _failed_cell(line):
    error = nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="secret detail", traceback=["Cell In[7], line {}".format(line)]
    )
    return nbformat.v4.new_code_cell(TEST_CELL, outputs=[error])


def test_instructor_hidden_part_is_between_the_hidden_tests_delimiters():
    assert hidden_lines(TEST_CELL) == {2, 3, 4}
    assert hidden_lines("public_check()\nmore()") == set()
    # A cell may start with a hidden part (known-good helpers swapped in) before its public line.
    assert hidden_lines("### BEGIN HIDDEN TESTS\nsetup()\n### END HIDDEN TESTS\npublic_check()") == {1, 2, 3}


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


CELL_STARTING_HIDDEN = "### BEGIN HIDDEN TESTS\nsetup()\n### END HIDDEN TESTS\npublic_check()\n### BEGIN HIDDEN TESTS\nhidden_check()\n### END HIDDEN TESTS"


def test_student_public_line_after_a_hidden_setup_shows_its_message():
    """A test cell may start with a hidden part (known-good helpers swapped in): its public line is still public."""
    from course.results.feedback import hidden_lines

    assert hidden_lines(CELL_STARTING_HIDDEN) == {1, 2, 3, 5, 6, 7}
    public = nbformat.v4.new_code_cell(CELL_STARTING_HIDDEN, outputs=[_failed_cell(4).outputs[0]])
    assert cell_message(public) == "AssertionError: secret detail"
    hidden = nbformat.v4.new_code_cell(CELL_STARTING_HIDDEN, outputs=[_failed_cell(6).outputs[0]])
    assert cell_message(hidden) == HIDDEN_FAILED.text()


def _trusted_output(error, line=3):
    from course.oracle.trusted import CELL_FILE_PREFIX, _error_output

    code = "\n" * (line - 1) + "raise error"
    try:
        exec(compile(code, CELL_FILE_PREFIX + "gradient_check_tests>", "exec"), {"error": error})
    except Exception as raised:
        return nbformat.v4.new_output("error", **_error_output(raised))


def test_student_failed_hidden_check_shows_the_instructors_sentence():
    """``course.oracle.expect`` fails with the Message the instructor wrote: the feedback page shows it, in both
    languages, and nothing else of the hidden test."""
    from course.messages import HIDDEN_CHECK_NOT_FLAGGED
    from course.oracle import StudentMessage

    output = _trusted_output(StudentMessage(HIDDEN_CHECK_NOT_FLAGGED))
    assert cell_message(nbformat.v4.new_code_cell(TEST_CELL, outputs=[output])) == HIDDEN_CHECK_NOT_FLAGGED.text()


def test_student_error_of_their_own_code_in_a_hidden_test_gets_the_fixed_sentence():
    """An error raised by the student's code (even one whose class is called StudentMessage, or whose message
    starts like the instructor's mark) is not shown: it could carry the hidden inputs."""
    from course.oracle.api import STUDENT_MESSAGE_MARK
    from course.oracle.trusted import _exception_class

    for name in ("StudentMessage", "AssertionError", "KeyError"):
        error = _exception_class(name, True)(STUDENT_MESSAGE_MARK + "x = 1.5, theta = 2.0")
        for traceback in ("", "Traceback (most recent call last):\n" + STUDENT_MESSAGE_MARK + "x = 1.5"):
            error.student_traceback, error.student_frames = traceback, []
            output = _trusted_output(error)
            message = cell_message(nbformat.v4.new_code_cell(TEST_CELL, outputs=[output]))
            assert message == HIDDEN_FAILED.text(), (name, traceback, output)


def test_student_hidden_check_run_in_a_kernel_gets_the_fixed_sentence():
    """Outside the trusted grader (a test cell run in the kernel, IPython's own traceback) no message is taken for
    the instructor's: the page falls back to the fixed sentence."""
    error = nbformat.v4.new_output(
        "error",
        ename="StudentMessage",
        evalue="some sentence",
        traceback=[
            "StudentMessage                            Traceback (most recent call last)",
            "Cell In[7], line 3\n      1 public_check()\n----> 3 hidden_check()",
            "StudentMessage: some sentence",
        ],
    )
    assert cell_message(nbformat.v4.new_code_cell(TEST_CELL, outputs=[error])) == HIDDEN_FAILED.text()
