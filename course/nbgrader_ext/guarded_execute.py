"""Execute step ``GuardedExecute`` (replaces nbgrader's ``Execute``): grading that a submission can neither
fool nor stop.

Why, first: a score decided inside the student's kernel can be faked from inside it. So the test cells of
the master notebook do not run in the kernel: they run in the trusted grader (``course.oracle``), which
calls the student's functions in the kernel as plain data and decides there. Every other cell runs in
the kernel as usual, so the calls see the state the notebook built.

Then: one student's ``os._exit()``, memory blow-up or endless C loop must cost that cell, not the
whole notebook. It removes files the student shipped that are not part of the assignment (a
``numpy.py`` next to the notebook would shadow numpy), starts the kernel under an address-space
limit, and survives a dead or unresponsive kernel, or one whose failed cell still holds the memory it
ran out of: the cell gets an error output, a fresh kernel replays the cells that had run fine, and
grading goes on.

It leaves out the demonstration cells the master notebook tags ``skip-at-grading`` (they earn no points
and take most of the time), when nothing that runs depends on them (``skipped_cells.py``).

Under ``course grade`` the kernel runs in a sandbox (``course/batch/sandbox.py``) and talks over Unix
sockets: once it is ready, the folder of those sockets is sealed (the kernel's user can no longer write
there), and a kernel the memory limit of its cgroup killed is named as such. ``course grade`` starts each
submission's kernel while the previous submission is graded and hands it over (``hand_over``): the
notebook then runs on it instead of waiting for a new one.
"""

import contextlib
import copy
import math
import os
import resource
import time
from collections.abc import Iterator
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, List, Unicode

from course.assignment import MEMORY_LIMIT_MB
from course.batch.cgroups import oom_kills
from course.messages import (
    CELL_TIMED_OUT,
    KERNEL_DIED,
    KERNEL_NOT_RESTARTED,
    KERNEL_OUT_OF_MEMORY,
    SKIPPED_AT_GRADING,
    TRUSTED_GRADER_FAILED,
)
from course.nbgrader_ext.skipped_cells import SKIP_TAG, cells_to_skip
from course.oracle.runner import Plan, TrustedGraderError, answer_from_outputs, kernel_code, shared_runner


def _limit_address_space(limit_bytes):
    """A ``preexec_fn`` that caps the kernel's address space (soft limit) at ``limit_bytes``.

    The hard limit is left alone, so a kernel launcher that sets its own limits (the sandbox of
    ``course grade``) still can; student code cannot raise the soft limit (no ``resource`` import).
    """

    def apply():
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(
            resource.RLIMIT_AS, (limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard), hard)
        )

    return apply


#: A kernel started ahead of time for the next notebook (``course.batch.slots``), waiting to be used.
_handed_over: list = []


#: Seconds of the last notebook's phases (read by ``course grade``'s benchmark): "kernel start", "trusted
#: tests", "execution" (every other cell, the kernel's restarts included).
phases: dict = {}


def hand_over(km: Any) -> None:
    """Give the next ``GuardedExecute.preprocess`` a started kernel manager to use instead of starting one."""
    _handed_over[:] = [km]


def take_handed_over() -> Any:
    """The kernel manager handed over and not used (None if there is none); it is no longer offered."""
    return _handed_over.pop() if _handed_over else None


def skipped_note() -> str:
    """The output of a demonstration cell that grading left out."""
    return SKIPPED_AT_GRADING.format(tag=SKIP_TAG).text() + "\n"


