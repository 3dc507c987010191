"""What the narrative explains is true: relative difference, the 0/0 case, the centered difference, the notes.

Each test pins one claim of the text (sections 2-4 and 9 of the master notebook) to a computation with the
notebook's own code or helper modules, or pins a rule of the text itself (no italic words inside formulas,
one Chinese term for "relative difference").
"""

import re
import warnings

import nbformat
import numpy as np
import pytest
from support.course import narrative_texts, source_notebook_path

import gc_utils
import testCases


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(str(source_notebook_path()), as_version=4)


def markdown_cells():
    notebook = nbformat.read(str(source_notebook_path()), as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "markdown"]


@pytest.fixture(scope="module")
def exercise_3(notebook):
    """Namespace after the imports and Exercises 1-3 of the master notebook (reference solutions)."""
    namespace = {}
    for cell_id in ("imports", "forward_propagation", "backward_propagation", "gradient_check"):
        cell = next(cell for cell in notebook.cells if cell.get("id") == cell_id)
        exec(compile(cell.source, "<cell {}>".format(cell_id), "exec"), namespace)
    return namespace


# --- Why a relative difference, and the 0/0 case (cells why-relative-en / -zh, after formula (2)) ---


def test_learner_reads_why_relative_right_after_formula_2(notebook):
    ids = [cell.get("id") for cell in notebook.cells]
    formula_2 = next(i for i, cell in enumerate(notebook.cells) if r"\tag{2}" in cell.source)
    assert formula_2 < ids.index("why-relative-en") < ids.index("gradient_check")


