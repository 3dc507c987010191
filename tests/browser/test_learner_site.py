"""The self-learner site (``python -m course site``): built from the master notebook, current,
reproducible, without hidden tests; and, in headless Chromium, offline, with rendered math, a
working language toggle, loading images and Chinese text in a CJK font.

Screenshots of both languages go to ``test-artifacts/`` (git-ignored).
"""

import base64
import functools
import http.server
import math
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import bs4
import matplotlib
import nbformat
import pytest
from playwright.sync_api import sync_playwright
from support.course import REPO, copy_course, release_notebook_path, source_notebook_path

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from support.jupyterlab_browser import launch_chromium  # noqa: E402

from course.site.build import EDITIONS, SITE_DIR  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = REPO / "test-artifacts"
PAGES = ("index.html", *EDITIONS)
#: What raw TeX looks like when math was not rendered.
RAW_TEX = ("$$", "\\frac", "\\tag", "\\theta", "\\varepsilon", "\\partial", "\\lim")
HIDDEN_DELIMITERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SOLUTION_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION")
#: A number in an output line, and how closely real outputs match the expected ones ("the last digits may differ").
NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?")
OUTPUT_RTOL = 1e-6
#: The figure a test adds to a copy of the course: its path next to the notebook, and its size in inches.
TEST_FIGURE = "images/site_test_figure.png"
TEST_FIGURE_INCHES = (2, 1)


# ---------------------------------------------------------------------------- building


def build(root, out):
    """Run ``python -m course site`` on the course at ``root`` into ``out``; return ``out``."""
    result = subprocess.run(
        [sys.executable, "-m", "course", "site", "--course", str(root), "--out", str(out)],
        cwd=str(root),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Path(out)


def tree(folder):
    """``{relative path: bytes}`` of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The site freshly built from a copy of the course."""
    root = copy_course(tmp_path_factory.mktemp("site") / "course")
    return build(root, tmp_path_factory.mktemp("site-out") / SITE_DIR)


def add_figure_cells(root):
    """Draw a figure into ``source/<assignment>/images/`` and reference it from new en/zh markdown cells
    (and from an attachment); return the number of images the notebook now shows."""
    notebook_path = source_notebook_path(root)
    figure_path = notebook_path.parent / TEST_FIGURE
    figure_path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=TEST_FIGURE_INCHES)
    axes.plot([0, 1], [1, 0])
    figure.savefig(figure_path)
    plt.close(figure)
    notebook = nbformat.read(str(notebook_path), as_version=4)
    english = nbformat.v4.new_markdown_cell("Test figure: ![a line]({})".format(TEST_FIGURE), id="figure-en")
    english.metadata["lang"] = "en"
    chinese = nbformat.v4.new_markdown_cell('测试图：<img src="{}" alt="直线">'.format(TEST_FIGURE), id="figure-zh")
    chinese.metadata["lang"] = "zh"
    attached = nbformat.v4.new_markdown_cell("![attached](attachment:figure.png)", id="figure-attachment")
    attached.attachments = {"figure.png": {"image/png": base64.b64encode(figure_path.read_bytes()).decode("ascii")}}
    notebook.cells[2:2] = [english, chinese, attached]
    nbformat.write(notebook, str(notebook_path))
    return 3


@pytest.fixture(scope="module")
def figure_site(tmp_path_factory):
    """``(site folder, images shown)``: the site of a course copy whose notebook shows a figure."""
    root = copy_course(tmp_path_factory.mktemp("figure") / "course")
    images = add_figure_cells(root)
    return build(root, tmp_path_factory.mktemp("figure-out") / SITE_DIR), images


def soup(site, page):
    return bs4.BeautifulSoup((Path(site) / page).read_text(encoding="utf-8"), "html.parser")


def code_inputs(site, page):
    """The source text of every code cell shown on ``page``."""
    return [cell.select_one(".input").get_text().rstrip("\n") for cell in soup(site, page).select("section.cell.code")]


