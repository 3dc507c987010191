"""The gradebook's view of a notebook's cells, for the preprocessors that must not trust the student's metadata."""

from nbgrader.api import Gradebook, MissingEntry


def gradebook_cells(resources: dict) -> dict[str, dict]:
    """What the gradebook knows of the notebook being graded (``resources`` of an nbgrader step).

    Output: ``{grade_id: nbgrader metadata}`` for every cell of the source notebook -- the flags
    ``grade``, ``solution``, ``locked``, ``task`` and, for graded cells, ``points`` -- or ``{}``
    if the notebook is not in the gradebook.
    """
    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gradebook:
        try:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
        except MissingEntry:
            return {}
        points = {c.name: c.max_score for c in notebook.grade_cells}
        solutions = {c.name for c in notebook.solution_cells}
        tasks = {c.name for c in notebook.task_cells}
        cells = {}
        for source in notebook.source_cells:
            flags = {
                "grade": source.name in points,
                "grade_id": source.name,
                "locked": source.locked,
                "schema_version": 3,
                "solution": source.name in solutions,
                "task": source.name in tasks,
            }
            if flags["grade"]:  # the gradebook stores floats; keep 1 as 1, as in the source notebook
                score = points[source.name]
                flags["points"] = int(score) if float(score).is_integer() else score
            cells[source.name] = flags
        return cells
