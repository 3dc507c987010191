"""Where the time of grading a class goes, and how ``python -m course grade`` compares with nbgrader.

    python benchmarks/grade_benchmark.py [-k 24] [-j N] [--baseline CHECKOUT] [--scheduler local:2|ADDRESS]
                                         [--scale 24,96,384 --plot FILE]

1. Side by side on the same K synthetic submissions (correct, wrong, blank, a real mistake, in turn),
   each in its own copy of the course: (a) sequential plain ``nbgrader autograde`` with the course's
   config as it was before demonstration cells were skipped (``--GuardedExecute.skip_tagged=False``; or
   the code of an older checkout with ``--baseline``), (b) ``python -m course grade -j J`` (J: the
   command's default, the number of CPUs + 1). Prints both
   wall times, the speed-up and whether every score is identical.
2. The phases of (b): input collection, kernel start, execution, trusted tests, nbgrader's own steps,
   gradebook writes, feedback, reports. Worker phases are summed over submissions (they overlap in time).
3. The floor: every submission's graded code only (the imports, the exercise solutions, the test cells)
   run one after another in this one warm process, no kernel, no nbgrader, no isolation.
4. With ``--scheduler``: (c) ``python -m course grade --scheduler S`` on a third copy of the same K
   submissions, a Dask cluster (``local:N`` starts one here, its start and shutdown counted) beside the
   local pool (b): its wall time, the ratio (c) / (b), and whether every score is identical. With
   ``local:N`` and N other than J, also a local pool of N workers and the ratio to it: like with like,
   that is the engine's overhead (on 2 cores, 3 pool workers are faster than 2, whatever the engine).
5. With ``--scale``: seconds per submission of (b) for each class size, and a PNG plot of it (flat means
   the cost is linear in the number of submissions).

The load average is printed before and after: a figure to read, not a test.
"""

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course.assignment import ASSIGNMENT, NOTEBOOK_FILE, REPO_ROOT, release_folder, source_folder
from course.authoring.samples import copy_course, fresh_submitted, mixed_class
from course.batch.cluster import local_size
from course.batch.command import default_workers, grade_course
from course.nbgrader_cli import nbgrader_env, run_nbgrader
from course.nbgrader_ext.skipped_cells import cells_to_skip
from course.results.scores import exercise_scores

KINDS = ("s01_correct", "s04_wrong_forward", "s02_blank", "s03_global_dtheta")
#: The phases in the order of a job's life, and how they are printed.
PHASES = (
    ("input collection", "input collection (parent)"),
    ("worker: set-up", "private course (workers)"),
    ("worker: kernel start", "kernel start (workers)"),
    ("worker: execution", "execution (workers)"),
    ("worker: trusted tests", "trusted tests (workers)"),
    ("worker: nbgrader steps", "nbgrader's own steps (workers)"),
    ("worker: clean-up", "clean-up (workers)"),
    ("gradebook writes", "gradebook writes (parent)"),
    ("feedback", "feedback (parent)"),
    ("reports", "reports (parent)"),
)


def synthetic_class(root, count):
    """``count`` submissions cycling through correct / wrong / blank / real-mistake notebooks."""
    variants = mixed_class(root)
    return {"b{:04d}_{}".format(i, KINDS[i % len(KINDS)][4:]): variants[KINDS[i % len(KINDS)]] for i in range(count)}


def prepared_course(folder, notebooks, source=REPO_ROOT):
    """A copy of the course (from ``source``) with ``notebooks`` submitted and the assignment released."""
    root = copy_course(folder, source)
    fresh_submitted(root, notebooks)
    shutil.rmtree(root / "autograded", ignore_errors=True)
    run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    return root


def sequential_nbgrader(root, baseline=None):
    """Plain ``nbgrader autograde`` of the whole class, one submission after the other; seconds."""
    command = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"]
    env = nbgrader_env()
    if baseline:
        env["PYTHONPATH"] = str(baseline)
    else:
        command.append("--GuardedExecute.skip_tagged=False")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=str(root), env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
    return seconds


def course_grade(root, workers, phases=None, scheduler=None):
    """``course grade -j workers`` (or ``--scheduler``) in this process (its pool forks from here); seconds."""
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        _, _, failed = grade_course(root, workers=workers, phases=phases, log=lambda *a, **k: None, scheduler=scheduler)
    seconds = time.perf_counter() - started
    if failed:
        print("failed: {}".format(failed), file=sys.stderr)
    return seconds


def graded_code(master, notebook):
    """The code grading runs, in order: every cell of the submission but the demonstrations left out, with
    the master's version of the locked and test cells."""
    theirs = {
        c.metadata["nbgrader"]["grade_id"]: c for c in master.cells if "grade_id" in c.metadata.get("nbgrader", {})
    }
    left_out, _ = cells_to_skip(notebook.cells)
    code = []
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or index in left_out:
            continue
        master_cell = theirs.get(meta.get("grade_id"))
        locked = master_cell is not None and not master_cell.metadata["nbgrader"].get("solution")
        code.append(master_cell.source if locked else cell.source)
    return code


