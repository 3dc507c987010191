"""``course grade``: grade a whole class in parallel, each submission isolated, resumable.

Reads the submissions (nbgrader's ``submitted/`` folder, or an LMS zip with ``--zip``), grades each one
with nbgrader's own autograde and the course's nbgrader_config.py in a private copy of the course, its
kernel sandboxed (own unprivileged user, only its working folder visible, memory/time limits), N at a
time. The parent process alone writes: the gradebook (SQLite, or ``--db postgresql://...``),
``autograded/<student>/``, bilingual ``feedback/<student>/`` without test code, a journal that makes a
re-run skip what is already graded (``--force`` regrades), and the reports: ``reports/grades.csv``,
``reports/pass_rates.csv``, ``reports/score_histogram.png`` and a table in the terminal.
"""

import argparse
import contextlib
import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from tqdm import tqdm

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE, require_course_root
from course.batch import cgroups
from course.batch.cluster import parse_scheduler, quiet_console
from course.batch.gradebook import database_url, ensure_assignment, record_result
from course.batch.inputs import DEFAULT_ZIP_PATTERN, Rejected, Submission, collect
from course.batch.journal import JOURNAL_FILE, Journal
from course.batch.kit import build_kit
from course.batch.store import remove_leftovers, replace_folder
from course.batch.worker import Clock, GradeJob, GradeResult, Limits, grade_one, remove_stale_workspaces
from course.cli import add_command
from course.messages import (
    ALREADY_GRADED,
    BATCH_SUMMARY,
    CMD_GRADE,
    ENGINE_LOCAL,
    GRADING_INTERRUPTED,
    HELP_ALL_CELLS,
    HELP_DB,
    HELP_DISK,
    HELP_FORCE,
    HELP_ID_PATTERN,
    HELP_MEMORY,
    HELP_NO_SANDBOX,
    HELP_SCHEDULER,
    HELP_SUBMITTED,
    HELP_TIMEOUT,
    HELP_WORKERS,
    HELP_ZIP,
    NO_CGROUPS_WARNING,
    NOT_ISOLATED_WARNING,
    PROGRESS,
    SANDBOX_NEEDS_BWRAP,
    SANDBOX_NEEDS_ROOT,
    WORKER_DIED,
    WORKER_KILLED_REPEATEDLY,
    CourseError,
    Message,
)
from course.results.feedback import FEEDBACK_FILE, exercise_results, feedback_html, not_run_sections
from course.results.reports import REPORTS_DIR, write_reports

#: Lists the students whose latest grading ran without isolation (--no-sandbox); gone once there are none.
NOT_ISOLATED_FILE = "NOT_ISOLATED.txt"


