"""Figures for the dynamic programming chapter: LCS tables, value sweeps, convergence, big grids.

Every function takes data (tensors on any device, arrays or lists), returns the
:class:`~matplotlib.figure.Figure` it drew, labelled with a short alt text via
``fig.set_label``, and never calls ``plt.show()``. States of a grid are numbered
``row * width + col``; walls are given as a list of states or ``(row, col)`` pairs, or as a
bool mask ``[height, width]``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from dlcourse.gridworld import cell_index, wall_mask
from dlcourse.plots.common import to_numpy
from dlcourse.plots.grid import plot_values

__all__ = ["plot_convergence", "plot_lcs_table", "plot_value_image", "plot_value_sweeps"]

_WALL = "#3c3c3c"


def _goal_state(goal: Any, height: int, width: int) -> int | None:
    return None if goal is None else cell_index("goal", goal, height, width)


def plot_lcs_table(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    table: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The LCS table ``L[i, j]`` with the anti-diagonals shaded and the traceback path marked.

    Cells on one anti-diagonal ``i + j = d`` share a shade: they depend only on the two
    diagonals before them, which is why the wavefront version can fill one in a single batched
    step. The traceback (from the bottom-right corner, matches diagonal, ties up) is outlined,
    and its matches are written in bold.
    """
    L = to_numpy(table).astype(int)
    n, m = len(a), len(b)
    if L.shape != (n + 1, m + 1):
        raise ValueError(f"table must have shape {(n + 1, m + 1)} for these inputs, got {L.shape}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.55 * (m + 2) + 0.8, 0.55 * (n + 2)), layout="constrained")
    else:
        fig = ax.figure
    diagonal = np.add.outer(np.arange(n + 1), np.arange(m + 1))
    ax.imshow(diagonal % 2, cmap="Blues", vmin=-3, vmax=4, interpolation="nearest")
    # the traceback path, with the same rule as dlcourse.sequences.lcs
    path, matches = [(n, m)], set()
    i, j = n, m
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            matches.add((i, j))
            i, j = i - 1, j - 1
        elif L[i - 1, j] >= L[i, j - 1]:
            i -= 1
        else:
            j -= 1
        path.append((i, j))
    for r, c in path:
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, lw=2, ec="#d84315"))
    for r in range(n + 1):
        for c in range(m + 1):
            bold = (r, c) in matches
            ax.text(
                c, r, str(L[r, c]), ha="center", va="center", fontsize="small",
                fontweight="bold" if bold else "normal", color="#b71c1c" if bold else "black",
            )  # fmt: skip
    ax.set_xticks(range(m + 1), ["ε", *(str(x) for x in b)])
    ax.set_yticks(range(n + 1), ["ε", *(str(x) for x in a)])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.set_xlabel("b")
    ax.xaxis.set_label_position("top")
    ax.set_ylabel("a")
    if title:
        ax.set_title(title)
    fig.set_label(
        f"LCS table of two sequences of lengths {n} and {m}, anti-diagonals shaded, "
        "traceback path outlined"
    )
    return fig


