"""``course grade --scheduler``: an instructor grades the class on a real Dask cluster.

The cluster is started as an operator would: ``dask scheduler`` and two ``dask worker --nthreads 1``
processes on 127.0.0.1, each a process of its own. The scheduler tries a job at most twice
(``allowed-failures`` 1) and gives a worker only the job it runs (``worker-saturation`` 1.0), as the
README tells operators. The workers preload ``support/dask_faults.py``: a worker that starts a job
whose key holds ``poison`` kills itself, as a submission that crashes its grader would.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support.course import copy_course
from support.grading import class_notebooks, fresh_submitted, grading_lock, run_course

from course.batch.journal import JOURNAL_FILE
from course.batch.slots import WORKSPACE_PREFIX
from course.nbgrader_cli import nbgrader_env
from course.notebooks import solved_notebook
from course.results.scores import exercise_scores

pytestmark = [pytest.mark.slow, pytest.mark.root]

DASK = os.path.join(os.path.dirname(sys.executable), "dask")
FAULTS = str(Path(__file__).resolve().parents[1] / "support" / "dask_faults.py")
#: The scheduler's settings (environment variables read by Dask's config).
SCHEDULER_ENV = {
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
}
TRIES = 2
#: Seconds for the cluster to come up, and for one class to be graded.
START_SECONDS = 60
GRADE_SECONDS = 300


def start(command, log_path, env=None, **options):
    """Start ``command`` in a session of its own, its output to ``log_path``."""
    log = open(str(log_path), "w")
    return subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**nbgrader_env(), **(env or {})},
        start_new_session=True,
        **options,
    )


def stop(process):
    """End ``process`` and everything of its session (a worker's nanny and its worker process)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker_command(scheduler, name):
    """``dask worker`` for the scheduler at ``scheduler`` (an address, or a scheduler file)."""
    where = [scheduler] if str(scheduler).startswith("tcp://") else ["--scheduler-file", str(scheduler)]
    return [DASK, "worker", *where, "--nthreads", "1", "--name", name]


def wait_for_workers(client, count):
    """Wait until exactly ``count`` workers are connected."""
    deadline = time.monotonic() + START_SECONDS
    while len(client.scheduler_info(n_workers=-1)["workers"]) != count:
        assert time.monotonic() < deadline, "the cluster did not reach {} workers".format(count)
        time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real cluster on 127.0.0.1: ``{"address", "client", "poison_log", "folder"}``."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("cluster")
    scheduler_file = folder / "scheduler.json"
    poison_log = folder / "poison.log"
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    processes = [
        start(
            [DASK, "scheduler", "--scheduler-file", str(scheduler_file), "--port", "0", *common],
            folder / "scheduler.log",
            SCHEDULER_ENV,
        )
    ]
    try:
        deadline = time.monotonic() + START_SECONDS
        while not scheduler_file.exists():
            assert processes[0].poll() is None and time.monotonic() < deadline, (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        faults = {"COURSE_TEST_POISON_LOG": str(poison_log)}
        for name in ("w1", "w2"):
            command = worker_command(scheduler_file, name) + ["--preload", FAULTS, *common]
            processes.append(start(command, folder / "{}.log".format(name), faults))
        client = Client(scheduler_file=str(scheduler_file), timeout=START_SECONDS)
        wait_for_workers(client, 2)
        address = json.loads(scheduler_file.read_text())["address"]
        yield {
            "address": address,
            "client": client,
            "poison_log": poison_log,
            "folder": folder,
            "scheduler_file": scheduler_file,
        }
        client.close()
    finally:
        for process in reversed(processes):
            stop(process)


@pytest.fixture(scope="module")
def local_scores(tmp_path_factory):
    """The mixed class graded by the local pool: ``{student: {exercise: (score, max)}}``."""
    root = copy_course(tmp_path_factory.mktemp("local") / "course")
    fresh_submitted(root, class_notebooks(root))
    result = run_course(root, "grade", "-j", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return exercise_scores("sqlite:///{}".format(root / "gradebook.db"))


def course_with(folder, notebooks):
    root = copy_course(Path(folder) / "course")
    fresh_submitted(root, notebooks)
    return root


def journal_students(root):
    """The students of every journal line, in order (one line per submission stored)."""
    path = Path(root) / JOURNAL_FILE
    return [json.loads(line)["student"] for line in path.read_text().splitlines()] if path.exists() else []


def test_instructor_cluster_grades_a_mixed_class_like_the_local_pool(cluster, local_scores, tmp_path):
    root = course_with(tmp_path, class_notebooks())
    result = run_course(root, "grade", "--scheduler", cluster["address"], timeout=GRADE_SECONDS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert exercise_scores("sqlite:///{}".format(root / "gradebook.db")) == local_scores
    assert sorted(journal_students(root)) == sorted(local_scores)
    for student in local_scores:  # the instructor's process wrote every result, as with the local pool
        assert (root / "autograded" / student / "gradient_checking" / "Gradient_Checking.ipynb").is_file()
        assert (root / "feedback" / student / "gradient_checking").is_dir()
    # The summary names the cluster and its workers, in both languages; both workers graded.
    address = cluster["address"]
    assert (
        "graded on the Dask cluster at {} (2 workers now); 2 worker processes returned results".format(address)
        in result.stdout
    )
    assert "在 {} 的 Dask 集群上评分（当前 2 个工作进程）；2 个工作进程返回了结果".format(address) in result.stdout


def test_instructor_cluster_refuses_a_worker_that_cannot_sandbox(cluster, tmp_path):
    """A worker not running as root cannot give the sandbox: the batch is refused before any job, the
    message names that worker and the fix, and nothing is graded."""
    scratch = Path(tempfile.mkdtemp(prefix="course-test-nobody-"))  # pytest's tmp_path is root's alone
    os.chown(str(scratch), 65534, 65534)
    setpriv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    command = setpriv + worker_command(cluster["address"], "not-root")  # nobody cannot read root's tmp_path
    # No nanny: its child would be spawned from the venv's interpreter, which lies under /root here.
    command += ["--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--local-directory", str(scratch)]
    worker = start(command, tmp_path / "not-root.log", {"HOME": str(scratch)}, cwd=str(scratch))
    try:
        wait_for_workers(cluster["client"], 3)
        root = course_with(tmp_path, {"s01": solved_notebook()})
        result = run_course(root, "grade", "--scheduler", cluster["address"], timeout=GRADE_SECONDS)
    finally:
        stop(worker)
        shutil.rmtree(str(scratch), ignore_errors=True)
    wait_for_workers(cluster["client"], 2)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "these Dask workers may not grade this class" in result.stderr
    assert "以下 Dask 工作进程不能为本班评分" in result.stderr
    assert "they do not run as root" in result.stderr and "--no-sandbox" in result.stderr
    named = [line for line in result.stderr.splitlines() if "may not grade" in line][0]
    assert named.count("tcp://127.0.0.1:") == 1  # only the worker that is not root
    assert journal_students(root) == [] and not (root / "autograded" / "s01").exists()


def test_instructor_cluster_loses_nothing_when_a_worker_is_killed(cluster, local_scores, tmp_path):
    """kill -9 of a worker in the middle of the batch: its job runs again elsewhere, every submission
    is stored exactly once with the local pool's scores, and the dead worker's private course is gone."""
    notebooks = class_notebooks()
    kinds = ("s01_correct", "s03_global_dtheta", "s05_crash")
    twice = {"{}_{}".format(copy, kind): notebooks[kind] for copy in ("a", "b") for kind in kinds}
    root = course_with(tmp_path, twice)
    client = cluster["client"]
    with grading_lock():
        grading = subprocess.Popen(
            [sys.executable, "-m", "course", "grade", "--scheduler", cluster["address"], "--course", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=nbgrader_env(),
        )
        killed = None
        deadline = time.monotonic() + GRADE_SECONDS
        while killed is None and grading.poll() is None and time.monotonic() < deadline:
            if len(journal_students(root)) >= 2:  # mid-batch: some results stored, more to come
                for address, keys in client.processing().items():
                    jobs = [key for key in keys if str(key).startswith("grade-")]
                    if jobs:
                        pid = client.run(os.getpid, workers=[address])[address]
                        os.kill(pid, signal.SIGKILL)
                        killed = (pid, jobs[0])
                        break
            time.sleep(0.05)
        stdout, stderr = grading.communicate(timeout=GRADE_SECONDS)
    assert killed is not None, "no worker was busy to be killed: " + stderr[-2000:]
    assert grading.returncode == 0, stderr[-3000:]
    stored = journal_students(root)
    assert sorted(stored) == sorted(twice)  # each exactly once
    expected = {student: local_scores[student[2:]] for student in twice}
    assert exercise_scores("sqlite:///{}".format(root / "gradebook.db")) == expected
    # The killed job's student was graded, and the killed worker left no private course behind.
    assert any(student in killed[1] for student in stored)
    assert not list(Path(tempfile.gettempdir()).glob("{}{}-*".format(WORKSPACE_PREFIX, killed[0])))
    wait_for_workers(client, 2)  # the nanny restarted the worker


def test_instructor_cluster_stops_a_poison_submission(cluster, local_scores, tmp_path):
    """A submission whose grading kills every worker it lands on is tried a bounded number of times,
    then reported as that student's failure; the rest of the class is graded."""
    notebooks = {kind: nb for kind, nb in class_notebooks().items() if kind in ("s01_correct", "s05_crash")}
    notebooks["s99_poison"] = notebooks["s01_correct"]
    root = course_with(tmp_path, notebooks)
    others = sorted(set(notebooks) - {"s99_poison"})
    cluster["poison_log"].unlink(missing_ok=True)
    result = run_course(root, "grade", "--scheduler", cluster["address"], timeout=GRADE_SECONDS)
    assert result.returncode == 1, result.stderr[-3000:]
    tries = cluster["poison_log"].read_text().splitlines()
    assert len(tries) == TRIES and len({line.split()[0] for line in tries}) == TRIES  # two worker processes died
    lines = [line for line in result.stderr.splitlines() if line.startswith("s99_poison:")]
    assert len(lines) == 1
    assert "ended the worker process each of the {} times it was tried".format(TRIES) in lines[0]
    assert "全部 {} 次尝试中都意外终止".format(TRIES) in lines[0]
    assert sorted(journal_students(root)) == others
    scores = exercise_scores("sqlite:///{}".format(root / "gradebook.db"), students=others)
    assert scores == {student: local_scores[student] for student in others}
    assert "graded 2, skipped 0, failed 1" in result.stdout
    wait_for_workers(cluster["client"], 2)


def test_instructor_local_cluster_grades_like_the_local_pool(local_scores, tmp_path):
    notebooks = {
        kind: nb for kind, nb in class_notebooks().items() if kind in ("s01_correct", "s02_blank", "s05_crash")
    }
    root = course_with(tmp_path, notebooks)
    result = run_course(root, "grade", "--scheduler", "local:2", timeout=GRADE_SECONDS)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {student: local_scores[student] for student in notebooks}
    assert exercise_scores("sqlite:///{}".format(root / "gradebook.db")) == expected
    assert "graded on a local Dask cluster of 2 workers; 2 worker processes returned results" in result.stdout
    assert "NOTE: When using the `ipython kernel`" not in result.stderr  # the workers' console is quiet
