"""``python -m course figures`` regenerates the committed figures byte for byte (issue 5)."""

import subprocess
import sys

import nbformat
from support.course import REPO, source_notebook_path

from course.authoring.figures import FIGURES, IMAGES_DIR


def run_figures(root):
    return subprocess.run(
        [sys.executable, "-m", "course", "figures", "--course", str(root)],
        cwd=str(root),
        capture_output=True,
        text=True,
    )


def test_instructor_figures_are_current(course_copy):
    for name in FIGURES:
        (course_copy / IMAGES_DIR / name).unlink()
    result = run_figures(course_copy)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for name in FIGURES:
        regenerated = (course_copy / IMAGES_DIR / name).read_bytes()
        assert regenerated == (REPO / IMAGES_DIR / name).read_bytes(), (
            "{} is stale: run python -m course figures".format(name)
        )


def test_instructor_figures_are_reproducible(course_copy):
    first = {name: (course_copy / IMAGES_DIR / name).read_bytes() for name in FIGURES}
    assert run_figures(course_copy).returncode == 0
    assert {name: (course_copy / IMAGES_DIR / name).read_bytes() for name in FIGURES} == first


def test_learner_sees_every_figure_in_both_languages():
    notebook = nbformat.read(str(source_notebook_path()), as_version=4)
    for name in FIGURES:
        link = "](images/{})".format(name)
        langs = {
            cell.metadata.get("lang") for cell in notebook.cells if cell.cell_type == "markdown" and link in cell.source
        }
        assert langs == {"en", "zh"}, (name, langs)
