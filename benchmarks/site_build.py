"""How long ``python -m course site`` takes (goal: a few seconds; it executes the master notebook once).

Usage: ``python benchmarks/site_build.py [--runs N]``. Builds into a temporary folder (the repository's
site/ is not touched), prints the time of each run, and exits 1 if the best run misses the goal.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from course.assignment import REPO_ROOT
from course.site.build import build_site

#: Seconds the best build may take on the 2-core CI machine.
GOAL_SECONDS = 10.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="number of builds (default 3)")
    args = parser.parse_args(argv)
    times = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            build_site(REPO_ROOT, Path(scratch) / "site", log=lambda message: None)
            times.append(time.perf_counter() - start)
        print("run {}: {:.2f} s".format(run + 1, times[-1]))
    best = min(times)
    print("best {:.2f} s (goal {:.0f} s): {}".format(best, GOAL_SECONDS, "ok" if best <= GOAL_SECONDS else "TOO SLOW"))
    return 0 if best <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
