"""The instructor releases an English-only or Chinese-only student notebook: ``course release --lang en|zh``.

A one-language edition drops the other language's narrative cells and nothing else: its graded and
locked cells are those of the bilingual release, byte for byte, so one gradebook and one autograder
grade every edition to the same scores. The default is the bilingual release that is committed.
"""

import shutil
import subprocess
import sys

import nbformat
import pytest
from support.course import REPO, copy_course, release_notebook_path

from course.assignment import ASSIGNMENT, EXERCISES, NOTEBOOK_FILE, release_folder
from course.authoring.samples import GLOBAL_DTHETA, write_submission
from course.messages import BAD_CELL_LANGUAGE, BAD_EDITION_LANGUAGE, CourseError
from course.nbgrader_cli import nbgrader_env, run_nbgrader
from course.nbgrader_ext.filter_language import FilterLanguage
from course.notebooks import (
    EDITIONS,
    LANGUAGES,
    fill_solution_cells,
    master_notebook,
    patched_solutions,
    reference_solutions,
)
from course.results.feedback import FEEDBACK_FILE, write_feedback
from course.results.scores import exercise_scores
from course.site.render import HTML_LANG

#: The one-language editions, and the other language of each.
OTHER = {"en": "zh", "zh": "en"}


def course_release(root, *args):
    return subprocess.run(
        [sys.executable, "-m", "course", "release", "--course", str(root), *args],
        cwd=str(root),
        capture_output=True,
        text=True,
        env=nbgrader_env(),
    )


