"""What a hidden test uses (course/oracle/api.py) and what the kernel runs for one graded call (agent.py).

In a kernel (``api._channel is None``) ``replaced``/``refused`` act directly on the notebook's namespace and
the course's helper modules; ``package`` is how a substitution travels to the kernel as source. The agent
is tested as the kernel gets it: ``runner.agent_program()`` executed in a fresh namespace, answering a JSON
request about a function of a (fake) notebook.
"""

import json
import linecache
import math
import sys
import threading
import types

import IPython
import numpy as np
import pytest

import public_tests
from course.assignment import HELPER_MODULES
from course.oracle import agent, api, runner, wire
from course.oracle.api import InstructorError, package, refused, replaced

_cells = iter(range(1, 10**6))


def notebook_cell(namespace, source):
    """Run ``source`` in ``namespace`` as a notebook cell (its own file name, its lines in linecache)."""
    filename = "<ipython-input-{}-test>".format(next(_cells))
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return filename


def notebook(source=""):
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    notebook_cell(namespace, source)
    return namespace


@pytest.fixture
def fake_gc_utils(monkeypatch):
    """A loaded helper module ``gc_utils`` (a fake one, so the real module is left alone)."""
    module = types.ModuleType("gc_utils")
    monkeypatch.setitem(sys.modules, "gc_utils", module)
    return module


@pytest.fixture(autouse=True)
def direct_mode():
    assert api._channel is None, "these tests are about the kernel side"
    yield
    assert not api._block_substitutions and not api._cell_substitutions


STUDENT = """
def helper(x):
    return "helper({})".format(x)


alias = helper


def student(x):
    return helper(x), alias(x)


def via_module(x):
    import gc_utils
    return gc_utils.helper(x)
"""


def fake_helper(x):
    return "fake({})".format(x)


def module_helper(x):
    return "module({})".format(x)


@pytest.fixture
def student_notebook(fake_gc_utils):
    """A notebook with ``helper`` (and an alias of it), and a loaded gc_utils that has its own ``helper``."""
    namespace = notebook(STUDENT)
    namespace["fake_helper"] = fake_helper
    fake_gc_utils.helper = module_helper
    return namespace


# ---- replaced / refused in a kernel ----------------------------------------------------------------------
def test_instructor_replaced_swaps_a_name_and_its_aliases_for_the_block_only(student_notebook, fake_gc_utils):
    namespace = student_notebook
    original = namespace["helper"]
    notebook_cell(
        namespace,
        "from course.oracle import replaced\n"
        "before = student(1)\n"
        "with replaced(helper=fake_helper):\n"
        "    inside = student(2)\n"
        "after = student(3)\n",
    )
    assert namespace["before"] == ("helper(1)", "helper(1)")
    assert namespace["inside"] == ("fake(2)", "fake(2)")  # the name and the other name of the same function
    assert namespace["after"] == ("helper(3)", "helper(3)")
    assert namespace["helper"] is original and namespace["alias"] is original
    assert fake_gc_utils.helper is module_helper


def test_instructor_replaced_function_leaves_the_helper_modules_alone(student_notebook, fake_gc_utils):
    """A replacing function is for the student's namespace; the course's modules keep their own."""
    namespace = student_notebook
    notebook_cell(
        namespace,
        "from course.oracle import replaced\nwith replaced(helper=fake_helper):\n    inside = via_module(0)\n",
    )
    assert namespace["inside"] == "module(0)"
    assert fake_gc_utils.helper is module_helper


def test_instructor_replaced_restores_when_the_block_raises(student_notebook, fake_gc_utils):
    namespace = student_notebook
    original = namespace["helper"]
    with pytest.raises(ZeroDivisionError):
        notebook_cell(
            namespace,
            "from course.oracle import refused, replaced\n"
            "with replaced(helper=fake_helper):\n"
            "    with replaced(helper=refused):\n"
            "        1 / 0\n",
        )
    assert namespace["helper"] is original and namespace["alias"] is original
    assert fake_gc_utils.helper is module_helper
    assert namespace["student"](1) == ("helper(1)", "helper(1)") and namespace["via_module"](1) == "module(1)"


def test_instructor_replaced_adds_a_name_the_notebook_lacks_and_removes_it_after(student_notebook):
    namespace = notebook("def student():\n    return extra(1)\n")
    namespace["fake_helper"] = fake_helper
    notebook_cell(
        namespace, "from course.oracle import replaced\nwith replaced(extra=fake_helper):\n    inside = student()\n"
    )
    assert namespace["inside"] == "fake(1)"
    assert "extra" not in namespace


