"""Paths of the course under test, running its notebooks, and the textbook N-D gradient check."""

from pathlib import Path

import nbformat

from course.assignment import NOTEBOOK_FILE, REPO_ROOT, release_folder, source_folder
from course.authoring.samples import copy_course, repo_files  # noqa: F401  (re-exported for the tests)
from course.notebooks import error_outputs, execute

REPO = REPO_ROOT


def execute_notebook(path, timeout=120):
    """Run a notebook file top to bottom in a real kernel (errors recorded, not raised); return it."""
    return execute(nbformat.read(str(path), as_version=4), Path(path).parent, timeout)


def cell_errors(notebook):
    """``[(cell id, error name, error value)]`` for every cell whose output is an error."""
    return error_outputs(notebook)


def stderr_outputs(notebook):
    """``[(cell id, text)]`` for every stderr stream output."""
    return [
        (cell.get("id"), out.text)
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.output_type == "stream" and out.name == "stderr"
    ]


def reference_difference_n(parameters, gradients, X, Y, epsilon=1e-7):
    """Formula (3) for the course network, computed the textbook way with the given forward pass of
    ``public_tests`` (one entry of theta perturbed at a time, two-sided difference)."""
    import numpy as np

    import gc_utils
    import public_tests

    theta, _ = gc_utils.dictionary_to_vector(parameters)
    grad = gc_utils.gradients_to_vector(gradients)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        j_plus = public_tests.forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(plus))[0]
        j_minus = public_tests.forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(minus))[0]
        approx[i] = (j_plus - j_minus) / (2 * epsilon)
    return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))


def narrative_texts(notebook, name):
    """(English, Chinese) source of the markdown pair ``name-en`` / ``name-zh`` (cells found by id)."""
    cells = {cell.get("id"): cell.source for cell in notebook.cells}
    return cells[name + "-en"], cells[name + "-zh"]


def source_notebook_path(root=REPO):
    return source_folder(root) / NOTEBOOK_FILE


def release_notebook_path(root=REPO):
    return release_folder(root) / NOTEBOOK_FILE
