"""A submission's private place to be graded (a *slot*), and the next one's kernel started ahead of time.

Why: a sandboxed kernel takes most of a second to start (Python, ipykernel, bubblewrap), and nbgrader
starts it only once it reaches the first cell, so every submission waited for it. Instead, each worker
keeps one slot ready: while it grades one submission, the next submission's kernel is already starting.

A slot is what ``grade_one`` used to make for itself, only made earlier: a private workspace (the private
course, the kernel's folder of sockets, a kernelspec, the kernel's working folder with the assignment's
helper files), a fresh uid that no process runs as, the submission's own cgroup, and its kernel. A slot
serves exactly one job, then everything of it is killed and deleted (:func:`close`); nothing is shared
between two submissions, so isolation and scores are the same as with a kernel started on demand. A
slot made for other settings (another course kit, other limits) is closed unused.

The started kernel is handed to nbgrader's execute step through
``course.nbgrader_ext.guarded_execute.hand_over``; it runs in the job's environment (``JUPYTER_PATH``).
"""

import contextlib
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

from course.assignment import ASSIGNMENT
from course.batch import cgroups, sandbox

if TYPE_CHECKING:  # the worker module imports this one
    from course.batch.worker import GradeJob, Limits

SANDBOX_SCRIPT = str(Path(sandbox.__file__).resolve())
#: Private courses are temporary folders named ``<prefix><worker pid>-<random>``.
WORKSPACE_PREFIX = "course-grade-"
#: Folder of the private course where the kernel's connection file and Unix sockets live.
KERNEL_FOLDER = "kernel"
CONNECTION_FILE = "kernel.json"
#: The kernel's working folder in a slot: the assignment's helper files, as nbgrader's autograded folder has them.
KERNEL_CWD = "work"
#: The kernelspec every graded notebook is run with (nbgrader gives every submission the master's).
KERNEL_NAME = "python3"
#: Passes of the end-of-job sweep over the sandbox user's processes (it stops at the first empty pass).
KILL_PASSES = 50


@dataclass
class Slot:
    """Where one submission is graded; ``kernel`` is its started kernel manager (None: started on demand)."""

    key: str
    workspace: str
    uid: int
    group: cgroups.Cgroup | None
    kernel: object = None

    @property
    def course_root(self) -> str:
        return os.path.join(self.workspace, "course")

    @property
    def kernel_folder(self) -> str:
        return os.path.join(self.workspace, KERNEL_FOLDER)

    @property
    def jupyter_path(self) -> str:
        return os.path.join(self.workspace, "jupyter")

    def environment(self) -> contextlib.AbstractContextManager:
        """The job's environment: its kernelspec is found through JUPYTER_PATH (restored afterwards)."""
        return mock.patch.dict(os.environ, JUPYTER_PATH=self.jupyter_path)


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


def job_key(job: "GradeJob") -> str:
    """What a slot depends on: the course kit, the limits and whether the kernel is sandboxed."""
    digest = hashlib.sha256(repr((job.limits, job.sandboxed)).encode())
    for name in sorted(job.kit.files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(job.kit.files[name]).digest())
    return digest.hexdigest()


def write_kernelspec(slot: Slot, limits: "Limits", sandboxed: bool) -> None:
    """The ``python3`` kernelspec of the slot: its kernel starts inside the sandbox as the slot's uid, in
    the slot's cgroup, with its connection file and sockets in the slot's kernel folder."""
    kernels = Path(slot.jupyter_path) / "kernels" / KERNEL_NAME
    kernels.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    if sandboxed:
        argv = [sys.executable, "-I", SANDBOX_SCRIPT, "--uid", str(slot.uid), "--memory-mb", str(limits.memory_mb)]
        argv += ["--cpu-seconds", str(limits.wall_seconds), "--disk-mb", str(limits.disk_mb)]
        argv += ["--processes", str(limits.processes), "--kernel-folder", slot.kernel_folder]
        for procs in slot.group.procs_files if slot.group else []:
            argv += ["--cgroup", procs]
        # Signals do not cross into the sandbox's new session: interrupts travel as messages.
        spec = {"argv": argv + ["{connection_file}"], "interrupt_mode": "message"}
    spec.update(display_name="Python 3 (graded)", language="python")
    (kernels / "kernel.json").write_text(json.dumps(spec))


def sandbox_config(slot: Slot, sandboxed: bool) -> dict:
    """nbgrader settings of a sandboxed job: Unix-socket kernels whose connection file and sockets are in
    the slot's kernel folder, sealed once the kernel is ready, and the cgroup's OOM counter (so that a
    kernel killed for memory is named as such). ``{section: {name: value}}``."""
    if not sandboxed:
        return {}
    kernel_manager = {"transport": "ipc", "connection_file": os.path.join(slot.kernel_folder, CONNECTION_FILE)}
    guarded = {"seal_kernel_folder": True}
    if slot.group is not None:
        guarded["oom_counter"] = slot.group.oom_counter
    return {"KernelManager": kernel_manager, "GuardedExecute": guarded}


