"""Dynamic programming: solve each subproblem once, in an order where its parts are ready.

General dynamic programming (this first section) covers the classic tabulation examples:
Fibonacci numbers, the longest common subsequence (LCS), the 0/1 knapsack and coin change.
Every function names the recurrence it fills its table with, and results are exact integers.

The LCS appears three times, on purpose:

* :func:`lcs` is the teaching version: a readable double loop over Python lists.
* :func:`lcs_per_cell_tensor` is the slow baseline the original lesson used: the same double
  loop, but every cell is read and written through torch tensor indexing. It exists only so a
  benchmark can show why that is the worst of both worlds.
* :func:`lcs_wavefront` computes a whole anti-diagonal of the table in one batched torch op, so
  it scales to 10,000 x 10,000 on a CPU in seconds and runs unchanged on a GPU.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from dlcourse.runtime import device as default_device

__all__ = [
    "FIBONACCI_INT64_MAX_N",
    "KnapsackResult",
    "LCSResult",
    "coin_change_min",
    "coin_change_ways",
    "fibonacci",
    "fibonacci_matrix",
    "fibonacci_table",
    "knapsack",
    "lcs",
    "lcs_length_wavefront",
    "lcs_per_cell_tensor",
    "lcs_wavefront",
]

# =============================================================================================
# General dynamic programming
# =============================================================================================


class _Unpackable:
    """Lets a result dataclass be unpacked like the tuple it replaces: ``n, seq = lcs(a, b)``."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return (getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]


def _as_count(x: object, name: str) -> int:
    """Return ``x`` as a Python int if it is a non-negative integer (bools refused)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise ValueError(f"{name} must be a non-negative int, got {x!r} ({type(x).__name__})")
    if x < 0:
        raise ValueError(f"{name} must be a non-negative int, got {x}")
    return int(x)


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
    n = _as_count(n, "n")
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
    n = _as_count(n, "n")
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
    n = _as_count(n, "n")
    result = (1, 0, 0, 1)  # identity = M**0
    power = (1, 1, 1, 0)  # M**1, squared at every step: M**2, M**4, M**8, ...
    while n:
        if n & 1:
            result = _matmul_2x2(result, power)
        power = _matmul_2x2(power, power)
        n >>= 1
    return result[1]


# ---------------------------------------------------------------------------------------------
# Longest common subsequence
#   L[i, j] = length of an LCS of a[:i] and b[:j]; L[0, j] = L[i, 0] = 0
#   L[i, j] = L[i-1, j-1] + 1 if a_i == b_j else max(L[i-1, j], L[i, j-1])
# Traceback from (len(a), len(b)), deterministic:
#   a_i == b_j -> take a_i and move diagonally to (i-1, j-1)
#   otherwise  -> move up to (i-1, j) if L[i-1, j] >= L[i, j-1] (up wins ties), else left
# Every version below uses this rule, so they all return the same subsequence.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LCSResult(_Unpackable):
    """A longest common subsequence and its length; unpacks as ``length, subsequence``."""

    length: int
    """Length of a longest common subsequence."""
    subsequence: str | tuple[Hashable, ...]
    """One LCS (the one the traceback rule picks): a ``str`` if both inputs are ``str``,
    otherwise a tuple of items of the first input."""


def _check_sequence(x: object, name: str) -> Sequence[Hashable]:
    """Accept a ``str`` or any other ordered sequence (list, tuple, range, bytes)."""
    if isinstance(x, Sequence):  # str, list, tuple, range, bytes, ...
        return x
    raise TypeError(
        f"{name} must be a str or a sequence (list, tuple, ...) of hashable items, "
        f"got {type(x).__name__}; convert it with list(...) if it is an iterable"
    )


def _pack(items: list[Hashable], a: Sequence[Hashable], b: Sequence[Hashable]) -> Any:
    """Return the LCS items as a str when both inputs are str, else as a tuple."""
    return "".join(items) if isinstance(a, str) and isinstance(b, str) else tuple(items)  # type: ignore[arg-type]


def lcs(a: Sequence[Hashable], b: Sequence[Hashable]) -> LCSResult:
    """Return the LCS of ``a`` and ``b`` with a double loop over a Python table (teaching version).

    Fills ``L[i][j] = L[i-1][j-1] + 1 if a_i == b_j else max(L[i-1][j], L[i][j-1])`` row by row,
    then walks back from the corner (match: diagonal; else up on ties, see the module notes).
    O(len(a) * len(b)) time and memory.
    """
    a, b = _check_sequence(a, "a"), _check_sequence(b, "b")
    n, m = len(a), len(b)
    L = [[0] * (m + 1) for _ in range(n + 1)]  # row 0 and column 0 stay 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                L[i][j] = L[i - 1][j - 1] + 1  # extend the LCS of a[:i-1], b[:j-1]
            else:
                L[i][j] = max(L[i - 1][j], L[i][j - 1])  # drop a_i or drop b_j
    items: list[Hashable] = []
    i, j = n, m
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            items.append(a[i - 1])
            i, j = i - 1, j - 1
        elif L[i - 1][j] >= L[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return LCSResult(L[n][m], _pack(items[::-1], a, b))


def lcs_per_cell_tensor(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Return the LCS length the way the original lesson did: the SLOW baseline.

    The same double loop as :func:`lcs`, but the table is a CPU torch tensor and every cell is
    read and written by tensor indexing, so each of the len(a) * len(b) cells pays about 20
    microseconds of torch dispatch overhead (300 x 300: about 2 s, where :func:`lcs` takes
    0.04 s). Kept only for the benchmark; use :func:`lcs` to read the algorithm and
    :func:`lcs_wavefront` to run it fast.
    """
    a, b = _check_sequence(a, "a"), _check_sequence(b, "b")
    n, m = len(a), len(b)
    L = torch.zeros(n + 1, m + 1, dtype=torch.int64)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                L[i, j] = L[i - 1, j - 1] + 1
            else:
                L[i, j] = torch.maximum(L[i - 1, j], L[i, j - 1])
    return int(L[n, m])


