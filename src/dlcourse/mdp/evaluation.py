r"""Values of a Markov reward process: exactly, by iteration, by Monte Carlo; and reachability.

The value of state $s$ is the expected return from it, $v(s) = \mathbb{E}[G_t \mid S_t = s]$,
and it satisfies the Bellman expectation equation, in matrix form

$$
v = R + \gamma P v \quad\Longleftrightarrow\quad (I - \gamma P)\, v = R .
$$

* :func:`solve` solves that linear system directly (LU, $O(S^3)$, dense);
* :func:`evaluate_iterative` sweeps $v \leftarrow R + \gamma P v$ until a stopping rule with a
  guaranteed error bound holds ($O(S K)$ per sweep, any size);
* :func:`evaluate_monte_carlo` samples episodes and averages their returns, with a confidence
  band.

Evaluating a policy $\pi$ of an MDP is evaluating the MRP it induces:
``evaluate_iterative(mdp.induced_mrp(pi))``. With $\gamma = 1$ values exist exactly when every
state can reach a terminal state; :func:`reaches_terminal` checks it, and the three methods
refuse a model where it fails, naming the states (:func:`never_terminating`).

**Stopping rule.** For $\gamma < 1$ the update is a $\gamma$-contraction in the max norm, so
after a sweep that changed no value by more than $\delta$,
$\lVert v_{k+1} - v \rVert_\infty \le \gamma \delta / (1 - \gamma)$ (in-place sweeps too).
:func:`sweep_until` is the loop that both this module and :mod:`dlcourse.mdp.planning` run.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import torch
from torch import Tensor

from dlcourse.mdp.backup import expected_next
from dlcourse.mdp.models import MRP, _SuccessorModel
from dlcourse.validation import check_count, check_positive

__all__ = [
    "IterativeResult",
    "MonteCarloResult",
    "bellman_expectation",
    "error_bound",
    "evaluate_iterative",
    "evaluate_monte_carlo",
    "never_terminating",
    "reaches_terminal",
    "require_episodic",
    "solve",
    "steps_to_terminal",
    "sweep_until",
]


def _check_mrp(mrp: object) -> MRP:
    if not isinstance(mrp, MRP):
        raise ValueError(
            f"expected a dlcourse.mdp.MRP, got {type(mrp).__name__} (an MDP's policy gives "
            "one: mdp.induced_mrp(policy))"
        )
    return mrp


# ---------------------------------------------------------------------------- reachability
def steps_to_terminal(model: _SuccessorModel, weights: Tensor | None = None) -> Tensor:
    """Fewest steps from each state to a terminal one with positive probability; -1 if none.

    For an MDP, under the best choice of actions (or only the actions with ``weights[a, s] >
    0``). A breadth-first search backwards from the terminal states, one level at a time: the
    predecessors of the states reached last are found at once through the reversed edges
    (sorted by target state), so the whole search costs about one sweep plus a sort.
    """
    _, K, S = model._next.shape
    dev = model.device
    edge = (model._probs > 0).reshape(-1).nonzero()[:, 0]  # edge (a, k, s) -> next[a, k, s]
    a, src, dst = edge // (K * S), edge % S, model._next.reshape(-1)[edge]
    if weights is not None:  # keep only the policy's actions
        use = weights[a, src] > 0
        src, dst = src[use], dst[use]
    order = torch.argsort(dst)
    src = src[order]
    first = torch.zeros(
        S + 1, dtype=torch.int64, device=dev
    )  # preds of t: src[first[t]:first[t+1]]
    first[1:] = torch.bincount(dst, minlength=S).cumsum(0)
    level = torch.where(model.terminal, 0, -1)
    frontier = model.terminal.nonzero()[:, 0]
    for steps in range(1, S + 1):  # a shortest path visits each state at most once
        counts = first[frontier + 1] - first[frontier]
        total = int(counts.sum())
        if total == 0:
            break
        # positions first[t] + j for every frontier state t and j < counts[t], in one op
        offsets = torch.repeat_interleave(first[frontier] - (counts.cumsum(0) - counts), counts)
        preds = src[offsets + torch.arange(total, device=dev)]
        preds = torch.unique(preds[level[preds] < 0])
        if preds.numel() == 0:
            break
        level[preds] = steps
        frontier = preds
    return level


def reaches_terminal(model: _SuccessorModel) -> Tensor:
    """``[S]`` bool: can each state reach a terminal state with positive probability?

    For an MRP, under its dynamics; for an MDP, under some choice of actions (for a given
    policy, ask its MRP: ``reaches_terminal(mdp.induced_mrp(policy))``).
    """
    return steps_to_terminal(model) >= 0


def never_terminating(mrp: MRP) -> list[int]:
    """States from which no terminal state can be reached (empty when every episode can end)."""
    return [int(s) for s in (~reaches_terminal(_check_mrp(mrp))).nonzero()[:, 0].tolist()]


def require_episodic(model: _SuccessorModel) -> None:
    """For ``gamma = 1``: raise unless every state can reach a terminal state."""
    if model.gamma < 1.0:
        return
    stuck = (~reaches_terminal(model)).nonzero()[:, 0].tolist()
    if stuck:
        shown = str(stuck[:10])[:-1] + (", ...]" if len(stuck) > 10 else "]")
        how = "" if isinstance(model, MRP) else " under any policy"
        raise ValueError(
            f"gamma = 1 but states {shown} never reach a terminal state{how} ({len(stuck)} in "
            "all): their return (and that of every state that can reach them) is an "
            "endless undiscounted sum, so the values are undefined and I - P is singular. Make a "
            "terminal state reachable from them, or use gamma < 1."
        )


# --------------------------------------------------------------------------------- exact
def bellman_expectation(mrp: MRP, values: Tensor) -> Tensor:
    """One application of the Bellman expectation operator: ``R + gamma P v``."""
    mrp = _check_mrp(mrp)
    v = _as_values(mrp, values)
    return expected_next(mrp, v, slice(0, mrp.num_states), torch.empty_like(v))


# --8<-- [start:solve]
def solve(mrp: MRP, *, max_dense_states: int = 8192) -> Tensor:
    """Exact values ``v = (I - gamma P)^-1 R``, by solving ``(I - gamma P) v = R``.

    ``torch.linalg.solve`` factorises the dense ``S x S`` matrix (LU, about ``2/3 S^3`` flops)
    instead of forming the inverse; above ``max_dense_states`` states use
    :func:`evaluate_iterative`.

    Raises:
        ValueError: too many states, or ``gamma = 1`` and some state never terminates.
    """
    mrp = _check_mrp(mrp)
    S = mrp.num_states
    if max_dense_states < S:
        raise ValueError(
            f"solve builds a dense {S} x {S} matrix; S = {S} > max_dense_states = "
            f"{max_dense_states}. Use evaluate_iterative(...) (sweeps) instead."
        )
    require_episodic(mrp)
    eye = torch.eye(S, dtype=mrp.dtype, device=mrp.device)
    v = torch.linalg.solve(eye - mrp.gamma * mrp.P, mrp.R)  # (I - gamma P) v = R
    if not torch.isfinite(v).all():  # only an extremely ill-conditioned system gets here
        raise ValueError(f"solve produced non-finite values {v.tolist()}; try float64")
    return v


# --8<-- [end:solve]


# ----------------------------------------------------------------------------- iterative
def threshold(gamma: float, tol: float, factor: float) -> float:
    """Largest sweep change that guarantees the error: ``tol (1 - gamma) / (factor gamma)``."""
    if gamma == 1.0:
        return tol
    if gamma == 0.0:
        return math.inf  # one sweep is exact
    return tol * (1.0 - gamma) / (factor * gamma)


def error_bound(gamma: float, delta: float) -> float:
    """``gamma delta / (1 - gamma)``: the error after a sweep that changed values by ``delta``.

    ``inf`` for ``gamma = 1`` (no contraction), unless ``delta`` is exactly 0: then the values
    are a fixed point, unique when every state reaches a terminal state.
    """
    if delta == 0.0:
        return 0.0
    if gamma == 1.0:
        return math.inf
    return gamma * delta / (1.0 - gamma)


def _as_values(model: _SuccessorModel, values: object) -> Tensor:
    """``values`` as a finite ``[S]`` tensor on the model's device and dtype, 0 on terminals."""
    S = model.num_states
    V = torch.as_tensor(values)
    if V.shape != (S,):
        raise ValueError(f"values must have shape ({S},) (one per state), got {tuple(V.shape)}")
    V = V.to(device=model.device, dtype=model.dtype)
    if not torch.isfinite(V).all():
        raise ValueError("values must be finite")
    return V.masked_fill(model.terminal, 0.0)  # terminal states are worth 0