def test_instructor_replaced_blocks_nest(student_notebook):
    namespace = student_notebook
    notebook_cell(
        namespace,
        "from course.oracle import replaced\n"
        "def other(x):\n    return 'other({})'.format(x)\n"
        "with replaced(helper=fake_helper):\n"
        "    with replaced(helper=other):\n"
        "        inner = student(1)\n"
        "    outer = student(2)\n",
    )
    assert namespace["inner"] == ("other(1)", "other(1)")
    assert namespace["outer"] == ("fake(2)", "fake(2)")
    assert namespace["student"](3) == ("helper(3)", "helper(3)")


REFUSED_CELL = """
from course.oracle import refused, replaced
caught = {}
with replaced(helper=refused):
    for name, call in [("name", lambda: helper(1)), ("alias", lambda: alias(1)), ("module", lambda: via_module(1)),
                       ("module alias", lambda: from_module(1))]:
        try:
            call()
        except RuntimeError as error:
            caught[name] = str(error)
"""


def test_student_refused_helper_raises_the_bilingual_message_everywhere(student_notebook, fake_gc_utils):
    """Refused: the helper modules' attribute and every name of the notebook bound to it raise."""
    namespace = student_notebook
    # As after ``from gc_utils import helper`` (and ``as alias``, ``as from_module``).
    namespace["helper"] = namespace["alias"] = namespace["from_module"] = module_helper
    notebook_cell(namespace, REFUSED_CELL)
    message = api.refusal_message("helper")
    assert namespace["caught"] == {"name": message, "alias": message, "module": message, "module alias": message}
    en, zh = message.split("\n")
    assert "helper" in en and "switched off" in en and "helper" in zh and "停用" in zh
    assert namespace["student"](2) == ("module(2)", "module(2)") and namespace["via_module"](2) == "module(2)"
    assert fake_gc_utils.helper is module_helper
    assert namespace["helper"] is namespace["alias"] is namespace["from_module"] is module_helper


@pytest.mark.parametrize("name", ["numerical_gradient", "relative_difference", "helper"])
def test_student_refusal_is_the_same_text_as_the_public_tests_say(name):
    """The grader's refusal and the public tests' own (student-side copy) read exactly alike."""
    with pytest.raises(RuntimeError) as student_side:
        public_tests._shortcut_refused(name)(1, 2)
    with pytest.raises(RuntimeError) as grader_side:
        api._refusing(name)(1, 2)
    assert str(grader_side.value) == str(student_side.value) == api.refusal_message(name)


def test_instructor_replaced_wants_a_function_or_refused():
    for value in (42, "name", print, np.sum):
        with pytest.raises(InstructorError):
            replaced(helper=value)
    assert repr(refused) == "refused"


def test_instructor_replaced_for_cell_lasts_until_the_cell_ends(student_notebook, monkeypatch):
    """In IPython the substitution is undone after the running cell (post_run_cell)."""
    callbacks = []
    events = types.SimpleNamespace(register=lambda event, f: callbacks.append((event, f)), unregister=lambda e, f: None)
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(events=events))
    namespace = student_notebook
    original = namespace["helper"]
    notebook_cell(namespace, "from course.oracle import replaced_for_cell\nreplaced_for_cell(helper=fake_helper)\n")
    assert namespace["student"](1) == ("fake(1)", "fake(1)")
    assert [event for event, _ in callbacks] == ["post_run_cell"]
    callbacks[0][1]()
    assert namespace["helper"] is original and namespace["alias"] is original
    assert namespace["student"](2) == ("helper(2)", "helper(2)")


# ---- package: a substitution as the kernel rebuilds it --------------------------------------------------
SCALE = 3.0
SHAPES = {"W1": (5, 4), "b1": (5, 1)}
_NOT_PLAIN = threading.Lock()


def _double(x):
    return 2 * x


def _shipped(x):
    """Uses a module, plain values, another function and builtins."""
    total = np.sum(_double(np.asarray(x))) * SCALE + len(SHAPES) + math.floor(0.5)
    return abs(float(total))


def _recursive(n):
    return 1 if n <= 1 else n * _recursive(n - 1)


