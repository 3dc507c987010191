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
