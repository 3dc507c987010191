"""The catalogue of student submissions: small source snippets and the score each must get.

Every variant starts from the reference solution (or, with ``start="release"``, from the untouched
release notebook) and changes it by
* ``patches``: ``{exercise: [(old, new), ...]}`` text replacements in that exercise's solution cell
  (each ``old`` must occur exactly once);
* ``edits``: functions ``notebook -> None`` that change the notebook itself (test cells, metadata,
  extra cells) -- see the helpers at the end;
* ``files``: ``{file name: text}`` written next to the notebook (shipped helper modules etc.).

``expected`` is the score per exercise, in the order of ``course.assignment.EXERCISES``
(forward_propagation 1, backward_propagation 1, gradient_check 3, gradient_check_n 5): the score an
honest student with the same solution gets. The test cells run in the trusted grader
(``course.oracle``), so code that attacks the grader from the kernel changes no verdict: it gains
nothing and costs nothing, unless it breaks the student's own code. ``bonus``: whether the bonus
solution keeps its points (by default: yes, unless the variant starts from the release).
Sources of the mistakes: the seeds (2017 and 2021 versions), public copies of this exercise
(e.g. ``J_plus = theta_plus * x`` and ``grad = x`` inlined instead of calling the model, arguments
passed in the wrong order, ``thetaplus[i][0]`` indexing) and the issue's list.
"""

import copy
from collections import namedtuple

import nbformat

from course.assignment import BONUS_EXERCISES, EXERCISES

Variant = namedtuple("Variant", "name what expected patches edits files start bonus")
FULL = (1, 1, 3, 5)
#: Points of each exercise, in the order of EXERCISES (``expected`` uses it too), and of the bonus.
MAX_POINTS = FULL
BONUS_POINTS = 2
NO_EX1, NO_EX2, NO_EX3, NO_EX4 = (0, 1, 3, 5), (1, 0, 3, 5), (1, 1, 0, 5), (1, 1, 3, 0)


def expected_scores(variant):
    """``{exercise: (points, maximum)}`` a variant must get, bonus included (as ``exercise_scores`` gives them)."""
    scores = {e: (float(p), float(m)) for e, p, m in zip(EXERCISES, variant.expected, MAX_POINTS)}
    scores.update({b: (float(BONUS_POINTS if variant.bonus else 0), float(BONUS_POINTS)) for b in BONUS_EXERCISES})
    return scores


#: The variants of students who follow the instructions (the reference, valid alternatives, real mistakes,
#: the untouched notebook): they must never be surprised at grading.
HONEST_PREFIXES = ("reference", "untouched", "valid_", "ex1_", "ex2_", "ex3_", "ex4_")


def variant(name, what, expected, patches=None, edits=(), files=None, start="reference", bonus=None):
    bonus = start != "release" if bonus is None else bonus
    return Variant(name, what, expected, patches or {}, tuple(edits), files or {}, start, bonus)


# ---- text of the reference solution that the patches replace ------------------------------------
FP = "    J = theta * x\n"
BP = "    dtheta = x\n"
GC_PLUS, GC_MINUS = "    theta_plus = theta + epsilon\n", "    theta_minus = theta - epsilon\n"
GC_JPLUS, GC_JMINUS = (
    "    J_plus = forward_propagation(x, theta_plus)\n",
    "    J_minus = forward_propagation(x, theta_minus)\n",
)
GC_APPROX = "    gradapprox = (J_plus - J_minus) / (2 * epsilon)\n"
GC_GRAD = "    grad = backward_propagation(x, theta)\n"
NUMERATOR = "    numerator = np.linalg.norm(grad - gradapprox)\n"
DENOMINATOR = "    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
RETURN = "    return difference"
N_COPY_PLUS, N_COPY_MINUS = (
    "        theta_plus = np.copy(parameters_values)\n",
    "        theta_minus = np.copy(parameters_values)\n",
)
N_STEP_PLUS, N_STEP_MINUS = (
    "        theta_plus[i] = theta_plus[i] + epsilon\n",
    "        theta_minus[i] = theta_minus[i] - epsilon\n",
)
N_J_PLUS = "        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))\n"
N_J_MINUS = "        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))\n"
N_APPROX = "        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)\n"
DIFFERENCE = "    difference = numerator / denominator\n"
N_DIFFERENCE_BLOCK = NUMERATOR + DENOMINATOR + DIFFERENCE
TAMPER_NUMPY = "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"


def prepend(exercise, code):
    """A patch that puts ``code`` before the ``def`` line of the exercise's function."""
    return {exercise: [("def {}(".format(exercise), code + "def {}(".format(exercise))]}


def merge(*patch_sets):
    merged = {}
    for patches in patch_sets:
        for exercise, replacements in patches.items():
            merged.setdefault(exercise, []).extend(replacements)
    return merged


HARDCODED_EX4 = {"gradient_check_n": [(RETURN, "    return 0.2850931566540251")]}
HARDCODED_EX1 = {"forward_propagation": [(FP, "    J = 8\n")]}


# ---- notebook edits -------------------------------------------------------------------------------
def _cell(notebook, grade_id):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def replace_test_cell(grade_id, source):
    def edit(notebook):
        _cell(notebook, grade_id).source = source

    return edit


def delete_cell(grade_id):
    def edit(notebook):
        notebook.cells.remove(_cell(notebook, grade_id))

    return edit


def set_metadata(grade_id, **values):
    def edit(notebook):
        _cell(notebook, grade_id).metadata["nbgrader"].update(values)

    return edit


def replace_metadata(grade_id, nbgrader_metadata):
    def edit(notebook):
        _cell(notebook, grade_id).metadata["nbgrader"] = dict(nbgrader_metadata)

    return edit


def add_cell_after(grade_id, source, metadata=None):
    def edit(notebook):
        cell = nbformat.v4.new_code_cell(source, metadata=metadata or {})
        notebook.cells.insert(notebook.cells.index(_cell(notebook, grade_id)) + 1, cell)

    return edit


def add_impostor_after(grade_id, source):
    """A new cell after ``grade_id``'s cell that carries a copy of its nbgrader metadata."""

    def edit(notebook):
        original = _cell(notebook, grade_id)
        impostor = nbformat.v4.new_code_cell(source, metadata=copy.deepcopy(dict(original.metadata)))
        notebook.cells.insert(notebook.cells.index(original) + 1, impostor)

    return edit


def edit_cell_by_id(cell_id, old, new):
    def edit(notebook):
        cell = next(c for c in notebook.cells if c.get("id") == cell_id)
        assert cell.source.count(old) == 1, (cell_id, old)
        cell.source = cell.source.replace(old, new)

    return edit


