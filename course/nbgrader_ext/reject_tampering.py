"""Sanitize step ``RejectTampering``: student code cells that break the grading policy do not run.

Why: student code runs in the same kernel as the tests, so a cell that rebinds what the tests use
(``np.allclose = ...``) or reaches for the interpreter could fake a pass. Such a cell is replaced
by one that raises a bilingual error: tampering costs the exercise it sits in, the rest is graded.
"""

import os

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from course.nbgrader_ext.cells import gradebook_cells
from course.nbgrader_ext.policy import neutralized_source, notebook_rules, policy_problem


class RejectTampering(NbGraderPreprocessor):
    """Sanitize step: neutralize student code cells that break the rules of ``policy_problem``.

    Runs after ``OverwriteCells``.  Trusted (not checked) are the locked cells of the source
    notebook (nbgrader has just restored their source) and cells identical to one of its given
    cells; every other code cell is checked against the rules derived from the source notebook.
    """

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        locked = {name for name, flags in gradebook_cells(resources).items() if flags["locked"]}
        self.rules, given = notebook_rules(self._source_notebook(resources))
        self.trusted_ids = {
            id(c) for c in nb.cells if c.cell_type == "code" and (self._grade_id(c) in locked or c.source in given)
        }
        return super().preprocess(nb, resources)

    def _source_notebook(self, resources):
        """The master notebook of the assignment being graded, from source/."""
        coursedir = CourseDirectory(config=self.config)
        folder = coursedir.format_path(coursedir.source_directory, ".", resources["nbgrader"]["assignment"])
        path = os.path.join(folder, resources["nbgrader"]["notebook"] + ".ipynb")
        if os.path.isfile(path):
            return nbformat.read(path, as_version=4)
        # No master notebook here (e.g. the private course of ``course grade``): the gradebook's cells.
        self.log.warning("%s not found: rules derived from the gradebook's cells only", path)
        cells = []
        with Gradebook(resources["nbgrader"]["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"])
            graded = {c.name for c in notebook.grade_cells}
            for cell in notebook.source_cells:
                if cell.cell_type == "code" and cell.locked:
                    cells.append(
                        nbformat.v4.new_code_cell(
                            cell.source, metadata={"nbgrader": {"grade": cell.name in graded, "solution": False}}
                        )
                    )
        return nbformat.v4.new_notebook(cells=cells)

    @staticmethod
    def _grade_id(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id")

    def preprocess_cell(
        self, cell: nbformat.NotebookNode, resources: dict, index: int
    ) -> tuple[nbformat.NotebookNode, dict]:
        if cell.cell_type != "code" or id(cell) in self.trusted_ids:
            return cell, resources
        problem = policy_problem(cell.source, self.rules)
        if problem is not None:
            self.log.warning("Cell %s rejected: %s", index, problem.en)
            cell.source = neutralized_source(cell.source, problem)
        return cell, resources
