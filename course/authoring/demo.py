"""``python -m course demo``: the instructor's whole pipeline on the demo class.

1. regenerate ``release/`` from ``source/`` (nbgrader generate_assignment --force);
2. rebuild the demo submissions in ``submitted/`` from the release notebook;
3. autograde them, 4. generate feedback HTML, 5. export the grades CSV;
6. print a score table per student and exercise.
"""
import shutil

import nbformat

from course.common import (ASSIGNMENT, NOTEBOOK_FILE, CourseError, REPO_ROOT, normalize_outputs,
                           require_course_root, run_nbgrader)
from course.feedback import write_feedback
from course.report import exercise_scores, format_table
from course.submissions import apply_patch, fill_solution_cells, reference_solutions

#: The demo class: student id -> (what the submission is, patches applied to the reference solution).
#: ``None`` instead of patches means the untouched release notebook.
DEMO_STUDENTS = {
    "demo_reference": ("the reference solution of every exercise", {}),
    "demo_untouched": ("the release notebook as handed out, nothing filled in", None),
    "demo_global_dtheta": (
        "one real mistake: gradient_check compares gradapprox with the notebook's global dtheta "
        "instead of grad (public test passes, hidden tests catch it)",
        {"gradient_check": [("np.linalg.norm(grad - gradapprox)", "np.linalg.norm(dtheta - gradapprox)"),
                            ("np.linalg.norm(grad) + np.linalg.norm(gradapprox)",
                             "np.linalg.norm(dtheta) + np.linalg.norm(gradapprox)")]},
    ),
}
#: nbgrader export plugin that keeps the bonus exercises out of score / max_score (see course/grades.py).
GRADES_EXPORTER = "course.grades.CoreBonusCsvExportPlugin"
#: The demo's gradebook file, beside nbgrader_config.py (the class's own gradebook.db is left alone).
DEMO_GRADEBOOK = "demo_gradebook.db"
#: Placeholder for the course folder in committed output, so it does not depend on where the repo lives.
COURSE_PLACEHOLDER = "<course>"


def release_notebook_path(root):
    return root / "release" / ASSIGNMENT / NOTEBOOK_FILE


def build_demo_submissions(root):
    """Write ``submitted/<student>/gradient_checking/Gradient_Checking.ipynb`` for every demo student."""
    release = nbformat.read(str(release_notebook_path(root)), as_version=4)
    solutions = reference_solutions(nbformat.read(str(root / "source" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4))
    for student, (_, patches) in DEMO_STUDENTS.items():
        if patches is None:
            notebook = nbformat.from_dict(release)
        else:
            codes = dict(solutions)
            for exercise, replacements in patches.items():
                for old, new in replacements:
                    codes[exercise] = apply_patch(codes[exercise], old, new, "{} / {}".format(student, exercise))
            notebook = fill_solution_cells(release, codes)
        folder = root / "submitted" / student / ASSIGNMENT
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / NOTEBOOK_FILE))


def normalize_notebook_file(path, root):
    """Drop per-run data (execution timestamps, outputs of cells tagged VARYING_OUTPUT_TAG, the chunking of
    printed text) and the absolute course path from an executed notebook."""
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    normalize_outputs(notebook)
    text = nbformat.writes(notebook).replace(str(root), COURSE_PLACEHOLDER)
    path.write_text(text + "\n", encoding="utf-8")


def demo_db_url(root):
    """The demo's own gradebook: recreated on every run, so it never touches the class's gradebook.db."""
    return "sqlite:///{}".format(root / DEMO_GRADEBOOK)


def run_demo(root, log=print):
    root = require_course_root(root)
    # A fresh gradebook each run: nbgrader refuses to change an assignment's cells once a gradebook
    # holds submissions for it, and demo students must not end up in the class's gradebook.db.
    (root / DEMO_GRADEBOOK).unlink(missing_ok=True)
    db = ("--db", demo_db_url(root))
    log("1/6 release: nbgrader generate_assignment {} --force".format(ASSIGNMENT))
    run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force", *db)
    log("2/6 submissions: " + ", ".join(DEMO_STUDENTS))
    build_demo_submissions(root)
    log("3/6 autograde: nbgrader autograde {} --force".format(ASSIGNMENT))
    for student in DEMO_STUDENTS:
        shutil.rmtree(root / "autograded" / student, ignore_errors=True)
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force", *db)
    for student in DEMO_STUDENTS:
        normalize_notebook_file(root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE, root)
    log("4/6 feedback: bilingual, per exercise, without hidden test code -> feedback/")
    for student in DEMO_STUDENTS:
        folder = root / "feedback" / student / ASSIGNMENT
        shutil.rmtree(folder, ignore_errors=True)
        write_feedback(root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE, student, folder)
    log("5/6 grades: nbgrader export -> grades.csv (core score; bonus in its own columns)")
    run_nbgrader(root, "export", "--to", str(root / "grades.csv"), "--exporter", GRADES_EXPORTER, *db)
    log("6/6 scores:")
    scores = exercise_scores(demo_db_url(root), students=list(DEMO_STUDENTS))
    missing = [s for s in DEMO_STUDENTS if s not in scores]
    if missing:
        raise CourseError("no grades in the gradebook for {}".format(", ".join(missing)))
    log(format_table(scores))
    return scores


def _run(args):
    run_demo(args.course)


def register(subparsers):
    parser = subparsers.add_parser(
        "demo", help="release, autograde the demo class, feedback, grades CSV, score table",
        description=__doc__.split("\n\n", 1)[1] if "\n\n" in __doc__ else __doc__)
    parser.add_argument("--course", default=str(REPO_ROOT), metavar="PATH",
                        help="the course folder (default: this repository)")
    parser.set_defaults(func=_run)
