"""Planning in a known MDP: action values, greedy policies, policy iteration, value iteration.

Notation (Sutton & Barto, chapter 4): ``Q(s, a) = R(s, a) + gamma sum_s' P(s'|s, a) V(s')``.

* policy improvement: ``pi'(s) = argmax_a Q(s, a)`` (:func:`greedy_policy`);
* policy iteration: evaluate, improve, until the policy is stable (:func:`policy_iteration`);
* value iteration: ``V <- T V``, ``(T V)(s) = max_a Q(s, a)`` (:func:`value_iteration`).

Evaluating a policy is evaluating its MRP (:mod:`dlcourse.mdp.evaluation`):
``solve(mdp.induced_mrp(pi))`` exactly, or ``evaluate_iterative(mdp.induced_mrp(pi))`` by
sweeps. Every sweep is a batched backup of all states over the model's successor lists
(:mod:`dlcourse.mdp.backup`), so a million states fit in memory, on any device.

**Stopping rule of value iteration.** After a sweep that changed no value by more than
``delta < tol (1 - gamma) / (2 gamma)``, ``||V - V*|| < tol / 2`` and the greedy policy is
``tol``-optimal: ``||V_pi - V*||_inf <= tol`` (Puterman 1994, theorem 6.3.1).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from dlcourse.mdp.backup import q_all, q_max
from dlcourse.mdp.checks import check_policy
from dlcourse.mdp.evaluation import (
    _as_values,
    evaluate_iterative,
    require_episodic,
    solve,
    steps_to_terminal,
    sweep_until,
    threshold,
)
from dlcourse.mdp.models import TabularMDP
from dlcourse.validation import check_count, check_positive

__all__ = [
    "PlanResult",
    "action_values",
    "bellman_residual",
    "greedy_policy",
    "policy_iteration",
    "value_iteration",
]


def _check_mdp(mdp: object) -> TabularMDP:
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp must be a dlcourse.mdp.TabularMDP, got {type(mdp).__name__}")
    return mdp


@dataclass(frozen=True, eq=False)
class PlanResult:
    """What a planning method returns."""

    values: Tensor
    """``[S]`` final values: ``V*`` up to ``error_bound`` (policy iteration: ``V_pi``)."""
    policy: Tensor
    """``[S]`` int64 actions greedy with respect to ``values`` (policy iteration: its policy)."""
    sweeps: int
    """Full sweeps performed: Bellman backups of every state (evaluation sweeps included)."""
    iterations: int
    """Outer iterations: sweeps for value iteration, policies evaluated for policy iteration."""
    deltas: tuple[float, ...]
    """``max_s |V_new(s) - V_old(s)|`` after each iteration: the convergence curve."""
    error_bound: float
    """Guaranteed bound on ``max_s |values(s) - V*(s)|`` (``inf``: no guarantee)."""
    converged: bool
    """Whether the stopping rule was met (else the sweep or iteration budget ran out)."""
    snapshots: dict[int, Tensor] = field(default_factory=dict)
    """Values after the requested sweeps (0 = the initial values)."""


def action_values(mdp: TabularMDP, values: Tensor) -> Tensor:
    """``Q[s, a] = R(s, a) + gamma sum_s' P(s'|s, a) V(s')`` for every state, ``[S, A]``."""
    mdp = _check_mdp(mdp)
    return q_all(mdp, _as_values(mdp, values)).T


def _tie_tolerance(q: Tensor) -> Tensor:
    """Actions whose Q is within this of the best count as ties (absorbs rounding noise)."""
    return 1000 * torch.finfo(q.dtype).eps * q.abs().amax().clamp(min=1.0)


def _greedy(mdp: TabularMDP, q: Tensor, current: Tensor | None = None) -> Tensor:
    """argmax_a Q[a, s] per state; ties (within rounding) go to ``current`` if it is among the
    best, else to the lowest action index. Terminal states get action 0."""
    is_best = q >= q.amax(dim=0) - _tie_tolerance(q)  # [A, S]
    policy = is_best.to(torch.uint8).argmax(dim=0)  # the first of the best actions
    if current is not None:
        policy = torch.where(is_best.gather(0, current[None])[0], current, policy)
    return policy.masked_fill_(mdp.terminal, 0)


def greedy_policy(mdp: TabularMDP, values: Tensor) -> Tensor:
    """Policy improvement: ``pi(s) = argmax_a Q(s, a)`` for ``values``, as actions ``[S]``.

    Ties (within rounding error) go to the lowest action index; terminal states get action 0.
    """
    mdp = _check_mdp(mdp)
    return _greedy(mdp, q_all(mdp, _as_values(mdp, values)))


def bellman_residual(mdp: TabularMDP, values: Tensor) -> float:
    """``||T V - V||_inf``: how far ``values`` is from the Bellman optimality equation.

    For ``gamma < 1`` it bounds the error: ``||V - V*|| <= residual / (1 - gamma)``.
    """
    mdp = _check_mdp(mdp)
    V = _as_values(mdp, values)
    return float((q_all(mdp, V).amax(dim=0) - V).abs().max())


# --8<-- [start:value_iteration]
def value_iteration(
    mdp: TabularMDP,
    *,
    tol: float = 1e-6,
    max_sweeps: int = 100_000,
    inplace: bool = False,
    block_size: int = 1,
    values: Tensor | None = None,
    snapshots: Sequence[int] = (),
) -> PlanResult:
    """Value iteration: sweep ``V(s) <- max_a [R(s, a) + gamma sum_s' P(s'|s, a) V(s')]``.

    Stops when a sweep changed no value by more than ``tol (1 - gamma) / (2 gamma)`` (see the
    module notes); the returned greedy policy is then ``tol``-optimal and ``error_bound`` is
    ``gamma delta / (1 - gamma)``. With ``gamma = 1`` every state must be able to reach a
    terminal state (checked); it stops when the change is below ``tol``, and ``error_bound``
    is ``inf`` unless the last change was exactly 0 (as on deterministic shortest-path
    problems). ``inplace``, ``block_size`` and ``snapshots`` work as in
    :func:`~dlcourse.mdp.evaluation.sweep_until`.
    """
    mdp = _check_mdp(mdp)
    tol = check_positive(tol, "tol")
    require_episodic(mdp)

    def update(V: Tensor, rows: slice, out: Tensor) -> Tensor:
        return q_max(mdp, V, rows, out)  # (T V)(s) = max_a Q(s, a)

    run = sweep_until(
        "value_iteration",
        mdp,
        update,
        torch.zeros(mdp.num_states) if values is None else values,
        threshold(mdp.gamma, tol, 2.0),
        max_sweeps=max_sweeps,
        inplace=inplace,
        block_size=block_size,
        snapshots=snapshots,
    )
    policy = _greedy(mdp, q_all(mdp, run.values))  # one policy-improvement step
    return PlanResult(
        run.values, policy, run.sweeps, run.sweeps, run.deltas, run.error_bound, run.converged,
        run.snapshots,
    )  # fmt: skip


# --8<-- [end:value_iteration]


def _proper_policy(mdp: TabularMDP) -> Tensor:
    """In each state, the action most likely to move closer to a terminal state. Every state
    has one with positive probability, so this policy ends episodes from everywhere."""
    level = steps_to_terminal(mdp)
    A, K, S = mdp._next.shape
    next_level = level.index_select(0, mdp._next.reshape(-1)).view(A, K, S)
    progress = (mdp._probs * (next_level < level)).sum(dim=1)  # P(move closer | s, a)
    return progress.argmax(dim=0).masked_fill_(mdp.terminal, 0)


def policy_iteration(
    mdp: TabularMDP,
    *,
    policy: Tensor | None = None,
    evaluation: str = "exact",
    tol: float = 1e-10,
    max_iterations: int = 1_000,
) -> PlanResult:
    """Policy iteration (Howard 1960): evaluate the policy, make it greedy, until it is stable.

    ``evaluation="exact"`` solves the policy's MRP (dense, small ``S``); ``"iterative"`` sweeps
    it to ``tol``, warm-started from the previous policy's values (any ``S``). The starting
    ``policy`` (actions ``[S]``) defaults to the greedy policy of ``V = 0`` for ``gamma < 1``,
    and to a policy that reaches a terminal state from everywhere for ``gamma = 1``. An action
    changes only when another is better by more than rounding error, so the loop ends on a
    stable policy, which is optimal. ``error_bound`` is ``||T V - V|| / (1 - gamma)`` (``inf``
    for ``gamma = 1`` unless that residual is 0).
    """
    mdp = _check_mdp(mdp)
    if evaluation not in ("exact", "iterative"):
        raise ValueError(f"evaluation must be 'exact' or 'iterative', got {evaluation!r}")
    max_iterations = check_count(max_iterations, "max_iterations")
    require_episodic(mdp)
    V = torch.zeros(mdp.num_states, dtype=mdp.dtype, device=mdp.device)
    if policy is None:
        pi = _proper_policy(mdp) if mdp.gamma == 1.0 else _greedy(mdp, q_all(mdp, V))
    else:
        if torch.as_tensor(policy).is_floating_point():
            raise ValueError("policy_iteration starts from a deterministic policy: actions [S]")
        W = check_policy(policy, mdp.terminal, mdp.num_actions, mdp.dtype)
        pi = W.argmax(dim=0).masked_fill_(mdp.terminal, 0)
    deltas: list[float] = []
    sweeps = 0
    converged = False
    for _ in range(max_iterations):
        mrp = mdp.induced_mrp(pi)  # evaluation: V_pi of the policy's MRP
        if evaluation == "exact":
            V_new = solve(mrp)
        else:
            run = evaluate_iterative(mrp, tol, values=V)
            V_new, sweeps = run.values, sweeps + run.sweeps
        deltas.append(float((V_new - V).abs().max()))
        V = V_new
        new_pi = _greedy(mdp, q_all(mdp, V), current=pi)  # improvement: one full backup
        sweeps += 1
        if torch.equal(new_pi, pi):  # stable: no action is better than the current one
            converged = True
            break
        pi = new_pi
    if not converged:
        warnings.warn(
            f"policy_iteration stopped after {len(deltas)} policies without a stable one; the "
            "result's error_bound says how far it may be off",
            RuntimeWarning,
            stacklevel=2,
        )
    residual = bellman_residual(mdp, V)
    if residual == 0.0:
        bound = 0.0
    else:
        bound = math.inf if mdp.gamma == 1.0 else residual / (1.0 - mdp.gamma)
    return PlanResult(V, pi, sweeps, len(deltas), tuple(deltas), bound, converged)
