"""nbgrader's CSV export with the bonus kept apart: ``nbgrader export --exporter course.nbgrader_ext.export.CoreBonusCsvExportPlugin``.

nbgrader has no notion of a bonus: it adds every graded cell into ``score`` and ``max_score``. This
exporter writes nbgrader's usual columns, but ``raw_score``, ``score`` and ``max_score`` count the core
exercises only (late penalty as nbgrader computed it), and two more columns, ``bonus_score`` and
``bonus_max_score``, hold the bonus exercises (course.assignment.BONUS_EXERCISES).
"""

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import CsvExportPlugin

from course.assignment import BONUS_EXERCISES, NOTEBOOK, test_cell_name

BONUS_COLUMNS = ("bonus_score", "bonus_max_score")
#: How ``nbgrader export --exporter`` names this plugin.
EXPORTER = "course.nbgrader_ext.export.CoreBonusCsvExportPlugin"


def bonus_points(gradebook: Gradebook, assignment: str, student: str) -> tuple[float, float]:
    """``(score, max_score)`` of the bonus test cells of one student's submission (0 where missing)."""
    score = maximum = 0.0
    for exercise in BONUS_EXERCISES:
        cell = test_cell_name(exercise)
        try:
            maximum += gradebook.find_graded_cell(cell, NOTEBOOK, assignment).max_score
            score += gradebook.find_grade(cell, NOTEBOOK, assignment, student).score or 0.0
        except MissingEntry:
            continue
    return score, maximum


class CoreBonusCsvExportPlugin(CsvExportPlugin):
    """CSV export whose score columns count the core exercises; the bonus has its own two columns."""

    def export(self, gradebook: Gradebook) -> None:
        super().export(gradebook)
        destination = self.to or "grades.csv"
        with open(destination, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns, rows = list(reader.fieldnames) + list(BONUS_COLUMNS), list(reader)
        for row in rows:
            bonus, bonus_max = bonus_points(gradebook, row["assignment"], row["student_id"])
            raw = float(row["raw_score"]) - bonus
            penalty = float(row["late_submission_penalty"] or 0.0)
            row.update(
                raw_score=str(raw),
                score=str(max(0.0, raw - penalty)),
                max_score=str(float(row["max_score"]) - bonus_max),
                bonus_score=str(bonus),
                bonus_max_score=str(bonus_max),
            )
        with open(destination, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
