"""Markov reward processes and Markov decision processes, stored as successor lists.

A :class:`TabularMDP` is the whole model of a finite environment: ``P(s' | s, a)``, the expected
reward ``R[s, a] = E[r | s, a]``, the discount ``gamma`` and ``terminal[s]``, the states where an
episode ends. Fixing a policy turns it into an :class:`MRP` (``P(s' | s)``, ``R[s]``).

**Storage.** Most states of a real environment lead to a handful of next states, so both
classes keep, for every ``(s, a)``, its ``K`` possible next states and their probabilities:
``S * A * K`` numbers instead of ``S * A * S`` (a million-state grid needs megabytes, not
terabytes). A model given densely (``TabularMDP(P, R, gamma)``) is converted once; a model
given by successors (``TabularMDP.from_successors(...)``) never is. The dense ``P`` is built
only when it is asked for (the ``P`` property, kept after the first use).

**Terminal states**, everywhere in the course: a terminal state's value is 0 and it
transitions nowhere. Its rows of ``P`` may be given as zeros or as any distribution; they are
validated like every other row and then stored as zeros, and its rewards as zeros. So the
Bellman equation ``v = R + gamma P v`` gives ``v[terminal] = 0`` with no special case, and
``I - gamma P`` is invertible even for ``gamma = 1`` when every state reaches a terminal state.

Constructors validate their input and raise a ``ValueError`` that says what is wrong and where.
Tensors may live on any device and have any floating dtype; ``P`` and ``R`` are promoted to a
common dtype.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from dlcourse.mdp.checks import (
    check_gamma,
    check_policy,
    check_probabilities,
    check_successors,
    check_tensor,
    check_terminal,
)

__all__ = ["MRP", "TabularMDP"]


def _dense_to_successors(P: Tensor) -> tuple[Tensor, Tensor]:
    """``(next_states, probs)`` ``[..., K]`` of a dense ``P [..., S']``: its nonzero entries.

    ``K`` is the most nonzeros in a row. Successors keep their state order (a sampler that walks
    a row's cumulative sum picks the same state from either form); padding slots repeat the
    row's last successor with probability 0.
    """
    nonzero = P > 0
    K = max(1, int(nonzero.sum(dim=-1).max()))
    order = torch.argsort((~nonzero).to(torch.uint8), dim=-1, stable=True)[..., :K]
    count = nonzero.sum(dim=-1, keepdim=True)
    last = order.gather(-1, (count - 1).clamp(min=0))  # padding repeats the last successor
    order = torch.where(torch.arange(K, device=P.device) < count, order, last)
    probs = torch.where(torch.arange(K, device=P.device) < count, P.gather(-1, order), 0.0)
    return order, probs


class _SuccessorModel:
    """Storage and conversions shared by :class:`MRP` and :class:`TabularMDP`.

    Kept action-major, ``[A, K, S]``, the layout a sweep reads fastest (an MRP has ``A = 1``):
    ``_next[a, k, s]`` is the k-th next state of ``(s, a)``, ``_probs[a, k, s]`` its
    probability, ``_R[a, s]`` the expected reward.
    """

    def __init__(
        self, next_states: Tensor, probs: Tensor, R: Tensor, gamma: float, terminal: Tensor
    ) -> None:
        """Store validated ``[S, A, K]`` successors, ``[S, A]`` rewards (see the module notes)."""
        S = next_states.shape[0]
        dtype = torch.promote_types(probs.dtype, R.dtype)
        keep = (~terminal).to(dtype)
        nxt = next_states.to(torch.int64).permute(1, 2, 0).contiguous()
        # a terminal state transitions nowhere and earns nothing: probability 0, reward 0, and
        # its successor slots point to itself (a deterministic sweep then reads V = 0 there)
        nxt[:, :, terminal] = torch.arange(S, device=nxt.device)[terminal]
        self._next = nxt
        self._probs = (probs.to(dtype) * keep[:, None, None]).permute(1, 2, 0).contiguous()
        self._R = (R.to(dtype) * keep[:, None]).T.contiguous()
        self.gamma = gamma
        """Discount factor in [0, 1]; 1 only with at least one terminal state."""
        self.terminal = terminal
        """``[S]`` bool mask of terminal states (all False when not given)."""
        self._dense: Tensor | None = None

    def _init_dense(self, P: Tensor, R: Tensor, gamma: object, terminal: object) -> None:
        """Validate a dense ``P`` (``[S, S']`` or ``[S, A, S']``) and store its successors."""
        if R.device != P.device:
            raise ValueError(f"P is on {P.device} but R is on {R.device}; put them on one device")
        mask = check_terminal(terminal, P.shape[0], P.device)
        check_probabilities(P, mask)
        g = check_gamma(gamma, mask)
        P3, R2 = (P[:, None, :], R[:, None]) if P.ndim == 2 else (P, R)  # an MRP: one action
        next_states, probs = _dense_to_successors(P3)
        _SuccessorModel.__init__(self, next_states, probs, R2, g, mask)

    @staticmethod
    def _checked_successors(
        next_states: object, probs: object, R: object, gamma: object, terminal: object
    ) -> tuple[Tensor, Tensor, Tensor, float, Tensor]:
        """Validate ``[S, A, K]`` successor lists and ``[S, A]`` rewards."""
        if not isinstance(next_states, Tensor) or next_states.ndim != 3:
            shape = getattr(next_states, "shape", type(next_states).__name__)
            raise ValueError(f"next_states must be a tensor [S, A, K], got {shape}")
        if next_states.is_floating_point() or next_states.dtype == torch.bool:
            raise ValueError(
                f"next_states must hold integer state indices, got {next_states.dtype}"
            )
        S, A, K = next_states.shape
        if S == 0 or A == 0 or K == 0:
            raise ValueError(f"next_states must have S, A, K >= 1, got shape {(S, A, K)}")
        R = check_tensor("R", R, 2, "[S, A]")
        if tuple(R.shape) != (S, A):
            raise ValueError(f"R must have shape [S, A] = {(S, A)}, got {tuple(R.shape)}")
        if probs is None:
            if K != 1:
                raise ValueError("probs may be omitted only for deterministic moves (K == 1)")
            probs = torch.ones(S, A, 1, dtype=R.dtype, device=next_states.device)
        probs = check_tensor("probs", probs, 3, "[S, A, K]")
        if probs.shape != next_states.shape:
            raise ValueError(
                f"probs must have next_states' shape {(S, A, K)}, got {tuple(probs.shape)}"
            )
        devices = {next_states.device, probs.device, R.device}
        if len(devices) > 1:
            raise ValueError(f"next_states, probs and R must be on one device, got {devices}")
        mask = check_terminal(terminal, S, next_states.device)
        check_successors(next_states, probs, mask)
        return next_states, probs, R, check_gamma(gamma, mask), mask

    # ------------------------------------------------------------------------- attributes
    @property
    def num_states(self) -> int:
        """Number of states ``S``."""
        return self._next.shape[2]

    @property
    def num_successors(self) -> int:
        """Successor slots per ``(s, a)``: ``K``."""
        return self._next.shape[1]

    @property
    def device(self) -> torch.device:
        """Device of the tensors."""
        return self._next.device

    @property
    def dtype(self) -> torch.dtype:
        """Floating dtype of the probabilities and rewards."""
        return self._R.dtype

    def nbytes(self) -> int:
        """Bytes held by the successor lists and rewards (a dense ``P`` not counted)."""
        return sum(t.numel() * t.element_size() for t in (self._next, self._probs, self._R))

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> Any:
        """A copy with the tensors moved to ``device`` and/or probabilities and rewards cast."""
        return type(self).from_successors(  # type: ignore[attr-defined]
            self.next_states.to(device=device),  # type: ignore[attr-defined]
            self.probs.to(device=device, dtype=dtype),  # type: ignore[attr-defined]
            self.R.to(device=device, dtype=dtype),  # type: ignore[attr-defined]
            self.gamma,
            self.terminal.to(device=device),
        )

    def _dense_P(self) -> Tensor:
        """``P[s, a, s']``, built from the successors once: duplicate successors add up."""
        if self._dense is None:
            A, _, S = self._next.shape
            P = torch.zeros(A, S, S, dtype=self.dtype, device=self.device)
            # P[a, s, next[a, k, s]] += probs[a, k, s]
            P.scatter_add_(2, self._next.transpose(1, 2), self._probs.transpose(1, 2))
            self._dense = P.permute(1, 0, 2)
        return self._dense


class MRP(_SuccessorModel):
    """A Markov reward process: ``P[s, s'] = P(s' | s)``, ``R[s] = E[r | s]``, discount ``gamma``.

    ``MRP(P, R, gamma, terminal)`` takes a dense ``[S, S]`` matrix;
    :meth:`from_successors` takes successor lists. ``terminal[s]`` (bool, optional) marks
    states with value 0 that transition nowhere (see the module notes).
    """

    def __init__(self, P: Tensor, R: Tensor, gamma: float, terminal: Tensor | None = None) -> None:
        P = check_tensor("P", P, 2, "[S, S']")
        R = check_tensor("R", R, 1, "[S]")
        S = P.shape[0]
        if P.shape[1] != S:
            raise ValueError(f"P must be square [S, S'], got shape {tuple(P.shape)}")
        if R.shape[0] != S:
            raise ValueError(
                f"R has {R.shape[0]} states but P has {S}: shapes {(S, S)} vs {(R.shape[0],)}"
            )
        self._init_dense(P, R, gamma, terminal)

    @classmethod
    def from_successors(
        cls,
        next_states: Tensor,
        probs: Tensor | None,
        R: Tensor,
        gamma: float,
        terminal: Tensor | None = None,
    ) -> MRP:
        """An MRP from ``next_states[s, k]``, ``probs[s, k]`` (``[S, K]``) and ``R[s]``."""
        if isinstance(next_states, Tensor) and next_states.ndim != 2:
            raise ValueError(f"next_states must be [S, K], got {tuple(next_states.shape)}")
        if isinstance(R, Tensor) and R.ndim != 1:
            raise ValueError(f"R must be [S], got {tuple(R.shape)}")
        nxt, p, r, g, mask = cls._checked_successors(
            next_states[:, None],
            None if probs is None else probs[:, None],
            R[:, None],
            gamma,
            terminal,
        )
        model = cls.__new__(cls)
        _SuccessorModel.__init__(model, nxt, p, r, g, mask)
        return model

    @property
    def P(self) -> Tensor:
        """``[S, S]`` dense transition matrix (built on first use); terminal rows are 0."""
        return self._dense_P()[:, 0]

    @property
    def R(self) -> Tensor:
        """``[S]`` expected reward received on leaving each state; 0 for terminal states."""
        return self._R[0]

    @property
    def next_states(self) -> Tensor:
        """``[S, K]`` the possible next states of each state."""
        return self._next[0].T

    @property
    def probs(self) -> Tensor:
        """``[S, K]`` their probabilities (zeros for a terminal state)."""
        return self._probs[0].T

    def __repr__(self) -> str:
        S, K = self.num_states, self.num_successors
        return f"MRP(S={S}, K={K}, gamma={self.gamma}, dtype={self.dtype})"


class TabularMDP(_SuccessorModel):
    """A finite MDP: ``P[s, a, s'] = P(s' | s, a)``, ``R[s, a] = E[r | s, a]``, discount ``gamma``.

    ``TabularMDP(P, R, gamma, terminal)`` takes a dense ``[S, A, S]`` tensor;
    :meth:`from_successors` takes successor lists ``[S, A, K]`` (what an environment such as
    :meth:`GridWorld.to_mdp <dlcourse.gridworld.GridWorld.to_mdp>` builds). ``terminal[s]``
    (bool, optional) marks states with value 0 that transition nowhere (see the module notes).
    """

    def __init__(self, P: Tensor, R: Tensor, gamma: float, terminal: Tensor | None = None) -> None:
        P = check_tensor("P", P, 3, "[S, A, S']")
        R = check_tensor("R", R, 2, "[S, A]")
        S, A, S2 = P.shape
        if S2 != S:
            raise ValueError(f"P must have shape [S, A, S] with S' == S, got {tuple(P.shape)}")
        if tuple(R.shape) != (S, A):
            raise ValueError(
                f"R must have shape [S, A] = {(S, A)} to match P {tuple(P.shape)}, "
                f"got {tuple(R.shape)}"
            )
        self._init_dense(P, R, gamma, terminal)

    @classmethod
    def from_successors(
        cls,
        next_states: Tensor,
        probs: Tensor | None,
        R: Tensor,
        gamma: float,
        terminal: Tensor | None = None,
    ) -> TabularMDP:
        """An MDP from ``next_states[s, a, k]``, ``probs[s, a, k]`` and ``R[s, a]``.

        ``K`` is the most successors any ``(s, a)`` has (1 for deterministic moves, when
        ``probs`` may be None). Unused slots get probability 0 (any valid index); a successor
        listed twice has its probabilities added.
        """
        model = cls.__new__(cls)
        _SuccessorModel.__init__(
            model, *cls._checked_successors(next_states, probs, R, gamma, terminal)
        )
        return model

    @property
    def num_actions(self) -> int:
        """Number of actions ``A``."""
        return self._next.shape[0]

    @property
    def P(self) -> Tensor:
        """``[S, A, S]`` dense transition probabilities (built on first use: ``S * A * S``)."""
        return self._dense_P()

    @property
    def R(self) -> Tensor:
        """``[S, A]`` expected immediate rewards; zeros for terminal states."""
        return self._R.T

    @property
    def next_states(self) -> Tensor:
        """``[S, A, K]`` the possible next states of each ``(s, a)``."""
        return self._next.permute(2, 0, 1)

    @property
    def probs(self) -> Tensor:
        """``[S, A, K]`` their probabilities (zeros for terminal states)."""
        return self._probs.permute(2, 0, 1)

    def induced_mrp(self, policy: Tensor) -> MRP:
        """The MRP ``(P_pi, R_pi)`` of ``policy``: actions ``[S]`` or ``pi(a|s)`` as ``[S, A]``.

        ``P_pi(s'|s) = sum_a pi(a|s) P(s'|s, a)`` and ``R_pi(s) = sum_a pi(a|s) R(s, a)``. For
        a deterministic policy the MRP keeps the chosen action's ``K`` successors; for a
        stochastic one, all ``A * K`` of them, weighted. Each non-terminal row of a stochastic
        policy must sum to 1 (within ``PROB_ATOL``); rows of terminal states are ignored.
        """
        A, K, S = self._next.shape
        W = check_policy(policy, self.terminal, A, self.dtype)  # [A, S]
        states = torch.arange(S, device=self.device)
        if torch.as_tensor(policy).ndim == 1:  # deterministic: the chosen action's successors
            a = W.argmax(dim=0)
            nxt, probs, R = self._next[a, :, states], self._probs[a, :, states], self._R[a, states]
        else:
            # P_pi: successor (a, k) of s with probability pi(a|s) p_k(s, a)
            nxt = self._next.permute(2, 0, 1).reshape(S, A * K)
            probs = (W[:, None, :] * self._probs).permute(2, 0, 1).reshape(S, A * K)
            R = (W * self._R).sum(dim=0)  # R_pi(s) = sum_a pi(a|s) R(s, a)
        model = MRP.__new__(MRP)
        _SuccessorModel.__init__(model, nxt[:, None], probs[:, None], R[:, None], self.gamma,
                                 self.terminal)  # fmt: skip
        return model

    def __repr__(self) -> str:
        S, A, K = self.num_states, self.num_actions, self.num_successors
        return f"TabularMDP(S={S}, A={A}, K={K}, gamma={self.gamma}, dtype={self.dtype})"
