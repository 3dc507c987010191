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
        raise TypeError(bilingual(
            "Expected a dictionary of {} (keys {}), got {}.".format(
                what_en, ", ".join(prefix + k for k in shapes), type(blocks).__name__),
            "期望一个{}字典（键为 {}），实际得到 {}。".format(
                what_zh, "、".join(prefix + k for k in shapes), type(blocks).__name__)))
    columns = []
    for name, shape in shapes.items():
        key = prefix + name
        if key not in blocks:
            raise KeyError(bilingual(
                "The {} dictionary has no key '{}'. Add it (shape {}).".format(what_en, key, shape),
                "{}字典缺少键 '{}'，请补上（形状 {}）。".format(what_zh, key, shape)))
        block = np.asarray(blocks[key])
        if block.shape != tuple(shape):
            raise ValueError(bilingual(
                "'{}' has shape {}, expected {}. Check how it was computed; it is not reshaped for you.".format(
                    key, block.shape, tuple(shape)),
                "'{}' 的形状是 {}，应为 {}。请检查它的计算过程；这里不会替你改变形状。".format(
                    key, block.shape, tuple(shape))))
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
        raise ValueError(bilingual(
            "theta has shape {}, expected a column of {} entries, shape ({}, 1). "
            "Build it with dictionary_to_vector and keep its shape.".format(theta.shape, size, size),
            "theta 的形状是 {}，应为含 {} 个元素的列向量，形状 ({}, 1)。"
            "请用 dictionary_to_vector 生成它，并保持其形状。".format(theta.shape, size, size)))
    flat = theta.reshape(-1)
    return {name: flat[where].reshape(shapes[name]).copy()
            for name, where in block_slices(shapes).items()}