Update = Callable[[Tensor, slice, Tensor], Tensor]
"""``update(V, rows, out)``: the new values of the states in ``rows``, written to ``out``."""


@dataclass(frozen=True, eq=False)
class IterativeResult:
    """What a sweeping method returns."""

    values: Tensor
    """``[S]`` the last iterate."""
    sweeps: int
    """Number of sweeps performed."""
    deltas: tuple[float, ...]
    """``max_s |V_new(s) - V_old(s)|`` after each sweep: the convergence curve."""
    error_bound: float
    """Guaranteed ``max_s |values(s) - v(s)|`` (``inf``: no guarantee, as for ``gamma = 1``)."""
    converged: bool
    """Whether the stopping rule was met (else ``max_sweeps`` ran out)."""
    snapshots: dict[int, Tensor] = field(default_factory=dict)
    """Values after the requested sweeps (0 = the initial values)."""


# --8<-- [start:sweep]
def sweep_until(
    name: str,
    model: _SuccessorModel,
    update: Update,
    values: object,
    limit: float,
    *,
    max_sweeps: int,
    inplace: bool,
    block_size: int,
    snapshots: Sequence[int],
) -> IterativeResult:
    """Sweep ``update`` from ``values`` until no value changes by more than ``limit``.

    Synchronous (Jacobi) sweeps compute every state from the old values in one batched update;
    ``inplace=True`` (Gauss-Seidel) updates blocks of ``block_size`` states in order, each block
    reading the values already updated in this sweep. Warns when ``max_sweeps`` runs out.
    """
    max_sweeps = check_count(max_sweeps, "max_sweeps")
    if max_sweeps == 0:
        raise ValueError("max_sweeps must be >= 1")
    block_size = check_count(block_size, "block_size")
    if block_size == 0:
        raise ValueError("block_size must be >= 1")
    wanted = {check_count(k, "snapshot sweep") for k in snapshots}
    V = _as_values(model, values)
    kept = {0: V.clone()} if 0 in wanted else {}
    S = model.num_states
    spare, diff = torch.empty_like(V), torch.empty_like(V)  # reused by every sweep
    deltas: list[float] = []
    for sweep in range(1, max_sweeps + 1):
        if not inplace:
            update(V, slice(0, S), spare)
        else:
            spare.copy_(V)
            for start in range(0, S, block_size):
                rows = slice(start, min(start + block_size, S))
                spare[rows] = update(spare, rows, torch.empty_like(spare[rows]))
        deltas.append(float(torch.sub(spare, V, out=diff).abs_().max()))  # |V_new - V|_inf
        V, spare = spare, V  # the new values; the old buffer receives the next sweep
        if sweep in wanted:
            kept[sweep] = V.clone()
        if deltas[-1] < limit or deltas[-1] == 0.0:
            return IterativeResult(
                V, sweep, tuple(deltas), error_bound(model.gamma, deltas[-1]), True, kept
            )
    warnings.warn(
        f"{name} stopped after {max_sweeps} sweeps without meeting its stopping rule (last "
        f"change {deltas[-1]:.3g}, needed < {limit:.3g}); the result's error_bound says how "
        "far it may be off",
        RuntimeWarning,
        stacklevel=3,
    )
    return IterativeResult(
        V, max_sweeps, tuple(deltas), error_bound(model.gamma, deltas[-1]), False, kept
    )


