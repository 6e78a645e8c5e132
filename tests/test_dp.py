"""Tests for the general dynamic programming section of dlcourse.dp, checked against brute force."""

from __future__ import annotations

import itertools
import random
from collections.abc import Hashable, Sequence

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.sequences import (
    FIBONACCI_INT64_MAX_N,
    KnapsackResult,
    LCSResult,
    coin_change_min,
    coin_change_ways,
    fibonacci,
    fibonacci_matrix,
    fibonacci_table,
    knapsack,
    lcs,
    lcs_length_wavefront,
    lcs_per_cell_tensor,
    lcs_table,
    lcs_traceback,
    lcs_wavefront,
)

# --- Fibonacci --------------------------------------------------------------------------------


def exact_fibonacci(limit: int) -> list[int]:
    """F(0..limit) from the definition, with Python ints."""
    values = [0, 1]
    while len(values) <= limit:
        values.append(values[-1] + values[-2])
    return values[: limit + 1]


EXACT = exact_fibonacci(300)


def test_fibonacci_table_matches_exact_values_up_to_92() -> None:
    table = fibonacci_table(FIBONACCI_INT64_MAX_N)
    assert table.dtype == torch.int64
    assert table.tolist() == EXACT[: FIBONACCI_INT64_MAX_N + 1]
    assert fibonacci_table(0).tolist() == [0]
    assert fibonacci_table(1).tolist() == [0, 1]


@pytest.mark.parametrize("n", [93, 94, 300])
def test_fibonacci_table_refuses_to_overflow(n: int) -> None:
    with pytest.raises(OverflowError, match=r"int64 overflows after F\(92\).*fibonacci\(n\)"):
        fibonacci_table(n)


def test_exact_versions_match_definition_up_to_300() -> None:
    assert [fibonacci(n) for n in range(301)] == EXACT
    assert [fibonacci_matrix(n) for n in range(301)] == EXACT


def test_f93_is_positive_and_exact() -> None:
    assert fibonacci(93) == fibonacci_matrix(93) == 12200160415121876738 > 2**63 - 1


def test_exact_versions_agree_far_beyond_int64() -> None:
    big = fibonacci(10_000)
    assert big == fibonacci_matrix(10_000)
    assert len(str(big)) == 2090  # F(10000) has 2090 digits
    assert fibonacci_matrix(10_001) - fibonacci_matrix(9_999) == big


def test_fibonacci_accepts_numpy_integers() -> None:
    assert fibonacci(np.int64(10)) == fibonacci_matrix(np.int32(10)) == 55


@pytest.mark.parametrize("function", [fibonacci, fibonacci_matrix, fibonacci_table])
@pytest.mark.parametrize("bad", [-1, True, 2.0, "5", None])
def test_fibonacci_rejects_bad_n(function, bad) -> None:
    with pytest.raises(ValueError, match="n must be a non-negative int"):
        function(bad)


# --- LCS --------------------------------------------------------------------------------------


def is_subsequence(sub: Sequence[Hashable], seq: Sequence[Hashable]) -> bool:
    items = iter(seq)
    return all(any(x == y for y in items) for x in sub)


