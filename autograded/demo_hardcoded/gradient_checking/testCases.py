"""Seeded fixtures of the gradient-checking course / 梯度检查课程的固定测试数据.

Every function builds NEW arrays on each call, so a test that modifies what it got
cannot change what the next test gets.  The random draws use a private
``np.random.RandomState(1)``: the same numbers as ``np.random.seed(1)`` followed by
``np.random.randn``, without resetting the global random state of the notebook.

每个函数每次调用都会生成新的数组，修改返回值不会影响下一次调用。
随机数来自私有的 ``np.random.RandomState(1)``：与 ``np.random.seed(1)`` 后调用
``np.random.randn`` 得到的数完全相同，但不会重置 notebook 的全局随机状态。
"""

import numpy as np

from gc_utils import PARAMETER_SHAPES

SEED = 1
#: Shapes of the small three-layer network of the regularization / dropout fixtures.
#: 正则化 / dropout 测试数据所用的小型三层网络的参数形状。
SMALL_NETWORK_SHAPES = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
#: Shapes of the course network (input size 4, layers of 5, 3 and 1 units).
#: 课程网络的参数形状（输入 4 维，各层 5、3、1 个单元）。
COURSE_NETWORK_SHAPES = PARAMETER_SHAPES


def _draw_parameters(rng, shapes):
    """Draw a standard-normal array for every block of ``shapes``, in table order."""
    return {name: rng.randn(*shape) for name, shape in shapes.items()}


def gradient_check_n_test_case():
    """Inputs of Exercise 4 / 练习 4 的输入.

    Returns ``(X, Y, parameters)``: X of shape (4, 3), labels Y = [1, 1, 0] (shape (3,)),
    and the course parameters W1 (5, 4) ... b3 (1, 1).
    返回 ``(X, Y, parameters)``：形状 (4, 3) 的 X，标签 Y = [1, 1, 0]（形状 (3,)），
    以及课程网络的参数 W1 (5, 4) … b3 (1, 1)。
    """
    rng = np.random.RandomState(SEED)
    X = rng.randn(4, 3)
    Y = np.array([1, 1, 0])
    parameters = _draw_parameters(rng, COURSE_NETWORK_SHAPES)
    return X, Y, parameters


def compute_cost_with_regularization_test_case():
    """Returns ``(A3, Y, parameters)`` for an L2-regularized cost on the small network.

    返回 ``(A3, Y, parameters)``，用于小型网络上带 L2 正则化的代价。
    """
    rng = np.random.RandomState(SEED)
    Y = np.array([[1, 1, 0, 1, 0]])
    parameters = _draw_parameters(rng, SMALL_NETWORK_SHAPES)
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return A3, Y, parameters


def backward_propagation_with_regularization_test_case():
    """Returns ``(X, Y, cache)``; cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3).

    返回 ``(X, Y, cache)``；cache 的顺序为 (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)。
    """
    rng = np.random.RandomState(SEED)
    X = rng.randn(3, 5)
    Y = np.array([[1, 1, 0, 1, 0]])
    cache = (
        np.array(
            [
                [-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
                [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242],
            ]
        ),
        np.array([[0.0, 3.32524635, 2.13994541, 2.60700654, 0.0], [0.0, 4.1600994, 0.79051021, 1.46493512, 0.0]]),
        np.array([[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]]),
        np.array([[1.14472371], [0.90159072]]),
        np.array(
            [
                [0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
                [-0.69166075, -3.47645987, -2.25194702, -2.65416996, -0.69166075],
                [-0.39675353, -4.62285846, -2.61101729, -3.22874921, -0.39675353],
            ]
        ),
        np.array(
            [
                [0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
                [0.0, 0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 0.0],
            ]
        ),
        np.array([[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]]),
        np.array([[0.53035547], [-0.69166075], [-0.39675353]]),
        np.array([[-0.3771104, -4.10060224, -1.60539468, -2.18416951, -0.3771104]]),
        np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]),
        np.array([[-0.6871727, -0.84520564, -0.67124613]]),
        np.array([[-0.0126646]]),
    )
    return X, Y, cache


def forward_propagation_with_dropout_test_case():
    """Returns ``(X, parameters)``: X of shape (3, 5) and the small-network parameters.

    返回 ``(X, parameters)``：形状 (3, 5) 的 X 和小型网络的参数。
    """
    rng = np.random.RandomState(SEED)
    X = rng.randn(3, 5)
    parameters = _draw_parameters(rng, SMALL_NETWORK_SHAPES)
    return X, parameters


def backward_propagation_with_dropout_test_case():
    """Returns ``(X, Y, cache)``; cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3).

    D1 and D2 are the boolean dropout masks.
    返回 ``(X, Y, cache)``；cache 的顺序为 (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)，
    其中 D1、D2 是布尔型 dropout 掩码。
    """
    rng = np.random.RandomState(SEED)
    X = rng.randn(3, 5)
    Y = np.array([[1, 1, 0, 1, 0]])
    cache = (
        np.array(
            [
                [-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
                [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242],
            ]
        ),
        np.array([[True, False, True, True, True], [True, True, True, True, False]], dtype=bool),
        np.array([[0.0, 0.0, 4.27989081, 5.21401307, 0.0], [0.0, 8.32019881, 1.58102041, 2.92987024, 0.0]]),
        np.array([[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]]),
        np.array([[1.14472371], [0.90159072]]),
        np.array(
            [
                [0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
                [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
                [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353],
            ]
        ),
        np.array(
            [[True, False, True, False, True], [False, True, False, True, True], [False, False, True, False, False]],
            dtype=bool,
        ),
        np.array(
            [[1.06071093, 0.0, 8.21049603, 0.0, 1.06071093], [0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]]
        ),
        np.array([[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]]),
        np.array([[0.53035547], [-0.69166075], [-0.39675353]]),
        np.array([[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]]),
        np.array([[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]]),
        np.array([[-0.6871727, -0.84520564, -0.67124613]]),
        np.array([[-0.0126646]]),
    )
    return X, Y, cache
