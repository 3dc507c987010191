"""Bilingual feedback for one student, built from the autograded notebook, without any test code.

nbgrader's own feedback HTML shows the whole executed notebook: even with ClearHiddenTests, the
tracebacks of failing hidden tests quote their source lines. Here the student gets, per exercise,
only the points, the result, and the message of the *public* test (an error raised by the hidden part
is replaced by a fixed sentence, since its message could describe the hidden checks).
"""
import html
import re

import nbformat
from nbgrader.utils import determine_grade

from course.common import BONUS_EXERCISES, EXERCISES, NOTEBOOK_FILE, bilingual
from course.report import test_cell_exercise

HIDDEN_MARKER = "### BEGIN HIDDEN TESTS"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[\d*\], line (\d+)")

PASSED = bilingual("passed", "通过")
FAILED = bilingual("failed", "未通过")
HIDDEN_FAILED = bilingual(
    "Your code passed the public test but not the hidden tests, which try other inputs and cases. "
    "Re-read the instructions of this exercise and test your function on inputs of your own.",
    "你的代码通过了公开测试，但没有通过隐藏测试（隐藏测试会使用其他输入和情形）。"
    "请重读本练习的说明，并用你自己设计的输入测试函数。")
NO_MESSAGE = bilingual("The test did not run to the end (no message).", "测试未能运行完毕（没有信息）。")


def public_line_count(source):
    """How many lines of a test cell come before its hidden part (all of them if there is none)."""
    lines = source.split("\n")
    for number, line in enumerate(lines):
        if line.strip() == HIDDEN_MARKER:
            return number
    return len(lines)


def failing_line(error_output):
    """The line of the test cell where the error was raised (first traceback frame), or None."""
    for entry in error_output.get("traceback", []):
        match = _CELL_LINE.search(_ANSI.sub("", entry))
        if match:
            return int(match.group(1))
    return None


def cell_message(cell):
    """The message a student may see for a graded test cell that did not earn full points."""
    errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if not errors:
        return NO_MESSAGE
    error = errors[0]
    line = failing_line(error)
    if line is None or line > public_line_count(cell.source):
        return HIDDEN_FAILED
    return "{}: {}".format(error.get("ename", "Error"), error.get("evalue", ""))


def exercise_results(notebook):
    """``[{"exercise", "score", "max_score", "passed", "message"}]`` for every graded cell, in notebook order."""
    results = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        score, max_score = determine_grade(cell)
        score = score or 0.0
        passed = score >= max_score
        results.append({"exercise": test_cell_exercise(meta["grade_id"]), "score": score, "max_score": max_score,
                        "passed": passed, "message": "" if passed else cell_message(cell)})
    order = {name: index for index, name in enumerate(EXERCISES + BONUS_EXERCISES)}
    return sorted(results, key=lambda row: order.get(row["exercise"], len(order)))


def _lines(text):
    return "<br>".join(html.escape(part) for part in text.split("\n"))


PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "Noto Sans", "Noto Sans CJK SC", sans-serif; margin: 2em; max-width: 60em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }}
.passed {{ color: #1a7f37; }} .failed {{ color: #b42318; }}
</style></head>
<body>
<h1>{title}</h1>
<p>{student_label}: <b>{student}</b><br>{total_label}: <b>{score:g} / {max_score:g}</b></p>
<table>
<tr><th>{exercise_label}</th><th>{points_label}</th><th>{result_label}</th><th>{message_label}</th></tr>
{rows}
</table>
</body>
</html>
"""
ROW = '<tr><td>{exercise}</td><td>{score:g} / {max_score:g}</td><td class="{css}">{result}</td><td>{message}</td></tr>'


def exercise_label(exercise):
    """The exercise's name, marked when it is a bonus exercise."""
    return exercise + (" (bonus / 附加题)" if exercise in BONUS_EXERCISES else "")


def write_feedback(autograded_notebook, student, folder):
    """Write ``folder/Gradient_Checking.html`` for ``student`` from an autograded notebook; return its rows."""
    notebook = nbformat.read(str(autograded_notebook), as_version=4)
    rows = exercise_results(notebook)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NOTEBOOK_FILE.replace(".ipynb", ".html")).write_text(feedback_html(student, rows), encoding="utf-8")
    return rows


def feedback_html(student, results):
    """A self-contained bilingual HTML page of ``exercise_results`` for ``student``."""
    rows = "\n".join(ROW.format(exercise=html.escape(exercise_label(row["exercise"])), score=row["score"],
                                max_score=row["max_score"], css="passed" if row["passed"] else "failed",
                                result=_lines(PASSED if row["passed"] else FAILED), message=_lines(row["message"]))
                     for row in results)
    core = [row for row in results if row["exercise"] in EXERCISES]
    return PAGE.format(
        title=html.escape("Gradient checking: feedback / 梯度检查：反馈"), student=html.escape(student),
        student_label="Student / 学生", total_label="Total of the core exercises / 必做练习总分",
        score=sum(row["score"] for row in core), max_score=sum(row["max_score"] for row in core),
        exercise_label="Exercise / 练习", points_label="Points / 得分", result_label="Result / 结果",
        message_label="Message / 说明", rows=rows)
