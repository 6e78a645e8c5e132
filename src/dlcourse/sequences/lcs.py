"""The longest common subsequence (LCS), three times on purpose.

* :func:`lcs` is the teaching version: a readable double loop over Python lists
  (:func:`lcs_table` fills the table, :func:`lcs_traceback` reads one LCS from it).
* :func:`lcs_per_cell_tensor` is the slow baseline a first attempt often is: the same double
  loop, but every cell is read and written through torch tensor indexing. It exists so a
  benchmark can show why that is the worst of both worlds.
* :func:`lcs_wavefront` computes a whole anti-diagonal of the table in one batched torch op, so
  it scales to long sequences and runs unchanged on a GPU.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from dlcourse.runtime import device as default_device
from dlcourse.sequences.results import Unpackable

__all__ = [
    "LCSResult",
    "lcs",
    "lcs_length_wavefront",
    "lcs_per_cell_tensor",
    "lcs_table",
    "lcs_traceback",
    "lcs_wavefront",
]

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
class LCSResult(Unpackable):
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
    """Return the LCS length with per-cell tensor indexing: the SLOW baseline.

    The same double loop as :func:`lcs`, but the table is a CPU torch tensor and every cell is
    read and written by tensor indexing, so each of the len(a) * len(b) cells pays torch's
    per-call dispatch overhead (the benchmark measures how much). Kept only for the benchmark;
    use :func:`lcs` to read the algorithm and :func:`lcs_wavefront` to run it fast.
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
    memory is len(a) * len(b) bytes (one per cell). The walk back runs on the CPU
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
