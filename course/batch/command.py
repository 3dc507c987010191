"""``python -m course grade``: grade a whole class in parallel, each submission isolated, resumable.

Reads the submissions (nbgrader's ``submitted/`` folder, or an LMS zip with ``--zip``), grades each one
with nbgrader's own autograde and the course's nbgrader_config.py in a private copy of the course, its
kernel sandboxed (own unprivileged user, only its working folder visible, memory/time limits), N at a
time. The parent process alone writes: the gradebook (SQLite, or ``--db postgresql://...``),
``autograded/<student>/``, bilingual ``feedback/<student>/`` without test code, a journal that makes a
re-run skip what is already graded (``--force`` regrades), and the reports: ``reports/grades.csv``,
``reports/pass_rates.csv``, ``reports/score_histogram.png`` and a table in the terminal.
"""
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from tqdm import tqdm

from course import report
from course.common import ASSIGNMENT, NOTEBOOK_FILE, REPO_ROOT, CourseError, bilingual, require_course_root
from course.feedback import exercise_results, feedback_html
from course.grade_inputs import DEFAULT_ZIP_PATTERN, Rejected, collect
from course.grade_worker import GradeJob, GradingKit, Limits, grade_one, remove_stale_workspaces
from course.gradebook_sync import database_url, ensure_assignment, record_result, template_gradebook

JOURNAL_FILE = ".grade_journal.jsonl"
REPORTS_DIR = "reports"
FOLDER_MODE = 0o755
#: What ``replace_folder`` leaves behind when the process is killed in the middle.
LEFTOVERS = tuple("{}/*/{}*".format(top, prefix) for top in ("autograded", "feedback")
                  for prefix in (".staging-", ".old-"))
#: Files of source/<assignment>/ that are not handed to students.
#: The master notebook is kept: the course's grading rules (course/grading.py) trust a student's
#: given cells only when they equal the master's. Only nbgrader reads it; the kernel never sees source/.
SOURCE_IGNORED = (".pyc",)
SOURCE_IGNORED_DIRS = ("__pycache__", ".ipynb_checkpoints")


