"""Every number the sections of issue 5 quote is recomputed here with the notebook's own code.

The master notebook's code cells (reference solutions included) run in one namespace, with the
non-interactive Agg backend. Each quoted number must appear, as written, in the English AND the
Chinese cell, and must agree with the computed value within half a unit of its last quoted digit
(``rounding``), plus, for values dominated by floating-point round-off, ``PLATFORM_RTOL``: their
last digits depend on the machine (the notebook says so), their order of magnitude does not.
"""

import math

import matplotlib
import nbformat
import numpy as np
import pytest
from support.course import source_notebook_path

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Relative tolerance for values dominated by round-off (they vary from one machine to another).
PLATFORM_RTOL = 0.2
#: The timing ratios are quoted as orders of magnitude: [low, high) for P = 47 and for the largest P.
TIMING_ORDERS = {"hundreds": (100, 1000), "tens of thousands": (10_000, 100_000)}


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(str(source_notebook_path()), as_version=4)


@pytest.fixture(scope="module")
def ns(notebook):
    """The namespace after running every code cell of the master notebook (plots closed, not shown)."""
    namespace = {}
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    try:
        for cell in notebook.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, "<cell {}>".format(cell.id), "exec"), namespace)
    finally:
        plt.show = show
        plt.close("all")
    return namespace


def texts(notebook, name):
    """(English, Chinese) source of the markdown pair ``name-en`` / ``name-zh``."""
    cells = {cell.get("id"): cell.source for cell in notebook.cells}
    return cells[name + "-en"], cells[name + "-zh"]


def quoted_value(quoted):
    """The number a quoted string stands for, and half a unit of its last digit."""
    percent = quoted.endswith("%")
    digits = quoted.rstrip("%")
    mantissa, _, exponent = digits.partition("e")
    decimals = len(mantissa.partition(".")[2])
    half_unit = 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))
    scale = 0.01 if percent else 1.0
    return float(digits) * scale, half_unit * scale


def _block(ns, report_name, block):
    return next(row["difference"] for row in ns[report_name] if row["block"] == block)


def _b3_at_course_epsilon(ns):
    approx = ns["numerical_gradient"](ns["course_cost"], ns["theta"], 1e-7)
    report = ns["block_differences"](ns["fixed_grad"], approx)
    return next(row["difference"] for row in report if row["block"] == "b3")


def _sweep_calls(ns):
    counted = ns["counting"](ns["course_cost"])
    ns["epsilon_sweep"](counted, ns["theta"], {"correct": ns["fixed_grad"], "buggy": ns["buggy_grad"]})
    ns["epsilon_sweep"](counted, ns["theta"], {"correct": ns["fixed_grad"]}, one_sided=True)
    return counted.calls


def _at(ns, curve, epsilon):
    return curve[int(np.argmin(np.abs(ns["EPSILONS"] - epsilon)))]