# --8<-- [end:sweep]


# --8<-- [start:iterative]
def evaluate_iterative(
    mrp: MRP,
    tol: float = 1e-8,
    *,
    max_sweeps: int = 100_000,
    inplace: bool = False,
    block_size: int = 1,
    values: Tensor | None = None,
    snapshots: Sequence[int] = (),
) -> IterativeResult:
    """Iterative evaluation: ``v_{k+1} = R + gamma P v_k`` from ``v_0 = values`` (default 0).

    Stops after the first sweep whose largest change ``delta`` is below
    ``tol (1 - gamma) / gamma``, which guarantees ``|v_{k+1} - v|_inf <= gamma delta / (1 -
    gamma) < tol`` (``error_bound``). For ``gamma = 1`` there is no contraction factor: it stops
    at ``delta < tol`` and reports ``error_bound = inf``. ``inplace``, ``block_size`` and
    ``snapshots`` work as in :func:`sweep_until`.

    Raises:
        ValueError: bad ``tol``, ``max_sweeps`` or ``values``, or ``gamma = 1`` and some state
            never terminates.
    """
    mrp = _check_mrp(mrp)
    tol = check_positive(tol, "tol")
    require_episodic(mrp)

    def update(V: Tensor, rows: slice, out: Tensor) -> Tensor:
        return expected_next(mrp, V, rows, out)  # v(s) <- R(s) + gamma sum_s' P(s'|s) v(s')

    start = torch.zeros(mrp.num_states) if values is None else values
    return sweep_until(
        "evaluate_iterative",
        mrp,
        update,
        start,
        threshold(mrp.gamma, tol, 1.0),
        max_sweeps=max_sweeps,
        inplace=inplace,
        block_size=block_size,
        snapshots=snapshots,
    )


