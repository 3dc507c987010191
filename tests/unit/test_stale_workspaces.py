"""A killed worker's private course is removed even while the dead worker is still a zombie in /proc."""

import os
import subprocess
import time

from course.batch.worker import process_running


def test_instructor_running_process_counts_as_running():
    assert process_running(str(os.getpid()))


def test_instructor_exited_or_unreaped_process_does_not():
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while process_running(str(child.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert os.path.exists("/proc/{}".format(child.pid)), "the child should still be an unreaped zombie"
    assert not process_running(str(child.pid))
    child.wait()
    assert not process_running(str(child.pid))