def delimited_lines(notebook, begin, end):
    """Stripped lines strictly between ``begin`` and ``end`` delimiter lines in the code cells, minus lines
    that also occur outside such regions (those may legitimately be shown)."""
    inside, outside = set(), set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        within = False
        for line in cell.source.split("\n"):
            if begin in line or end in line:
                within = begin in line
                continue
            (inside if within else outside).add(line.strip())
    return {line for line in inside - outside if line}


def shown_lines(site, page):
    return {line.strip() for source in code_inputs(site, page) for line in source.split("\n")}


def test_learner_site_is_current_and_reproducible(built_site):
    """The committed site/ is exactly what `python -m course site` builds now. The committed site was built
    at another time in another folder: byte-identical files also mean the build is reproducible (no
    timestamps, no temporary paths)."""
    committed, fresh = tree(REPO / SITE_DIR), tree(built_site)
    assert sorted(committed) == sorted(fresh), "site/ is out of date: run `python -m course site`"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, "site/ is out of date ({}): run `python -m course site`".format(stale)


def test_learner_site_shows_no_hidden_tests(built_site):
    master = nbformat.read(str(source_notebook_path()), as_version=4)
    hidden = delimited_lines(master, *HIDDEN_DELIMITERS)
    assert hidden, "the master notebook should have hidden tests for this test to mean anything"
    for page in EDITIONS:
        text = (built_site / page).read_text(encoding="utf-8")
        assert not [d for d in HIDDEN_DELIMITERS + SOLUTION_DELIMITERS if d in text], page
        assert sorted(hidden & shown_lines(built_site, page)) == [], page


def test_learner_student_edition_is_the_release(built_site):
    """The student edition shows the release notebook's code, no solutions and no outputs."""
    release = nbformat.read(str(release_notebook_path()), as_version=4)
    assert code_inputs(built_site, "student.html") == [c.source for c in release.cells if c.cell_type == "code"]
    assert soup(built_site, "student.html").select(".outputs") == []
    master = nbformat.read(str(source_notebook_path()), as_version=4)
    solutions = delimited_lines(master, *SOLUTION_DELIMITERS)
    assert solutions and sorted(solutions & shown_lines(built_site, "student.html")) == []
    assert sorted(solutions - shown_lines(built_site, "worked.html")) == []


def expected_output_lines(notebook):
    """Lines of the code spans and blocks of the English "expected output" cells."""
    lines = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("lang") == "en" and "expected" in (cell.get("id") or ""):
            for code in re.findall(r"```\n(.*?)```|`([^`\n]+)`", cell.source, re.DOTALL):
                lines.extend(line for line in "".join(code).split("\n") if line.strip())
    return lines


def same_output(expected, actual):
    """True if two output lines have the same words and numbers equal up to the last digits."""
    expected_numbers, actual_numbers = NUMBER.findall(expected), NUMBER.findall(actual)
    return (
        NUMBER.sub("#", expected).strip() == NUMBER.sub("#", actual).strip()
        and len(expected_numbers) == len(actual_numbers)
        and all(math.isclose(float(e), float(a), rel_tol=OUTPUT_RTOL) for e, a in zip(expected_numbers, actual_numbers))
    )


def test_learner_worked_edition_shows_the_expected_outputs(built_site):
    master = nbformat.read(str(source_notebook_path()), as_version=4)
    expected = expected_output_lines(master)
    assert expected, "the master notebook should show expected outputs"
    outputs = [line for o in soup(built_site, "worked.html").select(".outputs") for line in o.get_text().split("\n")]
    assert [e for e in expected if not any(same_output(e, line) for line in outputs)] == []


def test_learner_site_copies_referenced_figures(figure_site):
    site, _ = figure_site
    assert (site / TEST_FIGURE).read_bytes()[:4] == b"\x89PNG"
    for page in EDITIONS:
        sources = [img["src"] for img in soup(site, page).select("main img")]
        assert sources.count(TEST_FIGURE) == 2 and any(s.startswith("data:image/png;base64,") for s in sources)


