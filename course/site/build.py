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
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearOutputPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config.loader import PyFileConfigLoader

from course.common import (ASSIGNMENT, HELPER_MODULES, NOTEBOOK_FILE, REPO_ROOT, CourseError, bilingual,
                           normalize_outputs, require_course_root)
from course.site_render import PageRenderer, katex_stylesheet, render_page, pygments_stylesheet

SITE_DIR = "site"
FILES_DIR = Path(__file__).resolve().parent / "site_files"
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


def nbgrader_config(root):
    """The course's ``nbgrader_config.py`` loaded as a traitlets Config (stubs, delimiters)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def master_notebook(root):
    """The master notebook of the course, read as nbformat 4."""
    return nbformat.read(str(root / "source" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)


def student_edition(master, config):
    """What the release shows: solutions replaced by stubs, hidden tests and outputs removed."""
    notebook = nbformat.from_dict(master)
    for preprocessor in (ClearSolutions(config=config), ClearHiddenTests(config=config),
                         ClearOutputPreprocessor()):
        notebook, _ = preprocessor.preprocess(notebook, {})
    return notebook


def strip_solution_delimiters(notebook, config):
    """Delete the lines holding nbgrader's BEGIN/END SOLUTION delimiters from every code cell (in place)."""
    solutions = ClearSolutions(config=config)
    delimiters = (solutions.begin_solution_delimeter, solutions.end_solution_delimeter)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            lines = cell.source.split("\n")
            cell.source = "\n".join(line for line in lines if not any(d in line for d in delimiters))
    return notebook


def execute_in_copy(notebook, assignment_folder):
    """Run ``notebook`` in a temporary copy of ``assignment_folder``; raise CourseError if a cell fails."""
    with tempfile.TemporaryDirectory(prefix="course-site-") as scratch:
        folder = Path(scratch) / ASSIGNMENT
        shutil.copytree(assignment_folder, folder, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        scrub_run_folder(notebook, str(folder))
    failures = [(cell.get("id"), out.ename, out.evalue) for cell in notebook.cells if cell.cell_type == "code"
                for out in cell.get("outputs", []) if out.output_type == "error"]
    if failures:
        raise CourseError(bilingual(
            "the worked edition must run without errors; failing cells: {}".format(failures),
            "答案版必须能无错误地运行；出错的单元格：{}".format(failures)))
    return notebook


def scrub_run_folder(notebook, folder):
    """Replace the temporary run folder by a placeholder in text outputs; drop run timestamps and
    run-to-run variations (common.normalize_outputs) (in place)."""
    normalize_outputs(notebook)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if "text" in output:
                output.text = output.text.replace(folder, RUN_FOLDER_PLACEHOLDER)
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and mime.startswith("text/"):
                    output.data[mime] = value.replace(folder, RUN_FOLDER_PLACEHOLDER)


def worked_edition(master, config, assignment_folder):
    """The master notebook with hidden tests removed, solution delimiters deleted, then executed."""
    notebook = nbformat.from_dict(master)
    notebook, _ = ClearHiddenTests(config=config).preprocess(notebook, {})
    strip_solution_delimiters(notebook, config)
    ClearOutputPreprocessor().preprocess(notebook, {})
    return execute_in_copy(notebook, assignment_folder)


def write_download(root, out):
    """Zip the release notebook and its helper modules into ``out/download/``; return (zip name, members).

    The zip is deterministic: fixed member order, dates and permissions."""
    release = root / "release" / ASSIGNMENT
    names = [NOTEBOOK_FILE, *HELPER_MODULES]
    missing = [name for name in names if not (release / name).is_file()]
    if missing:
        raise CourseError(bilingual(
            "release/{}/ lacks {}: run `python -m course demo` first".format(ASSIGNMENT, ", ".join(missing)),
            "release/{}/ 缺少 {}：请先运行 `python -m course demo`".format(ASSIGNMENT, ", ".join(missing))))
    (out / "download").mkdir(parents=True)
    with zipfile.ZipFile(out / "download" / DOWNLOAD_ZIP, "w") as archive:
        for name in names:
            member = zipfile.ZipInfo("{}/{}".format(ASSIGNMENT, name), date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = ZIP_FILE_MODE << 16
            archive.writestr(member, (release / name).read_bytes())
    return DOWNLOAD_ZIP, ["{}/{}".format(ASSIGNMENT, name) for name in names]


def copy_assets(out):
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


def copy_images(images, assignment_folder, out):
    """Copy the local files the pages reference (paths relative to the notebook) into ``out``."""
    base = Path(assignment_folder).resolve()
    for relative in sorted(images):
        source = (base / relative).resolve()
        if base not in source.parents or not source.is_file():
            raise CourseError(bilingual(
                "the notebook references {!r}, which is not a file inside source/{}/".format(relative, ASSIGNMENT),
                "notebook 引用了 {!r}，它不是 source/{}/ 中的文件".format(relative, ASSIGNMENT)))
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def build_site(root, out, log=print):
    """Build the whole site of the course at ``root`` into ``out`` (replaced); return the page names."""
    root = require_course_root(root)
    out = Path(out).resolve()
    assignment_folder = root / "source" / ASSIGNMENT
    master, config = master_notebook(root), nbgrader_config(root)
    renderer = PageRenderer()
    with tempfile.TemporaryDirectory(prefix="course-site-out-") as scratch:
        staging = Path(scratch) / SITE_DIR
        staging.mkdir()
        download = write_download(root, staging)
        log("student edition")
        pages = {"student.html": student_edition(master, config)}
        log("worked edition (executing the master notebook)")
        pages["worked.html"] = worked_edition(master, config, assignment_folder)
        for name, notebook in pages.items():
            render_page(renderer, "edition", staging / name, notebook=notebook, page=name,
                        title=EDITIONS[name], editions=EDITIONS)
        render_page(renderer, "index", staging / "index.html", page="index.html", notebook=master,
                    title=("Gradient checking", "梯度检查"), editions=EDITIONS, download=download)
        copy_images(renderer.images, assignment_folder, staging)
        copy_assets(staging)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staging, out)
    log("site written to {}".format(out))
    return ["index.html", *pages]


def _run(args):
    root = require_course_root(args.course)
    build_site(root, args.out or root / SITE_DIR)


def register(subparsers):
    parser = subparsers.add_parser(
        "site", help="build the self-learner site (student and worked editions, EN/中文) into site/",
        description=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--course", default=str(REPO_ROOT), metavar="PATH",
                        help="the course folder (default: this repository)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="where to write the site (default: COURSE/site; replaced)")
    parser.set_defaults(func=_run)
