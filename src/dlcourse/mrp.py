r"""Values of a Markov reward process, three ways: closed form, iteration, Monte Carlo.

The value of state $s$ is the expected return from it, $v(s) = \mathbb{E}[G_t \mid S_t = s]$,
and it satisfies the Bellman expectation equation, in matrix form

$$
v = R + \gamma P v \quad\Longleftrightarrow\quad (I - \gamma P)\, v = R .
$$

* :func:`solve` solves that linear system directly (LU factorisation, $O(S^3)$);
* :func:`evaluate_iterative` applies $v \leftarrow R + \gamma P v$ until a stopping rule with a
  stated error bound holds ($O(S^2)$ per sweep);
* :func:`evaluate_monte_carlo` samples episodes and averages their returns, with a confidence
  band.

All three take an :class:`~dlcourse.mdp.MRP`, whose terminal states have value 0 and rows of
zeros in ``P``. With $\gamma = 1$ the system has a unique solution exactly when every state can
reach a terminal state; otherwise each function raises a ``ValueError`` that names the states
that never terminate (:func:`never_terminating`).

:func:`student_day` builds the chapter's example chain.
"""

from __future__ import annotations

# --8<-- [start:imports]
import math
from dataclasses import dataclass
from statistics import NormalDist

import torch
from torch import Tensor

from dlcourse.mdp import MRP

# --8<-- [end:imports]

__all__ = [
    "STUDENT_DAY_STATES",
    "IterativeResult",
    "MonteCarloResult",
    "bellman_backup",
    "evaluate_iterative",
    "evaluate_monte_carlo",
    "never_terminating",
    "solve",
    "student_day",
]

STUDENT_DAY_STATES = ("Lecture", "Lab", "Homework", "Phone", "Coffee", "Sleep")
"""Names of the states of :func:`student_day`, in index order (``Sleep`` is terminal)."""


def student_day(gamma: float = 0.9, *, dtype: torch.dtype = torch.float64) -> MRP:
    """The chapter's example: a student's day as a 6-state MRP with ``Sleep`` terminal.

    Rewards are received on leaving a state: sitting through a lecture or a lab costs 2,
    scrolling the phone costs 1, a coffee is worth 1 and handing in the homework 10. The
    tensors are on the CPU; move them with :meth:`~dlcourse.mdp.MRP.to`.
    """
    #   to:   Lecture  Lab  Homework  Phone  Coffee  Sleep
    P = torch.tensor(
        [
            [0.0, 0.6, 0.0, 0.4, 0.0, 0.0],  # Lecture
            [0.0, 0.0, 0.7, 0.0, 0.3, 0.0],  # Lab
            [0.0, 0.0, 0.0, 0.2, 0.0, 0.8],  # Homework
            [0.3, 0.0, 0.0, 0.6, 0.0, 0.1],  # Phone
            [0.0, 0.6, 0.4, 0.0, 0.0, 0.0],  # Coffee
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # Sleep (terminal)
        ],
        dtype=dtype,
    )
    R = torch.tensor([-2.0, -2.0, 10.0, -1.0, 1.0, 0.0], dtype=dtype)
    terminal = torch.tensor([False, False, False, False, False, True])
    return MRP(P, R, gamma, terminal)


def never_terminating(mrp: MRP) -> list[int]:
    """States from which no terminal state can be reached (empty when every episode can end).

    A state "can end" if it is terminal or has an edge ``P[s, s'] > 0`` to a state that can
    end; the set grows until nothing changes, at most ``S`` times.
    """
    edges = (mrp.P > 0).to(torch.float32)
    can_end = mrp.terminal.clone()
    for _ in range(mrp.num_states):
        # can_end(s) = terminal(s) or any_{s'} [P(s'|s) > 0 and can_end(s')]
        grown = can_end | (edges @ can_end.to(torch.float32) > 0)
        if torch.equal(grown, can_end):
            break
        can_end = grown
    return [int(s) for s in (~can_end).nonzero().flatten().tolist()]


