"""``course grade --scheduler``: grade on a Dask cluster instead of this machine's process pool.

Why Dask: a class of tens of thousands of submissions outgrows one machine, and Dask distributed is a
maintained engine that already does what grading needs from one. It places jobs on workers; it notices
a worker that died (kill -9, out of memory, a lost machine) and runs its job again elsewhere; it stops a
job that killed every worker it landed on (the scheduler's ``distributed.scheduler.allowed-failures``);
and operators start its workers with the deployers they already use (``dask worker`` on a shell, SLURM
through dask-jobqueue, Kubernetes through dask-kubernetes).

The cluster runs the same pure function as the local pool, ``grade_one(job) -> GradeResult``. Jobs
and results are plain data, workers share no file system with the instructor, and the instructor's
process stays the only writer (gradebook, ``autograded/``, ``feedback/``, ``reports/``, the journal).
This module adds four things around it:

* **The course kit travels once per worker**, not once per job. It is one task of the cluster whose
  result the workers fetch from each other, and every job names it. It is not ``scatter``-ed, because
  scattered data has no recipe: a submission that kills every worker holding it would lose it for the
  whole class, while a task's result is computed again by the scheduler.
* **Every worker is checked before the first job** (:func:`worker_facts`). It must run the same course
  code and the same libraries as the instructor, so that it gives the same scores. It must be able to
  sandbox (root, bubblewrap) unless ``--no-sandbox`` was passed. Otherwise the batch is refused, and the
  message names the workers and the fix. A worker that joins later checks the same on every job and
  refuses it; that student is listed as failed, and the next run grades them.
* **One job at a time per worker process** (``grade_one`` changes the working folder and environment).
  Workers are started with ``--nthreads 1``; a lock holds a second thread back if an operator gave more.
* **A local throw-away cluster**, ``--scheduler local:N``, to try all of this on one machine.
"""

import contextlib
import functools
import hashlib
import importlib
import importlib.metadata
import os
import platform
import shutil
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from course.batch import cgroups
from course.messages import (
    CLUSTER_HAS_NO_WORKERS,
    CLUSTER_REFUSED,
    CLUSTER_UNREACHABLE,
    ENGINE_CLUSTER,
    ENGINE_LOCAL_CLUSTER,
    SCHEDULER_INVALID,
    WORKER_CODE_DIFFERS,
    WORKER_NEEDS_BWRAP,
    WORKER_NEEDS_ROOT,
    WORKER_NO_CGROUPS,
    CourseError,
    Message,
)

if TYPE_CHECKING:  # imported where used: the worker module imports nbgrader (seconds), the checks do not
    from distributed import Client, Worker
    from distributed import Future as DaskFuture

    from course.batch.worker import GradeJob, GradeResult, GradingKit

#: ``--scheduler local:N`` starts a throw-away cluster of N worker processes on this machine.
LOCAL_PREFIX = "local:"
#: Seconds to reach the scheduler, and to wait for its first worker.
CONNECT_SECONDS = 30
WORKERS_SECONDS = 60
#: How often a local cluster tries a job whose worker died under it before reporting the student as
#: failed (a poison submission): ``distributed.scheduler.allowed-failures`` + 1. An external cluster
#: uses its scheduler's own setting (Dask's default: 3, so 4 tries).
LOCAL_TRIES = 3
#: Scheduler settings of a local cluster (an operator sets the same on theirs, see the README). A worker
#: holds only the job it runs (saturation 1.0): when it dies, no job merely queued there counts a try.
LOCAL_SCHEDULER_CONFIG = {
    "distributed.scheduler.allowed-failures": LOCAL_TRIES - 1,
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.multiprocessing-method": "forkserver",
}
#: What the local cluster's fork server imports before its workers fork from it.
LOCAL_PRELOAD = ["distributed", "nbgrader.apps.autogradeapp", "course.batch.worker", "course.batch.cluster"]
#: The libraries whose versions decide a score (besides Python and this package's own code).
SCORING_LIBRARIES = ("numpy", "nbgrader", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter-client")
COURSE_PACKAGE = Path(__file__).resolve().parents[1]


def local_size(scheduler: str) -> int | None:
    """N of ``local:N`` (None for an address; 0 for a ``local:`` value that is no positive count)."""
    if not scheduler.startswith(LOCAL_PREFIX):
        return None
    count = scheduler[len(LOCAL_PREFIX) :]
    return int(count) if count.isdigit() else 0


def parse_scheduler(value: str) -> str:
    """``--scheduler``'s value, checked: ``local:N`` (N >= 1) or a scheduler address (``tcp://host:port``,
    ``tls://…``, ``host:port``). An argparse type: a bad value is an error naming the fix."""
    import argparse

    value = value.strip()
    size = local_size(value)
    if size is not None:
        if size >= 1:
            return value
    elif value and not any(c.isspace() for c in value) and ":" in value:
        return value
    raise argparse.ArgumentTypeError(SCHEDULER_INVALID.format(value=value).inline())


@functools.cache
def code_fingerprint() -> dict[str, str]:
    """What a score depends on besides the submission and the kit: Python's version, the scoring
    libraries' versions, and a digest of this package's files (``{name: version or digest}``)."""
    digest = hashlib.sha256()
    for path in sorted(COURSE_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(COURSE_PACKAGE)).encode() + b"\0" + path.read_bytes())
    facts = {"python": platform.python_version(), "course": digest.hexdigest()[:16]}
    facts.update((name, importlib.metadata.version(name)) for name in SCORING_LIBRARIES)
    return facts


