"""The trusted grader process (course/oracle/trusted.py), driven through the real TrustedRunner (runner.py).

No Jupyter kernel: ``run_cell`` gets a fake ``call(request_text)`` that records each request and answers
what the test wants the kernel to have answered -- a right answer, a wrong one, or anything a student's
code could make the kernel send. Whatever it is, the test cell gets a verdict (with the bilingual
message of course.messages when the answer is unusable), the runner does not crash, and the next cell
runs.
"""

import json
import re

import numpy as np
import pytest

from course.assignment import HELPER_MODULES
from course.messages import (
    ORACLE_KERNEL_DIED,
    ORACLE_MALFORMED_ANSWER,
    ORACLE_NO_ANSWER,
    ORACLE_SEVERAL_ANSWERS,
    ORACLE_TIMED_OUT,
    ORACLE_TOO_LARGE,
    ORACLE_UNSUPPORTED_VALUE,
)
from course.oracle import api, wire
from course.oracle.runner import TrustedRunner
from course.oracle.trusted import AUDIT_LOG_VARIABLE, CELL_FILE_PREFIX

#: Tiny helper modules for the notebook under test (the trusted grader loads all of HELPER_MODULES by path).
HELPERS = {
    "gc_utils": """
SHORTCUTS = ("numerical_gradient",)


def bilingual(en, zh):
    return "{}\\n{}".format(en, zh)


def numerical_gradient(f, x):
    return 0.0
""",
    "testCases": """
SQUARE_CASES = [(3, 9), (-2, 4)]
""",
    "public_tests": """
from gc_utils import bilingual
from testCases import SQUARE_CASES


def square_test(square):
    for x, expected in SQUARE_CASES:
        got = square(x)
        assert got == expected, bilingual("square({}) returned {}".format(x, got), "square({}) 返回了 {}".format(x, got))
    print("square_test passed")
""",
}
SETUP = [
    "import numpy as np\nfrom gc_utils import bilingual\nfrom public_tests import square_test",
    "GIVEN = 10\n\ndef given_helper(x):\n    return x + GIVEN",
]
STUDENTS = ["square", "mutate", "noisy"]


@pytest.fixture(scope="module")
def helpers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("helpers")
    for name, source in HELPERS.items():
        (folder / (name + ".py")).write_text(source, encoding="utf-8")
    assert set(HELPERS) == set(HELPER_MODULES)
    return folder


@pytest.fixture(scope="module")
def shared(helpers):
    trusted = TrustedRunner()
    yield trusted
    trusted.close()


@pytest.fixture
def runner(shared, helpers):
    """The shared trusted runner, with a fresh notebook namespace for each test."""
    assert shared.start_notebook(str(helpers), SETUP, STUDENTS) is None
    return shared


class FakeKernel:
    """``call(request_text)`` for run_cell: records the requests, gives the prepared replies in order."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.requests = []
        self.unexpected = False

    def __call__(self, request_text):
        self.requests.append(request_text)
        if not self.replies:  # the test fails in run(); the runner gets a reply and stays in step
            self.unexpected = True
            return reply(problem="no_answer")
        return dict(self.replies.pop(0))


def reply(answer=None, stdout="", problem=None):
    return {"answer": answer, "stdout": stdout, "problem": problem}


def ok(value, after=None):
    """The kernel's reply for a call that returned ``value`` (and changed its arguments as ``after`` says)."""
    answer = {"ok": True, "value": wire.to_plain(value), "after": {"args": {}, "kwargs": {}}}
    for into, changed in (after or {}).items():
        answer["after"][into] = {str(key): wire.to_plain(state) for key, state in changed.items()}
    return reply(json.dumps(answer))


def raised(kind, message, builtin=True, frames=(), traceback=""):
    return reply(
        json.dumps(
            {
                "ok": False,
                "raised": {
                    "type": kind,
                    "builtin": builtin,
                    "message": message,
                    "frames": list(frames),
                    "traceback": traceback,
                },
            }
        )
    )


