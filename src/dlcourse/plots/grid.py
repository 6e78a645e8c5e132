"""Figures for grid worlds: learning curves, policies as arrows, value heatmaps, frames.

Every function takes data (tensors, arrays or lists; any device) and the grid's ``height`` and
``width`` where it needs them, draws on ``ax`` when given (else on a new ``plt.subplots``
figure) and returns the :class:`~matplotlib.figure.Figure`, labelled with a short alt text via
``fig.set_label``. Nothing here calls ``plt.show()``. States are numbered
``row * width + col``; walls are given as states or ``(row, col)`` pairs. Actions follow
:mod:`dlcourse.gridworld`: up 0, down 1, left 2, right 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from dlcourse.gridworld import cell_index, wall_mask
from dlcourse.plots.common import Curve, plot_episode_curves, to_numpy

__all__ = [
    "plot_agent_training",
    "plot_frame",
    "plot_grid",
    "plot_learning_curve",
    "plot_policy",
    "plot_values",
]

# (dx, dy) on the page for each action; rows grow downwards because the y axis is inverted
_ARROW = {0: (0.0, -1.0), 1: (0.0, 1.0), 2: (-1.0, 0.0), 3: (1.0, 0.0)}
_FLOOR, _WALL, _GOAL, _START = "#ffffff", "#3c3c3c", "#4caf50", "#add8e6"


def _states(cells: Any, height: int, width: int) -> set[int]:
    """Cells (state numbers, ``(row, col)`` pairs or a bool mask) as a set of state numbers."""
    return {int(w) for w in np.flatnonzero(wall_mask(cells, height, width))}


def _state(cell: Any, height: int, width: int) -> int:
    return cell_index("cell", cell, height, width)


def _new_ax(ax: Axes | None, height: int, width: int) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=(0.8 * width + 1.2, 0.8 * height + 0.6), layout="constrained")
    return fig, ax


def _draw_board(
    ax: Axes,
    height: int,
    width: int,
    walls: set[int],
    goal: int | None,
    start: int | None,
) -> None:
    """Floor, walls, start and goal as a categorical image, grid lines, no ticks."""
    kinds = np.zeros((height, width), dtype=int)
    if start is not None:
        kinds.flat[start] = 3
    if goal is not None:
        kinds.flat[goal] = 2
    for w in walls:
        kinds.flat[w] = 1
    cmap = ListedColormap([_FLOOR, _WALL, _GOAL, _START])
    ax.imshow(kinds, cmap=cmap, vmin=0, vmax=3, interpolation="nearest")
    _grid_lines(ax, height, width)


def _grid_lines(ax: Axes, height: int, width: int) -> None:
    ax.set_xticks(np.arange(-0.5, width, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, height, 1), minor=True)
    ax.grid(which="minor", color="#9e9e9e", linewidth=1)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)


def plot_learning_curve(
    steps: Sequence[int],
    success: Sequence[bool],
    *,
    window: int = 20,
    optimal_steps: int | None = None,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Two panels over episodes: steps per episode and success rate, each with a moving average.

    ``optimal_steps`` draws the shortest possible episode as a dashed line; ``axes`` is a pair
    of axes to draw on.
    """
    curves = [
        Curve(steps, "steps per episode", "steps", optimal=optimal_steps),
        Curve(success, "reached the goal", f"success rate (mean of {window})", raw=False,
              ylim=(-0.05, 1.05)),
    ]  # fmt: skip
    episodes = len(to_numpy(steps))
    alt = f"Learning curve over {episodes} episodes: steps per episode and success rate"
    return plot_episode_curves(curves, window=window, alt=alt, axes=axes, title=title)


