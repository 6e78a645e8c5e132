"""The LCS table of a classic pair, its traceback, and dlcourse.sequences.lcs."""

from dlcourse.plots.dp import plot_lcs_table
from dlcourse.sequences import lcs, lcs_table, lcs_traceback

a, b = "ABCBDAB", "BDCABA"
L = lcs_table(a, b)
print("length:", L[len(a)][len(b)])
print("one LCS:", "".join(lcs_traceback(a, b, L)))
print(lcs(a, b))  # the checked entry point: same rule, same answer
fig = plot_lcs_table(a, b, L)