def run(runner, source, *replies, name="test_cell"):
    """Run one test cell with a fake kernel; return (done message, the kernel)."""
    kernel = FakeKernel(*replies)
    done = runner.run_cell(name, source, kernel)
    assert done["op"] == "done"
    assert not kernel.unexpected, "the test cell made more calls than expected"
    assert not kernel.replies, "the test cell made fewer calls than expected"
    return done, kernel


def passes(runner, source, *replies):
    done, kernel = run(runner, source, *replies)
    assert done["error"] is None, done["error"]
    return done, kernel


def message_pattern(message, **known):
    """A regex for ``message.text()`` with the fields in ``known`` filled in and any other field free."""
    fields = re.findall(r"{(\w+)}", message.en)
    text = message.format(**{f: known.get(f, "\x00{}\x00".format(f)) for f in fields}).text()
    return re.compile(re.sub(r"\\?\x00\w+\\?\x00", ".*", re.escape(text)), re.S)


# ---- the request -----------------------------------------------------------------------------------------
SUBSTITUTING_CELL = """
from course.oracle import refused, replaced, replaced_for_cell


def _good(x):
    return given_helper(x) * SCALE


SCALE = 2.0
replaced_for_cell(numerical_gradient=refused)
_first = square(np.float64(1.5), power=2)
with replaced(helper=_good):
    _second = square(np.arange(3, dtype=np.int32), (1, "a"))
assert _first == 2.25 and _second == 7
"""


def test_instructor_request_is_plain_data_with_the_substitutions_in_force(runner):
    _, kernel = passes(runner, SUBSTITUTING_CELL, ok(np.float64(2.25)), ok(7))
    first, second = (json.loads(text) for text in kernel.requests)
    assert set(first) == {"function", "args", "kwargs", "substitutions", "helper_modules"}
    assert first["function"] == "square" and first["helper_modules"] == list(HELPER_MODULES)
    args, kwargs = wire.from_plain(first["args"]), wire.from_plain(first["kwargs"])
    assert args == [1.5] and type(args[0]) is np.float64 and kwargs == {"power": 2}
    refusal = {"name": "numerical_gradient", "refused": api.refusal_message("numerical_gradient")}
    assert first["substitutions"] == [refusal]

    args = wire.from_plain(second["args"])
    assert args[0].dtype == np.int32 and np.array_equal(args[0], [0, 1, 2]) and args[1] == (1, "a")
    assert second["substitutions"][0] == refusal
    shipped = second["substitutions"][1]
    assert shipped["name"] == "helper" and shipped["package"]["entry"] == "_good"
    assert shipped["package"]["sources"][-1].startswith("def _good(x):")
    assert "def given_helper(x):" in shipped["package"]["sources"][0]  # a given function it uses goes too
    assert wire.from_plain(shipped["package"]["values"]) == {"SCALE": 2.0, "GIVEN": 10}


def test_instructor_substitutions_end_with_the_cell(runner):
    passes(runner, SUBSTITUTING_CELL, ok(np.float64(2.25)), ok(7))
    _, kernel = passes(runner, "assert square(3) == 9", ok(9))
    assert json.loads(kernel.requests[0])["substitutions"] == []


def test_instructor_arguments_that_cannot_be_sent_are_the_instructors_error(runner):
    done, kernel = run(runner, "square(object())")
    assert kernel.requests == []
    assert done["error"]["ename"] == "InstructorError"


# ---- verdicts --------------------------------------------------------------------------------------------
def test_student_correct_answer_passes_and_wrong_answer_fails(runner):
    done, _ = passes(runner, "square_test(square)", ok(9), ok(4))
    assert done["stdout"] == "square_test passed\n"
    done, _ = run(runner, "square_test(square)", ok(9), ok(5))
    assert done["error"]["ename"] == "AssertionError"
    assert done["error"]["evalue"] == "square(-2) returned 5\nsquare(-2) 返回了 5"
    assert "square_test" not in "".join(done["error"]["traceback"])  # the test's code is not shown


def test_student_results_keep_their_exact_types(runner):
    passes(
        runner,
        "_r = square(2)\nassert type(_r) is np.float32 and _r == 4\n"
        "_t = square(3)\nassert type(_t) is tuple and _t[1].dtype == np.int64 and _t[1].shape == (2, 0)",
        ok(np.float32(4)),
        ok((1, np.zeros((2, 0), dtype=np.int64))),
    )