def test_learner_site_refuses_network_images(course_copy, tmp_path):
    path = source_notebook_path(course_copy)
    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("![remote](https://example.com/figure.png)", id="remote"))
    nbformat.write(notebook, str(path))
    result = subprocess.run(
        [sys.executable, "-m", "course", "site", "--course", str(course_copy), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "offline" in result.stderr and not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- in the browser


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def serve():
    """``serve(folder)`` -> base URL of a local HTTP server for ``folder`` (all stopped at the end)."""
    servers = []

    def start(folder):
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return "http://127.0.0.1:{}/".format(server.server_address[1])

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


class Visit:
    """A browser context on one local site that aborts and records every request elsewhere,
    and records page errors."""

    def __init__(self, browser, base_url, locale="en-US"):
        self.base_url = base_url
        self.foreign, self.errors = [], []
        self.context = browser.new_context(locale=locale, viewport={"width": 1200, "height": 900})
        self.context.route("**/*", self.guard)

    def guard(self, route):
        url = route.request.url
        local = urlparse(url).netloc == urlparse(self.base_url).netloc
        if local:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def open(self, page_name, page=None):
        page = page or self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(self.base_url + page_name, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, serve):
    """``visit(folder, locale)`` -> Visit; each one fails the test if it requested anything non-local."""
    visits = []

    def start(folder, locale="en-US"):
        visits.append(Visit(browser, serve(folder), locale))
        return visits[-1]

    yield start
    for one in visits:
        one.close()
    assert [url for one in visits for url in one.foreign] == [], "the site requested non-local addresses"
    assert [error for one in visits for error in one.errors] == [], "JavaScript errors"


VISIBLE_COUNTS = """selector => { const all = [...document.querySelectorAll(selector)];
    return [all.filter(e => e.checkVisibility()).length, all.length]; }"""


def visible(page, selector):
    """``(visible, total)`` number of the elements matching ``selector``."""
    return tuple(page.evaluate(VISIBLE_COUNTS, selector))


def choose_language(page, mode):
    page.click(".lang-toggle button[data-mode='{}']".format(mode))
    assert page.get_attribute("html", "data-lang") == mode


def test_learner_site_guard_catches_foreign_requests(tmp_path, browser, serve):
    """The guard the other browser tests rely on does see a request to a CDN."""
    (tmp_path / "index.html").write_text('<script src="https://cdn.example.org/katex.js"></script>', encoding="utf-8")
    one = Visit(browser, serve(tmp_path))
    try:
        one.open("index.html")
        assert one.foreign == ["https://cdn.example.org/katex.js"]
    finally:
        one.close()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("page_name", PAGES)
def test_learner_site_renders_math_offline(built_site, visit, page_name, language):
    one = visit(built_site)
    page = one.open(page_name)
    choose_language(page, language)
    text = page.evaluate("document.body.innerText")
    assert [raw for raw in RAW_TEX if raw in text] == []
    assert page.locator(".katex-error").count() == 0
    if page_name in EDITIONS:
        shown, _ = visible(page, ".katex")
        assert shown > 0
        assert page.evaluate("[...document.fonts].some(f => f.family.startsWith('KaTeX') && f.status === 'loaded')")
        fraction_heights = page.evaluate(
            "[...document.querySelectorAll('.katex-html .mfrac')]"
            ".filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect().height)"
        )
        assert fraction_heights and min(fraction_heights) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-{}-{}.png".format(Path(page_name).stem, language)), full_page=True)


@pytest.mark.parametrize("page_name", PAGES)
def test_learner_site_toggle_hides_and_shows_languages(built_site, visit, page_name):
    page = visit(built_site).open(page_name)
    english, chinese = visible(page, ".lang-en"), visible(page, ".lang-zh")
    assert english[1] > 0 and chinese[1] > 0
    code = visible(page, "section.cell.code")
    for mode, shown_en, shown_zh in (("en", True, False), ("zh", False, True), ("both", True, True)):
        choose_language(page, mode)
        assert visible(page, "main .lang-en")[0] == (visible(page, "main .lang-en")[1] if shown_en else 0), mode
        assert visible(page, "main .lang-zh")[0] == (visible(page, "main .lang-zh")[1] if shown_zh else 0), mode
        assert visible(page, ".toc .lang-en")[0] == (visible(page, ".toc .lang-en")[1] if shown_en else 0), mode
        assert visible(page, ".toc .lang-zh")[0] == (visible(page, ".toc .lang-zh")[1] if shown_zh else 0), mode
        assert visible(page, "section.cell.code") == code, "code is shared by both languages"
        assert page.get_attribute(".lang-toggle button[data-mode='{}']".format(mode), "aria-pressed") == "true"


def test_learner_site_remembers_the_language_across_pages(built_site, visit):
    one = visit(built_site, locale="en-US")
    page = one.open("index.html")
    choose_language(page, "zh")
    for page_name in EDITIONS:
        one.open(page_name, page)
        assert page.get_attribute("html", "data-lang") == "zh"
        assert visible(page, "main .lang-en")[0] == 0 and visible(page, "main .lang-zh")[0] > 0
    page.click("a[href='index.html']")
    page.wait_for_load_state("load")
    assert page.get_attribute("html", "data-lang") == "zh"


@pytest.mark.parametrize("locale, mode", [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en"), ("fr-FR", "en")])
def test_learner_site_language_follows_the_browser_at_first(built_site, visit, locale, mode):
    page = visit(built_site, locale=locale).open("index.html")
    assert page.get_attribute("html", "data-lang") == mode
    hidden = ".lang-en" if mode == "zh" else ".lang-zh"
    assert visible(page, "main " + hidden)[0] == 0


def test_learner_site_contents_links_reach_headings(built_site, visit):
    page = visit(built_site).open("worked.html")
    targets = page.evaluate("[...document.querySelectorAll('.toc a')].map(a => a.getAttribute('href'))")
    assert len(targets) > len(EDITIONS)
    missing = page.evaluate("ts => ts.filter(t => !document.getElementById(t.slice(1)))", targets)
    assert missing == []


def test_learner_site_links_and_download_work(built_site, visit):
    one = visit(built_site)
    page = one.open("index.html")
    links = page.evaluate(
        "[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => !h.startsWith('#'))"
    )
    assert set(EDITIONS) <= set(links) and any(link.endswith(".zip") for link in links)
    for link in links:
        response = page.request.get(one.base_url + link)
        assert response.status == 200, link
        if link.endswith(".zip"):
            assert response.body()[:2] == b"PK", link


def test_learner_site_images_load(figure_site, built_site, visit):
    """Every image loads: the notebook's own figures and plots, plus the ``images`` the test adds."""
    site, images = figure_site
    script = "[...document.querySelectorAll('main img')].map(i => i.naturalWidth)"
    plain, with_figure = visit(built_site), visit(site)
    for page_name in EDITIONS:
        before = plain.open(page_name)
        choose_language(before, "both")
        page = with_figure.open(page_name)
        choose_language(page, "both")
        widths = page.evaluate(script)
        assert len(widths) == len(before.evaluate(script)) + images and min(widths) > 0, (page_name, widths)


def test_learner_site_chinese_uses_a_cjk_font(built_site, visit):
    page = visit(built_site, locale="zh-CN").open("student.html")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    document = session.send("DOM.getDocument", {"depth": 0})
    node = session.send(
        "DOM.querySelector",
        {"nodeId": document["root"]["nodeId"], "selector": "section.lang-zh h1, section.lang-zh h2"},
    )
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert any("CJK" in font["familyName"] for font in fonts), fonts
