"""Dynamic programming: value iteration against pymdptoolbox, and the LCS three ways.

**value-iteration** (:func:`run`). Grid worlds of ``n x n`` cells (10^2 to 10^6 states) with
:class:`~dlcourse.gridworld.GridWorld`'s defaults: deterministic moves, reward 1 on entering
the goal in the bottom-right corner, no walls, ``gamma = 0.99``. Ours is timed on the path a
reader takes: ``GridWorld(height=n, width=n).to_mdp(gamma)`` then ``value_iteration``, the
environment and its model built inside the timed call (``build_seconds`` is that part alone).
Both solvers stop at the same
threshold on the largest change of a sweep, ``epsilon (1 - gamma) / gamma`` with pymdptoolbox's
default ``epsilon = 0.01`` (ours: ``tol = 2 epsilon`` in :func:`dlcourse.mdp.value_iteration`;
pymdptoolbox measures the change by its span, ours by the max norm, which is never smaller).
The exact ``V*(s) = gamma ** (d(s) - 1)``, with ``d(s)`` the Manhattan distance to the goal,
gives each row's ``max_abs_v_error``. Ours runs on the environment's successor-list
:class:`~dlcourse.mdp.TabularMDP` (float64, on :func:`dlcourse.runtime.device`);
pymdptoolbox (``mdptoolbox.mdp.ValueIteration``, whose timing includes its constructor, where
it computes its iteration bound) on one
``scipy.sparse.csr_matrix`` per action. Two workarounds, neither of which changes its
algorithm: terminal states become absorbing with reward 0 (it needs every row of P to sum to
1), and its input check ``mdptoolbox.util.check`` is skipped (the same P has passed ours): on a
sparse *matrix* ``P.sum(axis=1)`` is an ``S x 1`` ``numpy.matrix``, so its stochasticity test
broadcasts to a dense ``S x S`` array, and ``P >= 0`` makes a sparse matrix with all ``S * S``
entries (800 MB at 10^4 states, 65 GB at 9 * 10^4); with the newer ``csr_array`` its iteration
bound fails instead (``.A1`` no longer exists). pymdptoolbox runs only up to
:data:`PEER_MAX_STATES` states: its iteration bound slices one column of P per state and
action, which costs far more than the iteration itself beyond that.

**lcs** (:func:`run_lcs`). Two random DNA strings of equal length: the wavefront
(:func:`dlcourse.sequences.lcs_wavefront`, ``impl="dlcourse"``), the readable double loop
(:func:`dlcourse.sequences.lcs`) and a loop that indexes a torch tensor per cell
(:func:`dlcourse.sequences.lcs_per_cell_tensor`), each only up to the length where it still runs in
reasonable time. All three must agree on the length.

Every measurement is wall-clock seconds after one untimed warm-up run, three times; a run that
takes longer than :data:`SLOW_SECONDS` is timed once and its first run counts (``"warmup":
false``).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from courseware.bench import timeit
from dlcourse.gridworld import GridWorld
from dlcourse.mdp import TabularMDP, value_iteration
from dlcourse.runtime import device
from dlcourse.sequences import lcs, lcs_per_cell_tensor, lcs_wavefront

__all__ = [
    "EPSILON",
    "GAMMA",
    "PEER_MAX_STATES",
    "SLOW_SECONDS",
    "exact_grid_values",
    "mdptoolbox_arrays",
    "mdptoolbox_without_input_check",
    "run",
    "run_lcs",
]

GAMMA = 0.99
"""Discount of the benchmark grids."""
EPSILON = 0.01
"""pymdptoolbox's default ``epsilon``; ours gets ``tol = 2 * EPSILON`` (the same threshold)."""
PEER_MAX_STATES = 10**4.5
"""pymdptoolbox runs on grids up to this many states (its bound computation is O(S * A) column
slices of a sparse matrix: several minutes at 9 * 10^4 states)."""
SLOW_SECONDS = 5.0
"""A run slower than this is measured once, without a warm-up."""


