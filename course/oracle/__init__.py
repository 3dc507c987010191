"""Trusted grading: the test cells run outside the student's kernel, which only answers calls.

* ``api``     -- what a hidden test uses: ``replaced``, ``replaced_for_cell``, ``refused``, ``expect`` (re-exported
  here);
* ``wire``    -- the plain-data format of calls and answers;
* ``agent``   -- the code the kernel runs for one call (sent as source);
* ``trusted`` -- the trusted grader process that runs the test cells;
* ``runner``  -- the grading process's side: starts the trusted grader, relays its calls to the kernel.

The policy page ``docs/grading_policy.md`` explains the threat model and how to write a test.
"""

from course.oracle.api import StudentMessage, expect, refused, replaced, replaced_for_cell

__all__ = ["StudentMessage", "expect", "refused", "replaced", "replaced_for_cell"]
