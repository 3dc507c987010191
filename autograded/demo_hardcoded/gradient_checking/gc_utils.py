"""Helper functions for the gradient-checking course / 梯度检查课程的辅助函数.

The network of the course has six parameter blocks.  Their names, order and
shapes live in ONE table, ``PARAMETER_SHAPES``; every other number here
(slice bounds, the 47 of "47 parameters") is derived from it.

本课程的网络有六个参数块。它们的名称、顺序和形状只写在一张表
``PARAMETER_SHAPES`` 里；本文件中其他所有数字（切片边界、"47 个参数"中的 47）
都由这张表推导出来。
"""

import numpy as np

#: Name and shape of every parameter block, in the order they are rolled into theta.
#: 每个参数块的名称和形状，按展开成 theta 的顺序排列。
PARAMETER_SHAPES = {
    "W1": (5, 4),
    "b1": (5, 1),
    "W2": (3, 5),
    "b2": (3, 1),
    "W3": (1, 3),
    "b3": (1, 1),
}

#: A relative difference (formulas (2) and (3)) below this value means "backprop is correct".
#: With epsilon = 1e-7 in float64 a correct backprop can reach about 1.19e-07, so 1e-7 is too strict.
#: 相对差异（公式 (2)、(3)）低于此值即表示"反向传播正确"。float64 中取 epsilon = 1e-7 时，
#: 正确的反向传播也可能达到约 1.19e-07，所以 1e-7 过于严格。
DIFFERENCE_THRESHOLD = 2e-7
#: Helpers below that would do part of Exercise 3 or 4 (formula (1), (2) or (3)) for the student: the tests
#: switch them off while those exercises run.
#: 下列辅助函数会替学生完成练习 3 或 4 的一部分（公式 (1)、(2) 或 (3)）：测试运行这两个练习时会停用它们。
SHORTCUTS = (
    "numerical_gradient",
    "relative_difference",
    "block_differences",
    "sampled_gradient_check",
    "directional_gradient_check",
)


def bilingual(en, zh):
    """Join an English and a Chinese sentence into one message (English first).

    将英文句子和中文句子合成一条消息（英文在前）。
    """
    return "{}\n{}".format(en, zh)


def num_parameters(shapes=PARAMETER_SHAPES):
    """Total number of entries in all blocks of ``shapes`` (47 for the course network).

    ``shapes`` 中所有参数块的元素总数（课程网络为 47）。
    """
    return sum(int(np.prod(shape)) for shape in shapes.values())


def block_slices(shapes=PARAMETER_SHAPES):
    """Map each block name to the ``slice`` of theta that holds it.

    Returns a dict such as ``{"W1": slice(0, 20), "b1": slice(20, 25), ...}``.
    返回每个参数块在 theta 中所占的切片，例如 ``{"W1": slice(0, 20), ...}``。
    """
    slices, start = {}, 0
    for name, shape in shapes.items():
        stop = start + int(np.prod(shape))
        slices[name] = slice(start, stop)
        start = stop
    return slices


def sigmoid(x):
    """Sigmoid 1 / (1 + exp(-x)) of a scalar or numpy array, element-wise.

    Input: x, a scalar or array of any shape.  Output: an array of the same shape.
    输入：标量或任意形状的数组 x。输出：形状相同的数组，逐元素取 sigmoid。
    """
    return 1 / (1 + np.exp(-x))


def relu(x):
    """ReLU max(0, x) of a scalar or numpy array, element-wise.

    Input: x, a scalar or array of any shape.  Output: an array of the same shape.
    输入：标量或任意形状的数组 x。输出：形状相同的数组，逐元素取 max(0, x)。
    """
    return np.maximum(0, x)


