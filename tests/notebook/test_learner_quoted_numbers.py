"""Every number the sections of issues 5 and 15 quote is recomputed here with the notebook's own code.

The master notebook's code cells (reference solutions included) run in one namespace, with the
non-interactive Agg backend. Each quoted number must appear, as written, in the English AND the
Chinese cell, and must agree with the computed value within half a unit of its last quoted digit
(``rounding``), plus, for values dominated by floating-point round-off, ``PLATFORM_RTOL``: their
last digits depend on the machine (the notebook says so), their order of magnitude does not.
"""

import math
import re

import matplotlib
import nbformat
import numpy as np
import pytest
from support.course import narrative_texts, source_notebook_path

from course.notebooks import reference_solutions

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


def _block_at_course_epsilon(ns, block):
    """Difference of one block of the corrected backprop at epsilon = 1e-7 (the exercise's epsilon)."""
    approx = ns["numerical_gradient"](ns["course_cost"], ns["theta"], 1e-7)
    report = ns["block_differences"](ns["corrected_grad"], approx)
    return next(row["difference"] for row in report if row["block"] == block)


def _sweep_calls(ns):
    counted = ns["counting"](ns["course_cost"])
    ns["epsilon_sweep"](counted, ns["theta"], {"correct": ns["corrected_grad"], "buggy": ns["buggy_grad"]})
    ns["epsilon_sweep"](counted, ns["theta"], {"correct": ns["corrected_grad"]}, one_sided=True)
    return counted.calls


def _at(ns, curve, epsilon):
    return curve[int(np.argmin(np.abs(ns["EPSILONS"] - epsilon)))]


def _kink_free_difference(ns):
    """Difference at epsilon = 0.1 over the coordinates whose ReLU inputs keep their signs."""
    ok = ns["crossings"] == 0
    return ns["relative_difference"](ns["corrected_grad"][ok], ns["kink_approx"][ok])


#: (markdown pair, quoted string, value computed from the namespace, platform-dependent?)
QUOTES = [
    ("fix", "3.3e-07", lambda ns: _block_at_course_epsilon(ns, "b1"), True),
    ("fix", "2.5e-07", lambda ns: _block_at_course_epsilon(ns, "b3"), True),
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
    ("float32-read", "2.4e-07", lambda ns: float(np.spacing(ns["J32"])), False),
    ("float32-read", "2.2e-08", lambda ns: float(np.max(np.abs(ns["corrected_grad"]))) * 1e-8, False),
    ("float32-read", "37", lambda ns: ns["float32_equal"][1e-8][0], False),
    ("kinks-read", "3", lambda ns: int(np.count_nonzero(ns["crossings"])), False),
    ("kinks-read", "0.079", lambda ns: float(np.min(np.abs(ns["cache"][0]))), False),
    ("kinks-read", "5.5e-03", lambda ns: ns["relative_difference"](ns["corrected_grad"], ns["kink_approx"]), False),
    ("kinks-read", "1.7e-04", _kink_free_difference, False),
    ("cheap-read", "4", lambda ns: ns["wrong_per_block"]["W2"], False),
    ("cheap-read", "4", lambda ns: ns["wrong_per_block"]["b1"], False),
    ("cheap-read", "8", lambda ns: ns["wrong_entries"], False),
    ("cheap-read", "84%", lambda ns: ns["caught_rate"]["per_block_check, k = 1", "buggy_grad"], False),
    ("cheap-read", "66%", lambda ns: ns["caught_rate"]["sampled_gradient_check, k = 6", "buggy_grad"], False),
    ("cheap-read", "100%", lambda ns: ns["caught_rate"]["per_block_check, k = 1", "bias_bug_grad"], False),
    ("cheap-read", "19%", lambda ns: ns["caught_rate"]["sampled_gradient_check, k = 6", "bias_bug_grad"], False),
    ("cheap-read", "2.6e-03", lambda ns: min(ns["directional"]["buggy_grad"]), False),
    (
        "cheap-read",
        "1",
        lambda ns: int(np.sum(ns["directional"]["corrected_grad"] > ns["DIFFERENCE_THRESHOLD"])),
        False,
    ),
    ("cheap-read", "1.5e-06", lambda ns: max(ns["directional"]["corrected_grad"]), True),
    ("cheap-read", "4.5e-05", lambda ns: abs(ns["slopes"]["corrected_grad"][ns["worst"]]), False),
    ("cheap-read", "0.35", lambda ns: float(np.median(np.abs(ns["slopes"]["corrected_grad"]))), False),
    ("cheap-read", "1.3e-10", lambda ns: ns["errors"]["corrected_grad"][ns["worst"]], True),
    ("cheap-read", "1.2e-10", lambda ns: float(np.median(ns["errors"]["corrected_grad"])), True),
    ("reg-read", "9.3e-10", lambda ns: ns["l2_differences"]["with"], True),
    ("reg-read", "8.8e-02", lambda ns: ns["l2_differences"]["without"], False),
    ("dropout-read", "1.0", lambda ns: ns["dropout_differences"]["fresh"], False),
    ("dropout-read", "8.9e-10", lambda ns: ns["dropout_differences"]["same"], True),
]


