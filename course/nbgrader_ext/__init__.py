"""What ``nbgrader_config.py`` loads into nbgrader: preprocessors that make ``nbgrader autograde`` hard
to fool and hard to stop, and the grades export plugin; one module each. They are switched on in
``nbgrader_config.py``, so every ``nbgrader autograde`` run with the course's configuration uses them
(the demo, the class-grading command, a TA's manual run).

* ``normalize_metadata.NormalizeCellMetadata`` (sanitize step, before ``OverwriteCells``): the nbgrader metadata of
  every cell is taken from the gradebook; a "graded" cell the student made up becomes an ordinary
  cell (nbgrader itself would crash on such edits and skip the whole submission).
* ``reject_tampering.RejectTampering`` (sanitize step, after nbgrader's ``OverwriteCells``): reads every code
  cell the student could have written (everything except the locked cells nbgrader has just
  restored from the source notebook) and neutralizes the ones that reach for the grader's
  machinery: changing attributes of modules (``np.allclose = ...``) or data inside them,
  rebinding names the tests rely on (``bilingual``, ``print``, the public tests), builtins such as
  ``exec``/``getattr``/``get_ipython``, private or dunder attributes (also as strings), ``global``
  statements, classes, numpy's file and raw-memory functions, shell escapes and magics other than
  the timing ones, and imports of anything but a few harmless modules.  A neutralized cell raises
  a bilingual error instead of running, so tampering costs the exercise it sits in and the
  other exercises are still graded honestly.
* ``guarded_execute.GuardedExecute`` (replaces nbgrader's ``Execute``): removes files the student shipped
  that are not part of the assignment (a ``numpy.py`` next to the notebook would shadow numpy),
  starts the kernel under an address-space limit (a memory blow-up becomes a ``MemoryError``),
  and survives a dead kernel (``os._exit()``, ``exit()``, a crash, a kill) or one that an interrupt
  cannot stop (a long computation inside C code): the cell gets an error output, a fresh kernel
  replays the cells that had run fine before, and grading goes on.
* ``limit_output.LimitOutputSize`` (replaces nbgrader's ``LimitOutput``): also caps the number of characters
  of each stream output, so one megabyte-long line does not bloat the graded notebook.
* ``export.CoreBonusCsvExportPlugin``: nbgrader's CSV export with the bonus exercises in their own columns.

``cells.gradebook_cells`` is what two of them share; ``policy`` holds the rules RejectTampering applies.
The policy page ``docs/grading_policy.md`` explains what this defends against and what not.
"""
