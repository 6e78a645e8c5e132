"""Figures for the temporal-difference chapter: error curves, online returns, paths, bias.

Every function takes data, returns the :class:`~matplotlib.figure.Figure` it drew (labelled
with a short alt text via ``fig.set_label``) and never calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlcourse.plots.common import moving_average, to_numpy

__all__ = ["plot_cliff_paths", "plot_left_fraction", "plot_online_returns", "plot_rms_curves"]

CLIFF_HEIGHT, CLIFF_WIDTH = 4, 12
"""Gymnasium's CliffWalking grid: start bottom-left (36), goal bottom-right (47)."""


def plot_rms_curves(curves: Mapping[str, Any], alphas: Mapping[str, Sequence[float]]) -> Figure:
    """RMS error against episodes, one line per step size, one colour family per method.

    ``curves[name]`` is ``[len(alphas[name]), episodes]`` (from :func:`dlcourse.td.rms_curves`).
    """
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    for (name, values), cmap in zip(curves.items(), ("Blues", "Reds"), strict=False):
        values = to_numpy(values)
        shades = plt.get_cmap(cmap)(np.linspace(0.45, 0.95, len(values)))
        for row, alpha, color in zip(values, alphas[name], shades, strict=True):
            ax.plot(np.arange(1, len(row) + 1), row, color=color, label=f"{name}, α = {alpha:g}")
    ax.set_xlabel("episode")
    ax.set_ylabel("RMS error over A..E (mean of runs)")
    ax.legend(fontsize="small", ncol=2)
    fig.set_label("RMS error of TD(0) and Monte Carlo on the random walk, per step size")
    return fig


def plot_online_returns(returns: Mapping[str, Sequence[float]], window: int = 20) -> Figure:
    """Return per training episode (moving average of ``window``), one line per method."""
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    for name, values in returns.items():
        y = moving_average(values, window)
        ax.plot(np.arange(1, len(y) + 1), y, label=name)
    ax.set_ylim(-110, 0)
    ax.set_xlabel("episode")
    ax.set_ylabel(f"return while learning (mean of {window})")
    ax.legend(fontsize="small", loc="lower right")
    fig.set_label("Online return per episode of each TD control method on the cliff")
    return fig


def plot_cliff_paths(paths: Mapping[str, Sequence[int]]) -> Figure:
    """The cliff grid with each method's greedy path from the start to the goal."""
    h, w = CLIFF_HEIGHT, CLIFF_WIDTH
    fig, ax = plt.subplots(figsize=(7, 2.8), layout="constrained")
    board = np.zeros((h, w))
    board[h - 1, 1 : w - 1] = 1  # the cliff
    ax.imshow(board, cmap=plt.get_cmap("Greys"), vmin=0, vmax=1.6)
    ax.text(0, h - 1, "S", ha="center", va="center", fontweight="bold")
    ax.text(w - 1, h - 1, "G", ha="center", va="center", fontweight="bold")
    for k, (name, path) in enumerate(paths.items()):
        r, c = np.divmod(np.asarray(path), w)
        offset = 0.12 * (k - (len(paths) - 1) / 2)
        ax.plot(c + offset, r + offset, marker="o", markersize=3, linewidth=2, label=name)
    ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
    ax.grid(which="minor", color="#9e9e9e", linewidth=0.8)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=len(paths))
    fig.set_label("Greedy paths of the TD control methods on the cliff grid")
    return fig


def plot_left_fraction(fractions: Mapping[str, Sequence[float]], optimal: float) -> Figure:
    """How often each method goes *left* from A, per episode, against the optimal fraction."""
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    for name, values in fractions.items():
        y = to_numpy(values)
        ax.plot(np.arange(1, len(y) + 1), 100 * y, label=name)
    ax.axhline(100 * optimal, color="#2e7d32", linestyle="--", label=f"optimal ({optimal:.0%})")
    ax.set_xlabel("episode")
    ax.set_ylabel("% left actions from A")
    ax.legend(fontsize="small")
    fig.set_label("Percent of left actions from A for Q-learning and Double Q-learning")
    return fig
