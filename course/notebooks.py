"""Build student submissions from the release notebook: fill its solution cells with given code.

Used by the demo (``submitted/``) and by the tests' catalogue of student variants.
"""
import re

import nbformat

from course.common import BONUS_EXERCISES, CourseError, EXERCISES

_DELIMITER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def reference_solutions(source_notebook):
    """Map each exercise's grade_id (core and bonus) to its solution cell in the master notebook, delimiters removed."""
    solutions = {}
    for cell in source_notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in EXERCISES + BONUS_EXERCISES and cell.metadata["nbgrader"].get("solution"):
            solutions[grade_id] = "\n".join(line for line in cell.source.split("\n") if not _DELIMITER.match(line))
    missing = [e for e in EXERCISES + BONUS_EXERCISES if e not in solutions]
    if missing:
        raise CourseError("the master notebook has no solution cell with grade_id {}".format(", ".join(missing)))
    return solutions


def apply_patch(code, old, new, where):
    """Replace the one occurrence of ``old`` in ``code`` by ``new``; fail loudly if it is not there exactly once."""
    count = code.count(old)
    if count != 1:
        raise CourseError("{}: expected the text {!r} exactly once, found it {} times".format(where, old, count))
    return code.replace(old, new)


def fill_solution_cells(release_notebook, codes):
    """Return a copy of ``release_notebook`` whose solution cells named in ``codes`` hold that code.

    ``codes`` maps a grade_id to the full source of its cell; cells not named keep the release stub.
    """
    notebook = nbformat.from_dict(release_notebook)  # deep copy
    unknown = set(codes) - set(EXERCISES + BONUS_EXERCISES)
    if unknown:
        raise CourseError("no exercise named {}".format(", ".join(sorted(unknown))))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in codes and cell.metadata["nbgrader"].get("solution"):
            cell.source = codes[grade_id]
    return notebook
