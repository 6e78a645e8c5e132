"""Naive recursion repeats overlapping subproblems; memoization does not."""

from functools import cache

calls = {"naive": 0, "memoized": 0}


def fib_naive(n: int) -> int:
    calls["naive"] += 1
    return n if n < 2 else fib_naive(n - 1) + fib_naive(n - 2)


@cache  # memoization: remember every answer, look it up the next time
def fib_memoized(n: int) -> int:
    calls["memoized"] += 1
    return n if n < 2 else fib_memoized(n - 1) + fib_memoized(n - 2)


print("F(25) =", fib_naive(25), "=", fib_memoized(25))
print(f"naive recursion: {calls['naive']:,} calls")
print(f"memoized:        {calls['memoized']} calls")