def brute_force_lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Longest subsequence of ``a`` (all 2**len(a) of them) that is also one of ``b``."""
    for size in range(len(a), -1, -1):
        for positions in itertools.combinations(range(len(a)), size):
            if is_subsequence([a[p] for p in positions], b):
                return size
    raise AssertionError("the empty subsequence is always common")


def check_lcs(a: Sequence[Hashable], b: Sequence[Hashable], result: LCSResult) -> None:
    assert isinstance(result.length, int)
    assert len(result.subsequence) == result.length
    assert is_subsequence(result.subsequence, a)
    assert is_subsequence(result.subsequence, b)


KNOWN_PAIRS = [
    ("AGGTAB", "GXTXAYB", 4, "GTAB"),
    ("ABCBDAB", "BDCABA", 4, "BCBA"),  # other LCSs exist ("BDAB", "BCAB"); the rule picks this
    ("AB", "BA", 1, "A"),  # tie at (2, 2): moving up wins, which then matches "A"
    ("", "", 0, ""),
    ("", "ABC", 0, ""),
    ("ABC", "", 0, ""),
    ("ABC", "DEF", 0, ""),
    ("ABC", "ABC", 3, "ABC"),
]
LCS_FUNCTIONS = [lcs, lcs_wavefront]


@pytest.mark.parametrize("function", LCS_FUNCTIONS)
@pytest.mark.parametrize(("a", "b", "length", "subsequence"), KNOWN_PAIRS)
def test_lcs_known_pairs(function, a: str, b: str, length: int, subsequence: str) -> None:
    assert function(a, b) == LCSResult(length, subsequence)
    assert lcs_length_wavefront(a, b) == length
    assert lcs_per_cell_tensor(a, b) == length


@settings(max_examples=150, deadline=None)
@given(a=st.text(alphabet="abc", max_size=8), b=st.text(alphabet="abc", max_size=8))
def test_lcs_matches_brute_force_on_strings(a: str, b: str) -> None:
    result = lcs(a, b)
    assert result.length == brute_force_lcs_length(a, b)
    assert isinstance(result.subsequence, str)
    check_lcs(a, b, result)
    assert lcs_wavefront(a, b) == result  # same recurrence and tie rule: same subsequence
    assert lcs_length_wavefront(a, b) == result.length


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.integers(0, 3), max_size=8),
    b=st.lists(st.integers(0, 3), max_size=8),
)
def test_lcs_matches_brute_force_on_lists_of_ints(a: list[int], b: list[int]) -> None:
    result = lcs(a, b)
    assert result.length == brute_force_lcs_length(a, b)
    assert isinstance(result.subsequence, tuple)
    check_lcs(a, b, result)
    assert lcs_wavefront(a, b) == result
    assert lcs_per_cell_tensor(a, b) == result.length


def test_lcs_on_other_sequences_returns_tuples() -> None:
    words_a = ("the", "cat", "sat", "on", "the", "mat")
    words_b = ["a", "cat", "on", "a", "mat"]
    assert lcs(words_a, words_b) == lcs_wavefront(words_a, words_b)
    assert lcs(words_a, words_b) == LCSResult(3, ("cat", "on", "mat"))
    assert lcs("abc", list("xaybc")).subsequence == ("a", "b", "c")  # str with list: a tuple
    assert lcs(range(10), range(0, 10, 3)) == LCSResult(4, (0, 3, 6, 9))


@settings(max_examples=80, deadline=None)
@given(a=st.text(alphabet="abc", max_size=7), b=st.text(alphabet="abc", max_size=7))
def test_lcs_table_holds_every_prefix_length(a: str, b: str) -> None:
    L = lcs_table(a, b)
    assert len(L) == len(a) + 1 and all(len(row) == len(b) + 1 for row in L)
    for i in range(len(a) + 1):
        for j in range(len(b) + 1):
            assert L[i][j] == brute_force_lcs_length(a[:i], b[:j])
    assert "".join(lcs_traceback(a, b, L)) == lcs(a, b).subsequence


def test_lcs_result_unpacks() -> None:
    length, subsequence = lcs_wavefront("AGGTAB", "GXTXAYB")
    assert (length, subsequence) == (4, "GTAB")


def test_wavefront_equals_loop_on_a_larger_random_pair() -> None:
    rng = random.Random(0)
    a = "".join(rng.choices("ACGT", k=2000))
    b = "".join(rng.choices("ACGT", k=2000))
    expected = lcs(a, b)
    assert lcs_wavefront(a, b) == expected
    assert lcs_length_wavefront(a, b) == expected.length
    check_lcs(a, b, expected)


@pytest.mark.parametrize("shape", [(1, 7), (7, 1), (1, 1), (3, 40), (40, 3)])
def test_wavefront_on_thin_tables(shape: tuple[int, int]) -> None:
    rng = random.Random(sum(shape))
    a, b = ("".join(rng.choices("ab", k=k)) for k in shape)
    assert lcs_wavefront(a, b) == lcs(a, b)


@pytest.mark.parametrize(
    "function", [lcs, lcs_wavefront, lcs_length_wavefront, lcs_per_cell_tensor]
)
@pytest.mark.parametrize("bad", [12345, None, 3.5, {1, 2}, iter("abc")])
def test_lcs_rejects_non_sequences(function, bad) -> None:
    with pytest.raises(TypeError, match="a must be a str or a sequence"):
        function(bad, "abc")
    with pytest.raises(TypeError, match="b must be a str or a sequence"):
        function("abc", bad)


def test_wavefront_rejects_unhashable_items() -> None:
    with pytest.raises(TypeError, match="LCS items must be hashable"):
        lcs_wavefront([[1], [2]], [[1]])


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_everything_runs_unchanged_on_cuda() -> None:
    rng = random.Random(1)
    a, b = "".join(rng.choices("ACGT", k=300)), "".join(rng.choices("ACGT", k=250))
    assert lcs_wavefront(a, b, device="cuda") == lcs(a, b)
    assert lcs_length_wavefront(a, b, device="cuda") == lcs(a, b).length
    assert fibonacci_table(92, device="cuda").tolist() == EXACT[:93]
    assert knapsack([1, 3, 4, 5], [1, 4, 5, 7], 7, device="cuda") == KnapsackResult(9, (1, 2))


# --- Knapsack and coin change -----------------------------------------------------------------


def brute_force_knapsack(weights: list[int], values: list[int], capacity: int) -> int:
    return max(
        sum(values[k] for k in subset)
        for size in range(len(weights) + 1)
        for subset in itertools.combinations(range(len(weights)), size)
        if sum(weights[k] for k in subset) <= capacity
    )


def test_knapsack_known_instance() -> None:
    best, chosen = knapsack([1, 3, 4, 5], [1, 4, 5, 7], capacity=7)
    assert (best, chosen) == (9, (1, 2))
    assert knapsack([], [], 10) == KnapsackResult(0, ())
    assert knapsack([5], [10], 4) == KnapsackResult(0, ())
    assert knapsack([0, 2], [3, 5], 0) == KnapsackResult(3, (0,))  # a weightless item is free


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.tuples(st.integers(0, 10), st.integers(0, 20)), max_size=7),
    capacity=st.integers(0, 25),
)
def test_knapsack_matches_brute_force(items: list[tuple[int, int]], capacity: int) -> None:
    weights, values = [w for w, _ in items], [v for _, v in items]
    best, chosen = knapsack(weights, values, capacity)
    assert isinstance(best, int)
    assert best == brute_force_knapsack(weights, values, capacity)
    assert list(chosen) == sorted(set(chosen))
    assert sum(weights[k] for k in chosen) <= capacity
    assert sum(values[k] for k in chosen) == best


@pytest.mark.parametrize(
    ("weights", "values", "capacity", "message"),
    [
        ([1, -2], [1, 2], 5, r"weights\[1\] must be a non-negative int"),
        ([1, 2], [1, -2], 5, r"values\[1\] must be a non-negative int"),
        ([1, 2], [1, 2], -1, "capacity must be a non-negative int"),
        ([1.5], [1], 5, r"weights\[0\] must be a non-negative int"),
        ([1], [1], 2.0, "capacity must be a non-negative int"),
        ([1, 2], [1], 5, "got 2 weights but 1 values"),
    ],
)
def test_knapsack_rejects_bad_input(weights, values, capacity, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        knapsack(weights, values, capacity)


def brute_force_coin_change(coins: list[int], amount: int) -> tuple[int | None, int]:
    """(fewest coins, number of multisets) over every multiset of coins summing to amount."""
    counts: list[int] = []

    def extend(start: int, remaining: int, used: int) -> None:
        if remaining == 0:
            counts.append(used)
            return
        for k in range(start, len(coins)):  # non-decreasing coin index: each multiset once
            if coins[k] <= remaining:
                extend(k, remaining - coins[k], used + 1)

    extend(0, amount, 0)
    return (min(counts) if counts else None), len(counts)


def test_coin_change_known_instances() -> None:
    assert coin_change_min([1, 2, 5], 11) == 3
    assert coin_change_min([2], 3) is None
    assert coin_change_min([3, 7], 0) == 0
    assert coin_change_ways([1, 2, 5], 5) == 4
    assert coin_change_ways([2], 3) == 0
    assert coin_change_ways([3, 7], 0) == 1
    assert coin_change_ways([1, 2, 5, 10, 20, 50, 100, 200], 200) == 73682  # Project Euler 31


def test_coin_change_ways_is_exact_beyond_int64() -> None:
    ways = coin_change_ways(list(range(1, 101)), 1000)
    assert isinstance(ways, int)
    assert ways > 2**63


@settings(max_examples=150, deadline=None)
@given(
    coins=st.lists(st.integers(1, 9), min_size=1, max_size=4, unique=True),
    amount=st.integers(0, 30),
)
def test_coin_change_matches_brute_force(coins: list[int], amount: int) -> None:
    fewest, ways = brute_force_coin_change(coins, amount)
    assert coin_change_min(coins, amount) == fewest
    assert coin_change_ways(coins, amount) == ways


@pytest.mark.parametrize("function", [coin_change_min, coin_change_ways])
@pytest.mark.parametrize(
    ("coins", "amount", "message"),
    [
        ([], 5, "coins must not be empty"),
        ([0, 1], 5, "coins must be positive"),
        ([1, -2], 5, r"coins\[1\] must be a non-negative int"),
        ([1, 2.5], 5, r"coins\[1\] must be a non-negative int"),
        ([1, 1], 5, "coins must be distinct"),
        ("12", 5, "coins must be a sequence of positive ints"),
        (7, 5, "coins must be a sequence of positive ints"),
        ([1, 2], -1, "amount must be a non-negative int"),
        ([1, 2], 2.0, "amount must be a non-negative int"),
    ],
)
def test_coin_change_rejects_bad_input(function, coins, amount, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        function(coins, amount)
