"""Notebook -> HTML for ``python -m course site``: cells, build-time math (KaTeX), pages, contents.

One code path for both languages: a markdown cell with ``metadata.lang`` = "en"/"zh" is wrapped in
an element of class ``lang-en``/``lang-zh``, which the page's toggle shows or hides; everything else
(code, outputs, cells without a language) is shared.
"""

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import bs4
import jinja2
import nbformat
import quickjs
from nbconvert.filters.ansi import strip_ansi
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from course.messages import IMAGE_NOT_RELATIVE, KATEX_FAILED, CourseError
from course.notebooks import cell_language

FILES_DIR = Path(__file__).resolve().parent / "files"
KATEX_JS = Path(__file__).resolve().parent / "vendor" / "katex" / "katex.min.js"
#: The language of a narrative cell (course.notebooks.LANGUAGES) -> value of the HTML lang attribute.
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
#: Cell metadata key the build sets on a code cell whose outputs are a recorded run (not this build's run),
#: and the label the page shows above those outputs (English, Chinese).
RECORDED_RUN = "site_recorded_run"
RECORDED_RUN_LABEL = (
    "Recorded run on the course's build machine; your numbers will differ.",
    "这是在课程构建机器上录制的一次运行，你运行时的数字会不同。",
)
#: Heading levels listed in a page's table of contents.
TOC_LEVELS = ("h1", "h2", "h3")
#: Output MIME types in order of preference (richest first).
MIME_ORDER = ("image/svg+xml", "image/png", "image/jpeg", "text/html", "text/latex", "text/markdown", "text/plain")
#: KaTeX's fallback font formats, removed from its stylesheet: the site ships woff2 only.
#: A line break between two CJK characters (with the spaces around it): browsers would show a space there.
CJK_LINE_BREAK = re.compile("(?<=[\u2e80-\u9fff\uff00-\uffef])[ \t]*\n[ \t]*(?=[\u2e80-\u9fff\uff00-\uffef])")
#: Preformatted blocks, whose line breaks are kept.
PREFORMATTED = re.compile(r"(<pre[\s>].*?</pre>)", re.DOTALL)
KATEX_FALLBACK_FONTS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


class Katex:
    """KaTeX run in-process by QuickJS: ``render(tex, display)`` returns HTML (with MathML)."""

    def __init__(self, script: str | Path = KATEX_JS) -> None:
        self.context = quickjs.Context()
        self.context.eval(Path(script).read_text(encoding="utf-8"))
        self.function = self.context.eval(
            "(function (tex, display) { return katex.renderToString(tex, "
            '{displayMode: display, throwOnError: true, output: "htmlAndMathml"}); })'
        )

    def render(self, tex: str, display: bool) -> str:
        try:
            return self.function(tex, display)
        except quickjs.JSException as error:
            raise CourseError(KATEX_FAILED.format(tex=tex, error=error)) from error


class MathRenderer(IPythonRenderer):
    """nbconvert's markdown renderer with math rendered by KaTeX, heading ids from the cell id,
    and a record of the local images it references (``images``: paths relative to the notebook)."""

    def __init__(self, katex: Katex) -> None:
        super().__init__(escape=False, exclude_anchor_links=True)
        self.katex = katex
        self.images = set()
        self.cell_id = "cell"
        self.headings = 0

    def start_cell(self, cell: nbformat.NotebookNode) -> None:
        """Call before rendering ``cell``: its id prefixes heading ids; its attachments are embedded."""
        self.cell_id = cell.get("id") or "cell"
        self.attachments = cell.get("attachments", {})
        self.headings = 0

    def block_math(self, body: str) -> str:
        return self.katex.render(body.strip(), True)

    def inline_math(self, body: str) -> str:
        return self.katex.render(body.strip(), False)

    def latex_environment(self, name: str, body: str) -> str:
        return self.katex.render("\\begin{%s}%s\\end{%s}" % (name, body, name), True)

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        self.headings += 1
        anchor = self.cell_id if self.headings == 1 else "{}-{}".format(self.cell_id, self.headings)
        return '<h{0} id="{1}">{2}</h{0}>\n'.format(level, html.escape(anchor), text)

    def _embed_image_or_attachment(self, src):
        if not src.startswith("attachment:"):
            self.images.add(local_image_path(src))
        return super()._embed_image_or_attachment(src)

    def block_html(self, text: str) -> str:
        self.record_html_images(text)
        return super().block_html(text)

    def inline_html(self, text: str) -> str:
        self.record_html_images(text)
        return super().inline_html(text)

    def record_html_images(self, fragment: str) -> None:
        """Record the local images of raw HTML ``<img src=...>`` tags."""
        for img in bs4.BeautifulSoup(fragment, "html.parser").find_all("img"):
            if img.get("src"):
                self.images.add(local_image_path(img["src"]))


