"""The student's path in JupyterLab, end to end in headless Chromium; and the instructor's JupyterLab.

What the README's student section says, done by a browser: in a fresh venv (``fresh_venv``: this venv's
packages with the Jupyter configuration their installation writes, nbgrader's instructor tools included)
run the set-up commands of the README's student block, start ``jupyter lab Gradient_Checking.ipynb`` in a
copy of ``release/gradient_checking/``, see only the student's tools (Validate, the assignment list; no
Create Assignment panel, no Formgrader, no news question), run all cells, read the errors of the
unfinished exercises, make a typo in ``forward_propagation`` and read where the public test points, type
the correct line, see the public test pass, run all again, and press nbgrader's *Validate*.
The instructor: a venv in which the student's set-up was run, then ``./dev setup``, shows nbgrader's
instructor tools again, and JupyterLab's own news question (which also shows that the student's test
would see it). Screenshots go to ``test-artifacts/student_jupyterlab/`` and ``.../instructor_jupyterlab/``
(or under ``$TEST_ARTIFACTS``).
"""

import contextlib
import hashlib
import io
import linecache
import os
import re
import shlex
import shutil
import subprocess

import nbformat
import pytest
from playwright.sync_api import sync_playwright
from support.course import REPO, release_notebook_path, source_notebook_path
from support.jupyterlab_browser import (
    UI_TIMEOUT_MS,
    VIEWPORT,
    ConsoleLog,
    ForeignRequests,
    JupyterLabPage,
    fresh_venv,
    launch_chromium,
    run_command,
    start_jupyterlab,
    venv_environment,
)

import public_tests
from course.assignment import ASSIGNMENT, EXERCISES, NOTEBOOK_FILE
from course.notebooks import apply_patch, fill_solution_cells, reference_solutions
from course.site.build import student_setup_commands as requirements_setup_commands

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EXERCISE = EXERCISES[0]  # forward_propagation, the one the student types
#: The typo the student makes first: a capital X, a name that does not exist.
TYPO = ("J = theta * x", "J = theta * X")
#: What each of nbgrader's lab plugins logs when it has loaded (nbgrader 0.9.6): the student's two ...
STUDENT_PLUGINS_LOADED = (
    "JupyterLab extension assignment-list is activated!",
    "JupyterLab extension validate-assignment is activated!",
)
#: ... and the instructor's three.
INSTRUCTOR_PLUGINS_LOADED = (
    "JupyterLab extension course-list is activated!",
    "JupyterLab extension formgrader is activated!",
    'Extension "create_assignment" activated.',
)
#: What the student's Nbgrader menu shows; the instructor's shows these too.
STUDENT_MENU = ["Assignment List"]
INSTRUCTOR_MENU = {"Assignment List", "Course List", "Formgrader", "Create assignment"}
#: The caption of nbgrader's panel in the right side bar, for the instructor only.
CREATE_ASSIGNMENT = "Create Assignment"
#: Where step 7 saves a finished copy of the notebook, next to the student's.
FINISHED_FILE = "Finished.ipynb"
STUB = re.compile(r'^\s*raise NotImplementedError\("(?P<message>.*)"\)\s*$', re.MULTILINE)


def artifacts_dir(name="student_jupyterlab"):
    """Folder for a test's screenshots and logs (created, emptied of old PNGs)."""
    folder = os.path.join(os.environ.get("TEST_ARTIFACTS", str(REPO / "test-artifacts")), name)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".png"):
            os.remove(os.path.join(folder, name))
    return folder


