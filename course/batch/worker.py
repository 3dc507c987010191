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
When the job ends, however it ends, everything of that user and cgroup is killed.
A worker runs one job at a time (it changes directory and environment): use processes, not threads.
"""

import contextlib
import io
import json
import logging
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from course.assignment import (
    ASSIGNMENT,
    DISK_LIMIT_MB,
    MEMORY_LIMIT_MB,
    NOTEBOOK,
    NOTEBOOK_FILE,
    PROCESS_LIMIT,
    WALL_SECONDS,
)
from course.batch import cgroups, sandbox
from course.messages import GRADING_TIMED_OUT, NBGRADER_COULD_NOT_GRADE

SANDBOX_SCRIPT = str(Path(sandbox.__file__).resolve())
GRADEBOOK_FILE = "gradebook.db"
#: Private courses are temporary folders named ``<prefix><worker pid>-<random>``.
WORKSPACE_PREFIX = "course-grade-"
#: Autograded files collected back per submission (a student's code could write more: it is dropped).
MAX_RESULT_BYTES = 50 * 1024 * 1024
#: Seconds between two sweeps of the watchdog once a submission is over its time.
KILL_INTERVAL = 0.5
#: Folder of the private course where the kernel's connection file and Unix sockets live.
KERNEL_FOLDER = "kernel"
CONNECTION_FILE = "kernel.json"
#: Passes of the end-of-job sweep over the sandbox user's processes (it stops at the first empty pass).
KILL_PASSES = 50


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


def write_kernelspec(
    folder: str | Path, job: GradeJob, uid: int, group: cgroups.Cgroup | None, kernel_folder: str
) -> str:
    """A ``python3`` kernelspec whose kernel starts inside the sandbox (its connection file and sockets in
    ``kernel_folder``); return the jupyter path to use."""
    kernels = Path(folder) / "kernels" / "python3"
    kernels.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    if job.sandboxed:
        limits = job.limits
        argv = [sys.executable, "-I", SANDBOX_SCRIPT, "--uid", str(uid), "--memory-mb", str(limits.memory_mb)]
        argv += ["--cpu-seconds", str(limits.wall_seconds), "--disk-mb", str(limits.disk_mb)]
        argv += ["--processes", str(limits.processes), "--kernel-folder", kernel_folder]
        for procs in group.procs_files if group else []:
            argv += ["--cgroup", procs]
        # Signals do not cross into the sandbox's new session: interrupts travel as messages.
        spec = {"argv": argv + ["{connection_file}"], "interrupt_mode": "message"}
    spec.update(display_name="Python 3 (graded)", language="python")
    (kernels / "kernel.json").write_text(json.dumps(spec))
    return str(folder)


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


def process_uids() -> dict[int, set[int]]:
    """``{pid: {uids}}`` of every process in /proc."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/{}/status".format(pid)) as status:
                uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
        except (OSError, StopIteration):
            continue
        found[int(pid)] = {int(u) for u in uids}
    return found


def kill_uid(uid: int) -> int:
    """SIGKILL every process running as ``uid``; return how many were signalled."""
    return cgroups.kill_processes(pid for pid, uids in process_uids().items() if uid in uids)


def fresh_uid() -> int:
    """A sandbox uid no process runs as: one per submission, drawn at random from a range of 2**24, so
    that nothing a job leaves running could ever be mistaken for the next job's (nor kill it)."""
    while True:
        uid = sandbox.SANDBOX_UID_BASE + random.randrange(sandbox.SANDBOX_UID_COUNT)
        if not any(uid in users for users in process_uids().values()):
            return uid


def end_of_job(uid: int, group: cgroups.Cgroup | None) -> None:
    """Kill everything the submission started: its cgroup, and every process of its uid until none is left
    (the sandbox's PID namespace dies with its first process, so a forking child cannot outrun this)."""
    if group is not None:
        group.remove()
    for _ in range(KILL_PASSES):
        if not kill_uid(uid):
            return
        time.sleep(0.02)


def sandbox_options(job: GradeJob, group: cgroups.Cgroup | None, kernel_folder: str) -> list[str]:
    """nbgrader options of a sandboxed job: Unix-socket kernels whose connection file and sockets are in
    ``kernel_folder``, sealed once the kernel is ready, and the cgroup's OOM counter (so that a kernel
    killed for memory is named as such)."""
    if not job.sandboxed:
        return []
    options = ["--KernelManager.transport=ipc", "--GuardedExecute.seal_kernel_folder=True"]
    options.append("--KernelManager.connection_file={}".format(os.path.join(kernel_folder, CONNECTION_FILE)))
    if group is not None:
        options.append("--GuardedExecute.oom_counter={}".format(group.oom_counter))
    return options


def grade_one(job: GradeJob) -> GradeResult:
    """Grade ``job`` (a GradeJob) in a private temporary course; return a GradeResult. Never raises for
    a bad submission: problems come back as ``ok=False`` with a message."""
    started = time.monotonic()
    uid = fresh_uid()
    workspace = tempfile.mkdtemp(prefix="{}{}-".format(WORKSPACE_PREFIX, os.getpid()))
    course_root = os.path.join(workspace, "course")
    kernel_folder = os.path.join(workspace, KERNEL_FOLDER)
    group = None
    if job.sandboxed:
        memory = job.limits.memory_mb * sandbox.MEBIBYTE
        group = cgroups.create("{}{}-{}".format(WORKSPACE_PREFIX, os.getpid(), uid), memory, job.limits.processes)
    timed_out, finished = threading.Event(), threading.Event()

    def stop():
        """After the wall-clock limit, keep killing the sandbox's processes (a restarted kernel too)."""
        if finished.wait(job.limits.wall_seconds):
            return
        timed_out.set()
        while not finished.wait(KILL_INTERVAL):
            kill_uid(uid)

    watchdog = threading.Thread(target=stop, daemon=True)
    try:
        build_private_course(course_root, job)
        os.mkdir(kernel_folder, 0o700)
        jupyter_path = write_kernelspec(os.path.join(workspace, "jupyter"), job, uid, group, kernel_folder)
        watchdog.start()
        # nbgrader finds the course from the working folder and the kernelspec through JUPYTER_PATH; both
        # are restored afterwards (the standard library's patch.dict restores the environment).
        with contextlib.chdir(course_root), mock.patch.dict(os.environ, JUPYTER_PATH=jupyter_path):
            succeeded, log = run_autograde(course_root, job.student, sandbox_options(job, group, kernel_folder))
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
            end_of_job(uid, group)
        shutil.rmtree(workspace, ignore_errors=True)
    result.seconds = time.monotonic() - started
    return result
