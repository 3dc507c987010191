"""``course grade`` refuses to grade unisolated by accident, and never forgets that it did on request."""

import os
import shutil

import pytest

from course.batch import command, sandbox
from course.batch.command import NOT_ISOLATED_FILE, check_sandbox, record_isolation
from course.messages import SANDBOX_NEEDS_BWRAP, SANDBOX_NEEDS_ROOT, CourseError
from course.results.reports import REPORTS_DIR


def quiet(*args, **kwargs):
    pass


def test_instructor_without_root_is_told_the_flag(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(CourseError) as raised:
        check_sandbox(True, quiet)
    assert raised.value.message == SANDBOX_NEEDS_ROOT
    assert "--no-sandbox" in SANDBOX_NEEDS_ROOT.en and "--no-sandbox" in SANDBOX_NEEDS_ROOT.zh


def test_instructor_without_bubblewrap_is_told_how_to_install_it(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(CourseError) as raised:
        check_sandbox(True, quiet)
    assert raised.value.message == SANDBOX_NEEDS_BWRAP
    assert "apt-get install bubblewrap" in SANDBOX_NEEDS_BWRAP.en and "--no-sandbox" in SANDBOX_NEEDS_BWRAP.zh


def test_instructor_without_cgroups_is_told_the_limits_are_per_process(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(command.cgroups, "parents", lambda: None)
    said = []
    check_sandbox(True, lambda text, **kwargs: said.append(text))
    assert len(said) == 1 and "per process only" in said[0] and "按单个进程" in said[0]


def test_instructor_no_sandbox_is_checked_for_nothing(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    check_sandbox(False, quiet)


def test_instructor_unisolated_grading_is_listed_until_regraded_in_the_sandbox(tmp_path):
    said = []

    def log(text, **kwargs):
        said.append(text)

    path = tmp_path / REPORTS_DIR / NOT_ISOLATED_FILE
    record_isolation(tmp_path, ["bob", "alice"], False, log)
    assert path.read_text(encoding="utf-8").splitlines()[2:] == ["alice", "bob"]
    assert "--no-sandbox" in said[-1] and "alice, bob" in said[-1] and "警告" in said[-1]
    record_isolation(tmp_path, ["carol"], False, log)
    assert path.read_text(encoding="utf-8").splitlines()[2:] == ["alice", "bob", "carol"]
    record_isolation(tmp_path, ["alice", "bob"], True, log)
    assert path.read_text(encoding="utf-8").splitlines()[2:] == ["carol"]
    count = len(said)
    record_isolation(tmp_path, ["carol"], True, log)
    assert not path.exists() and len(said) == count


def test_instructor_sandbox_shows_the_kernel_no_notebook_and_only_its_folders(tmp_path):
    """The bwrap options: namespaces, tmpfs sizes, helper files read-only, notebooks and links left out."""
    work, kernel = tmp_path / "work", tmp_path / "kernel"
    work.mkdir()
    kernel.mkdir()
    (work / "gc_utils.py").write_text("")
    (work / "Gradient_Checking.ipynb").write_text("{}")
    (work / "link.py").symlink_to("/etc/hostname")
    options = sandbox.bwrap_arguments(str(work), str(kernel), 64)
    for flag in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent", "--new-session"):
        assert flag in options
    assert "--unshare-user" not in options and "--bind" in options
    text = " ".join(options)
    assert "--ro-bind {0}/gc_utils.py {0}/gc_utils.py".format(work) in text
    assert "Gradient_Checking.ipynb" not in text and "link.py" not in text
    assert "--size {} --perms 1777 --tmpfs {}".format(32 * 2**20, work) in text
    assert "--size {} --perms 1777 --tmpfs /tmp".format(32 * 2**20) in text
    assert "--bind {0} {0}".format(kernel) in text and text.endswith("--chdir {}".format(work))
    assert "--ro-bind /etc /etc" not in text and "--ro-bind /etc/passwd /etc/passwd" in text


def test_instructor_sandbox_user_drops_everything():
    command_line = sandbox.drop_command(234567, ["python", "-m", "ipykernel_launcher"])
    assert command_line[:3] == ["setpriv", "--reuid", "234567"]
    for flag in ("--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"):
        assert flag in command_line
    assert command_line[-3:] == ["python", "-m", "ipykernel_launcher"]
    assert "JPY_PARENT_PID" not in sandbox.kernel_environment()