def _roll(blocks, shapes, prefix, what_en, what_zh):
    """Stack ``blocks[prefix + name]`` for every block of ``shapes`` into one column.

    Checks that every block is present and has exactly its table shape.
    把 ``shapes`` 中每个块 ``blocks[prefix + name]`` 堆成一个列向量，
    并检查每个块都存在且形状与表中一致。
    """
    if not isinstance(blocks, dict):
        raise TypeError(
            bilingual(
                "Expected a dictionary of {} (keys {}), got {}.".format(
                    what_en, ", ".join(prefix + k for k in shapes), type(blocks).__name__
                ),
                "期望一个{}字典（键为 {}），实际得到 {}。".format(
                    what_zh, "、".join(prefix + k for k in shapes), type(blocks).__name__
                ),
            )
        )
    columns = []
    for name, shape in shapes.items():
        key = prefix + name
        if key not in blocks:
            raise KeyError(
                bilingual(
                    "The {} dictionary has no key '{}'. Add it (shape {}).".format(what_en, key, shape),
                    "{}字典缺少键 '{}'，请补上（形状 {}）。".format(what_zh, key, shape),
                )
            )
        block = np.asarray(blocks[key])
        if block.shape != tuple(shape):
            raise ValueError(
                bilingual(
                    "'{}' has shape {}, expected {}. Check how it was computed; it is not reshaped for you.".format(
                        key, block.shape, tuple(shape)
                    ),
                    "'{}' 的形状是 {}，应为 {}。请检查它的计算过程；这里不会替你改变形状。".format(
                        key, block.shape, tuple(shape)
                    ),
                )
            )
        columns.append(block.reshape(-1, 1))
    return np.concatenate(columns, axis=0)


def dictionary_to_vector(parameters, shapes=PARAMETER_SHAPES):
    """Roll the parameter dictionary into one column vector.

    Input: ``parameters`` with keys W1, b1, W2, b2, W3, b3 of the shapes in ``shapes``.
    Output: ``(theta, keys)`` -- theta of shape (47, 1), blocks in table order, each
    flattened row by row; keys a list of 47 block names, keys[i] naming theta[i].

    输入：包含 W1、b1、W2、b2、W3、b3 的参数字典，形状见 ``shapes``。
    输出：``(theta, keys)`` —— 形状为 (47, 1) 的 theta（按表中顺序、逐行展平），
    以及 47 个块名组成的列表 keys，keys[i] 是 theta[i] 所属的块。
    """
    theta = _roll(parameters, shapes, "", "parameters", "参数")
    keys = [name for name, shape in shapes.items() for _ in range(int(np.prod(shape)))]
    return theta, keys


def gradients_to_vector(gradients, shapes=PARAMETER_SHAPES):
    """Roll the gradients dW1, db1, ..., db3 into one column vector, in the order of theta.

    Input: ``gradients`` as returned by ``backward_propagation_n`` (extra keys such as
    dZ3 are ignored).  Output: an array of shape (47, 1).

    输入：``backward_propagation_n`` 返回的梯度字典（dZ3 等多余的键会被忽略）。
    输出：形状为 (47, 1) 的数组，顺序与 theta 相同。
    """
    return _roll(gradients, shapes, "d", "gradients", "梯度")


def vector_to_dictionary(theta, shapes=PARAMETER_SHAPES):
    """Unroll a column vector back into the parameter dictionary (inverse of dictionary_to_vector).

    Input: theta with 47 entries, shape (47, 1) or (47,).  Output: a dictionary of fresh
    arrays W1, b1, ..., b3 with the shapes in ``shapes``.

    输入：含 47 个元素的 theta，形状为 (47, 1) 或 (47,)。
    输出：新的参数字典 W1、b1、…、b3（数组为副本），形状见 ``shapes``。
    """
    theta = np.asarray(theta)
    size = num_parameters(shapes)
    if theta.shape not in ((size, 1), (size,)):
        raise ValueError(
            bilingual(
                "theta has shape {}, expected a column of {} entries, shape ({}, 1). "
                "Build it with dictionary_to_vector and keep its shape.".format(theta.shape, size, size),
                "theta 的形状是 {}，应为含 {} 个元素的列向量，形状 ({}, 1)。"
                "请用 dictionary_to_vector 生成它，并保持其形状。".format(theta.shape, size, size),
            )
        )
    flat = theta.reshape(-1)
    return {name: flat[where].reshape(shapes[name]).copy() for name, where in block_slices(shapes).items()}


