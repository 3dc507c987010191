"""Output step ``LimitOutputSize`` (replaces nbgrader's ``LimitOutput``): a graded notebook stays small.

Why: nbgrader caps lines per output, not characters, so one megabyte-long line would bloat the
graded notebook and the gradebook's feedback.
"""

import nbformat
from nbgrader.preprocessors import LimitOutput
from traitlets import Integer


class LimitOutputSize(LimitOutput):
    """nbgrader's LimitOutput (lines, traceback), plus a cap on the characters of each stream output."""

    max_chars = Integer(20000, help="Maximum number of characters kept per stream output (-1 means no limit).").tag(
        config=True
    )

    def preprocess_cell(
        self, cell: nbformat.NotebookNode, resources: dict, index: int
    ) -> tuple[nbformat.NotebookNode, dict]:
        cell, resources = super().preprocess_cell(cell, resources, index)
        if self.max_chars >= 0 and cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "stream" and len(output.text) > self.max_chars:
                    output.text = output.text[: self.max_chars] + "\n... Output truncated ..."
        return cell, resources
