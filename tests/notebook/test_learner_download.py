"""The site's download (``site/download/gradient_checking.zip``) is enough to run the course: unzipped into an
empty folder, with the packages its requirements file names (nothing new: this test's own environment), the
notebook runs to the end with the reference solutions filled in, and every figure it links to is in the zip."""

import os
import re
import subprocess
import sys
import zipfile

import bs4
import nbformat
import pytest
from support.course import REPO, cell_errors, copy_course, source_notebook_path

from course.assignment import ASSIGNMENT, HELPER_FILES, NOTEBOOK_FILE
from course.messages import CourseError
from course.notebooks import execute, fill_solution_cells, in_edition, reference_solutions
from course.site.build import DOWNLOAD_ZIP, REQUIREMENTS_FILE, student_setup_commands, write_download

#: A markdown image ``![alt](path "title")``: its path.
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
#: Seconds a cell of the notebook may run.
CELL_TIMEOUT = 120
#: A cell added at the end of the notebook: the folders the helper modules were imported from.
WHERE_HELPERS_CAME_FROM = """import importlib, pathlib
for name in {!r}:
    print(pathlib.Path(importlib.import_module(name[: -len(".py")]).__file__).resolve().parent)""".format(HELPER_FILES)


@pytest.fixture(scope="module")
def download(tmp_path_factory):
    """``(folder, members)``: the download, as the site build writes it, unzipped into an empty folder."""
    site = tmp_path_factory.mktemp("site")
    name, members = write_download(REPO, site)
    assert name == DOWNLOAD_ZIP
    unzipped = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(site / "download" / name) as archive:
        assert archive.namelist() == members
        archive.extractall(unzipped)
    return unzipped / ASSIGNMENT, [member.split("/", 1)[1] for member in members]


def requirement_pins(text):
    """The requirement lines of a requirements file (no comments, no options)."""
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-"))]


def image_links(notebook):
    """``[(cell id, src)]``: every image a markdown cell shows, markdown ``![…](…)`` and HTML ``<img src>``."""
    links = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            links += [(cell.get("id"), src) for src in MARKDOWN_IMAGE.findall(cell.source)]
            soup = bs4.BeautifulSoup(cell.source, "html.parser")
            links += [(cell.get("id"), img.get("src", "")) for img in soup.find_all("img")]
    return links


def test_learner_download_holds_the_notebook_helpers_figures_and_requirements(download):
    folder, names = download
    assert names[: 1 + len(HELPER_FILES)] == [NOTEBOOK_FILE, *HELPER_FILES]
    assert [name for name in names if name.startswith("images/")], "the download ships no figures"
    assert REQUIREMENTS_FILE in names
    assert "__pycache__" not in str(names) and ".ipynb_checkpoints" not in str(names)


def test_learner_download_image_links_resolve(download):
    folder, names = download
    notebook = nbformat.read(str(folder / NOTEBOOK_FILE), as_version=4)
    links = image_links(notebook)
    assert len(links) >= 3, links
    broken = []
    for cell_id, src in links:
        if src.startswith("attachment:"):
            attached = notebook.cells[[c.get("id") for c in notebook.cells].index(cell_id)].get("attachments", {})
            if src[len("attachment:") :] not in attached:
                broken.append((cell_id, src))
        elif src not in names or not (folder / src).is_file():
            broken.append((cell_id, src))
    assert broken == [], "image links that do not resolve to a file of the download"


def test_learner_download_requirements_are_the_courses_and_already_installed(download):
    """The requirements file pins what the course's requirements.txt pins (matplotlib included) and ships the
    constraints file it names; pip, offline, finds all of it already installed in this environment."""
    folder, names = download
    shipped = (folder / REQUIREMENTS_FILE).read_text(encoding="utf-8")
    course = (REPO / REQUIREMENTS_FILE).read_text(encoding="utf-8")
    assert requirement_pins(shipped) == requirement_pins(course)
    assert any(pin.startswith("matplotlib==") for pin in requirement_pins(shipped))
    assert "-c constraints.txt" in shipped.splitlines()
    commands = student_setup_commands(REPO)
    assert commands and ["#   " + command for command in commands] == [
        line for line in shipped.splitlines() if line.startswith("#   jupyter ")
    ], "the shipped header should give the student's JupyterLab set-up of the course's requirements.txt"
    assert (folder / "constraints.txt").read_bytes() == (REPO / "constraints.txt").read_bytes()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    environment.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "-r", REQUIREMENTS_FILE],
        cwd=str(folder),
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Would install" not in result.stdout, result.stdout


def test_learner_download_runs_with_the_reference_solutions(download):
    """The zip's own notebook, its solution cells filled with the master's reference solutions, runs without
    an error in the unzipped folder (its helpers, its figures): plots included."""
    folder, _ = download
    release = nbformat.read(str(folder / NOTEBOOK_FILE), as_version=4)
    solutions = reference_solutions(nbformat.read(str(source_notebook_path()), as_version=4))
    notebook = fill_solution_cells(release, solutions)
    notebook.cells.append(nbformat.v4.new_code_cell(WHERE_HELPERS_CAME_FROM, id="where-helpers-came-from"))
    execute(notebook, folder, CELL_TIMEOUT)
    assert cell_errors(notebook) == []
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the notebook drew no figure"
    assert notebook.cells[-1].outputs[0].text.split() == [str(folder.resolve())] * len(HELPER_FILES)


def test_learner_download_is_never_a_one_language_release(tmp_path):
    """After ``course release --lang zh`` the release folder holds the Chinese edition; the site, whose
    pages offer both languages, refuses to ship it as its download and says how to get the bilingual one."""
    course = copy_course(tmp_path / "course")
    path = course / "release" / ASSIGNMENT / NOTEBOOK_FILE
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells = [cell for cell in notebook.cells if in_edition(cell, "zh")]
    nbformat.write(notebook, str(path))
    with pytest.raises(CourseError) as refused:
        write_download(course, tmp_path / "site")
    assert "python -m course release" in refused.value.message.en and "zh" in refused.value.message.en
    assert "python -m course release" in refused.value.message.zh
    assert not (tmp_path / "site" / "download").exists()
