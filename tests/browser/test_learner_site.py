"""The self-learner site (``python -m course site``): built from the master notebook, current,
reproducible, without hidden tests, with a recorded run of the timing cell; and, in headless Chromium,
offline, with rendered math, a working language toggle, loading images, Chinese text in a CJK font,
and, on a 390 px phone, no page wider than the screen and a folded contents panel.

Screenshots of both languages go to ``test-artifacts/`` (git-ignored).
"""

import base64
import functools
import http.server
import json
import math
import re
import subprocess
import sys
import threading
import zipfile
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

from course.assignment import source_folder  # noqa: E402
from course.messages import CourseError  # noqa: E402
from course.notebooks import master_notebook, nbgrader_config  # noqa: E402
from course.site.build import (  # noqa: E402
    DOWNLOAD_ZIP,
    EDITIONS,
    RECORDED_RUNS,
    SITE_DIR,
    SITE_TITLE,
    prepared_worked_edition,
    recorded_runs,
    student_setup_commands,
    timing_cells,
    worked_edition,
)
from course.site.render import RECORDED_RUN_LABEL  # noqa: E402

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
#: Browser windows: a desktop, and a phone 390 CSS pixels wide (an iPhone 12 to 15).
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}
#: A line of the timing cell's table: P, and how many backprops the full numerical gradient costs.
TIMING_LINE = re.compile(r"^P =\s*(\d+):.*=\s*(\d+)$", re.MULTILINE)
#: The orders of magnitude the text after the timing cell quotes (its words in each language) for the cost of
#: the numerical gradient, in backprops, at the smallest and the largest P: (P, en, zh, lowest, highest).
QUOTED_COSTS = ((47, "hundreds", "数百", 100, 1_000), (5601, "tens of thousands", "数万", 10_000, 100_000))


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


def test_learner_site_page_titles_name_the_site_once(built_site):
    site_title = "{} · {}".format(*SITE_TITLE)
    assert soup(built_site, "index.html").title.get_text() == site_title
    for page, names in EDITIONS.items():
        assert soup(built_site, page).title.get_text() == "{} · {} — {}".format(*names, site_title)


def words(element):
    """The text of an HTML element, its whitespace runs made single spaces."""
    return " ".join(element.get_text(" ").split())


def test_learner_index_names_the_bonus_and_the_requirements_file(built_site):
    """The index says four graded exercises plus an optional bonus (in both languages), lists what the zip
    holds, and its install steps install the zip's requirements file, then run the student's JupyterLab
    set-up of requirements.txt (only the student's nbgrader tools, no news pop-up)."""
    index = soup(built_site, "index.html")
    setup_commands = student_setup_commands(REPO)
    assert len(setup_commands) == 2 and all(command.startswith("jupyter ") for command in setup_commands)
    english, chinese = (words(index.select_one("section." + lang)) for lang in ("lang-en", "lang-zh"))
    assert "four graded exercises" in english and "optional bonus exercise" in english
    assert "四个计分练习" in chinese and "选做的附加练习" in chinese
    with zipfile.ZipFile(built_site / "download" / DOWNLOAD_ZIP) as archive:
        members = archive.namelist()
    for lang in ("lang-en", "lang-zh"):
        section = index.select_one("section." + lang)
        assert "pip install -r requirements.txt" in section.get_text(), lang
        install = section.select_one("pre").get_text()
        assert [line for line in install.splitlines() if line.startswith("jupyter ")] == setup_commands, lang
        assert [li.get_text() for li in section.select(".downloads li")] == members, lang
    assert "gradient_checking/requirements.txt" in members
    assert [m for m in members if m.startswith("gradient_checking/images/")], "the download ships no figures"