def command_line(config: dict) -> list[str]:
    """``sandbox_config`` as nbgrader command-line options."""
    return [
        "--{}.{}={}".format(section, name, value) for section, names in config.items() for name, value in names.items()
    ]


def open_slot(job: "GradeJob") -> Slot:
    """A fresh slot for ``job``'s settings: workspace, uid, cgroup, kernelspec (no kernel yet)."""
    uid = fresh_uid()
    while uid in _uids_in_use:  # a slot's kernel may not run yet: no process shows its uid
        uid = fresh_uid()
    _uids_in_use.add(uid)
    workspace = tempfile.mkdtemp(prefix="{}{}-".format(WORKSPACE_PREFIX, os.getpid()))
    group = None
    if job.sandboxed:
        memory = job.limits.memory_mb * sandbox.MEBIBYTE
        group = cgroups.create("{}{}-{}".format(WORKSPACE_PREFIX, os.getpid(), uid), memory, job.limits.processes)
    slot = Slot(job_key(job), workspace, uid, group)
    try:
        os.mkdir(slot.kernel_folder, 0o700)
        write_kernelspec(slot, job.limits, job.sandboxed)
    except BaseException:
        close(slot)
        raise
    return slot


def kernel_folder_files(kit_files: dict) -> dict:
    """The files the kernel's working folder holds: the assignment's helper files, no notebook (the same
    files nbgrader puts next to the submission in autograded/)."""
    prefix = "source/{}/".format(ASSIGNMENT)
    return {
        name[len(prefix) :]: data
        for name, data in kit_files.items()
        if name.startswith(prefix) and not name.endswith(".ipynb")
    }


def start_kernel(slot: Slot, job: "GradeJob") -> None:
    """Start the slot's kernel now (it boots in the background; nbgrader waits for it to be ready)."""
    from nbclient.util import run_sync
    from traitlets.config import Config, PyFileConfigLoader

    from course.batch.worker import write_files
    from course.nbgrader_ext.guarded_execute import GuardedExecute

    cwd = os.path.join(slot.workspace, KERNEL_CWD)
    write_files(cwd, kernel_folder_files(job.kit.files))
    config = PyFileConfigLoader("nbgrader_config.py", path=slot.course_root).load_config()
    config.merge(Config(sandbox_config(slot, job.sandboxed)))
    executor = GuardedExecute(config=config, kernel_name=KERNEL_NAME)
    with slot.environment():
        executor.km = executor.create_kernel_manager()
        run_sync(executor.async_start_new_kernel)(cwd=cwd)
    slot.kernel = executor.km


def shut_down_kernel(slot: Slot) -> None:
    """Shut the slot's kernel down, if it has one (its processes are killed by ``close`` anyway)."""
    if slot.kernel is not None:
        from nbclient.util import run_sync

        with contextlib.suppress(Exception):
            run_sync(slot.kernel.shutdown_kernel)(now=True)
        slot.kernel = None


def close(slot: Slot) -> None:
    """Kill everything of the slot (its kernel, its uid's processes, its cgroup) and delete its workspace."""
    shut_down_kernel(slot)
    end_of_job(slot.uid, slot.group)
    shutil.rmtree(slot.workspace, ignore_errors=True)
    _uids_in_use.discard(slot.uid)


#: The worker's slot made ahead for its next job (at most one), and the uids of its open slots.
_ahead: list[Slot] = []
_uids_in_use: set[int] = set()


def close_ahead() -> None:
    """Close the slot started ahead (the worker is leaving, or the next job needs other settings)."""
    while _ahead:
        close(_ahead.pop())


def take(job: "GradeJob") -> Slot:
    """The slot for ``job``: the one started ahead if it was made for the same settings, else a new one."""
    key = job_key(job)
    if _ahead and _ahead[0].key == key:
        return _ahead.pop()
    close_ahead()
    return open_slot(job)


def prepare_next(job: "GradeJob") -> str:
    """Open a slot for the next job, with ``job``'s settings, and start its kernel: the worker's one slot
    ahead, closed when the worker exits. Return "" or, if the kernel could not be started ahead, why
    (the next job then starts its kernel itself, as nbgrader does)."""
    if _ahead:
        return ""
    if not _finalizer:
        _finalizer.append(util.Finalize(None, close_ahead, exitpriority=10))
    try:
        slot = open_slot(job)
    except Exception as error:  # noqa: BLE001  (any failure only means: no kernel ahead)
        return "no kernel started ahead: {}\n".format(error)
    _ahead.append(slot)
    try:
        slot_course = Path(slot.course_root)
        slot_course.mkdir()
        (slot_course / "nbgrader_config.py").write_bytes(job.kit.files["nbgrader_config.py"])
        start_kernel(slot, job)
    except Exception as error:  # noqa: BLE001
        shut_down_kernel(slot)
        return "no kernel started ahead: {}\n".format(error)
    return ""


_finalizer: list = []
