"""``python -m course demo``: the instructor's whole pipeline on the demo class.

1. regenerate ``release/`` from ``source/``, both languages (``course release``: nbgrader generate_assignment --force);
2. rebuild the demo submissions in ``submitted/`` from the release notebook;
3. autograde them, 4. generate feedback HTML, 5. export the grades CSV;
6. print a score table per student and exercise.
"""

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE, require_course_root
from course.authoring.release import generate_release
from course.authoring.samples import GLOBAL_DTHETA, HARDCODED_PUBLIC_ANSWERS, write_submission
from course.cli import add_command
from course.messages import (
    CMD_DEMO,
    DEMO_STEP_AUTOGRADE,
    DEMO_STEP_FEEDBACK,
    DEMO_STEP_GRADES,
    DEMO_STEP_RELEASE,
    DEMO_STEP_SCORES,
    DEMO_STEP_SUBMISSIONS,
    NO_GRADES_FOR,
    CourseError,
)
from course.nbgrader_cli import run_nbgrader
from course.nbgrader_ext.export import EXPORTER
from course.notebooks import BOTH_LANGUAGES, normalize_outputs, release_notebook, solved_notebook
from course.results.feedback import write_feedback
from course.results.scores import exercise_scores, format_table

#: The demo class: student id -> (what the submission is, patches applied to the reference solution).
#: ``None`` instead of patches means the untouched release notebook.
DEMO_STUDENTS = {
    "demo_reference": ("the reference solution of every exercise", {}),
    "demo_untouched": ("the release notebook as handed out, nothing filled in", None),
    "demo_global_dtheta": (
        "one real mistake: gradient_check compares gradapprox with the notebook's global dtheta "
        "instead of grad (the public test names it, grading agrees)",
        GLOBAL_DTHETA,
    ),
    "demo_hardcoded": (
        "hard-coding: backward_propagation answers the public test's inputs from a table (public test "
        "passes, the hidden tests catch it and the feedback page says what they found)",
        HARDCODED_PUBLIC_ANSWERS,
    ),
}
#: The demo's gradebook file, beside nbgrader_config.py (the class's own gradebook.db is left alone).
DEMO_GRADEBOOK = "demo_gradebook.db"
#: Placeholder for the course folder in committed output, so it does not depend on where the repo lives.
COURSE_PLACEHOLDER = "<course>"


def build_demo_submissions(root: Path) -> None:
    """Write ``submitted/<student>/gradient_checking/Gradient_Checking.ipynb`` for every demo student."""
    for student, (_, patches) in DEMO_STUDENTS.items():
        shutil.rmtree(root / "submitted" / student / ASSIGNMENT, ignore_errors=True)
        notebook = release_notebook(root) if patches is None else solved_notebook(root, patches, student + " / ")
        write_submission(root / "submitted", student, notebook)


def normalize_notebook_file(path: Path, root: Path) -> None:
    """Drop per-run data (execution timestamps, outputs of cells tagged VARYING_OUTPUT_TAG, the chunking of
    printed text) and the absolute course path from an executed notebook."""
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    normalize_outputs(notebook)
    text = nbformat.writes(notebook).replace(str(root), COURSE_PLACEHOLDER)
    path.write_text(text + "\n", encoding="utf-8")


def demo_db_url(root: Path) -> str:
    """The demo's own gradebook: recreated on every run, so it never touches the class's gradebook.db."""
    return "sqlite:///{}".format(root / DEMO_GRADEBOOK)


def run_demo(root: str | Path, log: Callable[..., None] = print) -> dict:
    root = require_course_root(root)
    # A fresh gradebook each run: nbgrader refuses to change an assignment's cells once a gradebook
    # holds submissions for it, and demo students must not end up in the class's gradebook.db.
    (root / DEMO_GRADEBOOK).unlink(missing_ok=True)
    db = ("--db", demo_db_url(root))
    log(DEMO_STEP_RELEASE.format(assignment=ASSIGNMENT).inline())
    generate_release(root, BOTH_LANGUAGES, demo_db_url(root))
    log(DEMO_STEP_SUBMISSIONS.format(students=", ".join(DEMO_STUDENTS)).inline())
    build_demo_submissions(root)
    log(DEMO_STEP_AUTOGRADE.format(assignment=ASSIGNMENT).inline())
    for student in DEMO_STUDENTS:
        shutil.rmtree(root / "autograded" / student, ignore_errors=True)
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force", *db)
    for student in DEMO_STUDENTS:
        normalize_notebook_file(root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE, root)
    log(DEMO_STEP_FEEDBACK.inline())
    for student in DEMO_STUDENTS:
        folder = root / "feedback" / student / ASSIGNMENT
        shutil.rmtree(folder, ignore_errors=True)
        write_feedback(root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE, student, folder, root)
    log(DEMO_STEP_GRADES.inline())
    run_nbgrader(root, "export", "--to", str(root / "grades.csv"), "--exporter", EXPORTER, *db)
    log(DEMO_STEP_SCORES.inline())
    scores = exercise_scores(demo_db_url(root), students=list(DEMO_STUDENTS))
    missing = [s for s in DEMO_STUDENTS if s not in scores]
    if missing:
        raise CourseError(NO_GRADES_FOR.format(students=", ".join(missing)))
    log(format_table(scores))
    return scores


def _run(args):
    run_demo(args.course)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    add_command(
        subparsers,
        common,
        "demo",
        CMD_DEMO,
        __doc__,
        _run,
    )
