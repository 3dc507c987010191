"""``python -m course site``: the self-learner edition, a static bilingual site in ``site/``.

Built from the master notebook, with no network needed to build or to read it:

- ``student.html``: the student edition (exercises as stubs, no outputs: what the release shows);
- ``worked.html``: the worked edition (the master notebook executed: solutions and real outputs);
- ``index.html``: the landing page; ``download/gradient_checking.zip``: the release notebook and helpers.

Hidden tests appear in neither edition. Math is rendered to HTML at build time by the vendored
KaTeX (run in-process by the ``quickjs`` package); the site ships KaTeX's CSS and fonts only.
Narrative cells carry their language (``metadata.lang``); a client-side toggle shows English,
中文 or both. The build is deterministic: running it twice gives byte-identical files.
"""

import argparse
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config import Config

from course.assignment import (
    ASSIGNMENT,
    HELPER_FILES,
    NOTEBOOK_FILE,
    release_folder,
    require_course_root,
    source_folder,
)
from course.cli import add_command
from course.messages import (
    CMD_SITE,
    HELP_SITE_OUT,
    NOT_A_SOURCE_FILE,
    RELEASE_INCOMPLETE,
    SITE_STUDENT_EDITION,
    SITE_WORKED_EDITION,
    SITE_WRITTEN,
    WORKED_EDITION_FAILS,
    CourseError,
)
from course.notebooks import (
    delimiters,
    error_outputs,
    execute,
    is_delimiter_line,
    master_notebook,
    nbgrader_config,
    normalize_outputs,
)
from course.site.render import PageRenderer, katex_stylesheet, pygments_stylesheet, render_page

SITE_DIR = "site"
FILES_DIR = Path(__file__).resolve().parent / "files"
KATEX_DIR = Path(__file__).resolve().parent / "vendor" / "katex"
#: Seconds a worked-edition cell may run before the build gives up.
CELL_TIMEOUT = 120
#: Stand-in for the temporary folder the worked edition runs in, should an output mention it.
RUN_FOLDER_PLACEHOLDER = "<course>"
#: The download of the release: its name, the date and permissions of its members (fixed: reproducible).
DOWNLOAD_ZIP = ASSIGNMENT + ".zip"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o644
#: The editions: file name -> (English title, Chinese title).
EDITIONS = {
    "student.html": ("Student edition", "学生版"),
    "worked.html": ("Worked edition", "答案版"),
}


def student_edition(master: nbformat.NotebookNode, config: Config) -> nbformat.NotebookNode:
    """What the release shows: solutions replaced by stubs, hidden tests and outputs removed."""
    notebook = nbformat.from_dict(master)
    for preprocessor in (ClearSolutions(config=config), ClearHiddenTests(config=config), ClearOutputPreprocessor()):
        notebook, _ = preprocessor.preprocess(notebook, {})
    return notebook


def strip_solution_delimiters(notebook: nbformat.NotebookNode, root: Path) -> nbformat.NotebookNode:
    """Delete the lines holding nbgrader's BEGIN/END SOLUTION delimiters from every code cell (in place)."""
    marks = delimiters(root)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines = cell.source.split("\n")
            cell.source = "\n".join(
                line for line in lines if not is_delimiter_line(line, (marks.begin_solution, marks.end_solution))
            )
    return notebook


def execute_in_copy(notebook: nbformat.NotebookNode, assignment_folder: str | Path) -> nbformat.NotebookNode:
    """Run ``notebook`` in a temporary copy of ``assignment_folder``; raise CourseError if a cell fails."""
    with tempfile.TemporaryDirectory(prefix="course-site-") as scratch:
        folder = Path(scratch) / ASSIGNMENT
        shutil.copytree(
            assignment_folder,
            folder,
            symlinks=False,
            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
        )
        execute(notebook, folder, CELL_TIMEOUT)
        scrub_run_folder(notebook, str(folder))
    failures = error_outputs(notebook)
    if failures:
        raise CourseError(WORKED_EDITION_FAILS.format(failures=failures))
    return notebook


def scrub_run_folder(notebook: nbformat.NotebookNode, folder: str) -> None:
    """Replace the temporary run folder by a placeholder in text outputs; drop run timestamps and
    run-to-run variations (notebooks.normalize_outputs) (in place)."""
    normalize_outputs(notebook)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if "text" in output:
                output.text = output.text.replace(folder, RUN_FOLDER_PLACEHOLDER)
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and mime.startswith("text/"):
                    output.data[mime] = value.replace(folder, RUN_FOLDER_PLACEHOLDER)


