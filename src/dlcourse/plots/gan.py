"""Figures for the GAN chapter: image grids, filmstrips, losses, discriminator outputs.

Images may be ``uint8`` ``(N, 28, 28)`` (0-255) or floats ``(N, 1, 28, 28)`` in ``[-1, 1]``
(what the generator outputs); both are shown white ink on black. Every function returns a
:class:`~matplotlib.figure.Figure` labelled with an alt text (``fig.set_label``) and never calls
``plt.show()``. :func:`save_samples_gif` writes the fixed-noise samples of every epoch as an
animation. Curves over training steps are moving averages
(:func:`dlcourse.plots.common.moving_average`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from dlcourse.plots.common import moving_average, new_axes, to_numpy

__all__ = [
    "image_grid",
    "plot_d_outputs",
    "plot_digit_counts",
    "plot_losses",
    "plot_pixel_ranges",
    "plot_real_vs_fake",
    "plot_samples",
    "plot_samples_filmstrip",
    "save_samples_gif",
]


def _unit(images: Tensor) -> np.ndarray:
    """Images as a float array ``(N, 28, 28)`` in ``[0, 1]``."""
    x = images.float() / 255.0 if images.dtype == torch.uint8 else (images.float() + 1.0) / 2.0
    return to_numpy(x.reshape(-1, 28, 28).clamp(0, 1))


def image_grid(images: Tensor, ncol: int = 8, pad: int = 2) -> np.ndarray:
    """Tile images into one ``[0, 1]`` array with ``ncol`` columns and ``pad`` pixels between."""
    x = _unit(images)
    n = len(x)
    nrow = -(-n // ncol)
    grid = np.full((nrow * (28 + pad) + pad, ncol * (28 + pad) + pad), 0.5)
    for i, img in enumerate(x):
        r, c = divmod(i, ncol)
        grid[pad + r * (28 + pad) : pad + r * (28 + pad) + 28, pad + c * (28 + pad) :][:, :28] = img
    return grid


def _show(ax: Axes, images: Tensor, ncol: int, title: str | None) -> None:
    ax.imshow(image_grid(images, ncol), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)


def plot_samples(
    images: Tensor, ncol: int = 8, title: str | None = None, ax: Axes | None = None
) -> Figure:
    """One grid of images."""
    nrow = -(-len(images) // ncol)
    fig, ax = new_axes(ax, (0.45 * ncol + 0.4, 0.45 * nrow + 0.6))
    _show(ax, images, ncol, title)
    fig.set_label(title or f"A grid of {len(images)} MNIST-sized images")
    return fig


def plot_real_vs_fake(
    panels: Mapping[str, Tensor], ncol: int = 8, alt: str | None = None
) -> Figure:
    """Grids side by side, one per entry of ``panels`` (title -> images)."""
    k = len(panels)
    n = max(len(v) for v in panels.values())
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(
        1, k, figsize=(k * (0.42 * ncol + 0.3), 0.42 * nrow + 0.7), layout="constrained"
    )
    for ax, (title, images) in zip(np.atleast_1d(axes), panels.items(), strict=True):
        _show(ax, images, ncol, title)
    fig.set_label(alt or "Image grids side by side: " + ", ".join(panels))
    return fig


def plot_samples_filmstrip(
    epoch_samples: Sequence[Tensor], epochs: Sequence[int] | None = None, n: int = 10
) -> Figure:
    """Samples from the same fixed noise, one row per epoch (``epochs`` are 1-based)."""
    if epochs is None:
        epochs = range(1, len(epoch_samples) + 1)
    epochs = list(epochs)
    fig, axes = plt.subplots(
        len(epochs), 1, figsize=(0.5 * n + 0.9, 0.52 * len(epochs) + 0.3), layout="constrained"
    )
    for ax, epoch in zip(np.atleast_1d(axes), epochs, strict=True):
        ax.imshow(image_grid(epoch_samples[epoch - 1][:n], n), cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(f"epoch {epoch}", rotation=0, ha="right", va="center", fontsize=9)
    fig.set_label(f"The same {n} noise vectors decoded after epochs {epochs[0]} to {epochs[-1]}")
    return fig


def _per_epoch(
    values: Sequence[float], window: int, steps_per_epoch: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(epoch of each step, moving average of values over the last window steps)``."""
    return np.arange(len(values)) / max(steps_per_epoch, 1), moving_average(values, window)