@pytest.mark.parametrize("name, quoted, compute, platform", QUOTES, ids=["{}:{}".format(q[0], q[1]) for q in QUOTES])
def test_learner_quoted_number_matches_the_code(notebook, ns, name, quoted, compute, platform):
    for text in narrative_texts(notebook, name):
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


def test_learner_epsilon_sweep_first_decade_crosses_kinks(notebook, ns):
    """'From 1e-1 to 1e-2 the difference drops about 3 250 times, not 100': 3 coordinates cross a kink at 0.1."""
    correct = ns["two_sided"]["correct"]
    ratio = _at(ns, correct, 1e-1) / _at(ns, correct, 1e-2)
    assert round(ratio, -1) == 3250, ratio
    assert 50 < _at(ns, correct, 1e-3) / _at(ns, correct, 1e-4) < 200  # "about 100 per decade" down to 1e-4
    en, zh = narrative_texts(notebook, "epsilon-read")
    assert "3 250 times" in en and "From $10^{-2}$ down to $10^{-4}$" in en and "**Kinks**" in en
    assert (
        "3 250 倍" in zh
        and "**折点**" in zh
        and "ε 每减小一个数量级，差异下降约 100 倍" in zh.replace("$\\varepsilon$", "ε")
    )
    assert "3 coordinates" in en and "3 个坐标" in zh
    assert int(np.count_nonzero(ns["kink_crossings"](ns["theta"], 1e-1))) == 3


def test_learner_float32_claims(notebook, ns):
    """The V moves right: best epsilon 1e-2 in float32, 1e-4 in float64; exactly 1.0 at and below 1e-8 because
    J+ and J- round to the same float32 number for every entry, while theta + epsilon rounds back to theta for
    only some; round-off ~1e9 times float64's."""
    epsilons, sweep = ns["EPSILONS"], ns["float32_sweep"]
    best32 = epsilons[int(np.argmin(sweep))]
    best64 = epsilons[int(np.argmin(ns["two_sided"]["correct"]))]
    assert best32 == pytest.approx(1e-2) and best64 == pytest.approx(1e-4) and best32 > best64  # "moves right"
    assert min(sweep) > min(ns["two_sided"]["correct"])  # "(and up)"
    assert all(value == 1.0 for epsilon, value in zip(epsilons, sweep) if epsilon <= 1e-8)
    assert round(math.log10(np.finfo(np.float32).eps / np.finfo(np.float64).eps)) == 9
    size = ns["theta32"].shape[0]
    unchanged, equal_costs = ns["float32_equal"][1e-8]
    assert equal_costs == size == 47  # "here, for all 47 entries"
    assert 0 < unchanged < size  # "for only 37 of the 47 entries"
    assert ns["J32"].dtype == np.float32 and round(float(ns["J32"]), 2) == 2.41  # "Near J = 2.41"
    step = float(np.max(np.abs(ns["corrected_grad"]))) * 1e-8
    assert step < float(np.spacing(ns["J32"])) / 2  # "far less than that gap"
    en, zh = narrative_texts(notebook, "float32-read")
    assert "moves **right**" in en and "向**右**" in zh and "left" not in en and "左" not in zh
    assert "$J = 2.41$" in en and "$J = 2.41$" in zh
    assert "for all 47 entries" in en and "47 个元素全都如此" in zh