def _uses_a_lock(x):
    with _NOT_PLAIN:
        return x


def test_instructor_package_ships_source_modules_values_and_functions():
    recipe = json.loads(json.dumps(package(_shipped)))  # it travels inside a JSON request
    assert recipe["entry"] == "_shipped"
    assert recipe["modules"] == {"np": "numpy", "math": "math"}
    assert wire.from_plain(recipe["values"]) == {"SCALE": 3.0, "SHAPES": {"W1": (5, 4), "b1": (5, 1)}}
    assert [source.split("(")[0] for source in recipe["sources"]] == ["def _double", "def _shipped"]
    rebuilt = agent._substitute({"name": "helper", "package": recipe})
    assert rebuilt([1.0, 2.0]) == _shipped([1.0, 2.0]) == 20.0
    assert rebuilt.__code__.co_filename == agent.SUBSTITUTE_FILE
    assert rebuilt.__globals__ is not globals()


def test_instructor_package_handles_recursion():
    recipe = json.loads(json.dumps(package(_recursive)))
    assert len(recipe["sources"]) == 1
    assert agent._substitute({"name": "f", "package": recipe})(5) == 120


def test_instructor_package_refuses_a_closure():
    factor = 3

    def closure(x):
        return factor * x

    with pytest.raises(InstructorError, match="factor"):
        package(closure)


def test_instructor_package_refuses_a_lambda():
    with pytest.raises(InstructorError, match="lambda"):
        package(lambda x: 2 * x)


def test_instructor_package_refuses_an_unshippable_global():
    with pytest.raises(InstructorError, match="_NOT_PLAIN"):
        package(_uses_a_lock)


def test_instructor_package_refuses_a_function_without_source():
    namespace = {}
    exec("def nowhere(x):\n    return x\n", namespace)
    with pytest.raises(InstructorError, match="source"):
        package(namespace["nowhere"])


# ---- the agent, as the kernel runs it --------------------------------------------------------------------
AGENT_STUDENT = """
import numpy as np


def square(x):
    return x * x


def divide(x):
    y = x + 1
    return y / 0


def not_done(x):
    raise NotImplementedError("write your code here")


def leave():
    raise SystemExit(3)


class Mine(float):
    pass


def sneaky(x):
    return Mine(x)


def scale_in_place(a, d=None, factor=2):
    a *= factor
    d["seen"] = True
    d["norm"] = float(np.sum(a))
    return None


def helper(x):
    return x


alias = helper


def uses_helper(x):
    seen.append((helper, alias))
    return helper(x) + alias(x)


def uses_module(x):
    import gc_utils
    return gc_utils.helper(x)


seen = []
"""


@pytest.fixture
def kernel(monkeypatch, fake_gc_utils):
    """A fake kernel: a notebook namespace seen through IPython.get_ipython(), and the agent program run
    in a namespace of its own, exactly as ``runner.kernel_code`` sends it. Returns (answer, user_ns)."""
    user_ns = notebook(AGENT_STUDENT)
    fake_gc_utils.helper = module_helper
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(user_ns=user_ns))
    private = {"__name__": "__course_oracle__"}
    exec(compile(runner.agent_program(), agent.AGENT_FILE, "exec"), private)
    names = set(user_ns)
    yield private["answer"], user_ns
    assert set(user_ns) == names  # the agent binds nothing the student could see afterwards


def request(function, *args, substitutions=(), **kwargs):
    return json.dumps(
        {
            "function": function,
            "args": wire.to_plain(list(args)),
            "kwargs": wire.to_plain(kwargs),
            "substitutions": list(substitutions),
            "helper_modules": list(HELPER_MODULES),
        }
    )


def ask(kernel, function, *args, **kwargs):
    answer, _ = kernel
    text = answer(request(function, *args, **kwargs))
    assert type(text) is str
    return json.loads(text)


def _tripled(x):
    return 3 * x


def test_student_correct_call_answers_ok_and_the_value(kernel):
    reply = ask(kernel, "square", np.float64(1.5))
    assert reply["ok"] is True
    value = wire.from_plain(reply["value"])
    assert type(value) is np.float64 and value == 2.25
    reply = ask(kernel, "square", x=np.arange(3))
    assert np.array_equal(wire.from_plain(reply["value"]), [0, 1, 4])