def _measure(fn: Callable[[], Any], repeats: int = 3) -> tuple[list[float], bool, Any]:
    """(seconds of each timed run, whether a warm-up run preceded them, fn's last result)."""
    start = time.perf_counter()
    out = fn()
    first = time.perf_counter() - start
    if first > SLOW_SECONDS:
        return [first], False, out
    box: list[Any] = []
    seconds = timeit(lambda: box.append(fn()), repeats=repeats, warmup=0)
    return seconds, True, box[-1]


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def exact_grid_values(n: int, gamma: float = GAMMA) -> np.ndarray:
    """``V*`` of the benchmark grid: ``gamma ** (d - 1)`` at Manhattan distance ``d >= 1``."""
    row, col = np.divmod(np.arange(n * n), n)
    d = (n - 1 - row) + (n - 1 - col)
    return np.where(d > 0, gamma ** (d - 1.0), 0.0)


def mdptoolbox_arrays(mdp: TabularMDP, *, sparse: bool = True) -> tuple[Any, np.ndarray]:
    """The model in pymdptoolbox's format: ``P`` per action ``[A][S, S]`` and ``R [S, A]``.

    ``P`` is a list of ``scipy.sparse.csr_matrix`` (``sparse=True``) or a dense array
    ``[A, S, S]``. Terminal states, which transition nowhere in dlcourse, become absorbing
    (probability 1 of staying, reward 0): pymdptoolbox needs every row to sum to 1, and both
    conventions give them the value 0.
    """
    import scipy.sparse as sp

    S, A, K = mdp.num_states, mdp.num_actions, mdp.num_successors
    nxt = mdp.next_states.cpu().numpy()
    probs = mdp.probs.cpu().numpy().astype(np.float64)
    terminal = mdp.terminal.cpu().numpy()
    probs[terminal, :, 0] = 1.0  # terminal: its own successor (dlcourse stores itself there)
    rows = np.repeat(np.arange(S), K)
    P = [
        sp.csr_matrix((probs[:, a, :].reshape(-1), (rows, nxt[:, a, :].reshape(-1))), shape=(S, S))
        for a in range(A)
    ]
    R = mdp.R.cpu().numpy().astype(np.float64)
    if sparse:
        return P, R
    return np.stack([p.toarray() for p in P]), R


@contextlib.contextmanager
def mdptoolbox_without_input_check() -> Iterator[None]:
    """Skip ``mdptoolbox.util.check`` inside the block (see the module docstring for why)."""
    import mdptoolbox.mdp as mdp_module

    saved = mdp_module._util.check
    mdp_module._util.check = lambda P, R: None
    try:
        yield
    finally:
        mdp_module._util.check = saved


def _peer_value_iteration(P: Any, R: np.ndarray) -> Any:
    import mdptoolbox.mdp

    with mdptoolbox_without_input_check():
        vi = mdptoolbox.mdp.ValueIteration(P, R, GAMMA, epsilon=EPSILON)
    vi.run()
    return vi


