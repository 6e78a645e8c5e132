"""The checks every model runs on its input; each failure is a ``ValueError`` saying where.

One implementation of each: the discount, the terminal mask, a dense ``P`` (rows summing to 1,
or to 0 for a terminal state), successor lists, and a policy.
"""

from __future__ import annotations

import numbers

import torch
from torch import Tensor

__all__ = ["PROB_ATOL", "check_gamma", "check_policy", "check_terminal"]

PROB_ATOL = 1e-5
"""Absolute tolerance for "a row of probabilities sums to 1"."""


def where(index: tuple[int, ...]) -> str:
    """``(1, 2)`` as ``"[1, 2]"``."""
    return "[" + ", ".join(str(i) for i in index) + "]"


def first_bad(mask: Tensor) -> tuple[int, ...]:
    """Index of the first True entry of ``mask`` (row-major)."""
    return tuple(int(i) for i in mask.nonzero()[0].tolist())


def check_tensor(name: str, x: object, ndim: int, axes: str) -> Tensor:
    """A finite floating tensor with ``ndim`` dimensions."""
    if not isinstance(x, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions {axes}, got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must have a floating dtype, got {x.dtype}")
    bad = ~torch.isfinite(x)
    if bad.any():
        idx = first_bad(bad)
        raise ValueError(f"{name} has a non-finite entry {name}{where(idx)} = {x[idx].item()}")
    return x


def check_probabilities(P: Tensor, terminal: Tensor) -> None:
    """Entries >= 0 and every non-terminal row summing to 1 (a terminal row: to 0 or 1)."""
    negative = P < 0
    if negative.any():
        idx = first_bad(negative)
        raise ValueError(
            f"P has a negative probability P{where(idx)} = {P[idx].item():.6g}; "
            "probabilities must be >= 0"
        )
    sums = P.sum(dim=-1)  # [S] for an MRP, [S, A] for an MDP
    to_one = (sums - 1).abs() <= PROB_ATOL
    to_zero = sums.abs() <= PROB_ATOL
    is_terminal = terminal.reshape(terminal.shape + (1,) * (sums.ndim - 1)).expand_as(sums)
    bad = ~(to_one | (is_terminal & to_zero))
    if bad.any():
        idx = first_bad(bad)
        s = idx[0]
        raise ValueError(
            f"row P{where(idx)} of state {s} sums to {sums[idx].item():.6g}; the probabilities "
            f"of the next states must sum to 1 (within {PROB_ATOL:g})"
            + (" or, for a terminal state, to 0" if terminal[s] else "")
        )


def check_successors(next_states: Tensor, probs: Tensor, terminal: Tensor) -> None:
    """Successor lists ``[S, A, K]``: valid state indices, probabilities summing to 1 (or 0)."""
    S = next_states.shape[0]
    bad = (next_states < 0) | (next_states >= S)
    if bad.any():
        idx = first_bad(bad)
        raise ValueError(
            f"next_states{where(idx)} = {int(next_states[idx])} is not a state "
            f"(states are 0..{S - 1})"
        )
    negative = probs < 0
    if negative.any():
        idx = first_bad(negative)
        raise ValueError(f"probs{where(idx)} = {float(probs[idx]):.6g} is negative")
    sums = probs.sum(dim=-1)
    ok = ((sums - 1).abs() <= PROB_ATOL) | (terminal[:, None] & (sums.abs() <= PROB_ATOL))
    if not ok.all():
        s, a = first_bad(~ok)
        raise ValueError(
            f"the probabilities of state {s}, action {a} sum to {float(sums[s, a]):.6g}; "
            f"they must sum to 1 (within {PROB_ATOL:g})"
        )


def check_gamma(gamma: object, terminal: Tensor) -> float:
    """A discount in [0, 1]; 1 only with a terminal state."""
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise ValueError(f"gamma must be a number in [0, 1], got {gamma!r}")
    g = float(gamma)
    if not 0.0 <= g <= 1.0:  # also rejects nan
        raise ValueError(f"gamma must be in [0, 1], got {g}")
    if g == 1.0 and not terminal.any():
        raise ValueError(
            "gamma == 1 needs at least one terminal state (otherwise returns can be infinite); "
            "pass a terminal mask or use gamma < 1"
        )
    return g


def check_terminal(terminal: object, num_states: int, device: torch.device) -> Tensor:
    """A bool mask ``[S]`` (all False when None; 0/1 values accepted)."""
    if terminal is None:
        return torch.zeros(num_states, dtype=torch.bool, device=device)
    t = torch.as_tensor(terminal)
    if t.shape != (num_states,):
        raise ValueError(
            f"terminal must have shape ({num_states},) (one flag per state), got {tuple(t.shape)}"
        )
    if t.dtype != torch.bool:
        if not ((t == 0) | (t == 1)).all():
            raise ValueError("terminal must be a boolean mask (or hold only 0s and 1s)")
        t = t.bool()
    return t.to(device)


def check_policy(policy: object, terminal: Tensor, num_actions: int, dtype: torch.dtype) -> Tensor:
    """A policy as weights ``W[a, s] = pi(a|s)``, from actions ``[S]`` or probabilities ``[S, A]``.

    Rows of terminal states are ignored (and set to 0).
    """
    S, A = terminal.shape[0], num_actions
    if not isinstance(policy, Tensor):
        policy = torch.as_tensor(policy)
    pi = policy.to(terminal.device)
    live = ~terminal
    if pi.shape == (S,) and not pi.is_floating_point() and pi.dtype != torch.bool:
        bad = live & ((pi < 0) | (pi >= A))
        if bad.any():
            (s,) = first_bad(bad)
            raise ValueError(
                f"policy[{s}] = {int(pi[s])} is not an action (actions are 0..{A - 1})"
            )
        actions = pi.to(torch.int64).masked_fill(terminal, 0)
        W = torch.zeros(A, S, dtype=dtype, device=pi.device)
        W.scatter_(0, actions[None], 1.0)
    elif pi.shape == (S, A):  # probabilities (a one-hot integer table is accepted too)
        W = pi.to(dtype).T.contiguous()
        bad = live[None, :] & ~(torch.isfinite(W) & (W >= 0))
        if bad.any():
            a, s = first_bad(bad)
            raise ValueError(
                f"policy[{s}, {a}] = {W[a, s].item()} is not a probability (must be finite, >= 0)"
            )
        bad = live & ((W.sum(dim=0) - 1).abs() > PROB_ATOL)
        if bad.any():
            (s,) = first_bad(bad)
            raise ValueError(
                f"policy row {s} sums to {W[:, s].sum().item():.6g}; pi(.|s) must sum to 1 "
                f"(within {PROB_ATOL:g}) for every non-terminal state"
            )
    else:
        raise ValueError(
            f"policy must be actions [S] = ({S},) (integers) or probabilities [S, A] = "
            f"{(S, A)}, got {pi.dtype} {tuple(pi.shape)}"
        )
    return W.masked_fill(terminal, 0.0)
