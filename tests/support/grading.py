"""Classes of submissions for the grading tests, and the graders run on course copies."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT
from course.authoring.samples import fresh_submitted, write_submission  # noqa: F401  (re-exported)
from course.authoring.samples import mixed_class as class_notebooks  # noqa: F401  (re-exported)
from course.batch.sandbox import SANDBOX_UID_BASE
from course.nbgrader_cli import nbgrader_env, run_nbgrader
from course.notebooks import release_notebook  # noqa: F401  (re-exported)
from course.notebooks import solved_notebook as _solved_notebook
from course.results.scores import exercise_scores


def solved_notebook(root, patches=None, extra_cells=()):
    """The release notebook with the reference solutions (``patches``: {exercise: [(old, new)]}) and extra cells."""
    notebook = _solved_notebook(Path(root), patches)
    notebook.cells.extend(nbformat.v4.new_code_cell(code) for code in extra_cells)
    return notebook


def run_course(root, *args, timeout=900):
    """``python -m course ARGS`` in ``root``; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "course", *args, "--course", str(root)],
        cwd=str(root),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=nbgrader_env(),
    )


def sequential_scores(root):
    """Grade ``root/submitted`` with plain sequential ``nbgrader autograde``; return the exercise scores."""
    run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force")
    return exercise_scores("sqlite:///{}".format(Path(root) / "gradebook.db"))


def sandbox_processes(base=SANDBOX_UID_BASE):
    """Processes still running as a sandbox user (uid above ``base``)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/{}/status".format(pid)) as status:
                uid = int(next(line for line in status if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration):
            continue
        if uid >= base:
            found.append(pid)
    return found
