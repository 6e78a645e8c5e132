"""Dynamic programming: solve each subproblem once, in an order where its parts are ready.

General dynamic programming (this first section) covers the classic tabulation examples:
Fibonacci numbers, the longest common subsequence (LCS), the 0/1 knapsack and coin change.
Every function names the recurrence it fills its table with, and results are exact integers.

The LCS appears three times, on purpose:

* :func:`lcs` is the teaching version: a readable double loop over Python lists
  (:func:`lcs_table` fills the table, :func:`lcs_traceback` reads one LCS from it).
* :func:`lcs_per_cell_tensor` is the slow baseline the original lesson used: the same double
  loop, but every cell is read and written through torch tensor indexing. It exists only so a
  benchmark can show why that is the worst of both worlds.
* :func:`lcs_wavefront` computes a whole anti-diagonal of the table in one batched torch op, so
  it scales to 10,000 x 10,000 on a CPU in seconds and runs unchanged on a GPU.

Dynamic programming for MDPs (the second section) solves a :class:`~dlcourse.mdp.TabularMDP`
or a :class:`SparseMDP` (successor lists, O(S * A * K) memory, for a million states):
:func:`policy_evaluation` (synchronous or in-place sweeps), :func:`greedy_policy` (policy
improvement), :func:`policy_iteration` and :func:`value_iteration`, each returning a
:class:`DPResult` with the values, a greedy policy, the number of sweeps and a guaranteed
error bound from the stopping rule. Every sweep is a batched tensor operation over all states,
on any device.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from dlcourse.mdp import PROB_ATOL, TabularMDP
from dlcourse.runtime import device as default_device

__all__ = [
    "FIBONACCI_INT64_MAX_N",
    "DPResult",
    "KnapsackResult",
    "LCSResult",
    "MDPModel",
    "SparseMDP",
    "bellman_backup",
    "bellman_residual",
    "coin_change_min",
    "coin_change_ways",
    "evaluate_policy_exact",
    "fibonacci",
    "fibonacci_matrix",
    "fibonacci_table",
    "greedy_policy",
    "grid_mdp",
    "knapsack",
    "lcs",
    "lcs_length_wavefront",
    "lcs_per_cell_tensor",
    "lcs_table",
    "lcs_traceback",
    "lcs_wavefront",
    "policy_evaluation",
    "policy_iteration",
    "reaches_terminal",
    "value_iteration",
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


# --8<-- [start:lcs_loop]
def lcs_table(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[list[int]]:
    """The whole LCS table: ``L[i][j]`` is the length of an LCS of ``a[:i]`` and ``b[:j]``."""
    n, m = len(a), len(b)
    L = [[0] * (m + 1) for _ in range(n + 1)]  # row 0 and column 0 stay 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                L[i][j] = L[i - 1][j - 1] + 1  # extend the LCS of a[:i-1], b[:j-1]
            else:
                L[i][j] = max(L[i - 1][j], L[i][j - 1])  # drop a_i or drop b_j
    return L


def lcs_traceback(
    a: Sequence[Hashable], b: Sequence[Hashable], L: list[list[int]]
) -> list[Hashable]:
    """One LCS, read from the table by walking back from the corner ``(len(a), len(b))``."""
    items = []
    i, j = len(a), len(b)
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:  # a match is part of the LCS: go diagonally
            items.append(a[i - 1])
            i, j = i - 1, j - 1
        elif L[i - 1][j] >= L[i][j - 1]:  # dropping a_i loses nothing (ties go up)
            i -= 1
        else:  # dropping b_j loses nothing
            j -= 1
    return items[::-1]


# --8<-- [end:lcs_loop]


def lcs(a: Sequence[Hashable], b: Sequence[Hashable]) -> LCSResult:
    """Return the LCS of ``a`` and ``b`` with a double loop over a Python table (teaching version).

    :func:`lcs_table` fills ``L[i][j] = L[i-1][j-1] + 1 if a_i == b_j else max(L[i-1][j],
    L[i][j-1])`` row by row, then :func:`lcs_traceback` walks back from the corner (match:
    diagonal; else up on ties, see the module notes). O(len(a) * len(b)) time and memory.
    """
    a, b = _check_sequence(a, "a"), _check_sequence(b, "b")
    L = lcs_table(a, b)
    return LCSResult(L[len(a)][len(b)], _pack(lcs_traceback(a, b, L), a, b))


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


# =============================================================================================
# Dynamic programming for MDPs
# =============================================================================================
#
# Notation (Sutton & Barto, chapter 4): Q(s, a) = R(s, a) + gamma * sum_s' P(s'|s, a) V(s').
#   policy evaluation  V <- T_pi V,   (T_pi V)(s) = sum_a pi(a|s) Q(s, a)
#   value iteration    V <- T V,      (T V)(s)    = max_a Q(s, a)
#   policy improvement pi'(s) = argmax_a Q(s, a)
# Every sweep updates all states with batched tensor ops on the model's device; in-place
# (Gauss-Seidel) sweeps update blocks of states in order, each block seeing the new values of
# the blocks before it.
#
# Stopping rule. For gamma < 1, T and T_pi are gamma-contractions in the max norm, so after a
# sweep that changed no value by more than delta = ||V_k+1 - V_k||,
#     ||V_k+1 - V_target|| <= gamma * delta / (1 - gamma)                           (*)
# (V_target = V_pi for evaluation, V* for value iteration; the same holds for in-place sweeps,
# which are gamma-contractions too). Value iteration stops when delta < tol (1-gamma) / (2 gamma):
# then ||V - V*|| < tol / 2 and the greedy policy is tol-optimal (Puterman 1994, thm 6.3.1).
# Policy evaluation stops when delta < tol (1-gamma) / gamma: then ||V - V_pi|| < tol.
# For gamma = 1 there is no contraction and no such bound: the loops stop when delta < tol and
# report error_bound = inf, except when delta == 0 exactly (V is then a fixed point, which is
# unique when every state reaches a terminal state, so error_bound = 0).


class SparseMDP:
    """A finite MDP stored by successors: O(S * A * K) memory instead of O(S * A * S).

    ``next_states[s, a, k]`` is the k-th possible next state of action ``a`` in state ``s`` and
    ``probs[s, a, k]`` its probability; ``R[s, a]`` is the expected reward, ``gamma`` the
    discount and ``terminal[s]`` marks terminal states. ``K`` is the most successors any
    ``(s, a)`` has: 1 for deterministic moves, 4 for a slippery grid. Unused slots get
    probability 0 (any valid index); a successor listed twice has its probabilities added.

    Terminal states follow :mod:`dlcourse.mdp`'s convention: value 0, no transitions. Their
    probabilities and rewards are stored as zeros (and their successor slots point to
    themselves, so a gather never leaves the state). A :class:`~dlcourse.mdp.TabularMDP` holds
    the same model as a dense ``P[s, a, s']``, which :meth:`to_tabular` builds (small ``S``
    only) and :meth:`from_tabular` reads. Invalid input raises ``ValueError``.

    Internally the tensors are kept action-major (``[A, K, S]``), the layout a sweep reads
    fastest; the attributes are ``[S, A, K]`` views of them.
    """

    def __init__(
        self,
        next_states: torch.Tensor,
        probs: torch.Tensor | None,
        R: torch.Tensor,
        gamma: float,
        terminal: torch.Tensor | None = None,
    ) -> None:
        if not isinstance(next_states, torch.Tensor) or next_states.ndim != 3:
            shape = getattr(next_states, "shape", type(next_states).__name__)
            raise ValueError(f"next_states must be a tensor [S, A, K], got {shape}")
        if next_states.is_floating_point() or next_states.dtype == torch.bool:
            raise ValueError(
                f"next_states must hold integer state indices, got {next_states.dtype}"
            )
        S, A, K = next_states.shape
        if S == 0 or A == 0 or K == 0:
            raise ValueError(f"next_states must have S, A, K >= 1, got shape {(S, A, K)}")
        dev = next_states.device
        if not isinstance(R, torch.Tensor) or tuple(R.shape) != (S, A):
            shape = tuple(R.shape) if isinstance(R, torch.Tensor) else type(R).__name__
            raise ValueError(f"R must be a tensor [S, A] = {(S, A)}, got {shape}")
        if not R.is_floating_point():
            raise ValueError(f"R must have a floating dtype, got {R.dtype}")
        if probs is None:
            if K != 1:
                raise ValueError("probs may be omitted only for deterministic moves (K == 1)")
            probs = torch.ones(S, A, 1, dtype=R.dtype, device=dev)
        if not isinstance(probs, torch.Tensor) or probs.shape != next_states.shape:
            shape = tuple(probs.shape) if isinstance(probs, torch.Tensor) else type(probs)
            raise ValueError(
                f"probs must be a tensor of next_states' shape {(S, A, K)}, got {shape}"
            )
        if not probs.is_floating_point():
            raise ValueError(f"probs must have a floating dtype, got {probs.dtype}")
        if probs.device != dev or R.device != dev:
            raise ValueError(
                f"next_states, probs and R must be on one device, got {dev}, {probs.device}, "
                f"{R.device}"
            )
        for name, x in (("probs", probs), ("R", R)):
            if not torch.isfinite(x).all():
                raise ValueError(f"{name} has a non-finite entry")
        bad = (next_states < 0) | (next_states >= S)
        if bad.any():
            s, a, k = (int(i) for i in bad.nonzero()[0])
            raise ValueError(
                f"next_states[{s}, {a}, {k}] = {int(next_states[s, a, k])} is not a state "
                f"(states are 0..{S - 1})"
            )
        if (probs < 0).any():
            s, a, k = (int(i) for i in (probs < 0).nonzero()[0])
            raise ValueError(f"probs[{s}, {a}, {k}] = {float(probs[s, a, k]):.6g} is negative")
        terminal = _as_terminal(terminal, S, dev)
        sums = probs.sum(dim=-1)
        ok = ((sums - 1).abs() <= PROB_ATOL) | (terminal[:, None] & (sums.abs() <= PROB_ATOL))
        if not ok.all():
            s, a = (int(i) for i in (~ok).nonzero()[0])
            raise ValueError(
                f"the probabilities of state {s}, action {a} sum to {float(sums[s, a]):.6g}; "
                f"they must sum to 1 (within {PROB_ATOL:g})"
            )
        self.gamma = _as_gamma(gamma, terminal)
        """Discount factor in [0, 1]; 1 only with at least one terminal state."""
        dtype = torch.promote_types(probs.dtype, R.dtype)
        keep = (~terminal).to(dtype)
        # action-major storage [A, K, S]; a terminal state transitions nowhere and earns
        # nothing: probability 0, reward 0, and its successor slots point to itself (so a
        # deterministic sweep can skip the probabilities: V = 0 there keeps Q = 0)
        nxt = (
            next_states.to(torch.int64)
            .permute(1, 2, 0)
            .clone(memory_format=torch.contiguous_format)
        )
        nxt[:, :, terminal] = torch.arange(S, device=dev)[terminal]
        self._next = nxt
        self._probs = (probs.to(dtype) * keep[:, None, None]).permute(1, 2, 0).contiguous()
        self._R = (R.to(dtype) * keep[:, None]).T.contiguous()
        self.terminal = terminal
        """``[S]`` bool mask of terminal states (all False when not given)."""

    # ------------------------------------------------------------------------- attributes
    @property
    def next_states(self) -> torch.Tensor:
        """``[S, A, K]`` int64 indices of the possible next states (a view)."""
        return self._next.permute(2, 0, 1)

    @property
    def probs(self) -> torch.Tensor:
        """``[S, A, K]`` probabilities of the successors; zeros for terminal states (a view)."""
        return self._probs.permute(2, 0, 1)

    @property
    def R(self) -> torch.Tensor:
        """``[S, A]`` expected immediate rewards; zeros for terminal states (a view)."""
        return self._R.T

    @property
    def num_states(self) -> int:
        """Number of states ``S``."""
        return self._next.shape[2]

    @property
    def num_actions(self) -> int:
        """Number of actions ``A``."""
        return self._next.shape[0]

    @property
    def num_successors(self) -> int:
        """Successor slots per ``(s, a)``: ``K``."""
        return self._next.shape[1]

    @property
    def device(self) -> torch.device:
        """Device of the tensors."""
        return self._next.device

    @property
    def dtype(self) -> torch.dtype:
        """Floating dtype of ``probs`` and ``R``."""
        return self._R.dtype

    def nbytes(self) -> int:
        """Bytes held by the model's tensors."""
        return sum(t.numel() * t.element_size() for t in (self._next, self._probs, self._R))

    def __repr__(self) -> str:
        S, A, K = self.num_states, self.num_actions, self.num_successors
        return f"SparseMDP(S={S}, A={A}, K={K}, gamma={self.gamma}, dtype={self.dtype})"

    # ------------------------------------------------------------------------ conversions
    def to(
        self, device: torch.device | str | None = None, dtype: torch.dtype | None = None
    ) -> SparseMDP:
        """A copy with the tensors moved to ``device`` and/or ``probs``, ``R`` cast to ``dtype``."""
        return SparseMDP(
            self.next_states.to(device=device),
            self.probs.to(device=device, dtype=dtype),
            self.R.to(device=device, dtype=dtype),
            self.gamma,
            self.terminal.to(device=device),
        )

    def to_tabular(self) -> TabularMDP:
        """The same model as a dense :class:`~dlcourse.mdp.TabularMDP` (``S * A * S`` entries)."""
        S, A = self.num_states, self.num_actions
        P = torch.zeros(S, A, S, dtype=self.dtype, device=self.device)
        # P[s, a, next[s, a, k]] += probs[s, a, k]: duplicate successors add up
        P.scatter_add_(2, self.next_states, self.probs)
        return TabularMDP(P, self.R.clone(), self.gamma, self.terminal.clone())

    @classmethod
    def from_tabular(cls, mdp: TabularMDP) -> SparseMDP:
        """Keep only the nonzero entries of a dense ``P``: ``K`` = most nonzeros in a row."""
        if not isinstance(mdp, TabularMDP):
            raise ValueError(f"from_tabular needs a TabularMDP, got {type(mdp).__name__}")
        K = max(1, int((mdp.P > 0).sum(dim=-1).max()))
        probs, next_states = mdp.P.topk(K, dim=-1)  # the K largest: all the nonzeros
        return cls(next_states, probs, mdp.R, mdp.gamma, mdp.terminal)