def relative_difference(grad, gradapprox):
    """Relative difference, formulas (2)/(3): ||grad - gradapprox|| / (||grad|| + ||gradapprox||).

    Input: two arrays (or numbers) of the same shape.  Output: a float in [0, 1]; 0.0 when
    both are zero.
    输入：形状相同的两个数组（或数）。输出：[0, 1] 之间的浮点数；两者都为零时返回 0.0。
    """
    grad, gradapprox = np.asarray(grad, dtype=float), np.asarray(gradapprox, dtype=float)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(grad - gradapprox) / denominator)


def numerical_gradient(cost, theta, epsilon=1e-7, one_sided=False):
    """Approximate the gradient of ``cost`` at ``theta``, one coordinate at a time.

    Input: ``cost``, a function of a column vector returning a number; ``theta``, the column
    vector (its dtype is kept, so float32 stays float32); ``epsilon``; ``one_sided`` selects
    (J(theta + e_i eps) - J(theta)) / eps instead of the two-sided formula (1).
    Output: an array shaped like theta.  Costs 2 * len(theta) calls of ``cost`` (one-sided:
    len(theta) + 1).

    输入：``cost`` 为以列向量为参数、返回一个数的函数；``theta`` 为列向量（保留其 dtype，
    float32 仍为 float32）；``epsilon``；``one_sided`` 为 True 时用单侧差分
    (J(theta + e_i eps) - J(theta)) / eps，而非双侧公式 (1)。
    输出：与 theta 形状相同的数组。需调用 ``cost`` 2 * len(theta) 次（单侧：len(theta) + 1 次）。
    """
    theta = np.asarray(theta)
    gradapprox = np.zeros_like(theta)
    flat = gradapprox.reshape(-1)
    J_center = cost(theta) if one_sided else None
    for i in range(theta.size):
        theta_plus = np.copy(theta)
        theta_plus.reshape(-1)[i] += epsilon
        if one_sided:
            flat[i] = (cost(theta_plus) - J_center) / epsilon
        else:
            theta_minus = np.copy(theta)
            theta_minus.reshape(-1)[i] -= epsilon
            flat[i] = (cost(theta_plus) - cost(theta_minus)) / (2 * epsilon)
    return gradapprox


def block_differences(grad, gradapprox, shapes=PARAMETER_SHAPES, worst=3):
    """Split the comparison of two gradient vectors by parameter block.

    Input: ``grad`` and ``gradapprox``, columns in the order of ``dictionary_to_vector``;
    ``worst``, how many entries to list per block.  Output: a list, in table order, of dicts
    ``{"block": name, "difference": relative difference of that block, "worst": [(index
    inside the block, grad value, gradapprox value), ...]}``, entries sorted by |grad - gradapprox|.

    按参数块拆分两个梯度向量的比较。输入：按 ``dictionary_to_vector`` 顺序排列的 ``grad`` 和
    ``gradapprox``；``worst`` 为每块列出的元素个数。输出：按表中顺序的列表，每项为字典
    ``{"block": 块名, "difference": 该块的相对差异, "worst": [(块内下标, grad 值, gradapprox 值), ...]}``，
    元素按 |grad - gradapprox| 从大到小排列。
    """
    grad, gradapprox = np.asarray(grad).reshape(-1), np.asarray(gradapprox).reshape(-1)
    report = []
    for name, where in block_slices(shapes).items():
        g, a = grad[where], gradapprox[where]
        order = np.argsort(-np.abs(g - a), kind="stable")[:worst]
        entries = [(tuple(int(k) for k in np.unravel_index(i, shapes[name])), float(g[i]), float(a[i])) for i in order]
        report.append({"block": name, "difference": relative_difference(g, a), "worst": entries})
    return report