#: The floor's program, run by a fresh interpreter in the release folder (where the helper modules are):
#: it runs the first submission's code to warm up, then times every submission's code; prints seconds.
FLOOR_PROGRAM = """
import contextlib, io, json, sys, time
programs = [[compile(code, "<cell>", "exec") for code in cells] for cells in json.load(sys.stdin)]

def run(program):
    namespace = {}
    for code in program:
        with contextlib.suppress(Exception):
            exec(code, namespace)

with contextlib.redirect_stdout(io.StringIO()):
    run(programs[0])
    started = time.perf_counter()
    for program in programs:
        run(program)
    seconds = time.perf_counter() - started
print(seconds)
"""


def floor(root, notebooks):
    """Seconds to run every submission's graded code in one warm process (numpy and the helpers loaded)."""
    master = nbformat.read(str(source_folder(root) / NOTEBOOK_FILE), as_version=4)
    programs = json.dumps([graded_code(master, notebook) for notebook in notebooks.values()])
    result = subprocess.run(
        [sys.executable, "-c", FLOOR_PROGRAM],
        cwd=str(release_folder(root)),
        input=programs,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.split()[-1])


def scale_run(sizes, workers, tmp, plot):
    """Seconds per submission of ``course grade`` for each class size; a PNG plot to ``plot``."""
    per_submission = []
    for size in sizes:
        root = prepared_course(Path(tmp) / "scale{}".format(size), synthetic_class(REPO_ROOT, size))
        seconds = course_grade(root, workers)
        per_submission.append(seconds / size)
        print("K = {:>4}: {:7.1f} s, {:.3f} s per submission".format(size, seconds, seconds / size), flush=True)
        shutil.rmtree(root, ignore_errors=True)
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.plot(sizes, per_submission, marker="o")
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(sizes, [str(s) for s in sizes])
        ax.set_ylim(0, max(per_submission) * 1.3)
        ax.set_xlabel("submissions K")
        ax.set_ylabel("seconds per submission")
        ax.set_title("course grade -j {}".format(workers))
        fig.tight_layout()
        fig.savefig(plot, dpi=120)
        print("plot: {}".format(plot))
    return per_submission


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", "--submissions", type=int, default=24)
    parser.add_argument("-j", "--workers", type=int, default=default_workers(), help="default: course grade's")
    parser.add_argument("--baseline", metavar="CHECKOUT", help="grade (a) with the code of this checkout")
    parser.add_argument("--scheduler", metavar="S", help="also grade on this Dask cluster (local:N or an address)")
    parser.add_argument("--scale", metavar="K,K,...", help="class sizes of the scale run, e.g. 24,96,384")
    parser.add_argument("--plot", metavar="PNG", default="grade_scale.png", help="the scale run's plot")
    args = parser.parse_args(argv)
    os.environ["PATH"] = nbgrader_env()["PATH"]
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with tempfile.TemporaryDirectory(prefix="grade-benchmark-") as tmp:
        notebooks = synthetic_class(REPO_ROOT, args.submissions)
        baseline = Path(args.baseline).resolve() if args.baseline else None
        plain = prepared_course(Path(tmp) / "nbgrader", notebooks, baseline or REPO_ROOT)
        ours = prepared_course(Path(tmp) / "course_grade", notebooks)
        sequential = sequential_nbgrader(plain, baseline)
        phases = {}
        parallel = course_grade(ours, args.workers, phases)
        least = floor(ours, notebooks)
        expected = exercise_scores("sqlite:///{}".format(plain / "gradebook.db"))
        got = exercise_scores("sqlite:///{}".format(ours / "gradebook.db"))
        identical = got == expected and len(got) == args.submissions
        print("submissions K:                        {}".format(args.submissions))
        print("sequential nbgrader autograde:        {:7.1f} s".format(sequential))
        print("python -m course grade -j {}:          {:7.1f} s".format(args.workers, parallel))
        print("speed-up:                             {:7.2f}x".format(sequential / parallel))
        print("every score identical:                {}".format(identical))
        print(
            "floor (graded code, one warm process): {:6.1f} s   course grade / floor: {:.2f}x".format(
                least, parallel / least
            )
        )
        print("\nphase                                total s   s per submission")
        for key, label in PHASES:
            seconds = phases.get(key, 0.0)
            print("{:<36} {:7.2f}   {:7.3f}".format(label, seconds, seconds / args.submissions))
        if args.scheduler:
            cluster = prepared_course(Path(tmp) / "cluster", notebooks)
            distributed = course_grade(cluster, None, scheduler=args.scheduler)
            same = exercise_scores("sqlite:///{}".format(cluster / "gradebook.db")) == got
            identical = identical and same
            print("\npython -m course grade --scheduler {}: {:7.1f} s".format(args.scheduler, distributed))
            size = local_size(args.scheduler)
            if size is not None and size != args.workers:  # like with like: a pool of as many workers
                pool = prepared_course(Path(tmp) / "pool{}".format(size), notebooks)
                pooled = course_grade(pool, size)
                print("python -m course grade -j {}:          {:7.1f} s".format(size, pooled))
                print(
                    "cluster / local pool of the same size: {:6.2f}x   (the engine's overhead)".format(
                        distributed / pooled
                    )
                )
            print("cluster / local pool (-j {}):         {:7.2f}x".format(args.workers, distributed / parallel))
            print("every score identical to the pool's:  {}".format(same))
        if args.scale:
            print()
            scale_run([int(k) for k in args.scale.split(",")], args.workers, tmp, args.plot)
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