def _check_solvable(mrp: MRP) -> None:
    """Raise ValueError when gamma = 1 and some state can never reach a terminal state."""
    if not isinstance(mrp, MRP):
        raise ValueError(f"expected a dlcourse.mdp.MRP, got {type(mrp).__name__}")
    if mrp.gamma < 1.0:
        return
    stuck = never_terminating(mrp)
    if stuck:
        raise ValueError(
            f"gamma = 1 but states {stuck} never reach a terminal state: their return (and "
            "that of every state that can reach them) is an endless undiscounted sum, so v is "
            "undefined and I - P is singular. Make a terminal state reachable from them, or use "
            "gamma < 1."
        )


def bellman_backup(mrp: MRP, v: Tensor) -> Tensor:
    """One application of the Bellman expectation operator: ``R + gamma P v``."""
    return mrp.R + mrp.gamma * mrp.P @ v


# --8<-- [start:solve]
def solve(mrp: MRP) -> Tensor:
    """Exact values ``v = (I - gamma P)^-1 R``, by solving ``(I - gamma P) v = R``.

    ``torch.linalg.solve`` factorises the ``S x S`` matrix (LU, about ``2/3 S^3`` flops)
    instead of forming the inverse.

    Raises:
        ValueError: ``gamma = 1`` and some state never reaches a terminal state.
    """
    _check_solvable(mrp)
    eye = torch.eye(mrp.num_states, dtype=mrp.P.dtype, device=mrp.device)
    # (I - gamma P) v = R
    v = torch.linalg.solve(eye - mrp.gamma * mrp.P, mrp.R)
    if not torch.isfinite(v).all():  # only an extremely ill-conditioned system gets here
        raise ValueError(f"solve produced non-finite values {v.tolist()}; try float64")
    return v


# --8<-- [end:solve]


# --8<-- [start:iterative]
@dataclass
class IterativeResult:
    """What :func:`evaluate_iterative` returns."""

    values: Tensor
    """``[S]`` the last iterate ``v_k``."""
    sweeps: int
    """Number of sweeps ``k`` performed."""
    deltas: list[float]
    """``max_s |v_k(s) - v_{k-1}(s)|`` after each sweep."""
    error_bound: float | None
    """Guaranteed ``max_s |v_k(s) - v(s)|`` bound ``gamma / (1 - gamma) * deltas[-1]``; None
    for ``gamma = 1``, where the change alone bounds nothing."""


def evaluate_iterative(
    mrp: MRP, tol: float = 1e-8, *, max_sweeps: int = 100_000
) -> IterativeResult:
    """Iterative policy evaluation: ``v_{k+1} = R + gamma P v_k`` from ``v_0 = 0``.

    Stopping rule: after the first sweep whose largest change ``delta = |v_{k+1} - v_k|_inf``
    is at most ``tol (1 - gamma) / gamma``. Because the update is a ``gamma``-contraction in
    the max norm, ``|v_{k+1} - v|_inf <= gamma / (1 - gamma) * delta <= tol``. For
    ``gamma = 1`` there is no contraction factor: it stops at ``delta <= tol`` and the error can
    be larger (up to the expected number of remaining steps times ``delta``).

    Raises:
        ValueError: ``tol <= 0``, ``max_sweeps < 1``, or ``gamma = 1`` and some state never
            terminates.
        RuntimeError: the rule was not met within ``max_sweeps`` sweeps.
    """
    _check_solvable(mrp)
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    if max_sweeps < 1:
        raise ValueError(f"max_sweeps must be >= 1, got {max_sweeps}")
    gamma = mrp.gamma
    if gamma == 1.0:
        threshold = tol
    elif gamma == 0.0:
        threshold = math.inf  # v_1 = R is already exact
    else:
        threshold = tol * (1.0 - gamma) / gamma
    v = torch.zeros_like(mrp.R)
    deltas: list[float] = []
    for _ in range(max_sweeps):
        v_next = mrp.R + gamma * mrp.P @ v  # v_{k+1} = R + gamma P v_k
        deltas.append((v_next - v).abs().max().item())  # delta = |v_{k+1} - v_k|_inf
        v = v_next
        if deltas[-1] <= threshold:
            bound = None if gamma == 1.0 else gamma / (1.0 - gamma) * deltas[-1]
            return IterativeResult(v, len(deltas), deltas, bound)
    raise RuntimeError(
        f"iterative evaluation did not meet its stopping rule within {max_sweeps} sweeps "
        f"(last change {deltas[-1]:.3g}, needed <= {threshold:.3g}); raise max_sweeps or tol"
    )