MDPModel = TabularMDP | SparseMDP
"""Either model: a dense :class:`~dlcourse.mdp.TabularMDP` or a :class:`SparseMDP`."""


def _as_terminal(terminal: object, num_states: int, device: torch.device) -> torch.Tensor:
    if terminal is None:
        return torch.zeros(num_states, dtype=torch.bool, device=device)
    t = torch.as_tensor(terminal)
    if t.shape != (num_states,):
        raise ValueError(f"terminal must have shape ({num_states},), got {tuple(t.shape)}")
    if t.dtype != torch.bool:
        if not ((t == 0) | (t == 1)).all():
            raise ValueError("terminal must be a boolean mask (or hold only 0s and 1s)")
        t = t.bool()
    return t.to(device)


def _as_gamma(gamma: object, terminal: torch.Tensor) -> float:
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise ValueError(f"gamma must be a number in [0, 1], got {gamma!r}")
    g = float(gamma)
    if not 0.0 <= g <= 1.0:  # also rejects nan
        raise ValueError(f"gamma must be in [0, 1], got {g}")
    if g == 1.0 and not terminal.any():
        raise ValueError("gamma == 1 needs at least one terminal state; use gamma < 1")
    return g


# ---------------------------------------------------------------------------------------------
# Grid worlds as SparseMDPs, built with tensor ops (no Python loop over the states)
# ---------------------------------------------------------------------------------------------