def format_block_report(report, threshold=DIFFERENCE_THRESHOLD):
    """The report of ``block_differences`` as a text table, one line per block, ✘ above ``threshold``.

    把 ``block_differences`` 的结果排成文本表格：每块一行，高于 ``threshold`` 的标 ✘。
    """
    lines = ["block/块  difference/差异  worst entry/偏差最大的元素: index/下标 grad gradapprox"]
    for row in report:
        index, g, a = row["worst"][0]
        mark = "\u2718" if row["difference"] > threshold else "\u2714"
        lines.append(
            "{} {:<4} {:>14.3e}   {!s:<8} {:+.6f} {:+.6f}".format(mark, row["block"], row["difference"], index, g, a)
        )
    return "\n".join(lines)


def plot_block_differences(report, threshold=DIFFERENCE_THRESHOLD, ax=None):
    """Bar chart (log scale) of each block's relative difference, with the threshold as a line.

    Input: a report of ``block_differences``; optionally the matplotlib axes to draw on.
    Output: the axes.  以对数刻度画出每块的相对差异柱状图，阈值画成一条横线；返回坐标轴。
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(6, 3))[1]
    names = [row["block"] for row in report]
    values = [max(row["difference"], np.finfo(float).tiny) for row in report]
    colors = ["tab:red" if v > threshold else "tab:green" for v in values]
    ax.bar(names, values, color=colors)
    ax.axhline(threshold, color="black", linestyle="--", label="{:g}".format(threshold))
    ax.set_yscale("log")
    ax.set_ylabel("difference")
    ax.legend(loc="best")
    return ax


def sampled_gradient_check(cost, theta, grad, num_samples, rng, epsilon=1e-7):
    """Gradient check on ``num_samples`` random coordinates only (2 * num_samples calls of ``cost``).

    Input: ``cost`` and column ``theta`` as for ``numerical_gradient``; ``grad`` from backprop;
    ``rng``, a ``np.random.RandomState``.  Output: the relative difference on the sampled coordinates.
    只在 ``num_samples`` 个随机坐标上做梯度检查（调用 ``cost`` 2 * num_samples 次）。
    输出：这些坐标上的相对差异。
    """
    theta, grad = np.asarray(theta).reshape(-1), np.asarray(grad).reshape(-1)
    picked = rng.choice(theta.size, size=num_samples, replace=False)
    approx = np.zeros(num_samples)
    for k, i in enumerate(picked):
        shift = np.zeros_like(theta)
        shift[i] = epsilon
        approx[k] = (cost((theta + shift).reshape(-1, 1)) - cost((theta - shift).reshape(-1, 1))) / (2 * epsilon)
    return relative_difference(grad[picked], approx)


def directional_gradient_check(cost, theta, grad, rng, epsilon=1e-7):
    """Gradient check along one random unit direction u (2 calls of ``cost``).

    Compares grad . u with (J(theta + eps u) - J(theta - eps u)) / (2 eps).  Input as for
    ``sampled_gradient_check``.  Output: the relative difference of the two numbers.
    沿一个随机单位方向 u 做梯度检查（调用 ``cost`` 2 次）：比较 grad·u 与
    (J(theta + eps u) - J(theta - eps u)) / (2 eps)。输出：两数的相对差异。
    """
    theta = np.asarray(theta)
    direction = rng.randn(*theta.shape)
    direction /= np.linalg.norm(direction)
    slope = float(np.sum(np.asarray(grad).reshape(theta.shape) * direction))
    approx = (cost(theta + epsilon * direction) - cost(theta - epsilon * direction)) / (2 * epsilon)
    return relative_difference(slope, approx)
