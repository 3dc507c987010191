"""``python -m course grade``: an instructor grades the whole class in parallel, safely, resumably."""

import csv
import html
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from support.course import copy_course
from support.grading import (
    class_notebooks,
    fresh_submitted,
    grading_lock,
    leftovers,
    release_notebook,
    run_course,
    sequential_scores,
    solved_notebook,
    write_submission,
)

from course.assignment import ASSIGNMENT, EXERCISES, NOTEBOOK_FILE
from course.batch.inputs import Rejected, Submission, collect
from course.batch.journal import JOURNAL_FILE
from course.batch.worker import GradeJob, GradeResult, GradingKit
from course.nbgrader_cli import nbgrader_env
from course.results.scores import exercise_scores

pytestmark = [pytest.mark.slow, pytest.mark.root]

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def core_total(row):
    """Points of one student's row over the core exercises (the bonus is counted apart)."""
    return sum(row[exercise][0] for exercise in EXERCISES if exercise in row)


def sqlite_url(root):
    return "sqlite:///{}".format(Path(root) / "gradebook.db")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The same class graded twice: plain sequential nbgrader on one copy, ``course grade -j 2`` on another.

    The second copy also holds bad input: a folder without a notebook, a notebook that is not JSON,
    a folder name that is not a student id, a notebook that is a symlink to the master notebook.
    """
    base = tmp_path_factory.mktemp("grade")
    sequential = copy_course(base / "sequential")
    notebooks = class_notebooks(sequential)
    fresh_submitted(sequential, notebooks)
    expected = sequential_scores(sequential)
    parallel = copy_course(base / "parallel")
    submitted = fresh_submitted(parallel, notebooks)
    (submitted / "s06_no_notebook" / ASSIGNMENT).mkdir(parents=True)
    write_submission(submitted, "s07_not_json", "{ this is not json")
    write_submission(submitted, "bad id!", solved_notebook(parallel))
    symlinked = submitted / "s08_symlink" / ASSIGNMENT
    symlinked.mkdir(parents=True)
    os.symlink(parallel / "source" / ASSIGNMENT / NOTEBOOK_FILE, symlinked / NOTEBOOK_FILE)
    result = run_course(parallel, "grade", "-j", "2")
    return {"root": parallel, "expected": expected, "result": result, "students": sorted(notebooks)}


def test_instructor_grade_scores_equal_sequential_nbgrader(graded_class):
    result = graded_class["result"]
    assert sorted(graded_class["expected"]) == graded_class["students"]
    assert exercise_scores(sqlite_url(graded_class["root"])) == graded_class["expected"], result.stdout + result.stderr
    totals = {s: core_total(row) for s, row in graded_class["expected"].items()}
    assert totals["s01_correct"] == 10 and totals["s02_blank"] == 0 and 0 < totals["s03_global_dtheta"] < 10


def test_instructor_grade_reports_bad_input_and_goes_on(graded_class):
    result = graded_class["result"]
    assert result.returncode == 1, result.stderr
    assert "s06_no_notebook: no notebook" in result.stderr
    assert "s07_not_json: the notebook is not valid notebook JSON" in result.stderr
    assert "'bad id!' is not a valid student id" in result.stderr
    link = "s08_symlink: s08_symlink/{}/{} is a symbolic link".format(ASSIGNMENT, NOTEBOOK_FILE)
    assert link in result.stderr, result.stderr
    assert "s08_symlink" not in exercise_scores(sqlite_url(graded_class["root"]))
    assert "graded 5, skipped 0, failed 4" in result.stdout
    assert re.search(r"\d+/5 \[", result.stderr), "no progress bar with counts"


def test_instructor_grade_writes_reports(graded_class):
    root, expected = graded_class["root"], graded_class["expected"]
    with open(str(root / "reports" / "grades.csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["student"] for r in rows] == graded_class["students"]
    for row in rows:
        assert float(row["total"]) == core_total(expected[row["student"]])
    with open(str(root / "reports" / "pass_rates.csv"), encoding="utf-8") as handle:
        rates = {r["exercise"]: (int(r["passed"]), int(r["graded"])) for r in csv.DictReader(handle)}
    for exercise in EXERCISES:
        passed = sum(1 for row in expected.values() if row[exercise][0] >= row[exercise][1])
        assert rates[exercise] == (passed, len(expected))
    assert (root / "reports" / "score_histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = graded_class["result"].stdout
    assert "s03_global_dtheta" in table and "pass rate / 通过率" in table and "10/10" in table


def test_instructor_grade_feedback_is_bilingual_without_hidden_tests(graded_class):
    root = graded_class["root"]
    source = nbformat.read(str(root / "source" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)
    hidden_lines = {
        line.strip()
        for cell in source.cells
        for block in HIDDEN.findall(cell.source)
        for line in block.split("\n")
        if len(line.strip()) > 12
    }
    assert hidden_lines
    for student in graded_class["students"]:
        page = (root / "feedback" / student / ASSIGNMENT / "Gradient_Checking.html").read_text(encoding="utf-8")
        text = html.unescape(page)
        leaked = [line for line in hidden_lines if line in text]
        assert not leaked, (student, leaked[:3])
        assert "Exercise / 练习" in page and all(exercise in page for exercise in EXERCISES)
    blank = (root / "feedback" / "s02_blank" / ASSIGNMENT / "Gradient_Checking.html").read_text(encoding="utf-8")
    assert "NotImplementedError" in blank and "练习尚未完成" in blank  # the public test's message
    # The mistake the public test names (and the fix), in both languages, on the page of the student who made it.
    mistake = html.unescape(
        (root / "feedback" / "s03_global_dtheta" / ASSIGNMENT / "Gradient_Checking.html").read_text("utf-8")
    )
    assert "the notebook's variable dtheta" in mistake and "notebook 中的变量 dtheta" in mistake


def test_instructor_grade_rerun_skips_and_force_regrades(graded_class):
    root = graded_class["root"]
    again = run_course(root, "grade", "-j", "2")
    assert "graded 0, skipped 5, failed 4" in again.stdout, again.stdout + again.stderr
    journal = [json.loads(line) for line in (root / JOURNAL_FILE).read_text().splitlines()]
    assert sorted(e["student"] for e in journal) == graded_class["students"]
    keep = {"s01_correct", "s03_global_dtheta"}
    for folder in (root / "submitted").iterdir():
        if folder.name not in keep:
            shutil.rmtree(str(folder))
    forced = run_course(root, "grade", "--force", "-j", "2")
    assert forced.returncode == 0 and "graded 2, skipped 0, failed 0" in forced.stdout, forced.stdout + forced.stderr
    assert exercise_scores(sqlite_url(root)) == graded_class["expected"]


ATTACK = r"""
import os, glob
COURSE = {course!r}
def probe(name, action):
    try:
        action()
        print("PROBE", name, "OPEN")
    except Exception as error:
        print("PROBE", name, "blocked", type(error).__name__)
