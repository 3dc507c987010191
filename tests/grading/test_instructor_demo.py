"""The instructor's pipeline: one command releases, autogrades the demo class, and reports."""

import csv
import filecmp
import subprocess
import sys

import pytest
from support.course import REPO

from course.assignment import EXERCISES
from course.authoring.demo import DEMO_STUDENTS, demo_db_url
from course.results.scores import exercise_scores

POINTS = {"forward_propagation": 1, "backward_propagation": 1, "gradient_check": 3, "gradient_check_n": 5}
#: The generated folders that are committed, and so must be what the demo produces today.
GENERATED = ("release", "submitted", "autograded")


@pytest.fixture(scope="module")
def demo_scores(demo_course):
    root, _ = demo_course
    return exercise_scores(demo_db_url(root), students=list(DEMO_STUDENTS))


def test_instructor_reference_solution_gets_full_marks(demo_scores):
    assert {e: s for e, (s, _) in demo_scores["demo_reference"].items() if e in EXERCISES} == POINTS


def test_instructor_untouched_release_gets_zero_points(demo_scores):
    assert {e: s for e, (s, _) in demo_scores["demo_untouched"].items() if e in EXERCISES} == dict.fromkeys(
        EXERCISES, 0
    )


def test_instructor_one_mistake_loses_exactly_its_exercise(demo_scores):
    expected = dict(POINTS, gradient_check=0)
    assert {e: s for e, (s, _) in demo_scores["demo_global_dtheta"].items() if e in EXERCISES} == expected


def test_instructor_demo_prints_a_score_table_and_exports_grades(demo_course):
    root, printed = demo_course
    table = printed[printed.index("student ") :]
    for student in DEMO_STUDENTS:
        assert student in table
    assert "10/10" in table and "0/10" in table and "7/10" in table
    rows = {row["student_id"]: row for row in csv.DictReader(open(root / "grades.csv", encoding="utf-8"))}
    assert float(rows["demo_reference"]["score"]) == sum(POINTS.values())
    assert float(rows["demo_untouched"]["score"]) == 0
    for student in DEMO_STUDENTS:
        assert (root / "feedback" / student / "gradient_checking" / "Gradient_Checking.html").is_file()


@pytest.mark.parametrize("folder", GENERATED)
def test_instructor_committed_output_is_what_the_demo_produces_today(demo_course, folder):
    root, _ = demo_course
    comparison = filecmp.dircmp(str(REPO / folder), str(root / folder))
    differences = []

    def collect(c, prefix):
        differences.extend(prefix + n for n in c.left_only + c.right_only + c.diff_files + c.funny_files)
        for name, sub in c.subdirs.items():
            collect(sub, prefix + name + "/")

    collect(comparison, folder + "/")
    assert differences == [], "run `python -m course demo` and commit: these differ: {}".format(differences)


def _course(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "course", *args], cwd=str(cwd), capture_output=True, text=True)


def test_instructor_help_lists_the_commands():
    result = _course("--help")
    assert result.returncode == 0 and "demo" in result.stdout


def test_instructor_wrong_course_folder_gets_a_clear_message(tmp_path):
    result = _course("demo", "--course", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "not the course folder" in result.stderr and "Traceback" not in result.stderr


def test_instructor_unknown_command_gets_usage():
    result = _course("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_instructor_demo_feedback_is_bilingual_and_shows_no_hidden_test(demo_course):
    root, _ = demo_course
    hidden = set()
    import nbformat
    from support.course import source_notebook_path

    for cell in nbformat.read(str(source_notebook_path(root)), as_version=4).cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            part = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden |= {line.strip() for line in part.split("\n") if len(line.strip()) > 20}
    assert hidden
    page = (root / "feedback" / "demo_global_dtheta" / "gradient_checking" / "Gradient_Checking.html").read_text(
        "utf-8"
    )
    assert "gradient_check" in page and "未通过" in page and "failed" in page
    import html

    text = html.unescape(page)
    assert [line for line in hidden if line in text] == []
