"""Scores read out of the nbgrader gradebook, per student and exercise, and the tables made of them.

The core total counts ``EXERCISES`` only; bonus exercises are reported apart (see course.assignment).
"""

from collections.abc import Iterable

from nbgrader.api import Gradebook, MissingEntry

from course.assignment import ASSIGNMENT, BONUS_EXERCISES, EXERCISES, NOTEBOOK, test_cell_exercise
from course.messages import SCORE_TABLE_CAPTION


def exercise_scores(db_url: str, students: Iterable[str] | None = None) -> dict[str, dict[str, tuple[float, float]]]:
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


def format_table(scores: dict[str, dict[str, tuple[float, float]]]) -> str:
    """A plain-text table: one row per student, one column per core exercise, the core total, then the bonus.
    A bilingual caption comes first; the column names are the exercises' identifiers (CJK text would
    break the alignment in a terminal).

    The total counts the core exercises (EXERCISES) only; bonus exercises (BONUS_EXERCISES) and any
    other graded cell follow in their own columns, so the bonus never changes the weight of the core.
    """
    others = sorted({e for row in scores.values() for e in row} - set(EXERCISES) - set(BONUS_EXERCISES))
    extras = [e for e in BONUS_EXERCISES if any(e in row for row in scores.values())] + others
    header = (
        ["student"]
        + list(EXERCISES)
        + ["total"]
        + ["{} (bonus)".format(e) if e in BONUS_EXERCISES else e for e in extras]
    )
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
    return "\n".join([SCORE_TABLE_CAPTION.inline(), *lines])


def ordered_exercises(scores: dict[str, dict[str, tuple[float, float]]]) -> list[str]:
    """The core exercises in notebook order, then the bonus ones and any other graded cells in ``scores``."""
    found = {e for row in scores.values() for e in row}
    return (
        list(EXERCISES)
        + [e for e in BONUS_EXERCISES if e in found]
        + sorted(found - set(EXERCISES) - set(BONUS_EXERCISES))
    )


def summed(row: dict[str, tuple[float, float]], exercises: Iterable[str]) -> tuple[float, float]:
    pairs = [row.get(exercise, (0.0, 0.0)) for exercise in exercises]
    return sum(score for score, _ in pairs), sum(top for _, top in pairs)


def totals(scores: dict[str, dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """``{student: (score, max_score)}`` over the core exercises (the bonus is counted apart)."""
    return {student: summed(row, EXERCISES) for student, row in scores.items()}


def pass_rates(scores: dict[str, dict[str, tuple[float, float]]]) -> dict[str, tuple[int, int]]:
    """``{exercise: (students with full points, students graded)}``."""
    rates = {}
    for exercise in ordered_exercises(scores):
        graded = [row[exercise] for row in scores.values() if exercise in row]
        rates[exercise] = (sum(1 for score, top in graded if score >= top), len(graded))
    return rates


def format_pass_rates(rates: dict[str, tuple[int, int]]) -> str:
    """``exercise  passed/graded  rate%`` lines."""
    width = max(len(e) for e in rates) if rates else 0
    return "\n".join(
        "{}  {:>4}/{:<4}  {:5.1f}%".format(e.ljust(width), p, g, 100.0 * p / g if g else 0.0)
        for e, (p, g) in rates.items()
    )
