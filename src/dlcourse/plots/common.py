"""What every plot module shares: arrays from tensors, moving averages, axes, episode curves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["Curve", "moving_average", "new_axes", "plot_episode_curves", "to_numpy"]


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of a tensor (any device), array or list."""
    if hasattr(x, "detach"):
        x = x.detach().cpu()
    return np.asarray(x)


def moving_average(x: Sequence[float] | np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each point (fewer at the start), same length as x.

    ``m_i = (x_{i-w+1} + ... + x_i) / w``, with the sum starting at ``x_0`` while ``i < w``.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    x = to_numpy(x).astype(float)
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, len(x) + 1)
    lo = np.maximum(i - window, 0)
    return (c[i] - c[lo]) / (i - lo)


def new_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """``(ax.figure, ax)`` when axes are given, else a new constrained-layout figure of ``size``."""
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


@dataclass(frozen=True)
class Curve:
    """One panel of :func:`plot_episode_curves`: a value per episode and how to draw it."""

    values: Any
    """One number per episode (tensor, array or list)."""
    title: str
    """The panel's title."""
    ylabel: str | None = None
    """Label of the y axis."""
    optimal: float | None = None
    """The best achievable value, drawn as a dashed line."""
    raw: bool = True
    """Draw each episode's value under its moving average."""
    ylim: tuple[float, float] | None = None
    """Fixed y limits (None: fit the data)."""
    log: bool = False
    """A logarithmic y axis."""


def plot_episode_curves(
    curves: Sequence[Curve],
    *,
    window: int,
    alt: str,
    axes: Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Side-by-side panels over episodes, each a value with its moving average of ``window``.

    ``alt`` is the figure's alt text; ``axes`` (one per curve) to draw on existing axes.
    """
    ys = [to_numpy(c.values).astype(float) for c in curves]
    if len({y.shape for y in ys}) > 1:
        shapes = ", ".join(f"{c.title}: {y.shape}" for c, y in zip(curves, ys, strict=True))
        raise ValueError(f"every curve needs one entry per episode, got {shapes}")
    if axes is None:
        fig, axes = plt.subplots(1, len(curves), figsize=(9, 3.2), layout="constrained")
        axes = np.atleast_1d(axes)
    fig = axes[0].figure
    for ax, curve, y in zip(axes, curves, ys, strict=True):
        episodes = np.arange(1, len(y) + 1)
        if curve.raw:
            ax.plot(episodes, y, color="#90a4ae", linewidth=0.8, label="episode")
        mean_color = "#1565c0" if curve.raw else "#2e7d32"
        ax.plot(episodes, moving_average(y, window), color=mean_color, label=f"mean of {window}")
        if curve.optimal is not None:
            best = f"optimal ({curve.optimal:.3g})"
            ax.axhline(curve.optimal, color="#2e7d32", linestyle="--", label=best)
        if curve.ylim is not None:
            ax.set_ylim(*curve.ylim)
        if curve.log:
            ax.set_yscale("log")
        ax.set_xlabel("episode")
        if curve.ylabel:
            ax.set_ylabel(curve.ylabel)
        ax.set_title(curve.title)
        if curve.raw:
            ax.legend(fontsize="small", loc="best")
    if title:
        fig.suptitle(title)
    fig.set_label(alt)
    return fig
