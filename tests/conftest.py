"""Shared fixtures: every test works on its own copy of the course, never on the repository itself.

The suite's folders: ``unit/`` (fast, pure), ``notebook/`` (runs the notebook and its helpers),
``grading/`` (nbgrader, the demo, ``course grade``; slow), ``browser/`` (JupyterLab and the site in
Chromium). Helpers shared by them are in ``support/``.
"""

import subprocess
import sys

import pytest
from support.course import copy_course, execute_notebook, release_notebook_path, source_notebook_path

from course.nbgrader_cli import nbgrader_env


@pytest.fixture
def course_copy(tmp_path):
    """A fresh copy of the course for one test."""
    return copy_course(tmp_path / "course")


@pytest.fixture(scope="session")
def demo_course(tmp_path_factory):
    """A copy of the course on which ``python -m course demo`` has run once (shared by the tests)."""
    root = copy_course(tmp_path_factory.mktemp("demo") / "course")
    result = subprocess.run(
        [sys.executable, "-m", "course", "demo", "--course", str(root)],
        cwd=str(root),
        capture_output=True,
        text=True,
        env=nbgrader_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


@pytest.fixture(scope="session")
def executed_master():
    """The master notebook run top to bottom in a real kernel, once per test session (read it, never change it)."""
    return execute_notebook(source_notebook_path())


@pytest.fixture(scope="session")
def executed_release():
    """The student notebook (release/) run top to bottom in a real kernel, once per test session."""
    return execute_notebook(release_notebook_path())


#: The longest files first: pytest-xdist runs each file on one worker (``--dist loadfile``), in collection
#: order, and a long file started last would be the whole suite's tail.
LONGEST_FIRST = (
    "test_instructor_autograde_catalogue.py",
    "test_instructor_grade.py",
    "test_instructor_cluster.py",
    "test_instructor_isolation.py",
    "test_instructor_demo.py",
    "test_learner_site.py",
)


def pytest_collection_modifyitems(config, items):
    def rank(item):
        return LONGEST_FIRST.index(item.path.name) if item.path.name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
