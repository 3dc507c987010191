"""``python -m course figures``: draw the notebook's figures into ``source/<assignment>/images/``.

Figure 1 the 1-D model, Figure 2 the three-layer network, Figure 3 ``dictionary_to_vector``.
Labels are symbols only (the captions, in both languages, live in the notebook). The files are
PNG without a creation date or software tag, so re-running gives byte-identical files.
"""

import argparse
from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from course.assignment import ASSIGNMENT, REPO_ROOT, helper_module, require_course_root
from course.cli import add_command
from course.messages import CMD_FIGURES, WROTE

#: Where the figures go, relative to the course folder (beside the notebook, so nbgrader releases them).
IMAGES_DIR = Path("source") / ASSIGNMENT / "images"
DPI = 100
#: One colour per parameter block, in the order of gc_utils.PARAMETER_SHAPES.
BLOCK_COLORS = ("#4e79a7", "#a0cbe8", "#f28e2b", "#ffbe7d", "#59a14f", "#8cd17d")
FORWARD_COLOR, BACKWARD_COLOR = "#1f77b4", "#d62728"


def _box(ax, x, y, text, width=1.0, height=0.6, color="#eeeeee"):
    """Draw a rounded box centred at (x, y) with ``text`` inside."""
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=11,
        bbox=dict(boxstyle="round,pad=0.4", facecolor=color, edgecolor="black"),
    )


