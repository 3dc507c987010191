"""The one way the tools start nbgrader as a command: ``python -m nbgrader ...`` in the course folder.

nbgrader runs the ``alembic`` executable from PATH while it opens a gradebook, so this interpreter's
``bin/`` goes first on PATH (a venv's ``python -m nbgrader`` without it fails with
``FileNotFoundError: 'alembic'``). Grading one submission in a worker uses nbgrader's AutogradeApp
in-process instead (``course.batch.worker``): that is the only other entry into nbgrader.
"""

import os
import subprocess
import sys
from pathlib import Path

from course.messages import NBGRADER_FAILED, CourseError

#: Characters of nbgrader's output quoted in an error message.
LOG_TAIL = 4000


def nbgrader_env() -> dict:
    """Environment for running nbgrader: this interpreter's bin/ first on PATH (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(course_root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``python -m nbgrader ARGS`` in ``course_root``; raise CourseError with its log if it fails."""
    command = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(command, cwd=str(course_root), env=nbgrader_env(), capture_output=True, text=True)
    if result.returncode != 0:
        log = result.stdout[-LOG_TAIL:] + result.stderr[-LOG_TAIL:]
        raise CourseError(NBGRADER_FAILED.format(command=" ".join(args), code=result.returncode, log=log))
    return result
