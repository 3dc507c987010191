"""Grade one submission in isolation: ``grade_one(job) -> result``, a pure function of files and config.

A :class:`GradeJob` carries everything needed (the student's notebook and a :class:`GradingKit`: the
course's nbgrader_config.py, the helper modules of ``source/``, a gradebook holding only the assignment's
definition), and a :class:`GradeResult` carries everything produced (the grades as plain data and the
autograded files). Both pickle, so any ``concurrent.futures.Executor`` can run ``grade_one``: the local
process pool, or a distributed one (e.g. ``dask.distributed.Client(...).get_executor()``) on machines that
have this package and run it as root.

Inside, nbgrader's own ``AutogradeApp`` grades a private copy of the course made for this one student,
with the course's nbgrader_config.py, so every grading setting of the course applies. Its kernel runs
through ``course/batch/sandbox.py`` as an unprivileged user that sees only the student's working folder.
A worker runs one job at a time (it changes directory and environment): use processes, not threads.
"""

import contextlib
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from course.assignment import ASSIGNMENT, MEMORY_LIMIT_MB, NOTEBOOK, NOTEBOOK_FILE, WALL_SECONDS
from course.batch import sandbox
from course.messages import GRADING_TIMED_OUT, NBGRADER_COULD_NOT_GRADE

SANDBOX_SCRIPT = str(Path(sandbox.__file__).resolve())
GRADEBOOK_FILE = "gradebook.db"
#: Private courses are temporary folders named ``<prefix><worker pid>-<random>``.
WORKSPACE_PREFIX = "course-grade-"
#: Autograded files collected back per submission (a student's code could write more: it is dropped).
MAX_RESULT_BYTES = 50 * 1024 * 1024
#: Seconds between two sweeps of the watchdog once a submission is over its time.
KILL_INTERVAL = 0.5


@dataclass(frozen=True)
class Limits:
    """Per-submission limits: wall-clock seconds for the whole grading, kernel memory in MiB."""

    wall_seconds: int = WALL_SECONDS
    memory_mb: int = MEMORY_LIMIT_MB


@dataclass(frozen=True)
class GradingKit:
    """What every job of a batch shares: ``{relative path: bytes}`` of the private course to build."""

    files: dict


@dataclass(frozen=True)
class GradeJob:
    student: str
    notebook: bytes
    timestamp: str
    digest: str
    kit: GradingKit
    limits: Limits = Limits()
    sandboxed: bool = True


@dataclass
class GradeResult:
    """The outcome of one job. ``notebooks`` maps a notebook name to its grades (see ``read_grades``)."""

    student: str
    digest: str
    ok: bool
    message: str = ""
    seconds: float = 0.0
    timestamp: str = None
    notebooks: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    log: str = ""


def write_files(root: str | Path, files: dict[str, bytes]) -> None:
    """Write ``{relative path: bytes}`` under ``root``."""
    for relative, data in files.items():
        target = Path(root) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def write_kernelspec(folder: str | Path, job: GradeJob, uid: int) -> str:
    """A ``python3`` kernelspec whose kernel starts inside the sandbox; return the jupyter path to use."""
    kernels = Path(folder) / "kernels" / "python3"
    kernels.mkdir(parents=True)
    argv = [
        sys.executable,
        SANDBOX_SCRIPT,
        "--uid",
        str(uid),
        "--memory-mb",
        str(job.limits.memory_mb),
        "--cpu-seconds",
        str(job.limits.wall_seconds),
        "{connection_file}",
    ]
    if not job.sandboxed:
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (kernels / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python 3 (graded)", "language": "python"})
    )
    return str(folder)


def build_private_course(root: str | Path, job: GradeJob) -> None:
    """The course as nbgrader sees it for this one student: kit files + ``submitted/<student>/...``."""
    write_files(root, job.kit.files)
    submitted = Path(root) / "submitted" / job.student / ASSIGNMENT
    files = {NOTEBOOK_FILE: job.notebook}
    if job.timestamp:
        files["timestamp.txt"] = job.timestamp.encode()
    write_files(submitted, files)


