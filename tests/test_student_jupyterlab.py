"""The student's path in JupyterLab, end to end in headless Chromium.

What the README's student section says, done by a browser: start ``jupyter lab Gradient_Checking.ipynb``
in a copy of ``release/gradient_checking/`` (nbgrader's extensions enabled, as installed by
requirements.txt), run all cells, read the errors of the unfinished exercises, make a typo in
``forward_propagation`` and read where the public test points, type the correct line, see the
public test pass, run all again, and press nbgrader's *Validate*.  Screenshots of every step go to
``test-artifacts/student_jupyterlab/`` (or ``$TEST_ARTIFACTS/student_jupyterlab/``).
"""
import contextlib
import io
import linecache
import os
import re
import shutil

import nbformat
import pytest
from playwright.sync_api import sync_playwright

from conftest import REPO, release_notebook_path, source_notebook_path
from course.common import ASSIGNMENT, NOTEBOOK_FILE
from course.submissions import apply_patch, reference_solutions
from jupyterlab_browser import (VIEWPORT, ConsoleLog, JupyterLabPage, launch_chromium,
                                start_jupyterlab)
import public_tests

EXERCISE = "forward_propagation"
#: The typo the student makes first: a capital X, a name that does not exist.
TYPO = ("J = theta * x", "J = theta * X")
#: What each of nbgrader's lab plugins logs when it has loaded (nbgrader 0.9.6).
NBGRADER_PLUGINS_LOADED = (
    "JupyterLab extension assignment-list is activated!",
    "JupyterLab extension course-list is activated!",
    "JupyterLab extension formgrader is activated!",
    'Extension "create_assignment" activated.',
    "JupyterLab extension validate-assignment is activated!",
)
STUB = re.compile(r'^\s*raise NotImplementedError\("(?P<message>.*)"\)\s*$', re.MULTILINE)


def artifacts_dir():
    """Folder for this test's screenshots and logs (created, emptied of old PNGs)."""
    folder = os.path.join(os.environ.get("TEST_ARTIFACTS", str(REPO / "test-artifacts")), "student_jupyterlab")
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


@pytest.fixture
def student_folder(tmp_path):
    """A copy of release/gradient_checking/, as handed out to a student."""
    return shutil.copytree(str(REPO / "release" / ASSIGNMENT), str(tmp_path / ASSIGNMENT))


@pytest.fixture
def lab(student_folder, tmp_path):
    """(JupyterLabPage, ConsoleLog, notebook URL): JupyterLab serving the student's folder, and a headless Chromium."""
    artifacts = artifacts_dir()
    server = start_jupyterlab(student_folder, NOTEBOOK_FILE, tmp_path / "jupyter",
                              os.path.join(artifacts, "jupyterlab-server.log"))
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport=VIEWPORT)
            console = ConsoleLog(page)
            try:
                yield JupyterLabPage(page, artifacts), console, server.page_url("lab/tree/" + NOTEBOOK_FILE)
            finally:
                with open(os.path.join(artifacts, "browser-console.log"), "w") as log:
                    log.write(console.dump())
                browser.close()
    finally:
        server.stop()


def test_student_path_in_jupyterlab(lab, student_folder):
    page, console, notebook_url = lab
    release = nbformat.read(str(release_notebook_path()), as_version=4)
    source = nbformat.read(str(source_notebook_path()), as_version=4)
    solution, run, tests = (cell_index(release, name) for name in (EXERCISE, "ex1-run", EXERCISE + "_tests"))
    stub_cell = release.cells[solution].source
    answer = student_answer(stub_cell, reference_solutions(source)[EXERCISE])
    typo = apply_patch(answer, *TYPO, where="the student's typo")

    # 1. Open the notebook: nbgrader's extensions load, the Validate button is there, no console errors.
    page.open_notebook(notebook_url, len(release.cells))
    loaded = console.texts()
    for message in NBGRADER_PLUGINS_LOADED:
        assert message in loaded, "nbgrader plugin did not load: {}\n{}".format(message, console.dump())
    assert page.page.locator(".validate-button").is_visible()
    page.screenshot("1-opened")

    # 2. Run all cells: the first unfinished exercise stops the run with the stub's bilingual message.
    page.run_all()
    shown = page.output_text(run, containing="NotImplementedError")
    assert_shows_lines(shown, stub_message(stub_cell).replace(" / ", "\n"), "the first exercise's run cell")
    assert page.output_text(tests) == "", "Run All should stop at the first error"
    page.screenshot("2-run-all-untouched", page.cell(run))

    # 3. A typo: the public test fails in both languages and its traceback shows the student's line.
    page.replace_cell_source(solution, typo)
    page.run_cells(solution, tests)
    shown = page.output_text(tests, containing="AssertionError")
    printed, raised = public_test_report(typo)
    assert raised and not printed
    assert_shows_lines(shown, raised, "the failed public test")
    line_number, typo_line = next((n, line.strip()) for n, line in enumerate(typo.split("\n"), 1) if TYPO[1] in line)
    assert "line {} ({})".format(line_number, typo_line) in shown, shown
    assert "_expect_equal" not in shown, "the public tests' own frames should be hidden:\n" + shown
    page.screenshot("3-typo-public-test", page.cell(tests))

    # 4. The correct line: J is printed and the public test passes, in both languages.
    page.replace_cell_source(solution, answer)
    page.run_cells(solution, tests)
    printed, raised = public_test_report(answer)
    assert printed and not raised
    assert_shows_lines(page.output_text(tests, containing=printed.split("\n")[0]), printed, "the passed public test")
    assert "Error" not in page.output_text(run), page.output_text(run)
    page.screenshot("4-public-test-passed", page.cell(tests))

    # 5. Run all again: exercise 1 passes, the next unfinished exercise stops the run.
    page.run_all()
    next_run = cell_index(release, "ex2-run")
    assert_shows_lines(page.output_text(next_run, containing="NotImplementedError"),
                       stub_message(stub_cell).replace(" / ", "\n"), "the second exercise's run cell")
    assert_shows_lines(page.output_text(tests), printed, "the passed public test after Run All")
    page.screenshot("5-run-all-after-exercise-1")

    # 6. Validate: nbgrader lists the unfinished exercises' test cells, not the finished one.
    report = page.validate()
    page.screenshot("6-validate", page.page.locator(".jp-Dialog-content"))
    assert "The following cell failed:" in report, report
    for name in ("backward_propagation", "gradient_check", "gradient_check_n"):
        assert release.cells[cell_index(release, name + "_tests")].source in report, report
    assert release.cells[tests].source not in report, report
    page.close_dialog()

    # The saved notebook holds the student's answer; nbgrader's extensions logged no error.
    saved = nbformat.read(os.path.join(student_folder, NOTEBOOK_FILE), as_version=4)
    assert saved.cells[solution].source == answer
    assert console.errors() == [], console.dump()