def test_learner_formula_of_exercise_3_gives_nan_and_a_warning_on_two_zero_gradients(notebook, exercise_3, capsys):
    """x = 0: grad = gradapprox = 0, the student's formula (2) is 0/0 -> nan, and the verdict says "fine"."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        difference = exercise_3["gradient_check"](0, 4, print_msg=True)
    printed = capsys.readouterr().out
    assert np.isnan(difference)
    warning = "invalid value encountered in scalar divide"
    assert [w.category for w in caught] == [RuntimeWarning] and warning in str(caught[0].message)
    assert "works perfectly fine! difference = nan" in printed and "你的反向传播完全正确！difference = nan" in printed
    en, zh = narrative_texts(notebook, "why-relative")
    for text in (en, zh):
        assert (
            "`nan`" in text and "RuntimeWarning: " + warning in text and "gradient_check(0, 4, print_msg=True)" in text
        )
    assert "works perfectly fine! difference = nan" in en and "你的反向传播完全正确！difference = nan" in zh


def test_learner_gc_utils_relative_difference_of_two_zero_gradients_is_zero(notebook):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        assert gc_utils.relative_difference(0, 0.0) == 0.0
        assert gc_utils.relative_difference(np.zeros((47, 1)), np.zeros((47, 1))) == 0.0
    for text in narrative_texts(notebook, "why-relative"):
        assert "`gc_utils.relative_difference`" in text and "`0.0`" in text


def test_learner_relative_difference_is_scale_free_and_bounded_by_1(notebook):
    rng = np.random.RandomState(15)
    grad = rng.randn(47, 1)
    gradapprox = grad + 1e-3 * rng.randn(47, 1)
    base = gc_utils.relative_difference(grad, gradapprox)
    scaled = gc_utils.relative_difference(1000 * grad, 1000 * gradapprox)
    assert np.linalg.norm(1000 * grad - 1000 * gradapprox) == pytest.approx(1000 * np.linalg.norm(grad - gradapprox))
    assert scaled == pytest.approx(base, rel=1e-12)
    pairs = [(rng.randn(5), rng.randn(5)) for _ in range(1000)]
    assert all(0 <= gc_utils.relative_difference(a, b) <= 1 for a, b in pairs)
    assert gc_utils.relative_difference(grad, -3 * grad) == pytest.approx(1.0)  # opposite directions
    assert gc_utils.relative_difference(grad, np.zeros_like(grad)) == 1.0  # one gradient zero
    en, zh = narrative_texts(notebook, "why-relative")
    assert "1000 times" in en and "triangle inequality" in en and "between 0 and 1" in en
    assert "1000 倍" in zh and "三角不等式" in zh and "介于 0 和 1 之间" in zh


# --- One term in Chinese: 相对差异 ---

OTHER_TERMS = ("相对误差", "相对偏差", "相对差值")


def test_learner_chinese_says_xiangdui_chayi_and_explains_the_other_name_once(notebook):
    zh = [cell for cell in notebook.cells if cell.cell_type == "markdown" and cell.metadata.get("lang") == "zh"]
    where = [(cell.get("id"), term) for cell in zh for term in OTHER_TERMS for _ in range(cell.source.count(term))]
    assert where == [("why-relative-zh", "相对误差")], where
    text = narrative_texts(notebook, "why-relative")[1]
    sentence = next(s for s in re.split("(?<=[。！？])", text) if "相对误差" in s)
    assert "相对差异" in sentence and "relative error" in sentence and "真正的梯度" in sentence
    english = narrative_texts(notebook, "why-relative")[0]
    assert "relative error" in english and "neither vector here is the\ntrue gradient" in english
    assert "相对差异" in narrative_texts(notebook, "ex3")[1] and "相对差异" in narrative_texts(notebook, "remember")[1]


# --- The centered difference (section 2) ---


def _smooth_cost(theta):
    """A smooth cost with nonzero second and third derivatives everywhere."""
    return float(np.sum(np.exp(theta) + np.sin(theta)))


def _true_gradient(theta):
    return np.exp(theta) + np.cos(theta)


def _errors(epsilons, one_sided):
    theta = np.array([[0.3], [-0.5], [1.2]])
    return [
        float(np.linalg.norm(gc_utils.numerical_gradient(_smooth_cost, theta, eps, one_sided) - _true_gradient(theta)))
        for eps in epsilons
    ]


def test_learner_centered_difference_error_falls_100_times_per_decade_one_sided_10(notebook):
    """Taylor: O(eps) one-sided, O(eps^2) centered; epsilons where round-off (about 1e-16 / eps) is negligible."""
    one_sided = _errors([1e-2, 1e-3, 1e-4], one_sided=True)
    centered = _errors([1e-1, 1e-2, 1e-3], one_sided=False)
    one_sided_ratios = [a / b for a, b in zip(one_sided, one_sided[1:])]
    centered_ratios = [a / b for a, b in zip(centered, centered[1:])]
    assert all(9 < r < 11 for r in one_sided_ratios), one_sided_ratios
    assert all(90 < r < 110 for r in centered_ratios), centered_ratios
    en, zh = narrative_texts(notebook, "how")
    assert "**centered difference**" in en and "about 10 times" in en and "about 100 times" in en
    assert "**中心差分**" in zh and "十分之一" in zh and "百分之一" in zh
    for text in (en, zh):
        assert r"\frac{\varepsilon}{2} J''" in text and r"\frac{\varepsilon^2}{6} J'''" in text


# --- Section 9, Notes ---


def test_learner_notes_name_the_network_of_the_94_forward_passes(notebook):
    """2P passes: P = 47 for the network of sections 4-7, P = 21 for the small network of section 8."""
    _, _, parameters = testCases.gradient_check_n_test_case()
    _, small_parameters = testCases.forward_propagation_with_dropout_test_case()
    big = gc_utils.dictionary_to_vector(parameters)[0].shape[0]
    small = gc_utils.dictionary_to_vector(small_parameters, testCases.SMALL_NETWORK_SHAPES)[0].shape[0]
    assert (big, small) == (47, 21)
    calls = []
    for theta in (np.zeros((big, 1)), np.zeros((small, 1))):
        counter = []
        gc_utils.numerical_gradient(lambda t, counter=counter: counter.append(1) or 0.0, theta)
        calls.append(len(counter))
    assert calls == [2 * big, 2 * small] == [94, 42]
    en, zh = narrative_texts(notebook, "notes")
    assert "94 passes for the 47-parameter fraud-detection network\n  of Sections 4–7" in en
    assert "42 for the 21-parameter network of Section 8" in en
    assert "第 4–7 节中有 47 个参数的欺诈检测网络需要 94 次" in zh and "第 8 节中有 21 个参数的网络需要 42 次" in zh


def test_learner_notes_say_dropout_can_be_checked_with_the_same_mask(notebook):
    en, zh = narrative_texts(notebook, "notes")
    assert "does not work with dropout" not in en and "不能和 dropout 一起使用" not in zh
    assert "fresh random mask" in en and "same mask" in en and "`keep_prob = 1`" in en
    assert "新的随机掩码" in zh and "同一个掩码" in zh and "`keep_prob = 1`" in zh


def test_learner_notes_give_cs231n_practical_advice_with_its_source(notebook):
    en, zh = narrative_texts(notebook, "notes")
    source = '"Neural Networks Part 3: Learning and\nEvaluation", section "Gradient checks"'
    assert "CS231n" in en and source in en and "https://cs231n.github.io/neural-networks-3/#gradcheck" in en
    assert "**Use few data points.**" in en and "burn-in" in en and "not at the very first iteration" in en
    assert "data loss alone" in en and "regularization term alone" in en
    assert (
        "CS231n" in zh and "“Gradient checks”" in zh and "https://cs231n.github.io/neural-networks-3/#gradcheck" in zh
    )
    assert "**只用少量样本。**" in zh and "burn-in" in zh and "不要在第一次迭代时检查" in zh
    assert "先单独检查数据损失" in zh and "再单独检查正则化项" in zh


# --- Words inside formulas render upright: \text{...} ---

MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
UPRIGHT = re.compile(r"\\(?:text|operatorname|mathrm)\{[^{}]*\}")
COMMAND = re.compile(r"\\[A-Za-z]+")


def italic_words(markdown):
    """Runs of 3+ letters inside math that are neither in \\text{}/\\operatorname{}/\\mathrm{} nor a command."""
    words = []
    for match in MATH.finditer(CODE.sub(" ", markdown)):
        body = COMMAND.sub(" ", UPRIGHT.sub(" ", match.group(1) or match.group(2)))
        words += re.findall(r"[A-Za-z]{3,}", body)
    return words


def test_learner_italic_word_rule_catches_what_it_names():
    assert italic_words(r"$gradapprox = \frac{J^{+} - J^{-}}{2 \varepsilon}$") == ["gradapprox"]
    assert italic_words(r"$$ difference = \| grad \|_2 $$") == ["difference", "grad"]
    assert italic_words(r"$\text{gradapprox}[i] = \frac{a}{b} \lim_{\varepsilon \to 0}$") == []
    assert italic_words(r"`$gradapprox$` and $\operatorname{sign}(x)$") == []


@pytest.mark.parametrize("cell", markdown_cells(), ids=lambda cell: cell.get("id"))
def test_learner_sees_no_word_as_a_product_of_italic_letters(cell):
    words = italic_words(cell.source)
    assert not words, "write words inside formulas as \\text{...}: " + ", ".join(words)