#: A numpy.py next to the notebook that loads the real numpy and makes every comparison pass.
SHADOW_NUMPY = """import os, sys
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
del sys.modules["numpy"]
import numpy as _real
_real.isclose = lambda *a, **k: True
_real.allclose = lambda *a, **k: True
sys.modules["numpy"] = _real
"""
PASSING_PUBLIC_TESTS = "\n".join(
    "def {}(target):\n    print('all passed')\n".format(name)
    for name in (
        "forward_propagation_test",
        "backward_propagation_test",
        "gradient_check_test",
        "gradient_check_n_test",
    )
)

# ---- attacks on the grader (the list): code run in the kernel -------------------------------------
# The test cells run in the trusted grader, which sees only plain data from the kernel: none of these can
# change a verdict. Each goes in a cell of its own after the imports (see ``attack_pair``) or into a solution.

#: The issue's one-line attack: an IPython input transformer that wraps every later cell in
#: ``try: ... except BaseException: pass``, so that every locked test run in the kernel would pass.
SWALLOWING_TRANSFORMER = """def swallow_errors(lines):
    body = ["    " + line for line in lines]
    return ["try:\\n", "    pass\\n"] + body + ["\\nexcept BaseException:\\n", "    pass\\n"]


get_ipython().input_transformers_post.append(swallow_errors)
"""
_TRANSFORMER_ONE_LINE = (
    "\"get_ipython().input_transformers_post.append(lambda lines: ['try:\\\\n', '    pass\\\\n'] + "
    "['    ' + line for line in lines] + ['\\\\nexcept BaseException:\\\\n', '    pass\\\\n'])\""
)
#: The same, installed through builtins reached from a module's ``sys`` (no ``import builtins``).
TRANSFORMER_VIA_WARNINGS = 'import warnings\n\nwarnings.sys.modules["builtins"].exec(\n    {}\n)\n'.format(
    _TRANSFORMER_ONE_LINE
)
#: The same, with ``exec`` taken from a generator's frame.
TRANSFORMER_VIA_GI_FRAME = '(_ for _ in ()).gi_frame.f_builtins["exec"](\n    {}\n)\n'.format(_TRANSFORMER_ONE_LINE)
CUSTOM_EXC = """def ignore_error(shell, etype, value, tb, tb_offset=None):
    return None


get_ipython().set_custom_exc((BaseException,), ignore_error)
"""
NO_TRACEBACKS = """get_ipython().showtraceback = lambda *args, **kwargs: None
get_ipython().showsyntaxerror = lambda *args, **kwargs: None
"""
EXCEPTHOOK = "import sys\n\nsys.excepthook = lambda *args: None\n"
#: Builtins the tests use, patched so that a failed assertion would go unnoticed.
PATCHED_BUILTINS = """import builtins

real_isinstance, real_assertion_error = builtins.isinstance, builtins.AssertionError
builtins.AssertionError = type("AssertionError", (Exception,), {})
builtins.print = lambda *args, **kwargs: None
builtins.isinstance = lambda obj, kind: True if kind is real_assertion_error else real_isinstance(obj, kind)
"""
#: ``sys.modules["numpy"]`` (and ``np``) replaced by a copy of numpy whose comparisons always pass.
FAKE_NUMPY_MODULE = """import sys
import types

fake_numpy = types.ModuleType("numpy")
fake_numpy.__dict__.update(vars(sys.modules["numpy"]))
fake_numpy.isclose = lambda *args, **kwargs: True
fake_numpy.allclose = lambda *args, **kwargs: True
fake_numpy.array_equal = lambda *args, **kwargs: True
sys.modules["numpy"] = fake_numpy
np = fake_numpy
"""
#: ``sys.modules["public_tests"]`` replaced by a module whose tests only say they passed.
FAKE_PUBLIC_TESTS_MODULE = """import sys
import types

fake_tests = types.ModuleType("public_tests")
for name in ("forward_propagation_test", "backward_propagation_test", "gradient_check_test",
             "gradient_check_n_test", "backward_propagation_n_fixed_test"):
    setattr(fake_tests, name, lambda *args, **kwargs: print("all public tests passed"))
sys.modules["public_tests"] = fake_tests
from public_tests import *
"""
NUMPY_COMPARISONS = """np.isclose = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
"""

#: A float whose comparisons and arithmetic lie.
LIAR_FLOAT = """class LyingFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __abs__(self):
        return LyingFloat(0.0)

    def __sub__(self, other):
        return LyingFloat(0.0)

    __rsub__ = __sub__
    __hash__ = float.__hash__


"""
LIAR_NDARRAY = """class LyingArray(np.ndarray):
    def __eq__(self, other):
        return True

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __float__(self):
        return 2.919335883291695e-10


"""
#: An object that converts to the expected number however the test reads it.
EXPECTED_LOOKALIKE = """class LooksExpected:
    def __float__(self):
        return 0.2850931566540251

    def __array__(self, dtype=None, copy=None):
        return np.array(0.2850931566540251)

    def __lt__(self, other):
        return True

    __gt__ = __lt__


"""
#: Detect the grader on the call stack: its code, a public test, or the functions that serve a call.
GRADER_ON_STACK = """import inspect


def called_by_grader():
    for frame in inspect.stack():
        if frame.filename.startswith("<course") or "public_tests" in frame.filename:
            return True
        if frame.function in ("answer", "serve"):
            return True
    return False


"""
UNDER_TEST_BY_FRAMES = """import sys


def under_test():
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<course") or frame.f_code.co_name.endswith("_test"):
            return True
        frame = frame.f_back
    return False


"""
EXPECTED_FROM_FRAMES = """import sys


def expected_from_callers():
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("expected", "_expected", "EXPECTED_DIFFERENCE_1D"):
            if name in frame.f_locals:
                return frame.f_locals[name]
        frame = frame.f_back
    return 0.0


"""
EXPECTED_FROM_MEMORY = """import gc


def expected_from_memory():
    for holder in gc.get_objects():
        if type(holder) is dict:
            for value in list(holder.values()):
                if type(value) is float and abs(value - 0.285) < 1e-3:
                    return value
    return 0.0


"""
EXPECTED_FROM_CALLERS_SOURCE = """import inspect
import re


def expected_from_sources():
    for caller in inspect.stack()[1:]:
        try:
            source = inspect.getsource(caller.frame)
        except Exception:
            continue
        found = re.findall(r"\\d\\.\\d{6,}e-\\d+", source)
        if found:
            return float(found[0])
    return 0.0


"""
EXPECTED_FROM_NOTEBOOK_FILE = """import os
import re


def expected_from_notebook():
    for name in sorted(os.listdir(".")):
        if name.endswith(".ipynb"):
            with open(name, encoding="utf-8") as handle:
                found = re.findall(r"0\\.285\\d+", handle.read())
            print("read", name, "found", found[:3])
            if found:
                return float(found[0])
    return 0.0


"""


