"""Bilingual feedback for one student, built from the autograded notebook, without any test code.

nbgrader's own feedback HTML shows the whole executed notebook: even with ClearHiddenTests, the
tracebacks of failing hidden tests quote their source lines. Here the student gets, per exercise,
only the points, the result, and the message of the *public* test. A failed hidden check shows its own
student-facing sentence (raised with ``course.oracle.expect``: it names the mistake, never the test's code
or inputs); any other error of the hidden part (e.g. one raised by the student's code on a hidden input)
is replaced by a fixed sentence, since its message could describe the hidden checks.
"""

import re
from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup, escape
from nbgrader.utils import determine_grade

from course.assignment import BONUS_EXERCISES, EXERCISES, NOTEBOOK_FILE, REPO_ROOT, test_cell_exercise
from course.messages import (
    BONUS,
    FAILED,
    FEEDBACK_EXERCISE,
    FEEDBACK_MESSAGE,
    FEEDBACK_NOT_RUN,
    FEEDBACK_POINTS,
    FEEDBACK_RESULT,
    FEEDBACK_STUDENT,
    FEEDBACK_TITLE,
    FEEDBACK_TOTAL,
    HIDDEN_FAILED,
    NO_MESSAGE,
    PASSED,
    SKIPPED_AT_GRADING,
    Message,
)
from course.notebooks import LANGUAGES, delimiters, is_delimiter_line, master_notebook
from course.oracle.api import STUDENT_MESSAGE_MARK

TEMPLATES = Path(__file__).resolve().parent / "templates"
FEEDBACK_FILE = NOTEBOOK_FILE.replace(".ipynb", ".html")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[\d*\], line (\d+)")


def hidden_lines(source: str, root: Path = REPO_ROOT) -> set:
    """The (1-based) numbers of the lines of a test cell that belong to a hidden part, delimiters included: a
    cell may start with a hidden part (known-good helpers swapped in) before its public line."""
    marks = delimiters(root)
    hidden, inside = set(), False
    for number, line in enumerate(source.split("\n"), start=1):
        if is_delimiter_line(line, (marks.begin_hidden,)):
            inside = True
        if inside:
            hidden.add(number)
        if is_delimiter_line(line, (marks.end_hidden,)):
            inside = False
    return hidden


def failing_line(error_output: nbformat.NotebookNode) -> int | None:
    """The line of the test cell where the error was raised (first traceback frame), or None."""
    for entry in error_output.get("traceback", []):
        match = _CELL_LINE.search(_ANSI.sub("", entry))
        if match:
            return int(match.group(1))
    return None


def student_message(error_output: nbformat.NotebookNode) -> str | None:
    """The instructor's sentence of a failed hidden check (``course.oracle.expect``), or None for any other error.

    The trusted grader writes such a failure as exactly two traceback lines: the test cell's line, then the
    message after ``STUDENT_MESSAGE_MARK``, a start no other error's line can have."""
    lines = [_ANSI.sub("", entry) for entry in error_output.get("traceback", [])]
    if len(lines) == 2 and _CELL_LINE.fullmatch(lines[0]) and lines[1].startswith(STUDENT_MESSAGE_MARK):
        return lines[1][len(STUDENT_MESSAGE_MARK) :]
    return None


def cell_message(cell: nbformat.NotebookNode, root: Path = REPO_ROOT) -> str:
    """The message a student may see for a graded test cell that did not earn full points."""
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if not errors:
        return NO_MESSAGE.text()
    error = errors[0]
    line = failing_line(error)
    if line is None or line in hidden_lines(cell.source, root):
        return student_message(error) or HIDDEN_FAILED.text()
    return "{}: {}".format(error.get("ename", "Error"), error.get("evalue", ""))


def exercise_results(notebook: nbformat.NotebookNode, root: Path = REPO_ROOT) -> list:
    """``[{"exercise", "score", "max_score", "passed", "message"}]`` for every graded cell, in notebook order."""
    results = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        score, max_score = determine_grade(cell)
        score = score or 0.0
        passed = score >= max_score
        results.append(
            {
                "exercise": test_cell_exercise(meta["grade_id"]),
                "score": score,
                "max_score": max_score,
                "passed": passed,
                "message": "" if passed else cell_message(cell, root),
            }
        )
    order = {name: index for index, name in enumerate(EXERCISES + BONUS_EXERCISES)}
    return sorted(results, key=lambda row: order.get(row["exercise"], len(order)))


