"""The catalogue of student submissions (tests/support/catalogue.py), graded by ``python -m course grade``.

The course's parallel command (its scores equal sequential ``nbgrader autograde``'s: see
test_instructor_grade.py) runs as root, so every submission is graded in its sandbox (bubblewrap and a
cgroup: the faults, exits, endless loops in Python and in C, memory blow-ups and huge outputs are graded
there, interrupts travelling as messages). It grades the whole catalogue with the course's
nbgrader_config.py as an instructor does, leaving out the demonstration cells tagged skip-at-grading;
one test per variant checks its score per exercise. A second run with ``--all-cells`` (every cell run)
grades the submissions on which leaving cells out could matter and compares every score. Protects the
instructor's promise:
right answers get full marks, a wrong one loses only its exercise, an attack on the grader changes no
verdict, a fault in one submission neither stops the batch nor costs more than its exercise, and leaving
out the demonstrations changes no score.
"""

import nbformat
import pytest
from support.catalogue import HONEST, MAX_POINTS, VARIANTS, expected_scores
from support.grading import grade_variants

from course.assignment import ASSIGNMENT, BONUS_EXERCISES, EXERCISES, NOTEBOOK_FILE
from course.nbgrader_ext.skipped_cells import cells_to_skip
from course.notebooks import master_notebook

pytestmark = [pytest.mark.slow, pytest.mark.root]

#: An autograded notebook stays below this size whatever the student printed.
MAX_GRADED_NOTEBOOK_BYTES = 1_000_000


@pytest.fixture(scope="session")
def graded_catalogue(tmp_path_factory):
    """The catalogue graded as an instructor grades a class: ``(root, scores, completed process)``."""
    return grade_variants(tmp_path_factory.mktemp("catalogue") / "course", VARIANTS)


def decided_per_submission(root, variants):
    """The variants on which the per-submission decision leaves out other cells than in the master notebook
    (a function that reads a demonstration's variable or import, code that reaches globals it does not name)."""
    master = cells_to_skip(master_notebook(root).cells)[0]
    decided = []
    for variant in variants:
        path = root / "submitted" / variant.name / ASSIGNMENT / NOTEBOOK_FILE
        if cells_to_skip(nbformat.read(str(path), as_version=4).cells)[0] != master:
            decided.append(variant)
    return decided


@pytest.fixture(scope="session")
def graded_with_every_cell(graded_catalogue, tmp_path_factory):
    """``(variants, root, scores, completed process)``: the catalogue's variants on which leaving cells out
    could matter, graded with ``--all-cells``: the reference, the untouched notebook, and every honest
    variant on which the per-submission decision leaves out other cells than in the master (the others
    leave out exactly the reference's cells). Attacks, tampering and faults are graded once: their scores
    are pinned by the catalogue (grading every variant a second time takes 186 s on 2 cores, which the
    suite's 6 minutes cannot afford)."""
    root, _, _ = graded_catalogue
    chosen = {v.name: v for v in HONEST if v.name in ("reference", "untouched")}
    chosen.update({v.name: v for v in decided_per_submission(root, HONEST)})
    variants = sorted(chosen.values(), key=lambda v: v.name)
    return (variants, *grade_variants(tmp_path_factory.mktemp("all_cells") / "course", variants, "--all-cells"))


def test_instructor_catalogue_names_are_unique():
    names = [v.name for v in VARIANTS]
    assert len(names) == len(set(names))
    assert all(len(v.expected) == len(EXERCISES) for v in VARIANTS)


def test_instructor_catalogue_batch_completes(graded_catalogue):
    """No submission makes grading give up: the run succeeds and every variant has a grade."""
    _, scores, result = graded_catalogue
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    assert sorted(scores) == sorted(v.name for v in VARIANTS)


