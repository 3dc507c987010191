"""The master notebook and the release: bilingual, runs top to bottom, release leaks nothing."""

import re

import nbformat
import numpy as np
import pytest
from support.course import (
    cell_errors,
    reference_difference_n,
    release_notebook_path,
    source_notebook_path,
    stderr_outputs,
)

from course.assignment import EXERCISES
from course.notebooks import reference_solutions

CJK = re.compile(r"[\u4e00-\u9fff]")
STUB_MESSAGE = "Exercise not done yet"


@pytest.fixture(scope="module")
def master():
    return nbformat.read(str(source_notebook_path()), as_version=4)


def _stdout(notebook, cell_id):
    cell = next(c for c in notebook.cells if c.get("id") == cell_id)
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def test_learner_every_narrative_cell_exists_in_english_and_chinese(master):
    markdown = [c for c in master.cells if c.cell_type == "markdown"]
    assert markdown, "the notebook has no narrative"
    assert all(c.metadata.get("lang") in ("en", "zh") for c in markdown), [
        c.id for c in markdown if c.metadata.get("lang") not in ("en", "zh")
    ]
    english = [c for c in markdown if c.metadata["lang"] == "en"]
    chinese = {c.id: c for c in markdown if c.metadata["lang"] == "zh"}
    assert len(english) == len(chinese)
    for cell in english:
        stem = cell.id[: -len("-en")]
        assert cell.id.endswith("-en") and stem + "-zh" in chinese, "no Chinese twin for " + cell.id
        twin = chinese[stem + "-zh"]
        assert CJK.search(twin.source), twin.id + " has no Chinese text"
        prose = re.sub(r"```.*?```", "", cell.source, flags=re.S)  # printed output may be bilingual
        assert not CJK.search(prose), cell.id + " (English) contains Chinese text"
        # the same formulas and code names in both languages
        assert sorted(re.findall(r"\\tag\{\d\}", cell.source)) == sorted(re.findall(r"\\tag\{\d\}", twin.source))
        index = master.cells.index(cell)
        assert master.cells[index + 1] is twin, "the Chinese twin must follow " + cell.id


def test_student_exercises_are_nbgrader_cells_with_stubs_and_points(master):
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in master.cells}
    points = {}
    for exercise in EXERCISES:
        solution = by_id[exercise]
        assert solution.metadata.nbgrader["solution"] and not solution.metadata.nbgrader["grade"]
        assert "# YOUR CODE STARTS HERE" in solution.source and "# YOUR CODE ENDS HERE" in solution.source
        assert re.search(r"# \(approx\. \d+ lines?\)", solution.source)
        test = master.cells[master.cells.index(solution) + 1 :]
        test = next(c for c in test if c.metadata.get("nbgrader", {}).get("grade"))
        assert test.metadata.nbgrader["grade_id"] == exercise + "_tests" and test.metadata.nbgrader["locked"]
        assert "{}_test({})".format(exercise, exercise) in test.source
        assert "### BEGIN HIDDEN TESTS" in test.source
        points[exercise] = test.metadata.nbgrader["points"]
    assert points == {"forward_propagation": 1, "backward_propagation": 1, "gradient_check": 3, "gradient_check_n": 5}


def test_instructor_master_notebook_runs_top_to_bottom_without_error_or_stderr(executed_master):
    assert cell_errors(executed_master) == []
    assert stderr_outputs(executed_master) == []


def test_learner_master_notebook_prints_the_course_numbers(executed_master):
    assert _stdout(executed_master, "ex1-run").strip() == "J = 8"
    assert _stdout(executed_master, "ex2-run").strip() == "dtheta = 2"
    assert "difference = 2.919335883291695e-10" in _stdout(executed_master, "ex3-run")
    printed = _stdout(executed_master, "ex4-run")
    value = float(re.search(r"difference = ([0-9.e-]+)", printed).group(1))
    # platform-dependent last digits: 0.2850931566540251 in the seeds, 0.28509315677... here
    assert np.isclose(value, 0.2850931566540251, rtol=1e-6, atol=0)
    assert "There is a mistake" in printed and "反向传播有错误" in printed