def _encode(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[list[int], list[int]]:
    """Map the items of both sequences to integer codes through one shared vocabulary.

    Two items get the same code exactly when they are equal (dict lookup: hash, then ==), so
    comparing codes in torch gives the same matches as comparing items in Python.
    """
    vocabulary: dict[Hashable, int] = {}
    try:
        codes_a = [vocabulary.setdefault(x, len(vocabulary)) for x in a]
        codes_b = [vocabulary.setdefault(x, len(vocabulary)) for x in b]
    except TypeError as error:  # an unhashable item, e.g. a list inside the list
        raise TypeError(f"LCS items must be hashable: {error}") from None
    return codes_a, codes_b


def _diagonal_range(d: int, n: int, m: int) -> tuple[int, int]:
    """Rows ``lo..hi`` of the cells (i, j = d - i) with 1 <= i <= n, 1 <= j <= m."""
    return max(1, d - m), min(n, d - 1)


def _wavefront(
    codes_a: list[int], codes_b: list[int], device: torch.device, record_moves: bool
) -> tuple[int, torch.Tensor | None]:
    """Fill the LCS table one anti-diagonal ``d = i + j`` at a time.

    Every cell of diagonal d depends only on diagonals d-1 (up, left) and d-2 (diagonal), so a
    whole diagonal is one batched op. Diagonals are stored indexed by row i (length n + 1), so
    for a cell (i, j = d - i):

        up   = L[i-1, j]   = prev[i-1]      left = L[i, j-1] = prev[i]
        diag = L[i-1, j-1] = prev2[i-1]     a_i == b_j  <=>  A[i-1] == B[j-1]

    With ``record_moves`` it also stores one bool per cell, ``L[i-1, j] >= L[i, j-1]`` (the
    traceback's "move up"), in a flat tensor ordered by diagonal, then by row: n * m bytes.
    Returns ``L[n, m]`` and the moves (or None).
    """
    n, m = len(codes_a), len(codes_b)
    if n == 0 or m == 0:
        return 0, (torch.zeros(0, dtype=torch.bool) if record_moves else None)
    # int16 holds every length up to 32767 and halves the memory traffic of int32.
    dtype = torch.int16 if min(n, m) <= torch.iinfo(torch.int16).max else torch.int32
    # Codes count distinct items, at most n + m of them, so int32 always holds them.
    A = torch.tensor(codes_a, dtype=torch.int32, device=device)
    B_reversed = torch.tensor(codes_b[::-1], dtype=torch.int32, device=device)  # B[j-1] = B_r[m-j]
    prev2 = torch.zeros(n + 1, dtype=dtype, device=device)  # diagonal d-2; row 0 / col 0 stay 0
    prev = torch.zeros(n + 1, dtype=dtype, device=device)  # diagonal d-1
    cur = torch.zeros(n + 1, dtype=dtype, device=device)  # diagonal d
    moves = torch.empty(n * m, dtype=torch.bool, device=device) if record_moves else None
    offset = 0
    for d in range(2, n + m + 1):
        lo, hi = _diagonal_range(d, n, m)
        match = A[lo - 1 : hi] == B_reversed[m - d + lo : m - d + hi + 1]
        up, left = prev[lo - 1 : hi], prev[lo : hi + 1]
        if moves is not None:
            torch.ge(up, left, out=moves[offset : offset + hi - lo + 1])
            offset += hi - lo + 1
        # L[i, j] = L[i-1, j-1] + 1 if a_i == b_j else max(L[i-1, j], L[i, j-1])
        torch.where(match, prev2[lo - 1 : hi] + 1, torch.maximum(up, left), out=cur[lo : hi + 1])
        # Rotate the buffers. One holding diagonal d was only ever written at rows 1..d-1, so
        # the boundary cells L[0, d] (row 0) and L[d, 0] (row d) read from it still hold 0.
        prev2, prev, cur = prev, cur, prev2
    return int(prev[n]), moves


def _traceback_moves(codes_a: list[int], codes_b: list[int], moves: np.ndarray) -> list[int]:
    """Walk the recorded moves back from (n, m); return the matched positions in ``a``."""
    n, m = len(codes_a), len(codes_b)
    # Cell (i, d - i) sits at base[d] + i: base[d] = (start of diagonal d) - (its first row).
    base = [0] * (n + m + 1)
    start = 0
    for d in range(2, n + m + 1):
        lo, hi = _diagonal_range(d, n, m)
        base[d] = start - lo
        start += max(0, hi - lo + 1)
    positions: list[int] = []
    i, j = n, m
    while i > 0 and j > 0:
        if codes_a[i - 1] == codes_b[j - 1]:
            positions.append(i - 1)
            i, j = i - 1, j - 1
        elif moves[base[i + j] + i]:
            i -= 1
        else:
            j -= 1
    return positions[::-1]


def lcs_wavefront(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    device: torch.device | str | None = None,
) -> LCSResult:
    """Return the LCS of ``a`` and ``b``, computing the table by anti-diagonals in torch.

    Same recurrence, same traceback rule and therefore the same subsequence as :func:`lcs`.
    Items are mapped to integer codes, each anti-diagonal takes a few batched tensor ops on
    ``device`` (default :func:`dlcourse.runtime.device`), and instead of the table of lengths
    only the traceback's one bit per cell is kept (``L[i-1, j] >= L[i, j-1]``, a bool), so
    memory is len(a) * len(b) bytes: 100 MB for 10,000 x 10,000. The walk back runs on the CPU
    in O(len(a) + len(b)) steps.
    """
    a, b = _check_sequence(a, "a"), _check_sequence(b, "b")
    codes_a, codes_b = _encode(a, b)
    length, moves = _wavefront(codes_a, codes_b, torch.device(device or default_device()), True)
    assert moves is not None
    positions = _traceback_moves(codes_a, codes_b, moves.cpu().numpy())
    return LCSResult(length, _pack([a[p] for p in positions], a, b))


def lcs_length_wavefront(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    device: torch.device | str | None = None,
) -> int:
    """Return only the LCS length, by anti-diagonals in torch, in O(len(a)) memory."""
    a, b = _check_sequence(a, "a"), _check_sequence(b, "b")
    codes_a, codes_b = _encode(a, b)
    length, _ = _wavefront(codes_a, codes_b, torch.device(device or default_device()), False)
    return length


# ---------------------------------------------------------------------------------------------
# 0/1 knapsack
#   V[k, c] = best value from items 0..k-1 with total weight <= c; V[0, c] = 0
#   V[k, c] = max(V[k-1, c], V[k-1, c - w_k] + v_k)   (second term only if w_k <= c)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnapsackResult(_Unpackable):
    """Best knapsack value and the items reaching it; unpacks as ``best_value, chosen``."""

    best_value: int
    """Largest total value with total weight <= capacity."""
    chosen: tuple[int, ...]
    """Indices of the chosen items, increasing. Ties go to not taking an item, scanning the
    items from last to first."""


def knapsack(
    weights: Sequence[int],
    values: Sequence[int],
    capacity: int,
    device: torch.device | str | None = None,
) -> KnapsackResult:
    """Solve the 0/1 knapsack exactly: each item is taken at most once.

    Each item updates the whole row ``V[k-1, :] -> V[k, :]`` in one vectorized torch op (an
    int64 row of capacity + 1 entries), and a bool table ``take[k, c]`` remembers whether item
    k improved cell c, which is walked back from ``c = capacity`` to list the chosen items.
    O(len(weights) * capacity) time and memory (pseudo-polynomial: a huge capacity is costly).

    Raises:
        ValueError: lengths differ, or a weight, value or the capacity is not a non-negative int.
        OverflowError: the values' sum does not fit in int64.
    """
    weights = [_as_count(w, f"weights[{k}]") for k, w in enumerate(weights)]
    values = [_as_count(v, f"values[{k}]") for k, v in enumerate(values)]
    capacity = _as_count(capacity, "capacity")
    if len(weights) != len(values):
        raise ValueError(f"got {len(weights)} weights but {len(values)} values")
    if sum(values) > torch.iinfo(torch.int64).max:
        raise OverflowError("the sum of values does not fit in int64")
    device = torch.device(device or default_device())
    best = torch.zeros(capacity + 1, dtype=torch.int64, device=device)  # V[0, c] = 0
    take = torch.zeros(len(weights), capacity + 1, dtype=torch.bool, device=device)
    for k, (w, v) in enumerate(zip(weights, values, strict=True)):
        if w > capacity:
            continue  # V[k, c] = V[k-1, c]: the item never fits
        with_item = best[: capacity + 1 - w] + v  # V[k-1, c - w_k] + v_k for c = w_k..capacity
        take[k, w:] = with_item > best[w:]  # strict: ties keep the item out
        best[w:] = torch.maximum(best[w:], with_item)  # right side is computed before writing
    take_cpu = take.cpu()
    chosen: list[int] = []
    c = capacity
    for k in reversed(range(len(weights))):
        if take_cpu[k, c]:
            chosen.append(k)
            c -= weights[k]
    return KnapsackResult(int(best[capacity]), tuple(reversed(chosen)))


# ---------------------------------------------------------------------------------------------
# Coin change (unlimited coins of each denomination)
#   fewest coins: M[0] = 0,  M[x] = min over coins c <= x of M[x - c] + 1
#   combinations: W_k[x] = W_{k-1}[x] + W_k[x - c_k]   (coins considered in a fixed order)
# ---------------------------------------------------------------------------------------------


def _check_coins(coins: Sequence[int], amount: int) -> tuple[list[int], int]:
    """Validate distinct positive integer coins and a non-negative integer amount."""
    if isinstance(coins, str) or not isinstance(coins, Sequence):
        raise ValueError(f"coins must be a sequence of positive ints, got {coins!r}")
    if len(coins) == 0:
        raise ValueError("coins must not be empty: at least one denomination is needed")
    checked = [_as_count(c, f"coins[{k}]") for k, c in enumerate(coins)]
    if 0 in checked:
        raise ValueError("coins must be positive: a zero coin never changes the amount")
    if len(set(checked)) != len(checked):
        raise ValueError(f"coins must be distinct denominations, got {checked}")
    return checked, _as_count(amount, "amount")


def coin_change_min(coins: Sequence[int], amount: int) -> int | None:
    """Return the fewest coins summing to ``amount``, or ``None`` if no combination does.

    Fills ``M[x] = min(M[x - c] + 1 for coins c <= x)`` for x = 1..amount with Python ints;
    O(amount * len(coins)).
    """
    coins, amount = _check_coins(coins, amount)
    impossible = amount + 1  # more coins than any solution can need (every coin is >= 1)
    fewest = [0] + [impossible] * amount  # M[0] = 0
    for x in range(1, amount + 1):
        fewest[x] = min((fewest[x - c] + 1 for c in coins if c <= x), default=impossible)
    return None if fewest[amount] >= impossible else fewest[amount]


def coin_change_ways(coins: Sequence[int], amount: int) -> int:
    """Return how many multisets of coins sum to ``amount`` (order does not matter), exactly.

    Coins are added one denomination at a time: ``W[x] += W[x - c]`` for x = c..amount counts
    the combinations using coin c at least once on top of those that do not use it. Looping
    over coins outside and amounts inside is what counts combinations, not orderings.
    """
    coins, amount = _check_coins(coins, amount)
    ways = [1] + [0] * amount  # W[0] = 1: the empty combination
    for c in coins:
        for x in range(c, amount + 1):
            ways[x] += ways[x - c]
    return ways[amount]
