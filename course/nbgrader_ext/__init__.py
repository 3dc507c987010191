"""What ``nbgrader_config.py`` loads into nbgrader: preprocessors that make ``nbgrader autograde`` hard
to fool and hard to stop, and the grades export plugin; one module each. They are switched on in
``nbgrader_config.py``, so every ``nbgrader autograde`` run with the course's configuration uses them
(the demo, the class-grading command, a TA's manual run).

* ``normalize_metadata.NormalizeCellMetadata`` (sanitize step, before ``OverwriteCells``): the nbgrader metadata of
  every cell is taken from the gradebook; a "graded" cell the student made up becomes an ordinary
  cell (nbgrader itself would crash on such edits and skip the whole submission).
* ``guarded_execute.GuardedExecute`` (replaces nbgrader's ``Execute``): runs the master notebook's test
  cells in the trusted grader (``course.oracle``), outside the student's kernel, which only answers calls
  of the student's functions with plain data; removes files the student shipped
  that are not part of the assignment (a ``numpy.py`` next to the notebook would shadow numpy),
  starts the kernel under an address-space limit (a memory blow-up becomes a ``MemoryError``),
  and survives a dead kernel (``os._exit()``, ``exit()``, a crash, a kill) or one that an interrupt
  cannot stop (a long computation inside C code): the cell gets an error output, a fresh kernel
  replays the cells that had run fine before, and grading goes on.
* ``limit_output.LimitOutputSize`` (replaces nbgrader's ``LimitOutput``): also caps the number of characters
  of each stream output, so one megabyte-long line does not bloat the graded notebook.
* ``filter_language.FilterLanguage`` (release step, in ``generate_assignment``): with ``lang`` "en" or "zh"
  (``course release --lang``), only that language's narrative cells are released; code and nbgrader cells
  are kept byte for byte, so every edition has the same grade ids, checksums and gradebook. Default "both".
* ``export.CoreBonusCsvExportPlugin``: nbgrader's CSV export with the bonus exercises in their own columns.

``cells.gradebook_cells`` is what NormalizeCellMetadata reads the gradebook with.
The policy page ``docs/grading_policy.md`` explains what this defends against and what not.
"""
