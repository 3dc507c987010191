"""``python -m course release``: regenerate the student notebook, in both languages or in one.

Runs ``nbgrader generate_assignment --force`` with the course's ``nbgrader_config.py``: ``source/`` ->
``release/<assignment>/`` (the notebook, its figures and helper modules), and the assignment's cells into
the gradebook. ``--lang en`` or ``--lang zh`` releases a notebook whose narrative is in that language only
(nbgrader's ``FilterLanguage`` step, ``course/nbgrader_ext/filter_language.py``); its code cells, graded
and locked cells, grade ids and checksums are those of the bilingual release, so the same gradebook and
autograder grade every edition, and students of different editions can be graded together.
``--lang both``, the default, is the bilingual release: what ``course demo`` produces and what is committed.
"""

import argparse
from pathlib import Path

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE, release_folder, require_course_root
from course.batch.gradebook import database_url
from course.cli import add_command
from course.messages import (
    BAD_EDITION_LANGUAGE,
    CMD_RELEASE,
    EDITION_BOTH,
    EDITION_EN,
    EDITION_ZH,
    HELP_DB,
    HELP_RELEASE_LANG,
    RELEASE_DONE,
)
from course.nbgrader_cli import run_nbgrader
from course.notebooks import BOTH_LANGUAGES, EDITIONS, cell_language, read

#: How each edition is named in messages.
EDITION_NAMES = {"en": EDITION_EN, "zh": EDITION_ZH, BOTH_LANGUAGES: EDITION_BOTH}


def generate_release(root: str | Path, lang: str = BOTH_LANGUAGES, db_url: str | None = None) -> Path:
    """``nbgrader generate_assignment --force`` in the course at ``root``: ``release/<assignment>/`` in
    edition ``lang`` ("en", "zh" or "both"), the assignment in gradebook ``db_url`` (default: nbgrader's,
    the course's gradebook.db). Returns the release folder."""
    args = ["generate_assignment", ASSIGNMENT, "--force", "--FilterLanguage.lang={}".format(lang)]
    if db_url:
        args += ["--db", db_url]
    run_nbgrader(Path(root), *args)
    return release_folder(Path(root))


def edition_argument(value: str) -> str:
    """argparse ``type`` of ``--lang``: the edition, or a bilingual error (argparse's own is English only)."""
    if value not in EDITIONS:
        raise argparse.ArgumentTypeError(BAD_EDITION_LANGUAGE.format(lang=value, choices=", ".join(EDITIONS)).inline())
    return value


def _run(args: argparse.Namespace) -> None:
    root = require_course_root(args.course)
    folder = generate_release(root, args.lang, database_url(root, args.db))
    cells = read(folder / NOTEBOOK_FILE).cells
    print(
        RELEASE_DONE.format(
            assignment=ASSIGNMENT,
            edition=EDITION_NAMES[args.lang],
            folder=folder,
            narrative=sum(1 for cell in cells if cell_language(cell)),
            graded=sum(1 for cell in cells if "nbgrader" in cell.metadata),
        ).text()
    )


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = add_command(subparsers, common, "release", CMD_RELEASE, __doc__, _run)
    parser.add_argument(
        "--lang",
        default=BOTH_LANGUAGES,
        type=edition_argument,
        choices=EDITIONS,
        help=HELP_RELEASE_LANG.inline(),
    )
    parser.add_argument("--db", metavar="URL", help=HELP_DB.inline())