def test_instructor_leaving_out_demonstrations_changes_no_score(graded_catalogue, graded_with_every_cell):
    """Every variant graded both ways gets the same points and maximum for every exercise, bonus included;
    the demonstrations were left out the first time and run the second."""
    root, scores, _ = graded_catalogue
    variants, all_root, all_scores, result = graded_with_every_cell
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    names = sorted(v.name for v in variants)
    assert sorted(all_scores) == names
    decided = {"untouched", "valid_timing_magics", "valid_helper_function", "ex3_shortcut_relative_difference"}
    assert decided <= set(names)
    assert {name: all_scores[name] for name in names if all_scores[name] != scores[name]} == {}
    note = "Not run at grading"
    for folder, expected in ((root, True), (all_root, False)):
        graded = (folder / "autograded" / "reference" / ASSIGNMENT / NOTEBOOK_FILE).read_text(encoding="utf-8")
        assert (note in graded) == expected, folder


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_instructor_every_score_is_the_expected_one(graded_catalogue, variant):
    """Every exercise's points and maximum, bonus included, are exactly the catalogue's."""
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
    """A gradient_check that computes J and its derivative itself fails Exercise 3's public test at grading too,
    with a message, in both languages, saying which functions the test swapped in, that gradient_check must call
    forward_propagation and backward_propagation, and what it does instead."""
    root, _, _ = graded_catalogue
    notebook = nbformat.read(str(root / "autograded" / "ex3_inlined_model" / ASSIGNMENT / NOTEBOOK_FILE), 4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "gradient_check_tests")
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "AssertionError", cell.outputs
    message = errors[0].evalue
    for expected in (
        "with forward_propagation replaced by J = x * theta**3",
        "gradient_check must get J by calling forward_propagation(x, ...)",
        "by calling backward_propagation(x, theta)",
        "J does not come from forward_propagation",
        "把 forward_propagation 替换为 J = x * theta**3",
        "gradient_check 必须通过调用 forward_propagation(x, ...) 得到 J",
        "J 不是由 forward_propagation 得到的",
    ):
        assert expected in message, message


# ---------------------------------------------------------------- issue 15: no surprise at grading
PASSED_MARK = "\u2714 {}:"


def _graded_cells(root, variant):
    """``{exercise: (printed text, error outputs)}`` of the graded cells of one graded submission."""
    from course.assignment import test_cell_exercise

    path = root / "autograded" / variant.name / ASSIGNMENT / NOTEBOOK_FILE
    cells = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            printed = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            cells[test_cell_exercise(meta["grade_id"])] = (printed, errors)
    return cells


def _honest(variants):
    """The variants of students who follow the instructions and hard-code nothing."""
    return [v for v in variants if v in HONEST and "hardcoded" not in v.name]


def test_instructor_no_public_pass_then_hidden_fail(graded_catalogue):
    """No honest variant's graded cell prints "✔ … all public tests passed" (at grading, in the trusted grader)
    and then loses points: every honest mistake the hidden tests catch, a public test names first."""
    root, scores, _ = graded_catalogue
    surprises = []
    for variant in _honest(VARIANTS):
        for exercise, (printed, _) in _graded_cells(root, variant).items():
            score, maximum = scores[variant.name][exercise]
            if PASSED_MARK.format(exercise) in printed and score < maximum:
                surprises.append((variant.name, exercise, score, maximum))
    assert surprises == []


def test_instructor_failing_messages_print_plain_numbers(graded_catalogue):
    """No ``np.float64(…)`` or ``array(…)`` repr in the message of any failing test of an honest variant."""
    root, _, _ = graded_catalogue
    messages = [
        error.evalue
        for variant in _honest(VARIANTS)
        for _, errors in _graded_cells(root, variant).values()
        for error in errors
    ]
    assert messages
    assert [m for m in messages if "np.float" in m or "array(" in m] == []


def _hidden_parts(root):
    """The source of every hidden part of the master notebook's cells (between the course's delimiters)."""
    from course.notebooks import delimiters, master_notebook

    marks = delimiters(root)
    parts = []
    for cell in master_notebook(root).cells:
        rest = cell.source
        while marks.begin_hidden in rest:
            rest = rest.split(marks.begin_hidden, 1)[1]
            part, _, rest = rest.partition(marks.end_hidden)
            parts.append(part)
    assert parts
    return parts


def _numbers(text):
    """The values of the numbers written in ``text`` (``1e-07``, ``1e-7`` and ``0.0000001`` are one value)."""
    import re

    return {float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])", text)}


def hidden_input_values(root):
    """The values of the literal numbers of the hidden tests that appear nowhere a student can read (the release
    notebook, the helper modules): the hidden inputs and expected values."""
    import ast

    hidden = set()
    for part in _hidden_parts(root):
        for node in ast.walk(ast.parse(part)):
            if isinstance(node, ast.Constant) and type(node.value) in (int, float):
                hidden.add(abs(float(node.value)))
    return hidden - _numbers(public_text(root))


