"""Bilingual feedback for one student, built from the autograded notebook, without any test code.

nbgrader's own feedback HTML shows the whole executed notebook: even with ClearHiddenTests, the
tracebacks of failing hidden tests quote their source lines. Here the student gets, per exercise,
only the points, the result, and the message of the *public* test (an error raised by the hidden part
is replaced by a fixed sentence, since its message could describe the hidden checks).
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
from course.notebooks import delimiters, is_delimiter_line

TEMPLATES = Path(__file__).resolve().parent / "templates"
FEEDBACK_FILE = NOTEBOOK_FILE.replace(".ipynb", ".html")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[\d*\], line (\d+)")


def public_line_count(source: str, root: Path = REPO_ROOT) -> int:
    """How many lines of a test cell come before its hidden part (all of them if there is none)."""
    marker = delimiters(root).begin_hidden  # matched inside the line, as nbgrader does ("### BEGIN HIDDEN TESTS")
    lines = source.split("\n")
    for number, line in enumerate(lines):
        if is_delimiter_line(line, (marker,)):
            return number
    return len(lines)


def failing_line(error_output: nbformat.NotebookNode) -> int | None:
    """The line of the test cell where the error was raised (first traceback frame), or None."""
    for entry in error_output.get("traceback", []):
        match = _CELL_LINE.search(_ANSI.sub("", entry))
        if match:
            return int(match.group(1))
    return None


def cell_message(cell: nbformat.NotebookNode, root: Path = REPO_ROOT) -> str:
    """The message a student may see for a graded test cell that did not earn full points."""
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if not errors:
        return NO_MESSAGE.text()
    error = errors[0]
    line = failing_line(error)
    if line is None or line > public_line_count(cell.source, root):
        return HIDDEN_FAILED.text()
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


def not_run_sections(notebook: nbformat.NotebookNode) -> Message | None:
    """The sections (their "## " headings, in each language) of the cells grading left out, or None."""
    skipped_en = SKIPPED_AT_GRADING.en.split("{")[0]
    headings, sections = {}, {"en": [], "zh": []}
    for cell in notebook.cells:
        first = cell.source.split("\n")[0] if cell.cell_type == "markdown" else ""
        if first.startswith("## ") and cell.metadata.get("lang") in sections:
            headings[cell.metadata["lang"]] = plain_heading(first[3:])
        texts = [o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"]
        if cell.cell_type == "code" and any(t.startswith(skipped_en) for t in texts):
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
    page = feedback_html(student, rows, not_run_sections(notebook))
    (folder / FEEDBACK_FILE).write_text(page, encoding="utf-8")
    return rows
