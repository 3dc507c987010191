"""Read scores out of the nbgrader gradebook and print them as a table."""
from nbgrader.api import Gradebook, MissingEntry

from course.common import ASSIGNMENT, EXERCISES, NOTEBOOK


def test_cell_exercise(cell_name):
    """The exercise a graded test cell belongs to: ``gradient_check_tests`` -> ``gradient_check``."""
    return cell_name[:-len("_tests")] if cell_name.endswith("_tests") else cell_name


def exercise_scores(db_url, students=None):
    """Return ``{student: {exercise: (score, max_score)}}`` for every graded submission.

    ``students`` limits (and orders) the result; by default every student with a submission.
    """
    result = {}
    with Gradebook(db_url) as gradebook:
        names = students if students is not None else sorted(s.id for s in gradebook.students)
        for student in names:
            try:
                notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
            except MissingEntry:
                continue
            per_exercise = {}
            for grade in notebook.grades:
                exercise = test_cell_exercise(grade.name)
                score, maximum = per_exercise.get(exercise, (0.0, 0.0))
                per_exercise[exercise] = (score + (grade.score or 0.0), maximum + grade.max_score)
            result[student] = per_exercise
    return result


def format_table(scores):
    """A plain-text table: one row per student, one column per exercise, then the total."""
    exercises = list(EXERCISES) + sorted({e for row in scores.values() for e in row} - set(EXERCISES))
    header = ["student"] + exercises + ["total"]
    rows = []
    for student, per_exercise in scores.items():
        cells = [student]
        total = maximum = 0.0
        for exercise in exercises:
            score, top = per_exercise.get(exercise, (0.0, 0.0))
            total, maximum = total + score, maximum + top
            cells.append("{:g}/{:g}".format(score, top))
        cells.append("{:g}/{:g}".format(total, maximum))
        rows.append(cells)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
