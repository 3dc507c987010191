"""Read scores out of the nbgrader gradebook and print them as a table."""
from nbgrader.api import Gradebook, MissingEntry

from course.common import ASSIGNMENT, BONUS_EXERCISES, EXERCISES, NOTEBOOK


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
    """A plain-text table: one row per student, one column per core exercise, the core total, then the bonus.

    The total counts the core exercises (EXERCISES) only; bonus exercises (BONUS_EXERCISES) and any
    other graded cell follow in their own columns, so the bonus never changes the weight of the core.
    """
    others = sorted({e for row in scores.values() for e in row} - set(EXERCISES) - set(BONUS_EXERCISES))
    extras = [e for e in BONUS_EXERCISES if any(e in row for row in scores.values())] + others
    header = ["student"] + list(EXERCISES) + ["total"] + ["{} (bonus)".format(e) if e in BONUS_EXERCISES else e
                                                          for e in extras]
    rows = []
    for student, per_exercise in scores.items():
        core = [per_exercise.get(exercise, (0.0, 0.0)) for exercise in EXERCISES]
        total = (sum(score for score, _ in core), sum(top for _, top in core))
        cells = [student] + ["{:g}/{:g}".format(*pair) for pair in core + [total]]
        cells += ["{:g}/{:g}".format(*per_exercise.get(exercise, (0.0, 0.0))) for exercise in extras]
        rows.append(cells)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
