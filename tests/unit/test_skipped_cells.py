"""Which demonstration cells grading may leave out (course/nbgrader_ext/skipped_cells.py).

Protects the instructor's promise that skipping never changes a score: a tagged cell is left out only
when no cell that runs could see what it sets, decided per notebook (a student's code that reads a
demonstration's variable gets the demonstration run).
"""

import nbformat
import pytest

from course.assignment import NOTEBOOK_FILE, REPO_ROOT, source_folder
from course.nbgrader_ext.skipped_cells import SKIP_TAG, CheckSkippedCells, cells_to_skip, check_master, is_tagged


def notebook(*cells):
    """Code cells from ``(source, tagged)`` pairs (or plain sources: not tagged)."""
    made = []
    for cell in cells:
        source, tagged = cell if isinstance(cell, tuple) else (cell, False)
        made.append(nbformat.v4.new_code_cell(source, metadata={"tags": [SKIP_TAG]} if tagged else {}))
    return made


def skipped(*cells):
    return cells_to_skip(notebook(*cells))[0]


def test_instructor_master_demonstrations_are_all_left_out():
    """Every tagged cell of the master notebook (sections 5-8) may be left out: the release check is silent."""
    master = nbformat.read(str(source_folder(REPO_ROOT) / NOTEBOOK_FILE), as_version=4)
    tagged = {i for i, cell in enumerate(master.cells) if is_tagged(cell)}
    assert len(tagged) >= 10
    assert cells_to_skip(master.cells) == (tagged, {})
    assert check_master(master.cells) == []


def test_a_demonstration_nothing_reads_is_left_out():
    assert skipped("x = 1", ("plot = x * 2\nprint(plot)", True), "y = x + 1") == {1}


def test_a_variable_read_later_keeps_its_cell():
    cells = notebook("x = 1", ("x = 5", True), "print(x)")
    assert cells_to_skip(cells) == (set(), {1: ("x", 2)})


def test_a_variable_set_again_before_it_is_read_does_not():
    assert skipped(("x = 5", True), "x = 2\nprint(x)") == {0}


def test_reading_before_setting_again_keeps_the_cell():
    assert skipped(("x = 5", True), "x = x + 1") == set()


def test_a_function_reading_a_global_keeps_the_cell_wherever_it_is():
    """A student's function is called at grading, after every cell: a global it reads must be as without
    skipping, even when set by a demonstration further down."""
    assert skipped("def f():\n    return theta * 2", ("theta = 3", True)) == set()
    assert skipped(("theta = 3", True), "def f(theta):\n    return theta * 2") == {0}


def test_changing_an_object_in_place_counts_as_setting_it():
    for change in ("d['k'] = 2", "d.k = 2", "d += [2]", "del d['k']"):
        assert skipped("d = {}", (change, True), "print(d)") == set(), change


def test_a_cell_that_must_run_may_need_another():
    assert skipped(("a = 1", True), ("b = a + 1", True), "print(b)") == set()
    assert skipped(("a = 1", True), ("b = a + 1", True), "print(a)") == {1}


@pytest.mark.parametrize("dynamic", ["print(globals()['x'])", "eval('x')", "import __main__", "%who"])
def test_code_that_reaches_globals_it_does_not_name_keeps_every_cell(dynamic):
    assert skipped(("x = 5", True), dynamic) == set()


def test_a_star_import_in_a_demonstration_keeps_it():
    assert skipped(("from math import *", True), "print(pi)") == set()


def test_graded_and_solution_cells_are_never_left_out():
    cells = notebook(("x = 1", True), ("y = 2", True))
    cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 1}
    cells[1].metadata["nbgrader"] = {"solution": True, "grade_id": "s"}
    assert cells_to_skip(cells) == (set(), {})


def test_a_cell_that_does_not_parse_is_left_out_and_reads_nothing():
    assert skipped(("def broken(:", True), "print(1)") == {0}
    assert skipped(("x = 1", True), "print(x) )") == {0}


def test_instructor_release_check_names_the_cell_the_name_and_the_fix():
    """The release step stops, naming both cells, the variable and what to do, in both languages."""
    cells = notebook("x = 1", ("threshold = 5", True), "print(threshold)")
    with pytest.raises(ValueError) as stopped:
        CheckSkippedCells().preprocess(nbformat.v4.new_notebook(cells=cells), {})
    message = str(stopped.value)
    for part in ("cell 1", "cell 2", "'threshold'", "Remove the tag", "请去掉第一个单元格的标签", SKIP_TAG):
        assert part in message, message