class Journal:
    """Append-only record of graded submissions: one JSON line each, flushed to disk before going on.

    A submission counts as graded for a gradebook when a line has its student, the digest of exactly
    what was graded and that gradebook's key. A line cut short by a crash is ignored.
    """

    def __init__(self, path, db_url):
        self.path = Path(path)
        self.db_key = hashlib.sha256(db_url.encode()).hexdigest()[:16]

    def graded(self):
        """``{student: digest}`` of what this gradebook already holds."""
        done = {}
        if not self.path.exists():
            return done
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("db") == self.db_key:
                done[entry["student"]] = entry["digest"]
        return done

    def record(self, student, digest, score, max_score):
        line = json.dumps({"student": student, "digest": digest, "db": self.db_key, "score": score,
                           "max_score": max_score, "time": time.strftime("%Y-%m-%dT%H:%M:%S")})
        with open(str(self.path), "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def source_files(root):
    """``{path in the private course: bytes}`` of source/<assignment>/: the master notebook and its helper
    files (symlinks resolved)."""
    folder = Path(root) / "source" / ASSIGNMENT
    files = {}
    for directory, subdirs, names in os.walk(str(folder)):
        subdirs[:] = [d for d in subdirs if d not in SOURCE_IGNORED_DIRS]
        for name in names:
            if not name.endswith(SOURCE_IGNORED):
                path = Path(directory) / name
                files[str(Path("source", ASSIGNMENT, path.relative_to(folder)))] = path.read_bytes()
    return files


def build_kit(root, db_url):
    """The GradingKit of this course: its nbgrader_config.py, source helpers and the assignment's definition."""
    files = {"nbgrader_config.py": (Path(root) / "nbgrader_config.py").read_bytes()}
    files.update(source_files(root))
    with tempfile.TemporaryDirectory() as folder:
        files["gradebook.db"] = template_gradebook(db_url, folder)
    return GradingKit(files)


def replace_folder(target, files):
    """Atomically replace folder ``target`` by one holding ``{relative path: bytes}``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=str(target.parent)))
    staging.chmod(FOLDER_MODE)
    for relative, data in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if target.exists():
        trash = Path(tempfile.mkdtemp(prefix=".old-", dir=str(target.parent)))
        target.rename(trash / "old")
        staging.rename(target)
        shutil.rmtree(str(trash))
    else:
        staging.rename(target)


class Batch:
    """One run of the command on one course: plans the jobs, runs them, stores every result."""

    def __init__(self, root, db_url, limits, sandboxed=True, log=print):
        self.root, self.db_url, self.limits, self.sandboxed, self.log = root, db_url, limits, sandboxed, log
        self.journal = Journal(root / JOURNAL_FILE, db_url)
        self.failed = []
        self.remove_leftovers()

    def remove_leftovers(self):
        """Half-written folders of a run that was killed (see ``replace_folder``) and its workers' private courses."""
        for pattern in LEFTOVERS:
            for path in self.root.glob(pattern):
                shutil.rmtree(str(path), ignore_errors=True)
        remove_stale_workspaces()

    def plan(self, entries, force):
        """Split ``entries`` into (jobs to run, students skipped as already graded, Rejected entries)."""
        done = {} if force else self.journal.graded()
        rejected = [e for e in entries if isinstance(e, Rejected)]
        todo = [e for e in entries if not isinstance(e, Rejected) and done.get(e.student) != e.digest]
        skipped = [e.student for e in entries if not isinstance(e, Rejected) and done.get(e.student) == e.digest]
        if not todo:
            return [], skipped, rejected
        kit = build_kit(self.root, self.db_url)
        jobs = [GradeJob(e.student, e.notebook, e.timestamp, e.digest, kit, self.limits, self.sandboxed) for e in todo]
        return jobs, skipped, rejected

    def store(self, gradebook, result):
        """Write one successful result: gradebook, autograded/, feedback/, then the journal line."""
        record_result(gradebook, ASSIGNMENT, result)
        replace_folder(self.root / "autograded" / result.student / ASSIGNMENT, result.files)
        notebook = nbformat.reads(result.files[NOTEBOOK_FILE].decode("utf-8"), as_version=4)
        rows = exercise_results(notebook)
        page = feedback_html(result.student, rows).encode("utf-8")
        replace_folder(self.root / "feedback" / result.student / ASSIGNMENT,
                       {NOTEBOOK_FILE.replace(".ipynb", ".html"): page})
        self.journal.record(result.student, result.digest, sum(r["score"] for r in rows),
                            sum(r["max_score"] for r in rows))

    def run(self, jobs, executor):
        """Submit every job to ``executor`` (any concurrent.futures.Executor); store results as they come."""
        progress = tqdm(total=len(jobs), desc="grading / 评分", unit="nb", file=sys.stderr, dynamic_ncols=True)
        futures = {executor.submit(grade_one, job): job.student for job in jobs}
        with Gradebook(self.db_url) as gradebook:
            try:
                for future in as_completed(futures):
                    self.handle(gradebook, futures[future], future, progress)
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                progress.close()
                self.log(bilingual("interrupted: run the same command again to grade the rest",
                                   "已中断：再次运行同一命令即可继续评分其余提交"), file=sys.stderr)
                raise
        progress.close()

    def handle(self, gradebook, student, future, progress):
        try:
            result = future.result()
        except Exception as error:  # a worker that died: the submission is retried on the next run
            result = None
            message = "{}: {}".format(type(error).__name__, error)
        else:
            message = result.message
            if result.ok:
                self.store(gradebook, result)
        if result is None or not result.ok:
            self.failed.append((student, message))
            progress.write("{}: {}".format(student, message.replace("\n", " / ")), file=sys.stderr)
        progress.update(1)
        progress.set_postfix(failed=len(self.failed))


def quiet_worker():
    """Process-pool initializer: the kernels' and nbgrader's console chatter would garble the progress bar."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def local_executor(workers):
    """A pool of ``workers`` processes forked from this one once nbgrader is imported (importing it takes
    seconds; forked workers start with it). Call it before any thread or database connection is open."""
    import nbgrader.apps.autogradeapp  # noqa: F401
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=quiet_worker)


def write_reports(root, db_url, log=print):
    """grades.csv, pass_rates.csv and score_histogram.png in reports/, and the tables in the terminal."""
    scores = report.exercise_scores(db_url)
    folder = root / REPORTS_DIR
    folder.mkdir(exist_ok=True)
    report.write_grades_csv(scores, folder / "grades.csv")
    rates = report.pass_rates(scores)
    report.write_pass_rates_csv(rates, folder / "pass_rates.csv")
    report.score_histogram(scores, folder / "score_histogram.png")
    if scores:
        log(report.format_table(dict(sorted(scores.items()))))
        log("")
        log("pass rate / 通过率")
        log(report.format_pass_rates(rates))
    log("reports / 报告: {}".format(folder))
    return scores


def grade_course(root, submissions=None, db=None, workers=None, force=False, limits=Limits(), sandboxed=True,
                 pattern=DEFAULT_ZIP_PATTERN, executor=None, log=print):
    """Grade every submission of ``submissions`` (folder or zip; default ``root/submitted``).

    Returns ``(graded, skipped, failed)``: lists of student ids (``failed`` as (id, message) pairs,
    rejected inputs included). ``executor`` replaces the local process pool (any Executor).
    """
    root = require_course_root(root)
    if sandboxed and os.geteuid() != 0:
        raise CourseError(bilingual(
            "isolating submissions needs root (a private file-system view and an unprivileged user per kernel); "
            "run as root, or pass --no-sandbox to grade without isolation (only for code you trust)",
            "隔离提交需要 root 权限（每个内核使用私有文件视图和非特权用户）；请以 root 运行，"
            "或使用 --no-sandbox 在不隔离的情况下评分（仅限可信代码）"))
    db_url = database_url(root, db)
    entries = collect(submissions or root / "submitted", pattern)
    for entry in entries:
        if isinstance(entry, Rejected):
            log("{}: {}".format(entry.student, entry.message.replace("\n", " / ")), file=sys.stderr)
    ensure_assignment(root, db_url, log=log)
    batch = Batch(root, db_url, limits, sandboxed, log)
    jobs, skipped, rejected = batch.plan(entries, force)
    if skipped:
        log(bilingual("already graded, skipped (use --force to regrade): {}".format(len(skipped)),
                      "已评分，跳过（用 --force 重新评分）：{}".format(len(skipped))))
    if jobs:
        own = executor is None
        executor = executor or local_executor(workers or os.cpu_count() or 1)
        try:
            batch.run(jobs, executor)
        finally:
            if own:
                executor.shutdown(wait=True, cancel_futures=True)
    write_reports(root, db_url, log=log)
    failed = [(r.student, r.message) for r in rejected] + batch.failed
    graded = [job.student for job in jobs if job.student not in dict(batch.failed)]
    log(bilingual("graded {}, skipped {}, failed {}".format(len(graded), len(skipped), len(failed)),
                  "已评分 {}，跳过 {}，失败 {}".format(len(graded), len(skipped), len(failed))))
    return graded, skipped, failed


def _run(args):
    _, _, failed = grade_course(
        args.course, submissions=args.zip or args.submitted, db=args.db, workers=args.workers, force=args.force,
        limits=Limits(wall_seconds=args.timeout, memory_mb=args.memory_mb), sandboxed=not args.no_sandbox,
        pattern=args.id_pattern)
    return 1 if failed else 0


def register(subparsers):
    parser = subparsers.add_parser(
        "grade", help="grade the whole class: parallel, isolated, resumable; feedback and reports",
        description=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--course", default=str(REPO_ROOT), metavar="PATH",
                        help="the course folder (default: this repository)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--submitted", metavar="DIR",
                        help="nbgrader layout DIR/<student>/{}/{} (default: the course's submitted/)".format(
                            ASSIGNMENT, NOTEBOOK_FILE))
    source.add_argument("--zip", metavar="FILE", help="an LMS download: one notebook per student in a zip")
    parser.add_argument("--id-pattern", default=DEFAULT_ZIP_PATTERN, metavar="REGEX",
                        help="with --zip: regular expression with a (?P<student>...) group matched against "
                             "each file name (default: %(default)s)")
    parser.add_argument("--db", metavar="URL", help="gradebook URL, e.g. postgresql://user@host/db "
                                                    "(default: the course's gradebook.db)")
    parser.add_argument("-j", "--workers", type=int, metavar="N", help="parallel workers (default: number of CPUs)")
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    parser.add_argument("--timeout", type=int, default=Limits.wall_seconds, metavar="SECONDS",
                        help="wall-clock limit per submission (default: %(default)s)")
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb, metavar="MB",
                        help="memory (address space) limit of each kernel (default: %(default)s)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code without isolation (when not root; only for trusted code)")
    parser.set_defaults(func=_run)