class Batch:
    """One run of the command on one course: plans the jobs, runs them, stores every result."""

    def __init__(
        self,
        root: Path,
        db_url: str,
        limits: Limits,
        sandboxed: bool = True,
        log: Callable[..., None] = print,
        all_cells: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.root, self.db_url, self.limits, self.sandboxed, self.log = root, db_url, limits, sandboxed, log
        self.all_cells = all_cells
        #: Seconds per phase: the parent's own, and the workers' (summed over jobs, "worker: ..." names).
        self.clock = clock or Clock()
        self.journal = Journal(root / JOURNAL_FILE, db_url)
        self.failed = []
        #: The worker processes that returned a result (``host (pid N)``).
        self.workers_used = set()
        self.remove_leftovers()

    def remove_leftovers(self) -> None:
        """Half-written folders of a run that was killed (see ``replace_folder``) and its workers' private courses."""
        remove_leftovers(self.root)
        remove_stale_workspaces()

    def plan(
        self, entries: list[Submission | Rejected], force: bool
    ) -> tuple[list[GradeJob], list[str], list[Rejected]]:
        """Split ``entries`` into (jobs to run, students skipped as already graded, Rejected entries)."""
        done = {} if force else self.journal.graded()
        rejected = [e for e in entries if isinstance(e, Rejected)]
        todo = [e for e in entries if not isinstance(e, Rejected) and done.get(e.student) != e.digest]
        skipped = [e.student for e in entries if not isinstance(e, Rejected) and done.get(e.student) == e.digest]
        if not todo:
            return [], skipped, rejected
        kit = build_kit(self.root, self.db_url)
        jobs = [
            GradeJob(e.student, e.notebook, e.timestamp, e.digest, kit, self.limits, self.sandboxed, self.all_cells)
            for e in todo
        ]
        return jobs, skipped, rejected

    def store(self, gradebook: Gradebook, result: GradeResult) -> None:
        """Write one successful result: gradebook, autograded/, feedback/, then the journal line."""
        with self.clock("gradebook writes"):
            record_result(gradebook, ASSIGNMENT, result)
            replace_folder(self.root / "autograded" / result.student / ASSIGNMENT, result.files)
        with self.clock("feedback"):
            notebook = nbformat.reads(result.files[NOTEBOOK_FILE].decode("utf-8"), as_version=4)
            rows = exercise_results(notebook, self.root)
            page = feedback_html(result.student, rows, not_run_sections(notebook, self.root)).encode("utf-8")
            replace_folder(self.root / "feedback" / result.student / ASSIGNMENT, {FEEDBACK_FILE: page})
        with self.clock("gradebook writes"):
            self.journal.record(
                result.student, result.digest, sum(r["score"] for r in rows), sum(r["max_score"] for r in rows)
            )

    def run(self, jobs: list[GradeJob], executor: Executor) -> None:
        """Submit every job to ``executor`` (any concurrent.futures.Executor); store results as they come."""
        progress = tqdm(total=len(jobs), desc=PROGRESS.inline(), unit="nb", file=sys.stderr, dynamic_ncols=True)
        futures = {executor.submit(grade_one, job): job.student for job in jobs}
        with Gradebook(self.db_url) as gradebook:
            try:
                for future in as_completed(futures):
                    self.handle(gradebook, futures[future], future, progress)
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                progress.close()
                self.log(GRADING_INTERRUPTED.text(), file=sys.stderr)
                raise
        progress.close()

    def handle(self, gradebook: Gradebook, student: str, future: Future, progress: tqdm) -> None:
        try:
            result = future.result()
        except Exception as error:  # a worker that died: the submission is retried on the next run
            result = None
            message = lost_job_message(error).text()
        else:
            message = result.message
            self.workers_used.add(result.worker)
            for name, seconds in result.phases.items():
                self.clock.add("worker: " + name, seconds)
            if result.ok:
                self.store(gradebook, result)
        if result is None or not result.ok:
            self.failed.append((student, message))
            progress.write("{}: {}".format(student, message.replace("\n", " / ")), file=sys.stderr)
        progress.update(1)
        progress.set_postfix(failed=len(self.failed))


def lost_job_message(error: Exception) -> Message:
    """Why a job gave no result: a poison submission (Dask's ``KilledWorker``: every worker it was tried on
    died), or a worker that died (the local pool does not try again)."""
    if type(error).__name__ == "KilledWorker" and type(error).__module__.startswith("distributed"):
        return WORKER_KILLED_REPEATEDLY.format(tries=error.allowed_failures + 1, worker=error.last_worker.address)
    return WORKER_DIED.format(error="{}: {}".format(type(error).__name__, error))


def default_workers() -> int:
    """One worker more than CPUs: a worker spends part of each job waiting for its kernel, and another
    computes meanwhile (on 2 cores, 3 workers grade a class about 7% faster than 2)."""
    return (os.cpu_count() or 1) + 1


def local_executor(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes forked from this one once nbgrader is imported (importing it takes
    seconds; forked workers start with it). Call it before any thread or database connection is open."""
    import nbgrader.apps.autogradeapp  # noqa: F401

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=quiet_console
    )


@contextlib.contextmanager
def grading_engine(
    executor: Executor | None, scheduler: str | None, workers: int | None, sandboxed: bool, log: Callable[..., None]
) -> Iterator[tuple[Executor, Callable[[int], Message | None]]]:
    """``(executor, describe)`` for a batch: the given executor (its caller shuts it down), a Dask cluster
    (``scheduler``), or the local process pool (its processes start at the first job); ``describe()`` says
    where the batch ran, for the summary, given how many worker processes returned results (None: not known)."""
    if executor is not None:
        yield executor, lambda used: None
    elif scheduler is not None:
        from course.batch.cluster import open_cluster

        with open_cluster(scheduler, sandboxed, log) as cluster:
            yield cluster, cluster.describe
    else:
        count = workers or default_workers()
        pool = local_executor(count)
        try:
            yield pool, lambda used: ENGINE_LOCAL.format(workers=count, used=used)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def check_sandbox(sandboxed: bool, log: Callable[..., None]) -> None:
    """Refuse to grade in a sandbox this machine cannot give (not root, no bwrap); say where the memory
    and process limits can only be per process (no writable cgroup)."""
    if not sandboxed:
        return
    if os.geteuid() != 0:
        raise CourseError(SANDBOX_NEEDS_ROOT)
    if shutil.which("bwrap") is None:
        raise CourseError(SANDBOX_NEEDS_BWRAP)
    if cgroups.parents() is None:
        log(NO_CGROUPS_WARNING.text(), file=sys.stderr)


def record_isolation(root: Path, graded: list[str], sandboxed: bool, log: Callable[..., None]) -> None:
    """Keep ``reports/NOT_ISOLATED.txt`` listing every student whose latest grading ran with --no-sandbox,
    and repeat its warning in the summary: a class graded partly without isolation is never silent."""
    path = root / REPORTS_DIR / NOT_ISOLATED_FILE
    listed = set(path.read_text(encoding="utf-8").split("\n")[2:]) - {""} if path.exists() else set()
    listed = (listed | set(graded)) if not sandboxed else (listed - set(graded))
    if not listed:
        path.unlink(missing_ok=True)
        return
    warning = NOT_ISOLATED_WARNING.format(count=len(listed), students=", ".join(sorted(listed)))
    path.parent.mkdir(exist_ok=True)
    path.write_text(warning.text() + "\n" + "\n".join(sorted(listed)) + "\n", encoding="utf-8")
    log(warning.text(), file=sys.stderr)


def grade_course(
    root: str | Path,
    submissions: str | Path | None = None,
    db: str | None = None,
    workers: int | None = None,
    force: bool = False,
    limits: Limits = Limits(),
    sandboxed: bool = True,
    pattern: str = DEFAULT_ZIP_PATTERN,
    executor: Executor | None = None,
    log: Callable[..., None] = print,
    all_cells: bool = False,
    phases: dict | None = None,
    scheduler: str | None = None,
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Grade every submission of ``submissions`` (folder or zip; default ``root/submitted``); with
    ``all_cells``, also run the demonstration cells tagged ``skip-at-grading``. ``phases``, a dict, receives
    the seconds spent in each phase (the benchmark prints them).

    Returns ``(graded, skipped, failed)``: lists of student ids (``failed`` as (id, message) pairs,
    rejected inputs included). ``executor`` replaces the local process pool (any Executor); ``scheduler``
    grades on a Dask cluster instead (an address, or ``local:N``; see ``course.batch.cluster``).
    """
    root = require_course_root(root)
    if scheduler is None:  # on a cluster, each worker is checked instead (course.batch.cluster)
        check_sandbox(sandboxed, log)
    db_url = database_url(root, db)
    clock = Clock()
    engine = None
    # Opened first: a cluster's workers start and warm up while this process reads the submissions.
    with grading_engine(executor, scheduler, workers, sandboxed, log) as (executor, describe):
        with clock("input collection"):
            entries = collect(submissions or root / "submitted", pattern)
        for entry in entries:
            if isinstance(entry, Rejected):
                log("{}: {}".format(entry.student, entry.message.replace("\n", " / ")), file=sys.stderr)
        with clock("gradebook writes"):
            ensure_assignment(root, db_url, log=log)
        batch = Batch(root, db_url, limits, sandboxed, log, all_cells, clock)
        with clock("input collection"):
            jobs, skipped, rejected = batch.plan(entries, force)
        if skipped:
            log(ALREADY_GRADED.format(count=len(skipped)).text())
        if jobs:
            batch.run(jobs, executor)
            engine = describe(len(batch.workers_used))
    if jobs:
        # Again at the end: workers of a run killed just before this one may still have been exiting
        # when the batch started, their private courses then not yet recognisably stale.
        remove_stale_workspaces()
    with clock("reports"):
        write_reports(root, db_url, log=log)
    failed = [(r.student, r.message) for r in rejected] + batch.failed
    graded = [job.student for job in jobs if job.student not in dict(batch.failed)]
    record_isolation(root, graded, sandboxed, log)
    log(BATCH_SUMMARY.format(graded=len(graded), skipped=len(skipped), failed=len(failed)).text())
    if engine is not None:
        log(engine.text())
    if phases is not None:
        phases.update(clock.seconds)
    return graded, skipped, failed


def _run(args):
    _, _, failed = grade_course(
        args.course,
        submissions=args.zip or args.submitted,
        db=args.db,
        workers=args.workers,
        force=args.force,
        limits=Limits(wall_seconds=args.timeout, memory_mb=args.memory_mb, disk_mb=args.disk_mb),
        sandboxed=not args.no_sandbox,
        pattern=args.id_pattern,
        all_cells=args.all_cells,
        scheduler=args.scheduler,
    )
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        common,
        "grade",
        CMD_GRADE,
        __doc__,
        _run,
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--submitted",
        metavar="DIR",
        help=HELP_SUBMITTED.format(path="{}/{}".format(ASSIGNMENT, NOTEBOOK_FILE)).inline(),
    )
    source.add_argument("--zip", metavar="FILE", help=HELP_ZIP.inline())
    parser.add_argument(
        "--id-pattern",
        default=DEFAULT_ZIP_PATTERN,
        metavar="REGEX",
        help=HELP_ID_PATTERN.inline(),
    )
    parser.add_argument("--db", metavar="URL", help=HELP_DB.inline())
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("-j", "--workers", type=int, metavar="N", help=HELP_WORKERS.inline())
    engine.add_argument("--scheduler", type=parse_scheduler, metavar="ADDRESS", help=HELP_SCHEDULER.inline())
    parser.add_argument("--force", action="store_true", help=HELP_FORCE.inline())
    parser.add_argument(
        "--timeout",
        type=int,
        default=Limits.wall_seconds,
        metavar="SECONDS",
        help=HELP_TIMEOUT.inline(),
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_mb,
        metavar="MB",
        help=HELP_MEMORY.inline(),
    )
    parser.add_argument(
        "--disk-mb",
        type=int,
        default=Limits.disk_mb,
        metavar="MB",
        help=HELP_DISK.inline(),
    )
    parser.add_argument("--all-cells", action="store_true", help=HELP_ALL_CELLS.inline())
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help=HELP_NO_SANDBOX.inline(),
    )
