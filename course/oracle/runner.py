"""The parent's side of trusted grading: start the trusted grader once, and relay its calls to the kernel.

Why here: the grading process (nbgrader's) holds the kernel client; the trusted grader
(``course.oracle.trusted``) must never touch the kernel or its messages itself. So the parent passes
each call request, as text, to the kernel (``kernel_code``), picks the one answer out of what the kernel
printed and displayed (``answer_from_outputs``), and passes that back, as text. It interprets nothing
in between: the trusted grader checks every answer.
"""

import ast
import atexit
import functools
import hashlib
import inspect
import json
import os
import selectors
import subprocess
import sys
import tempfile
from collections.abc import Callable

from course.oracle import agent, wire

#: Marker of the line of ``agent.py`` that imports ``wire``: in the kernel, wire's source comes first.
_WIRE_IMPORT = "from course.oracle.wire import"
#: Characters of printed output of one call that are passed on (the rest is cut).
MAX_CALL_OUTPUT = 100_000
#: Seconds the trusted grader may compute between two messages (its own code, not the student's).
TRUSTED_SECONDS = 300


def agent_program() -> str:
    """The code the kernel runs for a call: wire's source, then the agent's (less its import of wire)."""
    lines = [line for line in inspect.getsource(agent).splitlines() if not line.startswith(_WIRE_IMPORT)]
    return inspect.getsource(wire) + "\n" + "\n".join(lines) + "\n"


#: The first call in a kernel installs the agent as a module (compiled once); later calls only use it.
#: Neither binds anything in the student's namespace.
_INSTALL = """import sys
agent = type(sys)({name!r})
exec(compile({program!r}, {file!r}, "exec"), agent.__dict__)
sys.modules[{name!r}] = agent
"""
_CALL = "__import__('sys').modules[{name!r}].serve({request!r})"


@functools.cache
def _agent_module():
    """``(program, module name)``: the agent's code, and the name it is kept under in the kernel."""
    program = agent_program()
    return program, "_course_oracle_" + hashlib.sha256(program.encode()).hexdigest()[:16]


def kernel_code(request_text: str, install: bool = True) -> str:
    """The code the kernel runs for one call: with ``install``, first install the agent (a new kernel)."""
    program, name = _agent_module()
    call = _CALL.format(name=name, request=request_text)
    if not install:
        return call
    setup = _INSTALL.format(name=name, program=program, file=agent.AGENT_FILE)
    return "exec(compile({!r}, {!r}, 'exec'), {{}})\n{}".format(setup, agent.AGENT_FILE, call)


def answer_from_outputs(outputs: list, timeout_name: str) -> dict:
    """``{"answer": text | None, "stdout": text, "problem": None | name}`` from the outputs of one call."""
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    if len(printed) > MAX_CALL_OUTPUT:
        printed = printed[: MAX_CALL_OUTPUT // 2] + "\n...\n" + printed[-MAX_CALL_OUTPUT // 2 :]
    answers = [
        o["data"][agent.MIME]
        for o in outputs
        if o.get("output_type") in ("display_data", "execute_result") and agent.MIME in o.get("data", {})
    ]
    result = {"answer": None, "stdout": printed, "problem": None}
    if any(o.get("output_type") == "error" and o.get("ename") == timeout_name for o in outputs):
        result["problem"] = "timeout"
    elif not answers:
        result["problem"] = "no_answer"
    elif len(answers) > 1:
        result["problem"] = "several_answers"
    elif not isinstance(answers[0], str) or len(answers[0]) > wire.MAX_MESSAGE_CHARS:
        result["problem"] = "too_large" if isinstance(answers[0], str) else "no_answer"
    else:
        result["answer"] = answers[0]
    return result


class TrustedGraderError(RuntimeError):
    """The trusted grader process failed (its own fault or a broken test cell), not the student's."""


class TrustedRunner:
    """One ``python -I -m course.oracle.trusted`` process, started on first use and reused."""

    def __init__(self) -> None:
        self.process = None

    def _start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "course.oracle.trusted"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=tempfile.gettempdir(),  # never the submission's folder; it writes no files
        )
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stdout, selectors.EVENT_READ)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def _send(self, message, start=False):
        """Send one message; ``start``: (re)start the process if it is not running (only a new notebook may:
        a restarted process knows no notebook)."""
        if not self.alive():
            self.close()
            if not start:
                raise TrustedGraderError("the trusted grader is not running")
            self._start()
        try:
            self.process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            self.close()
            raise TrustedGraderError("the trusted grader is gone: {}".format(error)) from None

    def _receive(self):
        if not self.selector.select(TRUSTED_SECONDS):
            self.close()
            raise TrustedGraderError("no message from the trusted grader for {} s".format(TRUSTED_SECONDS))
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.close()
            raise TrustedGraderError("the trusted grader stopped (exit code {})".format(code))
        return json.loads(line)

    def start_notebook(self, helpers: str, setup: list, students: list) -> str | None:
        """Prepare a fresh namespace for one notebook; the setup error (text) or None."""
        message = {"op": "notebook", "helpers": os.path.abspath(helpers), "setup": setup, "students": students}
        self._send(message, start=True)
        reply = self._receive()
        if reply.get("op") != "ready":
            self.close()
            raise TrustedGraderError("unexpected message from the trusted grader: {}".format(str(reply)[:200]))
        return reply.get("error")

    def run_cell(self, name: str, source: str, call: Callable[[str], dict]) -> dict:
        """Run one test cell; ``call(request_text)`` runs a call in the kernel. Returns the ``done`` message."""
        self._send({"op": "cell", "name": name, "source": source})
        while True:
            message = self._receive()
            if message.get("op") == "done":
                return message
            if message.get("op") != "call":
                self.close()
                raise TrustedGraderError("unexpected message from the trusted grader: {}".format(str(message)[:200]))
            try:
                answer = dict(call(message["request"]), op="answer")
            except BaseException:
                self.close()  # it waits for an answer that will not come: never reuse it half-way
                raise
            if len(json.dumps(answer)) >= wire.MAX_LINE_BYTES:  # JSON escapes a non-ASCII character as 6 bytes
                answer.update(answer=None, problem="too_large")
            self._send(answer)


_shared = None


def shared_runner() -> TrustedRunner:
    """The process's trusted runner (one per grading process, reused for every notebook)."""
    global _shared
    if _shared is None:
        _shared = TrustedRunner()
        atexit.register(_shared.close)
    return _shared


class Plan:
    """What the trusted grader needs of a master notebook.

    ``tests``: ``{grade_id: source}`` of its test cells (code cells with nbgrader ``grade``);
    ``setup``: sources of its locked given cells (imports, given functions), in order;
    ``students``: names of the functions its solution cells define (the calls that go to the kernel).
    """

    def __init__(self, master) -> None:
        self.tests, self.setup, self.students = {}, [], []
        for cell in master.cells:
            flags = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code":
                continue
            if flags.get("grade"):
                self.tests[flags["grade_id"]] = cell.source
            elif flags.get("solution"):
                tree = ast.parse(cell.source)
                self.students += [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            elif flags.get("locked"):
                self.setup.append(cell.source)
