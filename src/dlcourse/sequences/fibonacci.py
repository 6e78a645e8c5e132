"""Fibonacci numbers three ways: an int64 table, exact Python ints, and matrix powers.

``F(0) = 0, F(1) = 1, F(n) = F(n-1) + F(n-2)``.
"""

from __future__ import annotations

import torch

from dlcourse.runtime import device as default_device
from dlcourse.validation import check_count

__all__ = ["FIBONACCI_INT64_MAX_N", "fibonacci", "fibonacci_matrix", "fibonacci_table"]

# ---------------------------------------------------------------------------------------------
# Fibonacci: F(0) = 0, F(1) = 1, F(n) = F(n-1) + F(n-2)
# ---------------------------------------------------------------------------------------------

FIBONACCI_INT64_MAX_N = 92
"""Largest n with F(n) < 2**63: F(92) = 7540113804746346429 fits in int64, F(93) does not."""


def fibonacci_table(n: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Return the int64 tensor ``[F(0), F(1), ..., F(n)]``, filled bottom-up.

    Only valid up to ``n = 92``: F(93) exceeds 2**63 - 1, and int64 addition would silently
    wrap around to a negative number, so larger ``n`` raises instead. Use :func:`fibonacci`
    (exact Python ints) for those.

    Raises:
        ValueError: ``n`` is not a non-negative int.
        OverflowError: ``n > 92``.
    """
    n = check_count(n, "n")
    if n > FIBONACCI_INT64_MAX_N:
        raise OverflowError(
            f"fibonacci_table({n}): int64 overflows after F({FIBONACCI_INT64_MAX_N}) "
            f"(F(93) > 2**63 - 1 would wrap around to a negative number); "
            f"use fibonacci(n) for exact Python ints instead"
        )
    table = torch.zeros(n + 1, dtype=torch.int64, device=device or default_device())
    if n >= 1:
        table[1] = 1  # F(1) = 1
    for i in range(2, n + 1):
        table[i] = table[i - 1] + table[i - 2]  # F(i) = F(i-1) + F(i-2)
    return table


def fibonacci(n: int) -> int:
    """Return F(n) exactly, bottom-up in O(n) additions of Python ints (which never overflow).

    The table F(0..n) is filled left to right, keeping only the last two entries, since
    F(i) = F(i-1) + F(i-2) needs nothing older.
    """
    n = check_count(n, "n")
    previous, current = 1, 0  # F(-1) = 1 makes F(1) = F(0) + F(-1) come out right
    for _ in range(n):
        previous, current = current, current + previous  # F(i+1) = F(i) + F(i-1)
    return current


_Matrix2x2 = tuple[int, int, int, int]


def _matmul_2x2(x: _Matrix2x2, y: _Matrix2x2) -> _Matrix2x2:
    """Multiply two 2x2 integer matrices stored row-major as ``(a, b, c, d)``."""
    a, b, c, d = x
    e, f, g, h = y
    return (a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h)


def fibonacci_matrix(n: int) -> int:
    """Return F(n) exactly with O(log n) 2x2 matrix products of Python ints.

    Uses ``[[1, 1], [1, 0]]**n = [[F(n+1), F(n)], [F(n), F(n-1)]]`` and computes the power by
    repeated squaring: M**n = (M**2)**(n//2) * M**(n%2).
    """
    n = check_count(n, "n")
    result = (1, 0, 0, 1)  # identity = M**0
    power = (1, 1, 1, 0)  # M**1, squared at every step: M**2, M**4, M**8, ...
    while n:
        if n & 1:
            result = _matmul_2x2(result, power)
        power = _matmul_2x2(power, power)
        n >>= 1
    return result[1]