def attack_pair(name, what, code):
    """The attack in an extra cell after the imports: on the untouched release (nothing to gain: no points)
    and with the reference solution (nothing lost: full marks)."""
    return [
        variant(
            name + "_release",
            what + "; nothing else filled in",
            (0, 0, 0, 0),
            edits=[add_cell_after("imports", code)],
            start="release",
        ),
        variant(name + "_reference", what + "; the reference solution", FULL, edits=[add_cell_after("imports", code)]),
    ]


SET_UP = "    # Set-up variables / 准备变量\n"
N_GRADAPPROX_ZEROS = "    gradapprox = np.zeros((num_parameters, 1))\n"


VARIANTS = [
    # ---------------------------------------------------------------- reference / untouched
    variant("reference", "the reference solution", FULL),
    variant("untouched", "the release notebook, nothing filled in", (0, 0, 0, 0), start="release"),
    # ---------------------------------------------------------------- valid alternatives: full marks
    variant(
        "valid_np_dot", "J = np.dot(theta, x)", FULL, {"forward_propagation": [(FP, "    J = np.dot(theta, x)\n")]}
    ),
    variant(
        "valid_np_multiply",
        "J = np.multiply(x, theta); dtheta = x * 1.0",
        FULL,
        {
            "forward_propagation": [(FP, "    J = np.multiply(x, theta)\n")],
            "backward_propagation": [(BP, "    dtheta = x * 1.0\n")],
        },
    ),
    variant(
        "valid_abs_for_scalars",
        "abs() instead of np.linalg.norm in the 1-D check",
        FULL,
        {
            "gradient_check": [
                (NUMERATOR, "    numerator = abs(grad - gradapprox)\n"),
                (DENOMINATOR, "    denominator = abs(grad) + abs(gradapprox)\n"),
            ]
        },
    ),
    variant(
        "valid_math_module",
        "import math; math.fabs in the 1-D check, one-line difference",
        FULL,
        {
            "gradient_check": [
                (
                    NUMERATOR + DENOMINATOR + DIFFERENCE,
                    "    import math\n    difference = math.fabs(grad - gradapprox) / "
                    "(math.fabs(grad) + math.fabs(gradapprox))\n",
                )
            ]
        },
    ),
    variant(
        "valid_copy_method",
        ".copy() instead of np.copy, [i][0] indexing",
        FULL,
        {
            "gradient_check_n": [
                (N_COPY_PLUS, "        theta_plus = parameters_values.copy()\n"),
                (N_COPY_MINUS, "        theta_minus = parameters_values.copy()\n"),
                (N_STEP_PLUS, "        theta_plus[i][0] = theta_plus[i][0] + epsilon\n"),
                (N_STEP_MINUS, "        theta_minus[i][0] -= epsilon\n"),
            ]
        },
    ),
    variant(
        "valid_perturb_in_place",
        "perturb parameters_values in place and restore the saved value",
        FULL,
        {
            "gradient_check_n": [
                (
                    N_COPY_PLUS + N_STEP_PLUS + N_J_PLUS,
                    "        saved = parameters_values[i, 0]\n"
                    "        parameters_values[i, 0] = saved + epsilon\n"
                    "        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))\n",
                ),
                (
                    N_COPY_MINUS + N_STEP_MINUS + N_J_MINUS,
                    "        parameters_values[i, 0] = saved - epsilon\n"
                    "        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))\n"
                    "        parameters_values[i, 0] = saved\n",
                ),
            ]
        },
    ),
    variant(
        "valid_restore_by_subtraction",
        "perturb in place: +eps, -2 eps, then +eps back",
        FULL,
        {
            "gradient_check_n": [
                (
                    N_COPY_PLUS + N_STEP_PLUS + N_J_PLUS,
                    "        parameters_values[i] += epsilon\n"
                    "        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))\n",
                ),
                (
                    N_COPY_MINUS + N_STEP_MINUS + N_J_MINUS,
                    "        parameters_values[i] -= 2 * epsilon\n"
                    "        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))\n"
                    "        parameters_values[i] += epsilon\n",
                ),
            ]
        },
    ),
    variant(
        "valid_difference_in_loop",
        "formula (3) computed inside the loop, at every step",
        FULL,
        {
            "gradient_check_n": [
                (
                    N_APPROX,
                    N_APPROX
                    + "        "
                    + NUMERATOR.strip()
                    + "\n        "
                    + DENOMINATOR.strip()
                    + "\n        "
                    + DIFFERENCE.strip()
                    + "\n",
                ),
                ("    # YOUR CODE STARTS HERE\n" + N_DIFFERENCE_BLOCK, "    # YOUR CODE STARTS HERE\n"),
            ]
        },
    ),
    variant(
        "valid_vectorized_gradapprox",
        "gradapprox computed once after the loop",
        FULL,
        {
            "gradient_check_n": [
                (N_APPROX, "        pass\n"),
                (N_DIFFERENCE_BLOCK, "    gradapprox = (J_plus - J_minus) / (2 * epsilon)\n" + N_DIFFERENCE_BLOCK),
            ]
        },
    ),
    variant(
        "valid_helper_function",
        "a helper function of the student's own for formula (3)",
        FULL,
        merge(
            prepend(
                "gradient_check_n",
                "def relative_difference(a, b):\n"
                "    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))\n\n",
            ),
            {"gradient_check_n": [(N_DIFFERENCE_BLOCK, "    difference = relative_difference(grad, gradapprox)\n")]},
        ),
    ),
    variant(
        "valid_reimports",
        "re-imports numpy and the helpers it uses; norm imported from numpy.linalg",
        FULL,
        merge(
            prepend(
                "gradient_check_n",
                "import numpy as np\nfrom numpy.linalg import norm\n"
                "from gc_utils import dictionary_to_vector, vector_to_dictionary\n"
                "from public_tests import *\n\n",
            ),
            {"gradient_check_n": [(NUMERATOR, "    numerator = norm(grad - gradapprox)\n")]},
        ),
    ),
    variant(
        "valid_timing_magics",
        "%%time on a solution cell, %timeit and %matplotlib in a cell of its own",
        FULL,
        prepend("backward_propagation", "%%time\n"),
        edits=[
            add_cell_after("forward_propagation_tests", "%matplotlib inline\n%timeit -n 3 forward_propagation(2, 4)")
        ],
    ),
    variant(
        "valid_extra_prints",
        "debug prints in every function",
        FULL,
        {
            "forward_propagation": [(FP, FP + "    print('J is', J)\n")],
            "backward_propagation": [(BP, BP + "    print('dtheta is', dtheta)\n")],
            "gradient_check": [(GC_GRAD, GC_GRAD + "    print('grad', grad, 'approx', gradapprox)\n")],
            "gradient_check_n": [(N_APPROX, N_APPROX + "        print(i, gradapprox[i])\n")],
        },
    ),
    variant(
        "valid_print_msg_default",
        "print_msg=True as the default of both checks",
        FULL,
        {
            "gradient_check": [("epsilon=1e-7, print_msg=False", "epsilon=1e-7, print_msg=True")],
            "gradient_check_n": [("epsilon=1e-7, print_msg=False", "epsilon=1e-7, print_msg=True")],
        },
    ),
    variant(
        "valid_harmless_warnings",
        "warnings.warn and a numpy RuntimeWarning on stderr",
        FULL,
        {
            "forward_propagation": [(FP, "    import warnings\n    warnings.warn('J = ' + str(theta * x))\n" + FP)],
            "gradient_check_n": [(DIFFERENCE, DIFFERENCE + "    np.log(np.zeros(1))\n")],
        },
    ),
    variant(
        "valid_fixed_backprop",
        "the student also fixed the two bugs of backward_propagation_n",
        FULL,
        edits=[
            edit_cell_by_id("backward_propagation_n", "np.dot(dZ2, A1.T) * 2", "np.dot(dZ2, A1.T)"),
            edit_cell_by_id("backward_propagation_n", "db1 = 4. / m", "db1 = 1. / m"),
        ],
    ),
    variant(
        "valid_own_notes_cell",
        "an extra cell of the student's own with harmless code",
        FULL,
        edits=[add_cell_after("forward_propagation_tests", "my_x = np.linspace(0, 1, 5)\nprint(my_x * 2)")],
    ),
    variant(
        "valid_stderr_debug",
        "import sys; debug lines printed to sys.stderr inside both checks",
        FULL,
        merge(
            prepend("gradient_check", "import sys\n\n"),
            prepend("gradient_check_n", "import sys\n\n"),
            {
                "gradient_check": [
                    (GC_GRAD, GC_GRAD + "    print('debug: grad', grad, 'gradapprox', gradapprox, file=sys.stderr)\n")
                ],
                "gradient_check_n": [
                    (DIFFERENCE, DIFFERENCE + "    sys.stderr.write('debug: difference {}\\n'.format(difference))\n")
                ],
            },
        ),
    ),
    variant(
        "valid_getattr_linalg",
        'norm taken as getattr(np, "linalg").norm',
        FULL,
        {
            "gradient_check_n": [
                (
                    N_DIFFERENCE_BLOCK,
                    '    norm = getattr(np, "linalg").norm\n'
                    "    difference = norm(grad - gradapprox) / (norm(grad) + norm(gradapprox))\n",
                )
            ]
        },
    ),
    variant(
        "valid_helper_class",
        "a small class of the student's own, holding epsilon, builds the shifted vectors",
        FULL,
        merge(
            prepend(
                "gradient_check_n",
                "class Shift:\n"
                '    """Shifts one entry of a parameter vector by +/- epsilon."""\n\n'
                "    def __init__(self, epsilon):\n"
                "        self.epsilon = epsilon\n\n"
                "    def apply(self, values, i, sign):\n"
                "        shifted = np.copy(values)\n"
                "        shifted[i] = shifted[i] + sign * self.epsilon\n"
                "        return shifted\n\n\n",
            ),
            {
                "gradient_check_n": [
                    (
                        N_COPY_PLUS + N_STEP_PLUS,
                        "        theta_plus = Shift(epsilon).apply(parameters_values, i, +1)\n",
                    ),
                    (
                        N_COPY_MINUS + N_STEP_MINUS,
                        "        theta_minus = Shift(epsilon).apply(parameters_values, i, -1)\n",
                    ),
                ]
            },
        ),
    ),
    variant(
        "valid_module_helper",
        "a module-level helper function of the student's own for formula (1)",
        FULL,
        merge(
            prepend(
                "gradient_check",
                "def centered_difference(J_plus, J_minus, epsilon):\n"
                "    return (J_plus - J_minus) / (2 * epsilon)\n\n\n",
            ),
            {"gradient_check": [(GC_APPROX, "    gradapprox = centered_difference(J_plus, J_minus, epsilon)\n")]},
        ),
    ),
    variant(
        "valid_comprehensions",
        "a dict comprehension for J(theta +/- epsilon), a list comprehension for the three norms",
        FULL,
        {
            "gradient_check": [
                (
                    GC_PLUS + GC_MINUS + GC_JPLUS + GC_JMINUS + GC_APPROX,
                    "    J = {sign: forward_propagation(x, theta + sign * epsilon) for sign in (+1, -1)}\n"
                    "    gradapprox = (J[+1] - J[-1]) / (2 * epsilon)\n",
                )
            ],
            "gradient_check_n": [
                (
                    N_DIFFERENCE_BLOCK,
                    "    norms = [np.linalg.norm(v) for v in (grad - gradapprox, grad, gradapprox)]\n"
                    "    difference = norms[0] / (norms[1] + norms[2])\n",
                )
            ],
        },
    ),
    variant(
        "valid_global_counter",
        "global counters incremented in forward_propagation and gradient_check_n",
        FULL,
        merge(
            prepend("forward_propagation", "calls = 0\n\n\n"),
            prepend("gradient_check_n", "checks_run = 0\n\n\n"),
            {
                "forward_propagation": [(FP, "    global calls\n    calls += 1\n" + FP)],
                "gradient_check_n": [(SET_UP, "    global checks_run\n    checks_run += 1\n" + SET_UP)],
            },
        ),
    ),
    variant(
        "valid_print_in_forward",
        "forward_propagation prints its inputs and result",
        FULL,
        {
            "forward_propagation": [
                (FP, FP + "    print(f'forward_propagation(x={x}, theta={theta}) = {J}', flush=True)\n")
            ]
        },
    ),
    # ---------------------------------------------------------------- mistakes: lose that exercise only
    variant("ex1_hardcoded_8", "forward_propagation returns 8", NO_EX1, HARDCODED_EX1),
    variant("ex1_plus", "J = theta + x", NO_EX1, {"forward_propagation": [(FP, "    J = theta + x\n")]}),
    variant("ex1_no_return", "forgot to return J", NO_EX1, {"forward_propagation": [("    return J", "    return")]}),
    variant(
        "ex1_array",
        "J as a 1-element array",
        NO_EX1,
        {"forward_propagation": [(FP, "    J = np.array([theta * x])\n")]},
    ),
    variant("ex2_theta", "dtheta = theta", NO_EX2, {"backward_propagation": [(BP, "    dtheta = theta\n")]}),
    variant(
        "ex2_hardcoded_2",
        "backward_propagation returns 2",
        NO_EX2,
        {"backward_propagation": [(BP, "    dtheta = 2\n")]},
    ),
    variant(
        "ex1_ex2_wrong",
        "both 1-D functions wrong; the checks themselves right",
        (0, 0, 3, 5),
        {"forward_propagation": [(FP, "    J = theta ** x\n")], "backward_propagation": [(BP, "    dtheta = theta\n")]},
    ),
    variant(
        "ex3_global_dtheta",
        "2021 seed bug: compares with the notebook's global dtheta",
        NO_EX3,
        {
            "gradient_check": [
                (NUMERATOR, "    numerator = np.linalg.norm(dtheta - gradapprox)\n"),
                (DENOMINATOR, "    denominator = np.linalg.norm(dtheta) + np.linalg.norm(gradapprox)\n"),
            ]
        },
    ),
    variant(
        "ex3_grad_is_gradapprox",
        "grad = gradapprox",
        NO_EX3,
        {"gradient_check": [(GC_GRAD, "    grad = gradapprox\n")]},
    ),
    variant(
        "ex3_divide_by_epsilon",
        "gradapprox divided by epsilon, not 2 epsilon",
        NO_EX3,
        {"gradient_check": [(GC_APPROX, "    gradapprox = (J_plus - J_minus) / epsilon\n")]},
    ),
    variant(
        "ex3_precedence",
        "(J_plus - J_minus) / 2 * epsilon",
        NO_EX3,
        {"gradient_check": [(GC_APPROX, "    gradapprox = (J_plus - J_minus) / 2 * epsilon\n")]},
    ),
    variant(
        "ex3_one_sided",
        "one-sided difference (J(theta + eps) - J(theta)) / eps",
        NO_EX3,
        {"gradient_check": [(GC_APPROX, "    gradapprox = (J_plus - forward_propagation(x, theta)) / epsilon\n")]},
    ),
    variant(
        "ex3_minus_from_plus",
        "theta_minus built from theta_plus",
        NO_EX3,
        {"gradient_check": [(GC_MINUS, "    theta_minus = theta_plus - epsilon\n")]},
    ),
    variant(
        "ex3_ignores_epsilon",
        "a fixed 1e-7 instead of the epsilon argument",
        NO_EX3,
        {
            "gradient_check": [
                (GC_PLUS, "    theta_plus = theta + 1e-7\n"),
                (GC_MINUS, "    theta_minus = theta - 1e-7\n"),
                (GC_APPROX, "    gradapprox = (J_plus - J_minus) / (2 * 1e-7)\n"),
            ]
        },
    ),
    variant(
        "ex3_swapped_arguments",
        "forward_propagation(theta_plus, x): arguments swapped",
        NO_EX3,
        {
            "gradient_check": [
                (GC_JPLUS, "    J_plus = forward_propagation(theta_plus, x)\n"),
                (GC_JMINUS, "    J_minus = forward_propagation(theta_minus, x)\n"),
            ]
        },
    ),
    variant(
        "ex3_inlined_model",
        "J_plus = theta_plus * x and grad = x instead of calling the functions",
        NO_EX3,
        {
            "gradient_check": [
                (GC_JPLUS, "    J_plus = theta_plus * x\n"),
                (GC_JMINUS, "    J_minus = theta_minus * x\n"),
                (GC_GRAD, "    grad = x\n"),
            ]
        },
    ),
    variant(
        "ex3_denominator_missing_term",
        "denominator = norm(grad) only",
        NO_EX3,
        {"gradient_check": [(DENOMINATOR, "    denominator = np.linalg.norm(grad)\n")]},
    ),
    variant(
        "ex3_returns_verdict",
        "returns difference < threshold instead of the difference",
        NO_EX3,
        {"gradient_check": [(RETURN, "    return difference < DIFFERENCE_THRESHOLD")]},
    ),
    variant(
        "ex3_hardcoded",
        "returns 2.919335883291695e-10",
        NO_EX3,
        {"gradient_check": [(RETURN, "    return 2.919335883291695e-10")]},
    ),
    variant(
        "ex4_no_copy",
        "theta_plus = parameters_values (no copy)",
        NO_EX4,
        {
            "gradient_check_n": [
                (N_COPY_PLUS, "        theta_plus = parameters_values\n"),
                (N_COPY_MINUS, "        theta_minus = parameters_values\n"),
            ]
        },
    ),
    variant(
        "ex4_minus_from_plus",
        "theta_minus copied from theta_plus",
        NO_EX4,
        {"gradient_check_n": [(N_COPY_MINUS, "        theta_minus = np.copy(theta_plus)\n")]},
    ),
    variant(
        "ex4_divide_by_epsilon",
        "gradapprox[i] divided by epsilon",
        NO_EX4,
        {"gradient_check_n": [(N_APPROX, "        gradapprox[i] = (J_plus[i] - J_minus[i]) / epsilon\n")]},
    ),
    variant(
        "ex4_precedence",
        "(J_plus[i] - J_minus[i]) / 2 * epsilon",
        NO_EX4,
        {"gradient_check_n": [(N_APPROX, "        gradapprox[i] = (J_plus[i] - J_minus[i]) / 2 * epsilon\n")]},
    ),
    variant(
        "ex4_plus_twice",
        "J_minus computed from theta_plus",
        NO_EX4,
        {"gradient_check_n": [(N_J_MINUS, N_J_MINUS.replace("theta_minus))", "theta_plus))"))]},
    ),
    variant(
        "ex4_ignores_epsilon",
        "a fixed 1e-7 instead of the epsilon argument",
        NO_EX4,
        {
            "gradient_check_n": [
                (N_STEP_PLUS, N_STEP_PLUS.replace("+ epsilon", "+ 1e-7")),
                (N_STEP_MINUS, N_STEP_MINUS.replace("- epsilon", "- 1e-7")),
                (N_APPROX, N_APPROX.replace("2 * epsilon", "2 * 1e-7")),
            ]
        },
    ),
    variant(
        "ex4_grad_is_gradapprox",
        "grad = gradapprox before formula (3)",
        NO_EX4,
        {"gradient_check_n": [(N_DIFFERENCE_BLOCK, "    grad = gradapprox\n" + N_DIFFERENCE_BLOCK)]},
    ),
    variant(
        "ex4_float32",
        "perturbed vectors in float32",
        NO_EX4,
        {
            "gradient_check_n": [
                (N_COPY_PLUS, "        theta_plus = np.copy(parameters_values).astype(np.float32)\n"),
                (N_COPY_MINUS, "        theta_minus = np.copy(parameters_values).astype(np.float32)\n"),
            ]
        },
    ),
    variant(
        "ex4_float32_result",
        "the difference returned in float32",
        NO_EX4,
        {"gradient_check_n": [(RETURN, "    return np.float32(difference)")]},
    ),
    variant(
        "ex4_broadcast",
        "grad - gradapprox.T broadcasts to a 47 x 47 matrix",
        NO_EX4,
        {"gradient_check_n": [(NUMERATOR, "    numerator = np.linalg.norm(grad - gradapprox.T)\n")]},
    ),
    variant(
        "ex4_l1_norm",
        "the 1-norm instead of the 2-norm",
        NO_EX4,
        {
            "gradient_check_n": [
                (NUMERATOR, "    numerator = np.linalg.norm(grad - gradapprox, ord=1)\n"),
                (DENOMINATOR, "    denominator = np.linalg.norm(grad, 1) + np.linalg.norm(gradapprox, 1)\n"),
            ]
        },
    ),
    variant("ex4_hardcoded", "returns 0.2850931566540251", NO_EX4, HARDCODED_EX4),
    variant(
        "ex3_abs_of_abs",
        "abs(abs(grad) - abs(gradapprox)) / (abs(grad) + abs(gradapprox)): blind to a wrong sign",
        NO_EX3,
        {
            "gradient_check": [
                (
                    N_DIFFERENCE_BLOCK,
                    "    difference = abs(abs(grad) - abs(gradapprox)) / (abs(grad) + abs(gradapprox))\n",
                )
            ]
        },
    ),
    variant(
        "ex3_shortcut_relative_difference",
        "formula (2) by gc_utils.relative_difference (switched off while Exercise 3 is graded)",
        NO_EX3,
        merge(
            prepend("gradient_check", "from gc_utils import relative_difference\n\n\n"),
            {"gradient_check": [(N_DIFFERENCE_BLOCK, "    difference = relative_difference(grad, gradapprox)\n")]},
        ),
    ),
    variant(
        "ex4_abs_of_abs",
        "norms of np.abs(grad) and np.abs(gradapprox): blind to a wrong sign",
        NO_EX4,
        {
            "gradient_check_n": [
                (
                    N_DIFFERENCE_BLOCK,
                    "    numerator = np.linalg.norm(np.abs(grad) - np.abs(gradapprox))\n"
                    "    denominator = np.linalg.norm(np.abs(grad)) + np.linalg.norm(np.abs(gradapprox))\n"
                    + DIFFERENCE,
                )
            ]
        },
    ),
    variant(
        "ex4_shortcuts",
        "gc_utils.numerical_gradient and relative_difference instead of the loop (switched off while graded)",
        NO_EX4,
        merge(
            prepend("gradient_check_n", "from gc_utils import numerical_gradient, relative_difference\n\n\n"),
            {
                "gradient_check_n": [
                    (N_COPY_PLUS + N_STEP_PLUS + N_J_PLUS, "        pass\n"),
                    (N_COPY_MINUS + N_STEP_MINUS + N_J_MINUS, "        pass\n"),
                    (N_APPROX, "        pass\n"),
                    (
                        N_DIFFERENCE_BLOCK,
                        "    cost = lambda theta: forward_propagation_n(X, Y, vector_to_dictionary(theta))[0]\n"
                        "    gradapprox = numerical_gradient(cost, parameters_values, epsilon)\n"
                        "    difference = relative_difference(grad, gradapprox)\n",
                    ),
                ]
            },
        ),
    ),
    variant(
        "ex4_1d_gradapprox",
        "gradapprox = np.zeros(num_parameters): with NumPy 2.4, gradapprox[i] = <array of shape (1,)> raises ValueError",
        NO_EX4,
        {"gradient_check_n": [(N_GRADAPPROX_ZEROS, "    gradapprox = np.zeros(num_parameters)\n")]},
    ),
    # Mistakes of the 55 real solutions of issue 15 that the public tests once missed: each is now named by a
    # public test (tests/grading/test_instructor_autograde_catalogue.py checks that no honest variant passes a
    # public test and then loses points at grading).
    variant(
        "ex2_divides_by_theta",
        "dtheta = forward_propagation(x, theta) / theta: fails at theta = 0",
        NO_EX2,
        {"backward_propagation": [(BP, "    dtheta = forward_propagation(x, theta) / theta\n")]},
    ),
    variant(
        "ex3_grad_is_x",
        "grad = x instead of calling backward_propagation",
        NO_EX3,
        {"gradient_check": [(GC_GRAD, "    grad = x\n")]},
    ),
    variant(
        "ex3_backward_of_gradapprox",
        "grad = backward_propagation(x, gradapprox)",
        NO_EX3,
        {"gradient_check": [(GC_GRAD, "    grad = backward_propagation(x, gradapprox)\n")]},
    ),
    variant(
        "ex3_inlined_forward",
        "J_plus = theta_plus * x instead of calling forward_propagation; grad right",
        NO_EX3,
        {
            "gradient_check": [
                (GC_JPLUS, "    J_plus = theta_plus * x\n"),
                (GC_JMINUS, "    J_minus = theta_minus * x\n"),
            ]
        },
    ),
    variant(
        "ex4_global_cache",
        "grad from the notebook's backward_propagation_n(X, Y, cache), its global cache, not the gradients argument",
        NO_EX4,
        {
            "gradient_check_n": [
                (
                    "    grad = gradients_to_vector(gradients)\n",
                    "    grad = gradients_to_vector(backward_propagation_n(X, Y, cache))\n",
                )
            ]
        },
    ),
    variant(
        "ex4_inlined_forward",
        "the cost computed by a function of the student's own instead of calling forward_propagation_n",
        NO_EX4,
        merge(
            prepend(
                "gradient_check_n",
                "def my_cost(X, Y, theta):\n"
                "    p = vector_to_dictionary(theta)\n"
                '    A1 = np.maximum(0, np.dot(p["W1"], X) + p["b1"])\n'
                '    A2 = np.maximum(0, np.dot(p["W2"], A1) + p["b2"])\n'
                '    A3 = 1 / (1 + np.exp(-(np.dot(p["W3"], A2) + p["b3"])))\n'
                "    return np.mean(-Y * np.log(A3) - (1 - Y) * np.log(1 - A3))\n\n\n",
            ),
            {
                "gradient_check_n": [
                    (N_J_PLUS, "        J_plus[i] = my_cost(X, Y, theta_plus)\n"),
                    (N_J_MINUS, "        J_minus[i] = my_cost(X, Y, theta_minus)\n"),
                ]
            },
        ),
    ),
    # ---------------------------------------------------------------- tampering: gains nothing
    variant(
        "tamper_numpy_in_solution",
        "np.allclose / np.isclose replaced, with a hard-coded answer",
        NO_EX4,
        merge(prepend("gradient_check_n", TAMPER_NUMPY), HARDCODED_EX4),
    ),
    variant(
        "tamper_numpy_in_ex1_cell",
        "numpy patched from Exercise 1's cell, with a hard-coded Exercise 4 (only that one is lost)",
        NO_EX4,
        merge(prepend("forward_propagation", TAMPER_NUMPY), HARDCODED_EX4),
    ),
    variant(
        "tamper_norm_at_call_time",
        "np.linalg.norm replaced inside the function body",
        NO_EX4,
        {"gradient_check_n": [(NUMERATOR, "    np.linalg.norm = lambda *a, **k: 0.0\n" + NUMERATOR)]},
    ),
    variant(
        "tamper_rebind_helpers",
        "bilingual, print and a public test rebound, with a wrong answer",
        NO_EX4,
        merge(
            prepend(
                "gradient_check_n",
                "bilingual = lambda en, zh: ''\nprint = lambda *a, **k: None\n"
                "gradient_check_n_test = lambda target: None\n",
            ),
            HARDCODED_EX4,
        ),
    ),
    variant(
        "tamper_exec_and_setattr",
        "exec / setattr / builtins to patch numpy",
        NO_EX4,
        merge(
            prepend(
                "gradient_check_n",
                "exec('np.isclose = lambda *a, **k: True')\nsetattr(np, 'allclose', lambda *a, **k: True)\n",
            ),
            HARDCODED_EX4,
        ),
    ),
    variant(
        "tamper_builtins_abs",
        "import builtins; builtins.abs replaced, with a wrong answer",
        NO_EX1,
        merge(prepend("forward_propagation", "import builtins\nbuiltins.abs = lambda v: 0\n"), HARDCODED_EX1),
    ),
    variant(
        "tamper_class_liar",
        "returns an object whose comparisons always succeed",
        NO_EX4,
        merge(
            prepend("gradient_check_n", "class Liar(float):\n    def __eq__(self, other):\n        return True\n\n"),
            {"gradient_check_n": [(RETURN, "    return Liar(0.2850931566540251)")]},
        ),
    ),
    variant(
        "tamper_ipython_hook",
        "an extra cell that makes IPython skip every later cell: the student's own later cells, and the "
        "grader's calls of their functions, never run",
        (1, 0, 0, 0),
        HARDCODED_EX4,
        bonus=False,
        edits=[
            add_cell_after(
                "forward_propagation_tests", "get_ipython().input_transformers_cleanup.append(lambda lines: [])"
            )
        ],
    ),
    variant(
        "tamper_shell_escape",
        "an extra cell with a shell escape that deletes the tests' module",
        FULL,
        edits=[add_cell_after("imports", "!rm -f public_tests.py gc_utils.py")],
    ),
    variant(
        "tamper_shared_table",
        "the helpers' shape table changed through 'from testCases import *'",
        NO_EX4,
        merge(prepend("gradient_check_n", "from testCases import *\nPARAMETER_SHAPES['b3'] = (1, 1)\n"), HARDCODED_EX4),
    ),
    variant(
        "tamper_pickle",
        "bytes written with tofile and unpickled with np.load",
        NO_EX4,
        merge(
            prepend("gradient_check_n", "np.array([1]).tofile('evil.npy')\nnp.load('evil.npy', allow_pickle=True)\n"),
            HARDCODED_EX4,
        ),
    ),
    variant(
        "tamper_type_builder",
        "a lying class built with type() instead of 'class'",
        NO_EX4,
        merge(
            prepend("gradient_check_n", "Liar = type('Liar', (float,), {'__eq__': lambda self, other: True})\n"),
            {"gradient_check_n": [(RETURN, "    return Liar(0.2850931566540251)")]},
        ),
    ),
    variant(
        "tamper_module_data",
        "data inside numpy changed (np.typecodes): breaks nothing the solution uses",
        FULL,
        prepend("backward_propagation", "np.typecodes['AllFloat'] = ''\n"),
    ),
    variant(
        "tamper_writefile",
        "%%writefile replaces public_tests.py on disk, with a wrong answer",
        NO_EX1,
        HARDCODED_EX1,
        edits=[add_cell_after("imports", "%%writefile public_tests.py\n" + PASSING_PUBLIC_TESTS)],
    ),
    variant(
        "tamper_edit_test_cell",
        "the locked test cell of Exercise 4 replaced by 'pass'",
        NO_EX4,
        HARDCODED_EX4,
        edits=[replace_test_cell("gradient_check_n_tests", "pass")],
    ),
    variant(
        "tamper_impostor_test_cell",
        "a 'pass' cell carrying a copy of Exercise 4's test metadata",
        NO_EX4,
        HARDCODED_EX4,
        edits=[add_impostor_after("gradient_check_n_tests", "pass")],
    ),
    variant(
        "tamper_impostor_imports_cell",
        "a cell carrying the imports cell's metadata patches numpy",
        NO_EX4,
        HARDCODED_EX4,
        edits=[add_impostor_after("imports", TAMPER_NUMPY)],
    ),
    variant(
        "tamper_delete_test_cell",
        "the test cell of Exercise 3 deleted",
        NO_EX3,
        {"gradient_check": [(GC_GRAD, "    grad = gradapprox\n")]},
        edits=[delete_cell("gradient_check_tests")],
    ),
    variant(
        "tamper_points_metadata",
        "points of Exercise 1 raised to 100 and the cell unlocked",
        FULL,
        edits=[set_metadata("forward_propagation_tests", points=100, locked=False)],
    ),
    variant(
        "tamper_solution_marked_graded",
        "Exercise 4's solution cell marked as a graded cell worth 50",
        FULL,
        edits=[set_metadata("gradient_check_n", grade=True, points=50)],
    ),
    variant(
        "tamper_test_flags_removed",
        "Exercise 1's test cell stripped of its grade flag and points",
        NO_EX1,
        HARDCODED_EX1,
        edits=[replace_metadata("forward_propagation_tests", {"grade_id": "forward_propagation_tests"})],
    ),
    variant(
        "tamper_fake_graded_cell",
        "an extra graded cell worth 50 points",
        FULL,
        edits=[
            add_cell_after(
                "gradient_check_n_tests",
                "print('bonus')",
                metadata={
                    "nbgrader": {
                        "grade": True,
                        "grade_id": "bonus_tests",
                        "locked": True,
                        "points": 50,
                        "schema_version": 3,
                        "solution": False,
                        "task": False,
                    }
                },
            )
        ],
    ),
    variant(
        "tamper_shipped_helpers",
        "modified public_tests.py and gc_utils.py shipped, with a wrong answer",
        NO_EX1,
        HARDCODED_EX1,
        files={"public_tests.py": PASSING_PUBLIC_TESTS + "\n", "gc_utils.py": "raise SystemExit('tampered')\n"},
    ),
    variant(
        "tamper_shadow_numpy",
        "a numpy.py next to the notebook that makes comparisons pass",
        NO_EX1,
        HARDCODED_EX1,
        files={"numpy.py": SHADOW_NUMPY},
    ),
    # ---------------------------------------------------------------- attacks on the grader: change no verdict
    *attack_pair(
        "attack_transformer",
        "an IPython input transformer wraps every later cell in try/except BaseException: pass",
        SWALLOWING_TRANSFORMER,
    ),
    variant(
        "attack_transformer_hardcoded",
        "the input transformer of attack_transformer, with a hard-coded Exercise 4",
        NO_EX4,
        HARDCODED_EX4,
        edits=[add_cell_after("imports", SWALLOWING_TRANSFORMER)],
    ),
    *attack_pair(
        "attack_transformer_via_warnings",
        'the transformer installed by warnings.sys.modules["builtins"].exec(...)',
        TRANSFORMER_VIA_WARNINGS,
    ),
    *attack_pair(
        "attack_transformer_via_gi_frame",
        "the transformer installed by exec taken from a generator's gi_frame.f_builtins",
        TRANSFORMER_VIA_GI_FRAME,
    ),
    *attack_pair(
        "attack_custom_exc", "get_ipython().set_custom_exc((BaseException,), ...) swallows errors", CUSTOM_EXC
    ),
    *attack_pair("attack_showtraceback", "get_ipython().showtraceback replaced by a no-op", NO_TRACEBACKS),
    *attack_pair("attack_excepthook", "sys.excepthook replaced by a no-op", EXCEPTHOOK),
    *attack_pair("attack_builtins", "builtins.AssertionError, print and isinstance patched", PATCHED_BUILTINS),
    *attack_pair(
        "attack_fake_numpy_module", 'sys.modules["numpy"] replaced by a numpy whose comparisons pass', FAKE_NUMPY_MODULE
    ),
    *attack_pair(
        "attack_fake_public_tests",
        'sys.modules["public_tests"] replaced by a module whose tests do nothing',
        FAKE_PUBLIC_TESTS_MODULE,
    ),
    *attack_pair("attack_numpy_comparisons", "np.isclose, allclose, array_equal, testing patched", NUMPY_COMPARISONS),
    variant(
        "attack_lying_float",
        "forward_propagation returns a float subclass whose comparisons and arithmetic lie",
        NO_EX1,
        merge(prepend("forward_propagation", LIAR_FLOAT), {"forward_propagation": [(FP, "    J = LyingFloat(8)\n")]}),
    ),
    variant(
        "attack_lying_ndarray",
        "gradient_check returns an ndarray subclass whose comparisons lie",
        NO_EX3,
        merge(
            prepend("gradient_check", LIAR_NDARRAY),
            {"gradient_check": [(RETURN, "    return np.asarray(2.919335883291695e-10).view(LyingArray)")]},
        ),
    ),
    variant(
        "attack_float_and_array_protocol",
        "gradient_check_n returns an object whose __float__ and __array__ give the expected value",
        NO_EX4,
        merge(
            prepend("gradient_check_n", EXPECTED_LOOKALIKE),
            {"gradient_check_n": [(RETURN, "    return LooksExpected()")]},
        ),
    ),
    variant(
        "attack_stack_inspection",
        "gradient_check_n looks for the grader with inspect.stack() and then returns a hard-coded value",
        NO_EX4,
        merge(
            prepend("gradient_check_n", GRADER_ON_STACK),
            {
                "gradient_check_n": [
                    (SET_UP, "    if called_by_grader():\n        return 0.2850931566540251\n" + SET_UP)
                ]
            },
        ),
    ),
    variant(
        "attack_getframe_detection",
        "forward_propagation walks sys._getframe() for a test and then returns a hard-coded 8",
        NO_EX1,
        merge(
            prepend("forward_propagation", UNDER_TEST_BY_FRAMES),
            {"forward_propagation": [(FP, "    J = 8 if under_test() else theta * x\n")]},
        ),
    ),
    variant(
        "attack_expected_from_frames",
        "gradient_check returns a value named expected / _expected found in its callers' frames",
        NO_EX3,
        merge(
            prepend("gradient_check", EXPECTED_FROM_FRAMES),
            {"gradient_check": [(RETURN, "    return expected_from_callers()")]},
        ),
    ),
    variant(
        "attack_expected_from_gc",
        "gradient_check_n returns a float near 0.285 found with gc.get_objects()",
        NO_EX4,
        merge(
            prepend("gradient_check_n", EXPECTED_FROM_MEMORY),
            {"gradient_check_n": [(RETURN, "    return expected_from_memory()")]},
        ),
    ),
    variant(
        "attack_expected_from_callers_source",
        "gradient_check returns the first number found in the source of its callers (inspect.getsource)",
        NO_EX3,
        merge(
            prepend("gradient_check", EXPECTED_FROM_CALLERS_SOURCE),
            {"gradient_check": [(RETURN, "    return expected_from_sources()")]},
        ),
    ),
    variant(
        "attack_expected_from_notebook_file",
        "gradient_check_n returns a number near 0.285 read from the notebook file in the working folder",
        NO_EX4,
        merge(
            prepend("gradient_check_n", EXPECTED_FROM_NOTEBOOK_FILE),
            {"gradient_check_n": [(RETURN, "    return expected_from_notebook()")]},
        ),
    ),
    # ---------------------------------------------------------------- faults: cost only their exercise
    variant(
        "fault_infinite_loop",
        "an infinite loop in gradient_check",
        NO_EX3,
        {"gradient_check": [(GC_GRAD, "    while True:\n        pass\n")]},
    ),
    variant(
        "fault_memory_blowup",
        "gradient_check_n allocates memory until it runs out",
        NO_EX4,
        {
            "gradient_check_n": [
                (NUMERATOR, "    hog = []\n    while True:\n        hog.append(np.ones(10 ** 7))\n" + NUMERATOR)
            ]
        },
    ),
    variant(
        "fault_sys_exit",
        "sys.exit() in forward_propagation",
        NO_EX1,
        {"forward_propagation": [(FP, "    import sys\n    sys.exit()\n")]},
    ),
    variant(
        "fault_os_exit",
        "os._exit(1) in gradient_check",
        NO_EX3,
        {"gradient_check": [(GC_GRAD, "    import os\n    os._exit(1)\n")]},
    ),
    variant(
        "fault_builtin_exit", "exit() in backward_propagation", NO_EX2, {"backward_propagation": [(BP, "    exit()\n")]}
    ),
    variant(
        "fault_raw_memory",
        "reading far outside an array with np.lib.stride_tricks (would crash the kernel)",
        NO_EX3,
        {
            "gradient_check": [
                (
                    GC_GRAD,
                    "    np.lib.stride_tricks.as_strided(np.zeros(1), shape=(2,), "
                    "strides=(2 ** 44,)).sum()\n" + GC_GRAD,
                )
            ]
        },
    ),
    variant(
        "fault_uninterruptible",
        "a computation inside C code that an interrupt cannot stop",
        NO_EX4,
        {"gradient_check_n": [(NUMERATOR, "    sum(range(10 ** 13))\n" + NUMERATOR)]},
    ),
    variant(
        "fault_huge_output",
        "forward_propagation prints two megabytes at every call",
        FULL,
        {"forward_propagation": [(FP, FP + "    print('x' * 2000000)\n")]},
    ),
    variant(
        "fault_many_lines",
        "backward_propagation prints 20000 lines at every call",
        FULL,
        {"backward_propagation": [(BP, BP + "    for line in range(20000):\n        print(line)\n")]},
    ),
]

HONEST = [v for v in VARIANTS if v.name.startswith(HONEST_PREFIXES)]