def test_learner_kink_table(notebook, ns):
    """At epsilon = 0.1 the coordinates that cross a kink are W1[1, 1], W1[1, 3], b1[1, 0]: the three largest
    errors, all moving the one ReLU input Z1[1, 2] across 0; without them the difference is ~100 times its
    value at 1e-2; from 1e-2 down no coordinate crosses a kink."""
    crossing = [int(i) for i in np.flatnonzero(ns["crossings"])]
    assert [ns["entry_names"][i] for i in crossing] == ["W1[1, 1]", "W1[1, 3]", "b1[1, 0]"]
    errors = np.abs(ns["corrected_grad"] - ns["kink_approx"]).ravel()
    assert sorted(crossing) == sorted(int(i) for i in np.argsort(-errors)[:3])  # "the three largest errors"
    z1 = ns["cache"][0]
    assert np.unravel_index(np.argmin(np.abs(z1)), z1.shape) == (1, 2)  # "Z1[1, 2], the one closest to 0"
    assert np.min(np.abs(z1)) < np.min(np.abs(ns["cache"][4]))
    for i in crossing:
        step = np.zeros_like(ns["theta"])
        step[i] = ns["KINK_EPSILON"]
        plus = ns["forward_propagation_n"](ns["X"], ns["Y"], ns["vector_to_dictionary"](ns["theta"] + step))[1]
        minus = ns["forward_propagation_n"](ns["X"], ns["Y"], ns["vector_to_dictionary"](ns["theta"] - step))[1]
        flipped = [
            (layer, *map(int, where))
            for layer in (0, 4)
            for where in np.argwhere((plus[layer] > 0) != (minus[layer] > 0))
        ]
        assert flipped == [(0, 1, 2)], (i, flipped)  # "All three move the same ReLU input across 0"
    ratio = _kink_free_difference(ns) / _at(ns, ns["two_sided"]["correct"], 1e-2)
    assert 50 < ratio < 200, ratio  # "about 100 times its value at 1e-2"
    counts = ns["crossings_per_epsilon"]
    assert counts[0.1] == 3 and all(count == 0 for epsilon, count in counts.items() if epsilon <= 1e-2)
    for text in narrative_texts(notebook, "kinks-read"):
        assert "`Z1[1, 2]`" in text and "`grad[ok]`" in text


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
        lambda: ns["backward_propagation_n_corrected"](X, Y, cache), repeat=TIMING_REPEATS["backprop"]
    )
    return check / backprop


def test_learner_cost_claims(notebook, ns):
    """2P = 94 forward passes; check/backprop: hundreds at P = 47, tens of thousands at P = 5601."""
    assert ns["counted_cost"].calls == 2 * ns["theta"].shape[0] == 94
    assert "94" in narrative_texts(notebook, "notes")[0] and "94" in narrative_texts(notebook, "notes")[1]
    assert (ns["sizes"][0], ns["sizes"][-1]) == (47, 5601)
    for text in narrative_texts(notebook, "cost-timing-intro"):
        assert "47" in text and "5601" in text
    ratios = [measured_ratio(ns, *ns["HIDDEN_SIZES"][k]) for k in (0, -1)]
    low, high = TIMING_ORDERS["hundreds"]
    assert low <= ratios[0] < high, ratios
    low, high = TIMING_ORDERS["tens of thousands"]
    assert low <= ratios[-1] < high, ratios
    assert (
        "hundreds" in narrative_texts(notebook, "cost-read")[0]
        and "tens of thousands" in narrative_texts(notebook, "cost-read")[0]
    )


def test_learner_cheap_checks_credit_cs231n_per_block_sampling(notebook, ns):
    """Per-block sampling (CS231n) before random directions; 'biases: 9 of the 47 entries'; a bias bug is caught
    by 6 entries drawn from the whole vector only when b3's entry is drawn, 6/47 ≈ 13% on average."""
    sizes = {name: where.stop - where.start for name, where in ns["block_slices"]().items()}
    assert sum(size for name, size in sizes.items() if name.startswith("b")) == 9 and sum(sizes.values()) == 47
    en, zh = narrative_texts(notebook, "cost-read")
    assert "9 of the 47 entries" in en and "47 个元素中的 9 个" in zh
    assert en.index("CS231n") < en.index("**A random direction**") and "every parameter block" in en
    assert zh.index("CS231n") < zh.index("**随机方向**") and "每个参数块" in zh
    assert "A random subset" not in en and "随机抽取部分坐标" not in zh
    assert round(100 * 6 / sum(sizes.values())) == 13  # "6/47 ≈ 13%"
    for text in narrative_texts(notebook, "cheap-read"):
        assert "6/47 ≈ 13%" in text
    assert np.sum(ns["bias_bug_grad"] != ns["corrected_grad"]) == 1  # a bug in one bias only