def join_cjk_lines(fragment: str) -> str:
    """``fragment`` (HTML) without the source line breaks between CJK characters, outside ``<pre>``."""
    parts = PREFORMATTED.split(fragment)
    return "".join(part if index % 2 else CJK_LINE_BREAK.sub("", part) for index, part in enumerate(parts))


def local_image_path(src: str) -> str | None:
    """Path of a local image reference relative to the notebook; CourseError for a network address."""
    parsed = urlparse(src)
    if parsed.scheme == "data":
        return None
    if parsed.scheme or parsed.netloc or src.startswith("/"):
        raise CourseError(IMAGE_NOT_RELATIVE.format(src=src))
    return unquote(parsed.path)


class PageRenderer:
    """Renders notebooks and pages; remembers every local image the pages reference (``images``)."""

    def __init__(self) -> None:
        self.katex = Katex()
        self.markdown_renderer = MathRenderer(self.katex)
        self.markdown = MarkdownWithMath(renderer=self.markdown_renderer)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(FILES_DIR)),
            autoescape=jinja2.select_autoescape(["html", "j2"]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self.highlighter = HtmlFormatter()

    @property
    def images(self) -> set[str]:
        return {path for path in self.markdown_renderer.images if path}

    def markdown_cell(self, cell: nbformat.NotebookNode) -> str:
        """HTML of a markdown cell, wrapped with its language class if it has one."""
        self.markdown_renderer.start_cell(cell)
        body = self.markdown.render(cell.source)
        lang = cell_language(cell)
        if lang == "zh":
            body = join_cjk_lines(body)
        if lang is None:
            return '<section class="cell markdown" id="cell-{}">\n{}</section>\n'.format(cell.get("id"), body)
        return '<section class="cell markdown lang-{0}" lang="{1}" id="cell-{2}">\n{3}</section>\n'.format(
            lang, HTML_LANG[lang], cell.get("id"), body
        )

    def code_cell(self, cell: nbformat.NotebookNode) -> str:
        """HTML of a code cell: highlighted source, then its outputs (if any)."""
        parts = [
            '<section class="cell code" id="cell-{}">'.format(cell.get("id")),
            '<div class="input">{}</div>'.format(highlight(cell.source, PythonLexer(), self.highlighter)),
        ]
        outputs = [self.output(output) for output in cell.get("outputs", [])]
        if outputs and cell.metadata.get(RECORDED_RUN):
            label = '<p class="recorded-run"><span class="lang-en" lang="en">{}</span><span class="lang-zh" lang="{}">{}</span></p>'
            english, chinese = (html.escape(text) for text in RECORDED_RUN_LABEL)
            outputs.insert(0, label.format(english, HTML_LANG["zh"], chinese))
            parts.append('<div class="outputs recorded">{}</div>'.format("".join(outputs)))
        elif outputs:
            parts.append('<div class="outputs">{}</div>'.format("".join(outputs)))
        parts.append("</section>\n")
        return "".join(parts)

    def output(self, output: nbformat.NotebookNode) -> str:
        """HTML of one output of a code cell."""
        if output.output_type == "stream":
            return '<pre class="output {}">{}</pre>'.format(output.name, html.escape(strip_ansi(output.text)))
        if output.output_type == "error":
            return '<pre class="output error">{}</pre>'.format(html.escape(strip_ansi("\n".join(output.traceback))))
        data = output.get("data", {})
        for mime in MIME_ORDER:
            if mime in data:
                return '<div class="output">{}</div>'.format(self.rich_output(mime, data[mime]))
        return ""

    def rich_output(self, mime: str, value: str | list[str]) -> str:
        """HTML of a display or result output of type ``mime``."""
        if isinstance(value, list):
            value = "".join(value)
        if mime == "image/svg+xml":
            value = base64.b64encode(value.encode("utf-8")).decode("ascii")
        if mime.startswith("image/"):
            return '<img alt="" src="data:{};base64,{}">'.format(mime, value.replace("\n", ""))
        if mime == "text/html":
            return value
        if mime == "text/latex":
            return self.katex.render(value.strip().strip("$"), True)
        if mime == "text/markdown":
            return self.markdown.render(value)
        return "<pre>{}</pre>".format(html.escape(strip_ansi(value)))

    def notebook_body(self, notebook: nbformat.NotebookNode) -> str:
        """HTML of all the cells of ``notebook`` (raw cells are skipped)."""
        cells = {"markdown": self.markdown_cell, "code": self.code_cell}
        return "".join(cells[cell.cell_type](cell) for cell in notebook.cells if cell.cell_type in cells)

    def template(self, name: str, **context: Any) -> str:
        return self.templates.get_template(name).render(**context)


def table_of_contents(body: str) -> list[tuple[int, str, str, str | None]]:
    """``[(level, id, inner HTML, lang or None)]`` of the h1-h3 headings with an id in ``body``."""
    entries = []
    for heading in bs4.BeautifulSoup(body, "html.parser").find_all(TOC_LEVELS):
        if not heading.get("id"):
            continue
        owner = heading.find_parent(class_=[re.compile("^lang-")])
        lang = next((c[len("lang-") :] for c in owner["class"] if c.startswith("lang-")), None) if owner else None
        inner = "".join(str(child) for child in heading.contents)
        entries.append((int(heading.name[1]), heading["id"], inner, lang))
    return entries


def render_page(
    renderer: PageRenderer,
    kind: str,
    path: str | Path,
    page: str,
    title: tuple[str, str],
    editions: dict[str, tuple[str, str]],
    download: tuple[str, list[str]],
    site_title: tuple[str, str],
    notebook: nbformat.NotebookNode | None = None,
    setup: Sequence[str] = (),
) -> None:
    """Write page ``path``: ``kind`` "edition" shows ``notebook``; "index" is the landing page (``title`` is
    the site's), whose install steps end with the student's JupyterLab ``setup`` commands. Every page links
    to ``download`` (zip name, members)."""
    if kind == "edition":
        body = renderer.notebook_body(notebook)
    else:
        body = renderer.template("index_body.html.j2", editions=editions, download=download, setup=setup)
    text = renderer.template(
        "page.html.j2",
        body=body,
        toc=table_of_contents(body),
        page=page,
        title=title,
        site_title=site_title,
        editions=editions,
        download=download,
    )
    Path(path).write_text(text, encoding="utf-8")


def pygments_stylesheet() -> str:
    """CSS of the code highlighting (pygments' default style, for ``.highlight``)."""
    return HtmlFormatter().get_style_defs(".highlight") + "\n"


def katex_stylesheet(path: str | Path) -> str:
    """KaTeX's stylesheet with only the woff2 fonts referenced (the ones the site ships)."""
    return KATEX_FALLBACK_FONTS.sub("", Path(path).read_text(encoding="utf-8"))