def test_student_error_is_reported_with_type_and_the_student_frame(kernel):
    reply = ask(kernel, "divide", 1)
    assert reply["ok"] is False
    raised = reply["raised"]
    assert raised["type"] == "ZeroDivisionError" and raised["builtin"] is True
    assert raised["message"] == "division by zero"
    filename, name, lineno, line, is_student = raised["frames"][-1]
    assert filename.startswith("<ipython-input-") and name == "divide" and line == "return y / 0"
    assert lineno == AGENT_STUDENT.split("\n").index("    return y / 0") + 1
    assert is_student is True
    assert all(frame[0] != agent.AGENT_FILE for frame in raised["frames"])
    assert "ZeroDivisionError" in raised["traceback"] and "return y / 0" in raised["traceback"]


def test_student_not_done_and_exit_are_errors_of_the_call(kernel):
    assert ask(kernel, "not_done", 1)["raised"]["type"] == "NotImplementedError"
    assert ask(kernel, "leave")["raised"]["type"] == "SystemExit"  # the kernel goes on
    reply = ask(kernel, "no_such_function", 1)
    assert reply["raised"]["type"] == "NameError" and "no_such_function" in reply["raised"]["message"]


def test_student_float_subclass_is_unsupported(kernel):
    reply = ask(kernel, "sneaky", 1.0)
    assert reply == {"ok": False, "unsupported": {"kind": "unsupported type", "path": "", "detail": "__main__.Mine"}}


def test_student_argument_changed_in_place_is_reported_after(kernel):
    reply = ask(kernel, "scale_in_place", np.arange(3.0), d={"seen": False})
    assert reply["ok"] is True and wire.from_plain(reply["value"]) is None
    assert set(reply["after"]) == {"args", "kwargs"}
    assert np.array_equal(wire.from_plain(reply["after"]["args"]["0"]), [0.0, 2.0, 4.0])
    assert wire.from_plain(reply["after"]["kwargs"]["d"]) == {"seen": True, "norm": 6.0}
    assert list(reply["after"]["args"]) == ["0"]  # plain numbers cannot change: not reported


def test_student_substitutions_hold_during_the_call_and_are_gone_after(kernel, fake_gc_utils):
    answer, user_ns = kernel
    original = user_ns["helper"]
    substitution = {"name": "helper", "package": package(_tripled)}
    reply = json.loads(answer(request("uses_helper", 2, substitutions=[substitution])))
    assert reply["ok"] is True and reply["value"] == 12  # the name and its alias: 3 * 2 each
    during = user_ns["seen"][-1]
    assert all(f is not original and f.__name__ == "_tripled" for f in during)
    assert json.loads(answer(request("uses_module", 2, substitutions=[substitution])))["value"] == "module(2)"
    assert user_ns["helper"] is original and user_ns["alias"] is original and fake_gc_utils.helper is module_helper
    assert json.loads(answer(request("uses_helper", 2)))["value"] == 4


def test_student_refused_substitution_raises_the_message_and_is_undone(kernel, fake_gc_utils):
    answer, user_ns = kernel
    user_ns["helper"] = user_ns["alias"] = module_helper  # as after ``from gc_utils import helper``
    message = api.refusal_message("helper")
    for function in ("uses_helper", "uses_module"):  # refused in the namespace and in the helper modules
        reply = json.loads(answer(request(function, 2, substitutions=[{"name": "helper", "refused": message}])))
        assert reply["raised"]["type"] == "RuntimeError" and reply["raised"]["message"] == message
    assert user_ns["helper"] is module_helper and user_ns["alias"] is module_helper
    assert fake_gc_utils.helper is module_helper
    assert json.loads(answer(request("uses_module", 1)))["value"] == "module(1)"


def _failing(x):
    raise ValueError("substitute failed on {}".format(x))


def test_student_substitutions_are_undone_when_the_call_fails(kernel, fake_gc_utils):
    answer, user_ns = kernel
    original = user_ns["helper"]
    reply = json.loads(
        answer(request("uses_helper", 4, substitutions=[{"name": "helper", "package": package(_failing)}]))
    )
    assert reply["raised"]["type"] == "ValueError" and reply["raised"]["message"] == "substitute failed on 4"
    assert reply["raised"]["frames"][-1][0] == agent.SUBSTITUTE_FILE and reply["raised"]["frames"][-1][4] is False
    assert user_ns["helper"] is original and user_ns["alias"] is original and fake_gc_utils.helper is module_helper
