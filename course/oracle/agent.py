"""The kernel side of a graded call: run one of the student's functions on plain data, answer plain data.

Why: when grading, a test cell runs in the trusted grader (``course.oracle.trusted``) and the student's
kernel only answers questions like "what does ``gradient_check(1.5, 2.0, epsilon=0.01)`` return?". The
grader sends this module (after ``course.oracle.wire``) as source with one request; it runs in a private
namespace of the kernel, so it binds nothing the student could see afterwards, and it answers with one
display message of type ``MIME``. Nothing it says is trusted: the grader checks every answer again.

A request is JSON::

    {"function": "gradient_check", "args": <wire>, "kwargs": <wire>,
     "substitutions": [{"name": "forward_propagation", "package": {...}} | {"name": ..., "refused": "why"}],
     "helper_modules": ["gc_utils", ...]}

For the duration of the call each substitution replaces that name in the student's namespace (and any
other name bound to the same object there), a refused helper also the attribute of that name in the
course's helper modules; afterwards everything is put back. The answer (JSON) is one of::

    {"ok": true, "value": <wire>, "after": {"args": {index: <wire>}, "kwargs": {name: <wire>}}}
    {"ok": false, "raised": {"type", "builtin", "message", "frames", "traceback"}}
    {"ok": false, "unsupported": {"kind", "path", "detail"}}
"""

import builtins
import contextlib
import importlib
import json
import os
import re
import sys
import traceback
from collections.abc import Iterator

from course.oracle.wire import WireError, from_plain, np, to_plain  # in the kernel: wire's source comes first

#: The display type of an answer.
MIME = "application/x-course-oracle"
#: Where this code and the substituted functions say they come from (never "the student's code").
AGENT_FILE = "<course-oracle>"
SUBSTITUTE_FILE = "<course-substitute>"
#: Characters of an error message and of a traceback that are sent back.
MAX_MESSAGE = 2000
MAX_TRACEBACK = 20000


def _substitute(substitution):
    """The function that ``substitution`` describes: built from its source in a fresh namespace, or one that
    refuses to run."""
    if substitution.get("refused") is not None:
        message = substitution["refused"]

        def refused(*args, **kwargs):
            raise RuntimeError(message)

        refused.__name__ = substitution["name"]
        return refused
    package = substitution["package"]
    namespace = {"__builtins__": builtins, "__name__": "course_substitute"}
    for alias, module in package["modules"].items():
        namespace[alias] = importlib.import_module(module)
    namespace.update(from_plain(package["values"]))
    for source in package["sources"]:
        exec(compile(source, SUBSTITUTE_FILE, "exec"), namespace)
    return namespace[package["entry"]]


@contextlib.contextmanager
def installed(namespace: dict, substitutions: list, helper_modules: list | tuple) -> Iterator[None]:
    """For the duration, replace names in ``namespace`` (and the other names bound to the same objects there).

    ``substitutions`` holds ``(name, new function, in_modules)``. Without ``in_modules`` the name itself is
    replaced; with ``in_modules`` (a refused helper) the attribute ``name`` of each loaded module of
    ``helper_modules`` is, and every name in ``namespace`` bound to one of those objects: so
    ``gc_utils.numerical_gradient`` is refused, and ``numerical_gradient`` imported from it, but not a
    function of the student's own that has the same name.
    """
    undo = []
    try:
        for name, new, in_modules in substitutions:
            if in_modules:  # a refused helper: the course's object, wherever it is; a function of the student's
                targets, old = [], []  # that only shares its name is left alone
                for module_name in helper_modules:
                    module = sys.modules.get(module_name)
                    if module is not None and name in vars(module):
                        targets.append((vars(module), name))
                        old.append(vars(module)[name])
            else:
                targets, old = [(namespace, name)], [namespace[name]] if name in namespace else []
            targets += [(namespace, alias) for alias, value in list(namespace.items()) if any(value is o for o in old)]
            done = set()
            for space, key in targets:
                if (id(space), key) not in done:
                    done.add((id(space), key))
                    undo.append((space, key, key in space, space.get(key)))
                    space[key] = new
        yield
    finally:
        for space, key, existed, value in reversed(undo):
            if existed:
                space[key] = value
            else:
                space.pop(key, None)