def test_student_release_holds_no_solution_and_no_hidden_test(master):
    release_text = release_notebook_path().read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in release_text and "HIDDEN TESTS" not in release_text
    # Lines the master shows as given code (e.g. the buggy backward_propagation_n that the bonus
    # exercise corrects) are not leaks when a solution repeats them.
    given_lines = {
        line.strip()
        for c in master.cells
        if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("solution")
        for line in re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", c.source, flags=re.S).split("\n")
    }
    for exercise, code in reference_solutions(master).items():
        stub = next(
            c
            for c in nbformat.read(str(release_notebook_path()), as_version=4).cells
            if c.metadata.get("nbgrader", {}).get("grade_id") == exercise
        ).source
        stub_lines = {line.strip() for line in stub.split("\n")}
        solution_lines = {line.strip() for line in code.split("\n")} - stub_lines - given_lines
        assert solution_lines, exercise
        for line in solution_lines:
            assert line not in release_text, "solution line leaked into the release: " + line
    release_cells = {c.id: c for c in nbformat.read(str(release_notebook_path()), as_version=4).cells}
    hidden_cells = [c for c in master.cells if "### BEGIN HIDDEN TESTS" in c.source]
    assert len(hidden_cells) >= len(EXERCISES)
    for cell in hidden_cells:
        visible = re.sub(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", cell.source, flags=re.S)
        assert release_cells[cell.id].source.strip() == visible.strip()


def test_student_release_runs_with_only_not_implemented_errors(executed_release):
    errors = cell_errors(executed_release)
    assert errors, "the untouched release should stop at the unfinished exercises"
    assert {name for _, name, _ in errors} == {"NotImplementedError"}
    assert all(STUB_MESSAGE in value and "练习尚未完成" in value for _, _, value in errors)
    failing_cells = {cell_id for cell_id, _, _ in errors}
    assert {e + "_tests" for e in EXERCISES} <= failing_cells
    assert stderr_outputs(executed_release) == []


def test_learner_correct_backprop_gives_the_quoted_difference_just_above_the_old_threshold(master):
    """The text says a correct backprop gives about 1.19e-07: above 1e-7, below 2e-7."""
    import public_tests
    from gc_utils import DIFFERENCE_THRESHOLD
    from testCases import gradient_check_n_test_case

    X, Y, parameters = gradient_check_n_test_case()
    _, cache = public_tests.forward_propagation_n(X, Y, parameters)
    gradients = public_tests.buggy_backward_propagation_n(X, Y, cache)
    gradients["dW2"] = gradients["dW2"] / 2  # undo the planted bugs (powers of two: exact)
    gradients["db1"] = gradients["db1"] / 4
    difference = reference_difference_n(parameters, gradients, X, Y, epsilon=1e-7)
    assert 1e-7 < difference < DIFFERENCE_THRESHOLD == 2e-7
    assert round(difference, 9) == 1.19e-07  # the text's "about 1.19e-07" (round-off: last digits vary)
    text = " ".join(c.source for c in master.cells if c.cell_type == "markdown")
    assert "1.19 \\times 10^{-7}" in text and "2 \\times 10^{-7}" in text


# ---- the sections after the exercises (issue 5) run cleanly and show what the text says

#: Cells of issue 5 that draw a plot, and how many images each shows.
PLOT_CELLS = {"blocks-setup": 1, "blocks-fixed": 1, "epsilon-sweep": 1, "epsilon-float32": 1, "cost-timing": 1}


def outputs_of(notebook, cell_id):
    cell = next(c for c in notebook.cells if c.get("id") == cell_id)
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    images = sum("image/png" in o.get("data", {}) for o in cell.outputs)
    return text, images


def test_learner_notebook_runs_without_errors_or_stderr(executed_master):
    assert cell_errors(executed_master) == []
    assert stderr_outputs(executed_master) == []


def test_learner_sees_the_plots(executed_master):
    assert {cell_id: outputs_of(executed_master, cell_id)[1] for cell_id in PLOT_CELLS} == PLOT_CELLS


def test_learner_sees_dW2_and_db1_stand_out_then_all_blocks_pass(executed_master):
    before, _ = outputs_of(executed_master, "blocks-setup")
    flagged = [line.split()[1] for line in before.splitlines() if line.startswith("\u2718")]
    assert flagged == ["b1", "W2"]
    after, _ = outputs_of(executed_master, "blocks-fixed")
    assert not any(line.startswith("\u2718") for line in after.splitlines())
    assert sum(line.startswith("\u2714") for line in after.splitlines()) == 6
    assert "works perfectly fine" in after