def test_learner_worked_edition_shows_the_recorded_timing_run(built_site):
    """The timing cell of the worked edition shows the recorded run (its table and its plot), labelled as
    such in both languages; the student edition shows no output, as the release."""
    recorded = json.loads(RECORDED_RUNS.read_text(encoding="utf-8"))["cells"]
    cells = [c.get("id") for c in timing_cells(nbformat.read(str(source_notebook_path()), as_version=4))]
    assert cells, "the master notebook should have a timing cell"
    worked = soup(built_site, "worked.html")
    assert len(worked.select(".outputs.recorded")) == len(cells)
    for cell_id in cells:
        outputs = worked.select_one("#cell-{} .outputs.recorded".format(cell_id))
        label = outputs.select_one(".recorded-run")
        assert (label.select_one(".lang-en").get_text(), label.select_one(".lang-zh").get_text()) == RECORDED_RUN_LABEL
        runs = recorded[cell_id]["outputs"]
        texts = [output["text"] for output in runs if output["output_type"] == "stream"]
        assert texts and [text for text in texts if text not in outputs.get_text()] == []
        pngs = [
            output["data"]["image/png"].replace("\n", "") for output in runs if "image/png" in output.get("data", {})
        ]
        assert [img["src"] for img in outputs.select("img")] == ["data:image/png;base64," + png for png in pngs]
        assert soup(built_site, "student.html").select_one("#cell-{}".format(cell_id)).select(".outputs") == []


def test_learner_recorded_timing_run_has_the_orders_of_magnitude_the_text_quotes():
    """The text after the timing cell quotes, in both languages, what a full numerical gradient costs in
    backprops at the smallest and the largest P; the recorded run shows the same orders of magnitude."""
    master = nbformat.read(str(source_notebook_path()), as_version=4)
    recorded = json.loads(RECORDED_RUNS.read_text(encoding="utf-8"))["cells"]
    (cell,) = timing_cells(master)
    text = "".join(
        output["text"] for output in recorded[cell.get("id")]["outputs"] if output["output_type"] == "stream"
    )
    ratios = {int(size): int(ratio) for size, ratio in TIMING_LINE.findall(text)}
    assert list(ratios.values()) == sorted(ratios.values()), "the cost should grow with P"
    after = master.cells[master.cells.index(cell) + 1 :]
    english = next(c.source for c in after if c.metadata.get("lang") == "en")
    chinese = next(c.source for c in after if c.metadata.get("lang") == "zh")
    for size, en, zh, lowest, highest in QUOTED_COSTS:
        assert "$P = {}$".format(size) in english and en in english and zh in chinese, (size, en, zh)
        assert lowest <= ratios[size] < highest, (size, ratios)


def test_learner_record_timing_records_a_run_of_the_current_code(course_copy, tmp_path):
    """``python -m course site --record-timing`` records the timing cell's table and plot of the worked
    edition's run for its current code, and shows that run; once that code changes, the recording no longer
    counts."""
    path = tmp_path / "recorded_runs.json"
    master, config = master_notebook(course_copy), nbgrader_config(course_copy)
    shown = worked_edition(master, config, source_folder(course_copy), course_copy, path, log=lambda message: None)
    notebook = prepared_worked_edition(master, config, course_copy)
    runs = recorded_runs(notebook, path)
    (cell,) = timing_cells(notebook)
    text = "".join(output.text for output in runs[cell.get("id")] if output.output_type == "stream")
    sizes = [int(size) for size, _ in TIMING_LINE.findall(text)]
    assert {size for size, *_ in QUOTED_COSTS} <= set(sizes), text
    assert [output for output in runs[cell.get("id")] if "image/png" in output.get("data", {})]
    assert timing_cells(shown)[0].outputs == runs[cell.get("id")]
    cell.source += "\n"
    with pytest.raises(CourseError, match="--record-timing"):
        recorded_runs(notebook, path)


