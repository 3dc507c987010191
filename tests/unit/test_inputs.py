"""``course grade`` reads the class's submissions without following a link or opening a strange file.

Real files in pytest's tmp_path: links to the master notebook, hard links, FIFOs, devices, sockets,
and zips with unsafe members. Each case sits beside a good student, who is still read.
"""

import os
import socket
import stat
import threading
import zipfile

import nbformat
import pytest

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE
from course.batch import inputs
from course.batch.inputs import MAX_NAME_BYTES, MAX_NAME_PART_BYTES, TIMESTAMP_FILE, Rejected, Submission, collect

GOOD = "s00_good"
#: A FIFO would block a reader that waits for its writer: no read may take longer than this.
SECONDS = 10


def notebook_text():
    return nbformat.writes(nbformat.v4.new_notebook())


def assignment_folder(submitted, student):
    """``submitted/<student>/gradient_checking/``, created."""
    folder = submitted / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def master(tmp_path):
    """A real notebook outside the submitted folder (what a link would point at)."""
    path = tmp_path / "source" / ASSIGNMENT / NOTEBOOK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notebook_text(), encoding="utf-8")
    return path


@pytest.fixture
def submitted(tmp_path):
    """A submitted/ folder holding one good student."""
    folder = tmp_path / "submitted"
    (assignment_folder(folder, GOOD) / NOTEBOOK_FILE).write_text(notebook_text(), encoding="utf-8")
    return folder


def collected(source):
    """``collect(source)`` as {student: entry}, run in a thread that must end within SECONDS (a FIFO must not
    hang it); the good student is always a Submission."""
    found = []
    reader = threading.Thread(target=lambda: found.append(collect(source)), daemon=True)
    reader.start()
    reader.join(SECONDS)
    assert not reader.is_alive(), "reading the submissions hung"
    entries = {entry.student: entry for entry in found[0]}
    assert isinstance(entries.pop(GOOD if GOOD in entries else "alice"), Submission)
    return entries


def rejected(entries, student, *phrases):
    """The message of ``student``'s Rejected entry, checked to hold each of ``phrases``."""
    entry = entries[student]
    assert isinstance(entry, Rejected), entry
    for phrase in phrases:
        assert phrase in entry.message, entry.message
    return entry.message


TOO_LONG = "longer than {} bytes in one part or {} bytes in all".format(MAX_NAME_PART_BYTES, MAX_NAME_BYTES)
NOTEBOOK_PATH = "s01/{}/{}".format(ASSIGNMENT, NOTEBOOK_FILE)


# ---- the submitted/ folder ------------------------------------------------------------------------


def test_instructor_symlinked_notebook_is_rejected_not_graded_from_its_target(tmp_path, submitted):
    os.symlink(master(tmp_path), assignment_folder(submitted, "s01") / NOTEBOOK_FILE)
    message = rejected(collected(submitted), "s01", NOTEBOOK_PATH + " is a symbolic link", "符号链接")
    assert "put the notebook itself there" in message


def test_instructor_symlinked_student_folder_is_rejected_for_that_student(tmp_path, submitted):
    elsewhere = tmp_path / "elsewhere"
    (assignment_folder(elsewhere, "s01") / NOTEBOOK_FILE).write_text(notebook_text(), encoding="utf-8")
    os.symlink(elsewhere / "s01", submitted / "s01")
    rejected(collected(submitted), "s01", "s01 is a symbolic link", "student folder")


def test_instructor_symlinked_folder_with_an_absurd_name_keeps_the_student_id_message(tmp_path, submitted):
    os.symlink(master(tmp_path).parent.parent, submitted / "bad id!")
    rejected(collected(submitted), "bad id!", "is not a valid student id")


def test_instructor_symlinked_gradient_checking_folder_is_rejected(tmp_path, submitted):
    (submitted / "s01").mkdir()
    os.symlink(master(tmp_path).parent, submitted / "s01" / ASSIGNMENT)
    rejected(collected(submitted), "s01", "s01/{} is a symbolic link".format(ASSIGNMENT), "assignment folder")


def test_instructor_hard_linked_notebook_is_rejected(tmp_path, submitted):
    os.link(master(tmp_path), assignment_folder(submitted, "s01") / NOTEBOOK_FILE)
    rejected(collected(submitted), "s01", NOTEBOOK_PATH + " is a hard link (one file with 2 names)", "硬链接")


def test_instructor_fifo_notebook_is_rejected_without_hanging(submitted):
    os.mkfifo(assignment_folder(submitted, "s01") / NOTEBOOK_FILE)
    rejected(collected(submitted), "s01", NOTEBOOK_PATH + " is a named pipe (FIFO), not a regular file", "命名管道")


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device file needs root")
def test_instructor_character_device_notebook_is_rejected(submitted):
    path = assignment_folder(submitted, "s01") / NOTEBOOK_FILE
    os.mknod(path, stat.S_IFCHR | 0o600, os.stat("/dev/null").st_rdev)
    rejected(collected(submitted), "s01", NOTEBOOK_PATH + " is a device file, not a regular file", "设备文件")


def test_instructor_socket_notebook_is_rejected(submitted, monkeypatch):
    monkeypatch.chdir(assignment_folder(submitted, "s01"))  # a socket's path is limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(NOTEBOOK_FILE)
        rejected(collected(submitted), "s01", NOTEBOOK_PATH + " is a socket, not a regular file", "套接字")


def test_instructor_folder_in_place_of_the_notebook_is_rejected(submitted):
    (assignment_folder(submitted, "s01") / NOTEBOOK_FILE).mkdir()
    rejected(collected(submitted), "s01", NOTEBOOK_PATH + " is a folder, not a regular file")


