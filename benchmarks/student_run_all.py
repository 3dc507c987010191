"""How long a student waits for "Run All" on the release notebook (goal: a few seconds).

Usage: ``python benchmarks/student_run_all.py [--runs N]``. Fills the release notebook's exercises with
the reference solutions (a student who has finished, so every cell runs), executes it in a fresh
kernel in a temporary copy of release/gradient_checking/, and prints, per run, the time the kernel
spent on all cells (from nbclient's per-cell timestamps; kernel start-up excluded, as JupyterLab's
kernel is already running) and the slowest cell. Exits 1 if the best run misses the goal.
"""

import argparse
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course.assignment import ASSIGNMENT, REPO_ROOT, release_folder
from course.notebooks import solved_notebook

#: Seconds the kernel may spend on all cells of a finished notebook, on the 2-core CI machine.
GOAL_SECONDS = 5.0


def finished_notebook():
    """The release notebook with every exercise filled with its reference solution."""
    return solved_notebook()


def cell_seconds(cell):
    """Seconds between the kernel starting and finishing ``cell`` (nbclient's timing metadata)."""
    timing = cell.metadata["execution"]
    start, end = (
        datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
        for key in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - start).total_seconds()


def run_once(notebook):
    """Execute ``notebook`` in a scratch copy of the assignment folder; return (total s, slowest cell id, its s)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(shutil.copytree(str(release_folder(REPO_ROOT)), str(Path(scratch) / ASSIGNMENT)))
        executed = nbformat.from_dict(notebook)
        NotebookClient(
            executed, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
        ).execute()
    times = {cell.get("id"): cell_seconds(cell) for cell in executed.cells if cell.cell_type == "code"}
    slowest = max(times, key=times.get)
    return sum(times.values()), slowest, times[slowest]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="number of runs (default 3)")
    args = parser.parse_args(argv)
    notebook, totals = finished_notebook(), []
    for run in range(args.runs):
        total, slowest, seconds = run_once(notebook)
        totals.append(total)
        print("run {}: {:.2f} s in the kernel, slowest cell {} ({:.2f} s)".format(run + 1, total, slowest, seconds))
    best = min(totals)
    print("best {:.2f} s (goal {:.0f} s): {}".format(best, GOAL_SECONDS, "ok" if best <= GOAL_SECONDS else "TOO SLOW"))
    return 0 if best <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