def _arrow(ax, start, end, color, text=None, offset=0.0):
    """Draw an arrow from ``start`` to ``end``; ``text`` is written at its middle, shifted by ``offset`` in y."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=color, linewidth=1.5))
    if text:
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2 + offset,
            text,
            ha="center",
            va="center",
            fontsize=10,
            color=color,
        )


def _blank_axes(figsize, xlim, ylim):
    """A figure with one axes without ticks or frame, with the given limits."""
    figure = Figure(figsize=figsize, dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    return figure, ax


def draw_model_1d() -> Figure:
    """Figure 1: x -> J(theta) = theta x -> J, forward above, derivative dJ/dtheta = x coming back below."""
    figure, ax = _blank_axes((6.5, 1.9), (0, 6.5), (0, 1.9))
    _box(ax, 0.7, 1.0, r"$x$")
    _box(ax, 3.2, 1.0, r"$J(\theta) = \theta\, x$", color="#dbe9f6")
    _box(ax, 5.7, 1.0, r"$J$")
    _arrow(ax, (1.1, 1.15), (2.2, 1.15), FORWARD_COLOR, r"$x$", 0.25)
    _arrow(ax, (4.2, 1.15), (5.3, 1.15), FORWARD_COLOR, r"$J$", 0.25)
    _arrow(ax, (5.3, 0.75), (4.2, 0.75), BACKWARD_COLOR, r"$1$", -0.3)
    _arrow(ax, (2.2, 0.75), (1.1, 0.75), BACKWARD_COLOR, r"$\frac{\partial J}{\partial \theta} = x$", -0.4)
    return figure


#: Figure 2: (box text, colour) of each step of the network, left to right.
NETWORK_STEPS = (
    (r"$X$", "#eeeeee"),
    ("LINEAR\n" + r"$W^{[1]}, b^{[1]}$", BLOCK_COLORS[0]),
    ("RELU", "#dddddd"),
    ("LINEAR\n" + r"$W^{[2]}, b^{[2]}$", BLOCK_COLORS[2]),
    ("RELU", "#dddddd"),
    ("LINEAR\n" + r"$W^{[3]}, b^{[3]}$", BLOCK_COLORS[4]),
    ("SIGMOID", "#dddddd"),
    (r"$J$", "#eeeeee"),
)
#: What flows forward (above) and backward (below) between consecutive steps.
NETWORK_FORWARD = (r"$X$", r"$Z^{[1]}$", r"$A^{[1]}$", r"$Z^{[2]}$", r"$A^{[2]}$", r"$Z^{[3]}$", r"$A^{[3]}$")
NETWORK_BACKWARD = ("", r"$dZ^{[1]}$", r"$dA^{[1]}$", r"$dZ^{[2]}$", r"$dA^{[2]}$", r"$dZ^{[3]}$", "")


def draw_network() -> Figure:
    """Figure 2: LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID, forward arrows above, backward below."""
    step = 1.45
    figure, ax = _blank_axes((11.5, 2.6), (0, step * len(NETWORK_STEPS)), (0, 2.6))
    centers = [step * (k + 0.5) for k in range(len(NETWORK_STEPS))]
    for x, (text, color) in zip(centers, NETWORK_STEPS):
        _box(ax, x, 1.3, text, color=color)
    gap = 0.5
    for k, (forward, backward) in enumerate(zip(NETWORK_FORWARD, NETWORK_BACKWARD)):
        left, right = centers[k] + gap, centers[k + 1] - gap
        _arrow(ax, (left, 1.75), (right, 1.75), FORWARD_COLOR, forward, 0.3)
        if backward:
            _arrow(ax, (right, 0.85), (left, 0.85), BACKWARD_COLOR, backward, -0.3)
    for layer, k in enumerate((1, 3, 5), start=1):
        ax.text(
            centers[k],
            0.25,
            r"$dW^{{[{0}]}}, db^{{[{0}]}}$".format(layer),
            ha="center",
            va="center",
            fontsize=10,
            color=BACKWARD_COLOR,
        )
    return figure


def _grid(ax, x, y, rows, cols, color, cell):
    """Draw a rows x cols grid of square cells whose top-left corner is (x, y)."""
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(
                Rectangle(
                    (x + c * cell, y - (r + 1) * cell), cell, cell, facecolor=color, edgecolor="white", linewidth=0.8
                )
            )


def draw_dictionary_to_vector(root: Path = REPO_ROOT) -> Figure:
    """Figure 3: the six blocks (as grids of their shapes) and the 47-entry column they are rolled into."""
    gc_utils = helper_module("gc_utils", root)
    PARAMETER_SHAPES, block_slices, num_parameters = (
        gc_utils.PARAMETER_SHAPES,
        gc_utils.block_slices,
        gc_utils.num_parameters,
    )  # noqa: N806
    cell = 0.22
    total = num_parameters()
    height = total * cell + 0.8
    figure, ax = _blank_axes((7.0, height * 0.62), (0, 11.3), (0, height))
    column_x, top = 8.6, height - 0.4
    slices = block_slices()
    left_rows = sum(shape[0] for shape in PARAMETER_SHAPES.values())
    gap = (total - left_rows) * cell / (len(PARAMETER_SHAPES) - 1)
    grid_top = top
    for (name, shape), color in zip(PARAMETER_SHAPES.items(), BLOCK_COLORS):
        where = slices[name]
        block_top = top - where.start * cell
        _grid(ax, column_x, block_top, where.stop - where.start, 1, color, cell)
        ax.text(column_x + cell + 0.15, block_top - cell / 2, str(where.start), va="center", fontsize=9)
        rows, cols = shape
        grid_x = 1.5
        _grid(ax, grid_x, grid_top, rows, cols, color, cell)
        ax.text(
            grid_x - 0.2,
            grid_top - rows * cell / 2,
            r"${}^{{[{}]}}$  {}$\times${}".format(name[0], name[1], rows, cols),
            ha="right",
            va="center",
            fontsize=10,
        )
        _arrow(
            ax,
            (grid_x + cols * cell + 0.2, grid_top - rows * cell / 2),
            (column_x - 0.2, block_top - (where.stop - where.start) * cell / 2),
            "#555555",
        )
        grid_top -= rows * cell + gap
    ax.text(column_x + cell / 2, top + 0.2, r"$\theta$  ({}$\times$1)".format(total), ha="center", fontsize=11)
    ax.text(column_x + cell + 0.15, top - total * cell - 0.2, str(total), va="center", fontsize=9, color="#777777")
    ax.text(5.3, top + 0.2, "dictionary_to_vector  " + r"$\rightarrow$", ha="center", fontsize=10)
    ax.text(5.3, 0.15, r"$\leftarrow$" + "  vector_to_dictionary", ha="center", fontsize=10)
    return figure


#: File name -> function that draws it.
FIGURES = {
    "model_1d.png": draw_model_1d,
    "network.png": draw_network,
    "dictionary_to_vector.png": draw_dictionary_to_vector,
}


def write_figures(course_root: str | Path, log: Callable[..., None] = print) -> list[Path]:
    """Draw every figure into ``<course_root>/source/<assignment>/images/``; return the paths written."""
    folder = Path(course_root) / IMAGES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        matplotlib.rcParams["svg.hashsalt"] = "gradient-checking"
        for name, draw in FIGURES.items():
            path = folder / name
            draw().savefig(str(path), dpi=DPI, metadata={"Software": None})
            log(WROTE.format(path=path.relative_to(course_root)).inline())
            written.append(path)
    return written


def _run(args):
    write_figures(require_course_root(args.course))


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    add_command(
        subparsers,
        common,
        "figures",
        CMD_FIGURES.format(folder=IMAGES_DIR),
        __doc__,
        _run,
    )
