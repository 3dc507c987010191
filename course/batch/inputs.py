"""Collect the submissions to grade: nbgrader's ``submitted/`` folder or a zip downloaded from an LMS.

Every student becomes either a :class:`Submission` (notebook bytes, ready to grade) or a
:class:`Rejected` (a bilingual message saying what is wrong); one bad student never stops the others.

Why so careful: everything under ``submitted/`` (and every name in a zip) comes from students. A
notebook that is a symbolic (or hard) link to the master notebook would be graded from its target,
i.e. with full marks; a named pipe would hang the grader; a device file could be read without end.
So nothing inside the submitted folder is followed (only the folder itself, given by the instructor):
each path part is opened relative to its parent's descriptor with ``O_NOFOLLOW`` and ``O_NONBLOCK``,
checked with ``fstat`` on that descriptor (no race between the check and the read), and read up to a
limit only. Zip members are read as bytes, never extracted; links, special files and unsafe names
(absolute, ``..``, control characters, absurdly long) are refused member by member.
"""

import hashlib
import json
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE
from course.messages import (
    ASSIGNMENT_FOLDER,
    BAD_STUDENT_ID,
    JSON_NOT_NOTEBOOK,
    KIND_DEVICE,
    KIND_FIFO,
    KIND_FILE,
    KIND_FOLDER,
    KIND_LINK,
    KIND_OTHER,
    KIND_SOCKET,
    NAME_ABSOLUTE,
    NAME_CONTROL,
    NAME_PARENT,
    NAME_TOO_LONG,
    NO_ID_IN_NAME,
    NO_NOTEBOOK,
    NOT_A_ZIP,
    NOT_FOLDER_OR_ZIP,
    NOT_NOTEBOOK_JSON,
    NOTEBOOK_ITSELF,
    NOTEBOOK_TOO_LARGE,
    SEVERAL_NOTEBOOKS,
    STUDENT_FOLDER,
    SUBMISSION_HARD_LINK,
    SUBMISSION_IS_LINK,
    SUBMISSION_UNREADABLE,
    SUBMISSION_WRONG_TYPE,
    TIMESTAMP_ITSELF,
    TIMESTAMP_TOO_LONG,
    ZIP_MEMBER_BAD_NAME,
    ZIP_MEMBER_UNREADABLE,
    ZIP_MEMBER_WRONG_TYPE,
    ZIP_WITHOUT_NOTEBOOK,
    CourseError,
    Message,
)

#: A student id as nbgrader stores it: letters, digits, then also ``.``, ``_`` or ``-``.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: Default LMS file name: ``<student>.ipynb`` or ``<student>_<anything>.ipynb`` (Canvas, Moodle exports),
#: the id being letters and digits that start with a letter.
DEFAULT_ZIP_PATTERN = r"^(?P<student>[A-Za-z][A-Za-z0-9]*)(?:_.*)?\.ipynb$"
#: A notebook larger than this is refused without being read (zip bombs, accidental data dumps).
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
TIMESTAMP_FILE = "timestamp.txt"
#: nbgrader writes one date and time into timestamp.txt; a longer file is refused.
MAX_TIMESTAMP_BYTES = 1024
#: Each part of the submitted folder is opened with these flags (relative to its parent's descriptor):
#: never through a link (O_NOFOLLOW), never waiting for a FIFO's writer (O_NONBLOCK).
OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
OPEN_FOLDER = OPEN_FILE | os.O_DIRECTORY
#: Longest zip member name accepted, in UTF-8 bytes: per part (the usual file-system limit) and in all.
MAX_NAME_PART_BYTES = 255
MAX_NAME_BYTES = 1024
#: Unicode categories of the characters a member name must not hold: controls (NUL included) and
#: invisible formatting characters (e.g. right-to-left overrides).
CONTROL_CATEGORIES = ("Cc", "Cf")
#: A name in a message is cut to this many characters.
SHOWN_NAME_CHARS = 120
#: ``ZipInfo.create_system`` of an archive made on Unix: only then does ``external_attr >> 16`` hold a file mode.
ZIP_UNIX = 3


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
    """The bilingual message of a notebook over MAX_NOTEBOOK_BYTES."""
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
    """The Rejected of a submitted/ entry whose name is not a student id."""
    return Rejected(name, BAD_STUDENT_ID.format(name=name).text())


# ---- the submitted/ folder: opened part by part, never through a link ---------------------------


class Unfit(Exception):
    """A path of a submission that is not read; ``message`` says what it is and how to fix it."""

    def __init__(self, message: Message):
        super().__init__(message.en)
        self.message = message


def kind_of(mode: int) -> Message:
    """What a file of ``mode`` (an ``st_mode``, or a zip member's Unix mode) is, in words."""
    kinds = (
        (stat.S_ISLNK, KIND_LINK),
        (stat.S_ISDIR, KIND_FOLDER),
        (stat.S_ISREG, KIND_FILE),
        (stat.S_ISFIFO, KIND_FIFO),
        (stat.S_ISCHR, KIND_DEVICE),
        (stat.S_ISBLK, KIND_DEVICE),
        (stat.S_ISSOCK, KIND_SOCKET),
    )
    return next((kind for is_kind, kind in kinds if is_kind(mode)), KIND_OTHER)