def _grid_cell(name: str, cell: object, height: int, width: int) -> int:
    if isinstance(cell, tuple | list) and len(cell) == 2:
        r, c = (int(x) for x in cell)
        if not (0 <= r < height and 0 <= c < width):
            raise ValueError(f"{name} {(r, c)} is outside the {height}x{width} grid")
        return r * width + c
    if isinstance(cell, bool) or not isinstance(cell, numbers.Integral):
        raise ValueError(f"{name} must be a state number or a (row, col) pair, got {cell!r}")
    if not 0 <= int(cell) < height * width:
        raise ValueError(f"{name} {int(cell)} is outside the {height}x{width} grid")
    return int(cell)


def _wall_mask(walls: object, height: int, width: int, device: torch.device) -> torch.Tensor:
    """Walls as a flat bool mask [S]: from a [height, width] mask or from a list of cells."""
    if isinstance(walls, torch.Tensor | np.ndarray):
        mask = torch.as_tensor(walls)
        if mask.dtype != torch.bool or tuple(mask.shape) != (height, width):
            raise ValueError(
                f"a wall mask must be a bool array of shape {(height, width)}, "
                f"got {mask.dtype} {tuple(mask.shape)}"
            )
        return mask.reshape(-1).to(device)
    mask = torch.zeros(height * width, dtype=torch.bool)
    for w in walls:  # type: ignore[attr-defined]
        mask[_grid_cell("wall", w, height, width)] = True
    return mask.to(device)


