"""gc_utils, testCases and public_tests: what the notebook relies on."""

import contextlib
import filecmp
import io
import os
import re

import numpy as np
import pytest
from support.course import REPO

import gc_utils
import public_tests
import testCases
from course.assignment import ASSIGNMENT, HELPER_FILES
from gc_utils import (
    PARAMETER_SHAPES,
    block_slices,
    dictionary_to_vector,
    gradients_to_vector,
    num_parameters,
    vector_to_dictionary,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def _parameters(seed=0):
    rng = np.random.RandomState(seed)
    return {name: rng.randn(*shape) for name, shape in PARAMETER_SHAPES.items()}


# ---------------------------------------------------------------- one source of truth
@pytest.mark.parametrize("module", HELPER_FILES)
def test_instructor_helper_modules_have_one_source_of_truth(module):
    source_copy = REPO / "source" / ASSIGNMENT / module
    assert source_copy.is_symlink() and os.path.realpath(source_copy) == str(REPO / module)
    copies = [REPO / "release" / ASSIGNMENT / module] + sorted(
        (REPO / "autograded").glob("*/{}/{}".format(ASSIGNMENT, module))
    )
    assert len(copies) > 1
    for copy in copies:
        assert filecmp.cmp(copy, REPO / module, shallow=False), "{} differs from the top-level {}".format(copy, module)


# ---------------------------------------------------------------- gc_utils
def test_student_parameter_table_gives_47_entries_in_seed_order():
    assert list(PARAMETER_SHAPES) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert num_parameters() == 47
    slices = block_slices()
    assert slices["W1"] == slice(0, 20) and slices["b3"] == slice(46, 47)


def test_student_dictionary_vector_round_trip():
    parameters = _parameters()
    theta, keys = dictionary_to_vector(parameters)
    assert theta.shape == (47, 1)
    assert keys == [k for k in PARAMETER_SHAPES for _ in range(int(np.prod(PARAMETER_SHAPES[k])))]
    assert theta[0, 0] == parameters["W1"][0, 0] and theta[1, 0] == parameters["W1"][0, 1]  # row by row
    back = vector_to_dictionary(theta)
    assert set(back) == set(PARAMETER_SHAPES)
    for name in PARAMETER_SHAPES:
        np.testing.assert_array_equal(back[name], parameters[name])
    np.testing.assert_array_equal(dictionary_to_vector(vector_to_dictionary(theta))[0], theta)
    # 1-D vectors are accepted; the result never aliases the input
    back_flat = vector_to_dictionary(theta.ravel())
    back_flat["W1"][0, 0] = 99.0
    assert theta[0, 0] == parameters["W1"][0, 0]


def test_student_gradients_roll_in_the_order_of_theta_and_ignore_extra_keys():
    parameters = _parameters(1)
    gradients = {"d" + k: v for k, v in parameters.items()}
    gradients["dZ3"] = np.ones((1, 3))
    np.testing.assert_array_equal(gradients_to_vector(gradients), dictionary_to_vector(parameters)[0])


def test_student_wrong_vector_length_names_expected_and_actual_size():
    with pytest.raises(ValueError) as error:
        vector_to_dictionary(np.zeros((46, 1)))
    message = str(error.value)
    assert "(46, 1)" in message and "47" in message and CJK.search(message)
    with pytest.raises(ValueError):
        vector_to_dictionary(np.zeros((47, 2)))


def test_student_missing_key_is_named():
    parameters = _parameters()
    del parameters["b2"]
    with pytest.raises(KeyError) as error:
        dictionary_to_vector(parameters)
    assert "'b2'" in str(error.value) and CJK.search(str(error.value))
    gradients = {"d" + k: v for k, v in _parameters().items()}
    del gradients["db1"]
    with pytest.raises(KeyError, match="db1"):
        gradients_to_vector(gradients)


def test_student_wrong_block_shape_is_never_reshaped_silently():
    parameters = _parameters()
    parameters["W1"] = parameters["W1"].T  # (4, 5): same size, wrong shape
    with pytest.raises(ValueError) as error:
        dictionary_to_vector(parameters)
    assert "(4, 5)" in str(error.value) and "(5, 4)" in str(error.value)
    with pytest.raises(TypeError):
        dictionary_to_vector([1, 2, 3])


# ---------------------------------------------------------------- testCases
def test_student_fixture_reproduces_the_seeded_draws():
    np.random.seed(1)
    X = np.random.randn(4, 3)
    drawn = {name: np.random.randn(*shape) for name, shape in PARAMETER_SHAPES.items()}
    Xf, Yf, parameters = testCases.gradient_check_n_test_case()
    np.testing.assert_array_equal(Xf, X)
    np.testing.assert_array_equal(Yf, [1, 1, 0])
    for name in PARAMETER_SHAPES:
        np.testing.assert_array_equal(parameters[name], drawn[name])


def test_student_fixtures_are_fresh_and_leave_the_global_random_state_alone():
    np.random.seed(123)
    expected_next = np.random.RandomState(123).randn()
    for factory in (
        testCases.gradient_check_n_test_case,
        testCases.compute_cost_with_regularization_test_case,
        testCases.backward_propagation_with_regularization_test_case,
        testCases.forward_propagation_with_dropout_test_case,
        testCases.backward_propagation_with_dropout_test_case,
    ):
        first = factory()
        arrays = [
            a
            for part in first
            for a in (part.values() if isinstance(part, dict) else part if isinstance(part, tuple) else [part])
        ]
        for array in arrays:
            array[...] = 0
        second = factory()
        assert any(
            np.any(a != 0)
            for part in second
            for a in (part.values() if isinstance(part, dict) else part if isinstance(part, tuple) else [part])
        )
    assert np.random.randn() == expected_next


def test_student_regularization_and_dropout_fixtures_are_consistent():
    """The literal caches of the seeds are forward passes: check that the copied numbers agree."""
    _, _, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = (
        testCases.backward_propagation_with_regularization_test_case()
    )
    np.testing.assert_allclose(A1, gc_utils.relu(Z1))
    np.testing.assert_allclose(Z2, W2 @ A1 + b2, atol=1e-7)
    np.testing.assert_allclose(A2, gc_utils.relu(Z2))
    np.testing.assert_allclose(Z3, W3 @ A2 + b3, atol=1e-7)
    np.testing.assert_allclose(A3, gc_utils.sigmoid(Z3), atol=1e-7)
    A3_cost, Y, parameters = testCases.compute_cost_with_regularization_test_case()
    np.testing.assert_array_equal(A3_cost, A3)
    assert {k: v.shape for k, v in parameters.items()} == testCases.SMALL_NETWORK_SHAPES
    _, _, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = (
        testCases.backward_propagation_with_dropout_test_case()
    )
    keep_prob = 0.5  # the masks scale kept units by 1 / keep_prob
    np.testing.assert_allclose(A1, gc_utils.relu(Z1) * D1 / keep_prob, atol=1e-7)
    np.testing.assert_allclose(Z2, W2 @ A1 + b2, atol=1e-7)
    np.testing.assert_allclose(A2, gc_utils.relu(Z2) * D2 / keep_prob, atol=1e-7)
    np.testing.assert_allclose(A3, gc_utils.sigmoid(W3 @ A2 + b3), atol=1e-7)


# ---------------------------------------------------------------- public_tests
def _run_quietly(function, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        function(*args)
    return out.getvalue()


def _correct_functions():
    def forward_propagation(x, theta):
        return theta * x

    def backward_propagation(x, theta):
        return x

    def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
        approx = (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta - epsilon)) / (2 * epsilon)
        grad = backward_propagation(x, theta)
        return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))

    forward_propagation_n = public_tests.forward_propagation_n

    def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
        # Every cost from forward_propagation_n, as the instructions ask (the public test swaps it).
        theta, _ = gc_utils.dictionary_to_vector(parameters)
        grad = gc_utils.gradients_to_vector(gradients)
        approx = np.zeros_like(theta)
        for i in range(theta.shape[0]):
            plus, minus = np.copy(theta), np.copy(theta)
            plus[i] += epsilon
            minus[i] -= epsilon
            j_plus = forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(plus))[0]
            j_minus = forward_propagation_n(X, Y, gc_utils.vector_to_dictionary(minus))[0]
            approx[i] = (j_plus - j_minus) / (2 * epsilon)
        return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))

    return {
        "forward_propagation": forward_propagation,
        "backward_propagation": backward_propagation,
        "gradient_check": gradient_check,
        "gradient_check_n": gradient_check_n,
    }