def plot_agent_training(
    steps: Sequence[int],
    discounted_returns: Sequence[float],
    *,
    window: int = 10,
    optimal_steps: int | None = None,
    optimal_return: float | None = None,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Two panels over episodes: steps to the goal and discounted return, with moving averages.

    ``optimal_steps`` and ``optimal_return`` draw the best achievable values as dashed lines.
    """
    curves = [
        Curve(steps, "steps to the goal", optimal=optimal_steps, log=True),
        Curve(discounted_returns, "discounted return $G_0$", optimal=optimal_return),
    ]
    alt = (
        f"Grid agent over {len(to_numpy(steps))} episodes: steps to the goal fall and the "
        "discounted return rises towards the optimum"
    )
    return plot_episode_curves(curves, window=window, alt=alt, axes=axes, title=title)


def plot_policy(
    policy: Any,
    height: int,
    width: int,
    *,
    walls: Iterable[int | Sequence[int]] | None = None,
    goal: int | Sequence[int] | None = None,
    start: int | Sequence[int] | None = None,
    terminal: Any = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A policy as arrows on the grid.

    ``policy`` is either actions ``[S]`` (one arrow per state) or probabilities ``[S, A]`` (one
    arrow per action with ``pi(a|s) > 0``, from the centre, its length proportional to ``pi(a|s)``
    relative to the state's most likely action). No arrows
    are drawn in walls, the goal or states flagged in the bool mask ``terminal[S]``.
    """
    pi = to_numpy(policy)
    S = height * width
    if pi.shape[0] != S or pi.ndim not in (1, 2):
        raise ValueError(
            f"policy must have shape [S] or [S, A] with S = {height}*{width} = {S}, got {pi.shape}"
        )
    wall_set = _states(walls, height, width)
    goal_s = None if goal is None else _state(goal, height, width)
    start_s = None if start is None else _state(start, height, width)
    skip = set(wall_set) | ({goal_s} if goal_s is not None else set())
    if terminal is not None:
        skip |= {int(s) for s in np.flatnonzero(to_numpy(terminal))}
    fig, ax = _new_ax(ax, height, width)
    _draw_board(ax, height, width, wall_set, goal_s, start_s)
    for s in range(S):
        if s in skip:
            continue
        r, c = divmod(s, width)
        if pi.ndim == 1:
            # one arrow centred on the cell
            arrows = [(int(pi[s]), 0.7, -0.35)]
        else:
            # from the centre, length relative to the most likely action in this state
            top = float(pi[s].max())
            arrows = [(a, 0.42 * float(p) / top, 0.0) for a, p in enumerate(pi[s]) if p > 1e-9]
        for a, length, back in arrows:
            dx, dy = _ARROW[a]
            ax.annotate(
                "",
                xy=(c + dx * (length + back), r + dy * (length + back)),
                xytext=(c + dx * back, r + dy * back),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#263238",
                    "lw": 1.5,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
    if goal_s is not None:
        gr, gc = divmod(goal_s, width)
        ax.text(gc, gr, "G", ha="center", va="center", color="white", fontweight="bold")
    if title:
        ax.set_title(title)
    fig.set_label(f"Policy arrows on a {height}x{width} grid")
    return fig


def plot_values(
    values: Any,
    height: int,
    width: int,
    *,
    walls: Iterable[int | Sequence[int]] | None = None,
    goal: int | Sequence[int] | None = None,
    ax: Axes | None = None,
    fmt: str = "{:.2f}",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    title: str | None = None,
    colorbar: bool = True,
    fontsize: str | float = "small",
) -> Figure:
    """State values ``[S]`` (or ``[height, width]``) as a heatmap with each value written in.

    Walls are drawn dark and left blank; the goal gets a "G" under its value. ``vmin`` and
    ``vmax`` fix the colour scale (default: the range of the values), so that two heatmaps
    drawn with the same limits can be compared by colour; ``colorbar=False`` leaves the bar to
    the caller (one bar for several panels).
    """
    v = to_numpy(values).astype(float).reshape(-1)
    if v.size != height * width:
        raise ValueError(f"values must have height*width = {height * width} entries, got {v.size}")
    wall_set = _states(walls, height, width)
    goal_s = None if goal is None else _state(goal, height, width)
    grid = v.reshape(height, width).copy()
    for w in wall_set:
        grid.flat[w] = np.nan
    fig, ax = _new_ax(ax, height, width)
    colormap = plt.get_cmap(cmap).with_extremes(bad=_WALL)
    shown = np.ma.masked_invalid(grid)
    im = ax.imshow(shown, cmap=colormap, interpolation="nearest", vmin=vmin, vmax=vmax)
    _grid_lines(ax, height, width)
    lo, hi = im.get_clim()
    mid = (lo + hi) / 2
    for s in range(height * width):
        if s in wall_set:
            continue
        r, c = divmod(s, width)
        text = fmt.format(grid[r, c]) + ("\nG" if s == goal_s else "")
        color = "black" if grid[r, c] > mid else "white"
        ax.text(c, r, text, ha="center", va="center", color=color, fontsize=fontsize)
    if colorbar:
        fig.colorbar(im, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    fig.set_label(f"State values as a heatmap on a {height}x{width} grid")
    return fig


def plot_grid(
    height: int,
    width: int,
    *,
    walls: Iterable[int | Sequence[int]] | None = None,
    goal: int | Sequence[int] | None = None,
    start: int | Sequence[int] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The board with every state's number ``row * width + col``, the start "S" and goal "G".

    Walls are drawn dark and keep their numbers (in grey), as in
    :class:`~dlcourse.gridworld.GridWorld`.
    """
    wall_set = _states(walls, height, width)
    goal_s = None if goal is None else _state(goal, height, width)
    start_s = None if start is None else _state(start, height, width)
    fig, ax = _new_ax(ax, height, width)
    _draw_board(ax, height, width, wall_set, goal_s, start_s)
    for s in range(height * width):
        r, c = divmod(s, width)
        mark = {start_s: "S", goal_s: "G"}.get(s, "")
        color = "#9e9e9e" if s in wall_set else ("white" if s == goal_s else "#263238")
        ax.text(c, r - 0.12, str(s), ha="center", va="center", color=color, fontsize="large")
        if mark:
            ax.text(c, r + 0.25, mark, ha="center", va="center", color=color, fontweight="bold")
    if title:
        ax.set_title(title)
    fig.set_label(f"A {height}x{width} grid with its states numbered 0 to {height * width - 1}")
    return fig


def plot_frame(frame: Any, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """An ``rgb_array`` frame (``[H, W, 3]`` uint8) as an image without axes."""
    img = to_numpy(frame)
    if img.ndim != 3 or img.shape[2] not in (3, 4):
        raise ValueError(f"frame must be an RGB(A) image [H, W, 3 or 4], got shape {img.shape}")
    if ax is None:
        h, w = img.shape[:2]
        fig, ax = plt.subplots(figsize=(w / 64 + 0.4, h / 64 + 0.4), layout="constrained")
    else:
        fig = ax.figure
    ax.imshow(img, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.set_label("Rendered frame of the grid world")
    return fig
