"""The checks of ``course grade --scheduler`` that need no cluster: its argument, which workers may grade,
and the messages of a refused worker and of a poison submission (the real cluster: tests/grading)."""

import argparse
import types

import pytest

from course.batch import cluster
from course.batch.command import lost_job_message
from course.batch.worker import GradeJob, GradingKit

FACTS = {"host": "w1", "pid": 7, "root": True, "bwrap": True, "cgroups": True, "code": cluster.code_fingerprint()}


@pytest.mark.parametrize(
    "value",
    [
        "tcp://10.0.0.5:8786",
        "tls://grader.example.org:8786",
        "10.0.0.5:8786",
        "local:1",
        "local:16",
        " tcp://127.0.0.1:8786 ",
    ],
)
def test_instructor_scheduler_accepts_an_address_or_a_local_cluster(value):
    assert cluster.parse_scheduler(value) == value.strip()


@pytest.mark.parametrize("value", ["", "local:", "local:0", "local:two", "tcp://a b:1", "grader", "local:-1"])
def test_instructor_scheduler_refuses_anything_else_in_both_languages(value):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        cluster.parse_scheduler(value)
    message = str(raised.value)
    assert "is not a scheduler" in message and "不是调度器" in message and "local:N" in message


def test_instructor_a_worker_like_this_machine_may_grade():
    assert cluster.refusal(FACTS, sandboxed=True, code=cluster.code_fingerprint()) is None


def test_instructor_a_worker_with_other_code_is_refused_naming_what_differs():
    other = dict(FACTS, code=dict(FACTS["code"], numpy="1.26.4"))
    why = cluster.refusal(other, sandboxed=False, code=cluster.code_fingerprint())
    assert "numpy: 1.26.4 ≠ {}".format(FACTS["code"]["numpy"]) in why.en
    assert "./dev setup" in why.en and "./dev setup" in why.zh
    assert "python" not in why.en.split("≠")[0]  # only what differs is named


def test_instructor_a_worker_that_cannot_sandbox_is_refused_unless_no_sandbox():
    plain = dict(FACTS, root=False, bwrap=False)
    why = cluster.refusal(plain, sandboxed=True, code=cluster.code_fingerprint())
    assert "do not run as root" in why.en and "bubblewrap" in why.en
    assert "root" in why.zh and "bubblewrap" in why.zh and "--no-sandbox" in why.zh
    assert cluster.refusal(plain, sandboxed=False, code=cluster.code_fingerprint()) is None


def test_instructor_a_worker_refuses_a_job_of_other_code_without_grading_it():
    job = GradeJob("s01", b"{}", "", "digest", GradingKit({}))
    result = cluster.grade_on_worker(job, GradingKit({}), dict(cluster.code_fingerprint(), course="0" * 16))
    assert not result.ok and result.student == "s01"
    assert "may not grade this class" in result.message and "不能为本班评分" in result.message
    assert "course: {} ≠ {}".format(cluster.code_fingerprint()["course"], "0" * 16) in result.message
    assert result.worker  # names the worker process


def test_instructor_a_poison_submission_is_reported_with_its_tries():
    from distributed.scheduler import KilledWorker

    error = KilledWorker("grade-s99-1", types.SimpleNamespace(address="tcp://10.0.0.7:40000"), 3)
    message = lost_job_message(error)
    assert "each of the 4 times it was tried (the last on tcp://10.0.0.7:40000)" in message.en
    assert "全部 4 次尝试中都意外终止" in message.zh and "tcp://10.0.0.7:40000" in message.zh


def test_instructor_a_job_lost_otherwise_says_run_again():
    message = lost_job_message(RuntimeError("pipe closed"))
    assert "RuntimeError: pipe closed" in message.en and "run the command again" in message.en


def test_instructor_the_fingerprint_changes_with_the_course_code(tmp_path, monkeypatch):
    """The digest covers the package's files: one changed byte gives another fingerprint."""
    package = tmp_path / "course"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(cluster, "COURSE_PACKAGE", package)
    cluster.code_fingerprint.cache_clear()
    try:
        before = cluster.code_fingerprint()["course"]
        (package / "a.py").write_text("x = 2\n")
        cluster.code_fingerprint.cache_clear()
        assert cluster.code_fingerprint()["course"] != before
    finally:
        monkeypatch.undo()
        cluster.code_fingerprint.cache_clear()


def test_instructor_unreachable_scheduler_is_named_and_this_machine_need_not_be_root(monkeypatch):
    """On a cluster the workers sandbox, not this machine: no root needed here. A scheduler that does not
    answer is an error naming the address and how to start one, in both languages."""
    from course.assignment import REPO_ROOT
    from course.batch.command import grade_course
    from course.messages import CourseError

    monkeypatch.setattr(cluster.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    with pytest.raises(CourseError) as raised:
        grade_course(REPO_ROOT, scheduler="tcp://127.0.0.1:9", log=lambda *a, **k: None)
    message = raised.value.message
    assert "no Dask scheduler answered at tcp://127.0.0.1:9 within 1 s" in message.en
    assert "dask scheduler" in message.en and "Grading on a cluster" in message.en
    assert "tcp://127.0.0.1:9" in message.zh and "在集群上评分" in message.zh