def test_student_printed_output_of_the_call_appears_in_the_cell_output(runner):
    done, _ = passes(runner, "print('before')\nnoisy(1)\nprint('after')", ok(None) | {"stdout": "computing 1\n"})
    assert done["stdout"] == "before\ncomputing 1\nafter\n"


def test_student_printed_output_is_kept_when_the_call_fails(runner):
    done, _ = run(runner, "noisy(1)", raised("ValueError", "bad input") | {"stdout": "started\n"})
    assert done["stdout"] == "started\n" and done["error"]["ename"] == "ValueError"


def test_student_argument_changed_in_place_is_changed_for_the_test(runner):
    after = {
        "args": {0: np.array([0.0, 2.0, 4.0])},
        "kwargs": {"d": {"a": np.ones(2), "new": 5, "items": [1, 2]}},
    }
    source = """
_a = np.arange(3.0)
_d = {"a": np.zeros(2), "keep": 1, "items": [0]}
_inner, _items = _d["a"], _d["items"]
assert mutate(_a, d=_d) is None
assert np.array_equal(_a, [0.0, 2.0, 4.0])
assert _d["a"] is _inner and _inner.tolist() == [1.0, 1.0]  # changed in place, as the kernel's was
assert _d["items"] is _items and _items == [1, 2]
assert _d["new"] == 5 and "keep" not in _d
"""
    passes(runner, source, ok(None, after))


def test_student_unchanged_arguments_stay_as_they_were(runner):
    """Nothing reported in ``after``: nothing changes; a report about a plain number is ignored."""
    source = "_a = np.arange(3.0)\nmutate(_a, 5)\nassert np.array_equal(_a, [0.0, 1.0, 2.0])"
    passes(runner, source, ok(None, {"args": {1: 6, 7: [1]}, "kwargs": {"nope": 1}}))


def test_student_not_implemented_error_is_raised_again_in_the_cell(runner):
    traceback = 'Traceback (most recent call last):\n  File "<ipython-input-3>", line 2, in square\nNotImplementedError: Exercise not done yet'
    frames = [["<ipython-input-3>", "square", 2, 'raise NotImplementedError("Exercise not done yet")', True]]
    done, _ = run(
        runner, "square(1)", raised("NotImplementedError", "Exercise not done yet", frames=frames, traceback=traceback)
    )
    assert done["error"]["ename"] == "NotImplementedError"
    assert done["error"]["evalue"] == "Exercise not done yet"
    # the test cell's line (as IPython names it), then the student's own traceback, from the kernel
    assert done["error"]["traceback"][:2] == ["Cell In[], line 1", traceback]
    done, _ = passes(
        runner,
        "try:\n    square(1)\nexcept NotImplementedError as error:\n    print('caught', error, error.student_frames)",
        raised("NotImplementedError", "not yet", frames=frames),
    )
    assert done["stdout"] == "caught not yet [('square', 2, 'raise NotImplementedError(\"Exercise not done yet\")')]\n"


def test_student_errors_keep_their_kind_but_never_become_the_graders_classes(runner):
    source = """
try:
    square(1)
except ValueError:
    raise AssertionError("a class the kernel named is not a built-in it claimed to be")
except Exception as error:
    print(type(error).__name__, type(error).__mro__[1].__name__)
"""
    done, _ = passes(runner, source, raised("ValueError", "fake", builtin=False))
    assert done["stdout"] == "ValueError StudentCodeError\n"
    done, _ = run(runner, "square(1)", raised("SystemExit", "3"))  # not an Exception: never raised as one
    assert done["error"]["ename"] == "SystemExit" and done["error"]["evalue"] == "3"
    passes(runner, "assert square(2) == 4", ok(4))