def run(quick: bool = False) -> dict[str, Any]:
    """Value iteration on n x n grids, dlcourse against pymdptoolbox; rows per (states, impl)."""
    sides = [4, 8] if quick else [10, 32, 100, 316, 1000]
    dev = device()
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    try:
        import mdptoolbox.mdp  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
        notes.append("pymdptoolbox is not installed: only dlcourse was measured")
    for n in sides:
        S = n * n
        exact = exact_grid_values(n)

        def build(n: int = n) -> TabularMDP:
            mdp = GridWorld(height=n, width=n).to_mdp(GAMMA, dtype=torch.float64, device=dev)
            _sync()
            return mdp

        def ours(n: int = n) -> Any:  # the reader's path: the environment, its model, VI
            result = value_iteration(build(n), tol=2 * EPSILON)
            _sync()
            return result

        build_seconds, _, mdp = _measure(build)
        seconds, warm, result = _measure(ours)
        rows.append(
            {
                "states": S,
                "impl": "dlcourse",
                "seconds": seconds,
                "build_seconds": build_seconds,
                "warmup": warm,
                "sweeps": result.sweeps,
                "max_abs_v_error": float(np.abs(result.values.cpu().numpy() - exact).max()),
                "error_bound": result.error_bound,
                "device": str(dev),
            }
        )
        if not have_peer:
            continue
        if S > PEER_MAX_STATES:
            notes.append(f"pymdptoolbox skipped at {S} states (more than 10^4.5)")
            continue
        P, R = mdptoolbox_arrays(mdp.to("cpu"))
        seconds, warm, vi = _measure(lambda P=P, R=R: _peer_value_iteration(P, R))
        rows.append(
            {
                "states": S,
                "impl": "pymdptoolbox",
                "seconds": seconds,
                "warmup": warm,
                "sweeps": int(vi.iter),
                "max_abs_v_error": float(np.abs(np.asarray(vi.V) - exact).max()),
                "stopped_by_iteration_bound": bool(vi.iter >= vi.max_iter),
                "device": "cpu",
            }
        )
    return {
        "name": "value-iteration",
        "title": "Value iteration on grid worlds: dlcourse vs pymdptoolbox",
        "description": (
            "n x n GridWorld (deterministic moves, reward 1 at the bottom-right goal, no walls, "
            f"gamma = {GAMMA}). dlcourse's seconds are the reader's path: "
            "GridWorld(...).to_mdp(...) then value_iteration (build_seconds: the environment "
            "and its model alone). Both stop when a sweep changes no value by more than "
            f"epsilon (1 - gamma) / gamma with epsilon = {EPSILON}. max_abs_v_error is measured "
            "against the exact V*. pymdptoolbox gets scipy.sparse matrices, its input check "
            "skipped (it builds dense S x S arrays from sparse input), and runs only up to "
            "10^4.5 states."
        ),
        "notes": notes,
        "rows": rows,
    }


def run_lcs(quick: bool = False) -> dict[str, Any]:
    """LCS of two random DNA strings: wavefront vs readable loop vs per-cell tensor indexing."""
    lengths = [20, 60] if quick else [100, 300, 1000, 3000, 10_000]
    limits = {"dlcourse": 10_000, "readable loop": 3000, "per-cell tensor": 300}
    dev = device()

    def wavefront(a: str, b: str) -> int:
        result = lcs_wavefront(a, b, device=dev)
        _sync()
        return result.length

    functions: dict[str, Callable[[str, str], int]] = {
        "dlcourse": wavefront,
        "readable loop": lambda a, b: lcs(a, b).length,
        "per-cell tensor": lcs_per_cell_tensor,
    }
    rng = random.Random(0)
    rows: list[dict[str, Any]] = []
    for n in lengths:
        a = "".join(rng.choices("ACGT", k=n))
        b = "".join(rng.choices("ACGT", k=n))
        found = set()
        for impl, fn in functions.items():
            if n > limits[impl]:
                continue
            seconds, warm, length = _measure(lambda fn=fn, a=a, b=b: fn(a, b))
            found.add(length)
            rows.append(
                {
                    "length": n,
                    "impl": impl,
                    "seconds": seconds,
                    "warmup": warm,
                    "lcs_length": length,
                    "device": str(dev) if impl == "dlcourse" else "cpu",
                }
            )
        if len(found) != 1:
            raise AssertionError(f"LCS implementations disagree at length {n}: {found}")
    return {
        "name": "lcs",
        "title": "Longest common subsequence: wavefront vs double loop vs per-cell tensors",
        "description": (
            "Two random DNA strings of the given length. dlcourse = lcs_wavefront (anti-diagonals "
            "in torch, with the traceback), 'readable loop' = lcs (Python lists), 'per-cell "
            "tensor' = the same double loop indexing a torch tensor per cell. "
            "Each runs only up to the length where it finishes in reasonable time "
            f"({limits['readable loop']} and {limits['per-cell tensor']})."
        ),
        "rows": rows,
    }
