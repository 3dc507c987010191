"""Speed goal of issue 5: the whole master notebook (reference solutions) runs in under 30 s.

Run: ``python benchmarks/notebook_runtime.py`` from the repository; exits 1 when the goal is missed.
"""
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from conftest import execute_notebook, source_notebook_path  # noqa: E402

GOAL_SECONDS = 30


def main():
    start = time.perf_counter()
    execute_notebook(source_notebook_path())
    seconds = time.perf_counter() - start
    print("master notebook: {:.1f} s (goal < {} s)".format(seconds, GOAL_SECONDS))
    return 0 if seconds < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
