"""Figures for deep Q-learning: training curves across seeds, greedy checks, filmstrips, GIFs.

Every plot function takes data (lists or arrays), draws on ``ax`` when given (else on a new
figure) and returns the :class:`~matplotlib.figure.Figure`, labelled with a short alt text via
``fig.set_label``. Nothing here calls ``plt.show()``. :func:`save_episode_gif` writes frames to
a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dlcourse.plots.common import moving_average, new_axes, to_numpy

__all__ = [
    "plot_checks",
    "plot_episode_filmstrip",
    "plot_training_curves",
    "save_episode_gif",
    "smoothed_curve",
]

_SIZE = (7.0, 3.6)


def smoothed_curve(
    end_steps: Sequence[int], returns: Sequence[float], grid: np.ndarray, window: int = 10
) -> np.ndarray:
    """Mean return of the last ``window`` episodes finished by each step of ``grid``.

    NaN before the first episode ends and after the run's last step (a run stopped early
    has no data beyond its end).
    """
    end = to_numpy(end_steps).astype(float)
    out = np.full(len(grid), np.nan)
    if len(end) == 0:
        return out
    recent = moving_average(to_numpy(returns), window)  # recent[k - 1]: episodes k-w+1 .. k
    for j, g in enumerate(grid):
        k = int(np.searchsorted(end, g, side="right"))  # episodes finished by step g
        if k > 0 and g <= end[-1]:
            out[j] = recent[k - 1]
    return out


def plot_training_curves(
    runs: Sequence[tuple[Sequence[int], Sequence[float]]],
    threshold: float = 475.0,
    labels: Sequence[str] | None = None,
    window: int = 10,
    points: int = 200,
    ax: Axes | None = None,
) -> Figure:
    """Training returns of several runs against environment steps: each run, mean and band.

    ``runs`` holds one ``(episode_end_steps, episode_returns)`` pair per seed. Each run is
    smoothed over its last ``window`` episodes; the mean and the min-max band are taken over
    the runs still training at each step (a run that stopped early ends there).
    """
    fig, ax = new_axes(ax, _SIZE)
    last = max((s[-1] for s, _ in runs if len(s)), default=1)
    grid = np.linspace(0, last, points)
    curves = np.stack([smoothed_curve(s, r, grid, window) for s, r in runs])
    for i, curve in enumerate(curves):
        label = None if labels is None else labels[i]
        ax.plot(grid, curve, linewidth=0.8, alpha=0.5, label=label)
    alive = ~np.isnan(curves)
    count = alive.sum(axis=0)
    some = count > 0
    mean = np.where(some, np.where(alive, curves, 0.0).sum(axis=0) / np.maximum(count, 1), np.nan)
    low = np.where(some, np.where(alive, curves, np.inf).min(axis=0), np.nan)
    high = np.where(some, np.where(alive, curves, -np.inf).max(axis=0), np.nan)
    ax.fill_between(grid, low, high, color="tab:blue", alpha=0.15, label="min-max over seeds")
    ax.plot(grid, mean, color="tab:blue", linewidth=2, label=f"mean over {len(runs)} seeds")
    ax.axhline(threshold, color="tab:red", linestyle="--", label=f"solved ({threshold:g})")
    ax.set_xlabel("environment steps")
    ax.set_ylabel(f"training return (last {window} episodes)")
    ax.set_ylim(0, 520)
    ax.legend(loc="upper left", fontsize="small")
    fig.set_label(
        f"Training returns of {len(runs)} DQN runs on CartPole against environment steps, "
        f"with their mean, min-max band and the {threshold:g} line"
    )
    return fig


def plot_checks(
    runs: Sequence[Sequence[tuple[int, float]]],
    labels: Sequence[str],
    threshold: float = 475.0,
    episodes: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Mean greedy return of each periodic check against environment steps, one line per run.

    ``runs`` holds each run's ``(environment step, mean greedy return)`` checks; a run that
    stopped at a passing check ends there. ``episodes`` (the episodes of one check) goes into
    the axis label.
    """
    fig, ax = new_axes(ax, _SIZE)
    for checks, label in zip(runs, labels, strict=True):
        steps = [s for s, _ in checks]
        means = [m for _, m in checks]
        ax.plot(steps, means, marker="o", markersize=3, label=label)
    ax.axhline(threshold, color="tab:red", linestyle="--", label=f"solved ({threshold:g})")
    ax.set_xlabel("training environment steps")
    of = "" if episodes is None else f" of {episodes} episodes"
    ax.set_ylabel(f"greedy check: mean return{of}")
    ax.set_ylim(0, 520)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    fig.set_label(
        f"Greedy-check returns of {len(runs)} DQN runs on CartPole against training "
        f"environment steps, each ending at the check that stopped it, with the "
        f"{threshold:g} line"
    )
    return fig


def plot_episode_filmstrip(
    frames: Sequence[np.ndarray],
    count: int = 6,
    every: int = 1,
    title: str | None = None,
    crop: bool = True,
) -> Figure:
    """``count`` frames evenly spaced over an episode, side by side, each with its step.

    ``every`` is the step between kept frames (as in :func:`dlcourse.dqn.greedy_frames`);
    the last frame is labelled "end".
    """
    count = max(1, min(count, len(frames)))
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    fig, axes = plt.subplots(1, count, figsize=(2.0 * count, 1.7), layout="constrained")
    for ax, i in zip(np.atleast_1d(axes), picks, strict=True):
        image = frames[i]
        if crop:  # CartPole's frame is mostly sky above the pole: keep the middle band
            h = image.shape[0]
            image = image[int(0.25 * h) : int(0.8 * h)]
        ax.imshow(image)
        label = "end" if i == len(frames) - 1 and i > 0 else f"step {i * every}"
        ax.set_title(label, fontsize="small")
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize="medium")
    fig.set_label(f"{count} frames of one greedy CartPole episode, from its start to its end")
    return fig


def save_episode_gif(
    frames: Sequence[np.ndarray], path: str | Path, fps: int = 10, scale: float = 0.5
) -> Path:
    """Write RGB frames to an animated GIF at ``path`` (Pillow), resized by ``scale``."""
    from PIL import Image

    path = Path(path)
    images = []
    for f in frames:
        image = Image.fromarray(to_numpy(f).astype(np.uint8))
        if scale != 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            image = image.resize(size, Image.Resampling.LANCZOS)
        images.append(image)
    if not images:
        raise ValueError("no frames to write")
    images[0].save(
        path,
        save_all=True,
        append_images=images[1:],
        duration=max(1, round(1000 / fps)),
        loop=0,
        optimize=True,
    )
    return path