def worker_facts() -> dict:
    """What the instructor needs to know of a worker before sending it jobs (run on each worker)."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "root": os.geteuid() == 0,
        "bwrap": shutil.which("bwrap") is not None,
        "cgroups": cgroups.parents() is not None,
        "code": code_fingerprint(),
    }


def refusal(facts: dict, sandboxed: bool, code: dict) -> Message | None:
    """Why a worker (``facts`` from :func:`worker_facts`) may not grade this batch (every reason, one
    message), or None."""
    reasons = []
    if facts["code"] != code:
        differs = sorted(name for name in code if facts["code"].get(name) != code[name])
        changes = ", ".join("{}: {} ≠ {}".format(n, facts["code"].get(n), code[n]) for n in differs)
        reasons.append(WORKER_CODE_DIFFERS.format(differences=changes))
    if sandboxed and not facts["root"]:
        reasons.append(WORKER_NEEDS_ROOT)
    if sandboxed and not facts["bwrap"]:
        reasons.append(WORKER_NEEDS_BWRAP)
    return joined(reasons) if reasons else None


def joined(messages: list[Message]) -> Message:
    """Several messages as one: ``a; b`` / ``a；b``."""
    return Message("; ".join(m.en for m in messages), "；".join(m.zh for m in messages))


#: One job at a time in a worker process, whatever its number of threads.
_one_at_a_time = threading.Lock()
#: This worker process's facts, found at its first job (they do not change while it runs).
_facts: list[dict] = []


def grade_on_worker(job: "GradeJob", kit: "GradingKit", code: dict) -> "GradeResult":
    """The task a cluster runs: ``grade_one`` with the kit the worker already holds, after checking that
    this worker may grade it (the instructor's ``code`` fingerprint, the sandbox)."""
    from course.batch.worker import GradeResult, grade_one, remove_stale_workspaces, worker_name
    from course.nbgrader_cli import nbgrader_env

    with _one_at_a_time:
        if not _facts:
            remove_stale_workspaces()  # what a worker killed before this one left in this machine's /tmp
            # nbgrader runs `alembic` from PATH: a worker started as .venv/bin/dask may not have it there.
            os.environ["PATH"] = nbgrader_env()["PATH"]
            _facts.append(worker_facts())
        why = refusal(_facts[0], job.sandboxed, code)
        if why is not None:
            message = CLUSTER_REFUSED.format(workers=worker_name(), reasons=why).text()
            return GradeResult(job.student, job.digest, False, message=message, worker=worker_name())
        return grade_one(replace(job, kit=kit))


def kit_value(kit: "GradingKit") -> "GradingKit":
    """The kit's task: its result is the kit, held by the workers that need it."""
    return kit


def dask_setup(worker: "Worker") -> None:
    """Preloaded into each worker of a local cluster (``local:N``): like the local pool's workers, it writes
    nothing to the console it shares with the progress bar (kernels' and nbgrader's chatter)."""
    quiet_console()


def quiet_console() -> None:
    """Send this process's stdout and stderr to /dev/null: the kernels' and nbgrader's console chatter
    would garble the progress bar (the local pool's initializer, and the local cluster's workers)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


async def warm_up() -> None:
    """Run on each worker as the batch starts: import what grading imports (seconds) in a thread, so that
    the first job finds it done (a coroutine: ``client.run(..., wait=False)`` takes only those)."""
    import asyncio

    await asyncio.to_thread(importlib.import_module, "nbgrader.apps.autogradeapp")


def close_spare_slot() -> None:
    """Run on each worker after a batch: close the slot it started ahead (no kernel idles there). A worker
    busy with another batch's job keeps it (runs on the worker's event loop, which must not wait)."""
    from course.batch import slots

    if _one_at_a_time.acquire(blocking=False):
        try:
            slots.close_ahead()
        finally:
            _one_at_a_time.release()


class ClusterExecutor:
    """A ``concurrent.futures``-style executor on a Dask cluster: ``submit(grade_one, job)`` returns a
    ``concurrent.futures.Future`` of the job's GradeResult, so ``course grade`` stores results exactly as
    with the local pool. The job travels without its kit; the kit is one task per batch."""

    def __init__(self, client: "Client", local: bool, address: str) -> None:
        from distributed.cfexecutor import ClientExecutor

        self.client, self.local, self.address = client, local, address
        self.futures = ClientExecutor(client, pure=False)
        self.code = code_fingerprint()
        self._kits: dict[int, tuple["GradingKit", "DaskFuture"]] = {}

    def kit_future(self, kit: "GradingKit") -> "DaskFuture":
        """The task whose result is ``kit`` (one per kit object of the batch)."""
        if id(kit) not in self._kits:
            key = "course-kit-{}".format(uuid.uuid4().hex[:12])
            self._kits[id(kit)] = (kit, self.client.submit(kit_value, kit, key=key, pure=False))
        return self._kits[id(kit)][1]

    def submit(self, fn: Callable[["GradeJob"], "GradeResult"], job: "GradeJob") -> Future:
        from course.batch.worker import grade_one

        if fn is not grade_one:
            raise TypeError("ClusterExecutor runs grade_one only")
        key = "grade-{}-{}".format(job.student, uuid.uuid4().hex[:8])
        kit = self.kit_future(job.kit)
        return self.futures.submit(grade_on_worker, replace(job, kit=None), kit, self.code, key=key)

    def describe(self, used: int) -> Message:
        """Where the batch was graded, for the summary: the cluster, its number of workers now, and how
        many worker processes returned results (``used``; a restarted worker is a new process)."""
        workers = len(self.client.scheduler_info(n_workers=-1)["workers"])
        if self.local:
            return ENGINE_LOCAL_CLUSTER.format(workers=workers, used=used)
        return ENGINE_CLUSTER.format(address=self.address, workers=workers, used=used)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Wait for (or cancel) the jobs; after a batch that ended normally, ask every worker to close its
        spare slot (no sandboxed kernel idles on the cluster between two batches)."""
        self.futures.shutdown(wait=wait and not cancel_futures)
        if not cancel_futures:
            self.client.run(close_spare_slot, on_error="ignore")