# --8<-- [end:iterative]


# --8<-- [start:monte_carlo]
@dataclass
class MonteCarloResult:
    """What :func:`evaluate_monte_carlo` returns."""

    values: Tensor
    """``[S]`` mean return of the episodes started in each state (0 for terminal states)."""
    half_width: Tensor
    """``[S]`` half-width of the normal confidence interval ``z * std / sqrt(n)``."""
    returns: Tensor
    """``[S, episodes]`` the return ``G_0`` of every sampled episode, by start state."""
    confidence: float
    """Confidence level of ``half_width`` (e.g. 0.95)."""
    truncated: int
    """Episodes still running after ``max_steps`` steps, cut short (their tail is missing)."""


def evaluate_monte_carlo(
    mrp: MRP,
    episodes: int,
    seed: int,
    *,
    max_steps: int = 10_000,
    confidence: float = 0.95,
) -> MonteCarloResult:
    """Monte Carlo evaluation: ``v(s) ~ mean of G_0`` over ``episodes`` episodes from each ``s``.

    All ``S * episodes`` episodes run side by side, one vectorised step at a time. Each step in
    state ``s`` earns ``R[s]`` (the MRP stores expected rewards, so all the randomness is in
    the path) and moves to ``s' ~ P[s, :]`` by inverse-CDF sampling; an episode ends when it
    enters a terminal state, or is cut after ``max_steps`` steps (counted in ``truncated``;
    for ``gamma < 1`` the missing tail is at most ``gamma^max_steps max|R| / (1 - gamma)``).
    Uniform draws come from a CPU generator seeded with ``seed``, so the result is the same on
    every device.

    Raises:
        ValueError: bad ``episodes``, ``max_steps`` or ``confidence``, or ``gamma = 1`` and
            some state never terminates.
    """
    _check_solvable(mrp)
    if episodes < 2:
        raise ValueError(f"episodes must be >= 2 (a confidence band needs two), got {episodes}")
    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    S, dev = mrp.num_states, mrp.device
    generator = torch.Generator().manual_seed(seed)
    cdf = mrp.P.cumsum(dim=1)
    cdf[:, -1] = 1.0  # guard against rounding: the last next state takes what remains
    state = torch.arange(S, device=dev).repeat_interleave(episodes)  # S_0 for each episode
    alive = ~mrp.terminal[state]
    returns = torch.zeros(S * episodes, dtype=mrp.R.dtype, device=dev)
    discount = 1.0
    for _ in range(max_steps):
        if not alive.any():
            break
        # G_0 = sum_t gamma^t R(S_t), summed while the episode runs
        returns += torch.where(alive, discount * mrp.R[state], 0.0)
        u = torch.rand(S * episodes, generator=generator, dtype=cdf.dtype).to(dev)
        # S_{t+1} ~ P(. | S_t): the first s' with cdf[S_t, s'] > u
        nxt = torch.searchsorted(cdf[state], u[:, None], right=True).squeeze(1).clamp_(max=S - 1)
        state = torch.where(alive, nxt, state)
        alive &= ~mrp.terminal[state]
        discount *= mrp.gamma
    returns = returns.reshape(S, episodes)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    # half-width = z * sample std / sqrt(n)
    half_width = z * returns.std(dim=1) / math.sqrt(episodes)
    return MonteCarloResult(
        returns.mean(dim=1), half_width, returns, confidence, int(alive.sum().item())
    )


# --8<-- [end:monte_carlo]
