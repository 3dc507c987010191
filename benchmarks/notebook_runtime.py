"""Speed goal of issue 5: the whole master notebook (reference solutions) runs in under 30 s.

Run: ``python benchmarks/notebook_runtime.py`` from the repository; exits 1 when the goal is missed.
"""

import sys
import time

from course.assignment import REPO_ROOT, source_folder
from course.notebooks import execute, master_notebook

GOAL_SECONDS = 30
#: Seconds one cell may run before the run gives up.
CELL_TIMEOUT = 120


def main():
    start = time.perf_counter()
    execute(master_notebook(), source_folder(REPO_ROOT), CELL_TIMEOUT)
    seconds = time.perf_counter() - start
    print("master notebook: {:.1f} s (goal < {} s)".format(seconds, GOAL_SECONDS))
    return 0 if seconds < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
