"""The class reports of ``course grade``: ``reports/grades.csv``, ``reports/pass_rates.csv``,
``reports/score_histogram.png`` and the tables printed in the terminal."""

import csv
from collections.abc import Callable
from pathlib import Path

from course.assignment import BONUS_EXERCISES, EXERCISES
from course.messages import HISTOGRAM_TITLE, HISTOGRAM_X, HISTOGRAM_Y, PASS_RATE, REPORTS_IN, Message
from course.results.scores import (
    exercise_scores,
    format_pass_rates,
    format_table,
    ordered_exercises,
    pass_rates,
    summed,
    totals,
)

REPORTS_DIR = "reports"


def write_grades_csv(scores: dict[str, dict[str, tuple[float, float]]], path: str | Path) -> None:
    """One row per student: each exercise's points, the core total and maximum, then the bonus and its maximum."""
    exercises = ordered_exercises(scores)
    with open(str(path), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["student"] + exercises + ["total", "max_score", "bonus_score", "bonus_max_score"])
        for student in sorted(scores):
            row = scores[student]
            numbers = [row.get(e, (0.0, 0.0))[0] for e in exercises]
            numbers += list(summed(row, EXERCISES)) + list(summed(row, BONUS_EXERCISES))
            writer.writerow([student] + ["{:g}".format(number) for number in numbers])


def write_pass_rates_csv(rates: dict[str, tuple[int, int]], path: str | Path) -> None:
    with open(str(path), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["exercise", "passed", "graded", "pass_rate"])
        for exercise, (passed, graded) in rates.items():
            writer.writerow([exercise, passed, graded, "{:.3f}".format(passed / graded if graded else 0.0)])


#: Fonts with Chinese glyphs matplotlib may know (Debian's fonts-noto-cjk, which ./dev setup installs).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP")


def cjk_font() -> str | None:
    """The first of CJK_FONTS that matplotlib knows, or None (e.g. a laptop without them, or a font cache
    older than the fonts)."""
    from matplotlib import font_manager

    known = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def figure_label(message: Message, chinese: bool) -> str:
    """A label in both languages, or in English only where no CJK font would draw the Chinese (matplotlib
    would draw boxes and warn on stderr, in the middle of ``course grade``'s output)."""
    return message.inline() if chinese else message.en


def score_histogram(scores: dict[str, dict[str, tuple[float, float]]], path: str | Path) -> None:
    """Save a PNG histogram of the students' total scores (one bar per possible integer score)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = [total for total, _ in totals(scores).values()]
    maximum = max((top for _, top in totals(scores).values()), default=1.0)
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    bins = [b - 0.5 for b in range(int(maximum) + 2)]
    axes.hist(values, bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_xlabel(figure_label(HISTOGRAM_X, bool(font)))
    axes.set_ylabel(figure_label(HISTOGRAM_Y, bool(font)))
    axes.set_title(figure_label(HISTOGRAM_TITLE.format(count=len(values)), bool(font)))
    axes.set_xlim(-0.5, maximum + 0.5)
    figure.tight_layout()
    figure.savefig(str(path), metadata={"Software": None})
    plt.close(figure)


def write_reports(root: Path, db_url: str, log: Callable[..., None] = print) -> dict:
    """grades.csv, pass_rates.csv and score_histogram.png in reports/, and the tables in the terminal."""
    scores = exercise_scores(db_url)
    folder = Path(root) / REPORTS_DIR
    folder.mkdir(exist_ok=True)
    write_grades_csv(scores, folder / "grades.csv")
    rates = pass_rates(scores)
    write_pass_rates_csv(rates, folder / "pass_rates.csv")
    score_histogram(scores, folder / "score_histogram.png")
    if scores:
        log(format_table(dict(sorted(scores.items()))))
        log("")
        log(PASS_RATE.inline())
        log(format_pass_rates(rates))
    log("{}: {}".format(REPORTS_IN.inline(), folder))
    return scores
