"""Every message of the tools exists in English and Chinese, and is shown one way (course/messages.py)."""

import ast
import re
import string
from pathlib import Path

import pytest

import gc_utils
from course import messages
from course.assignment import REPO_ROOT
from course.messages import Message

CJK = re.compile(r"[\u4e00-\u9fff]")
CATALOGUE = messages.catalogue()


def placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_instructor_catalogue_is_not_empty():
    assert len(CATALOGUE) > 50


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_student_and_instructor_every_message_has_both_languages(name):
    message = CATALOGUE[name]
    assert message.en.strip() and message.zh.strip(), name
    assert CJK.search(message.zh), "{}: the Chinese text has no Chinese".format(name)
    assert not CJK.search(message.en), "{}: the English text holds Chinese".format(name)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_instructor_both_languages_take_the_same_values(name):
    message = CATALOGUE[name]
    assert placeholders(message.en) == placeholders(message.zh), name


def test_student_terminal_layout_is_the_one_of_the_helper_modules():
    """gc_utils (shipped to students, cannot import the course package) lays out its messages the same way."""
    assert Message("a {x}", "乙 {x}").format(x=1).text() == gc_utils.bilingual("a 1", "乙 1")


def test_instructor_a_message_value_gives_each_language_its_part():
    reason = Message("the kernel died", "内核崩溃")
    line = messages.TRUSTED_GRADER_FAILED.format(detail=reason)
    assert line == Message(
        "The trusted grader could not run this test cell: the kernel died", "可信评分进程无法运行此测试单元格：内核崩溃"
    )
    assert line.inline() == line.en + " / " + line.zh
    assert Message("<a>", "<乙>").html() == "&lt;a&gt;<br>&lt;乙&gt;"


def _calls(path):
    """Names of the functions called in a module."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    return {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "course").rglob("*.py")), ids=str
)
def test_instructor_no_message_is_written_outside_the_catalogue(path):
    """The tools use the catalogue: no private ``bilingual()`` helper, no Chinese text outside messages.py
    (the site's edition titles and the CJK ranges of its line-joining rule are data, not messages)."""
    assert "bilingual" not in _calls(REPO_ROOT / path), path
    if path in ("course/messages.py", "course/site/build.py", "course/site/render.py", "course/cli.py"):
        return
    text = (REPO_ROOT / path).read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    strings = [
        node.value
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    docstrings = {
        ast.get_docstring(node, clean=False)
        for node in ast.walk(ast.parse(code))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
    }
    assert [s for s in strings if CJK.search(s) and s not in docstrings] == [], path
