"""nbgrader settings of the gradient-checking course: only what differs from nbgrader's defaults.

The course's preprocessors live in the ``course`` package (installed by ``./dev setup``:
``pip install -e .``), in ``course/nbgrader_ext/``.
"""

import os

from course.assignment import MEMORY_LIMIT_MB

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# The course lives next to this file, whatever the working directory.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "gradient_checking_course"

# What an untouched exercise raises, in both languages.
c.ClearSolutions.code_stub = {
    "python": 'raise NotImplementedError("Exercise not done yet: write your code here, then delete this line. '
    '/ 练习尚未完成：请在此处编写代码，然后删除这一行。")'
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE / 在此处作答"

# Release: nbgrader's steps, after a check that no cell tagged skip-at-grading (a demonstration that
# autograde leaves out) sets anything a cell that runs at grading reads (course/nbgrader_ext/skipped_cells.py).
# FilterLanguage keeps the narrative of one language if asked (`course release --lang en|zh`; default
# both): the graded cells are the same in every edition (course/nbgrader_ext/filter_language.py).
c.GenerateAssignment.preprocessors = [
    "course.nbgrader_ext.skipped_cells.CheckSkippedCells",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "course.nbgrader_ext.filter_language.FilterLanguage",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A student who deletes a locked test cell does not escape it: autograde puts it back.
c.OverwriteCells.add_missing_cells = True

# Feedback handed back to students must not show the hidden tests' code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# ---------------------------------------------------------------------------------------------
# Grading that cannot be fooled or stopped (see docs/grading_policy.md and course/nbgrader_ext/).

# Sanitize: nbgrader restores locked cells and points; the cells' metadata is made the master's.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "course.nbgrader_ext.normalize_metadata.NormalizeCellMetadata",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Execute: same steps as nbgrader's default, with the guarded executor and the size-limited output.
# GuardedExecute runs the test cells in the trusted grader (course/oracle/): the student's kernel only
# answers calls of the student's functions, with plain data; the verdict is decided outside it.
c.Autograde.autograde_preprocessors = [
    "course.nbgrader_ext.guarded_execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "course.nbgrader_ext.limit_output.LimitOutputSize",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Each cell may run this many seconds (the slowest reference cell takes about 0.3 s);
# an infinite loop is interrupted and costs only the cell it is in.
c.GuardedExecute.timeout = 10
c.GuardedExecute.interrupt_on_timeout = True
# A memory blow-up hits this address-space limit (MiB) and raises MemoryError inside the kernel.
c.GuardedExecute.memory_limit_mb = MEMORY_LIMIT_MB
# A killed kernel is restarted (and the cells that ran fine are replayed) at most this many times.
c.GuardedExecute.max_restarts = 4
# Megabytes of output are cut: at most this many lines per cell and characters per output.
c.LimitOutputSize.max_lines = 200
c.LimitOutputSize.max_chars = 20000
# A warning on stderr (e.g. a RuntimeWarning of numpy, warnings.warn) does not zero a test cell:
# stderr outputs holding a "file:line: SomethingWarning: message" line are dropped.  This cannot
# hide a failure: a failing test is an error output, never a stderr stream.
c.IgnorePattern.enabled = True  # off by default in nbgrader 0.9
c.IgnorePattern.pattern = r":\d+: \w*Warning: "