_LATEX = (("$", ""), ("\\varepsilon", "ε"), ("\\times", "×"), ("^{", "^"), ("}", ""))


def plain_heading(text: str) -> str:
    """A heading's text without its LaTeX (a feedback page has no math renderer): ``$\\varepsilon$`` -> ε."""
    for latex, plain in _LATEX:
        text = text.replace(latex, plain)
    return text.strip()


def section_headings(notebook: nbformat.NotebookNode) -> dict:
    """``{id of a code cell: {lang: the "## " heading of its section in that language}}``."""
    headings, above = {}, {}
    for cell in notebook.cells:
        first = cell.source.split("\n")[0] if cell.cell_type == "markdown" else ""
        if first.startswith("## ") and cell.metadata.get("lang") in LANGUAGES:
            headings[cell.metadata["lang"]] = plain_heading(first[3:])
        if cell.cell_type == "code":
            above[cell.get("id")] = dict(headings)
    return above


def not_run_sections(notebook: nbformat.NotebookNode, root: Path = REPO_ROOT) -> Message | None:
    """The sections (their "## " headings, in each language) of the cells grading left out, or None.

    The headings are the master notebook's (by cell id), so a submission made from a one-language
    release (``course release --lang``) gets both; a cell the master does not have keeps the notebook's own."""
    skipped_en = SKIPPED_AT_GRADING.en.split("{")[0]
    master, own = section_headings(master_notebook(root)), section_headings(notebook)
    sections = {lang: [] for lang in LANGUAGES}
    for cell in notebook.cells:
        texts = [o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"]
        if cell.cell_type == "code" and any(t.startswith(skipped_en) for t in texts):
            headings = master.get(cell.get("id")) or own.get(cell.get("id"), {})
            for lang, found in sections.items():
                if headings.get(lang) and headings[lang] not in found:
                    found.append(headings[lang])
    if not sections["en"]:
        return None
    return FEEDBACK_NOT_RUN.format(sections=Message("; ".join(sections["en"]), "；".join(sections["zh"])))


def exercise_label(exercise: str) -> str:
    """The exercise's name, marked when it is a bonus exercise."""
    return exercise + (" ({})".format(BONUS.inline()) if exercise in BONUS_EXERCISES else "")


def _lines(text: str) -> Markup:
    """Escaped text with its line breaks kept."""
    return Markup("<br>").join(escape(part) for part in text.split("\n"))


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, keep_trailing_newline=True
)
_environment.filters["lines"] = _lines
_environment.filters["points"] = "{:g}".format


def feedback_html(student: str, results: list, not_run: Message | None = None) -> str:
    """A self-contained bilingual HTML page of ``exercise_results`` for ``student``; ``not_run`` names the
    sections grading left out (see ``not_run_sections``)."""
    core = [row for row in results if row["exercise"] in EXERCISES]
    rows = [
        dict(row, label=exercise_label(row["exercise"]), result=(PASSED if row["passed"] else FAILED).text())
        for row in results
    ]
    labels = {
        "student": FEEDBACK_STUDENT.inline(),
        "total": FEEDBACK_TOTAL.inline(),
        "exercise": FEEDBACK_EXERCISE.inline(),
        "points": FEEDBACK_POINTS.inline(),
        "result": FEEDBACK_RESULT.inline(),
        "message": FEEDBACK_MESSAGE.inline(),
    }
    return _environment.get_template("feedback.html.j2").render(
        title=FEEDBACK_TITLE.inline(),
        student=student,
        labels=labels,
        score=sum(row["score"] for row in core),
        max_score=sum(row["max_score"] for row in core),
        rows=rows,
        not_run=not_run.text() if not_run else "",
    )


def write_feedback(autograded_notebook: Path, student: str, folder: Path, root: Path = REPO_ROOT) -> list:
    """Write ``folder/Gradient_Checking.html`` for ``student`` from an autograded notebook; return its rows."""
    notebook = nbformat.read(str(autograded_notebook), as_version=4)
    rows = exercise_results(notebook, root)
    folder.mkdir(parents=True, exist_ok=True)
    page = feedback_html(student, rows, not_run_sections(notebook, root))
    (folder / FEEDBACK_FILE).write_text(page, encoding="utf-8")
    return rows
