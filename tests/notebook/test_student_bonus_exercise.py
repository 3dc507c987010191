"""The optional, graded bonus exercise ``backward_propagation_n_fixed`` (issue 5).

A student passes only when BOTH planted bugs (dW2 * 2, db1 * 4) are fixed; the bonus points stay
apart from the 10 points of the four core exercises.
"""

import nbformat
import pytest
from support.course import source_notebook_path

from course.assignment import BONUS_EXERCISES, EXERCISES
from course.notebooks import apply_patch, reference_solutions

BONUS = "backward_propagation_n_fixed"
BONUS_POINTS = 2
CORE_POINTS = {"forward_propagation": 1, "backward_propagation": 1, "gradient_check": 3, "gradient_check_n": 5}
#: (old, new) text of the reference solution that re-plants one bug.
PLANT_DW2 = ("dW2 = np.dot(dZ2, A1.T) / m", "dW2 = 2 * np.dot(dZ2, A1.T) / m")
PLANT_DB1 = ("db1 = np.sum(dZ1, axis=1, keepdims=True) / m", "db1 = 4 * np.sum(dZ1, axis=1, keepdims=True) / m")
VARIANTS = {
    "both bugs fixed": ([], True),
    "only db1 fixed": ([PLANT_DW2], False),
    "only dW2 fixed": ([PLANT_DB1], False),
    "nothing fixed": ([PLANT_DW2, PLANT_DB1], False),
}


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(str(source_notebook_path()), as_version=4)


def cell_by_grade_id(notebook, grade_id):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def run_test_cell(notebook, solution_code):
    """Run the given cells, ``solution_code`` and then the bonus test cell (hidden part included)."""
    namespace = {}
    for cell in notebook.cells:
        if cell.get("id") in ("imports", "forward_propagation_n", "backward_propagation_n", "blocks-setup"):
            exec(cell.source, namespace)
    exec(solution_code, namespace)
    exec(cell_by_grade_id(notebook, BONUS + "_tests").source, namespace)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_student_bonus_needs_both_fixes(notebook, variant, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))
    patches, passes = VARIANTS[variant]
    code = reference_solutions(notebook)[BONUS]
    for old, new in patches:
        code = apply_patch(code, old, new, variant)
    if passes:
        run_test_cell(notebook, code)
    else:
        with pytest.raises(AssertionError) as failure:
            run_test_cell(notebook, code)
        for block in ("dW2", "db1"):
            planted = (PLANT_DW2 if block == "dW2" else PLANT_DB1) in patches
            assert (block in str(failure.value)) == planted, str(failure.value)


def test_student_bonus_points_are_kept_apart(notebook):
    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("points")
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    assert {e: points[e + "_tests"] for e in EXERCISES} == CORE_POINTS
    assert BONUS in BONUS_EXERCISES and BONUS not in EXERCISES
    assert points[BONUS + "_tests"] == BONUS_POINTS
    assert set(points) == {e + "_tests" for e in EXERCISES + BONUS_EXERCISES}


# ---------------------------------------------------------------- issue 15, point 4: the bonus is optional for real
NOT_ATTEMPTED_EN = "bonus not attempted (optional): 0 bonus points"
NOT_ATTEMPTED_ZH = "附加题未作答（选做）：附加分 0 分"


def _untouched_bonus(X, Y, cache):
    raise NotImplementedError("Exercise not done yet: write your code here, then delete this line.")


def test_student_untouched_bonus_public_test_says_not_attempted_and_passes(capsys):
    import public_tests

    public_tests.backward_propagation_n_fixed_test(_untouched_bonus)  # does not raise
    printed = capsys.readouterr().out
    assert NOT_ATTEMPTED_EN in printed and NOT_ATTEMPTED_ZH in printed
    with pytest.raises(NotImplementedError):  # the grader's call: not optional
        public_tests.backward_propagation_n_fixed_test(_untouched_bonus, optional=False)


def test_student_untouched_bonus_still_scores_zero(notebook, monkeypatch):
    """The hidden part of the bonus test fails for an untouched bonus, with the feedback page's sentence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course.messages import HIDDEN_BONUS_NOT_ATTEMPTED
    from course.oracle import StudentMessage

    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))
    untouched = "def backward_propagation_n_fixed(X, Y, cache):\n    raise NotImplementedError()\n"
    with pytest.raises(StudentMessage) as failure:
        run_test_cell(notebook, untouched)
    assert failure.value.message == HIDDEN_BONUS_NOT_ATTEMPTED


def test_student_validate_succeeds_with_the_bonus_untouched(tmp_path):
    """nbgrader's Validate (what the toolbar button runs) on a release notebook with the four exercises solved and
    the bonus untouched: no failing cell, and the bonus test cell says the bonus was not attempted."""
    from nbgrader.validator import Validator
    from support.grading import released_course

    from course.assignment import ASSIGNMENT, NOTEBOOK_FILE
    from course.notebooks import fill_solution_cells, nbgrader_config

    root, release, solutions = released_course(tmp_path / "course")
    solved = fill_solution_cells(release, {e: code for e, code in solutions.items() if e in EXERCISES})
    path = root / "release" / ASSIGNMENT / NOTEBOOK_FILE
    nbformat.write(solved, str(path))
    validator = Validator(config=nbgrader_config(root))
    executed = {}
    run = validator._preprocess

    def keep(nb):
        executed["notebook"] = run(nb)
        return executed["notebook"]

    validator._preprocess = keep
    assert validator.validate(str(path)) == {}
    bonus = cell_by_grade_id(executed["notebook"], BONUS + "_tests")
    printed = "".join(output.get("text", "") for output in bonus.outputs)
    assert NOT_ATTEMPTED_EN in printed and NOT_ATTEMPTED_ZH in printed, bonus.outputs