def test_learner_site_refuses_a_stale_timing_run(course_copy, tmp_path):
    path = source_notebook_path(course_copy)
    notebook = nbformat.read(str(path), as_version=4)
    timing_cells(notebook)[0].source += "\nprint('changed')"
    nbformat.write(notebook, str(path))
    result = subprocess.run(
        [sys.executable, "-m", "course", "site", "--course", str(course_copy), "--out", str(tmp_path / "out")],
        cwd=str(course_copy),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "--record-timing" in result.stderr and not (tmp_path / "out").exists()


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

    def __init__(self, browser, base_url, locale="en-US", viewport=DESKTOP):
        self.base_url = base_url
        self.foreign, self.errors = [], []
        self.context = browser.new_context(locale=locale, viewport=viewport)
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
    """``visit(folder, locale, viewport)`` -> Visit; each one fails the test if it requested anything non-local."""
    visits = []

    def start(folder, locale="en-US", viewport=DESKTOP):
        visits.append(Visit(browser, serve(folder), locale, viewport))
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
        # The contents panel's title and entries (its phone-only button is hidden on a desktop).
        toc_en, toc_zh = ".toc h2 .lang-en, .toc li.lang-en", ".toc h2 .lang-zh, .toc li.lang-zh"
        assert visible(page, toc_en)[0] == (visible(page, toc_en)[1] if shown_en else 0), mode
        assert visible(page, toc_zh)[0] == (visible(page, toc_zh)[1] if shown_zh else 0), mode
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
    for page_name in EDITIONS:
        one.open(page_name, page)
        for mode in ("en", "zh"):
            choose_language(page, mode)
            shown = page.locator("main a[href='download/{}']".format(DOWNLOAD_ZIP)).filter(visible=True)
            assert shown.count() == 1, (page_name, mode)


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


PAGE_AND_SCREEN_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"
#: Visible preformatted blocks wider than their box (they scroll inside themselves).
SCROLLING_BLOCKS = "[...document.querySelectorAll('main pre')].filter(e => e.checkVisibility() && e.scrollWidth > e.clientWidth).length"


@pytest.mark.parametrize("language", ["en", "zh", "both"])
@pytest.mark.parametrize("page_name", PAGES)
def test_learner_site_fits_a_phone_screen(built_site, visit, page_name, language):
    """At 390 px no page scrolls sideways, contents open or not: wide blocks (the expected outputs, the block
    report, code) scroll inside themselves."""
    page = visit(built_site, viewport=PHONE).open(page_name)
    choose_language(page, language)
    width, screen = page.evaluate(PAGE_AND_SCREEN_WIDTH)
    assert width <= screen, (page_name, language, width)
    if page_name in EDITIONS:
        assert page.evaluate(SCROLLING_BLOCKS) > 0, "no wide block: this test would not notice an overflow"
    page.click(".toc-toggle")
    width, screen = page.evaluate(PAGE_AND_SCREEN_WIDTH)
    assert width <= screen, (page_name, language, "contents open", width)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-phone-{}-{}.png".format(Path(page_name).stem, language)))


@pytest.mark.parametrize("page_name", PAGES)
def test_learner_site_contents_fold_on_a_phone(built_site, visit, page_name):
    """On a phone the contents panel is closed behind a button, which opens and closes it."""
    page = visit(built_site, viewport=PHONE).open(page_name)
    assert visible(page, ".toc-toggle") == (1, 1)
    assert visible(page, ".toc a")[0] == 0 and page.get_attribute(".toc-toggle", "aria-expanded") == "false"
    page.click(".toc-toggle")
    assert visible(page, ".toc li.lang-en a")[0] == visible(page, ".toc li.lang-en a")[1] > 0
    assert page.get_attribute(".toc-toggle", "aria-expanded") == "true"
    page.click(".toc a >> visible=true")
    page.click(".toc-toggle")
    assert visible(page, ".toc a")[0] == 0 and page.get_attribute(".toc-toggle", "aria-expanded") == "false"


def test_learner_site_contents_stay_beside_the_page_on_a_desktop(built_site, visit):
    one = visit(built_site)
    for page_name in PAGES:
        page = one.open(page_name)
        assert visible(page, ".toc-toggle") == (0, 1), page_name
        assert visible(page, ".toc h2")[0] == 1 and visible(page, ".toc li.lang-en a")[0] > 0, page_name
        toc, main = (page.locator(selector).bounding_box() for selector in (".toc", "main"))
        assert toc["x"] + toc["width"] <= main["x"] + 1, page_name