def release_files(root):
    """``{relative path: bytes}`` of every file of the release folder."""
    folder = release_folder(root)
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def nbgrader_cells(notebook):
    return [cell for cell in notebook.cells if "nbgrader" in cell.metadata]


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """A course copy released three times with the command (default, then en, then zh, the last one left in
    release/): ``(root, {edition: (release notebook, release files, command output)})``."""
    root = copy_course(tmp_path_factory.mktemp("release_language") / "course")
    for name in ("submitted", "autograded", "feedback"):
        shutil.rmtree(root / name, ignore_errors=True)
    released = {}
    for edition, args in (("both", ()), ("en", ("--lang", "en")), ("zh", ("--lang", "zh"))):
        result = course_release(root, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        files = release_files(root)
        released[edition] = (nbformat.read(str(release_notebook_path(root)), as_version=4), files, result.stdout)
    return root, released


@pytest.mark.slow
def test_instructor_default_release_is_the_committed_bilingual_one(editions):
    _, released = editions
    notebook, files, printed = released["both"]
    committed = release_files(REPO)
    differing = sorted(name for name in set(files) | set(committed) if files.get(name) != committed.get(name))
    assert differing == [], "run `python -m course demo` and commit release/: these differ: {}".format(differing)
    langs = {cell.metadata.get("lang") for cell in notebook.cells if cell.cell_type == "markdown"}
    assert set(LANGUAGES) <= langs
    assert "English and Chinese" in printed and "中英双语" in printed


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_instructor_one_language_release_keeps_only_that_language(editions, lang):
    _, released = editions
    both, edition = released["both"][0], released[lang][0]
    narrative = [c for c in edition.cells if c.cell_type == "markdown" and c.metadata.get("lang")]
    assert narrative and {c.metadata["lang"] for c in narrative} == {lang}
    assert any(c.metadata.get("lang") == OTHER[lang] for c in both.cells)
    # Exactly the bilingual release's cells minus the other language's narrative, in order, unchanged.
    expected = [c for c in both.cells if c.cell_type != "markdown" or c.metadata.get("lang") != OTHER[lang]]
    assert edition.cells == expected
    assert edition.metadata == both.metadata
    printed = released[lang][2]
    assert ("English only" if lang == "en" else "Chinese only") in printed


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_instructor_one_language_release_has_the_same_graded_cells(editions, lang):
    _, released = editions
    both, edition = released["both"][0], released[lang][0]
    graded = nbgrader_cells(both)
    assert {c.metadata["nbgrader"]["grade_id"] for c in graded} >= set(EXERCISES)
    assert nbgrader_cells(edition) == graded  # source, metadata (grade ids, checksums, points), ids
    assert [c for c in edition.cells if c.cell_type == "code"] == [c for c in both.cells if c.cell_type == "code"]
    # The helper modules and figures are released as they are.
    notebook_file = release_notebook_path(REPO).name
    assert {k: v for k, v in released[lang][1].items() if k != notebook_file} == {
        k: v for k, v in released["both"][1].items() if k != notebook_file
    }


@pytest.mark.slow
def test_instructor_chinese_release_submissions_get_the_bilingual_scores(editions):
    """Reference and mistaken submissions made from the zh-only and the bilingual release, autograded
    together with nbgrader (as the demo does) against the one gradebook: the same points, exercise by exercise."""
    root, released = editions
    solutions = reference_solutions(master_notebook(root), root)
    students = {}
    for edition in ("both", "zh"):
        release = released[edition][0]
        for kind, patches in (("reference", {}), ("global_dtheta", GLOBAL_DTHETA)):
            student = "{}_{}".format(kind, edition)
            write_submission(
                root / "submitted", student, fill_solution_cells(release, patched_solutions(solutions, patches))
            )
            students[student] = (kind, edition)
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force")
    scores = exercise_scores("sqlite:///{}".format(root / "gradebook.db"), students=list(students))
    assert set(scores) == set(students)
    for kind in ("reference", "global_dtheta"):
        assert scores[kind + "_zh"] == scores[kind + "_both"], kind
    assert scores["reference_zh"]["gradient_check"][0] == scores["reference_zh"]["gradient_check"][1] > 0
    assert scores["global_dtheta_zh"]["gradient_check"][0] == 0
    # The feedback pages do not depend on the edition: the sections left out at grading are named in both
    # languages (their headings come from the master notebook), the messages are the same.
    pages = {}
    for student in students:
        folder = root / "feedback" / student / ASSIGNMENT
        write_feedback(root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE, "s", folder, root)
        pages[student] = (folder / FEEDBACK_FILE).read_text("utf-8")
    for kind in ("reference", "global_dtheta"):
        assert pages[kind + "_zh"] == pages[kind + "_both"], kind
    # Releasing again, in another edition, once submissions are graded: nbgrader accepts it, grades stay.
    result = course_release(root, "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    assert exercise_scores("sqlite:///{}".format(root / "gradebook.db"), students=list(students)) == scores


@pytest.mark.slow
def test_instructor_unknown_language_is_refused_in_both_languages(editions):
    root, _ = editions
    before = release_files(root)
    result = course_release(root, "--lang", "fr")
    assert result.returncode == 2
    message = BAD_EDITION_LANGUAGE.format(lang="fr", choices=", ".join(EDITIONS))
    assert message.en in result.stderr and message.zh in result.stderr
    assert "Traceback" not in result.stderr
    assert release_files(root) == before


def test_instructor_filter_keeps_nbgrader_and_unlabelled_cells_and_refuses_unknown_languages():
    new_markdown = nbformat.v4.new_markdown_cell
    cells = [
        new_markdown("English", metadata={"lang": "en"}),
        new_markdown("中文", metadata={"lang": "zh"}),
        new_markdown("shared"),
        new_markdown("graded answer", metadata={"lang": "en", "nbgrader": {"grade_id": "a", "solution": True}}),
        nbformat.v4.new_code_cell("x = 1", metadata={"lang": "en"}),
    ]
    for lang, kept in (("en", [0, 2, 3, 4]), ("zh", [1, 2, 3, 4]), ("both", [0, 1, 2, 3, 4])):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.from_dict(c) for c in cells])
        filtered, _ = FilterLanguage(lang=lang).preprocess(notebook, {})
        assert filtered.cells == [cells[i] for i in kept], lang
    notebook = nbformat.v4.new_notebook(cells=[new_markdown("Bonjour", metadata={"lang": "fr"})])
    with pytest.raises(CourseError) as refused:
        FilterLanguage(lang="zh").preprocess(notebook, {})
    assert refused.value.message.en.startswith(BAD_CELL_LANGUAGE.en.split("{")[0])


def test_instructor_site_and_release_know_the_same_languages():
    assert set(HTML_LANG) == set(LANGUAGES)
