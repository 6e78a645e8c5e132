"""Figures for Markov reward processes: the chain as a graph, values against gamma, Monte Carlo
running means with their confidence band.

Every function takes data (tensors, arrays or lists; any device), draws on ``ax`` (or
``axes``) when given, else on a new ``plt.subplots`` figure, and returns the
:class:`~matplotlib.figure.Figure`, labelled with a short alt text via ``fig.set_label``.
Nothing here calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from dlcourse.plots.common import to_numpy

__all__ = [
    "plot_chain",
    "plot_monte_carlo",
    "plot_values_vs_gamma",
    "running_band",
]

_NODE_R = 0.5
_EDGE = "#37474f"
_NODE = "#e3f2fd"
_TERMINAL = "#cfd8dc"


def _circle_layout(n: int) -> np.ndarray:
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    return 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def plot_chain(
    P: Any,
    names: Sequence[str],
    *,
    rewards: Any = None,
    terminal: Any = None,
    values: Any = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A Markov chain as a graph: one node per state, one arrow per ``P[s, s'] > 0``.

    Each arrow is labelled with its probability. A node shows its name, its reward ``R[s]``
    (``rewards``) and its value ``v(s)`` (``values``) when they are given; states flagged in
    ``terminal`` are drawn as grey squares. ``positions`` maps names to ``(x, y)``; by default
    the states sit on a circle.
    """
    p = to_numpy(P).astype(float)
    n = len(names)
    if p.shape != (n, n):
        raise ValueError(f"P must be [S, S] with S = len(names) = {n}, got shape {p.shape}")
    if positions is None:
        xy = _circle_layout(n)
    else:
        missing = [name for name in names if name not in positions]
        if missing:
            raise ValueError(f"positions has no entry for {missing}")
        xy = np.array([positions[name] for name in names], dtype=float)
    term = np.zeros(n, dtype=bool) if terminal is None else to_numpy(terminal).astype(bool)
    rew = None if rewards is None else to_numpy(rewards).astype(float)
    val = None if values is None else to_numpy(values).astype(float)
    if ax is None:
        span = xy.max(axis=0) - xy.min(axis=0)
        fig, ax = plt.subplots(figsize=(1.3 * span[0] + 2.5, 1.3 * span[1] + 2.5))
    else:
        fig = ax.figure
    ax.set_aspect("equal")
    ax.set_axis_off()
    centre = xy.mean(axis=0)
    for s in range(n):
        for t in range(n):
            if p[s, t] <= 0:
                continue
            if s == t:
                _self_loop(ax, xy[s], centre, p[s, s])
            else:
                rad = 0.2 if p[t, s] > 0 else 0.0  # two arrows between s and t: bend both
                _edge(ax, xy[s], xy[t], rad, p[s, t])
    for s, name in enumerate(names):
        lines = [name]
        if rew is not None and not term[s]:
            lines.append(f"R = {rew[s]:g}")
        if val is not None:
            lines.append(f"v = {val[s]:.2f}")
        x, y = xy[s]
        if term[s]:
            ax.add_patch(
                FancyBboxPatch(
                    (x - 0.85 * _NODE_R, y - 0.85 * _NODE_R),
                    1.7 * _NODE_R,
                    1.7 * _NODE_R,
                    boxstyle="round,pad=0.05",
                    facecolor=_TERMINAL,
                    edgecolor=_EDGE,
                    zorder=3,
                )
            )
        else:
            ax.add_patch(Circle((x, y), _NODE_R, facecolor=_NODE, edgecolor=_EDGE, zorder=3))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8, zorder=4)
    pad = 1.3 * _NODE_R + 0.4
    ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + pad)
    ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    if title:
        ax.set_title(title)
    fig.set_label(
        f"Graph of a {n}-state Markov reward process: states as nodes, transition "
        "probabilities on the arrows"
    )
    return fig


