"""Checks of function arguments that several modules share; each failure is a clear ValueError."""

from __future__ import annotations

import numbers

__all__ = ["check_count", "check_positive"]


def check_count(x: object, name: str) -> int:
    """``x`` as a Python int if it is a non-negative integer (bools refused)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise ValueError(f"{name} must be a non-negative int, got {x!r} ({type(x).__name__})")
    if x < 0:
        raise ValueError(f"{name} must be a non-negative int, got {x}")
    return int(x)


def check_positive(x: object, name: str) -> float:
    """``x`` as a float if it is a positive real number."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not x > 0:
        raise ValueError(f"{name} must be a positive number, got {x!r}")
    return float(x)