def entry_problem(info: os.stat_result, path: str, what: Message, folder: bool) -> Message | None:
    """Why the entry at ``path`` (``info``: its stat, the link itself if it is one) cannot be read as the
    ``what`` (a plain folder if ``folder``, else a regular file with a single name), or None."""
    if stat.S_ISLNK(info.st_mode):
        return SUBMISSION_IS_LINK.format(path=path, what=what)
    if not (stat.S_ISDIR if folder else stat.S_ISREG)(info.st_mode):
        expected = KIND_FOLDER if folder else KIND_FILE
        return SUBMISSION_WRONG_TYPE.format(path=path, kind=kind_of(info.st_mode), expected=expected, what=what)
    if not folder and info.st_nlink > 1:
        return SUBMISSION_HARD_LINK.format(path=path, count=info.st_nlink, what=what)
    return None


def open_entry(parent: int, name: str, path: str, what: Message, folder: bool = False) -> int:
    """A descriptor of ``name`` in the open folder ``parent``: never through a link, never blocking.

    Checked before opening (a FIFO or a device is not even opened) and again on the descriptor (the
    entry may have been replaced in between). Raises FileNotFoundError if it is missing, Unfit if it
    is not a plain folder / regular file (``path``, ``what``: how the messages name it).
    """
    try:
        problem = entry_problem(os.stat(name, dir_fd=parent, follow_symlinks=False), path, what, folder)
        if problem:
            raise Unfit(problem)
        fd = os.open(name, OPEN_FOLDER if folder else OPEN_FILE, dir_fd=parent)
    except (FileNotFoundError, Unfit):
        raise
    except OSError as error:  # replaced by a link or another type since the check, or unreadable
        raise Unfit(SUBMISSION_UNREADABLE.format(path=path, error=error.strerror or type(error).__name__))
    problem = entry_problem(os.fstat(fd), path, what, folder)
    if problem:
        os.close(fd)
        raise Unfit(problem)
    return fd


@contextmanager
def opened_folder(parent: int, name: str, path: str, what: Message) -> Iterator[int]:
    """``open_entry`` for a folder, closed at the end of the ``with`` block."""
    fd = open_entry(parent, name, path, what, folder=True)
    try:
        yield fd
    finally:
        os.close(fd)


