"""Exercise: the LCS length top-down, with memoization."""

import random
from functools import cache

from dlcourse.sequences import lcs


def lcs_length_memo(a: str, b: str) -> int:
    @cache
    def length(i: int, j: int) -> int:  # LCS length of a[:i] and b[:j]
        if i == 0 or j == 0:
            return 0
        if a[i - 1] == b[j - 1]:
            return length(i - 1, j - 1) + 1
        return max(length(i - 1, j), length(i, j - 1))

    return length(len(a), len(b))


rng = random.Random(1)


def random_dna() -> str:
    return "".join(rng.choices("ACGT", k=rng.randint(0, 60)))


pairs = [(random_dna(), random_dna()) for _ in range(200)]
same = all(lcs_length_memo(a, b) == lcs(a, b).length for a, b in pairs)
print("top-down equals bottom-up on 200 pairs:", same)
try:
    lcs_length_memo("A" * 5000, "A" * 5000)
except RecursionError:
    print("5000 x 5000: RecursionError")
