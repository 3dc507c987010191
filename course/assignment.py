"""Facts and helpers shared by the course's commands: where things are, how to call nbgrader."""
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "gradient_checking"
NOTEBOOK = "Gradient_Checking"
NOTEBOOK_FILE = NOTEBOOK + ".ipynb"
#: The helper modules; the top-level files are their one source of truth.
HELPER_MODULES = ("gc_utils.py", "testCases.py", "public_tests.py")
#: grade_id of each graded exercise's solution cell, in notebook order.
EXERCISES = ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n")
#: grade_id of each optional bonus exercise. nbgrader has no notion of "bonus": its points are in the
#: gradebook like any others, so the course reports them apart -- the core total counts EXERCISES only.
BONUS_EXERCISES = ("backward_propagation_n_fixed",)
#: Tag of code cells whose output changes from run to run (timings); the demo and the site clear their outputs.
VARYING_OUTPUT_TAG = "timing"


def merge_streams(outputs):
    """Join consecutive stream outputs of the same name (stdout/stderr): how the kernel splits a cell's
    printing into chunks depends on timing, not on what was printed."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def normalize_outputs(notebook):
    """Make an executed notebook's outputs reproducible (in place): clear the outputs of cells tagged
    VARYING_OUTPUT_TAG (timings) and join the chunks in which the kernel happened to send printed text."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if VARYING_OUTPUT_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
        cell.outputs = merge_streams(cell.outputs)


class CourseError(Exception):
    """A problem the user can fix; the command prints its message (no traceback) and exits with 2."""


def bilingual(en, zh):
    """One message in English, then Chinese (same helper as gc_utils.bilingual)."""
    return "{}\n{}".format(en, zh)


def nbgrader_env():
    """Environment for running nbgrader: this interpreter's bin/ first on PATH (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(course_root, *args, quiet=True):
    """Run ``python -m nbgrader ARGS`` in ``course_root``; raise CourseError with its log if it fails."""
    command = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(command, cwd=str(course_root), env=nbgrader_env(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise CourseError("nbgrader {} failed (exit {}):\n{}{}".format(
            " ".join(args), result.returncode, result.stdout[-4000:], result.stderr[-4000:]))
    if not quiet:
        sys.stderr.write(result.stderr)
    return result


def require_course_root(course_root):
    """Check that ``course_root`` holds the course; return it as a Path."""
    root = Path(course_root).resolve()
    if not (root / "nbgrader_config.py").is_file() or not (root / "source" / ASSIGNMENT / NOTEBOOK_FILE).is_file():
        raise CourseError(bilingual(
            "{} is not the course folder: it needs nbgrader_config.py and source/{}/{}. "
            "Pass --course PATH or run from the repository.".format(root, ASSIGNMENT, NOTEBOOK_FILE),
            "{} 不是课程目录：它需要 nbgrader_config.py 和 source/{}/{}。"
            "请用 --course PATH 指定，或在仓库目录中运行。".format(root, ASSIGNMENT, NOTEBOOK_FILE)))
    return root
