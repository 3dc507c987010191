"""``python -m course site``: the self-learner edition, a static bilingual site in ``site/``.

Built from the master notebook, with no network needed to build or to read it:

- ``student.html``: the student edition (exercises as stubs, no outputs: what the release shows);
- ``worked.html``: the worked edition (the master notebook executed: solutions and real outputs);
- ``index.html``: the landing page; ``download/gradient_checking.zip``: the release folder (notebook, helper
  modules, figures) with a ``requirements.txt`` at the course's versions.

The timing cell (tagged ``timing``) gives different numbers on every run, and a build must give the same
bytes every time: the worked edition shows, labelled as such, the run recorded in
``course/site/files/recorded_runs.json`` by ``python -m course site --record-timing``.

Hidden tests appear in neither edition. Math is rendered to HTML at build time by the vendored
KaTeX (run in-process by the ``quickjs`` package); the site ships KaTeX's CSS and fonts only.
Narrative cells carry their language (``metadata.lang``); a client-side toggle shows English,
中文 or both. The build is deterministic: running it twice gives byte-identical files.
"""

import argparse
import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearOutputPreprocessor, CoalesceStreamsPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config import Config

from course.assignment import (
    ASSIGNMENT,
    HELPER_FILES,
    NOTEBOOK_FILE,
    VARYING_OUTPUT_TAG,
    release_folder,
    require_course_root,
    source_folder,
)
from course.cli import add_command
from course.messages import (
    CMD_SITE,
    HELP_SITE_OUT,
    HELP_SITE_RECORD,
    NOT_A_SOURCE_FILE,
    RELEASE_INCOMPLETE,
    RELEASE_ONE_LANGUAGE,
    RUN_NOT_RECORDED,
    RUN_RECORDED,
    SITE_STUDENT_EDITION,
    SITE_WORKED_EDITION,
    SITE_WRITTEN,
    WORKED_EDITION_FAILS,
    CourseError,
)
from course.notebooks import (
    LANGUAGES,
    cell_language,
    delimiters,
    error_outputs,
    execute,
    is_delimiter_line,
    master_notebook,
    nbgrader_config,
    normalize_outputs,
)
from course.site.render import RECORDED_RUN, PageRenderer, katex_stylesheet, pygments_stylesheet, render_page

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
#: Files and folders of the release folder left out of the download.
NOT_DOWNLOADED = ("__pycache__", ".ipynb_checkpoints")
#: The course's requirements, whose pins (and the constraints file they name) the download ships.
REQUIREMENTS_FILE = "requirements.txt"
#: The header of the download's requirements file (its own folder: no repository, no instructor tools).
DOWNLOAD_REQUIREMENTS_HEADER = (
    "# Gradient checking: what the notebook needs, at the versions of the course (Python 3.11 or newer).",
    "# 梯度检查：运行 notebook 所需的软件包，版本与课程一致（Python 3.11 及以上）。",
    "# In this folder / 在本文件夹中：  pip install -r requirements.txt",
    "# The constraints file locks every package these pull in. / 约束文件锁定这些包引入的全部依赖。",
    "# Then, once, keep only the student's nbgrader tools and turn off JupyterLab's news pop-up (this venv only):",
    "# 然后运行一次下面的命令：只保留学生用的 nbgrader 工具，并关闭 JupyterLab 的新闻弹窗（只影响这个虚拟环境）：",
)
#: In the header of requirements.txt, the prefix of each of the student's JupyterLab set-up commands.
SETUP_COMMAND_PREFIX = "#   jupyter "
#: The recorded output of the cells tagged VARYING_OUTPUT_TAG (see the module docstring).
RECORDED_RUNS = FILES_DIR / "recorded_runs.json"
#: The title of the site (English, Chinese).
SITE_TITLE = ("Gradient checking", "梯度检查")
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


def execute_in_copy(
    notebook: nbformat.NotebookNode, assignment_folder: str | Path, keep_varying: bool = False
) -> nbformat.NotebookNode:
    """Run ``notebook`` in a temporary copy of ``assignment_folder``; raise CourseError if a cell fails.
    The outputs of the timing cells are cleared unless ``keep_varying``."""
    with tempfile.TemporaryDirectory(prefix="course-site-") as scratch:
        folder = Path(scratch) / ASSIGNMENT
        shutil.copytree(
            assignment_folder,
            folder,
            symlinks=False,
            ignore=shutil.ignore_patterns(*NOT_DOWNLOADED),
        )
        execute(notebook, folder, CELL_TIMEOUT)
        scrub_run_folder(notebook, str(folder), keep_varying)
    failures = error_outputs(notebook)
    if failures:
        raise CourseError(WORKED_EDITION_FAILS.format(failures=failures))
    return notebook


