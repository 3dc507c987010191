"""Sample classes for demos, tests and benchmarks: submissions made from the reference solution,
written in nbgrader's ``submitted/`` layout, and copies of the course to grade them in.

Why here and not in ``tests/``: the demo, the test suite and the benchmarks all build classes the
same way, and the benchmarks must not import the tests.
"""

import os
import shutil
import subprocess
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE, REPO_ROOT
from course.notebooks import release_notebook, solved_notebook

#: A real mistake (the seeds' 2021 solution makes it): gradient_check compares gradapprox with the
#: notebook's global ``dtheta`` instead of ``grad``. Its public test names the mistake (it swaps another
#: backward_propagation in, and the result does not change); grading agrees.
GLOBAL_DTHETA = {
    "gradient_check": [
        ("np.linalg.norm(grad - gradapprox)", "np.linalg.norm(dtheta - gradapprox)"),
        ("np.linalg.norm(grad) + np.linalg.norm(gradapprox)", "np.linalg.norm(dtheta) + np.linalg.norm(gradapprox)"),
    ]
}

#: Hard-coding: backward_propagation answers exactly the public test's inputs from a table, 0 for any other.
#: The public test passes; the hidden tests (other inputs) catch it, and the feedback page shows their sentence.
HARDCODED_PUBLIC_ANSWERS = {
    "backward_propagation": [
        ("dtheta = x", "dtheta = {(2, 4): 2, (-3, 0.5): -3, (1.5, 0): 1.5, (0, 3): 0}.get((x, theta), 0)")
    ]
}


def repo_files(source: Path = REPO_ROOT) -> list:
    """The files of the repository as git sees them (tracked, plus untracked ones not ignored)."""
    listing = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=str(source), capture_output=True, check=True
    ).stdout.decode()
    return [f for f in listing.split("\0") if f and ((source / f).exists() or os.path.islink(source / f))]


def copy_course(destination: str | Path, source: Path = REPO_ROOT) -> Path:
    """Copy the repository's files to ``destination`` (symlinks stay symlinks); return the Path."""
    destination = Path(destination)
    for name in repo_files(source):
        origin, target = source / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            os.symlink(os.readlink(origin), target)
        else:
            shutil.copy2(origin, target)
    return destination


def write_submission(folder: str | Path, student: str, notebook: nbformat.NotebookNode | str) -> Path:
    """Write ``folder/<student>/gradient_checking/Gradient_Checking.ipynb`` (a notebook, or raw text)."""
    target = Path(folder) / student / ASSIGNMENT
    target.mkdir(parents=True, exist_ok=True)
    path = target / NOTEBOOK_FILE
    if isinstance(notebook, str):
        path.write_text(notebook, encoding="utf-8")
    else:
        nbformat.write(notebook, str(path))
    return path


def fresh_submitted(root: str | Path, notebooks: dict) -> Path:
    """Replace ``root/submitted`` by exactly ``notebooks`` ({student: notebook})."""
    folder = Path(root) / "submitted"
    shutil.rmtree(folder, ignore_errors=True)
    for student, notebook in notebooks.items():
        write_submission(folder, student, notebook)
    return folder


def mixed_class(root: Path = REPO_ROOT) -> dict:
    """A small mixed class: student id -> notebook (correct, blank, real mistakes, a crash)."""
    return {
        "s01_correct": solved_notebook(root),
        "s02_blank": release_notebook(root),
        "s03_global_dtheta": solved_notebook(root, GLOBAL_DTHETA),
        "s04_wrong_forward": solved_notebook(root, {"forward_propagation": [("J = theta * x", "J = theta + x")]}),
        "s05_crash": solved_notebook(
            root, {"backward_propagation": [("dtheta = x", "dtheta = x / 0 + undefined_name")]}
        ),
    }
