"""Start a Jupyter kernel locked in a sandbox: ``python course/batch/sandbox.py [options] CONNECTION_FILE [KERNEL ARGS]``.

Used as the ``argv`` of a kernelspec while grading (see ``course.batch.worker``). Started as root with the
kernel's working directory as cwd, it

1. gives that directory to the unprivileged ``--uid`` (the only place the student's code may write);
2. builds a private file-system view (a new mount namespace and a chroot) holding only the system
   directories, the Python installation, the working directory and an empty private ``/tmp``: the
   course (``source/``, the gradebook, other students' work) is simply not there;
3. sets resource limits (address space, CPU time, file size, processes), drops every privilege
   (``setgroups``/``setgid``/``setuid``, no-new-privileges) and execs ``python -m ipykernel_launcher``.

The file is a standalone script (standard library only) so that the kernel manager can run it by path.
"""

import argparse
import ctypes
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
#: System directories the kernel may read (symlinks such as /bin -> usr/bin are recreated as symlinks).
SYSTEM_PATHS = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc")
#: Device files the kernel may use.
DEVICES = ("null", "zero", "full", "random", "urandom")
#: Environment variables passed through to the kernel; everything else is dropped.
KEPT_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TERM", "JPY_PARENT_PID", "NBGRADER_EXECUTION", "PYTHONHASHSEED")
CONNECTION_FILE = "/tmp/kernel-connection.json"
MEBIBYTE = 1024 * 1024
#: Where the private root is assembled, next to the working directory (inside the grader's private copy).
ROOT_NAME = ".sandbox-root"
#: The sandbox user of a grading worker is this plus the worker's process id: unique among running workers.
SANDBOX_UID_BASE = 200000

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    """Raise OSError with errno if a libc call returned -1."""
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, "{}: {}".format(what, os.strerror(error)))


def mount(source: str | None, target: str, fstype: str | None = None, flags: int = 0, data: str | None = None) -> None:
    """mount(2) with str arguments."""
    encode = lambda value: value.encode() if value is not None else None  # noqa: E731
    _check(
        _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
        "mount {} on {}".format(source, target),
    )


def bind(source: str, target: str, read_only: bool = True) -> None:
    """Bind-mount ``source`` on ``target`` (created as a directory or empty file), read-only by default."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND | MS_REC)
    if read_only:
        mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_REC)


def python_paths() -> list[str]:
    """The real directories of this Python installation (the venv and the interpreter it comes from)."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    paths.add(os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))))
    return sorted(paths)


def _covered(path, roots):
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def build_root(new_root: str, workdir: str, tmp_mb: int) -> None:
    """Assemble the sandbox's file system under ``new_root`` (already a fresh tmpfs)."""
    bound = []
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            os.symlink(os.readlink(path), new_root + path)
        elif os.path.isdir(path):
            bind(path, new_root + path)
            bound.append(path)
    # The private /tmp first: a Python install or working folder that lives under /tmp (a venv in a
    # clone under /tmp, say) is bound on top of it instead of being hidden by it.
    os.makedirs(new_root + "/tmp")
    mount("tmpfs", new_root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size={}m".format(tmp_mb))
    for path in python_paths():
        if not _covered(path, bound):
            bind(path, new_root + path)
            bound.append(path)
    os.makedirs(new_root + "/dev")
    for device in DEVICES:
        bind("/dev/" + device, new_root + "/dev/" + device, read_only=False)
    os.makedirs(new_root + "/proc")
    mount("/proc", new_root + "/proc", None, MS_BIND | MS_REC)
    bind(workdir, new_root + workdir, read_only=False)


def enter_sandbox(workdir: str, uid: int, tmp_mb: int) -> None:
    """New mount namespace, private root, chroot; afterwards only ``workdir`` and /tmp are writable."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    new_root = os.path.join(os.path.dirname(workdir), ROOT_NAME)
    os.makedirs(new_root, exist_ok=True)
    mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
    build_root(new_root, workdir, tmp_mb)
    os.chroot(new_root)
    os.chdir(workdir)


def set_limits(memory_mb: int, cpu_seconds: int, file_mb: int, processes: int) -> None:
    """Resource limits of the kernel (inherited by anything it starts)."""
    for limit, value in (
        (resource.RLIMIT_AS, memory_mb * MEBIBYTE),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, file_mb * MEBIBYTE),
        (resource.RLIMIT_NPROC, processes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (group ``uid``, no supplementary groups), for good."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")


def kernel_environment() -> dict[str, str]:
    """A clean environment for the kernel: no variable of the grader leaks in except harmless ones."""
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(
        PATH=os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        HOME="/tmp",
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


def kill_uid(uid: int) -> int:
    """Kill (SIGKILL) every process running as ``uid``; return how many were signalled."""
    killed = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/{}/status".format(pid)) as status:
                uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
            if str(uid) in uids:
                os.kill(int(pid), signal.SIGKILL)
                killed += 1
        except (OSError, StopIteration):
            continue
    return killed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--uid", type=int, required=True, help="unprivileged user (and group) id to run as")
    parser.add_argument("--memory-mb", type=int, required=True, help="address-space limit")
    parser.add_argument("--cpu-seconds", type=int, required=True, help="CPU-time limit")
    parser.add_argument("--file-mb", type=int, default=64, help="largest file the kernel may write")
    parser.add_argument("--tmp-mb", type=int, default=64, help="size of the private /tmp")
    parser.add_argument("--processes", type=int, default=64, help="most processes of the sandbox user")
    parser.add_argument("connection_file")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.uid <= 0:
        raise SystemExit("the sandbox user must not be root")
    with open(args.connection_file, "rb") as handle:
        connection = handle.read()
    workdir = os.getcwd()
    os.chown(workdir, args.uid, args.uid)
    os.chmod(workdir, 0o700)
    enter_sandbox(workdir, args.uid, args.tmp_mb)
    descriptor = os.open(CONNECTION_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(descriptor, connection)
    os.close(descriptor)
    os.chown(CONNECTION_FILE, args.uid, args.uid)
    set_limits(args.memory_mb, args.cpu_seconds, args.file_mb, args.processes)
    drop_privileges(args.uid)
    command = [sys.executable, "-m", "ipykernel_launcher", "-f", CONNECTION_FILE] + args.kernel_args
    os.execve(sys.executable, command, kernel_environment())


if __name__ == "__main__":
    main()
