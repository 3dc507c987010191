"""The gc_utils helpers of issue 5: per-block comparison, numerical gradient, cheap checks."""

import numpy as np
import pytest

from gc_utils import (
    PARAMETER_SHAPES,
    block_differences,
    block_slices,
    directional_gradient_check,
    format_block_report,
    num_parameters,
    numerical_gradient,
    relative_difference,
    sampled_gradient_check,
)

#: A cost with a known gradient: J(theta) = sum(a * theta^2) / 2, so dJ/dtheta = a * theta.
SIZE = num_parameters()
RNG_SEED = 5


def quadratic():
    rng = np.random.RandomState(RNG_SEED)
    weights, theta = rng.rand(SIZE, 1) + 0.5, rng.randn(SIZE, 1)
    return (lambda t: float(np.sum(weights * t**2) / 2)), theta, weights * theta


def test_learner_relative_difference_of_a_scaled_gradient():
    grad = np.arange(1.0, 6.0)
    for factor in (2.0, 4.0):
        assert relative_difference(factor * grad, grad) == pytest.approx((factor - 1) / (factor + 1))
    assert relative_difference(np.zeros(3), np.zeros(3)) == 0.0


def test_learner_numerical_gradient_two_and_one_sided():
    cost, theta, grad = quadratic()
    calls = []
    counted = lambda t: calls.append(1) or cost(t)  # noqa: E731
    assert relative_difference(grad, numerical_gradient(counted, theta, 1e-4)) < 1e-9
    assert len(calls) == 2 * SIZE
    one_sided = numerical_gradient(cost, theta, 1e-4, one_sided=True)
    assert 1e-6 < relative_difference(grad, one_sided) < 1e-3  # first-order error: epsilon * J'' / 2


def test_learner_numerical_gradient_keeps_float32():
    cost, theta, _ = quadratic()
    assert numerical_gradient(cost, theta.astype(np.float32), 1e-2).dtype == np.float32


def test_learner_block_differences_point_at_the_wrong_block():
    _, _, grad = quadratic()
    wrong = grad.copy()
    where = block_slices()["W2"]
    wrong[where] *= 2
    report = block_differences(wrong, grad)
    assert [row["block"] for row in report] == list(PARAMETER_SHAPES)
    for row in report:
        expected = 1 / 3 if row["block"] == "W2" else 0.0
        assert row["difference"] == pytest.approx(expected, abs=1e-15)
    worst_index, worst_grad, worst_approx = report[2]["worst"][0]
    flat = int(np.ravel_multi_index(worst_index, PARAMETER_SHAPES["W2"]))
    assert worst_grad == wrong[where][flat, 0] and worst_approx == grad[where][flat, 0]
    assert np.abs(grad[where]).argmax() == flat
    table = format_block_report(report).splitlines()
    assert [line[0] for line in table[1:]] == ["\u2714", "\u2714", "\u2718", "\u2714", "\u2714", "\u2714"]


def test_learner_cheap_checks_separate_right_from_wrong():
    cost, theta, grad = quadratic()
    wrong = grad.copy()
    wrong[0] *= 3
    rng = np.random.RandomState(0)
    assert directional_gradient_check(cost, theta, grad, rng, 1e-4) < 1e-6
    assert directional_gradient_check(cost, theta, wrong, rng, 1e-4) > 1e-4
    assert sampled_gradient_check(cost, theta, grad, SIZE, rng, 1e-4) < 1e-9
    assert sampled_gradient_check(cost, theta, wrong, SIZE, rng, 1e-4) > 1e-3
