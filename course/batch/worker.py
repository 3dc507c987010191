"""Grade one submission in isolation: ``grade_one(job) -> result``, a pure function of files and config.

A :class:`GradeJob` carries everything needed (the student's notebook and a :class:`GradingKit`: the
course's nbgrader_config.py, the helper modules of ``source/``, a gradebook holding only the assignment's
definition), and a :class:`GradeResult` carries everything produced (the grades as plain data and the
autograded files). Both pickle, so any ``concurrent.futures.Executor`` can run ``grade_one``: the local
process pool, or a distributed one (e.g. ``dask.distributed.Client(...).get_executor()``) on machines that
have this package and run it as root.

Inside, nbgrader's own ``AutogradeApp`` grades a private copy of the course made for this one student,
with the course's nbgrader_config.py, so every grading setting of the course applies. Its kernel runs in
bubblewrap (``course/batch/sandbox.py``) as a fresh unprivileged user, in the submission's own cgroup
(``course/batch/cgroups.py``), and talks to nbgrader over Unix sockets in the submission's private folder.
When the job ends, however it ends, everything of that user and cgroup is killed. The private course,
the user, the cgroup and the kernel are made one job ahead (a *slot*, ``course/batch/slots.py``): the
next submission's kernel boots while this one is graded.
A worker runs one job at a time (it changes directory and environment): use processes, not threads.
"""

import contextlib
import io
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.assignment import (
    ASSIGNMENT,
    DISK_LIMIT_MB,
    MEMORY_LIMIT_MB,
    NOTEBOOK,
    NOTEBOOK_FILE,
    PROCESS_LIMIT,
    WALL_SECONDS,
)
from course.batch import cgroups, slots
from course.batch.slots import WORKSPACE_PREFIX, kill_uid
from course.messages import GRADING_TIMED_OUT, NBGRADER_COULD_NOT_GRADE
from course.nbgrader_ext import guarded_execute
from course.nbgrader_ext.guarded_execute import hand_over, take_handed_over

GRADEBOOK_FILE = "gradebook.db"
#: Autograded files collected back per submission (a student's code could write more: it is dropped).
MAX_RESULT_BYTES = 50 * 1024 * 1024
#: Seconds between two sweeps of the watchdog once a submission is over its time.
KILL_INTERVAL = 0.5


@dataclass(frozen=True)
class Limits:
    """Per-submission limits: wall-clock seconds for the whole grading; memory in MiB (each process's
    address space, and all the submission's processes together where cgroups exist); writable space in
    MiB; processes and threads."""

    wall_seconds: int = WALL_SECONDS
    memory_mb: int = MEMORY_LIMIT_MB
    disk_mb: int = DISK_LIMIT_MB
    processes: int = PROCESS_LIMIT


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
    #: Also run the demonstration cells tagged skip-at-grading.
    all_cells: bool = False


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
    #: Seconds spent in each phase of this job (``course grade`` sums them for the benchmark).
    phases: dict = field(default_factory=dict)
    #: The worker process that graded it: ``host (pid N)``.
    worker: str = ""


def write_files(root: str | Path, files: dict[str, bytes]) -> None:
    """Write ``{relative path: bytes}`` under ``root``."""
    for relative, data in files.items():
        target = Path(root) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def build_private_course(root: str | Path, job: GradeJob) -> None:
    """The course as nbgrader sees it for this one student: kit files + ``submitted/<student>/...``."""
    write_files(root, job.kit.files)
    submitted = Path(root) / "submitted" / job.student / ASSIGNMENT
    files = {NOTEBOOK_FILE: job.notebook}
    if job.timestamp:
        files["timestamp.txt"] = job.timestamp.encode()
    write_files(submitted, files)


