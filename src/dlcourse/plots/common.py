"""What every plot module shares: arrays from tensors, a moving average, a fresh pair of axes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["moving_average", "new_axes", "to_numpy"]


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
