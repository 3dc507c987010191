"""Leaving out the demonstrations changes no score: the honest catalogue graded with every cell run.

``course grade --all-cells`` grades the submissions of students who follow the instructions (the
reference, valid alternatives, real mistakes, the untouched notebook: tests/support/catalogue.py) with
the demonstration cells tagged skip-at-grading run too. Every exercise's points and maximum, bonus
included, must be the catalogue's expected ones: test_instructor_autograde_catalogue.py checks the same
expected scores on the run that leaves the demonstrations out, so the two runs give the same scores.
(Both runs grade in parallel, on two pytest-xdist workers. Attacks, tampering and faults are graded once,
there: grading every variant a second time takes 186 s on 2 cores, which the suite's 6 minutes cannot
afford; their scores are pinned by the catalogue test.)
"""

import pytest
from support.catalogue import HONEST, expected_scores
from support.grading import grade_variants

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE

pytestmark = [pytest.mark.slow, pytest.mark.root]


@pytest.fixture(scope="module")
def graded_with_every_cell(tmp_path_factory):
    """``(root, scores, completed process)`` of the honest variants graded with ``--all-cells``."""
    return grade_variants(tmp_path_factory.mktemp("all_cells") / "course", HONEST, "--all-cells")


def test_instructor_every_cell_run_batch_completes(graded_with_every_cell):
    root, scores, result = graded_with_every_cell
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    assert len(HONEST) > 50 and sorted(scores) == sorted(v.name for v in HONEST)
    graded = (root / "autograded" / "reference" / ASSIGNMENT / NOTEBOOK_FILE).read_text(encoding="utf-8")
    assert "Not run at grading" not in graded


@pytest.mark.parametrize("variant", HONEST, ids=[v.name for v in HONEST])
def test_instructor_every_cell_run_gives_the_expected_scores(graded_with_every_cell, variant):
    _, scores, _ = graded_with_every_cell
    assert scores.get(variant.name) == expected_scores(variant), variant.what
