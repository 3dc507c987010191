"""Each worker starts the next submission's kernel while it grades the current one (course/batch/slots.py).

The kernel started ahead must be exactly what the next submission would have got on demand: its own
fresh user, cgroup and private folder, used by that one submission only, and nothing of it left once the
worker is done. ``grade_one`` runs here, in the test's process, as in a worker of ``course grade``.
"""

from pathlib import Path

import nbformat
import pytest
from support.grading import grading_lock, solved_notebook

from course.assignment import NOTEBOOK_FILE
from course.batch import cgroups, slots
from course.batch.gradebook import database_url, ensure_assignment
from course.batch.kit import build_kit
from course.batch.worker import GradeJob, Limits, grade_one

pytestmark = [pytest.mark.slow, pytest.mark.root]

#: A cell that prints the user the kernel runs as.
PRINT_UID = "import os\nprint('KERNEL UID', os.getuid())"


def printed_uid(result):
    """The uid the submission's kernel printed (read from the autograded notebook of a GradeResult)."""
    notebook = nbformat.reads(result.files[NOTEBOOK_FILE].decode("utf-8"), as_version=4)
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))
    return int(text.split("KERNEL UID ")[1].split()[0])


def job(root, kit, student, limits=Limits()):
    notebook = nbformat.writes(solved_notebook(root, extra_cells=[PRINT_UID])).encode()
    return GradeJob(student, notebook, None, student, kit, limits)


# nbgrader 0.9's autograde emits SQLAlchemy warnings about its own session use; here it runs in pytest's process.
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_instructor_next_kernel_is_started_ahead_in_a_slot_of_its_own(course_copy):
    db_url = database_url(course_copy)
    ensure_assignment(course_copy, db_url, log=lambda *args, **kwargs: None)
    kit = build_kit(course_copy, db_url)
    with grading_lock():
        first = grade_one(job(course_copy, kit, "s1"))
        assert first.ok, first.message
        ahead = slots._ahead[0]
        assert ahead.kernel is not None and ahead.kernel.has_kernel
        assert ahead.uid != printed_uid(first)
        assert any(ahead.uid in uids for uids in slots.process_uids().values())  # already booting
        second = grade_one(job(course_copy, kit, "s2"))
        assert second.ok, second.message
        assert printed_uid(second) == ahead.uid  # the kernel started ahead graded the next submission
        assert second.notebooks["Gradient_Checking"]["grades"] == first.notebooks["Gradient_Checking"]["grades"]
        assert not Path(ahead.workspace).exists() and not any(ahead.uid in u for u in slots.process_uids().values())
        other = slots._ahead[0]
        third = grade_one(job(course_copy, kit, "s3", Limits(memory_mb=1536)))  # other settings: a new slot
        assert third.ok, third.message
        assert printed_uid(third) != other.uid and not Path(other.workspace).exists()
        last = slots._ahead[0]
        slots.close_ahead()
    assert slots._ahead == [] and not Path(last.workspace).exists()
    assert not any(last.uid in uids for uids in slots.process_uids().values())
    found = cgroups.parents()
    names = [p.name for folder in (found[0] if found else ()) for p in folder.glob(slots.WORKSPACE_PREFIX + "*")]
    assert not [name for name in names if name.endswith("-{}".format(last.uid))]
