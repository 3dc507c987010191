"""One cgroup per submission: memory and process count of all its processes together, and a clean kill.

Why: a resource limit (``setrlimit``) binds one process, so a memory hog that forks eight children gets
eight times the memory. The kernel's own accounting for a group of processes is the cgroup: its memory
limit counts every process of the group (and the tmpfs pages they write), its pids limit counts every
process and thread, and killing everything in it leaves nothing behind. bubblewrap does not manage
cgroups, so this module writes the few files of the cgroup file system itself, as systemd or libcgroup
would: cgroup v2 (``memory.max``, ``pids.max``, ``cgroup.kill``) where the grader's own cgroup can hand
the memory and pids controllers to a child, else cgroup v1 with separate ``memory`` and ``pids``
hierarchies (``memory.limit_in_bytes``, ``pids.max``). Where neither is writable, :func:`create` returns
None and grading falls back to per-process limits (``course grade`` says so when it starts).
"""

import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

#: The controllers a submission's cgroup needs.
CONTROLLERS = ("memory", "pids")
#: Seconds to wait for a killed cgroup to become empty before giving up on removing it.
EMPTY_WAIT = 10.0
POLL = 0.02


@dataclass(frozen=True)
class Cgroup:
    """A submission's cgroup: one folder (v2) or one per controller (v1)."""

    folders: tuple[Path, ...]
    version: int

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a process writes its pid into to join the group."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    @property
    def oom_counter(self) -> str:
        """The file whose ``oom_kill N`` line counts the processes the memory limit has killed."""
        memory = self.folders[0]
        return str(memory / ("memory.events" if self.version == 2 else "memory.oom_control"))

    def pids(self) -> set[int]:
        found = set()
        for path in self.procs_files:
            try:
                found.update(int(line) for line in Path(path).read_text().split())
            except OSError:
                continue
        return found

    def kill(self) -> None:
        """SIGKILL every process of the group until it is empty (or ``EMPTY_WAIT`` has passed)."""
        kill_file = self.folders[0] / "cgroup.kill"
        deadline = time.monotonic() + EMPTY_WAIT
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            if self.version == 2 and kill_file.exists():
                _write(kill_file, "1")
            else:
                kill_processes(pids)
            time.sleep(POLL)

    def remove(self) -> None:
        """Kill what is left, then delete the group's folders."""
        self.kill()
        for folder in self.folders:
            try:
                folder.rmdir()
            except FileNotFoundError:
                pass
            except OSError:  # still busy after EMPTY_WAIT: remove_stale tries again on the next run
                continue


def kill_processes(pids: Iterable[int]) -> int:
    """SIGKILL each of ``pids``; return how many were signalled (a process already gone is not)."""
    killed = 0
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:
            continue
    return killed


def oom_kills(counter: str) -> int:
    """The ``oom_kill`` count of a cgroup's memory events file (0 if unreadable)."""
    try:
        lines = Path(counter).read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        name, _, value = line.partition(" ")
        if name == "oom_kill":
            return int(value)
    return 0


def _write(path: Path, value: str) -> None:
    with open(str(path), "w") as handle:
        handle.write(value)


def _mounts() -> tuple[tuple[str, str] | None, dict[str, tuple[str, str]]]:
    """``(v2 (mount point, root), {v1 controller: (mount point, root)})`` from /proc/self/mountinfo."""
    unified, legacy = None, {}
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            separator = fields.index("-")
            fstype, options = fields[separator + 1], fields[separator + 3].split(",")
            point, root = fields[4], fields[3]
            if fstype == "cgroup2":
                unified = (point, root)
            elif fstype == "cgroup":
                for controller in CONTROLLERS:
                    if controller in options:
                        legacy[controller] = (point, root)
    return unified, legacy


def _own_paths() -> dict[str, str]:
    """``{controller or "": path}`` of this process's cgroups ("" is the v2 hierarchy)."""
    paths = {}
    with open("/proc/self/cgroup") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                paths[controller] = path
    return paths


def _inside(mount: tuple[str, str], path: str) -> Path:
    """The folder of cgroup ``path`` under a hierarchy mounted at ``mount`` = (point, root)."""
    point, root = mount
    if root != "/" and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    return Path(point + path)


def _v2_parent(unified: tuple[str, str], own: dict[str, str]) -> Path | None:
    """The grader's own v2 cgroup if it can give memory and pids to a child, else None."""
    if "" not in own:
        return None
    parent = _inside(unified, own[""])
    control = parent / "cgroup.subtree_control"
    try:
        if not set(CONTROLLERS) <= set(control.read_text().split()):
            _write(control, " ".join("+" + c for c in CONTROLLERS))
        return parent if set(CONTROLLERS) <= set(control.read_text().split()) else None
    except OSError:
        return None


def parents() -> tuple[tuple[Path, ...], int] | None:
    """Where submission cgroups can be made: ``((folders), version)``, or None on this machine."""
    unified, legacy = _mounts()
    own = _own_paths()
    if all(c in legacy and c in own for c in CONTROLLERS):
        folders = tuple(_inside(legacy[c], own[c]) for c in CONTROLLERS)
        if all(os.access(str(folder), os.W_OK) for folder in folders):
            return folders, 1
    if unified is not None:
        parent = _v2_parent(unified, own)
        if parent is not None and os.access(str(parent), os.W_OK):
            return (parent,), 2
    return None


def create(name: str, memory_bytes: int, processes: int) -> Cgroup | None:
    """A new cgroup ``name`` limited to ``memory_bytes`` (all its processes together, no swap) and
    ``processes`` processes; None where this machine offers no writable cgroup hierarchy."""
    found = parents()
    if found is None:
        return None
    folders, version = found
    group = Cgroup(tuple(folder / name for folder in folders), version)
    try:
        for folder in group.folders:
            folder.mkdir()
        memory, pids = group.folders[0], group.folders[-1]
        if version == 2:
            _write(memory / "memory.max", str(memory_bytes))
            if (memory / "memory.swap.max").exists():
                _write(memory / "memory.swap.max", "0")
        else:
            _write(memory / "memory.limit_in_bytes", str(memory_bytes))
            if (memory / "memory.memsw.limit_in_bytes").exists():
                _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
        _write(pids / "pids.max", str(processes))
    except OSError:
        group.remove()
        return None
    return group


def remove_stale(prefix: str, stale: Callable[[str], bool]) -> None:
    """Kill and delete the cgroups named ``<prefix>…`` for which ``stale(name)`` is true: what a worker
    killed in the middle of a job left behind."""
    found = parents()
    if found is None:
        return
    folders, version = found
    for folder in folders:
        for child in folder.glob(prefix + "*"):
            if stale(child.name):
                Cgroup((child,), version).remove()
