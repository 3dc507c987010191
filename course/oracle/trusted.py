"""The trusted grader: runs the test cells, decides pass or fail; student code never runs here.

Why: in one Python process, student code can always reach the interpreter that runs the tests (input
transformers, exception hooks, patched builtins, frames, ``gc``), so nbgrader's usual "run the tests in
the student's kernel" cannot be made safe. Here the locked test cells run in this separate process,
started by ``course.nbgrader_ext.guarded_execute.GuardedExecute`` (``python -I -m course.oracle.trusted``)
and reused for every notebook it grades. The names of the student's functions are bound to
:class:`StudentFunction` objects: calling one sends the call, as plain data, to the parent, which runs it
in the student's kernel (``course.oracle.agent``) and sends the answer back; every comparison, assertion
and verdict happens here. This process never executes, imports or unpickles anything of the submission:
an audit hook (``install_audit_hook``) refuses to compile or run code that does not come from the
course's trusted files or the test cells, and can log every such event for the tests.

Protocol (JSON lines; this process reads stdin and writes to a copy of its original stdout):

* parent -> ``{"op": "notebook", "helpers": folder, "setup": [source, ...], "students": [name, ...]}``
  answer ``{"op": "ready", "error": null | text}``;
* parent -> ``{"op": "cell", "name": grade_id, "source": text}``; then zero or more
  ``{"op": "call", "request": text}`` <- ``{"op": "answer", "answer": text | null, "stdout": text,
  "problem": null | "timeout" | "died" | "out_of_memory" | "no_answer" | "several_answers" | "too_large"}``; finally
  ``{"op": "done", "stdout": text, "error": null | {"ename", "evalue", "traceback"}}``.
"""

import builtins
import contextlib
import hashlib
import importlib.util
import io
import json
import linecache
import os
import sys
import traceback

import numpy as np

from course.assignment import HELPER_MODULES
from course.messages import (
    ORACLE_KERNEL_DIED,
    ORACLE_MALFORMED_ANSWER,
    ORACLE_NO_ANSWER,
    ORACLE_OUT_OF_MEMORY,
    ORACLE_SEVERAL_ANSWERS,
    ORACLE_TIMED_OUT,
    ORACLE_TOO_LARGE,
    ORACLE_UNSUPPORTED_VALUE,
)
from course.oracle import api
from course.oracle.wire import MAX_LINE_BYTES, MAX_MESSAGE_CHARS, WireError, from_plain, to_plain

#: Characters of a test cell's printed output that are kept.
MAX_CELL_OUTPUT = 200_000
#: Prefix of the file names under which test and setup cells are compiled.
CELL_FILE_PREFIX = "<course test cell "
SETUP_FILE_PREFIX = "<course setup cell "
#: Environment variable: a file to which the audit hook appends one JSON line per compile/exec event.
AUDIT_LOG_VARIABLE = "COURSE_ORACLE_AUDIT_LOG"


class StudentCodeError(Exception):
    """Base of the exceptions raised by the student's code that are not Python built-ins (the class keeps
    the name the kernel reported)."""


class KernelProblem(RuntimeError):
    """The kernel did not answer a call properly: timed out, died, no answer, an answer that is not plain data."""


class UnsupportedValue(TypeError):
    """The student's function returned something other than plain data (an object, a subclass, ...)."""


PROBLEMS = {
    "timeout": ORACLE_TIMED_OUT,
    "died": ORACLE_KERNEL_DIED,
    "out_of_memory": ORACLE_OUT_OF_MEMORY,
    "no_answer": ORACLE_NO_ANSWER,
    "several_answers": ORACLE_SEVERAL_ANSWERS,
    "too_large": ORACLE_TOO_LARGE,
}


