"""The wavefront LCS: the loop's answer, and 10,000 x 10,000 in seconds."""

import random

from dlcourse.runtime import device
from dlcourse.sequences import lcs, lcs_wavefront

rng = random.Random(0)
a = "".join(rng.choices("ACGT", k=1500))
b = "".join(rng.choices("ACGT", k=1500))
same = lcs(a, b) == lcs_wavefront(a, b, device=device())
print("loop and wavefront agree:", same)

# 10^8 cells: minutes for the double loop, seconds for the wavefront
a = "".join(rng.choices("ACGT", k=10_000))
b = "".join(rng.choices("ACGT", k=10_000))
result = lcs_wavefront(a, b, device=device())


def is_subsequence(sub: str, seq: str) -> bool:
    items = iter(seq)
    return all(ch in items for ch in sub)  # `in` consumes up to the match


print(f"LCS length {result.length:,}")
print(f"it starts with {result.subsequence[:30]}...")
print("a subsequence of a:", is_subsequence(result.subsequence, a))
print("a subsequence of b:", is_subsequence(result.subsequence, b))
