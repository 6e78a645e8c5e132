"""Finite Markov decision processes and Markov reward processes as tensors.

A :class:`TabularMDP` holds the whole model of a small environment: ``P[s, a, s']`` is
``P(s' | s, a)``, ``R[s, a]`` is the expected immediate reward ``E[r | s, a]``, ``gamma`` the
discount and ``terminal[s]`` marks the states where an episode ends. Fixing a policy turns it
into a :class:`MRP` (``P[s, s']``, ``R[s]``), which the next chapters evaluate and solve.

Terminal states follow one convention everywhere: **a terminal state's value is 0 and it
transitions nowhere.** Its rows of ``P`` may be given as zeros or as any probability
distribution (a self-loop, say); they are validated like every other row and then *stored as
zeros*, and its rewards are stored as zeros. So ``P[s].sum()`` is 1 for a non-terminal state and
0 for a terminal one, and the Bellman equation ``V = R + gamma P V`` gives ``V[terminal] = 0``
with no special case; ``I - gamma P`` is invertible even for ``gamma = 1`` as long as every state
reaches a terminal state.

Both classes are frozen dataclasses whose constructors validate their input and raise a
``ValueError`` that says what is wrong and where. Tensors may live on any device and have any
floating dtype (float64 is fine); ``P`` and ``R`` are promoted to a common dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ["MRP", "PROB_ATOL", "TabularMDP"]

PROB_ATOL = 1e-5
"""Absolute tolerance for "a row of probabilities sums to 1"."""


def _where(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def _first_bad(mask: Tensor) -> tuple[int, ...]:
    """Index of the first True entry of ``mask`` (row-major)."""
    return tuple(int(i) for i in mask.nonzero()[0].tolist())


def _check_tensor(name: str, x: object, ndim: int, axes: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions {axes}, got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"{name} must have a floating dtype, got {x.dtype}")
    bad = ~torch.isfinite(x)
    if bad.any():
        idx = _first_bad(bad)
        raise ValueError(f"{name} has a non-finite entry {name}{_where(idx)} = {x[idx].item()}")
    return x


def _check_probabilities(P: Tensor, terminal: Tensor) -> None:
    """Entries in [0, inf) and every non-terminal row summing to 1 (a terminal row: 0 or 1)."""
    negative = P < 0
    if negative.any():
        idx = _first_bad(negative)
        raise ValueError(
            f"P has a negative probability P{_where(idx)} = {P[idx].item():.6g}; "
            "probabilities must be >= 0"
        )
    sums = P.sum(dim=-1)  # [S] for an MRP, [S, A] for an MDP
    to_one = (sums - 1).abs() <= PROB_ATOL
    to_zero = sums.abs() <= PROB_ATOL
    is_terminal = terminal.reshape(terminal.shape + (1,) * (sums.ndim - 1)).expand_as(sums)
    bad = ~(to_one | (is_terminal & to_zero))
    if bad.any():
        idx = _first_bad(bad)
        s = idx[0]
        row = f"P{_where(idx)}"
        raise ValueError(
            f"row {row} of state {s} sums to {sums[idx].item():.6g}; the probabilities of the "
            f"next states must sum to 1 (within {PROB_ATOL:g})"
            + (" or, for a terminal state, to 0" if terminal[s] else "")
        )


def _check_gamma(gamma: object, terminal: Tensor) -> float:
    if isinstance(gamma, bool) or not isinstance(gamma, int | float):
        raise ValueError(f"gamma must be a number in [0, 1], got {gamma!r}")
    gamma = float(gamma)
    if not 0.0 <= gamma <= 1.0:  # also rejects nan
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    if gamma == 1.0 and not terminal.any():
        raise ValueError(
            "gamma == 1 needs at least one terminal state (otherwise returns can be infinite); "
            "pass a terminal mask or use gamma < 1"
        )
    return gamma


def _check_terminal(terminal: object, num_states: int, device: torch.device) -> Tensor:
    if terminal is None:
        return torch.zeros(num_states, dtype=torch.bool, device=device)
    if not isinstance(terminal, Tensor):
        terminal = torch.as_tensor(terminal)
    if terminal.shape != (num_states,):
        raise ValueError(
            f"terminal must have shape ({num_states},) (one flag per state), "
            f"got {tuple(terminal.shape)}"
        )
    if terminal.dtype != torch.bool:
        if not ((terminal == 0) | (terminal == 1)).all():
            raise ValueError("terminal must be a boolean mask (or hold only 0s and 1s)")
        terminal = terminal.bool()
    return terminal.to(device)


@dataclass(frozen=True, eq=False)
class MRP:
    """A Markov reward process: ``P[s, s'] = P(s' | s)``, ``R[s] = E[r | s]``, discount ``gamma``.

    ``terminal[s]`` (bool, optional) marks states with value 0 that transition nowhere: their row
    of ``P`` may be zeros or a distribution and is stored as zeros, their reward is stored as 0
    (see the module docstring). Invalid input raises ``ValueError``.
    """

    P: Tensor
    """``[S, S]`` transition probabilities; a non-terminal row sums to 1, a terminal row is 0."""
    R: Tensor
    """``[S]`` expected reward received on leaving each state."""
    gamma: float
    """Discount factor in [0, 1]; 1 only with at least one terminal state."""
    terminal: Tensor | None = None
    """``[S]`` bool mask of terminal states (all False when not given)."""

    def __post_init__(self) -> None:
        P = _check_tensor("P", self.P, 2, "[S, S']")
        R = _check_tensor("R", self.R, 1, "[S]")
        S = P.shape[0]
        if P.shape[1] != S:
            raise ValueError(f"P must be square [S, S'], got shape {tuple(P.shape)}")
        if R.shape[0] != S:
            raise ValueError(
                f"R has {R.shape[0]} states but P has {S}: shapes {(S, S)} vs {(R.shape[0],)}"
            )
        if R.device != P.device:
            raise ValueError(f"P is on {P.device} but R is on {R.device}; put them on one device")
        terminal = _check_terminal(self.terminal, S, P.device)
        _check_probabilities(P, terminal)
        gamma = _check_gamma(self.gamma, terminal)
        dtype = torch.promote_types(P.dtype, R.dtype)
        keep = (~terminal).to(dtype)
        # a terminal state transitions nowhere and earns nothing: P[s, :] = 0, R[s] = 0
        object.__setattr__(self, "P", P.to(dtype) * keep[:, None])
        object.__setattr__(self, "R", R.to(dtype) * keep)
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "terminal", terminal)

    @property
    def num_states(self) -> int:
        """Number of states ``S``."""
        return self.P.shape[0]

    @property
    def device(self) -> torch.device:
        """Device of the tensors."""
        return self.P.device

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> MRP:
        """A copy with the tensors moved to ``device`` and/or ``P``, ``R`` cast to ``dtype``."""
        return MRP(
            self.P.to(device=device, dtype=dtype),
            self.R.to(device=device, dtype=dtype),
            self.gamma,
            self.terminal.to(device=device),
        )


@dataclass(frozen=True, eq=False)
class TabularMDP:
    """A finite MDP: ``P[s, a, s'] = P(s' | s, a)``, ``R[s, a] = E[r | s, a]``, discount ``gamma``.

    ``terminal[s]`` (bool, optional) marks states with value 0 that transition nowhere: their rows
    of ``P`` may be zeros or distributions and are stored as zeros, their rewards are stored as 0
    (see the module docstring). Invalid input raises ``ValueError``.
    """

    P: Tensor
    """``[S, A, S]`` transition probabilities; non-terminal rows sum to 1, terminal rows are 0."""
    R: Tensor
    """``[S, A]`` expected immediate reward of taking action ``a`` in state ``s``."""
    gamma: float
    """Discount factor in [0, 1]; 1 only with at least one terminal state."""
    terminal: Tensor | None = None
    """``[S]`` bool mask of terminal states (all False when not given)."""

    def __post_init__(self) -> None:
        P = _check_tensor("P", self.P, 3, "[S, A, S']")
        R = _check_tensor("R", self.R, 2, "[S, A]")
        S, A, S2 = P.shape
        if S2 != S:
            raise ValueError(f"P must have shape [S, A, S] with S' == S, got {tuple(P.shape)}")
        if tuple(R.shape) != (S, A):
            raise ValueError(
                f"R must have shape [S, A] = {(S, A)} to match P {tuple(P.shape)}, "
                f"got {tuple(R.shape)}"
            )
        if R.device != P.device:
            raise ValueError(f"P is on {P.device} but R is on {R.device}; put them on one device")
        terminal = _check_terminal(self.terminal, S, P.device)
        _check_probabilities(P, terminal)
        gamma = _check_gamma(self.gamma, terminal)
        dtype = torch.promote_types(P.dtype, R.dtype)
        keep = (~terminal).to(dtype)
        # a terminal state transitions nowhere and earns nothing: P[s, a, :] = 0, R[s, a] = 0
        object.__setattr__(self, "P", P.to(dtype) * keep[:, None, None])
        object.__setattr__(self, "R", R.to(dtype) * keep[:, None])
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "terminal", terminal)

    @property
    def num_states(self) -> int:
        """Number of states ``S``."""
        return self.P.shape[0]

    @property
    def num_actions(self) -> int:
        """Number of actions ``A``."""
        return self.P.shape[1]

    @property
    def device(self) -> torch.device:
        """Device of the tensors."""
        return self.P.device

    def to(
        self, device: torch.device | str | None = None, dtype: torch.dtype | None = None
    ) -> TabularMDP:
        """A copy with the tensors moved to ``device`` and/or ``P``, ``R`` cast to ``dtype``."""
        return TabularMDP(
            self.P.to(device=device, dtype=dtype),
            self.R.to(device=device, dtype=dtype),
            self.gamma,
            self.terminal.to(device=device),
        )

    def induced_mrp(self, policy: Tensor) -> MRP:
        """The MRP ``(P_pi, R_pi)`` obtained by following the stochastic ``policy[s, a] = pi(a|s)``.

        Each non-terminal row of ``policy`` must be a distribution over actions (within
        :data:`PROB_ATOL`); rows of terminal states are ignored. A deterministic policy given as
        actions ``[S]`` can be passed as ``torch.nn.functional.one_hot(actions, A)``.
        """
        S, A = self.num_states, self.num_actions
        if not isinstance(policy, Tensor) or tuple(policy.shape) != (S, A):
            shape = tuple(policy.shape) if isinstance(policy, Tensor) else type(policy).__name__
            raise ValueError(f"policy must be a tensor of shape [S, A] = {(S, A)}, got {shape}")
        pi = policy.to(device=self.device, dtype=self.P.dtype)
        live = ~self.terminal
        bad = live[:, None] & ~(torch.isfinite(pi) & (pi >= 0))
        if bad.any():
            s, a = _first_bad(bad)
            raise ValueError(
                f"policy[{s}, {a}] = {pi[s, a].item()} is not a probability (must be finite, >= 0)"
            )
        bad = live & ((pi.sum(dim=1) - 1).abs() > PROB_ATOL)
        if bad.any():
            (s,) = _first_bad(bad)
            raise ValueError(
                f"policy row {s} sums to {pi[s].sum().item():.6g}; pi(.|s) must sum to 1 "
                f"(within {PROB_ATOL:g}) for every non-terminal state"
            )
        pi = pi * live[:, None].to(pi.dtype)
        # P_pi[s, s'] = sum_a pi(a|s) P(s'|s,a)
        P_pi = torch.einsum("sa,sat->st", pi, self.P)
        # R_pi[s] = sum_a pi(a|s) R(s,a)
        R_pi = (pi * self.R).sum(dim=1)
        return MRP(P_pi, R_pi, self.gamma, self.terminal)