class Channel:
    """JSON lines to and from the parent."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    def send(self, message: dict) -> None:
        self.writer.write(json.dumps(message).encode("utf-8") + b"\n")
        self.writer.flush()

    def receive(self) -> dict:
        line = self.reader.readline(MAX_LINE_BYTES)  # the parent sends no longer line (runner.run_cell)
        if not line:
            raise EOFError("the parent closed the channel")
        return json.loads(line)


def _exception_class(name, builtin):
    """The class to raise for an exception the kernel reported by name (never anything the kernel defines)."""
    known = getattr(builtins, name, None) if builtin else None
    if isinstance(known, type) and issubclass(known, Exception):
        return known
    name = name if name.isidentifier() and len(name) <= 80 else "StudentCodeError"
    return type(name, (StudentCodeError,), {})


def _write_back(original, after):
    """Make ``original`` (an argument of the call) look as the kernel says it looked after the call, in
    place, as if the call had been made here."""
    if type(original) is np.ndarray and type(after) is np.ndarray:
        if after.shape == original.shape and original.flags.writeable:
            original[...] = after.astype(original.dtype, copy=False)
    elif type(original) is dict and type(after) is dict:
        for key in [k for k in original if k not in after]:
            del original[key]
        for key, value in after.items():
            if (
                key in original
                and type(original[key]) in (np.ndarray, dict, list)
                and type(value) is type(original[key])
            ):
                _write_back(original[key], value)
            else:
                original[key] = value
    elif type(original) is list and type(after) is list:
        original[:] = after


def _not_from_student_code(error):
    """Mark an error of the call itself (not raised by the student's code): no line of theirs to point at
    (``public_tests`` reads ``student_frames``)."""
    error.student_frames = []
    error.student_traceback = ""
    return error


class StudentFunction:
    """A function of the student's notebook, called in the student's kernel."""

    def __init__(self, name, channel):
        self.__name__ = self.__qualname__ = name
        self._channel = channel

    def __repr__(self):
        return "<student function {}>".format(self.__name__)

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True
        try:
            request = {
                "function": self.__name__,
                "args": to_plain(list(args)),
                "kwargs": to_plain(dict(kwargs)),
                "substitutions": api.substitution_requests(),
                "helper_modules": list(HELPER_MODULES),
            }
        except WireError as error:
            raise api.InstructorError("the arguments of {} cannot be sent: {}".format(self.__name__, error)) from None
        self._channel.send({"op": "call", "request": json.dumps(request)})
        reply = self._channel.receive()
        if reply.get("stdout"):
            sys.stdout.write(reply["stdout"])
        if reply.get("problem"):
            raise _not_from_student_code(
                KernelProblem(PROBLEMS[reply["problem"]].format(function=self.__name__).text())
            )
        return self._result(reply.get("answer"), args, kwargs)

    def _malformed(self, detail):
        return _not_from_student_code(
            KernelProblem(ORACLE_MALFORMED_ANSWER.format(function=self.__name__, detail=detail).text())
        )

    def _result(self, text, args, kwargs):
        __tracebackhide__ = True
        try:
            answer = json.loads(text) if type(text) is str and len(text) <= MAX_MESSAGE_CHARS else None
        except (ValueError, RecursionError):
            answer = None
        if type(answer) is not dict or type(answer.get("ok")) is not bool:
            raise self._malformed("not an answer")
        if answer["ok"]:
            try:
                value = from_plain(answer.get("value"))
                after = answer.get("after")
                for into, originals in (("args", dict(enumerate(args))), ("kwargs", kwargs)):
                    for key, plain in (after or {}).get(into, {}).items():
                        key = int(key) if into == "args" and str(key).isdigit() else key
                        if key in originals:
                            _write_back(originals[key], from_plain(plain))
            except (WireError, TypeError, AttributeError, ValueError) as error:
                raise self._malformed(str(error)[:200]) from None
            return value
        if type(answer.get("unsupported")) is dict:
            problem = answer["unsupported"]
            raise _not_from_student_code(
                UnsupportedValue(
                    ORACLE_UNSUPPORTED_VALUE.format(
                        function=self.__name__,
                        detail=str(problem.get("detail", ""))[:200],
                        where=str(problem.get("path", "") or "")[:200] or "-",
                    ).text()
                )
            )
        raised = answer.get("raised")
        if type(raised) is not dict or type(raised.get("type")) is not str:
            raise self._malformed("no result and no error")
        error = _exception_class(raised["type"], raised.get("builtin") is True)(str(raised.get("message", ""))[:2000])
        frames = raised.get("frames") if type(raised.get("frames")) is list else []
        error.student_frames = [  # an entry that is not a frame (a line number "x") is dropped, not raised
            (str(f[1]), f[2], str(f[3]))
            for f in frames
            if type(f) is list and len(f) == 5 and type(f[2]) is int and f[4] is True
        ]
        error.student_traceback = str(raised.get("traceback", ""))[-20000:]
        raise error


# ---- the audit hook ------------------------------------------------------------------------------------
_trusted_roots: list = []
_audit_log = None


def _trusted_file(filename):
    if not isinstance(filename, str):
        return False
    if filename.startswith((CELL_FILE_PREFIX, SETUP_FILE_PREFIX)):
        return True
    return os.path.isabs(filename) and os.path.abspath(filename).startswith(tuple(_trusted_roots))


def _audit(event, args):
    if event not in ("compile", "exec", "pickle.find_class"):
        return
    if event == "pickle.find_class":
        filename, allowed = "pickle", False
    else:
        filename = args[1] if event == "compile" else getattr(args[0], "co_filename", None)
        caller = sys._getframe(1).f_code.co_filename
        allowed = _trusted_file(filename) or (filename in ("<string>", "<unknown>") and _trusted_file(caller))
    if _audit_log is not None:
        source = args[0] if event == "compile" and isinstance(args[0], (str, bytes)) else None
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        _audit_log.write(json.dumps({"event": event, "file": str(filename), "allowed": allowed, "source": source}))
        _audit_log.write("\n")
        _audit_log.flush()
    if not allowed:
        raise RuntimeError("the trusted grader does not run code from {}".format(filename))


def install_audit_hook() -> None:
    """From now on, refuse to compile or execute code that is not the course's (see ``_trusted_file``)."""
    global _audit_log
    import course

    _trusted_roots.extend(
        os.path.abspath(p) + os.sep
        for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(course.__file__)}
    )
    if os.environ.get(AUDIT_LOG_VARIABLE):
        _audit_log = open(os.environ[AUDIT_LOG_VARIABLE], "a", encoding="utf-8")
    sys.addaudithook(_audit)