def grid_mdp(
    height: int,
    width: int,
    *,
    gamma: float,
    goal: int | tuple[int, int] | None = None,
    walls: object = (),
    slip: float = 0.0,
    step_reward: float = 0.0,
    goal_reward: float = 1.0,
    dtype: torch.dtype = torch.float64,
    device: torch.device | str | None = None,
) -> SparseMDP:
    """The model of :class:`~dlcourse.gridworld.GridWorld` as a :class:`SparseMDP`, for any size.

    Same rules as the environment: actions up, down, left, right; with probability ``slip`` the
    move goes in one of the other three directions (uniformly); moving into the edge or a wall
    stays put; each step earns ``step_reward`` plus ``goal_reward`` on entering the goal, which
    is terminal. Walls are terminal too (value 0, never entered), as in
    :meth:`GridWorld.to_mdp <dlcourse.gridworld.GridWorld.to_mdp>`, which builds the same
    model densely (the tests check that they agree).

    ``walls`` is a list of cells (state numbers or ``(row, col)``) or a bool mask
    ``[height, width]``; ``goal`` defaults to the bottom-right cell. Everything is computed with
    tensor ops, so a 1000 x 1000 grid (one million states) takes a fraction of a second and
    ``S * 4 * K`` entries per tensor (``K`` = 1 without slip, 4 with).
    """
    from dlcourse.gridworld import MOVES

    for name, n in (("height", height), ("width", width)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"{name} must be an int >= 1, got {n!r}")
    height, width = int(height), int(width)
    S = height * width
    if S < 2:
        raise ValueError("a grid needs at least two cells (a start and a goal)")
    slip = float(slip)
    if not 0.0 <= slip <= 1.0:
        raise ValueError(f"slip must be a probability in [0, 1], got {slip}")
    for name, r in (("step_reward", step_reward), ("goal_reward", goal_reward)):
        if not np.isfinite(r):
            raise ValueError(f"{name} must be finite, got {r}")
    dev = torch.device(device) if device is not None else default_device()
    wall = _wall_mask(walls, height, width, dev)
    goal_s = _grid_cell("goal", S - 1 if goal is None else goal, height, width)
    if wall[goal_s]:
        raise ValueError(f"goal {divmod(goal_s, width)} is on a wall")

    s = torch.arange(S, device=dev)
    row, col = s // width, s % width
    dr = torch.tensor([MOVES[d][0] for d in range(len(MOVES))], device=dev)
    dc = torch.tensor([MOVES[d][1] for d in range(len(MOVES))], device=dev)
    r2, c2 = row[:, None] + dr, col[:, None] + dc  # [S, D]: the cell each direction aims at
    inside = (r2 >= 0) & (r2 < height) & (c2 >= 0) & (c2 < width)
    target = torch.where(inside, r2 * width + c2, s[:, None])  # off the grid: stay
    target = torch.where(wall[target], s[:, None], target)  # into a wall: stay
    D = len(MOVES)
    if slip == 0.0:
        next_states = target[:, :, None]  # action a moves in direction a: [S, A, 1]
        probs = torch.ones(S, D, 1, dtype=dtype, device=dev)
    else:
        next_states = target[:, None, :].expand(S, D, D)  # [S, A, D]: every direction
        # P(direction d | action a) = 1 - slip if d == a else slip / 3
        p_dir = torch.full((D, D), slip / (D - 1), dtype=dtype, device=dev)
        p_dir.fill_diagonal_(1.0 - slip)
        probs = p_dir[None].expand(S, D, D)
    # r(s, a, s') = step_reward + goal_reward * [s' == goal];  R(s, a) = sum_s' P r
    reward = step_reward + goal_reward * (next_states == goal_s).to(dtype)
    R = (probs * reward).sum(dim=-1)
    terminal = wall.clone()
    terminal[goal_s] = True
    return SparseMDP(next_states, probs, R, gamma, terminal)


# ---------------------------------------------------------------------------------------------
# The Bellman backup on either model, in action-major layout Q[a, s]
# ---------------------------------------------------------------------------------------------


def _check_model(mdp: object) -> MDPModel:
    if not isinstance(mdp, TabularMDP | SparseMDP):
        raise ValueError(f"mdp must be a TabularMDP or a SparseMDP, got {type(mdp).__name__}")
    return mdp


CPU_BLOCK = 1 << 16
"""States per block when a CPU sweep over a :class:`SparseMDP` computes ``max_a Q`` (or
``sum_a pi Q``): the temporaries of a block stay in the processor's cache, which makes a sweep of
a million states about twice as fast as whole-vector operations. On a GPU one block is all."""


def _q_action(
    mdp: MDPModel, V: torch.Tensor, a: int, rows: slice, out: torch.Tensor | None = None
) -> torch.Tensor:
    """``Q(s, a) = R(s, a) + gamma * sum_s' P(s'|s, a) V(s')`` for one action and the states
    in ``rows``, written to ``out`` if given. Needs ``V = 0`` on terminal states."""
    g = mdp.gamma
    if isinstance(mdp, TabularMDP):
        q = torch.add(mdp.R[rows, a], mdp.P[rows, a] @ V, alpha=g)  # terminal rows are zero
        return q if out is None else out.copy_(q)
    nxt, R = mdp._next[a, :, rows], mdp._R[a, rows]  # [K, B], [B]
    K, B = nxt.shape
    if K == 1:  # deterministic; a terminal state is its own successor, with V = 0 and R = 0
        v_next = torch.index_select(V, 0, nxt[0], out=out) if out is not None else V[nxt[0]]
        return torch.add(R, v_next, alpha=g, out=v_next)  # Q = R + gamma V(next)
    # V(s') for every successor slot: one gather of K * B values
    v_next = V.index_select(0, nxt.reshape(-1)).view(K, B)
    # Q = R + gamma sum_k p_k V(next_k); terminal states have p = 0 and R = 0
    expected = (mdp._probs[a, :, rows] * v_next).sum(dim=0)
    return torch.add(R, expected, alpha=g, out=out)


def _q(mdp: MDPModel, V: torch.Tensor) -> torch.Tensor:
    """All of ``Q[a, s]``: ``[A, S]``."""
    if isinstance(mdp, TabularMDP):
        return torch.add(mdp.R, mdp.P @ V, alpha=mdp.gamma).T  # Q = R + gamma P V
    every = slice(0, mdp.num_states)
    return torch.stack([_q_action(mdp, V, a, every) for a in range(mdp.num_actions)])


def _blocks(mdp: MDPModel, rows: slice) -> list[slice]:
    """``rows`` cut into blocks of :data:`CPU_BLOCK` states (one block on a GPU)."""
    start, stop = rows.start, min(rows.stop, mdp.num_states)
    step = CPU_BLOCK if mdp.device.type == "cpu" else max(1, stop - start)
    return [slice(i, min(i + step, stop)) for i in range(start, stop, step)]


def _max_q(mdp: MDPModel, V: torch.Tensor, rows: slice, out: torch.Tensor) -> torch.Tensor:
    """``out = max_a Q(s, a)`` for the states in ``rows``: one action and one block at a time,
    into preallocated memory (fresh multi-megabyte tensors cost page faults on every sweep)."""
    if isinstance(mdp, TabularMDP):
        q = torch.add(mdp.R[rows], mdp.P[rows] @ V, alpha=mdp.gamma)  # [B, A]
        return torch.amax(q, dim=1, out=out)
    spare = torch.empty(min(CPU_BLOCK, out.numel()), dtype=V.dtype, device=V.device)
    for block in _blocks(mdp, rows):
        best = out[block.start - rows.start : block.stop - rows.start]
        _q_action(mdp, V, 0, block, out=best)
        for a in range(1, mdp.num_actions):
            torch.maximum(best, _q_action(mdp, V, a, block, out=spare[: len(best)]), out=best)
    return out