def _is_student_file(filename, helper_folder, library_prefixes):
    if filename.startswith("<"):
        return not filename.startswith(("<frozen", "<course-"))
    path = os.path.abspath(filename)
    return not path.startswith(library_prefixes) and os.path.dirname(path) != helper_folder


def _cell_names(text):
    """``File "/tmp/ipykernel_123/456.py"`` (a notebook cell; the folder changes with every kernel) shown as
    IPython shows it, ``Cell In[5]``, or as ``<notebook cell>``: the same traceback on every run."""
    try:
        from IPython import get_ipython

        numbers = getattr(get_ipython().compile, "_filename_map", {})
    except Exception:
        numbers = {}

    def name(match):
        number = numbers.get(match.group(1))
        return "Cell In[{}]".format(number) if isinstance(number, int) else "<notebook cell>"

    return re.sub(r'File "([^"]*ipykernel_\d+[/\\]\d+\.py)"', name, text)


def _raised(error, helper_modules):
    """The description of an exception raised by the student's code (or by what it called)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == AGENT_FILE:
        tb = tb.tb_next
    prefixes = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    helper_files = [getattr(sys.modules.get(m), "__file__", None) for m in helper_modules]
    helper_folder = next((os.path.dirname(os.path.abspath(f)) for f in helper_files if f), os.getcwd())
    frames = [
        [f.filename, f.name, f.lineno, (f.line or "").strip(), _is_student_file(f.filename, helper_folder, prefixes)]
        for f in traceback.extract_tb(tb)
    ]
    text = _cell_names("".join(traceback.format_exception(type(error), error, tb)))
    kind = type(error)
    return {
        "type": kind.__name__,
        "builtin": kind.__module__ == "builtins",
        "message": str(error)[:MAX_MESSAGE],
        "frames": frames[-50:],
        "traceback": text[-MAX_TRACEBACK:],
    }


def _after(args, kwargs):
    """The state after the call of the arguments a function can change in place (arrays, dicts, lists)."""
    mutable = (dict, list, np.ndarray)
    after = {"args": {}, "kwargs": {}}
    for key, value, into in [(i, a, "args") for i, a in enumerate(args)] + [
        (k, v, "kwargs") for k, v in kwargs.items()
    ]:
        if type(value) in mutable:
            try:
                after[into][str(key)] = to_plain(value)
            except WireError:  # an argument the student filled with odd objects: not reported
                pass
    return after


def answer(request_text: str) -> str:
    """Run the request and return the answer text."""
    request = json.loads(request_text)
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    helper_modules = request["helper_modules"]
    name = request["function"]
    try:
        args, kwargs = from_plain(request["args"]), from_plain(request["kwargs"])
        substitutions = [(s["name"], _substitute(s), s.get("refused") is not None) for s in request["substitutions"]]
        if name not in namespace:
            raise NameError("name {!r} is not defined".format(name))
        function = namespace[name]
        with installed(namespace, substitutions, helper_modules):
            value = function(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit included: the call failed, the kernel goes on
        return json.dumps({"ok": False, "raised": _raised(error, helper_modules)})
    try:
        plain = to_plain(value)
    except WireError as error:
        return json.dumps(
            {"ok": False, "unsupported": {"kind": error.kind, "path": error.path, "detail": error.detail}}
        )
    return json.dumps({"ok": True, "value": plain, "after": _after(args, kwargs)})


def serve(request_text: str) -> None:
    """Answer one request with a display message of type MIME."""
    from IPython.display import publish_display_data

    publish_display_data({MIME: answer(request_text)})
