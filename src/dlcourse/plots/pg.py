"""Figures for policy gradients: learning curves across seeds, PPO's update statistics, policies.

Every plot function takes data (lists or arrays), draws on ``ax`` when given (else on a new
figure) and returns the :class:`~matplotlib.figure.Figure`, labelled with a short alt text via
``fig.set_label``. Nothing here calls ``plt.show()``. For the trained agent's frames and GIF,
use :func:`dlcourse.plots.dqn.plot_episode_filmstrip` and
:func:`dlcourse.plots.dqn.save_episode_gif`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcourse.plots.common import new_axes, to_numpy
from dlcourse.plots.dqn import smoothed_curve

__all__ = ["plot_bias_variance", "plot_learning_curves", "plot_policy_maps", "plot_update_stats"]

_SIZE = (7.0, 3.6)


def plot_learning_curves(
    runs: Sequence[tuple[Sequence[int], Sequence[float]]],
    labels: Sequence[str],
    threshold: float | None = None,
    window: int = 10,
    points: int = 200,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    """Training returns of several runs against environment steps: each run, mean and band.

    ``runs`` holds one ``(episode_end_steps, episode_returns)`` pair per seed, each smoothed
    over its last ``window`` episodes (:func:`dlcourse.plots.dqn.smoothed_curve`). The mean
    and the min-max band are over the runs still training at each step.
    """
    fig, ax = new_axes(ax, _SIZE)
    last = max((s[-1] for s, _ in runs if len(s)), default=1)
    grid = np.linspace(0, last, points)
    curves = np.stack([smoothed_curve(s, r, grid, window) for s, r in runs])
    for curve, label in zip(curves, labels, strict=True):
        ax.plot(grid, curve, linewidth=0.8, alpha=0.6, label=label)
    alive = ~np.isnan(curves)
    some = alive.any(axis=0)
    count = np.maximum(alive.sum(axis=0), 1)
    mean = np.where(some, np.where(alive, curves, 0.0).sum(axis=0) / count, np.nan)
    low = np.where(some, np.where(alive, curves, np.inf).min(axis=0), np.nan)
    high = np.where(some, np.where(alive, curves, -np.inf).max(axis=0), np.nan)
    ax.fill_between(grid, low, high, color="tab:blue", alpha=0.15, label="min-max over seeds")
    ax.plot(grid, mean, color="tab:blue", linewidth=2, label=f"mean over {len(runs)} seeds")
    if threshold is not None:
        ax.axhline(threshold, color="tab:red", linestyle="--", label=f"{threshold:g}")
        low_y, high_y = ax.get_ylim()
        pad = 0.05 * (high_y - low_y)
        ax.set_ylim(min(low_y, threshold - pad), max(high_y, threshold + pad))
    ax.set_xlabel("environment steps")
    ax.set_ylabel(f"training return (last {window} episodes)")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    fig.set_label(
        f"Training returns of {len(runs)} runs{' of ' + title if title else ''} against "
        "environment steps, each seed, their mean and min-max band"
    )
    return fig


def plot_update_stats(
    runs: Mapping[str, Mapping[str, Sequence[float]]],
    names: Sequence[str] = ("approx_kl", "clip_fraction"),
    log_scale: Sequence[str] = ("approx_kl",),
) -> Figure:
    """One panel per logged statistic (``names``) against the update, one line per run.

    ``runs`` maps a label to a run's ``log.stats``; statistics in ``log_scale`` get a
    logarithmic axis.
    """
    fig, axes = plt.subplots(1, len(names), figsize=(4.0 * len(names), 3.2), layout="constrained")
    for ax, name in zip(np.atleast_1d(axes), names, strict=True):
        for label, stats in runs.items():
            values = to_numpy(stats[name])
            ax.plot(np.arange(1, len(values) + 1), values, linewidth=1.0, label=label)
        ax.set_xlabel("update (one rollout)")
        ax.set_title(name.replace("_", " "))
        if name in log_scale:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
    np.atleast_1d(axes)[0].legend(fontsize="small")
    fig.set_label(
        f"{', '.join(n.replace('_', ' ') for n in names)} of each PPO update, one line per run: "
        + ", ".join(runs)
    )
    return fig


def plot_policy_maps(
    maps: Sequence[tuple[np.ndarray, str]],
    x: np.ndarray,
    y: np.ndarray,
    xlabel: str,
    ylabel: str,
    cmap: str = "coolwarm",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Heat maps of a policy's output over a grid of two state variables, side by side.

    Each of ``maps`` is ``(values [len(y), len(x)], title)``, for example the probability of
    one action or the mean action at each ``(x, y)``.
    """
    fig, axes = plt.subplots(1, len(maps), figsize=(4.2 * len(maps), 3.4), layout="constrained")
    image = None
    for ax, (values, title) in zip(np.atleast_1d(axes), maps, strict=True):
        image = ax.pcolormesh(x, y, to_numpy(values), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize="medium")
    if image is not None:
        fig.colorbar(image, ax=axes)
    fig.set_label(
        f"Heat maps of the policy over {xlabel} and {ylabel}: "
        + "; ".join(title for _, title in maps)
    )
    return fig


def plot_bias_variance(
    lambdas: Sequence[float], bias: Sequence[float], variance: Sequence[float]
) -> Figure:
    """Squared bias and variance of the GAE(lambda) return against lambda, on a log axis.

    A bias of exactly 0 (the Monte Carlo reference itself) has no place on a log axis and is
    left out of the line.
    """
    fig, ax = new_axes(None, (5.5, 3.4))
    shown = np.where(np.asarray(bias, dtype=float) > 0, bias, np.nan)
    ax.plot(lambdas, shown, marker="o", label="squared bias (0 for the reference)")
    ax.plot(lambdas, variance, marker="o", label="variance")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel("mean over start states")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.set_label(
        "Squared bias and variance of the lambda-return at fixed start states against lambda"
    )
    return fig