def _mean_q(
    mdp: MDPModel, V: torch.Tensor, W: torch.Tensor, rows: slice, out: torch.Tensor
) -> torch.Tensor:
    """``out = sum_a pi(a|s) Q(s, a)`` for the states in ``rows``, with ``W[a, s] = pi(a|s)``."""
    if isinstance(mdp, TabularMDP):
        q = torch.add(mdp.R[rows], mdp.P[rows] @ V, alpha=mdp.gamma)  # [B, A]
        return torch.sum(W[:, rows].T * q, dim=1, out=out)
    out.zero_()
    spare = torch.empty(min(CPU_BLOCK, out.numel()), dtype=V.dtype, device=V.device)
    for block in _blocks(mdp, rows):
        total = out[block.start - rows.start : block.stop - rows.start]
        for a in range(mdp.num_actions):
            q = _q_action(mdp, V, a, block, out=spare[: len(total)])
            total.addcmul_(W[a, block], q)
    return out


def bellman_backup(mdp: MDPModel, values: torch.Tensor) -> torch.Tensor:
    """Return ``Q[s, a] = R(s, a) + gamma * sum_s' P(s'|s, a) V(s')`` for every state, ``[S, A]``.

    One batched operation over all states and actions (a matrix product for a
    :class:`~dlcourse.mdp.TabularMDP`, a gather for a :class:`SparseMDP`); terminal states get
    0. ``values`` is cast to the model's device and dtype.
    """
    mdp = _check_model(mdp)
    return _q(mdp, _as_values(mdp, values)).T


def _as_values(mdp: MDPModel, values: object) -> torch.Tensor:
    S = mdp.num_states
    V = torch.as_tensor(values)
    if V.shape != (S,):
        raise ValueError(f"values must have shape ({S},) (one per state), got {tuple(V.shape)}")
    V = V.to(device=mdp.device, dtype=_dtype(mdp))
    if not torch.isfinite(V).all():
        raise ValueError("values must be finite")
    return V.masked_fill(mdp.terminal, 0.0)  # terminal states are worth 0


def _dtype(mdp: MDPModel) -> torch.dtype:
    return mdp.P.dtype if isinstance(mdp, TabularMDP) else mdp.dtype


def _tie_tolerance(q: torch.Tensor) -> torch.Tensor:
    """Actions whose Q is within this of the best count as ties (absorbs rounding noise)."""
    eps = torch.finfo(q.dtype).eps
    return 1000 * eps * q.abs().amax().clamp(min=1.0)


def _greedy(mdp: MDPModel, q: torch.Tensor, current: torch.Tensor | None = None) -> torch.Tensor:
    """argmax_a Q[a, s] per state; ties (within rounding) go to ``current`` if it is among the
    best, else to the lowest action index. Terminal states get action 0."""
    best = q.amax(dim=0)
    is_best = q >= best - _tie_tolerance(q)  # [A, S]
    policy = is_best.to(torch.uint8).argmax(dim=0)  # the first of the best actions
    if current is not None:
        keep = is_best.gather(0, current[None])[0]
        policy = torch.where(keep, current, policy)
    return policy.masked_fill_(mdp.terminal, 0)


def greedy_policy(mdp: MDPModel, values: torch.Tensor) -> torch.Tensor:
    """Policy improvement: ``pi(s) = argmax_a Q(s, a)`` for ``values``, as actions ``[S]``.

    Ties (within rounding error) go to the lowest action index; terminal states get action 0.
    """
    mdp = _check_model(mdp)
    return _greedy(mdp, _q(mdp, _as_values(mdp, values)))


def bellman_residual(mdp: MDPModel, values: torch.Tensor) -> float:
    """``||T V - V||_inf``: how far ``values`` is from satisfying the Bellman optimality equation.

    For ``gamma < 1`` it bounds the error: ``||V - V*|| <= residual / (1 - gamma)``.
    """
    mdp = _check_model(mdp)
    V = _as_values(mdp, values)
    return float((_q(mdp, V).amax(dim=0) - V).abs().max())


# ---------------------------------------------------------------------------------------------
# Policies, reachability (for gamma = 1), exact evaluation
# ---------------------------------------------------------------------------------------------


def _policy_weights(mdp: MDPModel, policy: object) -> torch.Tensor:
    """A policy as weights ``W[a, s] = pi(a|s)``, from actions ``[S]`` or probabilities ``[S, A]``.

    Rows of terminal states are ignored (and set to 0).
    """
    S, A = mdp.num_states, mdp.num_actions
    pi = torch.as_tensor(policy, device=mdp.device)
    live = ~mdp.terminal
    if pi.shape == (S,) and not pi.is_floating_point() and pi.dtype != torch.bool:
        bad = live & ((pi < 0) | (pi >= A))
        if bad.any():
            s = int(bad.nonzero()[0])
            raise ValueError(
                f"policy[{s}] = {int(pi[s])} is not an action (actions are 0..{A - 1})"
            )
        actions = pi.to(torch.int64).masked_fill(mdp.terminal, 0)
        W = torch.zeros(A, S, dtype=_dtype(mdp), device=mdp.device)
        W.scatter_(0, actions[None], 1.0)
    elif pi.shape == (S, A) and pi.is_floating_point():
        W = pi.to(_dtype(mdp)).T.contiguous()
        ok = torch.isfinite(W).all(dim=0) & (W >= 0).all(dim=0)
        ok &= (W.sum(dim=0) - 1).abs() <= PROB_ATOL
        bad = live & ~ok
        if bad.any():
            s = int(bad.nonzero()[0])
            raise ValueError(
                f"policy row {s} is not a probability distribution over the {A} actions"
            )
    else:
        raise ValueError(
            f"policy must be actions [S] = ({S},) (integers) or probabilities [S, A] = "
            f"{(S, A)} (floats), got {pi.dtype} {tuple(pi.shape)}"
        )
    return W.masked_fill(mdp.terminal, 0.0)