def worked_edition(
    master: nbformat.NotebookNode, config: Config, assignment_folder: str | Path, root: Path
) -> nbformat.NotebookNode:
    """The master notebook with hidden tests removed, solution delimiters deleted, then executed."""
    notebook = nbformat.from_dict(master)
    notebook, _ = ClearHiddenTests(config=config).preprocess(notebook, {})
    strip_solution_delimiters(notebook, root)
    ClearOutputPreprocessor().preprocess(notebook, {})
    return execute_in_copy(notebook, assignment_folder)


def write_download(root: Path, out: Path) -> tuple[str, list[str]]:
    """Zip the release notebook and its helper modules into ``out/download/``; return (zip name, members).

    The zip is deterministic: fixed member order, dates and permissions."""
    release = release_folder(root)
    names = [NOTEBOOK_FILE, *HELPER_FILES]
    missing = [name for name in names if not (release / name).is_file()]
    if missing:
        raise CourseError(RELEASE_INCOMPLETE.format(assignment=ASSIGNMENT, names=", ".join(missing)))
    (out / "download").mkdir(parents=True)
    with zipfile.ZipFile(out / "download" / DOWNLOAD_ZIP, "w") as archive:
        for name in names:
            member = zipfile.ZipInfo("{}/{}".format(ASSIGNMENT, name), date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = ZIP_FILE_MODE << 16
            archive.writestr(member, (release / name).read_bytes())
    return DOWNLOAD_ZIP, ["{}/{}".format(ASSIGNMENT, name) for name in names]


def copy_assets(out: Path) -> None:
    """Ship the site's CSS/JS, KaTeX's CSS (woff2 fonts only), its fonts and licences under ``out/assets/``."""
    assets = out / "assets"
    katex = assets / "katex"
    (katex / "fonts").mkdir(parents=True)
    for name in ("site.css", "site.js"):
        shutil.copyfile(FILES_DIR / name, assets / name)
    (assets / "pygments.css").write_text(pygments_stylesheet(), encoding="utf-8")
    (katex / "katex.min.css").write_text(katex_stylesheet(KATEX_DIR / "katex.min.css"), encoding="utf-8")
    for font in sorted((KATEX_DIR / "fonts").glob("*.woff2")):
        shutil.copyfile(font, katex / "fonts" / font.name)
    shutil.copyfile(KATEX_DIR / "LICENSE", katex / "LICENSE")
    shutil.copyfile(KATEX_DIR / "fonts" / "OFL-1.1.txt", katex / "fonts" / "OFL-1.1.txt")


def copy_images(images: Iterable[str], assignment_folder: str | Path, out: Path) -> None:
    """Copy the local files the pages reference (paths relative to the notebook) into ``out``."""
    base = Path(assignment_folder).resolve()
    for relative in sorted(images):
        source = (base / relative).resolve()
        if base not in source.parents or not source.is_file():
            raise CourseError(NOT_A_SOURCE_FILE.format(relative=relative, assignment=ASSIGNMENT))
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def render_edition(renderer: PageRenderer, staging: Path, name: str, notebook: nbformat.NotebookNode) -> None:
    """Write the page of one edition of the notebook."""
    render_page(
        renderer, "edition", staging / name, notebook=notebook, page=name, title=EDITIONS[name], editions=EDITIONS
    )


def build_site(root: str | Path, out: str | Path, log: Callable[..., None] = print) -> list[str]:
    """Build the whole site of the course at ``root`` into ``out`` (replaced); return the page names."""
    root = require_course_root(root)
    out = Path(out).resolve()
    assignment_folder = source_folder(root)
    master, config = master_notebook(root), nbgrader_config(root)
    renderer = PageRenderer()
    with tempfile.TemporaryDirectory(prefix="course-site-out-") as scratch:
        staging = Path(scratch) / SITE_DIR
        staging.mkdir()
        download = write_download(root, staging)
        # The pages that need no kernel first: a bad image stops the build before the notebook is executed.
        log(SITE_STUDENT_EDITION.inline())
        pages = {"student.html": student_edition(master, config)}
        render_page(
            renderer,
            "index",
            staging / "index.html",
            page="index.html",
            notebook=master,
            title=("Gradient checking", "梯度检查"),
            editions=EDITIONS,
            download=download,
        )
        render_edition(renderer, staging, "student.html", pages["student.html"])
        log(SITE_WORKED_EDITION.inline())
        pages["worked.html"] = worked_edition(master, config, assignment_folder, root)
        render_edition(renderer, staging, "worked.html", pages["worked.html"])
        copy_images(renderer.images, assignment_folder, staging)
        copy_assets(staging)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staging, out)
    log(SITE_WRITTEN.format(path=out).inline())
    return ["index.html", *pages]


def _run(args):
    root = require_course_root(args.course)
    build_site(root, args.out or root / SITE_DIR)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        common,
        "site",
        CMD_SITE,
        __doc__,
        _run,
    )
    parser.add_argument("--out", default=None, metavar="DIR", help=HELP_SITE_OUT.inline())