# ---- the runner ----------------------------------------------------------------------------------------
def _file_digest(folder):
    digest = hashlib.sha256()
    for name in HELPER_MODULES:
        path = os.path.join(folder, name + ".py")
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                digest.update(name.encode() + handle.read())
    return digest.hexdigest()


def _compile(source, filename):
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec", dont_inherit=True)


class Runner:
    """State of the notebook being graded: its namespace, built from the trusted setup cells."""

    def __init__(self, channel):
        self.channel = channel
        self.namespace = None
        self.helpers = None

    def notebook(self, helpers: str, setup: list, students: list) -> str | None:
        """A fresh namespace: the course's helper modules (from ``helpers``), the setup cells, the proxies.
        Returns the setup error (text) or None; after an error no test cell runs."""
        folder = os.path.abspath(helpers) + os.sep
        self.namespace = None
        namespace = {"__name__": "__main__", "__builtins__": builtins}
        try:
            helpers = (folder, _file_digest(folder))
            if self.helpers != helpers:
                if folder not in _trusted_roots:
                    _trusted_roots.append(folder)
                self.helpers = None
                for name in HELPER_MODULES:  # by path, in order: each may import the ones before it
                    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, name + ".py"))
                    module = importlib.util.module_from_spec(spec)
                    sys.modules[name] = module
                    spec.loader.exec_module(module)
                self.helpers = helpers
            for index, source in enumerate(setup):
                exec(_compile(source, "{}{}>".format(SETUP_FILE_PREFIX, index)), namespace)
        except Exception:
            return traceback.format_exc(limit=-3)
        for name in students:
            namespace[name] = StudentFunction(name, self.channel)
        self.namespace = namespace
        return None

    def cell(self, name: str, source: str) -> dict:
        if self.namespace is None:
            return {"op": "done", "stdout": "", "error": _error_output(RuntimeError("no notebook is set up"))}
        api._cell_substitutions.clear()
        api._block_substitutions.clear()
        printed = io.StringIO()
        error = None
        try:
            code = _compile(source, "{}{}>".format(CELL_FILE_PREFIX, name))
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                exec(code, self.namespace)
        except Exception as exc:  # the test failed (or the cell is broken): that is the verdict
            error = _error_output(exc)
        finally:
            api._cell_substitutions.clear()
            api._block_substitutions.clear()
        return {"op": "done", "stdout": printed.getvalue()[-MAX_CELL_OUTPUT:], "error": error}


def _test_cell_line(error):
    """The line of the test cell (its top level) that was running when ``error`` was raised, or None."""
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith(CELL_FILE_PREFIX):
            return frame.lineno
    return None


def _error_output(error):
    """An nbformat error output for ``error``.

    First, as IPython starts a traceback, the line of the test cell that failed (``Cell In[], line 3``:
    the feedback pages tell a public from a hidden failure by it); then the student's traceback (from the
    kernel) if the error came from there or led to this one; then the error's own line. The test's code is
    not shown. A :class:`course.oracle.api.StudentMessage` has only its marked message after the cell's line."""
    line = _test_cell_line(error)
    lines = [] if line is None else ["Cell In[], line {}".format(line)]
    if type(error) is api.StudentMessage:  # the instructor's sentence for the student, marked as such
        return {
            "ename": "AssertionError",
            "evalue": str(error),
            "traceback": lines + [api.STUDENT_MESSAGE_MARK + str(error)],
        }
    cause = error
    while cause is not None and not hasattr(cause, "student_traceback"):
        cause = cause.__cause__
    if cause is not None and cause.student_traceback:
        lines.append(cause.student_traceback.rstrip("\n"))
    student_caused = cause is not None or isinstance(error, (AssertionError, KernelProblem, UnsupportedValue))
    if not student_caused:  # the test cell itself is broken: the instructor needs to see where
        lines.append("".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip("\n"))
    else:
        lines.append("{}: {}".format(type(error).__name__, error))
    return {"ename": type(error).__name__, "evalue": str(error), "traceback": lines}


def main() -> None:
    """Serve the parent until it closes the channel."""
    reader = sys.stdin.buffer
    writer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed at the C level goes to stderr, never into the channel
    channel = Channel(reader, writer)
    runner = Runner(channel)
    api._channel = channel
    install_audit_hook()
    while True:
        try:
            message = channel.receive()
        except EOFError:
            return
        if message["op"] == "notebook":
            error = runner.notebook(message["helpers"], message["setup"], message["students"])
            channel.send({"op": "ready", "error": error})
        elif message["op"] == "cell":
            channel.send(runner.cell(message["name"], message["source"]))
        elif message["op"] == "quit":
            return


if __name__ == "__main__":
    main()