def plot_value_sweeps(
    snapshots: Mapping[str, Any],
    height: int,
    width: int,
    *,
    walls: Any = None,
    goal: Any = None,
    cols: int = 3,
    fmt: str = "{:.2f}",
    cmap: str = "viridis",
    title: str | None = None,
) -> Figure:
    """Several value functions on one grid, as heatmaps with one shared colour scale.

    ``snapshots`` maps a panel title (``"sweep 0"``, ``"converged"``) to values ``[S]``,
    drawn in rows of ``cols`` panels. Walls are dark, the goal is marked "G" (its value is 0),
    and every other cell shows its value formatted with ``fmt``.
    """
    items = list(snapshots.items())
    if not items:
        raise ValueError("snapshots must hold at least one value function")
    S = height * width
    grids = []
    for name, values in items:
        v = to_numpy(values).astype(float).reshape(-1)
        if v.size != S:
            raise ValueError(f"{name!r}: values must have {S} entries, got {v.size}")
        grids.append(v.copy())
    wall = wall_mask(walls, height, width)
    live = np.concatenate([g[~wall] for g in grids])
    lo, hi = float(live.min()), float(live.max())
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    cols = max(1, min(cols, len(items)))
    rows = -(-len(items) // cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(cols * (0.45 * width + 0.25) + 1.1, rows * (0.45 * height + 0.4) + 0.3),
        layout="constrained",
        squeeze=False,
    )
    for ax, (name, _), v in zip(axes.flat, items, grids, strict=False):
        plot_values(v, height, width, walls=walls, goal=goal, ax=ax, fmt=fmt, cmap=cmap,
                    vmin=lo, vmax=hi, title=name, colorbar=False, fontsize=7)  # fmt: skip
    for ax in list(axes.flat)[len(items) :]:
        ax.set_axis_off()
    fig.colorbar(axes.flat[0].images[0], ax=axes, shrink=0.6, label="V(s)")
    if title:
        fig.suptitle(title)
    fig.set_label(
        f"State values on a {height}x{width} grid at {len(items)} moments: "
        + ", ".join(name for name, _ in items)
    )
    return fig


def plot_convergence(
    curves: Mapping[str, Sequence[float]],
    *,
    ax: Axes | None = None,
    xlabel: str = "iteration (sweep; for policy iteration: improvement step)",
    title: str | None = None,
) -> Figure:
    """``max_s |V_new(s) - V_old(s)|`` per iteration on a log scale, one line per method.

    A change of exactly 0 (reached by policy iteration, or by value iteration on a
    deterministic problem) cannot be drawn on a log axis; it is shown as a downward triangle
    on the bottom edge.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    else:
        fig = ax.figure
    positive = [d for ds in curves.values() for d in ds if d > 0]
    floor = min(positive) / 10 if positive else 1e-16
    markers = iter("osD^v<>")
    for name, deltas in curves.items():
        d = np.asarray(list(deltas), dtype=float)
        x = np.arange(1, len(d) + 1)
        marker = next(markers, "o")
        (line,) = ax.plot(
            x[d > 0], d[d > 0], marker=marker, markersize=3.5 if len(d) < 60 else 0, label=name
        )
        if (d == 0).any():
            ax.plot(x[d == 0], np.full((d == 0).sum(), floor), "v", color=line.get_color(), ms=8)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"$\max_s |V_{k}(s) - V_{k-1}(s)|$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.set_label(
        "Convergence on a log scale: largest value change per iteration for " + ", ".join(curves)
    )
    return fig


def plot_value_image(
    values: Any,
    height: int,
    width: int,
    *,
    walls: Any = None,
    goal: Any = None,
    cmap: str = "magma",
    label: str = "V(s)",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Values of a large grid as an image (no text), walls dark, the goal circled.

    Meant for grids far too big for :func:`dlcourse.plots.grid.plot_values`, such as
    1000 x 1000: matplotlib resamples the image to the figure's pixels.
    """
    v = to_numpy(values).astype(float).reshape(-1)
    if v.size != height * width:
        raise ValueError(f"values must have height*width = {height * width} entries, got {v.size}")
    wall = wall_mask(walls, height, width)
    v = v.copy()
    v[wall] = np.nan
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.4), layout="constrained")
    else:
        fig = ax.figure
    colormap = plt.get_cmap(cmap).with_extremes(bad=_WALL)
    image = ax.imshow(
        np.ma.masked_invalid(v.reshape(height, width)), cmap=colormap, interpolation="antialiased"
    )
    goal_s = _goal_state(goal, height, width)
    if goal_s is not None:
        r, c = divmod(goal_s, width)
        ax.plot(c, r, "o", ms=9, mfc="none", mec="#00e676", mew=2)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    fig.colorbar(image, ax=ax, shrink=0.85, label=label)
    if title:
        ax.set_title(title)
    fig.set_label(f"Values of a {height}x{width} grid world as an image")
    return fig
