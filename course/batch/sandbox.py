"""Start a Jupyter kernel inside bubblewrap: ``python -I course/batch/sandbox.py [options] CONNECTION_FILE``.

Used as the ``argv`` of a kernelspec while grading (see ``course.batch.worker``). Why bubblewrap: the
student's kernel is hostile, and Python cannot isolate itself; ``bwrap`` (what Flatpak relies on) builds
the namespaces, so this file only chooses what goes in. Started as root by the kernel manager, it

1. joins the submission's cgroups (memory and process count of all its processes together, see
   ``course.batch.cgroups``) and sets the per-process limits (address space, CPU time, file size,
   processes of the submission's user);
2. gives ``--kernel-folder`` (where the connection file is) to the submission's fresh ``--uid``: the
   kernel binds its Unix sockets there (jupyter_client's ``ipc`` transport); the grader seals it once
   the kernel is ready (``GuardedExecute.seal_kernel_folder``);
3. execs ``bwrap``: new PID, network, IPC, UTS and cgroup namespaces (loopback only, a fresh ``/proc``
   that shows only the submission's processes), a new session, death with its parent, a clean
   environment, and a file system holding only the system directories, the Python installation and a
   few files of /etc (read-only), a size-limited tmpfs as the working folder (the assignment's files
   bound read-only into it), another as ``/tmp``, and the kernel folder. The course (``source/``, the
   gradebook, other students' work, the grader's processes and command lines) is simply not there.
   Inside, ``setpriv`` (util-linux) becomes the submission's uid for good before starting the kernel.

The file is a standalone script (standard library only) so that the kernel manager can run it by path.
"""

import argparse
import os
import resource
import shutil
import sys

#: System directories the kernel may read (a symlink such as /bin -> usr/bin is recreated as a symlink).
SYSTEM_PATHS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin")
#: The files of /etc a Python kernel needs (the dynamic loader, time zone, name lookups); nothing else.
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/alternatives",
    "/etc/fonts",
)
#: Environment variables passed through to the kernel; everything else is dropped (JPY_PARENT_PID too: the
#: grader's pid means nothing in the sandbox's PID namespace, and bwrap --die-with-parent does its job).
KEPT_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TERM", "NBGRADER_EXECUTION", "PYTHONHASHSEED")
MEBIBYTE = 1024 * 1024
#: Sandbox users are fresh uids from this range, one per submission (see ``course.batch.slots.fresh_uid``).
SANDBOX_UID_BASE = 200000
SANDBOX_UID_COUNT = 1 << 24
#: Size of /dev/shm (POSIX shared memory, semaphores): small, the working folder and /tmp hold the files.
SHM_MB = 8
HOSTNAME = "sandbox"
#: Notebooks of the working folder are not shown to the kernel (it runs cells, it never reads them).
NOTEBOOK_SUFFIX = ".ipynb"


def python_paths() -> list[str]:
    """The real directories of this Python installation (the venv and the interpreter it comes from)."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    paths.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    return sorted(paths)


def _covered(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _tmpfs(path: str, megabytes: int) -> list[str]:
    """A size-limited tmpfs at ``path`` that the sandbox's user may write (world-writable, sticky like /tmp)."""
    return ["--size", str(megabytes * MEBIBYTE), "--perms", "1777", "--tmpfs", path]


def _parents(path: str, made: set[str]) -> list[str]:
    """Create the missing parent folders of ``path`` readable (bwrap would make them 0700)."""
    missing, parent = [], os.path.dirname(path)
    while parent not in made and parent != "/":
        missing.append(parent)
        parent = os.path.dirname(parent)
    made.update(missing)
    return [arg for folder in reversed(missing) for arg in ("--perms", "0755", "--dir", folder)]


def _bind(path: str, made: set[str], option: str = "--ro-bind") -> list[str]:
    """Bind the host's ``path`` at the same place in the sandbox (read-only unless ``option`` says)."""
    options = _parents(path, made) + [option, path, path]
    made.add(path)
    return options