def read_entry(parent: int, name: str, path: str, what: Message, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``name`` in ``parent`` (the size on disk is not trusted)."""
    with os.fdopen(open_entry(parent, name, path, what), "rb") as handle:
        return handle.read(limit + 1)


def read_timestamp(folder: int, path: str) -> str | None:
    """The text of nbgrader's timestamp.txt in the open ``folder``, or None if there is none."""
    try:
        data = read_entry(folder, TIMESTAMP_FILE, path, TIMESTAMP_ITSELF, MAX_TIMESTAMP_BYTES)
    except FileNotFoundError:
        return None
    if len(data) > MAX_TIMESTAMP_BYTES:
        raise Unfit(TIMESTAMP_TOO_LONG.format(path=path, limit=MAX_TIMESTAMP_BYTES))
    return data.decode("utf-8", errors="replace").strip() or None


def read_student(root: int, student: str) -> Submission | Rejected:
    """``student/gradient_checking/Gradient_Checking.ipynb`` (+ timestamp.txt) of the open submitted folder."""
    work = "{}/{}".format(student, ASSIGNMENT)
    notebook = "{}/{}".format(work, NOTEBOOK_FILE)
    try:
        with opened_folder(root, student, student, STUDENT_FOLDER) as home:
            with opened_folder(home, ASSIGNMENT, work, ASSIGNMENT_FOLDER) as assignment:
                data = read_entry(assignment, NOTEBOOK_FILE, notebook, NOTEBOOK_ITSELF, MAX_NOTEBOOK_BYTES)
                timestamp = read_timestamp(assignment, "{}/{}".format(work, TIMESTAMP_FILE))
    except FileNotFoundError:
        return Rejected(student, NO_NOTEBOOK.format(path=notebook).text())
    except Unfit as unfit:
        return Rejected(student, unfit.message.text())
    return make_submission(student, data, timestamp)


def student_entry(root: int, name: str) -> Submission | Rejected | None:
    """What the entry ``name`` of the open submitted folder gives; None if it is no student's folder
    (a hidden name, a stray file). A link is a student's entry (and is rejected): links are not followed."""
    if name.startswith("."):
        return None
    try:
        mode = os.stat(name, dir_fd=root, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return None
    if not (stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
        return None
    if not STUDENT_ID.match(name):
        return bad_id(name)
    return read_student(root, name)


def from_submitted_folder(folder: str | Path) -> list[Submission | Rejected]:
    """Read ``folder/<student>/gradient_checking/Gradient_Checking.ipynb`` (+ timestamp.txt) for every student.

    ``folder`` itself is the instructor's and may be a link; nothing inside it is followed.
    """
    root = os.open(str(folder), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        entries = (student_entry(root, name) for name in sorted(os.listdir(root)))
        return [entry for entry in entries if entry is not None]
    finally:
        os.close(root)


# ---- an LMS zip: members read as bytes, never extracted -----------------------------------------


def shown(name: str) -> str:
    """``name`` safe to print: control characters escaped, cut to a readable length."""
    text = "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in CONTROL_CATEGORIES else c for c in name
    )
    return text if len(text) <= SHOWN_NAME_CHARS else text[: SHOWN_NAME_CHARS - 1] + "…"


def name_problem(name: str) -> Message | None:
    """Why a zip member's name is unsafe (a Message naming the reason), or None."""
    parts = re.split(r"[/\\]", name)
    if any(unicodedata.category(c) in CONTROL_CATEGORIES for c in name):
        return NAME_CONTROL
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return NAME_ABSOLUTE
    if ".." in parts:
        return NAME_PARENT
    size = len(name.encode("utf-8", errors="replace"))
    if size > MAX_NAME_BYTES or any(len(p.encode("utf-8", errors="replace")) > MAX_NAME_PART_BYTES for p in parts):
        return NAME_TOO_LONG.format(part=MAX_NAME_PART_BYTES, total=MAX_NAME_BYTES)
    return None


def member_problem(member: zipfile.ZipInfo) -> Message | None:
    """Why a zip member is not read (its Unix file type, or its name as stored, NUL included), or None."""
    name = member.orig_filename  # zipfile cuts ``filename`` at a NUL; the stored name keeps it
    mode = member.external_attr >> 16
    if member.create_system == ZIP_UNIX and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return ZIP_MEMBER_WRONG_TYPE.format(name=shown(name), kind=kind_of(mode))
    reason = name_problem(name)
    return ZIP_MEMBER_BAD_NAME.format(name=shown(name), reason=reason) if reason else None


def is_notebook_member(member: zipfile.ZipInfo) -> bool:
    """Whether a zip member is meant as a notebook (not a folder, nor macOS or hidden clutter)."""
    return (
        not member.is_dir()
        and member.filename.endswith(".ipynb")
        and "__MACOSX" not in member.filename
        and not Path(member.filename).name.startswith(".")
    )


def read_member(archive: zipfile.ZipFile, student: str, member: zipfile.ZipInfo) -> Submission | Rejected:
    """The student's Submission from one zip member (at most MAX_NOTEBOOK_BYTES + 1 bytes read)."""
    if member.file_size > MAX_NOTEBOOK_BYTES:
        return Rejected(student, too_large())
    try:
        with archive.open(member) as handle:
            data = handle.read(MAX_NOTEBOOK_BYTES + 1)
    except Exception as error:  # zipfile raises assorted errors: damaged, encrypted, unknown compression
        message = ZIP_MEMBER_UNREADABLE.format(name=shown(member.filename), error=type(error).__name__)
        return Rejected(student, message.text())
    return make_submission(student, data)


def zip_student(archive: zipfile.ZipFile, student: str, files: list) -> Submission | Rejected:
    """One student's entry from their ``(member, problem)`` pairs: rejected if any member is unsafe."""
    problems = [problem for _, problem in files if problem]
    if problems:
        return Rejected(student, problems[0].text())
    if len(files) > 1:
        names = ", ".join(shown(member.filename) for member, _ in files)
        return Rejected(student, SEVERAL_NOTEBOOKS.format(count=len(files), names=names).text())
    return read_member(archive, student, files[0][0])


def from_zip(path: str | Path, pattern: str = DEFAULT_ZIP_PATTERN) -> list[Submission | Rejected]:
    """Read one notebook per student from an LMS zip; the student id comes from the file name via ``pattern``.

    A member that is unsafe (a link or special file, an unsafe name) rejects its student, or itself when
    no id can be read from its name; the rest of the class is read.
    """
    regex = re.compile(pattern)
    try:
        archive = zipfile.ZipFile(str(path))
    except zipfile.BadZipFile:
        raise CourseError(NOT_A_ZIP.format(path=path))
    with archive:
        members = [m for m in archive.infolist() if is_notebook_member(m)]
        if not members:
            raise CourseError(ZIP_WITHOUT_NOTEBOOK.format(path=path))
        found, entries = {}, []
        for member in members:
            name = Path(member.filename).name
            match = regex.match(name)
            problem = member_problem(member)
            if not match or not STUDENT_ID.match(match.group("student")):
                entries.append(Rejected(shown(name), (problem or NO_ID_IN_NAME.format(pattern=pattern)).text()))
            else:
                found.setdefault(match.group("student"), []).append((member, problem))
        entries += [zip_student(archive, student, files) for student, files in sorted(found.items())]
    return entries


def collect(source: str | Path, pattern: str = DEFAULT_ZIP_PATTERN) -> list[Submission | Rejected]:
    """Submissions and rejections from ``source`` (a submitted/ folder or a .zip file)."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".zip":
        return from_zip(source, pattern)
    if source.is_dir():
        return from_submitted_folder(source)
    raise CourseError(NOT_FOLDER_OR_ZIP.format(path=source))