def scrub_run_folder(notebook: nbformat.NotebookNode, folder: str, keep_varying: bool = False) -> None:
    """Replace the temporary run folder by a placeholder in text outputs; drop run timestamps and
    run-to-run variations (notebooks.normalize_outputs: the timing cells' outputs, unless ``keep_varying``)
    (in place)."""
    varying = {id(cell): cell.outputs for cell in timing_cells(notebook)} if keep_varying else {}
    normalize_outputs(notebook)
    for cell in notebook.cells:
        if id(cell) in varying:
            cell.outputs = varying[id(cell)]
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if "text" in output:
                output.text = output.text.replace(folder, RUN_FOLDER_PLACEHOLDER)
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and mime.startswith("text/"):
                    output.data[mime] = value.replace(folder, RUN_FOLDER_PLACEHOLDER)
    if varying:
        CoalesceStreamsPreprocessor().preprocess(notebook, {})


def timing_cells(notebook: nbformat.NotebookNode) -> list:
    """The code cells tagged VARYING_OUTPUT_TAG: their outputs change from run to run."""
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and VARYING_OUTPUT_TAG in cell.metadata.get("tags", [])
    ]


def code_digest(cell: nbformat.NotebookNode) -> str:
    """SHA-256 of a cell's source: a recorded run belongs to exactly this code."""
    return hashlib.sha256(cell.source.encode("utf-8")).hexdigest()


def prepared_worked_edition(master: nbformat.NotebookNode, config: Config, root: Path) -> nbformat.NotebookNode:
    """The master notebook with hidden tests removed, solution delimiters deleted and no outputs (not run)."""
    notebook = nbformat.from_dict(master)
    notebook, _ = ClearHiddenTests(config=config).preprocess(notebook, {})
    strip_solution_delimiters(notebook, root)
    ClearOutputPreprocessor().preprocess(notebook, {})
    return notebook


def recorded_runs(notebook: nbformat.NotebookNode, path: Path = RECORDED_RUNS) -> dict:
    """``{cell id: outputs}``: the recorded run of each timing cell of ``notebook``, read from ``path``;
    CourseError if a timing cell has no run recorded for its current code."""
    runs = json.loads(path.read_text(encoding="utf-8"))["cells"] if path.is_file() else {}
    shown = {}
    for cell in timing_cells(notebook):
        run = runs.get(cell.get("id"))
        if not run or run["source_sha256"] != code_digest(cell):
            raise CourseError(RUN_NOT_RECORDED.format(cell=cell.get("id"), tag=VARYING_OUTPUT_TAG, path=path))
        shown[cell.get("id")] = [nbformat.from_dict(output) for output in run["outputs"]]
    return shown


def show_recorded_runs(notebook: nbformat.NotebookNode, runs: dict) -> None:
    """Give each timing cell its recorded outputs, marked for the page to label them (in place)."""
    for cell in timing_cells(notebook):
        cell.outputs = runs[cell.get("id")]
        cell.metadata[RECORDED_RUN] = True


def worked_edition(
    master: nbformat.NotebookNode,
    config: Config,
    assignment_folder: str | Path,
    root: Path,
    record_to: Path | None = None,
    log: Callable[..., None] = print,
) -> nbformat.NotebookNode:
    """The master notebook with hidden tests removed, solution delimiters deleted, then executed; the timing
    cells show their recorded run. With ``record_to`` (``python -m course site --record-timing``), this run's
    timing outputs are first recorded there (``record_runs``), then shown."""
    notebook = prepared_worked_edition(master, config, root)
    if record_to is None:
        runs = recorded_runs(notebook)  # before the long part: a missing recording stops the build at once
    execute_in_copy(notebook, assignment_folder, keep_varying=record_to is not None)
    if record_to is not None:
        record_runs(notebook, record_to, log)
        runs = recorded_runs(notebook, record_to)
    show_recorded_runs(notebook, runs)
    return notebook


