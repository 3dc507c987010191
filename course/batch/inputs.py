"""Collect the submissions to grade: nbgrader's ``submitted/`` folder or a zip downloaded from an LMS.

Every student becomes either a :class:`Submission` (notebook bytes, ready to grade) or a
:class:`Rejected` (a bilingual message saying what is wrong); one bad student never stops the others.
"""

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE
from course.messages import (
    BAD_STUDENT_ID,
    JSON_NOT_NOTEBOOK,
    NO_ID_IN_NAME,
    NO_NOTEBOOK,
    NOT_A_ZIP,
    NOT_FOLDER_OR_ZIP,
    NOT_NOTEBOOK_JSON,
    NOTEBOOK_TOO_LARGE,
    SEVERAL_NOTEBOOKS,
    ZIP_WITHOUT_NOTEBOOK,
    CourseError,
)

#: A student id as nbgrader stores it: letters, digits, then also ``.``, ``_`` or ``-``.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Default LMS file name: ``<student>.ipynb`` or ``<student>_<anything>.ipynb`` (Canvas, Moodle exports),
#: the id being letters and digits that start with a letter.
DEFAULT_ZIP_PATTERN = r"^(?P<student>[A-Za-z][A-Za-z0-9]*)(?:_.*)?\.ipynb$"
#: A notebook larger than this is refused without being read (zip bombs, accidental data dumps).
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
TIMESTAMP_FILE = "timestamp.txt"


@dataclass(frozen=True)
class Submission:
    """One student's notebook, ready to grade."""

    student: str
    notebook: bytes
    timestamp: str = None  # contents of nbgrader's timestamp.txt, if any

    @property
    def digest(self) -> str:
        """Fingerprint of what is graded: a changed notebook or timestamp is graded again."""
        return hashlib.sha256(self.notebook + b"\0" + (self.timestamp or "").encode()).hexdigest()


@dataclass(frozen=True)
class Rejected:
    """A student (or file) that cannot be graded, and why (a bilingual message, ``Message.text()``)."""

    student: str
    message: str


def too_large() -> str:
    return NOTEBOOK_TOO_LARGE.format(mb=MAX_NOTEBOOK_BYTES // 2**20).text()


def check_notebook(data: bytes) -> str | None:
    """The problem with notebook bytes ``data`` (a bilingual message), or None if it is a readable notebook."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        return too_large()
    try:
        nbformat.reads(data.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        return NOT_NOTEBOOK_JSON.format(error=type(error).__name__).text()
    except Exception as error:  # nbformat raises assorted errors on valid JSON that is not a notebook
        return JSON_NOT_NOTEBOOK.format(error=type(error).__name__).text()
    return None


def make_submission(student: str, data: bytes, timestamp: str | None = None) -> Submission | Rejected:
    """A Submission, or a Rejected saying why ``data`` cannot be graded."""
    problem = check_notebook(data)
    return Rejected(student, problem) if problem else Submission(student, data, timestamp)


def bad_id(name: str) -> Rejected:
    return Rejected(name, BAD_STUDENT_ID.format(name=name).text())


def from_submitted_folder(folder: str | Path) -> list[Submission | Rejected]:
    """Read ``folder/<student>/gradient_checking/Gradient_Checking.ipynb`` (+ timestamp.txt) for every student."""
    entries = []
    for student_dir in sorted(p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith(".")):
        student = student_dir.name
        if not STUDENT_ID.match(student):
            entries.append(bad_id(student))
            continue
        notebook = student_dir / ASSIGNMENT / NOTEBOOK_FILE
        if not notebook.is_file():
            entries.append(Rejected(student, NO_NOTEBOOK.format(path=notebook.relative_to(folder)).text()))
            continue
        stamp = notebook.parent / TIMESTAMP_FILE
        timestamp = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None
        entries.append(make_submission(student, notebook.read_bytes(), timestamp or None))
    return entries


def from_zip(path: str | Path, pattern: str = DEFAULT_ZIP_PATTERN) -> list[Submission | Rejected]:
    """Read one notebook per student from an LMS zip; the student id comes from the file name via ``pattern``."""
    regex = re.compile(pattern)
    try:
        archive = zipfile.ZipFile(str(path))
    except zipfile.BadZipFile:
        raise CourseError(NOT_A_ZIP.format(path=path))
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and m.filename.endswith(".ipynb")
            and "__MACOSX" not in m.filename
            and not Path(m.filename).name.startswith(".")
        ]
        if not members:
            raise CourseError(ZIP_WITHOUT_NOTEBOOK.format(path=path))
        found = {}
        entries = []
        for member in members:
            name = Path(member.filename).name
            match = regex.match(name)
            if not match or not STUDENT_ID.match(match.group("student")):
                entries.append(Rejected(name, NO_ID_IN_NAME.format(pattern=pattern).text()))
                continue
            found.setdefault(match.group("student"), []).append(member)
        for student, files in sorted(found.items()):
            if len(files) > 1:
                names = ", ".join(f.filename for f in files)
                entries.append(Rejected(student, SEVERAL_NOTEBOOKS.format(count=len(files), names=names).text()))
            elif files[0].file_size > MAX_NOTEBOOK_BYTES:
                entries.append(Rejected(student, too_large()))
            else:
                entries.append(make_submission(student, archive.read(files[0])))
    return entries


def collect(source: str | Path, pattern: str = DEFAULT_ZIP_PATTERN) -> list[Submission | Rejected]:
    """Submissions and rejections from ``source`` (a submitted/ folder or a .zip file)."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".zip":
        return from_zip(source, pattern)
    if source.is_dir():
        return from_submitted_folder(source)
    raise CourseError(NOT_FOLDER_OR_ZIP.format(path=source))
