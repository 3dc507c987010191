"""Notebook facts and edits shared by the tools: the nbgrader delimiters, the reference solutions,
submissions made from the release notebook, the language of narrative cells, and reproducible outputs.

The delimiters (``### BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS`` ...) are read from the course's
``nbgrader_config.py`` through nbgrader's own preprocessors, so a course that changes them changes
them everywhere. Used by the demo (``submitted/``), the feedback pages, the site and the tests.

Languages: one code path for both. A markdown (narrative) cell carries its language as ``metadata.lang``
("en" or "zh"); every other cell (code, nbgrader cells, markdown without a language) is shared. The site
shows or hides cells by language (``course.site.render``); a one-language release drops the other
language's narrative cells (``course.nbgrader_ext.filter_language``). Both read a cell's language with
``cell_language``.
"""

import functools
from collections import namedtuple
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from course.assignment import (
    BONUS_EXERCISES,
    EXERCISES,
    NOTEBOOK_FILE,
    REPO_ROOT,
    VARYING_OUTPUT_TAG,
    release_folder,
    source_folder,
)
from course.messages import (
    BAD_CELL_LANGUAGE,
    BAD_EDITION_LANGUAGE,
    NO_SOLUTION_CELL,
    NO_SUCH_EXERCISE,
    PATCH_NOT_ONCE,
    CourseError,
)

#: nbgrader's marker lines: solution region and hidden-test region.
Delimiters = namedtuple("Delimiters", "begin_solution end_solution begin_hidden end_hidden")


@functools.lru_cache(maxsize=8)
def nbgrader_config(root: Path = REPO_ROOT) -> Config:
    """The course's ``nbgrader_config.py`` loaded as a traitlets Config (stubs, delimiters, preprocessors)."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def delimiters(root: Path = REPO_ROOT) -> Delimiters:
    """The solution and hidden-test delimiters in force for the course at ``root``."""
    config = nbgrader_config(Path(root))
    solutions, hidden = ClearSolutions(config=config), ClearHiddenTests(config=config)
    return Delimiters(
        solutions.begin_solution_delimeter,
        solutions.end_solution_delimeter,
        hidden.begin_test_delimeter,
        hidden.end_test_delimeter,
    )


def is_delimiter_line(line: str, markers: Iterable[str]) -> bool:
    """True if ``line`` is one of nbgrader's marker lines (``### BEGIN SOLUTION`` ...) among ``markers``."""
    return any(marker in line for marker in markers)


def read(path: str | Path) -> nbformat.NotebookNode:
    """A notebook file, read as nbformat 4."""
    return nbformat.read(str(path), as_version=4)


def master_notebook(root: Path = REPO_ROOT) -> nbformat.NotebookNode:
    """The master notebook of the course at ``root``."""
    return read(source_folder(root) / NOTEBOOK_FILE)


def release_notebook(root: Path = REPO_ROOT) -> nbformat.NotebookNode:
    """The student version of the course at ``root`` (release/ must have been generated)."""
    return read(release_folder(root) / NOTEBOOK_FILE)


def reference_solutions(source_notebook: nbformat.NotebookNode, root: Path = REPO_ROOT) -> dict:
    """Map each exercise's grade_id (core and bonus) to its solution cell in the master notebook,
    the solution delimiters removed."""
    marks = delimiters(root)
    solutions = {}
    for cell in source_notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in EXERCISES + BONUS_EXERCISES and cell.metadata["nbgrader"].get("solution"):
            lines = cell.source.split("\n")
            kept = [line for line in lines if not is_delimiter_line(line, (marks.begin_solution, marks.end_solution))]
            solutions[grade_id] = "\n".join(kept)
    missing = [e for e in EXERCISES + BONUS_EXERCISES if e not in solutions]
    if missing:
        raise CourseError(NO_SOLUTION_CELL.format(names=", ".join(missing)))
    return solutions