class GuardedExecute(Execute):
    """nbgrader's Execute, plus: no foreign files, a memory cap, and recovery from a dead kernel."""

    memory_limit_mb = Integer(
        MEMORY_LIMIT_MB,
        help="Address-space limit of the kernel in MiB (0 = none); beyond it allocations fail with MemoryError.",
    ).tag(config=True)
    max_restarts = Integer(
        4,
        help="How many times a dead kernel is restarted in one notebook before the remaining "
        "cells are marked as not run.",
    ).tag(config=True)
    responsive_wait = Integer(
        5,
        help="After a cell timed out and was interrupted, seconds to wait for the kernel to answer "
        "again before it is killed and restarted.",
    ).tag(config=True)
    trusted_tests = Bool(
        True,
        help="Run the master notebook's test cells in the trusted grader (course.oracle), calling the "
        "student's functions in the kernel; False runs them in the kernel, as plain nbgrader does.",
    ).tag(config=True)
    seal_kernel_folder = Bool(
        False,
        help="Once a kernel is ready, give the folder of its connection file (where a Unix-socket kernel "
        "binds its sockets) to the grader's user, so that the kernel's own user cannot write there.",
    ).tag(config=True)
    oom_counter = Unicode(
        "",
        help="Memory events file of the kernel's cgroup (a line 'oom_kill N'); a kernel that died while "
        "this count grew is reported as over the memory limit.",
    ).tag(config=True)
    skip_tagged = Bool(
        True,
        help="Do not run the code cells tagged 'skip-at-grading' (demonstrations without points) that no "
        "running cell depends on (see course/nbgrader_ext/skipped_cells.py); their output says so.",
    ).tag(config=True)
    kept_files = List(
        Unicode(),
        help="Extra file names (besides the assignment's source files) a submission may keep next to the notebook.",
    ).tag(config=True)

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict | None = None, km: Any = None
    ) -> tuple[nbformat.NotebookNode, dict]:
        path = (resources or {}).get("metadata", {}).get("path")
        self._plan, self._plan_error = None, None
        if path and "nbgrader" in resources:
            self.remove_foreign_files(path, resources["nbgrader"]["assignment"])
            if self.trusted_tests:
                self._start_trusted(resources["nbgrader"]["assignment"], resources["nbgrader"]["notebook"])
        self._replay = []
        self._restarts = 0
        self._agent_installed = False  # a new kernel: the first graded call installs the agent
        self._skipped = cells_to_skip(nb.cells)[0] if self.skip_tagged else set()
        if self._skipped:
            self.log.info("Not running %d demonstration cells tagged %s", len(self._skipped), SKIP_TAG)
        if km is None and _handed_over:
            ahead = take_handed_over()
            if ahead.kernel_name == nb.metadata.get("kernelspec", {}).get("name"):
                km = ahead  # its kernel started while the previous submission was graded
            else:
                run_sync(ahead.shutdown_kernel)(now=True)
        phases.clear()
        phases.update({"kernel start": 0.0, "trusted tests": 0.0})
        started = time.perf_counter()
        try:
            return super().preprocess(nb, resources, km)
        finally:
            total = time.perf_counter() - started
            phases["execution"] = total - phases["kernel start"] - phases["trusted tests"]

    @contextlib.contextmanager
    def setup_kernel(self, **kwargs: Any) -> Iterator[None]:
        """nbclient's, but the kernel is always this notebook's to shut down, even one started ahead."""
        kwargs.setdefault("cleanup_kc", True)
        started = time.perf_counter()
        with super().setup_kernel(**kwargs):
            phases["kernel start"] = time.perf_counter() - started
            yield

    def _start_trusted(self, assignment, notebook):
        """Read the master notebook and give the trusted grader a fresh namespace for this submission."""
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", assignment)
        master = os.path.join(folder, notebook + ".ipynb")
        if not os.path.isfile(master):  # never fall back to running the tests in the kernel
            self._plan_error = "the master notebook {} is missing".format(master)
            self.log.error("Trusted grading impossible: %s", self._plan_error)
            return
        self._plan = Plan(nbformat.read(master, as_version=4))
        try:
            self._plan_error = shared_runner().start_notebook(folder, self._plan.setup, self._plan.students)
        except TrustedGraderError as error:
            self._plan_error = str(error)
        if self._plan_error:
            self.log.error("The trusted grader could not set up %s: %s", notebook, self._plan_error)

    def remove_foreign_files(self, folder: str, assignment: str) -> None:
        """Delete every file under ``folder`` that is neither a top-level notebook nor a file of
        source/<assignment>/ (same relative path), then the folders left empty."""
        coursedir = CourseDirectory(config=self.config)
        source = coursedir.format_path(coursedir.source_directory, ".", assignment)
        allowed = set(self.kept_files)
        for directory, _, files in os.walk(source):
            allowed.update(os.path.relpath(os.path.join(directory, f), source) for f in files)
        for directory, subfolders, files in os.walk(folder, topdown=False):
            for name in files + [d for d in subfolders if os.path.islink(os.path.join(directory, d))]:
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, folder)
                if relative in allowed or (relative == name and name.endswith(".ipynb")):
                    continue
                self.log.warning("Removing %s: not part of assignment %s", path, assignment)
                os.remove(path)
            if directory != folder and not os.listdir(directory):
                os.rmdir(directory)

    def create_kernel_manager(self) -> Any:
        """nbclient's kernel manager, whose clients are ready as soon as the kernel answers (``kernel_client.py``)."""
        km = super().create_kernel_manager()
        km.client_class = "course.nbgrader_ext.kernel_client.ReadyKernelClient"
        return km

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        if self.memory_limit_mb > 0 and os.name == "posix":
            kwargs.setdefault("preexec_fn", _limit_address_space(self.memory_limit_mb * 1024 * 1024))
        await super().async_start_new_kernel(**kwargs)

    # nbclient binds its synchronous wrappers to its own coroutines: rebind them to these overrides.
    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self) -> Any:
        client = await super().async_start_new_kernel_client()
        if self.seal_kernel_folder:
            folder = os.path.dirname(os.path.abspath(self.km.connection_file))
            os.chown(folder, os.getuid(), os.getgid())
            os.chmod(folder, 0o700)
        self._oom_seen = oom_kills(self.oom_counter) if self.oom_counter else 0
        return client

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _out_of_memory(self):
        """True if the memory limit killed a process of the kernel's cgroup since the last look."""
        if not self.oom_counter:
            return False
        seen, self._oom_seen = getattr(self, "_oom_seen", 0), oom_kills(self.oom_counter)
        return self._oom_seen > seen

    def _died_message(self):
        return (KERNEL_OUT_OF_MEMORY if self._out_of_memory() else KERNEL_DIED).inline()

    def preprocess_cell(
        self, cell: nbformat.NotebookNode, resources: dict, index: int
    ) -> tuple[nbformat.NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, self.resources
        if self.kc is None:  # too many restarts: the rest is not run
            cell.outputs = [self._error_output("KernelNotRestarted", KERNEL_NOT_RESTARTED.inline())]
            return cell, self.resources
        if self._is_trusted_test(cell):
            return self._run_trusted_test(cell, index), self.resources
        if index in self._skipped:
            cell.execution_count = None
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=skipped_note())]
            return cell, self.resources
        self._asked_exit = False
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(self._error_output("DeadKernelError", self._died_message()))
            self._restart_and_replay()
            return cell, self.resources
        except CellTimeoutError:  # no reply, and the interrupt did not bring the kernel back either
            cell.outputs.append(
                self._error_output("CellTimeoutError", CELL_TIMED_OUT.format(seconds=self.timeout).inline())
            )
            self._restart_and_replay()
            return cell, self.resources
        errors = [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"]
        if "MemoryError" in errors:
            # IPython keeps the failed cell's frames (sys.last_traceback), and with them all the memory the
            # cell ran out of: the next cells would fail too. A fresh kernel gives them their memory back.
            self.log.warning("A cell ran out of memory: restarting the kernel")
            self._restart_and_replay()
        elif self.error_on_timeout.get("ename") in errors and not self._kernel_responds():
            # Interrupting did not help (a long computation inside C code): start afresh.
            self.log.warning("Kernel still busy %ds after the timeout: restarting it", self.responsive_wait)
            self._restart_and_replay()
        elif self._asked_exit:
            # exit() ends the kernel a moment after its cell: restart it now, and never replay that cell
            # (the replayed exit() would end the fresh kernel again, in the middle of a later test).
            self.log.warning("A cell called exit(): restarting the kernel")
            self._restart_and_replay()
        elif not errors and not self._is_test_cell(cell):
            self._replay.append((index, cell))
        return cell, self.resources

    def on_cell_executed(self, **kwargs: Any) -> None:
        """nbgrader's, plus: note a cell whose reply asks the front end to exit (IPython's ``exit()``)."""
        super().on_cell_executed(**kwargs)
        payloads = kwargs["execute_reply"].get("content", {}).get("payload", [])
        self._asked_exit = getattr(self, "_asked_exit", False) or any(p.get("source") == "ask_exit" for p in payloads)

    def _is_trusted_test(self, cell):
        """A test cell of the master (or any test cell, when the trusted grader could not be set up)."""
        if not self._is_test_cell(cell):
            return False
        if self._plan_error:
            return True
        return self._plan is not None and cell.metadata["nbgrader"].get("grade_id") in self._plan.tests

    def _run_trusted_test(self, cell, index):
        """Run a test cell in the trusted grader; its output and verdict become the cell's outputs.

        A kernel that died during the test may have been dying already (``exit()`` in an earlier cell
        ends the kernel a moment later): it is restarted, the cells that ran fine are replayed, and the
        test runs once more, so that only a death caused by this exercise's calls costs its points.
        """
        started = time.perf_counter()
        try:
            return self._trusted_test(cell, index)
        finally:
            phases["trusted tests"] = phases.get("trusted tests", 0.0) + time.perf_counter() - started

    def _trusted_test(self, cell, index):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        cell.outputs = []
        if self._plan_error:
            cell.outputs.append(self._grader_error(self._plan_error))
            return cell
        self._asked_exit = False
        done, state = self._trusted_attempt(cell, index, grade_id)
        if state["died"]:
            self.log.warning("The kernel died during test cell %s: restarting it and running the test again", grade_id)
            self._restart_and_replay()
            self._asked_exit = False
            if self.kc is not None:
                done, state = self._trusted_attempt(cell, index, grade_id)
        if done.get("stdout"):
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=done["stdout"]))
        if done.get("grader_error"):
            cell.outputs.append(self._grader_error(done["grader_error"]))
        if done.get("error"):
            cell.outputs.append(nbformat.v4.new_output("error", **done["error"]))
        if (state["died"] or self._asked_exit) and self.kc is not None:
            # A call of this test ran exit() (see on_cell_executed): the kernel ends a moment after the call,
            # during whatever cell comes next. Restart it now, as after a cell that called exit().
            self._restart_and_replay()
        elif state["timed_out"] and not self._kernel_responds():
            self.log.warning("Kernel still busy %ds after the timeout: restarting it", self.responsive_wait)
            self._restart_and_replay()
        return cell

    def _trusted_attempt(self, cell, index, grade_id):
        """One run of the test cell in the trusted grader: ``(done message, {"died", "timed_out"})``."""
        deadline = time.monotonic() + self.timeout
        state = {"died": False, "timed_out": False}

        def problem(name):
            return {"answer": None, "stdout": "", "problem": name}

        def call(request_text):
            remaining = deadline - time.monotonic()
            if state["died"] or self.kc is None:
                return problem("died")
            if remaining <= 0 or state["timed_out"]:
                return problem("timeout")
            probe = nbformat.v4.new_code_cell(kernel_code(request_text, install=not self._agent_installed))
            self._agent_installed = True
            saved = self.timeout
            self.timeout = max(1, math.ceil(remaining))
            try:
                self.execute_cell(probe, index, store_history=False)
            except DeadKernelError:
                state["died"] = True
                return problem("out_of_memory" if self._out_of_memory() else "died")
            except CellTimeoutError:
                state["timed_out"] = True
                return problem("timeout")
            finally:
                self.timeout = saved
                self.nb.cells[index] = cell
            answer = answer_from_outputs(probe.outputs, self.error_on_timeout.get("ename"))
            state["timed_out"] = answer["problem"] == "timeout"
            return answer

        try:
            return shared_runner().run_cell(grade_id, self._plan.tests[grade_id], call), state
        except TrustedGraderError as error:
            return {"stdout": "", "error": None, "grader_error": str(error)}, state

    def _kernel_responds(self):
        """True if the kernel answers a kernel_info request within ``responsive_wait`` seconds."""
        saved, self.timeout = self.timeout, self.responsive_wait
        try:
            return self.wait_for_reply(self.kc.kernel_info()) is not None
        finally:
            self.timeout = saved

    @staticmethod
    def _is_test_cell(cell):
        return bool(cell.metadata.get("nbgrader", {}).get("grade"))

    @classmethod
    def _grader_error(cls, detail):
        """The error output of a test cell the trusted grader could not run (not the student's fault)."""
        return cls._error_output("TrustedGraderError", TRUSTED_GRADER_FAILED.format(detail=detail).inline())

    @staticmethod
    def _error_output(name, value):
        return nbformat.v4.new_output(
            "error", ename=name, evalue=value, traceback=["\x1b[0;31m{}\x1b[0m: {}".format(name, value)]
        )

    def _restart_and_replay(self):
        """Start a fresh kernel and re-run, silently, the cells that had run without error."""
        self._cleanup_kernel()
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self.log.error("Kernel died %d times: remaining cells are not run", self._restarts)
            return
        self.log.warning("Restarting the kernel and replaying %d cells", len(self._replay))
        self.km = self.create_kernel_manager()
        self._agent_installed = False
        self.start_new_kernel()
        self.start_new_kernel_client()
        for index, done in list(self._replay):
            try:
                self.execute_cell(copy.deepcopy(done), index, store_history=False)
            except DeadKernelError:
                self._replay.remove((index, done))
                self._restart_and_replay()
                return
            finally:
                self.nb.cells[index] = done  # the replay's outputs are not kept