def run_autograde(course_root: str | Path, student: str) -> tuple[bool, str]:
    """Run nbgrader's AutogradeApp on the private course (in this process); return (succeeded, log text)."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    others = list(app.log.handlers)
    for other in others:
        app.log.removeHandler(other)
    app.log.addHandler(handler)
    try:
        app.initialize(
            [
                ASSIGNMENT,
                "--student={}".format(student),
                "--force",
                "--CourseDirectory.root={}".format(course_root),
                "--CourseDirectory.db_url=sqlite:///{}".format(Path(course_root) / GRADEBOOK_FILE),
            ]
        )
        app.start()
        succeeded = True
    except SystemExit as stop:
        succeeded = not stop.code
    finally:
        app.log.removeHandler(handler)
        for other in others:
            app.log.addHandler(other)
        type(app).clear_instance()
    return succeeded, stream.getvalue()


def read_grades(course_root: str | Path, student: str) -> tuple[str | None, dict]:
    """``(timestamp, {notebook: {"late_submission_penalty", "grades": {cell: auto_score},
    "comments": {cell: auto_comment}}})`` of ``student`` in the private gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook("sqlite:///{}".format(Path(course_root) / GRADEBOOK_FILE)) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        timestamp = submission.timestamp.isoformat() if submission.timestamp else None
        notebooks = {}
        for notebook in submission.notebooks:
            notebooks[notebook.name] = {
                "late_submission_penalty": notebook.late_submission_penalty,
                "grades": {grade.name: grade.auto_score for grade in notebook.grades},
                "comments": {comment.name: comment.auto_comment for comment in notebook.comments},
            }
    return timestamp, notebooks


def collect_files(folder: str | Path) -> dict[str, bytes]:
    """``{relative path: bytes}`` of the regular files under ``folder`` (symlinks are never followed)."""
    files, total = {}, 0
    for directory, subdirs, names in os.walk(folder):
        subdirs[:] = [d for d in subdirs if d != sandbox.ROOT_NAME and not os.path.islink(os.path.join(directory, d))]
        for name in sorted(names):
            path = os.path.join(directory, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(descriptor, "rb") as handle:
                data = handle.read(MAX_RESULT_BYTES - total + 1)
            total += len(data)
            if total > MAX_RESULT_BYTES:
                return files
            files[os.path.relpath(path, folder)] = data
    return files


def failure_message(log: str, timed_out: bool, limits: Limits) -> str:
    """Why grading failed, as bilingual text for the instructor's terminal and the student's record."""
    if timed_out:
        return GRADING_TIMED_OUT.format(seconds=limits.wall_seconds).text()
    errors = [line for line in log.splitlines() if line.startswith("[ERROR]")]
    return NBGRADER_COULD_NOT_GRADE.format(errors=" | ".join(errors[-3:])).text()


def process_running(pid: str) -> bool:
    """True if process ``pid`` exists and has not exited: a killed worker whose parent is gone stays a
    zombie (state Z) in ``/proc`` until something reaps it."""
    try:
        stat = Path("/proc", pid, "stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :][:1] not in ("Z", "X")


def remove_stale_workspaces() -> None:
    """Delete the private courses of workers that no longer run (killed in the middle of a job)."""
    for path in Path(tempfile.gettempdir()).glob(WORKSPACE_PREFIX + "*"):
        pid = path.name[len(WORKSPACE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not process_running(pid):
            shutil.rmtree(str(path), ignore_errors=True)


def grade_one(job: GradeJob) -> GradeResult:
    """Grade ``job`` (a GradeJob) in a private temporary course; return a GradeResult. Never raises for
    a bad submission: problems come back as ``ok=False`` with a message."""
    started = time.monotonic()
    uid = sandbox.SANDBOX_UID_BASE + os.getpid()
    workspace = tempfile.mkdtemp(prefix="{}{}-".format(WORKSPACE_PREFIX, os.getpid()))
    course_root = os.path.join(workspace, "course")
    timed_out, finished = threading.Event(), threading.Event()

    def stop():
        """After the wall-clock limit, keep killing the sandbox user's processes (a restarted kernel too)."""
        if finished.wait(job.limits.wall_seconds):
            return
        timed_out.set()
        while not finished.wait(KILL_INTERVAL):
            sandbox.kill_uid(uid)

    watchdog = threading.Thread(target=stop, daemon=True)
    try:
        build_private_course(course_root, job)
        jupyter_path = write_kernelspec(os.path.join(workspace, "jupyter"), job, uid)
        watchdog.start()
        # nbgrader finds the course from the working folder and the kernelspec through JUPYTER_PATH;
        # both are restored afterwards (the standard library's patch.dict restores the environment).
        with contextlib.chdir(course_root), mock.patch.dict(os.environ, JUPYTER_PATH=jupyter_path):
            succeeded, log = run_autograde(course_root, job.student)
        finished.set()
        result = GradeResult(job.student, job.digest, succeeded and not timed_out.is_set(), log=log)
        if result.ok:
            result.timestamp, result.notebooks = read_grades(course_root, job.student)
            result.files = collect_files(os.path.join(course_root, "autograded", job.student, ASSIGNMENT))
            result.ok = NOTEBOOK in result.notebooks and NOTEBOOK_FILE in result.files
        if not result.ok:
            result.message = failure_message(log, timed_out.is_set(), job.limits)
    finally:
        finished.set()
        if job.sandboxed:
            sandbox.kill_uid(uid)
        shutil.rmtree(workspace, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result
