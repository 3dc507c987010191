"""The proof that the trusted grader never runs submission code, with the real ``nbgrader autograde``.

Two submissions are graded in a copy of the course with the trusted grader's audit log switched on
(``COURSE_ORACLE_AUDIT_LOG``): the reference solution with a unique marker (a comment and a string
constant) in every solution cell and inside every function, and the untouched release with an attack
cell that wraps every later cell of the kernel in ``try: ... except BaseException: pass`` -- the attack
that made every hidden test pass when the tests ran in the student's kernel. The reference gets full
marks, the attack none; every compile/exec event of the trusted grader was allowed, none compiled the
marker, and the log holds the test cells of both notebooks (so the test cannot pass on an empty log).
"""

import json
import re
import subprocess
import sys
import uuid

import nbformat
import pytest
from support.course import source_notebook_path
from support.grading import released_course

from course.assignment import ASSIGNMENT, BONUS_EXERCISES, EXERCISES, NOTEBOOK_FILE
from course.nbgrader_cli import nbgrader_env
from course.notebooks import fill_solution_cells
from course.oracle.runner import Plan
from course.oracle.trusted import AUDIT_LOG_VARIABLE, CELL_FILE_PREFIX

pytestmark = [pytest.mark.slow]

MARKER = "zz-submission-marker-" + uuid.uuid4().hex
MARKED, ATTACK = "marked_reference", "input_transformer_attack"

#: An extra cell of the attack: from then on the kernel runs every cell inside try/except BaseException.
SWALLOW_EVERYTHING = """
def _swallow_everything(lines):
    source = "".join(lines)
    return ["try:\\n",
            "    exec(compile({!r}, '<swallowed>', 'exec'), globals())\\n".format(source),
            "except BaseException:\\n",
            "    pass\\n"]


get_ipython().input_transformers_post.append(_swallow_everything)
"""


def marked(code):
    """``code`` (a solution cell) with the marker as a comment and a constant, also inside each function."""
    lines = ["# {}".format(MARKER), "_SUBMISSION_MARKER = {!r}".format(MARKER)]
    for line in code.split("\n"):
        lines.append(line)
        if re.match(r"def \w+\(.*\):\s*$", line):
            lines.append("    _marker = {!r}  # {}".format(MARKER, MARKER))
    assert sum(MARKER in line for line in lines) >= 3, code[:200]
    return "\n".join(lines)


def write_submission(root, student, notebook):
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / NOTEBOOK_FILE))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Autograde the two submissions once (audit log on); then the attack alone once more with the test cells
    in the kernel, as plain nbgrader runs them. Returns a dict of what the tests look at."""
    from course.results.scores import exercise_scores

    root, release, solutions = released_course(tmp_path_factory.mktemp("trusted") / "course")
    command = [sys.executable, "-m", "nbgrader"]
    write_submission(root, MARKED, fill_solution_cells(release, {e: marked(c) for e, c in solutions.items()}))
    attacked = nbformat.from_dict(release)
    imports = next(
        i for i, c in enumerate(attacked.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "imports"
    )
    attacked.cells.insert(imports + 1, nbformat.v4.new_code_cell(SWALLOW_EVERYTHING))
    write_submission(root, ATTACK, attacked)

    def autograde(*options, env=None):
        result = subprocess.run(
            command + ["autograde", ASSIGNMENT, "--force", *options],
            cwd=str(root),
            env=env or nbgrader_env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
        return exercise_scores("sqlite:///{}".format(root / "gradebook.db"), students=[MARKED, ATTACK])

    log = root.parent / "audit.jsonl"
    scores = autograde(env=dict(nbgrader_env(), **{AUDIT_LOG_VARIABLE: str(log)}))
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    notebooks = {
        student: nbformat.read(str(root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)
        for student in (MARKED, ATTACK)
    }
    in_kernel = autograde("--student={}".format(ATTACK), "--GuardedExecute.trusted_tests=False")[ATTACK]
    return {
        "root": root,
        "scores": scores,
        "attack_with_tests_in_kernel": in_kernel,
        "notebooks": notebooks,
        "log": text,
        "events": [json.loads(line) for line in text.splitlines()],
    }


def test_instructor_marked_reference_scores_full(graded):
    for exercise in EXERCISES + BONUS_EXERCISES:
        score, maximum = graded["scores"][MARKED][exercise]
        assert maximum > 0 and score == maximum, (exercise, score, maximum)


def test_instructor_swallowing_attack_scores_nothing(graded):
    for exercise in EXERCISES + BONUS_EXERCISES:
        score, maximum = graded["scores"][ATTACK][exercise]
        assert maximum > 0 and score == 0, (exercise, score, maximum)


def test_instructor_swallowing_attack_is_real(graded):
    """The same submission, its test cells run in its kernel (plain nbgrader): full marks for nothing.
    So the zero above is the trusted grader's doing, not a dud attack."""
    for exercise in EXERCISES + BONUS_EXERCISES:
        score, maximum = graded["attack_with_tests_in_kernel"][exercise]
        assert maximum > 0 and score == maximum, (exercise, score, maximum)


def test_instructor_attack_cell_did_run_in_the_kernel(graded):
    """In the trusted grading run, the kernel ran the attack cell without error, then later cells through it."""
    notebook = graded["notebooks"][ATTACK]
    cell = next(c for c in notebook.cells if "_swallow_everything" in c.source)
    assert not [o for o in cell.outputs if o.output_type == "error"]
    later = notebook.cells[notebook.cells.index(cell) + 1 :]
    solution_cells = [c for c in later if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert solution_cells and not [o for c in solution_cells for o in c.outputs if o.output_type == "error"]


def test_instructor_audit_log_allows_every_event(graded):
    events = graded["events"]
    assert events, "the trusted grader wrote no audit log"
    refused = [e for e in events if e["allowed"] is not True]
    assert not refused, refused[:5]


def test_instructor_audit_log_never_compiles_the_submission(graded):
    assert not [e for e in graded["events"] if e["source"] and MARKER in e["source"]]
    assert MARKER not in graded["log"]
    # The marker was there to be seen: in every solution cell the kernel ran.
    cells = [c for c in graded["notebooks"][MARKED].cells if c.metadata.get("nbgrader", {}).get("solution")]
    code_cells = [c for c in cells if c.cell_type == "code"]
    assert len(code_cells) == len(EXERCISES + BONUS_EXERCISES) and all(MARKER in c.source for c in code_cells)


def test_instructor_audit_log_holds_the_test_cells_of_both_notebooks(graded):
    events = graded["events"]
    tests = Plan(nbformat.read(str(source_notebook_path(graded["root"])), as_version=4)).tests
    assert len(tests) == len(EXERCISES + BONUS_EXERCISES)
    compiled = [e["file"] for e in events if e["event"] == "compile" and e["file"].startswith(CELL_FILE_PREFIX)]
    for grade_id in tests:
        assert compiled.count("{}{}>".format(CELL_FILE_PREFIX, grade_id)) == 2, grade_id
    sources = {e["file"]: e["source"] for e in events if e["event"] == "compile"}
    for grade_id, source in tests.items():
        assert sources["{}{}>".format(CELL_FILE_PREFIX, grade_id)] == source
