"""The instructor's pipeline: one command releases, autogrades the demo class, and reports.

Every test that reads the demo's output is here, so that ``course demo`` runs once per test session
(the tests run on pytest-xdist workers, one file per worker).
"""

import csv
import filecmp
import subprocess
import sys

import nbformat
import pytest
from support.course import REPO, source_notebook_path

from course.assignment import ASSIGNMENT, BONUS_EXERCISES, EXERCISES, NOTEBOOK_FILE, VARYING_OUTPUT_TAG
from course.authoring.demo import DEMO_STUDENTS, demo_db_url
from course.authoring.figures import FIGURES, IMAGES_DIR
from course.nbgrader_ext.guarded_execute import skipped_note
from course.nbgrader_ext.skipped_cells import is_tagged
from course.results.feedback import FEEDBACK_FILE
from course.results.scores import exercise_scores

pytestmark = [pytest.mark.slow]

POINTS = {"forward_propagation": 1, "backward_propagation": 1, "gradient_check": 3, "gradient_check_n": 5}
BONUS_EXERCISE, BONUS_POINTS = BONUS_EXERCISES[0], 2
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


def test_instructor_score_table_reports_bonus_after_core_total(demo_course):
    _, output = demo_course
    lines = output.splitlines()
    header = next(line for line in lines if line.startswith("student"))
    assert header.index("total") < header.index(BONUS_EXERCISE + " (bonus)")
    rows = {line.split()[0]: line.split() for line in lines if line.startswith("demo_")}
    assert rows["demo_reference"][-2:] == ["10/10", "{0}/{0}".format(BONUS_POINTS)]
    assert rows["demo_untouched"][-2:] == ["0/10", "0/{}".format(BONUS_POINTS)]


def test_instructor_grades_csv_keeps_bonus_out_of_the_score(demo_course):
    root, _ = demo_course
    with open(root / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    core = float(sum(POINTS.values()))
    expected = {
        "demo_reference": (core, float(BONUS_POINTS)),
        "demo_untouched": (0.0, 0.0),
        "demo_global_dtheta": (core - POINTS["gradient_check"], float(BONUS_POINTS)),
    }
    for student, (score, bonus) in expected.items():
        row = rows[student]
        assert (float(row["score"]), float(row["max_score"])) == (score, core), row
        assert (float(row["bonus_score"]), float(row["bonus_max_score"])) == (bonus, BONUS_POINTS), row


def test_learner_release_carries_the_figures(demo_course):
    root, _ = demo_course
    for name in FIGURES:
        released = root / "release" / "gradient_checking" / "images" / name
        assert released.read_bytes() == (REPO / IMAGES_DIR / name).read_bytes()


def test_student_graded_notebook_and_feedback_say_what_was_not_run(demo_course):
    """In the autograded notebook every demonstration cell has only the bilingual note (the demo blanks the
    outputs of the timing cell, which vary from run to run); the feedback page names the sections that
    were not run, in both languages."""
    root, _ = demo_course
    graded = nbformat.read(str(root / "autograded" / "demo_reference" / ASSIGNMENT / NOTEBOOK_FILE), as_version=4)
    master = nbformat.read(str(source_notebook_path(root)), as_version=4)
    tagged = {c.id for c in master.cells if is_tagged(c) and VARYING_OUTPUT_TAG not in c.metadata.get("tags", [])}
    notes = {
        c.id for c in graded.cells if c.cell_type == "code" and [o.get("text") for o in c.outputs] == [skipped_note()]
    }
    assert notes == tagged and len(tagged) >= 9
    page = (root / "feedback" / "demo_reference" / ASSIGNMENT / FEEDBACK_FILE).read_text(encoding="utf-8")
    for part in ("not run at grading", "评分时未运行", "7 - What gradient checking costs", "7 - 梯度检查的代价"):
        assert part in page, part
