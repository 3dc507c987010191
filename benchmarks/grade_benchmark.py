"""How fast is ``python -m course grade`` compared with plain sequential ``nbgrader autograde``?

    python benchmarks/grade_benchmark.py [-k 24] [-j 2]

Builds K synthetic submissions (correct, wrong, blank, in turn), grades identical copies of the course
with (a) ``nbgrader autograde`` and (b) ``python -m course grade -j J``, and prints both wall times,
the speed-up, whether every score matches, and the floor: running the notebook K times with nbclient
(no nbgrader, no sandbox), one after another and divided by J. A figure to read, not a test:
other load on the machine changes it.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT, release_folder
from course.authoring.samples import copy_course, fresh_submitted, mixed_class
from course.nbgrader_cli import nbgrader_env, run_nbgrader
from course.notebooks import execute
from course.results.scores import exercise_scores

#: Seconds a cell may run in the floor measurement (as in the tests).
NOTEBOOK_CELL_TIMEOUT = 120
KINDS = ("s01_correct", "s04_wrong_forward", "s02_blank", "s03_global_dtheta")


def synthetic_class(root, count):
    """``count`` submissions cycling through correct / wrong / blank / real-mistake notebooks."""
    variants = mixed_class(root)
    return {"b{:03d}_{}".format(i, KINDS[i % len(KINDS)][4:]): variants[KINDS[i % len(KINDS)]] for i in range(count)}


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def sequential_nbgrader(root):
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force")


def course_grade(root, workers):
    result = subprocess.run(
        [sys.executable, "-m", "course", "grade", "-j", str(workers), "--course", str(root)],
        cwd=str(root),
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:  # some submission failed: say which, the score comparison will show it
        print(result.stdout[-2000:] + result.stderr[-2000:], file=sys.stderr)


def nbclient_floor(root, notebooks):
    """Execute every submission's notebook with nbclient in the autograded folder layout, sequentially."""
    folder = release_folder(root)
    for notebook in notebooks.values():
        execute(nbformat.from_dict(notebook), folder, NOTEBOOK_CELL_TIMEOUT)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", "--submissions", type=int, default=24)
    parser.add_argument("-j", "--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grade-benchmark-") as tmp:
        roots = {name: copy_course(Path(tmp) / name) for name in ("nbgrader", "course_grade", "floor")}
        notebooks = synthetic_class(roots["nbgrader"], args.submissions)
        for root in roots.values():
            fresh_submitted(root, notebooks)
            shutil.rmtree(root / "autograded", ignore_errors=True)
            run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
        sequential = timed(sequential_nbgrader, roots["nbgrader"])
        parallel = timed(course_grade, roots["course_grade"], args.workers)
        floor = timed(nbclient_floor, roots["floor"], notebooks)
        expected = exercise_scores("sqlite:///{}".format(roots["nbgrader"] / "gradebook.db"))
        got = exercise_scores("sqlite:///{}".format(roots["course_grade"] / "gradebook.db"))
    print("submissions:                      {}".format(args.submissions))
    print("sequential nbgrader autograde:    {:7.1f} s".format(sequential))
    print("python -m course grade -j {}:      {:7.1f} s".format(args.workers, parallel))
    print("speed-up:                         {:7.2f}x".format(sequential / parallel))
    print("every score identical:            {}".format(got == expected and len(got) == args.submissions))
    print(
        "nbclient floor (sequential):      {:7.1f} s  (/{} workers: {:.1f} s)".format(
            floor, args.workers, floor / args.workers
        )
    )
    return 0 if got == expected else 1


if __name__ == "__main__":
    sys.exit(main())
