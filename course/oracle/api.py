"""What a hidden test uses to call the student's code under changed conditions; the same cell runs in
the student's kernel (the master notebook, run top to bottom) and in the trusted grader.

A test cell calls the student's functions by their names, as in the notebook:
``gradient_check(1.5, 2.0, epsilon=1e-2)``. In the kernel that is the student's function itself; in the
trusted grader (``course.oracle.trusted``) the same name is bound to a :class:`StudentFunction`, whose
call is sent to the kernel as plain data and whose answer comes back as plain data. Two more tools:

``replaced(forward_propagation=good_forward, numerical_gradient=refused)``
    For the calls inside the ``with`` block, the student's code sees ``good_forward`` wherever it looks up
    ``forward_propagation`` in its namespace (also under another name bound to the same object), and a
    function that raises a bilingual "not allowed here" error for ``numerical_gradient`` (there and as
    an attribute of the course's helper modules, ``gc_utils.numerical_gradient``). The replacing
    functions are defined in the test cell with ``def``; in the trusted grader they are sent to the kernel
    as source, with the modules, plain values and other functions they use (no closures).
``replaced_for_cell(...)``
    The same until the end of the test cell: for a public test line that must run with known-good
    helpers, written before it in the hidden part.
``expect(condition, MESSAGE)``
    A hidden test's assertion: when ``condition`` is false the test fails with :class:`StudentMessage`, whose
    bilingual ``MESSAGE`` (from ``course.messages``: a sentence naming the mistake, never the inputs) is
    what the feedback page shows.

Write substitutions and arguments so that what reaches the kernel never answers an exercise graded later:
a student's code can keep whatever it is sent.
"""

import ast
import builtins
import inspect
import sys
import textwrap
import types

from course.assignment import HELPER_MODULES
from course.messages import HELPER_REFUSED, Message

#: Set by the trusted grader: a function ``request (dict) -> value`` that runs one call in the kernel.
#: ``None`` in a kernel: then the calls are direct.
_channel = None
#: Substitutions of the whole cell (trusted grader: cleared at the end of every cell), then of open blocks.
_cell_substitutions: dict = {}
_block_substitutions: list = []


class _Refused:
    """The value of ``refused``: the name stands for a helper that would do the exercise for the student."""

    def __repr__(self) -> str:
        return "refused"


refused = _Refused()


class InstructorError(Exception):
    """A test cell uses this API in a way that cannot work (not the student's fault)."""


#: How the trusted grader writes a :class:`StudentMessage` as the last line of the error's traceback (after the
#: test cell's line, nothing else): no other error can start a line so (its class name is an identifier).
STUDENT_MESSAGE_MARK = "\u00bb "


class StudentMessage(AssertionError):
    """A failed check whose message the student may read on the feedback page: a sentence the instructor
    wrote (a :class:`course.messages.Message`), which names the mistake and never the test's inputs.

    Only the test cell can raise it: an exception of the student's code reaches the trusted grader as a
    built-in class or a new subclass of ``StudentCodeError`` (``course.oracle.trusted``), never as this
    class, so the feedback page (``course.results.feedback``) shows the message of no other error."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text())
        self.message = message


def expect(condition: object, message: Message) -> None:
    """``assert condition`` for a hidden test: when it fails, the student reads ``message`` (and nothing else)."""
    if not condition:
        raise StudentMessage(message)


def refusal_message(name: str) -> str:
    """The bilingual error of a refused helper (English line, Chinese line)."""
    return HELPER_REFUSED.format(name=name).text()


def _refusing(name):
    message = refusal_message(name)

    def refusing(*args, **kwargs):
        raise RuntimeError(message)

    refusing.__name__ = name
    return refusing


class _Substitution:
    """Shared by ``replaced`` and ``replaced_for_cell``: the functions, and where they go in a kernel."""

    def __init__(self, functions, frame):
        for name, function in functions.items():
            if function is not refused and not isinstance(function, types.FunctionType):
                raise InstructorError("replaced({}=...): give a function defined with def, or refused".format(name))
        self.functions = dict(functions)
        self.namespace = frame.f_globals  # the notebook's namespace, in a kernel
        self.undo = None

    def install_in_kernel(self) -> None:
        from course.oracle.agent import installed  # the very code the grader runs in the kernel

        pairs = [(n, _refusing(n) if f is refused else f, f is refused) for n, f in self.functions.items()]
        self.undo = installed(self.namespace, pairs, HELPER_MODULES)
        self.undo.__enter__()

    def uninstall_in_kernel(self, *exc_info: object) -> None:
        if self.undo is not None:
            undo, self.undo = self.undo, None
            undo.__exit__(*exc_info)


class replaced(_Substitution):  # noqa: N801  (used like a function: ``with replaced(...):``)
    """Context manager: the student's code sees these functions instead, for the calls inside the block."""

    def __init__(self, **functions: object) -> None:
        super().__init__(functions, sys._getframe(1))

    def __enter__(self) -> "replaced":
        if _channel is None:
            self.install_in_kernel()
        else:
            _block_substitutions.append(self.functions)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if _channel is None:
            self.uninstall_in_kernel(*exc_info)
        else:
            _block_substitutions.remove(self.functions)