@pytest.mark.parametrize("name", ["forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n"])
def test_student_public_test_passes_a_correct_function_in_both_languages(name):
    printed = _run_quietly(getattr(public_tests, name + "_test"), _correct_functions()[name])
    assert "\u2714 {}".format(name) in printed and "公开测试全部通过" in printed


@pytest.mark.parametrize(
    "name, wrong, expected_text",
    [
        ("forward_propagation", lambda x, theta: theta + x, "expected 8"),
        ("forward_propagation", lambda x, theta: 8, "expected -1.5"),
        ("backward_propagation", lambda x, theta: theta, "expected 2"),
        ("gradient_check", lambda x, theta, epsilon=1e-7, print_msg=False: None, "returned None"),
        ("gradient_check", lambda x, theta, epsilon=1e-7, print_msg=False: 0.5, "2.919335883291695e-10"),
        ("gradient_check_n", lambda p, g, X, Y, epsilon=1e-7, print_msg=False: 0.1, "0.2850931566540251"),
    ],
)
def test_student_public_test_failure_names_input_expected_and_result(name, wrong, expected_text):
    wrong.__name__ = name
    with pytest.raises(AssertionError) as error:
        _run_quietly(getattr(public_tests, name + "_test"), wrong)
    message = str(error.value)
    assert expected_text in message and name + "(" in message and CJK.search(message)


def test_student_public_test_keeps_the_students_error_and_its_line():
    def forward_propagation(x, theta):
        return theta * undefined_name  # noqa: F821

    with pytest.raises(AssertionError) as error:
        public_tests.forward_propagation_test(forward_propagation)
    assert isinstance(error.value.__cause__, NameError) and "NameError" in str(error.value)


def test_student_untouched_stub_still_raises_not_implemented():
    def forward_propagation(x, theta):
        raise NotImplementedError("stub")

    with pytest.raises(NotImplementedError):
        public_tests.forward_propagation_test(forward_propagation)


def test_student_gradient_check_n_test_catches_a_function_that_changes_its_input():
    correct = _correct_functions()["gradient_check_n"]

    def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
        result = correct(parameters, gradients, X, Y, epsilon)
        parameters["W1"] += 1.0
        return result

    with pytest.raises(AssertionError, match="parameters\\['W1'\\]"):
        _run_quietly(public_tests.gradient_check_n_test, gradient_check_n)