def check_workers(client: "Client", sandboxed: bool, log: Callable[..., None]) -> None:
    """Refuse the batch unless every worker of ``client``'s cluster may grade it.
    Workers without cgroups are named in a note (their limits are per process only)."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        raise CourseError(CLUSTER_HAS_NO_WORKERS.format(address=client.scheduler.address, seconds=WORKERS_SECONDS))
    facts = client.run(worker_facts)
    code = code_fingerprint()
    refused = {"{} ({})".format(a, found["host"]): refusal(found, sandboxed, code) for a, found in facts.items()}
    refused = {address: why for address, why in refused.items() if why is not None}
    if refused:
        reasons = joined(list(dict.fromkeys(refused.values())))  # each distinct reason once
        raise CourseError(CLUSTER_REFUSED.format(workers=", ".join(sorted(refused)), reasons=reasons))
    lacking = sorted(address for address, found in facts.items() if sandboxed and not found["cgroups"])
    if lacking:
        log(WORKER_NO_CGROUPS.format(workers=", ".join(lacking)).text(), file=sys.stderr)


@contextlib.contextmanager
def open_cluster(scheduler: str, sandboxed: bool, log: Callable[..., None]) -> Iterator[ClusterExecutor]:
    """A ClusterExecutor on the cluster at ``scheduler`` (an address), or on a throw-away local cluster
    (``local:N``), its workers checked. When the block ends normally, every worker closes its spare slot;
    when it raises, the jobs are cancelled. The connection (and a local cluster) is closed either way."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    cluster = client = None
    try:
        if local_size(scheduler) is not None:
            with dask.config.set(LOCAL_SCHEDULER_CONFIG):
                from distributed.utils import get_mp_context

                # The workers fork from a server that has imported grading's modules once (seconds),
                # instead of each importing them after a spawn (a worker restarted later is spawned).
                get_mp_context().set_forkserver_preload(LOCAL_PRELOAD)
                cluster = LocalCluster(
                    n_workers=local_size(scheduler),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                    preload=[__name__],  # dask_setup: a quiet console
                )
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout=CONNECT_SECONDS)
            except OSError as error:
                raise CourseError(CLUSTER_UNREACHABLE.format(address=scheduler, error=error, seconds=CONNECT_SECONDS))
        check_workers(client, sandboxed, log)
        client.run(warm_up, wait=False)
        executor = ClusterExecutor(client, cluster is not None, scheduler)
        try:
            yield executor
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        executor.shutdown()
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
