"""Shared fixtures: every test works on its own copy of the course, never on the repository itself."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from course.common import ASSIGNMENT, NOTEBOOK_FILE  # noqa: E402


def repo_files():
    """The files of the repository as git sees them (tracked, plus untracked ones not ignored)."""
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=str(REPO),
                             capture_output=True, check=True).stdout.decode()
    return [f for f in listing.split("\0") if f and (REPO / f).exists() or (f and os.path.islink(REPO / f))]


def copy_course(destination):
    """Copy the repository's files to ``destination`` (symlinks stay symlinks); return the Path."""
    destination = Path(destination)
    for name in repo_files():
        source, target = REPO / name, destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    return destination


@pytest.fixture
def course_copy(tmp_path):
    """A fresh copy of the course for one test."""
    return copy_course(tmp_path / "course")


@pytest.fixture(scope="session")
def demo_course(tmp_path_factory):
    """A copy of the course on which ``python -m course demo`` has run once (shared by the tests)."""
    root = copy_course(tmp_path_factory.mktemp("demo") / "course")
    result = subprocess.run([sys.executable, "-m", "course", "demo", "--course", str(root)], cwd=str(root),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


def execute_notebook(path, timeout=120):
    """Run a notebook top to bottom in a real kernel (errors recorded, not raised); return it."""
    notebook = nbformat.read(str(path), as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return notebook


def cell_errors(notebook):
    """``[(cell id, error name, error value)]`` for every cell whose output is an error."""
    return [(cell.get("id"), out.ename, out.evalue) for cell in notebook.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"]


def stderr_outputs(notebook):
    """``[(cell id, text)]`` for every stderr stream output."""
    return [(cell.get("id"), out.text) for cell in notebook.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "stream" and out.name == "stderr"]


def reference_difference_n(parameters, gradients, X, Y, epsilon=1e-7):
    """Formula (3) for the course network, computed the textbook way with the given forward pass of
    ``public_tests`` (one entry of theta perturbed at a time, two-sided difference)."""
    import numpy as np
    import public_tests
    from gc_utils import dictionary_to_vector, gradients_to_vector, vector_to_dictionary

    theta, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        approx[i] = (public_tests.forward_propagation_n(X, Y, vector_to_dictionary(plus))[0]
                     - public_tests.forward_propagation_n(X, Y, vector_to_dictionary(minus))[0]) / (2 * epsilon)
    return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))


def source_notebook_path(root=REPO):
    return Path(root) / "source" / ASSIGNMENT / NOTEBOOK_FILE


def release_notebook_path(root=REPO):
    return Path(root) / "release" / ASSIGNMENT / NOTEBOOK_FILE
