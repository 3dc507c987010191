"""The catalogue of student submissions: small source snippets and the score each must get.

Every variant starts from the reference solution (or, with ``start="release"``, from the untouched
release notebook) and changes it by
* ``patches``: ``{exercise: [(old, new), ...]}`` text replacements in that exercise's solution cell
  (each ``old`` must occur exactly once);
* ``edits``: functions ``notebook -> None`` that change the notebook itself (test cells, metadata,
  extra cells) -- see the helpers at the end;
* ``files``: ``{file name: text}`` written next to the notebook (shipped helper modules etc.).

``expected`` is the score per exercise, in the order of ``course.assignment.EXERCISES``
(forward_propagation 1, backward_propagation 1, gradient_check 3, gradient_check_n 5).
Sources of the mistakes: the seeds (2017 and 2021 versions), public copies of this exercise
(e.g. ``J_plus = theta_plus * x`` and ``grad = x`` inlined instead of calling the model, arguments
passed in the wrong order, ``thetaplus[i][0]`` indexing) and the issue's list.
"""

import copy
from collections import namedtuple

import nbformat

Variant = namedtuple("Variant", "name what expected patches edits files start")
FULL = (1, 1, 3, 5)
NO_EX1, NO_EX2, NO_EX3, NO_EX4 = (0, 1, 3, 5), (1, 0, 3, 5), (1, 1, 0, 5), (1, 1, 3, 0)


def variant(name, what, expected, patches=None, edits=(), files=None, start="reference"):
    return Variant(name, what, expected, patches or {}, tuple(edits), files or {}, start)


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
    # ---------------------------------------------------------------- tampering: gains nothing
    variant(
        "tamper_numpy_in_solution",
        "np.allclose / np.isclose replaced, with a hard-coded answer",
        NO_EX4,
        merge(prepend("gradient_check_n", TAMPER_NUMPY), HARDCODED_EX4),
    ),
    variant(
        "tamper_numpy_in_ex1_cell",
        "numpy patched from Exercise 1's cell (costs Exercise 1)",
        (0, 1, 3, 0),
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
        "an extra cell that makes IPython skip every later cell",
        NO_EX4,
        HARDCODED_EX4,
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
        "data inside numpy changed (np.typecodes)",
        NO_EX2,
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
