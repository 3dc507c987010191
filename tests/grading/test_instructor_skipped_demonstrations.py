"""Demonstration cells left out at grading: the release check, and what the student is told.

The instructor tags demonstration cells ``skip-at-grading`` in the master notebook; nbgrader's release
step refuses a tag that could change a score, and the graded notebook and the feedback page say which
sections were not run. (The catalogue test grades every submission with and without skipping.)
"""

import subprocess
import sys

import nbformat
import pytest
from support.course import source_notebook_path

from course.assignment import ASSIGNMENT
from course.nbgrader_cli import nbgrader_env
from course.nbgrader_ext.skipped_cells import SKIP_TAG

pytestmark = [pytest.mark.slow]


def test_instructor_release_refuses_a_tag_that_would_change_a_score(course_copy):
    """Tagging the cell that sets ``x, theta`` for Exercise 1's example run stops generate_assignment, and
    its log names the cell, the variable and the fix."""
    path = source_notebook_path(course_copy)
    master = nbformat.read(str(path), as_version=4)
    cell = next(c for c in master.cells if c.get("id") == "ex2-run")
    cell.metadata.setdefault("tags", []).append(SKIP_TAG)
    cell.source = "dtheta_example = 2\n" + cell.source
    later = next(c for c in master.cells if c.get("id") == "ex3-run")
    later.source += "\nprint(dtheta_example)"
    nbformat.write(master, str(path))
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        cwd=str(course_copy),
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    log = result.stdout + result.stderr
    assert result.returncode != 0, log
    for part in ("id ex2-run", "id ex3-run", "'dtheta_example'", "Remove the tag", "请去掉第一个单元格的标签"):
        assert part in log, log
