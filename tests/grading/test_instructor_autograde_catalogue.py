"""The catalogue of student submissions (tests/support/catalogue.py), graded by ``python -m course grade``.

The course's parallel command (its scores equal sequential ``nbgrader autograde``'s: see
test_instructor_grade.py) runs as root, so every submission is graded in its sandbox (bubblewrap and a
cgroup: the faults, exits, endless loops in Python and in C, memory blow-ups and huge outputs are graded
there, interrupts travelling as messages). It grades the whole catalogue with the course's
nbgrader_config.py as an instructor does, leaving out the demonstration cells tagged skip-at-grading;
one test per variant checks its score per exercise (test_instructor_catalogue_all_cells.py checks the
same scores for the honest submissions graded with every cell run). Protects the instructor's promise:
right answers get full marks, a wrong one loses only its exercise, an attack on the grader changes no
verdict, a fault in one submission neither stops the batch nor costs more than its exercise, and leaving
out the demonstrations changes no score.
"""

import nbformat
import pytest
from support.catalogue import MAX_POINTS, VARIANTS, expected_scores
from support.grading import grade_variants

from course.assignment import ASSIGNMENT, BONUS_EXERCISES, EXERCISES, NOTEBOOK_FILE

pytestmark = [pytest.mark.slow, pytest.mark.root]

#: An autograded notebook stays below this size whatever the student printed.
MAX_GRADED_NOTEBOOK_BYTES = 1_000_000


@pytest.fixture(scope="session")
def graded_catalogue(tmp_path_factory):
    """The catalogue graded as an instructor grades a class: ``(root, scores, completed process)``."""
    return grade_variants(tmp_path_factory.mktemp("catalogue") / "course", VARIANTS)


def test_instructor_catalogue_names_are_unique():
    names = [v.name for v in VARIANTS]
    assert len(names) == len(set(names))
    assert all(len(v.expected) == len(EXERCISES) for v in VARIANTS)


def test_instructor_catalogue_batch_completes(graded_catalogue):
    """No submission makes grading give up: the run succeeds and every variant has a grade."""
    _, scores, result = graded_catalogue
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    assert sorted(scores) == sorted(v.name for v in VARIANTS)


def test_instructor_demonstrations_were_left_out(graded_catalogue):
    """The reference's demonstration cells were not run: their only output is the note."""
    root, _, _ = graded_catalogue
    graded = (root / "autograded" / "reference" / ASSIGNMENT / NOTEBOOK_FILE).read_text(encoding="utf-8")
    assert "Not run at grading" in graded


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_instructor_every_score_is_the_expected_one(graded_catalogue, variant):
    """Every exercise's points and maximum, bonus included, are the catalogue's: the very check that
    test_instructor_catalogue_all_cells.py makes on the run with every cell, so both runs give the same."""
    _, scores, _ = graded_catalogue
    assert scores.get(variant.name) == expected_scores(variant), variant.what


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_instructor_catalogue_scores(graded_catalogue, variant):
    """Each variant gets exactly its expected score per exercise, out of the unchanged maximum."""
    _, scores, _ = graded_catalogue
    assert variant.name in scores, "no grade for {}".format(variant.name)
    got = tuple(scores[variant.name].get(e, (None, None))[0] for e in EXERCISES)
    maxima = tuple(scores[variant.name].get(e, (None, None))[1] for e in EXERCISES)
    assert maxima == MAX_POINTS, "maximum points changed: {}".format(maxima)
    assert got == tuple(float(p) for p in variant.expected), "{}: got {}, expected {}".format(
        variant.what, got, variant.expected
    )


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_instructor_catalogue_bonus_unaffected(graded_catalogue, variant):
    """No variant touches the bonus solution: it keeps all its points (none when nothing is filled in, or
    when the variant stops the student's own later cells from running)."""
    _, scores, _ = graded_catalogue
    for bonus in BONUS_EXERCISES:
        score, maximum = scores[variant.name][bonus]
        assert maximum > 0
        assert score == (maximum if variant.bonus else 0), "{}: bonus {}".format(variant.what, score)


def test_instructor_graded_notebooks_stay_small(graded_catalogue):
    """Megabytes of student output are cut down in the graded notebook."""
    root, _, _ = graded_catalogue
    for name in ("fault_huge_output", "fault_many_lines"):
        path = root / "autograded" / name / ASSIGNMENT / NOTEBOOK_FILE
        assert path.stat().st_size < MAX_GRADED_NOTEBOOK_BYTES, name


def test_instructor_foreign_files_removed(graded_catalogue):
    """A shipped numpy.py is gone and shipped helper modules are the course's own."""
    root, _, _ = graded_catalogue
    assert not (root / "autograded" / "tamper_shadow_numpy" / ASSIGNMENT / "numpy.py").exists()
    shipped = root / "autograded" / "tamper_shipped_helpers" / ASSIGNMENT
    for helper in ("public_tests.py", "gc_utils.py"):
        assert (shipped / helper).read_bytes() == (root / helper).read_bytes(), helper


def test_instructor_inlined_model_is_told_to_call_the_functions(graded_catalogue):
    """A gradient_check that computes J and its derivative itself fails Exercise 3 with a message, in
    both languages, saying that the test replaced forward_propagation and backward_propagation and that
    gradient_check must call them."""
    root, _, _ = graded_catalogue
    notebook = nbformat.read(str(root / "autograded" / "ex3_inlined_model" / ASSIGNMENT / NOTEBOOK_FILE), 4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "gradient_check_tests")
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "AssertionError", cell.outputs
    message = errors[0].evalue
    for expected in (
        "replaced forward_propagation",
        "and backward_propagation by",
        "by calling forward_propagation(x, ...) and backward_propagation(x, theta)",
        "本测试把 forward_propagation 替换为",
        "把 backward_propagation 替换为",
        "必须通过调用 forward_propagation(x, ...) 和 backward_propagation(x, theta)",
    ):
        assert expected in message, message


def test_instructor_dead_kernel_is_restarted(tmp_path):
    """GuardedExecute on its own: after os._exit() the next cells still run, with the earlier state."""
    from course.nbgrader_ext.guarded_execute import GuardedExecute

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("value = 41"),
            nbformat.v4.new_code_cell("import os\nos._exit(3)"),
            nbformat.v4.new_code_cell("print(value + 1)"),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = GuardedExecute(timeout=60, kernel_name="python3")
    executor.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
    died = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert died and died[0].ename == "DeadKernelError"
    assert [o.get("text") for o in notebook.cells[2].outputs] == ["42\n"]


def test_instructor_kernel_starts_under_the_memory_limit(tmp_path):
    """GuardedExecute's kernel (plain nbgrader autograde, no sandbox) has its address space capped, so a
    memory blow-up raises MemoryError in the cell instead of exhausting the machine."""
    from course.nbgrader_ext.guarded_execute import GuardedExecute

    code = "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = GuardedExecute(timeout=60, kernel_name="python3", memory_limit_mb=1536)
    executor.preprocess(notebook, {"metadata": {"path": str(tmp_path)}})
    assert [o.get("text") for o in notebook.cells[0].outputs] == ["1536\n"]