def apply_patch(code: str, old: str, new: str, where: str) -> str:
    """Replace the one occurrence of ``old`` in ``code`` by ``new``; fail loudly if it is not there exactly once."""
    count = code.count(old)
    if count != 1:
        raise CourseError(PATCH_NOT_ONCE.format(where=where, old=old, count=count))
    return code.replace(old, new)


def patched_solutions(solutions: dict, patches: dict, where: str = "") -> dict:
    """A copy of ``solutions`` with ``patches`` (``{exercise: [(old, new), ...]}``) applied in order."""
    codes = dict(solutions)
    for exercise, replacements in (patches or {}).items():
        for old, new in replacements:
            codes[exercise] = apply_patch(codes[exercise], old, new, "{}{}".format(where, exercise))
    return codes


def fill_solution_cells(release_notebook: nbformat.NotebookNode, codes: dict) -> nbformat.NotebookNode:
    """Return a copy of ``release_notebook`` whose solution cells named in ``codes`` hold that code.

    ``codes`` maps a grade_id to the full source of its cell; cells not named keep the release stub.
    """
    notebook = nbformat.from_dict(release_notebook)  # deep copy
    unknown = set(codes) - set(EXERCISES + BONUS_EXERCISES)
    if unknown:
        raise CourseError(NO_SUCH_EXERCISE.format(names=", ".join(sorted(unknown))))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in codes and cell.metadata["nbgrader"].get("solution"):
            cell.source = codes[grade_id]
    return notebook


def solved_notebook(root: Path = REPO_ROOT, patches: dict | None = None, where: str = "") -> nbformat.NotebookNode:
    """The release notebook of the course at ``root`` with the reference solutions, ``patches`` applied."""
    codes = patched_solutions(reference_solutions(master_notebook(root), root), patches, where)
    return fill_solution_cells(release_notebook(root), codes)


#: The languages a narrative cell may have (its ``metadata.lang``).
LANGUAGES = ("en", "zh")
#: The edition with every language: the default release, the site.
BOTH_LANGUAGES = "both"
#: The language editions of the notebook: one language, or both.
EDITIONS = LANGUAGES + (BOTH_LANGUAGES,)


def cell_language(cell: nbformat.NotebookNode) -> str | None:
    """The language of a narrative cell (``metadata.lang`` of a markdown cell), or None for a cell every
    language shares (code, raw, markdown without a language); an unknown language is an error."""
    if cell.cell_type != "markdown":
        return None
    lang = cell.metadata.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise CourseError(BAD_CELL_LANGUAGE.format(cell=cell.get("id"), languages=list(LANGUAGES), lang=lang))
    return lang


def in_edition(cell: nbformat.NotebookNode, edition: str) -> bool:
    """True if ``cell`` belongs to ``edition`` ("en", "zh" or "both"): a narrative cell of that language,
    or a cell every language shares. A cell with nbgrader metadata is in every edition, whatever its language."""
    if edition not in EDITIONS:
        raise CourseError(BAD_EDITION_LANGUAGE.format(lang=edition, choices=", ".join(EDITIONS)))
    lang = cell_language(cell)
    return edition == BOTH_LANGUAGES or lang in (None, edition) or "nbgrader" in cell.metadata


def normalize_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Make an executed notebook's outputs reproducible (in place): clear the outputs of cells tagged
    VARYING_OUTPUT_TAG (timings) and join the chunks in which the kernel happened to send printed text."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and VARYING_OUTPUT_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    return notebook


def execute(notebook: nbformat.NotebookNode, folder: str | Path, timeout: int) -> nbformat.NotebookNode:
    """Run ``notebook`` top to bottom in a real ``python3`` kernel whose working folder is ``folder``
    (errors are recorded in the outputs, not raised); return it."""
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return notebook


def error_outputs(notebook: nbformat.NotebookNode) -> list:
    """``[(cell id, error name, error value)]`` for every code cell output that is an error."""
    return [
        (cell.get("id"), out.ename, out.evalue)
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]