def _edge(ax: Axes, a: np.ndarray, b: np.ndarray, rad: float, prob: float) -> None:
    """An arrow from circle ``a`` to circle ``b`` bent by ``rad``, labelled ``prob``."""
    d = b - a
    u = d / np.linalg.norm(d)
    # leave and enter the circles a little off the centre line when the arrow is bent
    turn = np.array([[np.cos(-rad), -np.sin(-rad)], [np.sin(-rad), np.cos(-rad)]])
    start = a + _NODE_R * (turn @ u)
    end = b - _NODE_R * (turn.T @ u)
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": _EDGE,
            "lw": 1.2,
            "shrinkA": 0,
            "shrinkB": 0,
            "connectionstyle": f"arc3,rad={rad}",
        },
        zorder=2,
    )
    # arc3 puts its control point at mid + rad * (dy, -dx); the curve's midpoint is halfway there
    e = end - start
    mid = (start + end) / 2 + rad / 2 * np.array([e[1], -e[0]])
    ax.text(
        mid[0],
        mid[1],
        f"{prob:g}",
        ha="center",
        va="center",
        fontsize=7,
        color=_EDGE,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        zorder=2.5,
    )


def _self_loop(ax: Axes, a: np.ndarray, centre: np.ndarray, prob: float) -> None:
    """A loop on the side of circle ``a`` facing away from the graph's centre."""
    away = a - centre
    angle = np.arctan2(away[1], away[0]) if np.linalg.norm(away) > 1e-9 else np.pi / 2
    spread = 0.5
    start = a + _NODE_R * np.array([np.cos(angle + spread), np.sin(angle + spread)])
    end = a + _NODE_R * np.array([np.cos(angle - spread), np.sin(angle - spread)])
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": _EDGE,
            "lw": 1.2,
            "shrinkA": 0,
            "shrinkB": 0,
            "connectionstyle": "arc3,rad=-1.9",
        },
        zorder=2,
    )
    label = a + (_NODE_R + 0.55) * np.array([np.cos(angle), np.sin(angle)])
    ax.text(label[0], label[1], f"{prob:g}", ha="center", va="center", fontsize=7, color=_EDGE)


def plot_values_vs_gamma(
    gammas: Any,
    values: Any,
    names: Sequence[str],
    *,
    marks: Sequence[float] = (),
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """State values ``values[g, s]`` against the discount ``gammas[g]``, one line per state.

    ``marks`` draws dotted vertical lines at chosen discounts.
    """
    g = to_numpy(gammas).astype(float)
    v = to_numpy(values).astype(float)
    if v.shape != (len(g), len(names)):
        raise ValueError(
            f"values must be [len(gammas), len(names)] = {(len(g), len(names))}, got {v.shape}"
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    else:
        fig = ax.figure
    for s, name in enumerate(names):
        ax.plot(g, v[:, s], label=name, linewidth=1.8)
    for m in marks:
        ax.axvline(m, color="#9e9e9e", linestyle=":", linewidth=1)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel(r"discount $\gamma$")
    ax.set_ylabel(r"value $v(s)$")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    if title:
        ax.set_title(title)
    fig.set_label(f"Values of {len(names)} states as the discount goes from {g[0]:g} to {g[-1]:g}")
    return fig


def running_band(returns: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Running mean of ``returns[:n]`` and the half-width ``z * std / sqrt(n)`` for each ``n``.

    The half-width is ``nan`` for ``n = 1`` (one sample has no spread).
    """
    x = to_numpy(returns).astype(float).reshape(-1)
    n = np.arange(1, len(x) + 1)
    mean = np.cumsum(x) / n
    # unbiased variance from running sums: (sum x^2 - n mean^2) / (n - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (np.cumsum(x**2) - n * mean**2) / (n - 1)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * np.sqrt(np.clip(var, 0.0, None) / n)
    half[0] = np.nan
    return mean, half


def plot_monte_carlo(
    returns: Any,
    exact: float,
    *,
    confidence: float = 0.95,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The running mean of sampled returns with its confidence band, against the exact value."""
    mean, half = running_band(returns, confidence)
    n = np.arange(1, len(mean) + 1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    else:
        fig = ax.figure
    ax.fill_between(
        n, mean - half, mean + half, color="#90caf9", alpha=0.6, label=f"{confidence:.0%} band"
    )
    ax.plot(n, mean, color="#1565c0", linewidth=1.5, label="running mean of $G$")
    ax.axhline(exact, color="#c62828", linestyle="--", linewidth=1.2, label="exact $v(s)$")
    ax.set_xscale("log")
    ax.set_xlabel("episodes")
    ax.set_ylabel("estimate of $v(s)$")
    ax.legend(loc="lower right", fontsize="small")
    if title:
        ax.set_title(title)
    fig.set_label(
        f"Monte Carlo running mean over {len(mean)} episodes with its {confidence:.0%} "
        "confidence band, converging to the exact value"
    )
    return fig
