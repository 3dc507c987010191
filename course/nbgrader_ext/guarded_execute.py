"""Execute step ``GuardedExecute`` (replaces nbgrader's ``Execute``): grading that a submission cannot stop.

Why: one student's ``os._exit()``, memory blow-up or endless C loop must cost that cell, not the
whole notebook. It removes files the student shipped that are not part of the assignment (a
``numpy.py`` next to the notebook would shadow numpy), starts the kernel under an address-space
limit, and survives a dead or unresponsive kernel: the cell gets an error output, a fresh kernel
replays the cells that had run fine, and grading goes on.
"""

import copy
import os
import resource
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Integer, List, Unicode

from course.assignment import MEMORY_LIMIT_MB
from course.messages import CELL_TIMED_OUT, KERNEL_DIED, KERNEL_NOT_RESTARTED


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
    kept_files = List(
        Unicode(),
        help="Extra file names (besides the assignment's source files) a submission may keep next to the notebook.",
    ).tag(config=True)

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict | None = None, km: Any = None
    ) -> tuple[nbformat.NotebookNode, dict]:
        path = (resources or {}).get("metadata", {}).get("path")
        if path and "nbgrader" in resources:
            self.remove_foreign_files(path, resources["nbgrader"]["assignment"])
        self._replay = []
        self._restarts = 0
        return super().preprocess(nb, resources, km)

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

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        if self.memory_limit_mb > 0 and os.name == "posix":
            kwargs.setdefault("preexec_fn", _limit_address_space(self.memory_limit_mb * 1024 * 1024))
        await super().async_start_new_kernel(**kwargs)

    def preprocess_cell(
        self, cell: nbformat.NotebookNode, resources: dict, index: int
    ) -> tuple[nbformat.NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, self.resources
        if self.kc is None:  # too many restarts: the rest is not run
            cell.outputs = [self._error_output("KernelNotRestarted", KERNEL_NOT_RESTARTED.inline())]
            return cell, self.resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(self._error_output("DeadKernelError", KERNEL_DIED.inline()))
            self._restart_and_replay()
            return cell, self.resources
        except CellTimeoutError:  # no reply, and the interrupt did not bring the kernel back either
            cell.outputs.append(
                self._error_output("CellTimeoutError", CELL_TIMED_OUT.format(seconds=self.timeout).inline())
            )
            self._restart_and_replay()
            return cell, self.resources
        errors = [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"]
        if self.error_on_timeout.get("ename") in errors and not self._kernel_responds():
            # Interrupting did not help (a long computation inside C code): start afresh.
            self.log.warning("Kernel still busy %ds after the timeout: restarting it", self.responsive_wait)
            self._restart_and_replay()
        elif not errors and not self._is_test_cell(cell):
            self._replay.append((index, cell))
        return cell, self.resources

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