def public_text(root):
    """What a student can read: the release notebook's cells and the helper modules."""
    from course.notebooks import release_notebook

    texts = [c.source for c in release_notebook(root).cells]
    texts += [(root / name).read_text(encoding="utf-8") for name in ("public_tests.py", "gc_utils.py", "testCases.py")]
    return "\n".join(texts)


def test_instructor_feedback_pages_show_no_hidden_test(graded_catalogue):
    """Issue 15: the feedback page of every catalogue submission shows no source line of a hidden test (stripped,
    8 characters or more) and none of the hidden tests' own numbers (inputs, expected values); a failed hidden
    check shows the instructor's sentence instead (here: the untouched bonus)."""
    import html
    import re

    from course.messages import HIDDEN_BONUS_NOT_ATTEMPTED

    root, _, _ = graded_catalogue
    lines = {line.strip() for part in _hidden_parts(root) for line in part.split("\n") if len(line.strip()) >= 8}
    lines -= {line.strip() for line in public_text(root).split("\n")}  # also given code a student can read
    numbers = hidden_input_values(root)
    assert lines and {1.3, 1.7, 0.2850931566540251} & numbers == {1.3, 1.7}
    leaks = []
    for variant in VARIANTS:
        page = (root / "feedback" / variant.name / ASSIGNMENT / "Gradient_Checking.html").read_text(encoding="utf-8")
        text = html.unescape(page)
        leaks += [(variant.name, line) for line in lines if line in text]
        shown = _numbers(re.sub(r"<[^>]*>", " ", text))
        leaks += [(variant.name, number) for number in sorted(numbers & shown)]
    assert leaks == []
    untouched = (root / "feedback" / "untouched" / ASSIGNMENT / "Gradient_Checking.html").read_text(encoding="utf-8")
    assert all(html.escape(part) in untouched for part in HIDDEN_BONUS_NOT_ATTEMPTED.text().split("\n"))


def run_guarded(folder, *sources, **options):
    """Run code cells ``sources`` with GuardedExecute on its own (no nbgrader, no sandbox) in ``folder``;
    return ``(notebook, executor)``."""
    from course.nbgrader_ext.guarded_execute import GuardedExecute

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = GuardedExecute(timeout=60, kernel_name="python3", **options)
    executor.preprocess(notebook, {"metadata": {"path": str(folder)}})
    return notebook, executor


def test_instructor_dead_kernel_is_restarted(tmp_path):
    """GuardedExecute on its own: after os._exit() the next cells still run, with the earlier state."""
    notebook, _ = run_guarded(tmp_path, "value = 41", "import os\nos._exit(3)", "print(value + 1)")
    died = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert died and died[0].ename == "DeadKernelError"
    assert [o.get("text") for o in notebook.cells[2].outputs] == ["42\n"]


def test_instructor_exit_restarts_the_kernel_at_once_and_is_not_replayed(tmp_path):
    """IPython's exit() ends the kernel a moment after its cell: the kernel is restarted right away, the later
    cells keep the earlier state, and the cell that called exit() is never replayed (replaying it would end
    the fresh kernel again, in the middle of a later test: the race fault_builtin_exit lost under load)."""
    leave = "def leave():\n    exit()\n\nleave()"
    later = "import time\ntime.sleep(1)\nprint(value + 1)"
    notebook, executor = run_guarded(tmp_path, "value = 41", leave, later, "print(value + 2)")
    assert [o.get("text") for o in notebook.cells[2].outputs] == ["42\n"]
    assert [o.get("text") for o in notebook.cells[3].outputs] == ["43\n"]
    assert executor._restarts == 1 and [index for index, _ in executor._replay] == [0, 2, 3]


def test_instructor_kernel_starts_under_the_memory_limit(tmp_path):
    """GuardedExecute's kernel (plain nbgrader autograde, no sandbox) has its address space capped, so a
    memory blow-up raises MemoryError in the cell instead of exhausting the machine."""
    code = "import resource\nprint(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20)"
    notebook, _ = run_guarded(tmp_path, code, memory_limit_mb=1536)
    assert [o.get("text") for o in notebook.cells[0].outputs] == ["1536\n"]