#: (markdown pair, quoted string, value computed from the namespace, platform-dependent?)
QUOTES = [
    ("fix", "2.5e-07", _b3_at_course_epsilon, True),
    ("blocks-read", "0.333", lambda ns: _block(ns, "buggy_report", "W2"), False),
    ("blocks-read", "0.600", lambda ns: _block(ns, "buggy_report", "b1"), False),
    ("blocks-read", "8", lambda ns: ns["wrong_entries"], False),
    ("blocks-fixed-intro", "1.19e-07", lambda ns: ns["difference"], True),
    ("epsilon", "1420", _sweep_calls, False),
    ("epsilon-read", "1.9e-10", lambda ns: min(ns["two_sided"]["correct"]), True),
    ("epsilon-read", "1.19e-07", lambda ns: _at(ns, ns["two_sided"]["correct"], 1e-7), True),
    ("epsilon-read", "1.2e-04", lambda ns: _at(ns, ns["two_sided"]["correct"], 1e-10), True),
    ("epsilon-read", "0.285", lambda ns: min(ns["two_sided"]["buggy"]), False),
    ("epsilon-read", "0.285", lambda ns: max(ns["two_sided"]["buggy"]), False),
    ("epsilon-read", "3.0e-08", lambda ns: min(ns["one_sided"]["correct"]), True),
    ("epsilon-read", "1.9e-06", lambda ns: _at(ns, ns["one_sided"]["correct"], 1e-4), True),
    ("float32-read", "4.6e-04", lambda ns: min(ns["float32_sweep"]), True),
    ("float32-read", "0.69", lambda ns: _at(ns, ns["float32_sweep"], 1e-7), True),
    ("float32-read", "1.0", lambda ns: _at(ns, ns["float32_sweep"], 1e-8), False),
    ("cheap-read", "18%", lambda ns: ns["caught_rate"][1], False),
    ("cheap-read", "87%", lambda ns: ns["caught_rate"][10], False),
    ("cheap-read", "99%", lambda ns: ns["caught_rate"][20], False),
    ("cheap-read", "1.5e-04", lambda ns: min(ns["directional"]["buggy"]), True),
    ("cheap-read", "1.5e-06", lambda ns: max(ns["directional"]["correct"]), True),
    ("reg-read", "9.3e-10", lambda ns: ns["l2_differences"]["with"], True),
    ("reg-read", "8.8e-02", lambda ns: ns["l2_differences"]["without"], False),
    ("dropout-read", "1.0", lambda ns: ns["dropout_differences"]["fresh"], False),
    ("dropout-read", "8.9e-10", lambda ns: ns["dropout_differences"]["same"], True),
]


@pytest.mark.parametrize("name, quoted, compute, platform", QUOTES, ids=["{}:{}".format(q[0], q[1]) for q in QUOTES])
def test_learner_quoted_number_matches_the_code(notebook, ns, name, quoted, compute, platform):
    for text in texts(notebook, name):
        assert "`{}`".format(quoted) in text, "{} does not quote `{}`".format(name, quoted)
    expected, half_unit = quoted_value(quoted)
    value = compute(ns)
    tolerance = half_unit + (PLATFORM_RTOL * abs(expected) if platform else 0.0)
    assert abs(value - expected) <= tolerance * (1 + 1e-9), "{}: text says {}, code gives {!r}".format(
        name, quoted, value
    )


def test_learner_epsilon_sweep_shape(ns):
    """The claims of 'Reading the plot': minimum near 1e-4, slopes, ratios between the curves."""
    epsilons, correct = ns["EPSILONS"], ns["two_sided"]["correct"]
    one_sided, buggy = ns["one_sided"]["correct"], ns["two_sided"]["buggy"]
    assert epsilons[int(np.argmin(correct))] == pytest.approx(1e-4)  # "minimum ... near 1e-4"
    assert epsilons[int(np.argmin(one_sided))] == pytest.approx(1e-6)  # "(at epsilon = 1e-6)"
    assert 50 < _at(ns, correct, 1e-2) / _at(ns, correct, 1e-3) < 200  # "about 100 per decade"
    assert 5 < _at(ns, correct, 1e-8) / _at(ns, correct, 1e-7) < 20  # "about 10 times per decade"
    assert math.floor(math.log10(min(buggy) / _at(ns, correct, 1e-7))) == 6  # "six orders of magnitude"
    assert 1e6 <= min(buggy) / ns["DIFFERENCE_THRESHOLD"] < 1e7  # "a million times below"
    ratio = _at(ns, one_sided, 1e-4) / _at(ns, correct, 1e-4)
    assert 5e3 < ratio < 2e4  # "ten thousand times worse"
    assert _at(ns, correct, 1e-7) < ns["DIFFERENCE_THRESHOLD"] and _at(ns, correct, 1e-7) > 1e-7


def test_learner_float32_claims(ns):
    """Best epsilon 1e-2 in float32, exactly 1.0 at and below 1e-8, round-off ~1e9 times float64's."""
    epsilons, sweep = ns["EPSILONS"], ns["float32_sweep"]
    assert epsilons[int(np.argmin(sweep))] == pytest.approx(1e-2)
    assert all(value == 1.0 for epsilon, value in zip(epsilons, sweep) if epsilon <= 1e-8)
    assert round(math.log10(np.finfo(np.float32).eps / np.finfo(np.float64).eps)) == 9