def test_student_unsupported_value_fails_with_the_bilingual_message(runner):
    answer = json.dumps({"ok": False, "unsupported": {"kind": "unsupported type", "path": "[1]", "detail": "Mine"}})
    done, _ = run(runner, "square(1)", reply(answer))
    assert done["error"]["ename"] == "UnsupportedValue"
    expected = ORACLE_UNSUPPORTED_VALUE.format(function="square", detail="Mine", where="[1]").text()
    assert done["error"]["evalue"] == expected


# ---- answers a student's kernel could forge: a verdict, never a crash ----------------------------------
MALFORMED = {
    "not json": "this is not json",
    "empty": "",
    "truncated": '{"ok": true, "value": ',
    "not an object": "[1, 2]",
    "ok not a bool": json.dumps({"ok": "yes", "value": 4}),
    "no ok": json.dumps({"value": 4}),
    "value with an unknown tag": json.dumps({"ok": True, "value": {"evil": 1}}),
    "value with two tags": json.dumps({"ok": True, "value": {"tuple": [], "dict": []}}),
    "object array": json.dumps(
        {"ok": True, "value": {"array": {"dtype": "|O8", "shape": [1], "data": "AAAAAAAAAAA="}}}
    ),
    "lying array": json.dumps({"ok": True, "value": {"array": {"dtype": "<f8", "shape": [3], "data": "AAAA"}}}),
    "deep nesting": '{"ok": true, "value": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "after not a dict": json.dumps({"ok": True, "value": 4, "after": [1]}),
    "after with bad data": json.dumps({"ok": True, "value": 4, "after": {"args": {"0": {"evil": 1}}}}),
    "no result and no error": json.dumps({"ok": False}),
    "error without a type": json.dumps({"ok": False, "raised": {"message": "x"}}),
    "over the size cap": json.dumps({"ok": True, "value": "a" * wire.MAX_MESSAGE_CHARS}),
}


@pytest.mark.parametrize("answer", MALFORMED.values(), ids=MALFORMED.keys())
def test_student_malformed_answer_fails_the_cell_and_the_next_cell_runs(runner, answer):
    done, _ = run(runner, "square(2)", reply(answer))
    assert done["error"]["ename"] == "KernelProblem"
    assert message_pattern(ORACLE_MALFORMED_ANSWER, function="square").fullmatch(done["error"]["evalue"])
    assert runner.alive()
    passes(runner, "assert square(2) == 4", ok(4))


def test_student_answer_that_is_not_text_is_malformed(runner):
    for answer in (None, 4, {"ok": True, "value": 4}):
        done, _ = run(runner, "square(2)", reply(answer))
        assert done["error"]["ename"] == "KernelProblem", answer
    passes(runner, "assert square(2) == 4", ok(4))


PROBLEMS = {
    "timeout": ORACLE_TIMED_OUT,
    "died": ORACLE_KERNEL_DIED,
    "no_answer": ORACLE_NO_ANSWER,
    "several_answers": ORACLE_SEVERAL_ANSWERS,
    "too_large": ORACLE_TOO_LARGE,
}


@pytest.mark.parametrize("problem", PROBLEMS)
def test_student_kernel_problem_fails_the_cell_with_its_message(runner, problem):
    done, _ = run(runner, "square(2)", reply(problem=problem) | {"stdout": "partial output\n"})
    assert done["error"]["ename"] == "KernelProblem"
    assert done["error"]["evalue"] == PROBLEMS[problem].format(function="square").text()
    assert done["stdout"] == "partial output\n"
    passes(runner, "assert square(2) == 4", ok(4))


def test_student_answer_is_not_used_when_a_problem_is_reported(runner):
    done, _ = run(runner, "assert square(2) == 4", ok(4) | {"problem": "timeout"})
    assert done["error"]["evalue"] == ORACLE_TIMED_OUT.format(function="square").text()


def test_student_reported_frames_that_are_not_frames_do_not_break_the_verdict(runner):
    """Odd frame entries from the kernel are dropped; the cell fails with the error the kernel reported."""
    frames = [["f", "square", "not a line number", "x", True], ["f", "square", None, "x", True], "junk", [1, 2]]
    done, _ = run(runner, "square(2)", raised("ValueError", "from the kernel", frames=frames))
    assert (done["error"]["ename"], done["error"]["evalue"]) == ("ValueError", "from the kernel")
    passes(runner, "assert square(2) == 4", ok(4))