def write(path):
    with open(path, "w") as handle:
        handle.write("pwned")
probe("read master notebook", lambda: open(COURSE + "/source/gradient_checking/Gradient_Checking.ipynb").read())
probe("list source", lambda: os.listdir(COURSE + "/source") or 1 / 0)
probe("read course gradebook", lambda: open(COURSE + "/gradebook.db", "rb").read(1) or 1 / 0)
probe("read private gradebook", lambda: open("../../../gradebook.db", "rb").read(1) or 1 / 0)
probe("read private config", lambda: open("../../../nbgrader_config.py").read())
probe("read other student", lambda: open(COURSE + "/submitted/s01_correct/gradient_checking/Gradient_Checking.ipynb").read())
probe("list private submissions", lambda: os.listdir("../../../submitted"))
probe("parent's root", lambda: os.listdir("/proc/{{}}/root".format(os.getppid())))
probe("write course", lambda: write(COURSE + "/pwned.txt"))
probe("write private tmp", lambda: write("/tmp/{marker}"))
probe("write etc", lambda: write("/etc/{marker}"))
probe("write shm", lambda: write("/dev/shm/{marker}"))
probe("write parent", lambda: write("../{marker}"))
probe("become root", lambda: os.setuid(0))
probe("memory", lambda: bytearray({big}))
write("own_file.txt")
print("PROBES DONE", os.getuid())
"""
PROBE_COUNT = 15


@pytest.fixture(scope="module")
def attacked_class(tmp_path_factory):
    """Submissions that attack the grader, graded with ``--timeout 30 --memory-mb 1024``.

    nbgrader's own sanitize steps only (the course's metadata normalisation is left out), so that the
    sandbox itself is what is tested.
    """
    root = copy_course(tmp_path_factory.mktemp("attack") / "course")
    with open(str(root / "nbgrader_config.py"), "a") as config:
        config.write(
            "\nc.Autograde.sanitize_preprocessors = ['nbgrader.preprocessors.ClearOutput', "
            "'nbgrader.preprocessors.DeduplicateIds', 'nbgrader.preprocessors.OverwriteKernelspec', "
            "'nbgrader.preprocessors.OverwriteCells', 'nbgrader.preprocessors.CheckCellMetadata']\n"
        )
    marker = "pwned-{}".format(os.getpid())
    attack = ATTACK.format(course=str(root), marker=marker, big=1536 * 1024 * 1024)
    sleeper = "import time\ntime.sleep(12)\nprint('still awake')"
    notebooks = {
        "s01_correct": solved_notebook(root),
        "s02_attacker": solved_notebook(root, extra_cells=[attack]),
        "s03_sleeper": solved_notebook(root, extra_cells=[sleeper] * 4),
    }
    fresh_submitted(root, notebooks)
    with grading_lock(exclusive=True):  # no other test grades meanwhile: what is left is this run's
        result = run_course(root, "grade", "-j", "2", "--timeout", "30", "--memory-mb", "1024", lock=False)
        left = leftovers()
    return {"root": root, "result": result, "marker": marker, "left": left}


def attacker_output(root):
    notebook = nbformat.read(str(root / "autograded" / "s02_attacker" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)
    return "".join(
        out.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )


def test_instructor_grade_sandbox_blocks_reading_and_writing(attacked_class):
    root, marker = attacked_class["root"], attacked_class["marker"]
    output = attacker_output(root)
    probes = [line for line in output.splitlines() if line.startswith("PROBE ")]
    assert len(probes) == PROBE_COUNT, output
    # /tmp and /dev/shm are the sandbox's own small tmpfs: writing there works, nothing reaches the machine's
    assert [p for p in probes if not re.search(r" blocked \w+$", p)] == [
        "PROBE write private tmp OPEN",
        "PROBE write shm OPEN",
    ]
    assert re.search(r"PROBES DONE (\d+)", output) and "PROBES DONE 0" not in output
    assert "PROBE memory blocked MemoryError" in output
    for path in (root / "pwned.txt", Path("/tmp") / marker, Path("/etc") / marker, Path("/dev/shm") / marker):
        assert not path.exists(), path
    # the working folder is a tmpfs of the sandbox: what the student's code writes there is not kept
    assert not (root / "autograded" / "s02_attacker" / ASSIGNMENT / "own_file.txt").exists()
    scores = exercise_scores(sqlite_url(root))
    assert core_total(scores["s02_attacker"]) == 10


def test_instructor_grade_wall_clock_limit_stops_one_submission(attacked_class):
    result, root = attacked_class["result"], attacked_class["root"]
    assert "s03_sleeper: grading took longer than 30 s and was stopped" in result.stderr, result.stderr[-3000:]
    scores = exercise_scores(sqlite_url(root))
    assert "s03_sleeper" not in scores and core_total(scores["s01_correct"]) == 10
    assert attacked_class["left"]["processes"] == []


def test_instructor_grade_resumes_after_kill_9(course_copy):
    """kill -9 the whole command mid-batch, run it again: every submission graded exactly once."""
    with grading_lock():  # the killed workers' leftovers stay until the second run removes them
        notebooks = {"k{:02d}".format(i): solved_notebook(course_copy) for i in range(6)}
        fresh_submitted(course_copy, notebooks)
        journal = course_copy / JOURNAL_FILE
        process = subprocess.Popen(
            [sys.executable, "-m", "course", "grade", "-j", "2", "--course", str(course_copy)],
            cwd=str(course_copy),
            env=nbgrader_env(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            if journal.exists() and len(journal.read_text().splitlines()) >= 2:
                break
            time.sleep(0.2)
        assert process.poll() is None, "the batch ended before it could be interrupted"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        first = len(journal.read_text().splitlines())
        assert 2 <= first < len(notebooks)
        resumed = run_course(course_copy, "grade", "-j", "2", lock=False)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "graded {}, skipped {}".format(len(notebooks) - first, first) in resumed.stdout
        entries = [json.loads(line) for line in journal.read_text().splitlines()]
        assert sorted(e["student"] for e in entries) == sorted(notebooks)
        scores = exercise_scores(sqlite_url(course_copy))
        assert sorted(scores) == sorted(notebooks)
        assert all(core_total(row) == 10 for row in scores.values())
        stale = [
            p
            for p in Path(tempfile.gettempdir()).glob("course-grade-*")
            if not Path("/proc", p.name.split("-")[2]).exists()
        ]
        assert stale == [], "private courses of killed workers were left behind"


def test_instructor_grade_lms_zip(course_copy, tmp_path):
    archive = tmp_path / "lms.zip"
    good = nbformat.writes(solved_notebook(course_copy))
    with zipfile.ZipFile(str(archive), "w") as handle:
        handle.writestr("submissions/alice_1234_5678_Gradient_Checking.ipynb", good)
        handle.writestr("submissions/bob.ipynb", nbformat.writes(release_notebook(course_copy)))
        handle.writestr("submissions/12345.ipynb", good)
        handle.writestr("submissions/carol_1.ipynb", "not a notebook")
        handle.writestr("submissions/dave_1.ipynb", good)
        handle.writestr("submissions/dave_2.ipynb", good)
    entries = {e.student: e for e in collect(archive)}
    assert isinstance(entries["alice"], Submission) and isinstance(entries["bob"], Submission)
    assert isinstance(entries["12345.ipynb"], Rejected) and "student id" in entries["12345.ipynb"].message
    assert isinstance(entries["carol"], Rejected) and isinstance(entries["dave"], Rejected)
    result = run_course(course_copy, "grade", "--zip", str(archive))
    scores = exercise_scores(sqlite_url(course_copy))
    assert sorted(scores) == ["alice", "bob"], result.stdout + result.stderr
    assert core_total(scores["alice"]) == 10 and core_total(scores["bob"]) == 0
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(str(empty), "w").close()
    refused = run_course(course_copy, "grade", "--zip", str(empty))
    assert refused.returncode == 2 and "holds no notebook" in refused.stderr


def test_instructor_grade_jobs_travel_to_any_executor(course_copy):
    """A job and its result pickle (what a distributed executor such as Dask needs)."""
    job = GradeJob("s", b"{}", None, "digest", GradingKit({"nbgrader_config.py": b"c = 1"}))
    assert pickle.loads(pickle.dumps(job)) == job
    result = GradeResult("s", "digest", True, notebooks={"Gradient_Checking": {"grades": {"a": 1.0}}})
    assert pickle.loads(pickle.dumps(result)) == result


POSTGRES_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


@pytest.fixture
def postgres():
    """A throw-away PostgreSQL server on a Unix socket, run as the ``postgres`` user; yields its URL."""
    assert POSTGRES_BIN, "PostgreSQL is not installed (apt-get install postgresql)"
    binaries = POSTGRES_BIN[-1]
    home = Path(tempfile.mkdtemp(prefix="course-pg-"))  # pytest's tmp_path is not reachable by other users
    os.chmod(str(home), 0o755)
    data, sockets = home / "pgdata", home / "pgsock"
    for folder in (data, sockets):
        folder.mkdir()
        shutil.chown(str(folder), "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        as_postgres + [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        as_postgres
        + [
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(data / "log"),
            "-o",
            "-c listen_addresses='' -k {}".format(sockets),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            as_postgres + [str(binaries / "createdb"), "-h", str(sockets), "gradebook"], check=True, capture_output=True
        )
        yield "postgresql://postgres@/gradebook?host={}".format(sockets)
    finally:
        subprocess.run(
            as_postgres + [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(str(home), ignore_errors=True)


@pytest.mark.postgres
def test_instructor_grade_into_postgresql(course_copy, postgres):
    fresh_submitted(
        course_copy,
        {
            k: v
            for k, v in class_notebooks(course_copy).items()
            if k in ("s01_correct", "s02_blank", "s03_global_dtheta")
        },
    )
    result = run_course(course_copy, "grade", "-j", "2", "--db", postgres)
    assert result.returncode == 0, result.stdout + result.stderr
    scores = exercise_scores(postgres.replace("postgresql://", "postgresql+psycopg://"))
    totals = {s: core_total(row) for s, row in scores.items()}
    assert totals["s01_correct"] == 10 and totals["s02_blank"] == 0 and 0 < totals["s03_global_dtheta"] < 10
    assert not (course_copy / "gradebook.db").exists()