@pytest.mark.parametrize("kind", ["symlink", "hard link", "fifo"])
def test_instructor_strange_timestamp_txt_is_rejected(tmp_path, submitted, kind):
    folder = assignment_folder(submitted, "s01")
    (folder / NOTEBOOK_FILE).write_text(notebook_text(), encoding="utf-8")
    real = tmp_path / "timestamp.txt"
    real.write_text("2024-01-01 00:00:00", encoding="utf-8")
    make = {"symlink": os.symlink, "hard link": os.link, "fifo": lambda _, path: os.mkfifo(path)}[kind]
    make(real, folder / TIMESTAMP_FILE)
    rejected(collected(submitted), "s01", "s01/{}/{} is a ".format(ASSIGNMENT, TIMESTAMP_FILE), "timestamp file")


def test_instructor_plain_timestamp_txt_is_read(submitted):
    (submitted / GOOD / ASSIGNMENT / TIMESTAMP_FILE).write_text(" 2024-01-01 00:00:00\n", encoding="utf-8")
    (entry,) = collect(submitted)
    assert entry.timestamp == "2024-01-01 00:00:00"


@pytest.mark.parametrize("swapped_for", ["symlink", "fifo"])
def test_instructor_notebook_swapped_after_the_check_is_still_not_followed(
    tmp_path, submitted, monkeypatch, swapped_for
):
    """The check before opening sees a regular file; by the time it is opened it is a link or a FIFO."""
    path = assignment_folder(submitted, "s01") / NOTEBOOK_FILE
    regular, real_stat = os.stat(master(tmp_path)), os.stat
    if swapped_for == "symlink":
        os.symlink(master(tmp_path), path)
    else:
        os.mkfifo(path)

    def stale_stat(name, *args, **kwargs):
        return regular if name == NOTEBOOK_FILE else real_stat(name, *args, **kwargs)

    monkeypatch.setattr(inputs.os, "stat", stale_stat)
    message = rejected(collected(submitted), "s01", NOTEBOOK_PATH)
    assert "FIFO" in message if swapped_for == "fifo" else "cannot be read" in message


# ---- an LMS zip -----------------------------------------------------------------------------------


def unix_member(name, mode):
    """A ZipInfo made on Unix with file mode ``mode``."""
    member = zipfile.ZipInfo(name)
    member.create_system = 3
    member.external_attr = mode << 16
    return member


def zipped(tmp_path, *members):
    """A zip of the good ``alice.ipynb`` and ``members`` ((name or ZipInfo, text) pairs), collected; nothing
    may appear on disk."""
    archive = tmp_path / "lms" / "class.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("submissions/alice.ipynb", notebook_text())
        for member, text in members:
            handle.writestr(member, text)
    before = sorted(tmp_path.rglob("*"))
    entries = collected(archive)
    assert sorted(tmp_path.rglob("*")) == before
    return entries


def test_instructor_zip_symlink_member_is_rejected(tmp_path):
    link = unix_member("submissions/bob.ipynb", stat.S_IFLNK | 0o777)
    entries = zipped(tmp_path, (link, "../../source/gradient_checking/Gradient_Checking.ipynb"))
    rejected(entries, "bob", "zip member submissions/bob.ipynb is a symbolic link, not a regular file", "符号链接")


def test_instructor_zip_fifo_member_is_rejected(tmp_path):
    entries = zipped(tmp_path, (unix_member("bob.ipynb", stat.S_IFIFO | 0o644), notebook_text()))
    rejected(entries, "bob", "is a named pipe (FIFO), not a regular file")


def test_instructor_zip_regular_unix_member_is_read(tmp_path):
    entries = zipped(tmp_path, (unix_member("bob.ipynb", stat.S_IFREG | 0o644), notebook_text()))
    assert isinstance(entries["bob"], Submission)


@pytest.mark.parametrize(
    "name, student, reason",
    [
        ("../evil_1.ipynb", "evil", "a '..' part"),
        ("submissions/../../evil_2.ipynb", "evil", "a '..' part"),
        ("/tmp/x.ipynb", "x", "an absolute path"),
        ("dan_\x1b[31m.ipynb", "dan", "a control character"),
        ("carol\x07.ipynb", "carol\\x07.ipynb", "a control character"),
        ("frank_" + "x" * MAX_NAME_PART_BYTES + ".ipynb", "frank", TOO_LONG),
        ("/".join(["d" * 200] * 6) + "/gina.ipynb", "gina", TOO_LONG),
    ],
    ids=["dotdot", "dotdot-inside", "absolute", "escape-sequence", "no-id-control", "long-part", "long-path"],
)
def test_instructor_zip_member_with_unsafe_name_is_rejected(tmp_path, name, student, reason):
    message = rejected(zipped(tmp_path, (name, notebook_text())), student, "has an unsafe name (" + reason, "不安全")
    assert not any(ord(c) < 32 and c != "\n" for c in message), "a control character reached the message"


def test_instructor_zip_member_with_nul_in_its_name_is_rejected(tmp_path):
    """zipfile cuts a name at NUL (``erin.ipynb``): the name as stored is what is checked."""
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("alice.ipynb", notebook_text())
        handle.writestr("erin.ipynbX.exe", notebook_text())
    archive.write_bytes(archive.read_bytes().replace(b"erin.ipynbX.exe", b"erin.ipynb\0.exe"))
    rejected(collected(archive), "erin", "zip member erin.ipynb\\x00.exe has an unsafe name (a control character)")


def test_instructor_zip_unsafe_member_rejects_its_student_once(tmp_path):
    entries = zipped(tmp_path, ("hank.ipynb", notebook_text()), ("../hank_2.ipynb", notebook_text()))
    rejected(entries, "hank", "zip member ../hank_2.ipynb has an unsafe name")