# --8<-- [end:iterative]


# --------------------------------------------------------------------------- Monte Carlo
@dataclass(frozen=True, eq=False)
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


# --8<-- [start:monte_carlo]
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
    the path) and moves to one of its successors by inverse-CDF sampling; an episode ends when
    it enters a terminal state, or is cut after ``max_steps`` steps (counted in ``truncated``;
    for ``gamma < 1`` the missing tail is at most ``gamma^max_steps max|R| / (1 - gamma)``).
    Uniform draws come from a CPU generator seeded with ``seed``, so the result is the same on
    every device.
    """
    mrp = _check_mrp(mrp)
    if episodes < 2:
        raise ValueError(f"episodes must be >= 2 (a confidence band needs two), got {episodes}")
    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    require_episodic(mrp)
    S, dev = mrp.num_states, mrp.device
    generator = torch.Generator().manual_seed(seed)
    successors = mrp.next_states  # [S, K]
    probs = mrp.probs
    cdf = probs.cumsum(dim=1)
    # guard against rounding: the last successor with p > 0 takes what remains
    slot = torch.arange(probs.shape[1], device=dev)
    last = torch.where(probs > 0, slot, -1).amax(dim=1, keepdim=True).clamp_(min=0)
    cdf = torch.where(slot >= last, 1.0, cdf)
    state = torch.arange(S, device=dev).repeat_interleave(episodes)  # S_0 for each episode
    alive = ~mrp.terminal[state]
    returns = torch.zeros(S * episodes, dtype=mrp.dtype, device=dev)
    discount = 1.0
    for _ in range(max_steps):
        if not alive.any():
            break
        # G_0 = sum_t gamma^t R(S_t), summed while the episode runs
        returns += torch.where(alive, discount * mrp.R[state], 0.0)
        u = torch.rand(S * episodes, generator=generator, dtype=cdf.dtype).to(dev)
        # S_{t+1} ~ P(. | S_t): the first successor k with cdf[S_t, k] > u
        k = torch.searchsorted(cdf[state], u[:, None], right=True).clamp_(max=cdf.shape[1] - 1)
        state = torch.where(alive, successors[state].gather(1, k).squeeze(1), state)
        alive &= ~mrp.terminal[state]
        discount *= mrp.gamma
    returns = returns.reshape(S, episodes)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half_width = z * returns.std(dim=1) / math.sqrt(episodes)  # z * sample std / sqrt(n)
    return MonteCarloResult(
        returns.mean(dim=1), half_width, returns, confidence, int(alive.sum().item())
    )


# --8<-- [end:monte_carlo]
