"""IPython's ``exit()`` does not end the kernel at once: it stops the kernel's loop a moment later, during
whatever the kernel runs next. A cell that calls it gets the kernel restarted right away
(``test_instructor_exit_restarts_the_kernel_at_once_and_is_not_replayed``); so must a test cell whose call,
made by the trusted grader, ran the student's ``exit()``, or the kernel dies in the middle of a later cell
(the defining cell of the next exercise, under load: the catalogue's ``fault_builtin_exit`` lost its 3 points
of gradient_check that way). Here the decision alone, without a kernel."""

import nbformat
import pytest

from course.nbgrader_ext.guarded_execute import GuardedExecute

CELL = nbformat.v4.new_code_cell(
    "backward_propagation_test(backward_propagation)",
    metadata={"nbgrader": {"grade": True, "grade_id": "backward_propagation_tests", "points": 1}},
)
FAILED = {"stdout": "", "error": {"ename": "AssertionError", "evalue": "failed", "traceback": []}}


def _executor(asks_exit, monkeypatch):
    """A GuardedExecute whose trusted test attempt fails normally, a call of it having asked to exit or not;
    returns it and the list its restarts are counted in."""
    executor = GuardedExecute()
    executor._plan_error, executor.kc = None, object()
    restarts = []

    def attempt(cell, index, grade_id):
        executor._asked_exit = asks_exit  # what on_cell_executed notes from the call's execute_reply
        return dict(FAILED), {"died": False, "timed_out": False}

    monkeypatch.setattr(executor, "_trusted_attempt", attempt)
    monkeypatch.setattr(executor, "_restart_and_replay", lambda: restarts.append(True))
    return executor, restarts


@pytest.mark.parametrize("asks_exit, expected_restarts", [(True, 1), (False, 0)])
def test_instructor_test_cell_whose_call_ran_exit_restarts_the_kernel_at_once(
    monkeypatch, asks_exit, expected_restarts
):
    executor, restarts = _executor(asks_exit, monkeypatch)
    cell = executor._trusted_test(nbformat.from_dict(CELL), 0)
    assert len(restarts) == expected_restarts
    assert [o.ename for o in cell.outputs if o.output_type == "error"] == ["AssertionError"]  # the verdict stays


def test_instructor_exit_asked_before_a_test_cell_is_not_counted_again(monkeypatch):
    """A flag left by an earlier cell (already restarted for) does not restart the kernel after a test whose
    calls did not ask to exit."""
    executor, restarts = _executor(False, monkeypatch)
    executor._asked_exit = True
    executor._trusted_test(nbformat.from_dict(CELL), 0)
    assert restarts == []
