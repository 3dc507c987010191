"""The facts of the assignment, each defined once: where things are, the exercises, the grading limits.

Everything else imports these names; nothing restates them.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from course.messages import NOT_A_COURSE, CourseError

#: The repository (the default course folder): this package lives in ``<repo>/course/``.
REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "gradient_checking"
NOTEBOOK = "Gradient_Checking"
NOTEBOOK_FILE = NOTEBOOK + ".ipynb"
#: The helper modules the notebook imports (names of modules); the top-level files are their one source of truth.
HELPER_MODULES = ("gc_utils", "testCases", "public_tests")
#: Their file names, in the same order.
HELPER_FILES = tuple(name + ".py" for name in HELPER_MODULES)
#: grade_id of each graded exercise's solution cell, in notebook order.
EXERCISES = ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n")
#: grade_id of each optional bonus exercise. nbgrader has no notion of "bonus": its points are in the
#: gradebook like any others, so the course reports them apart -- the core total counts EXERCISES only.
BONUS_EXERCISES = ("backward_propagation_n_fixed",)
#: An exercise's test cell has the grade_id ``<exercise><TEST_CELL_SUFFIX>``.
TEST_CELL_SUFFIX = "_tests"
#: Tag of code cells whose output changes from run to run (timings); the demo and the site clear their outputs.
VARYING_OUTPUT_TAG = "timing"
#: Address-space limit of a grading kernel, MiB (nbgrader_config.py and ``course grade`` both use it).
MEMORY_LIMIT_MB = 2048
#: Wall-clock limit of grading one submission with ``course grade``, seconds.
WALL_SECONDS = 300
#: Writable space of one submission's kernel with ``course grade`` (working folder + /tmp, tmpfs), MiB.
DISK_LIMIT_MB = 256
#: Most processes and threads of one submission's kernel with ``course grade`` (ipykernel itself uses ~10).
PROCESS_LIMIT = 64


def test_cell_name(exercise: str) -> str:
    """The grade_id of the test cell of ``exercise``: ``gradient_check`` -> ``gradient_check_tests``."""
    return exercise + TEST_CELL_SUFFIX


def test_cell_exercise(cell_name: str) -> str:
    """The exercise a graded test cell belongs to: ``gradient_check_tests`` -> ``gradient_check``."""
    return cell_name[: -len(TEST_CELL_SUFFIX)] if cell_name.endswith(TEST_CELL_SUFFIX) else cell_name


def source_folder(root: Path) -> Path:
    """``<course>/source/<assignment>/``: the master notebook and its helper files."""
    return Path(root) / "source" / ASSIGNMENT


def release_folder(root: Path) -> Path:
    """``<course>/release/<assignment>/``: what students get."""
    return Path(root) / "release" / ASSIGNMENT


def helper_module(name: str, root: Path = REPO_ROOT) -> ModuleType:
    """Load helper module ``name`` (one of HELPER_MODULES) of the course at ``root`` from its file.

    The helper modules are the student's files, not part of this package: they are loaded by path,
    without putting the course folder on ``sys.path``.
    """
    path = Path(root) / (name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_course_root(course_root: str | Path) -> Path:
    """Check that ``course_root`` holds the course; return it as a resolved Path."""
    root = Path(course_root).resolve()
    if not (root / "nbgrader_config.py").is_file() or not (source_folder(root) / NOTEBOOK_FILE).is_file():
        raise CourseError(NOT_A_COURSE.format(root=root, path="source/{}/{}".format(ASSIGNMENT, NOTEBOOK_FILE)))
    return root
