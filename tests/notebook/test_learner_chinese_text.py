"""The Chinese cells read as clean Chinese in JupyterLab and on the site.

Markdown joins the lines of a paragraph with a space. Between two Latin words that is right; between
two Chinese characters it shows as a stray gap ("导数定义 算出"), so a zh paragraph may break a line only
next to a Latin letter, a digit, a space or markup. Chinese prose quotes with full-width “…”: an ASCII
``"`` next to a Chinese character is a typo of the other keyboard layout. Code spans and math are
left out of the quote rule (there ``"`` is code).
"""

import re

import nbformat
import pytest
from support.course import source_notebook_path

#: Characters that take no space around them in Chinese text: CJK ideographs, CJK and full-width
#: punctuation, and the curly quotes Chinese text uses.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
BROKEN_LINE = re.compile("([{0}])\n[ \t]*([{0}])".format(CJK))
ASCII_QUOTE_BY_CJK = re.compile('[{0}]"|"[{0}]'.format(CJK))
CODE_OR_MATH = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$", re.S)


def zh_cells():
    notebook = nbformat.read(str(source_notebook_path()), as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "markdown" and cell.metadata.get("lang") == "zh"]


def test_learner_notebook_has_chinese_cells():
    """The checks below run over something: every narrative section has its Chinese cell."""
    assert len(zh_cells()) >= 30


@pytest.mark.parametrize("cell", zh_cells(), ids=lambda cell: cell.get("id"))
def test_learner_sees_no_gap_between_chinese_characters(cell):
    breaks = [match.group(0).replace("\n", "⏎") for match in BROKEN_LINE.finditer(cell.source)]
    assert not breaks, "join these lines (a line break between two CJK characters shows as a space): {}".format(breaks)


@pytest.mark.parametrize("cell", zh_cells(), ids=lambda cell: cell.get("id"))
def test_learner_reads_full_width_quotes_in_chinese(cell):
    prose = CODE_OR_MATH.sub(" ", cell.source)
    found = [prose[max(0, m.start() - 8) : m.end() + 8] for m in ASCII_QUOTE_BY_CJK.finditer(prose)]
    assert not found, "use full-width “…” quotes in Chinese prose: {}".format(found)


def test_learner_chinese_rules_catch_what_they_name():
    """The two patterns match the defects of the issue and leave correct text alone."""
    assert BROKEN_LINE.search("用导数定义\n算出") and BROKEN_LINE.search("变差，\n因而")
    assert not BROKEN_LINE.search("见 `gc_utils`\n中的函数") and not BROKEN_LINE.search("公式 (1)\n给出")
    assert ASCII_QUOTE_BY_CJK.search('所谓的"梯度"') and not ASCII_QUOTE_BY_CJK.search("所谓的“梯度”")
    assert not ASCII_QUOTE_BY_CJK.search(CODE_OR_MATH.sub(" ", '写 `grad = "梯度"` 即可'))
