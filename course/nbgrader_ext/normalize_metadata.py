"""Sanitize step ``NormalizeCellMetadata``: a cell's nbgrader metadata comes from the gradebook.

Why: nbgrader 0.9 trusts the metadata in the student's file and crashes on edited metadata,
leaving the whole submission ungraded.
"""

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from course.nbgrader_ext.cells import gradebook_cells


class NormalizeCellMetadata(NbGraderPreprocessor):
    """Sanitize step, before ``OverwriteCells``: nbgrader metadata comes from the gradebook, not the student.

    A cell whose grade_id the gradebook does not know (a made-up "graded" cell) loses its nbgrader
    metadata and becomes an ordinary student cell; a known cell gets back its flags and points.
    Without this, nbgrader 0.9 crashes on such edits (KeyError 'grade_id' in ``add_missing_cells``,
    MissingEntry for a solution cell marked as graded, KeyError 'points') and leaves the whole
    submission ungraded.
    """

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        known = gradebook_cells(resources)
        if not known:  # notebook not in the gradebook: nbgrader reports that itself
            return nb, resources
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            if grade_id in known:
                cell.metadata["nbgrader"].update(known[grade_id])
            else:
                self.log.warning("Cell with unknown grade_id %r treated as an ordinary cell", grade_id)
                del cell.metadata["nbgrader"]
        return nb, resources