#: Repeats of each timing (the shortest counts): more than the notebook's, to damp a busy machine's noise.
TIMING_REPEATS = {"check": 5, "backprop": 50}


def measured_ratio(ns, n1, n2):
    """Time of the numerical gradient / time of one backprop, for hidden layers (n1, n2), with the notebook's code."""
    shapes = ns["network_shapes"](n1, n2)
    rng = np.random.RandomState(0)
    net = {name: rng.randn(*shape) * 0.5 for name, shape in shapes.items()}
    vector, _ = ns["dictionary_to_vector"](net, shapes)
    X, Y = ns["X"], ns["Y"]
    _, cache = ns["forward_propagation_n"](X, Y, net)
    cost = ns["cost_of_vector"](X, Y, shapes=shapes)
    check = ns["best_time"](lambda: ns["numerical_gradient"](cost, vector), repeat=TIMING_REPEATS["check"])
    backprop = ns["best_time"](
        lambda: ns["backward_propagation_n_fixed"](X, Y, cache), repeat=TIMING_REPEATS["backprop"]
    )
    return check / backprop


def test_learner_cost_claims(notebook, ns):
    """2P = 94 forward passes; check/backprop: hundreds at P = 47, tens of thousands at P = 5601."""
    assert ns["counted_cost"].calls == 2 * ns["theta"].shape[0] == 94
    assert "94" in texts(notebook, "notes")[0] and "94" in texts(notebook, "notes")[1]
    assert (ns["sizes"][0], ns["sizes"][-1]) == (47, 5601)
    for text in texts(notebook, "cost-timing-intro"):
        assert "47" in text and "5601" in text
    ratios = [measured_ratio(ns, *ns["HIDDEN_SIZES"][k]) for k in (0, -1)]
    low, high = TIMING_ORDERS["hundreds"]
    assert low <= ratios[0] < high, ratios
    low, high = TIMING_ORDERS["tens of thousands"]
    assert low <= ratios[-1] < high, ratios
    assert "hundreds" in texts(notebook, "cost-read")[0] and "tens of thousands" in texts(notebook, "cost-read")[0]


def test_learner_subset_rate_matches_probability(notebook, ns):
    """One random coordinate catches the bug about wrong_entries / P of the time ("8/47 ≈ 17% expected")."""
    expected = ns["wrong_entries"] / ns["theta"].shape[0]
    for text in texts(notebook, "cheap-read"):
        assert "8/47 ≈ 17%" in text
    assert round(expected, 2) == 0.17
    assert abs(ns["caught_rate"][1] - expected) < 0.05


def bonus_points(notebook):
    """Points of the bonus exercise's test cell."""
    return next(
        cell.metadata["nbgrader"]["points"]
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "backward_propagation_n_fixed_tests"
    )


def test_learner_settings_the_text_names_are_the_code_settings(notebook, ns):
    """λ = 0.7, keep_prob = 0.8, 200 trials, ε = 1e-4 for the block report, 2 bonus points, other blocks ~1e-10."""
    checks = [
        ("reg-read", "\\lambda = 0.7", ns["LAMBD"] == 0.7),
        ("reg-read", "`keep_prob = 0.8`", ns["KEEP_PROB"] == 0.8),
        ("cost-read", "200 trials", ns["TRIALS"] == 200),
        ("fix", "\\varepsilon = 10^{-4}", ns["BLOCK_EPSILON"] == 1e-4),
        ("bonus", "2 bonus points", bonus_points(notebook) == 2),
    ]
    for name, phrase, holds in checks:
        assert phrase in texts(notebook, name)[0], (name, phrase)
        assert holds, (name, phrase)
    zh = texts(notebook, "bonus")[1]
    assert "2 个附加分" in zh
    others = [row["difference"] for row in ns["buggy_report"] if row["block"] not in ("W2", "b1")]
    assert all(1e-11 < value < 1e-9 for value in others), others  # "around 10^-10"
    assert (
        "around $10^{-10}$" in texts(notebook, "blocks-read")[0]
        and "$10^{-10}$ 左右" in texts(notebook, "blocks-read")[1]
    )
