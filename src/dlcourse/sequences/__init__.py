"""Dynamic programming outside MDPs: each subproblem solved once, when its parts are ready.

The classic tabulation examples, each naming the recurrence it fills its table with, with exact
integer results: :mod:`~dlcourse.sequences.fibonacci`, the longest common subsequence
(:mod:`~dlcourse.sequences.lcs`), the 0/1 knapsack and coin change
(:mod:`~dlcourse.sequences.knapsack`). Dynamic programming for MDPs is in :mod:`dlcourse.mdp`.
"""

from dlcourse.sequences.fibonacci import (
    FIBONACCI_INT64_MAX_N,
    fibonacci,
    fibonacci_matrix,
    fibonacci_table,
)
from dlcourse.sequences.knapsack import (
    KnapsackResult,
    coin_change_min,
    coin_change_ways,
    knapsack,
)
from dlcourse.sequences.lcs import (
    LCSResult,
    lcs,
    lcs_length_wavefront,
    lcs_per_cell_tensor,
    lcs_table,
    lcs_traceback,
    lcs_wavefront,
)

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
    "lcs_table",
    "lcs_traceback",
    "lcs_wavefront",
]