def test_student_answer_of_non_ascii_text_near_the_cap_does_not_break_the_runner(runner):
    """At most MAX_MESSAGE_CHARS characters, but JSON escapes each as six bytes on the way to the grader."""
    done, _ = run(runner, "square(2)", reply("\u68af" * (wire.MAX_MESSAGE_CHARS - 10)))
    assert done["error"]["evalue"] == ORACLE_TOO_LARGE.format(function="square").text()
    assert runner.alive()
    passes(runner, "assert square(2) == 4", ok(4))


def test_student_many_calls_in_one_cell(runner):
    source = "for _x in range(50):\n    assert square(_x) == _x * _x\n"
    _, kernel = passes(runner, source, *[ok(x * x) for x in range(50)])
    assert [wire.from_plain(json.loads(r)["args"]) for r in kernel.requests] == [[x] for x in range(50)]


def test_instructor_broken_test_cell_shows_its_traceback(runner):
    done, _ = run(runner, "undefined_name + 1", name="broken")
    assert done["error"]["ename"] == "NameError"
    assert CELL_FILE_PREFIX + "broken>" in "".join(done["error"]["traceback"])
    passes(runner, "assert square(2) == 4", ok(4))


def test_instructor_each_notebook_starts_from_the_setup_cells(runner, helpers):
    passes(runner, "LEFT_OVER = 1")
    assert runner.start_notebook(str(helpers), SETUP, STUDENTS) is None
    passes(runner, "assert 'LEFT_OVER' not in globals() and GIVEN == 10")


def test_instructor_setup_error_is_reported(shared, helpers):
    error = shared.start_notebook(str(helpers), ["raise ValueError('broken setup')"], STUDENTS)
    assert "broken setup" in error
    assert shared.start_notebook(str(helpers), SETUP, STUDENTS) is None


# ---- the audit hook --------------------------------------------------------------------------------------
AUDITED_CELLS = {
    "compile_foreign": 'compile("x=1", "submission.py", "exec")',
    "compile_notebook_cell": 'exec(compile("x=1", "<ipython-input-1-abc>", "exec"))',
    "exec_foreign_code": 'exec((lambda: 0).__code__.replace(co_filename="/tmp/submission.py"))',
    "unpickle": "import pickle\npickle.loads(pickle.dumps(np.float64(1.0)))",
}


def audit_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_instructor_audit_hook_refuses_foreign_code_and_logs_everything(helpers, tmp_path, monkeypatch):
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv(AUDIT_LOG_VARIABLE, str(log))
    trusted = TrustedRunner()
    try:
        assert trusted.start_notebook(str(helpers), SETUP, STUDENTS) is None
        done, _ = passes(trusted, "square_test(square)", ok(9), ok(4))
        for name, source in AUDITED_CELLS.items():
            done, _ = run(trusted, source, name=name)
            assert done["error"] is not None, name
            assert done["error"]["ename"] == "RuntimeError", (name, done["error"])
            assert done["error"]["evalue"].startswith("the trusted grader does not run code from"), name
        # Code the test cell itself hands to exec comes from the test cell (as namedtuple's does): allowed.
        passes(trusted, 'exec("_seen = 1")\nassert _seen == 1\nimport collections\ncollections.namedtuple("P", "a b")')
        passes(trusted, "assert square(2) == 4", ok(4))
    finally:
        trusted.close()
    events = audit_lines(log)
    refused = [(e["event"], e["file"]) for e in events if not e["allowed"]]
    assert refused == [
        ("compile", "submission.py"),
        ("compile", "<ipython-input-1-abc>"),
        ("exec", "/tmp/submission.py"),
        ("pickle.find_class", "pickle"),
    ]
    files = {e["file"] for e in events if e["allowed"]}
    assert {CELL_FILE_PREFIX + name + ">" for name in AUDITED_CELLS} <= files
    assert "<course setup cell 0>" in files and str(helpers / "gc_utils.py") in files
    assert any(e["event"] == "compile" and e["source"] == "_seen = 1" and e["allowed"] for e in events)
