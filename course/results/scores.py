"""Read scores out of the nbgrader gradebook and report them: terminal table, CSV files, histogram."""
import csv

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


def ordered_exercises(scores):
    """The core exercises in notebook order, then the bonus ones and any other graded cells in ``scores``."""
    found = {e for row in scores.values() for e in row}
    return list(EXERCISES) + [e for e in BONUS_EXERCISES if e in found] + sorted(
        found - set(EXERCISES) - set(BONUS_EXERCISES))


def _summed(row, exercises):
    pairs = [row.get(exercise, (0.0, 0.0)) for exercise in exercises]
    return sum(score for score, _ in pairs), sum(top for _, top in pairs)


def totals(scores):
    """``{student: (score, max_score)}`` over the core exercises (the bonus is counted apart)."""
    return {student: _summed(row, EXERCISES) for student, row in scores.items()}


def write_grades_csv(scores, path):
    """One row per student: each exercise's points, the core total and maximum, then the bonus and its maximum."""
    exercises = ordered_exercises(scores)
    with open(str(path), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["student"] + exercises + ["total", "max_score", "bonus_score", "bonus_max_score"])
        for student in sorted(scores):
            row = scores[student]
            numbers = [row.get(e, (0.0, 0.0))[0] for e in exercises]
            numbers += list(_summed(row, EXERCISES)) + list(_summed(row, BONUS_EXERCISES))
            writer.writerow([student] + ["{:g}".format(number) for number in numbers])


def pass_rates(scores):
    """``{exercise: (students with full points, students graded)}``."""
    rates = {}
    for exercise in ordered_exercises(scores):
        graded = [row[exercise] for row in scores.values() if exercise in row]
        rates[exercise] = (sum(1 for score, top in graded if score >= top), len(graded))
    return rates


def write_pass_rates_csv(rates, path):
    with open(str(path), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["exercise", "passed", "graded", "pass_rate"])
        for exercise, (passed, graded) in rates.items():
            writer.writerow([exercise, passed, graded, "{:.3f}".format(passed / graded if graded else 0.0)])


def format_pass_rates(rates):
    """``exercise  passed/graded  rate%`` lines."""
    width = max(len(e) for e in rates) if rates else 0
    return "\n".join("{}  {:>4}/{:<4}  {:5.1f}%".format(e.ljust(width), p, g, 100.0 * p / g if g else 0.0)
                     for e, (p, g) in rates.items())


def score_histogram(scores, path):
    """Save a PNG histogram of the students' total scores (one bar per possible integer score)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    values = [total for total, _ in totals(scores).values()]
    maximum = max((top for _, top in totals(scores).values()), default=1.0)
    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    bins = [b - 0.5 for b in range(int(maximum) + 2)]
    axes.hist(values, bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_xlabel("total score / 总分")
    axes.set_ylabel("students / 学生数")
    axes.set_title("Gradient checking: {} students / 梯度检验：{} 名学生".format(len(values), len(values)))
    axes.set_xlim(-0.5, maximum + 0.5)
    figure.tight_layout()
    figure.savefig(str(path), metadata={"Software": None})
    plt.close(figure)
