"""Release step ``FilterLanguage``: a one-language student notebook (English only or Chinese only).

Why: JupyterLab shows every cell, so the bilingual notebook makes each student scroll past the other
language's text. The narrative cells carry their language (``metadata.lang``, see
``course.notebooks.cell_language``); this step keeps those of one language. Code cells, nbgrader cells
and cells without a language are kept as they are, so the graded and locked cells, their grade ids and
checksums, and so the gradebook and the autograder, are the same for every edition.

Configured like any nbgrader preprocessor: ``c.FilterLanguage.lang = "zh"`` in ``nbgrader_config.py``,
or ``nbgrader generate_assignment ... --FilterLanguage.lang=zh`` (what ``course release --lang zh`` runs).
The default, "both", changes nothing.
"""

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Enum

from course.notebooks import BOTH_LANGUAGES, EDITIONS, in_edition


class FilterLanguage(NbGraderPreprocessor):
    """Release step (``generate_assignment``): drop the narrative cells of the other language."""

    lang = Enum(
        EDITIONS,
        default_value=BOTH_LANGUAGES,
        help="The language of the released notebook's narrative: 'en' or 'zh' keeps only that language's "
        "markdown cells (and every cell without a language); 'both' keeps every cell.",
    ).tag(config=True)

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple[nbformat.NotebookNode, dict]:
        kept = [cell for cell in nb.cells if in_edition(cell, self.lang)]
        if len(kept) != len(nb.cells):
            self.log.info("Language %s: %d of %d cells kept", self.lang, len(kept), len(nb.cells))
        nb.cells = kept
        return nb, resources