def _steps_to_terminal(mdp: MDPModel, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Fewest steps from each state to a terminal one with positive probability, under the
    best choice of actions (or only the actions with ``weights > 0``); -1 where impossible.

    A breadth-first search backwards from the terminal states, one level at a time: the
    predecessors of the states reached last are found at once through the reversed edges
    (sorted by target state), so the whole search costs about one sweep plus a sort.
    """
    S = mdp.num_states
    dev = mdp.terminal.device
    if isinstance(mdp, TabularMDP):
        possible = (mdp.P > 0).permute(1, 0, 2)  # [A, S, S']: edge s -> s' under action a
        a, src, dst = possible.nonzero(as_tuple=True)
    else:
        K = mdp._next.shape[1]
        possible = (mdp._probs > 0).reshape(-1)  # edge (a, k, s) -> next[a, k, s]
        edge = possible.nonzero()[:, 0]
        a, src, dst = edge // (K * S), edge % S, mdp._next.reshape(-1)[edge]
    if weights is not None:  # keep only the policy's actions
        use = weights[a, src] > 0
        src, dst = src[use], dst[use]
    order = torch.argsort(dst)
    src = src[order]
    # the predecessors of state t are src[first[t] : first[t + 1]]
    first = torch.zeros(S + 1, dtype=torch.int64, device=dev)
    first[1:] = torch.bincount(dst, minlength=S).cumsum(0)
    level = torch.where(mdp.terminal, 0, -1)
    frontier = mdp.terminal.nonzero()[:, 0]
    for steps in range(1, S + 1):  # a shortest path visits each state at most once
        counts = first[frontier + 1] - first[frontier]
        total = int(counts.sum())
        if total == 0:
            break
        # positions first[t] + j for every frontier state t and j < counts[t], in one op
        offsets = torch.repeat_interleave(first[frontier] - (counts.cumsum(0) - counts), counts)
        preds = src[offsets + torch.arange(total, device=dev)]
        preds = torch.unique(preds[level[preds] < 0])
        if preds.numel() == 0:
            break
        level[preds] = steps
        frontier = preds
    return level


def reaches_terminal(mdp: MDPModel, policy: object = None) -> torch.Tensor:
    """``[S]`` bool: can each state reach a terminal state with positive probability?

    Without ``policy``, under some choice of actions; with one (actions ``[S]`` or
    probabilities ``[S, A]``), under that policy. With ``gamma = 1`` values are finite and
    dynamic programming converges only when this holds for every state (for a fixed policy:
    the policy is *proper*; for value and policy iteration: a proper policy exists).
    """
    mdp = _check_model(mdp)
    weights = None if policy is None else _policy_weights(mdp, policy)
    return _steps_to_terminal(mdp, weights) >= 0


def _require_episodic(mdp: MDPModel, weights: torch.Tensor | None = None) -> None:
    """For gamma = 1: raise unless every state can reach a terminal state."""
    if mdp.gamma < 1.0:
        return
    stuck = _steps_to_terminal(mdp, weights) < 0
    if stuck.any():
        who = "this policy" if weights is not None else "any policy"
        first = stuck.nonzero()[:5, 0].tolist()
        raise ValueError(
            f"gamma == 1 but {int(stuck.sum())} state(s), e.g. {first}, cannot reach a terminal "
            f"state under {who}: their return is not defined (it can grow without bound). "
            f"Use gamma < 1, or make a terminal state reachable from every state."
        )


def _proper_policy(mdp: MDPModel) -> torch.Tensor:
    """In each state, the action most likely to move to a state fewer steps from a terminal
    one. Every state has such an action with positive probability, so the policy reaches a
    terminal state from everywhere (it is *proper*)."""
    level = _steps_to_terminal(mdp)
    closer = level[None, :] < level[:, None]  # [S, S']: s' is fewer steps from the end than s
    if isinstance(mdp, TabularMDP):
        # P(move closer | s, a) = sum over closer s' of P(s'|s, a)
        progress = (mdp.P * closer[:, None, :]).sum(dim=-1).T  # [A, S]
    else:
        A, K, S = mdp._next.shape
        lv = level.index_select(0, mdp._next.reshape(-1)).view(A, K, S)
        progress = (mdp._probs * (lv < level)).sum(dim=1)
    return progress.argmax(dim=0).masked_fill_(mdp.terminal, 0)


def evaluate_policy_exact(
    mdp: MDPModel, policy: object, *, max_dense_states: int = 8192
) -> torch.Tensor:
    """``V_pi`` by solving the linear Bellman equation ``(I - gamma P_pi) V = R_pi`` exactly.

    ``policy`` is actions ``[S]`` or probabilities ``[S, A]``. Needs a dense ``S x S`` matrix,
    so it refuses ``S > max_dense_states``; use :func:`policy_evaluation` there. With
    ``gamma = 1`` the policy must reach a terminal state from every state (else the matrix is
    singular), which is checked first.
    """
    mdp = _check_model(mdp)
    S = mdp.num_states
    if mdp.num_states > max_dense_states:
        raise ValueError(
            f"exact evaluation builds a dense {S} x {S} matrix; S = {S} > max_dense_states = "
            f"{max_dense_states}. Use policy_evaluation(...) (iterative sweeps) instead."
        )
    W = _policy_weights(mdp, policy)
    _require_episodic(mdp, W)
    if isinstance(mdp, TabularMDP):
        P_pi = torch.einsum("as,sat->st", W, mdp.P)  # P_pi[s, s'] = sum_a pi(a|s) P(s'|s,a)
        R_pi = (W.T * mdp.R).sum(dim=1)
    else:
        A, K, _ = mdp._next.shape
        P_pi = torch.zeros(S, S, dtype=mdp.dtype, device=mdp.device)
        rows = torch.arange(S, device=mdp.device).expand(A, K, S)
        # P_pi[s, next] += pi(a|s) p(next|s,a), over every action and successor slot
        P_pi.index_put_(
            (rows.reshape(-1), mdp._next.reshape(-1)),
            (W[:, None, :] * mdp._probs).reshape(-1),
            accumulate=True,
        )
        R_pi = (W * mdp._R).sum(dim=0)
    eye = torch.eye(S, dtype=P_pi.dtype, device=P_pi.device)
    # V = R_pi + gamma P_pi V  <=>  (I - gamma P_pi) V = R_pi
    return torch.linalg.solve(eye - mdp.gamma * P_pi, R_pi)


# ---------------------------------------------------------------------------------------------
# Sweeps, evaluation, value iteration, policy iteration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DPResult:
    """What a dynamic-programming solver returns."""

    values: torch.Tensor
    """``[S]`` final values: ``V_pi`` for evaluation, ``V*`` otherwise, up to ``error_bound``."""
    policy: torch.Tensor
    """``[S]`` int64 actions greedy with respect to ``values`` (policy iteration: its policy)."""
    sweeps: int
    """Full sweeps performed: Bellman backups of every state (evaluation sweeps included)."""
    iterations: int
    """Outer iterations: sweeps for evaluation and value iteration, improvements for policy
    iteration."""
    deltas: tuple[float, ...]
    """``max_s |V_new(s) - V_old(s)|`` after each iteration: the convergence curve."""
    error_bound: float
    """Guaranteed bound on ``max_s |values(s) - V_target(s)|`` (``inf``: no guarantee)."""
    converged: bool
    """Whether the stopping rule was met (else ``max_sweeps``/``max_iterations`` ran out)."""
    snapshots: dict[int, torch.Tensor] = dataclasses.field(default_factory=dict)
    """Values after the requested sweeps (0 = the initial values)."""


def _sweep(
    mdp: MDPModel,
    V: torch.Tensor,
    update: Any,
    inplace: bool,
    block_size: int,
    out: torch.Tensor,
    diff: torch.Tensor,
) -> torch.Tensor:
    """One sweep from ``V`` into ``out``; ``update(V, rows, out)`` computes the new values of
    the states in ``rows``. Returns ``max_s |out(s) - V(s)|`` (a 0-d tensor)."""
    S = mdp.num_states
    if not inplace:  # synchronous (Jacobi): every state reads the old values
        update(V, slice(0, S), out)
    else:  # in place (Gauss-Seidel): each block reads the blocks updated before it
        out.copy_(V)
        for start in range(0, S, block_size):
            rows = slice(start, min(start + block_size, S))
            out[rows] = update(out, rows, torch.empty_like(out[rows]))
    return torch.sub(out, V, out=diff).abs_().max()


def _threshold(gamma: float, tol: float, factor: float) -> float:
    """Largest sweep change that guarantees the error: tol (1-gamma) / (factor gamma)."""
    if gamma == 1.0:
        return tol
    if gamma == 0.0:
        return math.inf  # one sweep is exact
    return tol * (1.0 - gamma) / (factor * gamma)


def _bound(gamma: float, delta: float) -> float:
    """Error bound (*) after a sweep that changed values by at most ``delta``."""
    if delta == 0.0:
        return 0.0
    if gamma == 1.0:
        return math.inf
    return gamma * delta / (1.0 - gamma)


def _check_positive(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not x > 0:
        raise ValueError(f"{name} must be a positive number, got {x!r}")
    return float(x)


def _iterate(
    mdp: MDPModel,
    update: Any,
    V: torch.Tensor,
    threshold: float,
    max_sweeps: int,
    inplace: bool,
    block_size: int,
    snapshots: Sequence[int],
) -> tuple[torch.Tensor, list[float], bool, dict[int, torch.Tensor]]:
    """Sweep until the largest change is below ``threshold`` (or ``max_sweeps`` ran out)."""
    max_sweeps = _as_count(max_sweeps, "max_sweeps")
    block_size = _as_count(block_size, "block_size")
    if block_size == 0:
        raise ValueError("block_size must be >= 1")
    wanted = {_as_count(k, "snapshot sweep") for k in snapshots}
    kept = {0: V.clone()} if 0 in wanted else {}
    deltas: list[float] = []
    converged = False
    spare, diff = torch.empty_like(V), torch.empty_like(V)  # reused by every sweep
    for sweep in range(1, max_sweeps + 1):
        delta = _sweep(mdp, V, update, inplace, block_size, spare, diff)
        V, spare = spare, V  # the new values; the old buffer receives the next sweep
        deltas.append(float(delta))  # one device-to-host copy per sweep
        if sweep in wanted:
            kept[sweep] = V.clone()
        if deltas[-1] < threshold or deltas[-1] == 0.0:
            converged = True
            break
    return V, deltas, converged, kept


def _warn_not_converged(what: str, count: int, delta: float) -> None:
    warnings.warn(
        f"{what} stopped after {count} without meeting its stopping rule (last change "
        f"{delta:.3g}); the result's error_bound says how far it may be off",
        RuntimeWarning,
        stacklevel=3,
    )


def _sweep_until(
    name: str,
    mdp: MDPModel,
    update: Callable[[torch.Tensor, slice, torch.Tensor], torch.Tensor],
    V0: torch.Tensor,
    threshold: float,
    max_sweeps: int,
    inplace: bool,
    block_size: int,
    snapshots: Sequence[int],
) -> DPResult:
    """Sweep ``update`` until no value changes by more than ``threshold``; the result is
    greedy with respect to the final values (one policy-improvement step)."""
    V, deltas, converged, kept = _iterate(
        mdp, update, V0, threshold, max_sweeps, inplace, block_size, snapshots
    )
    if not converged:
        _warn_not_converged(name, len(deltas), deltas[-1])
    return DPResult(
        values=V,
        policy=_greedy(mdp, _q(mdp, V)),
        sweeps=len(deltas),
        iterations=len(deltas),
        deltas=tuple(deltas),
        error_bound=_bound(mdp.gamma, deltas[-1]) if deltas else math.inf,
        converged=converged,
        snapshots=kept,
    )


def policy_evaluation(
    mdp: MDPModel,
    policy: object,
    *,
    tol: float = 1e-8,
    max_sweeps: int = 100_000,
    inplace: bool = False,
    block_size: int = 1,
    values: torch.Tensor | None = None,
    snapshots: Sequence[int] = (),
) -> DPResult:
    """Iterative policy evaluation: sweep ``V <- R_pi + gamma P_pi V`` until ``||V - V_pi|| < tol``.

    ``policy`` is actions ``[S]`` or probabilities ``[S, A]``. Synchronous sweeps update every
    state from the previous values in one batched op; ``inplace=True`` updates the states in
    blocks of ``block_size`` (1 = the textbook in-place update), each block using the values
    already updated in this sweep, which usually needs fewer sweeps. Stops when a sweep changed
    no value by more than ``tol (1 - gamma) / gamma``, which guarantees
    ``||V - V_pi||_inf <= gamma delta / (1 - gamma) < tol``; for ``gamma = 1`` (the policy must
    reach a terminal state from every state) it stops when the change is below ``tol``,
    without such a guarantee. ``values`` is the starting point (default zeros). The result's
    ``policy`` is greedy with respect to the final values (one policy-improvement step).
    """
    mdp = _check_model(mdp)
    tol = _check_positive(tol, "tol")
    W = _policy_weights(mdp, policy)
    _require_episodic(mdp, W)
    V0 = _as_values(mdp, torch.zeros(mdp.num_states) if values is None else values)

    def update(V: torch.Tensor, rows: slice, out: torch.Tensor) -> torch.Tensor:
        # (T_pi V)(s) = sum_a pi(a|s) Q(s, a)
        return _mean_q(mdp, V, W, rows, out)

    threshold = _threshold(mdp.gamma, tol, 1.0)
    return _sweep_until(
        "policy_evaluation", mdp, update, V0, threshold, max_sweeps, inplace, block_size, snapshots
    )


def value_iteration(
    mdp: MDPModel,
    *,
    tol: float = 1e-6,
    max_sweeps: int = 100_000,
    inplace: bool = False,
    block_size: int = 1,
    values: torch.Tensor | None = None,
    snapshots: Sequence[int] = (),
) -> DPResult:
    """Value iteration: sweep ``V(s) <- max_a [R(s, a) + gamma sum_s' P(s'|s, a) V(s')]``.

    Each synchronous sweep is one batched backup of all states (a gather for a
    :class:`SparseMDP`, so a million states fit in memory). Stops when a sweep changed no
    value by more than ``tol (1 - gamma) / (2 gamma)``; then ``||V - V*||_inf < tol / 2`` and
    the greedy policy returned is ``tol``-optimal: ``||V_pi - V*||_inf <= tol`` (Puterman 1994,
    theorem 6.3.1). ``error_bound`` is ``gamma delta / (1 - gamma)`` for the last change
    ``delta``. With ``gamma = 1`` every state must be able to reach a terminal state (checked);
    it stops when the change is below ``tol``, and ``error_bound`` is ``inf`` unless the last
    change was exactly 0 (as it is on deterministic shortest-path problems). ``inplace`` and
    ``block_size`` work as in :func:`policy_evaluation`; ``snapshots`` lists sweep numbers
    whose values to keep (0 = the start, ``values`` or zeros).
    """
    mdp = _check_model(mdp)
    tol = _check_positive(tol, "tol")
    _require_episodic(mdp)
    V0 = _as_values(mdp, torch.zeros(mdp.num_states) if values is None else values)

    def update(V: torch.Tensor, rows: slice, out: torch.Tensor) -> torch.Tensor:
        # (T V)(s) = max_a Q(s, a)
        return _max_q(mdp, V, rows, out)

    threshold = _threshold(mdp.gamma, tol, 2.0)
    return _sweep_until(
        "value_iteration", mdp, update, V0, threshold, max_sweeps, inplace, block_size, snapshots
    )


def policy_iteration(
    mdp: MDPModel,
    *,
    policy: object = None,
    evaluation: str = "exact",
    tol: float = 1e-10,
    max_iterations: int = 1_000,
) -> DPResult:
    """Policy iteration (Howard 1960): evaluate the policy, make it greedy, until it is stable.

    ``evaluation="exact"`` solves the linear system (dense, small ``S``);
    ``"iterative"`` runs :func:`policy_evaluation` to ``tol``, warm-started from the previous
    values (any ``S``). The starting ``policy`` (actions ``[S]``) defaults to the greedy
    policy of ``V = 0`` (the best immediate reward) for ``gamma < 1``, and to a policy that
    reaches a terminal state from everywhere for ``gamma = 1``. An action changes only when
    another is better by more than rounding error, so the loop ends on a stable policy, which
    is optimal. ``deltas`` holds ``max |V_new - V_old|`` between successive policies' values;
    ``error_bound`` is ``||T V - V|| / (1 - gamma)`` (``inf`` for ``gamma = 1`` unless that
    residual is 0).
    """
    mdp = _check_model(mdp)
    if evaluation not in ("exact", "iterative"):
        raise ValueError(f"evaluation must be 'exact' or 'iterative', got {evaluation!r}")
    max_iterations = _as_count(max_iterations, "max_iterations")
    _require_episodic(mdp)
    S = mdp.num_states
    V = torch.zeros(S, dtype=_dtype(mdp), device=mdp.device)
    if policy is None:
        pi = _proper_policy(mdp) if mdp.gamma == 1.0 else _greedy(mdp, _q(mdp, V))
    else:
        if torch.as_tensor(policy).is_floating_point():
            raise ValueError("policy_iteration starts from a deterministic policy: actions [S]")
        pi = _policy_weights(mdp, policy).argmax(dim=0).masked_fill_(mdp.terminal, 0)
    deltas: list[float] = []
    sweeps = 0
    converged = False
    for _ in range(max_iterations):
        if evaluation == "exact":  # V = (I - gamma P_pi)^-1 R_pi
            V_new = evaluate_policy_exact(mdp, pi)
        else:  # sweeps of V <- R_pi + gamma P_pi V, starting from the last policy's values
            run = policy_evaluation(mdp, pi, tol=tol, values=V)
            V_new, sweeps = run.values, sweeps + run.sweeps
        deltas.append(float((V_new - V).abs().max()))
        V = V_new
        new_pi = _greedy(mdp, _q(mdp, V), current=pi)  # improvement: one full backup
        sweeps += 1
        if torch.equal(new_pi, pi):  # stable: no action is better than the current one
            converged = True
            break
        pi = new_pi
    if not converged:
        _warn_not_converged("policy_iteration", len(deltas), deltas[-1] if deltas else math.nan)
    residual = bellman_residual(mdp, V)
    if residual == 0.0:
        bound = 0.0
    else:
        bound = math.inf if mdp.gamma == 1.0 else residual / (1.0 - mdp.gamma)
    return DPResult(
        values=V,
        policy=pi,
        sweeps=sweeps,
        iterations=len(deltas),
        deltas=tuple(deltas),
        error_bound=bound,
        converged=converged,
        snapshots={},
    )