def run_autograde(course_root: str | Path, student: str, options: list[str] = ()) -> tuple[bool, str]:
    """Run nbgrader's AutogradeApp on the private course (in this process) with extra command-line
    ``options``; return (succeeded, log text)."""
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
                *options,
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
        subdirs[:] = [d for d in subdirs if not os.path.islink(os.path.join(directory, d))]
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


def left_by_dead_worker(name: str) -> bool:
    """True if ``name`` (``<WORKSPACE_PREFIX><worker pid>-…``: a private course or a cgroup) belongs to a
    worker that no longer runs."""
    pid = name[len(WORKSPACE_PREFIX) :].split("-", 1)[0]
    return pid.isdigit() and not process_running(pid)


def remove_stale_workspaces() -> None:
    """Delete the private courses and cgroups of workers that no longer run (killed in the middle of a job)."""
    for path in Path(tempfile.gettempdir()).glob(WORKSPACE_PREFIX + "*"):
        if left_by_dead_worker(path.name):
            shutil.rmtree(str(path), ignore_errors=True)
    cgroups.remove_stale(WORKSPACE_PREFIX, left_by_dead_worker)


def grade_one(job: GradeJob) -> GradeResult:
    """Grade ``job`` (a GradeJob) in a private temporary course; return a GradeResult. Never raises for
    a bad submission: problems come back as ``ok=False`` with a message."""
    started = time.perf_counter()
    clock = Clock()
    slot = slots.take(job)
    with clock("kernel start"):
        note = slots.prepare_next(job)  # the next submission's kernel boots while this one is graded
    timed_out, finished = threading.Event(), threading.Event()

    def stop():
        """After the wall-clock limit, keep killing the sandbox's processes (a restarted kernel too)."""
        if finished.wait(job.limits.wall_seconds):
            return
        timed_out.set()
        while not finished.wait(KILL_INTERVAL):
            kill_uid(slot.uid)

    watchdog = threading.Thread(target=stop, daemon=True)
    try:
        with clock("set-up"):
            build_private_course(slot.course_root, job)
        watchdog.start()
        if slot.kernel is not None:
            hand_over(slot.kernel)
        options = slots.command_line(slots.sandbox_config(slot, job.sandboxed))
        options += ["--GuardedExecute.skip_tagged=False"] if job.all_cells else []
        # nbgrader finds the course from the working folder and the kernelspec through JUPYTER_PATH; both
        # are restored afterwards.
        with clock("nbgrader steps"), contextlib.chdir(slot.course_root), slot.environment():
            succeeded, log = run_autograde(slot.course_root, job.student, options)
        clock.move("nbgrader steps", guarded_execute.phases)
        finished.set()
        result = GradeResult(job.student, job.digest, succeeded and not timed_out.is_set(), log=note + log)
        if result.ok:
            result.timestamp, result.notebooks = read_grades(slot.course_root, job.student)
            result.files = collect_files(os.path.join(slot.course_root, "autograded", job.student, ASSIGNMENT))
            result.ok = NOTEBOOK in result.notebooks and NOTEBOOK_FILE in result.files
        if not result.ok:
            result.message = failure_message(log, timed_out.is_set(), job.limits)
    finally:
        finished.set()
        take_handed_over()
        with clock("clean-up"):
            slots.close(slot)
    result.seconds = time.perf_counter() - started
    result.phases = clock.seconds
    result.worker = worker_name()
    return result


def worker_name() -> str:
    """This worker process, as ``host (pid N)``."""
    return "{} (pid {})".format(socket.gethostname(), os.getpid())


class Clock:
    """Seconds per named phase: ``with clock("name"): ...`` adds the time of the block to ``seconds[name]``."""

    def __init__(self) -> None:
        self.seconds = {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        """Count ``seconds`` more for phase ``name``."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def move(self, source: str, parts: dict) -> None:
        """Count ``parts`` ({name: seconds}, measured inside phase ``source``) as phases of their own."""
        for name, seconds in parts.items():
            self.add(source, -seconds)
            self.add(name, seconds)