def bwrap_arguments(workdir: str, kernel_folder: str, disk_mb: int) -> list[str]:
    """The options of ``bwrap`` (before the command) for a kernel working in ``workdir``.

    bwrap runs as root without a user namespace (so it can reach a Python under /root and the private
    course's 0700 folders) and keeps only the two capabilities ``setpriv`` needs to drop to the
    submission's uid inside (see :func:`drop_command`). The working folder is a tmpfs of ``disk_mb // 2``
    MiB holding the entries of the real ``workdir`` read-only (the assignment's helper files; not the
    notebooks); /tmp is another of the same size: ``disk_mb`` of writable space in all, none of it on
    the grader's disk.
    """
    half = max(1, disk_mb // 2)
    options = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    options += ["--die-with-parent", "--new-session", "--hostname", HOSTNAME]
    options += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    options += ["--proc", "/proc", "--dev", "/dev"] + _tmpfs("/dev/shm", SHM_MB)
    # /tmp first: a Python installation or working folder below /tmp is then bound on top of it.
    options += _tmpfs("/tmp", half)
    made, bound = {"/tmp", "/dev", "/proc"}, []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            options += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            options += _bind(path, made)
            bound.append(path)
    options += [arg for path in ETC_FILES if os.path.exists(path) for arg in _bind(path, made)]
    for path in python_paths():
        if not _covered(path, bound):
            options += _bind(path, made)
            bound.append(path)
    options += _parents(workdir, made) + _tmpfs(workdir, half)
    made.add(workdir)
    for name in sorted(os.listdir(workdir)):
        entry = os.path.join(workdir, name)
        if not os.path.islink(entry) and not name.endswith(NOTEBOOK_SUFFIX):
            options += _bind(entry, made)
    options += _bind(kernel_folder, made, "--bind") + ["--chdir", workdir]
    return options


def drop_command(uid: int, command: list[str]) -> list[str]:
    """``command`` run as ``uid`` for good: no groups, no capabilities, no way back (no_new_privs)."""
    drop = ["setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--no-new-privs"]
    return drop + ["--inh-caps=-all", "--bounding-set=-all", "--"] + command


def kernel_environment() -> dict[str, str]:
    """A clean environment for the kernel: no variable of the grader leaks in except harmless ones."""
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(
        PATH=os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        HOME="/tmp",
        USER="student",
        LOGNAME="student",
        TMPDIR="/tmp",
        MPLCONFIGDIR="/tmp/matplotlib",
        IPYTHONDIR="/tmp/ipython",
        JUPYTER_RUNTIME_DIR="/tmp/jupyter",
        MPLBACKEND="Agg",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def join_cgroups(procs_files: list[str]) -> None:
    """Move this process (and so everything it will start) into the submission's cgroups."""
    for path in procs_files:
        with open(path, "w") as handle:
            handle.write(str(os.getpid()))


def set_limits(memory_mb: int, cpu_seconds: int, file_mb: int, processes: int) -> None:
    """Per-process limits of the kernel (inherited by anything it starts)."""
    for limit, value in (
        (resource.RLIMIT_AS, memory_mb * MEBIBYTE),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, file_mb * MEBIBYTE),
        (resource.RLIMIT_NPROC, processes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--uid", type=int, required=True, help="the submission's unprivileged user (and group) id")
    parser.add_argument("--memory-mb", type=int, required=True, help="address-space limit of each process")
    parser.add_argument("--cpu-seconds", type=int, required=True, help="CPU-time limit of each process")
    parser.add_argument("--disk-mb", type=int, required=True, help="writable space: working folder + /tmp")
    parser.add_argument("--file-mb", type=int, default=64, help="largest file the kernel may write")
    parser.add_argument("--processes", type=int, default=64, help="most processes of the sandbox user")
    parser.add_argument("--cgroup", action="append", default=[], metavar="PROCS", help="cgroup.procs file to join")
    parser.add_argument("--kernel-folder", required=True, help="folder of the connection file and the sockets")
    parser.add_argument("connection_file")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER, help="passed on to the kernel")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.uid <= 0:
        raise SystemExit("the sandbox user must not be root")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SystemExit("bubblewrap (bwrap) is not installed: run ./dev setup")
    connection_file = os.path.abspath(args.connection_file)
    kernel_folder = os.path.abspath(args.kernel_folder)
    if os.path.dirname(connection_file) != kernel_folder or os.path.islink(kernel_folder):
        raise SystemExit("the connection file must be in --kernel-folder")
    join_cgroups(args.cgroup)
    # The kernel binds its Unix sockets in the kernel folder: it is the submission's until the grader seals it.
    os.chown(kernel_folder, args.uid, args.uid)
    os.chmod(kernel_folder, 0o700)
    os.chown(connection_file, args.uid, args.uid)
    options = bwrap_arguments(os.getcwd(), kernel_folder, args.disk_mb)
    set_limits(args.memory_mb, args.cpu_seconds, args.file_mb, args.processes)
    command = drop_command(
        args.uid, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *args.kernel_args]
    )
    os.execve(bwrap, [bwrap] + options + ["--"] + command, kernel_environment())


if __name__ == "__main__":
    main()