def record_runs(notebook: nbformat.NotebookNode, path: Path = RECORDED_RUNS, log: Callable[..., None] = print) -> dict:
    """Write the outputs of the timing cells of ``notebook``, the worked edition just executed with its timing
    outputs kept (``execute_in_copy(..., keep_varying=True)``), to ``path``; return what was written."""
    record = {
        "command": "python -m course site --record-timing",
        "cells": {
            cell.get("id"): {"source_sha256": code_digest(cell), "outputs": cell.outputs}
            for cell in timing_cells(notebook)
        },
    }
    path.write_text(json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    log(RUN_RECORDED.format(cells=", ".join(record["cells"]), path=path).inline())
    return record


def student_setup_commands(root: Path) -> list[str]:
    """The student's JupyterLab set-up commands as the header of the course's requirements.txt gives them
    (lines ``#   jupyter ...``, a trailing backslash continuing on the next comment line), one string each."""
    text = (root / REQUIREMENTS_FILE).read_text(encoding="utf-8")
    commands = []
    for line in text.replace("\\\n#", " ").splitlines():
        if line.startswith(SETUP_COMMAND_PREFIX):
            commands.append(" ".join(line[1:].split()))
    return commands


def download_requirements(root: Path) -> dict[str, bytes]:
    """``{file name: content}``: the download's requirements file (the pins of the course's
    requirements.txt, under a header of its own) and the constraints files it names (as they are)."""
    lines = [*DOWNLOAD_REQUIREMENTS_HEADER, *("#   " + command for command in student_setup_commands(root))]
    files = {}
    for line in (root / REQUIREMENTS_FILE).read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option, _, value = line.partition(" ")
        if option in ("-c", "--constraint") and value.strip():
            name = Path(value.strip()).name
            files[name] = (root / value.strip()).read_bytes()
            line = "{} {}".format(option, name)
        lines.append(line)
    return {REQUIREMENTS_FILE: ("\n".join(lines) + "\n").encode("utf-8"), **files}


def write_download(root: Path, out: Path) -> tuple[str, list[str]]:
    """Zip the release folder (notebook, helper modules, figures) and the requirements of the course into
    ``out/download/``; return (zip name, members).

    The zip is deterministic: fixed member order, dates and permissions. A one-language release (``course
    release --lang``) is refused: the site's download is the bilingual notebook."""
    release = release_folder(root)
    missing = [name for name in (NOTEBOOK_FILE, *HELPER_FILES) if not (release / name).is_file()]
    if missing:
        raise CourseError(RELEASE_INCOMPLETE.format(assignment=ASSIGNMENT, names=", ".join(missing)))
    languages = {cell_language(cell) for cell in nbformat.read(str(release / NOTEBOOK_FILE), as_version=4).cells}
    if len(languages & set(LANGUAGES)) == 1:
        (lang,) = languages & set(LANGUAGES)
        raise CourseError(RELEASE_ONE_LANGUAGE.format(assignment=ASSIGNMENT, lang=lang))
    others = sorted(
        path.relative_to(release).as_posix()
        for path in release.rglob("*")
        if path.is_file() and not set(path.relative_to(release).parts) & set(NOT_DOWNLOADED)
    )
    others = [name for name in others if name not in (NOTEBOOK_FILE, *HELPER_FILES)]
    files = {name: (release / name).read_bytes() for name in [NOTEBOOK_FILE, *HELPER_FILES, *others]}
    files.update(download_requirements(root))
    (out / "download").mkdir(parents=True)
    with zipfile.ZipFile(out / "download" / DOWNLOAD_ZIP, "w") as archive:
        for name, content in files.items():
            member = zipfile.ZipInfo("{}/{}".format(ASSIGNMENT, name), date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = ZIP_FILE_MODE << 16
            archive.writestr(member, content)
    return DOWNLOAD_ZIP, ["{}/{}".format(ASSIGNMENT, name) for name in files]


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


def render_edition(
    renderer: PageRenderer,
    staging: Path,
    name: str,
    notebook: nbformat.NotebookNode,
    download: tuple[str, list[str]],
) -> None:
    """Write the page of one edition of the notebook (it links to the download)."""
    render_page(
        renderer,
        "edition",
        staging / name,
        notebook=notebook,
        page=name,
        title=EDITIONS[name],
        editions=EDITIONS,
        download=download,
        site_title=SITE_TITLE,
    )


def build_site(
    root: str | Path, out: str | Path, log: Callable[..., None] = print, record_timing: bool = False
) -> list[str]:
    """Build the whole site of the course at ``root`` into ``out`` (replaced); return the page names.
    With ``record_timing``, the run of the worked edition is also recorded as the timing cells' run
    (``RECORDED_RUNS``)."""
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
            title=SITE_TITLE,
            editions=EDITIONS,
            download=download,
            site_title=SITE_TITLE,
            setup=student_setup_commands(root),
        )
        render_edition(renderer, staging, "student.html", pages["student.html"], download)
        log(SITE_WORKED_EDITION.inline())
        record_to = RECORDED_RUNS if record_timing else None
        pages["worked.html"] = worked_edition(master, config, assignment_folder, root, record_to, log)
        render_edition(renderer, staging, "worked.html", pages["worked.html"], download)
        copy_images(renderer.images, assignment_folder, staging)
        copy_assets(staging)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staging, out)
    log(SITE_WRITTEN.format(path=out).inline())
    return ["index.html", *pages]


def _run(args):
    root = require_course_root(args.course)
    build_site(root, args.out or root / SITE_DIR, record_timing=args.record_timing)


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
    parser.add_argument("--record-timing", action="store_true", help=HELP_SITE_RECORD.inline())