def replaced_for_cell(**functions: object) -> None:
    """Like ``replaced``, until the end of the running test cell."""
    substitution = _Substitution(functions, sys._getframe(1))
    if _channel is not None:
        _cell_substitutions.update(substitution.functions)
        return
    substitution.install_in_kernel()
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is None:
        return  # plain Python: they stay

    def restore(*args):
        substitution.uninstall_in_kernel(None, None, None)
        shell.events.unregister("post_run_cell", restore)

    shell.events.register("post_run_cell", restore)


# ---- trusted side: what a StudentFunction sends ----------------------------------------------------------
def current_substitutions() -> dict:
    """Name -> function or ``refused`` in force now (blocks override the cell's)."""
    merged = dict(_cell_substitutions)
    for functions in _block_substitutions:
        merged.update(functions)
    return merged


def _global_names(source):
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def package(function: types.FunctionType) -> dict:
    """The kernel's recipe for ``function``: its source, plus the modules, plain values and functions it uses.

    ``{"entry": name, "modules": {alias: module}, "values": <wire>, "sources": [source, ...]}``
    """
    from course.oracle.wire import WireError, to_plain

    modules, values, sources, seen = {}, {}, [], set()

    def add(fn):
        if fn.__name__ in seen:
            return
        seen.add(fn.__name__)
        if fn.__code__.co_freevars:
            raise InstructorError(
                "{} uses variables of an enclosing function ({}); define it at the top level of the test cell".format(
                    fn.__name__, ", ".join(fn.__code__.co_freevars)
                )
            )
        try:
            source = textwrap.dedent(inspect.getsource(fn))
        except (OSError, TypeError) as error:
            raise InstructorError("the source of {} cannot be found: {}".format(fn.__name__, error)) from None
        if fn.__name__ == "<lambda>":
            raise InstructorError("a substitution must be defined with def, not lambda")
        for name in sorted(_global_names(source)):
            if name not in fn.__globals__ or name == fn.__name__:
                continue
            value = fn.__globals__[name]
            if isinstance(value, types.ModuleType):
                modules[name] = value.__name__
            elif isinstance(value, types.FunctionType):
                add(value)
            elif value is getattr(builtins, name, None):
                continue
            else:
                try:
                    values[name] = to_plain(value)
                except WireError:
                    raise InstructorError(
                        "{} uses {} ({}), which cannot be sent to the kernel".format(
                            fn.__name__, name, type(value).__name__
                        )
                    ) from None
        sources.append(source)

    add(function)
    return {
        "entry": function.__name__,
        "modules": modules,
        "values": {"dict": list(values.items())},
        "sources": sources,
    }


def substitution_requests() -> list:
    """The substitutions in force, as the kernel agent reads them."""
    return [
        {"name": name, "refused": refusal_message(name)}
        if function is refused
        else {"name": name, "package": package(function)}
        for name, function in current_substitutions().items()
    ]