def test_learner_random_direction_noise_comes_from_a_small_denominator(notebook, ns):
    """The direction that flags the correct backprop has the smallest |grad . u| of all, while its absolute error
    is ordinary; a tolerance of 1e-5 separates the correct backprop from the buggy one."""
    slopes = np.abs(ns["slopes"]["corrected_grad"])
    errors = ns["errors"]["corrected_grad"]
    worst = ns["worst"]
    assert worst == int(np.argmax(ns["directional"]["corrected_grad"]))
    assert worst == int(np.argmin(slopes))  # the smallest denominator
    assert slopes[worst] < 1e-3 * np.median(slopes)  # "almost orthogonal to the gradient"
    assert errors[worst] < 2 * np.median(errors)  # "as small as in the other directions"
    assert max(ns["directional"]["corrected_grad"]) < 1e-5 < min(ns["directional"]["buggy_grad"])
    en, zh = narrative_texts(notebook, "cheap-read")
    assert "\\text{gradapprox}" in en and "\\text{gradapprox}" in zh
    assert "not that it gives one number instead of 47" in en and "原因并不在于它只给出一个数" in zh
    assert "相距甚远" not in zh and "$10^{-5}$ separates" in en and "$10^{-5}$ 能把" in zh


def test_learner_fix_names_every_block_above_the_threshold_at_1e_7(notebook, ns):
    """At epsilon = 1e-7 a correct backprop puts b1 and b3, and only those, above the threshold."""
    above = [
        row["block"]
        for row in ns["block_differences"](
            ns["corrected_grad"], ns["numerical_gradient"](ns["course_cost"], ns["theta"], 1e-7)
        )
        if row["difference"] > ns["DIFFERENCE_THRESHOLD"]
    ]
    assert above == ["b1", "b3"]
    for text in narrative_texts(notebook, "fix"):
        assert "$b^{[1]}$" in text and "$b^{[3]}$" in text


def test_learner_demonstrations_run_without_the_bonus(notebook):
    """A student who skips the bonus (its stub raises NotImplementedError) still runs every demonstration: they
    use the given backward_propagation_n_corrected, a read-only cell right after the bonus test cell."""
    ids = [cell.get("id") for cell in notebook.cells]
    bonus_test = ids.index("backward_propagation_n_fixed_tests")
    given = notebook.cells[bonus_test + 3]
    assert ids[bonus_test + 1 : bonus_test + 4] == ["corrected-en", "corrected-zh", "backward_propagation_n_corrected"]
    assert given.metadata["nbgrader"] == {
        "grade": False,
        "grade_id": "backward_propagation_n_corrected",
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    later = [cell for cell in notebook.cells[bonus_test + 1 :] if cell.cell_type == "code"]
    assert later and not any("backward_propagation_n_fixed" in cell.source for cell in later)
    namespace, show = {}, plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    try:
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            source = cell.source
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "backward_propagation_n_fixed":
                source = "def backward_propagation_n_fixed(X, Y, cache):\n    raise NotImplementedError()\n"
            if index == bonus_test:  # as released: without its hidden tests; the stub may raise there
                source = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", source, flags=re.S)
                try:
                    exec(compile(source, "<cell {}>".format(cell.id), "exec"), namespace)
                except NotImplementedError:
                    pass
                continue
            exec(compile(source, "<cell {}>".format(cell.id), "exec"), namespace)
    finally:
        plt.show = show
        plt.close("all")
    reference = reference_solutions(notebook)["backward_propagation_n_fixed"]
    solved = dict(namespace)
    exec(reference, solved)
    X, Y, cache = namespace["X"], namespace["Y"], namespace["cache"]
    ours, theirs = (
        solved["backward_propagation_n_fixed"](X, Y, cache),
        namespace["backward_propagation_n_corrected"](X, Y, cache),
    )
    assert set(ours) == set(theirs) and all(np.allclose(ours[k], theirs[k], rtol=1e-12, atol=0) for k in ours)


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
        assert phrase in narrative_texts(notebook, name)[0], (name, phrase)
        assert holds, (name, phrase)
    zh = narrative_texts(notebook, "bonus")[1]
    assert "2 个附加分" in zh
    others = [row["difference"] for row in ns["buggy_report"] if row["block"] not in ("W2", "b1")]
    assert all(1e-11 < value < 1e-9 for value in others), others  # "around 10^-10"
    assert (
        "around $10^{-10}$" in narrative_texts(notebook, "blocks-read")[0]
        and "$10^{-10}$ 左右" in narrative_texts(notebook, "blocks-read")[1]
    )


def test_learner_chinese_terms_of_sections_5_to_8(notebook):
    """The terms issue 15 fixed: 反向随机失活（inverted dropout）, “…” quotes, 'ε 每减小一个数量级'."""
    zh = "\n".join(cell.source for cell in notebook.cells if cell.metadata.get("lang") == "zh")
    assert "反向 dropout" not in zh and "反向随机失活（inverted dropout）" in narrative_texts(notebook, "reg")[1]
    assert '"梯度"' not in zh and "“梯度”" in narrative_texts(notebook, "dropout-read")[1]
    assert "差异每减小一个数量级的" not in zh
