"""Building classes of submissions for the grading tests, and running the graders on course copies."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from course.common import ASSIGNMENT, NOTEBOOK_FILE, nbgrader_env
from course.report import exercise_scores
from course.submissions import apply_patch, fill_solution_cells, reference_solutions


def release_notebook(root):
    return nbformat.read(str(Path(root) / "release" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)


def solved_notebook(root, patches=None, extra_cells=()):
    """The release notebook with the reference solutions (``patches``: {exercise: [(old, new)]}) and extra cells."""
    source = nbformat.read(str(Path(root) / "source" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)
    codes = reference_solutions(source)
    for exercise, replacements in (patches or {}).items():
        for old, new in replacements:
            codes[exercise] = apply_patch(codes[exercise], old, new, exercise)
    notebook = fill_solution_cells(release_notebook(root), codes)
    notebook.cells.extend(nbformat.v4.new_code_cell(code) for code in extra_cells)
    return notebook


def write_submission(folder, student, notebook):
    """Write ``folder/<student>/gradient_checking/Gradient_Checking.ipynb`` (notebook or raw text)."""
    target = Path(folder) / student / ASSIGNMENT
    target.mkdir(parents=True, exist_ok=True)
    path = target / NOTEBOOK_FILE
    if isinstance(notebook, str):
        path.write_text(notebook, encoding="utf-8")
    else:
        nbformat.write(notebook, str(path))
    return path


def class_notebooks(root):
    """A small mixed class: student id -> notebook (correct, blank, real mistakes, a crash)."""
    return {
        "s01_correct": solved_notebook(root),
        "s02_blank": release_notebook(root),
        "s03_global_dtheta": solved_notebook(root, {"gradient_check": [
            ("np.linalg.norm(grad - gradapprox)", "np.linalg.norm(dtheta - gradapprox)"),
            ("np.linalg.norm(grad) + np.linalg.norm(gradapprox)", "np.linalg.norm(dtheta) + np.linalg.norm(gradapprox)")]}),
        "s04_wrong_forward": solved_notebook(root, {"forward_propagation": [("J = theta * x", "J = theta + x")]}),
        "s05_crash": solved_notebook(root, {"backward_propagation": [("dtheta = x", "dtheta = x / 0 + undefined_name")]}),
    }


def fresh_submitted(root, notebooks):
    """Replace ``root/submitted`` by exactly ``notebooks`` ({student: notebook})."""
    folder = Path(root) / "submitted"
    shutil.rmtree(folder, ignore_errors=True)
    for student, notebook in notebooks.items():
        write_submission(folder, student, notebook)
    return folder


def run_course(root, *args, timeout=900):
    """``python -m course ARGS`` in ``root``; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "course", *args, "--course", str(root)], cwd=str(root),
                          capture_output=True, text=True, timeout=timeout, env=nbgrader_env())


def run_nbgrader(root, *args):
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=str(root), capture_output=True,
                            text=True, env=nbgrader_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def sequential_scores(root):
    """Grade ``root/submitted`` with plain sequential ``nbgrader autograde``; return the exercise scores."""
    run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force")
    return exercise_scores("sqlite:///{}".format(Path(root) / "gradebook.db"))


def sandbox_processes(base=200000):
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