def plot_losses(results: Mapping[str, Any], window: int = 50) -> Figure:
    """Discriminator and generator losses per step (moving average) for each named result."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained", sharex=True)
    for name, result in results.items():
        for ax, values in zip(axes, (result.loss_d, result.loss_g), strict=True):
            ax.plot(*_per_epoch(values, window, result.steps_per_epoch), label=name, linewidth=1.2)
    axes[0].set_title("discriminator loss")
    axes[1].set_title("generator loss")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.set_label("Discriminator and generator losses over training, " + ", ".join(results))
    return fig


def plot_d_outputs(results: Mapping[str, Any], window: int = 50, ax: Axes | None = None) -> Figure:
    """Mean ``D(x)`` (solid) and ``D(G(z))`` (dashed) per step for each named result."""
    fig, ax = new_axes(ax, (7, 3.2))
    for i, (name, result) in enumerate(results.items()):
        for values, style, what in ((result.d_real, "-", "D(x)"), (result.d_fake, "--", "D(G(z))")):
            x, y = _per_epoch(values, window, result.steps_per_epoch)
            ax.plot(x, y, style, color=f"C{i}", label=f"{what}, {name}", linewidth=1.2)
    ax.axhline(0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean discriminator output")
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.set_label("Mean D(x) and D(G(z)) over training for " + ", ".join(results))
    return fig


def plot_pixel_ranges(
    panels: Mapping[str, Tensor], bins: int = 50, ax: Axes | None = None
) -> Figure:
    """Histograms of pixel values, one per entry (title -> float pixel values in any range)."""
    fig, ax = new_axes(ax, (8, 3.4))
    for name, values in panels.items():
        v = to_numpy(values).astype(np.float32).ravel()
        ax.hist(v, bins=np.linspace(-1.05, 1.05, bins), alpha=0.55, label=name, density=True)
    ax.set_yscale("log")
    ax.set_xlabel("pixel value")
    ax.set_ylabel("density (log scale)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=len(panels))
    fig.set_label("Histograms of pixel values: " + ", ".join(panels))
    return fig


def plot_digit_counts(counts: Mapping[str, Sequence[int]], ax: Axes | None = None) -> Figure:
    """Bars of how often the classifier predicts each digit, one group per entry."""
    fig, ax = new_axes(ax, (8, 3))
    k = len(counts)
    width = 0.8 / k
    for i, (name, c) in enumerate(counts.items()):
        c = np.asarray(c, dtype=float)
        ax.bar(np.arange(10) + (i - (k - 1) / 2) * width, c / c.sum(), width, label=name)
    ax.axhline(0.1, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("fraction of samples")
    ax.legend(fontsize=8)
    fig.set_label("Fraction of samples the classifier assigns to each digit: " + ", ".join(counts))
    return fig


def save_samples_gif(
    frames: Sequence[Tensor], path: str | Path, ncol: int = 8, ms: int = 300
) -> Path:
    """Write one image grid per frame (e.g. ``result.epoch_samples``) as an animated GIF."""
    from PIL import Image

    if not frames:
        raise ValueError("save_samples_gif needs at least one frame")
    path = Path(path)
    images = [Image.fromarray((image_grid(f, ncol) * 255).round().astype(np.uint8)) for f in frames]
    images = [im.resize((im.width * 2, im.height * 2), Image.NEAREST) for im in images]
    images[0].save(path, save_all=True, append_images=images[1:], duration=ms, loop=0)
    return path
