"""Filling a budget exactly: the 0/1 knapsack and coin change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from dlcourse.runtime import device as default_device
from dlcourse.sequences.results import Unpackable
from dlcourse.validation import check_count

__all__ = ["KnapsackResult", "coin_change_min", "coin_change_ways", "knapsack"]

# ---------------------------------------------------------------------------------------------
# 0/1 knapsack
#   V[k, c] = best value from items 0..k-1 with total weight <= c; V[0, c] = 0
#   V[k, c] = max(V[k-1, c], V[k-1, c - w_k] + v_k)   (second term only if w_k <= c)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnapsackResult(Unpackable):
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
    weights = [check_count(w, f"weights[{k}]") for k, w in enumerate(weights)]
    values = [check_count(v, f"values[{k}]") for k, v in enumerate(values)]
    capacity = check_count(capacity, "capacity")
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
    checked = [check_count(c, f"coins[{k}]") for k, c in enumerate(coins)]
    if 0 in checked:
        raise ValueError("coins must be positive: a zero coin never changes the amount")
    if len(set(checked)) != len(checked):
        raise ValueError(f"coins must be distinct denominations, got {checked}")
    return checked, check_count(amount, "amount")


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