def cell_index(notebook, grade_or_cell_id):
    """Position of the cell whose nbgrader grade_id (or else cell id) is ``grade_or_cell_id``."""
    for index, cell in enumerate(notebook.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id")) == grade_or_cell_id:
            return index
    raise AssertionError("no cell {} in the release notebook".format(grade_or_cell_id))


def stub_message(source):
    """The bilingual message of the ``raise NotImplementedError("...")`` line in ``source``."""
    match = STUB.search(source)
    assert match, "no NotImplementedError stub in:\n" + source
    return match.group("message")


def student_answer(release_source, reference_source):
    """The release cell with its stub line replaced by the solution lines of the reference cell."""
    release_lines = release_source.split("\n")
    solution = [line for line in reference_source.split("\n") if line not in release_lines]
    assert solution, "the reference solution adds no line to the release cell"
    return STUB.sub("\n".join(solution), release_source)


def public_test_report(cell_source):
    """What ``forward_propagation_test`` says about the function defined by ``cell_source``: (printed, raised)."""
    namespace, filename = {}, "<student cell>"
    linecache.cache[filename] = (len(cell_source), None, cell_source.splitlines(True), filename)  # as IPython does
    exec(compile(cell_source, filename, "exec"), namespace)  # the student's cell, run here to know what to expect
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            public_tests.forward_propagation_test(namespace[EXERCISE])
        except AssertionError as error:
            return printed.getvalue(), str(error)
    return printed.getvalue(), ""


def assert_shows_lines(text, message, where):
    """Every line of ``message`` must appear in ``text`` (what the student reads in ``where``)."""
    for line in message.strip().split("\n"):
        assert line.strip() in text, "{} should show {!r}; it shows:\n{}".format(where, line, text)


def readme_student_block():
    """The commands of the README's student block, in order, each as an argv (``a && b`` is two)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The student's path") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    return [
        argv for line in block.splitlines() for part in line.split("&&") if (argv := shlex.split(part, comments=True))
    ]


def student_setup_commands():
    """The student's set-up commands: those of the README's block between ``pip install`` and ``cd``.

    The block must be the one the test follows: a venv, ``pip install -r requirements.txt``, the set-up,
    ``cd release/gradient_checking``, ``jupyter lab Gradient_Checking.ipynb``. requirements.txt (what a
    handed-out folder carries) must name the same set-up commands in its header.
    """
    block = readme_student_block()
    pip = block.index(["pip", "install", "-r", "requirements.txt"])
    cd = block.index(["cd", "release/" + ASSIGNMENT])
    assert block[0][:3] == ["python3", "-m", "venv"], block
    assert block[cd + 1 :] == [["jupyter", "lab", NOTEBOOK_FILE]], block
    setup = block[pip + 1 : cd]
    assert setup and all(argv[0] == "jupyter" for argv in setup), setup
    in_requirements = [shlex.split(command) for command in requirements_setup_commands(REPO)]
    assert in_requirements == setup, "requirements.txt's header should show the README's set-up commands"
    return setup


def student_venv(base):
    """A fresh venv under ``base`` after ``pip install -r requirements.txt`` and the README's student set-up.

    Return the environment of a shell with it active.
    """
    env = venv_environment(fresh_venv(base / "venv"), base / "jupyter")
    for argv in student_setup_commands():
        output = run_command(argv, env, base)
        assert "Validation failed" not in output, "{}:\n{}".format(" ".join(argv), output)
    return env


def copy_release(base):
    """A copy of release/gradient_checking/, as handed out to a student."""
    return shutil.copytree(str(REPO / "release" / ASSIGNMENT), str(base / ASSIGNMENT))


@contextlib.contextmanager
def running_lab(folder, env, artifacts):
    """(JupyterLabPage, ConsoleLog, JupyterLabServer): ``jupyter lab`` in ``folder`` with ``env``, headless Chromium.

    The browser may load nothing but the local server: the test fails on any other request.
    """
    server = start_jupyterlab(folder, NOTEBOOK_FILE, env, os.path.join(artifacts, "jupyterlab-server.log"))
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport=VIEWPORT)
            console, foreign = ConsoleLog(page), ForeignRequests(page, server.url)
            try:
                yield JupyterLabPage(page, artifacts), console, server
                assert foreign.urls == [], "JupyterLab tried to reach other hosts: {}".format(foreign.urls)
            finally:
                with open(os.path.join(artifacts, "browser-console.log"), "w") as log:
                    log.write(console.dump())
                browser.close()
    finally:
        server.stop()


@pytest.fixture
def student_folder(tmp_path):
    """A copy of release/gradient_checking/, as handed out to a student."""
    return copy_release(tmp_path)


@pytest.fixture
def lab(student_folder, tmp_path):
    """JupyterLab of the student's set-up serving the student's folder, in headless Chromium."""
    with running_lab(student_folder, student_venv(tmp_path), artifacts_dir()) as opened:
        yield opened


class Notebook:
    """Facts about the release notebook the steps need: its cells, the exercise's cells, the texts to type."""

    def __init__(self):
        self.release = nbformat.read(str(release_notebook_path()), as_version=4)
        source = nbformat.read(str(source_notebook_path()), as_version=4)
        self.solutions = reference_solutions(source)
        self.solution, self.run, self.tests = (
            cell_index(self.release, name) for name in (EXERCISE, "ex1-run", EXERCISE + "_tests")
        )
        self.stub = stub_message(self.release.cells[self.solution].source).replace(" / ", "\n")
        self.answer = student_answer(self.release.cells[self.solution].source, self.solutions[EXERCISE])
        self.typo = apply_patch(self.answer, *TYPO, where="the student's typo")

    def source_of(self, grade_or_cell_id):
        return self.release.cells[cell_index(self.release, grade_or_cell_id)].source


def open_and_check_extensions(page, console, server, notebook):
    """Step 1: the notebook opens with the student's tools only: nbgrader's Validate button and assignment
    list, no Create Assignment panel, no Formgrader or Course List (neither in the menu nor on the server).
    """
    page.open_notebook(server.page_url("lab/tree/" + NOTEBOOK_FILE), len(notebook.release.cells))
    loaded = console.texts()
    for message in STUDENT_PLUGINS_LOADED:
        assert message in loaded, "nbgrader plugin did not load: {}\n{}".format(message, console.dump())
    for message in INSTRUCTOR_PLUGINS_LOADED:
        assert message not in loaded, "an instructor's plugin loaded for the student: " + message
    assert page.page.locator(".validate-button").is_visible()
    assert not [tab for tab in page.sidebar_tabs() if CREATE_ASSIGNMENT in tab], page.sidebar_tabs()
    assert page.menu_items("Nbgrader") == STUDENT_MENU
    assert server.status("formgrader") == 404, "the formgrader server extension should be off for the student"
    assert page.page_config()["news"] == {"disabled": True}  # the test's server settings: no news feed
    page.screenshot("1-opened")


def run_all_untouched(page, notebook):
    """Step 2: Run All stops at the first unfinished exercise, with the stub's message in both languages."""
    page.run_all()
    shown = page.output_text(notebook.run, containing="NotImplementedError")
    assert_shows_lines(shown, notebook.stub, "the first exercise's run cell")
    assert page.output_text(notebook.tests) == "", "Run All should stop at the first error"
    page.screenshot("2-run-all-untouched", page.cell(notebook.run))


def type_a_typo(page, notebook):
    """Step 3: with a typo, the public test fails in both languages and names the student's line."""
    page.replace_cell_source(notebook.solution, notebook.typo)
    page.run_cells(notebook.solution, notebook.tests)
    shown = page.output_text(notebook.tests, containing="AssertionError")
    printed, raised = public_test_report(notebook.typo)
    assert raised and not printed
    assert_shows_lines(shown, raised, "the failed public test")
    line_number, line = next(
        (number, text.strip()) for number, text in enumerate(notebook.typo.split("\n"), 1) if TYPO[1] in text
    )
    assert "line {} ({})".format(line_number, line) in shown, shown
    assert "_expect_equal" not in shown, "the public tests' own frames should be hidden:\n" + shown
    page.screenshot("3-typo-public-test", page.cell(notebook.tests))


def type_the_answer(page, notebook):
    """Step 4: with the correct line, the public test passes in both languages; return what it printed."""
    page.replace_cell_source(notebook.solution, notebook.answer)
    page.run_cells(notebook.solution, notebook.tests)
    printed, raised = public_test_report(notebook.answer)
    assert printed and not raised
    shown = page.output_text(notebook.tests, containing=printed.split("\n")[0])
    assert_shows_lines(shown, printed, "the passed public test")
    assert "Error" not in page.output_text(notebook.run), page.output_text(notebook.run)
    page.screenshot("4-public-test-passed", page.cell(notebook.tests))
    return printed


def run_all_again(page, notebook, passed_message):
    """Step 5: Run All again: exercise 1 passes, the next unfinished exercise stops the run."""
    page.run_all()
    next_run = cell_index(notebook.release, "ex2-run")
    assert_shows_lines(
        page.output_text(next_run, containing="NotImplementedError"), notebook.stub, "the second exercise's run cell"
    )
    assert_shows_lines(page.output_text(notebook.tests), passed_message, "the passed public test after Run All")
    page.screenshot("5-run-all-after-exercise-1", page.cell(next_run))


def press_validate(page, notebook):
    """Step 6: the Validate button lists the unfinished exercises' test cells, not the finished one."""
    report = page.validate()
    page.screenshot("6-validate", page.page.locator(".jp-Dialog-content"))
    assert "The following cell failed:" in report, report
    for name in EXERCISES[1:]:
        assert notebook.source_of(name + "_tests") in report, report
    assert notebook.source_of(EXERCISE + "_tests") not in report, report
    page.close_dialog()


def validate_finished_copy(server, notebook, folder):
    """Step 7: a finished copy (every exercise solved) passes nbgrader's validate API."""
    finished = fill_solution_cells(notebook.release, notebook.solutions)
    nbformat.write(finished, os.path.join(folder, FINISHED_FILE))
    result = server.validate(FINISHED_FILE)
    assert result == {"success": True, "value": {}}, result  # the button would say "Success! ..."


def test_student_path_in_jupyterlab(lab, student_folder):
    page, console, server = lab
    notebook = Notebook()
    open_and_check_extensions(page, console, server, notebook)
    run_all_untouched(page, notebook)
    type_a_typo(page, notebook)
    passed_message = type_the_answer(page, notebook)
    run_all_again(page, notebook, passed_message)
    press_validate(page, notebook)
    validate_finished_copy(server, notebook, student_folder)

    saved = nbformat.read(os.path.join(student_folder, NOTEBOOK_FILE), as_version=4)
    assert saved.cells[notebook.solution].source == notebook.answer, "Validate saves the student's notebook first"
    # Minutes after the start: JupyterLab's news question never came (the instructor's test shows it does come
    # within seconds when the set-up leaves it on).
    assert page.news_prompt().count() == 0, "the student is asked about Jupyter news"
    assert console.errors() == [], "the browser console shows errors:\n" + console.dump()


def dev_setup(course, env):
    """``./dev setup`` in ``course`` (a copy of dev, pyproject.toml and constraints.txt, with its ``.venv``).

    The venv counts as installed (its stamp is the digest dev computes), so no package is installed: what
    runs is the rest of the set-up, i.e. the system-package check and the JupyterLab step.
    """
    for name in ("dev", "pyproject.toml", "constraints.txt"):
        shutil.copy2(REPO / name, course / name)
    digest = hashlib.sha256((course / "pyproject.toml").read_bytes() + (course / "constraints.txt").read_bytes())
    (course / ".venv" / ".installed").write_text(digest.hexdigest() + "\n")
    result = subprocess.run(
        ["bash", "dev", "setup"], cwd=str(course), env=dict(env, PIP_NO_INDEX="1"), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_instructor_jupyterlab_has_nbgrader_tools_after_dev_setup(tmp_path):
    """The student's set-up run in the instructor's ``.venv`` (the README's student path also makes one),
    then ``./dev setup``: JupyterLab shows nbgrader's instructor tools and JupyterLab's news question again.
    """
    course = tmp_path / "course"
    env = venv_environment(fresh_venv(course / ".venv"), tmp_path / "jupyter")
    for argv in student_setup_commands():
        run_command(argv, env, course)
    dev_setup(course, env)

    artifacts = artifacts_dir("instructor_jupyterlab")
    with running_lab(copy_release(tmp_path), env, artifacts) as (page, console, server):
        cells = nbformat.read(str(release_notebook_path()), as_version=4).cells
        page.open_notebook(server.page_url("lab/tree/" + NOTEBOOK_FILE), len(cells))
        loaded = console.texts()
        for message in STUDENT_PLUGINS_LOADED + INSTRUCTOR_PLUGINS_LOADED:
            assert message in loaded, "nbgrader plugin did not load: {}\n{}".format(message, console.dump())
        assert [tab for tab in page.sidebar_tabs() if CREATE_ASSIGNMENT in tab], page.sidebar_tabs()
        assert INSTRUCTOR_MENU <= set(page.menu_items("Nbgrader"))
        assert server.status("formgrader") == 200
        page.news_prompt().first.wait_for(timeout=UI_TIMEOUT_MS)
        page.screenshot("1-instructor-opened")
