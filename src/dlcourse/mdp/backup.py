"""The Bellman backup, the one kernel every evaluation and planning sweep runs.

``Q(s, a) = R(s, a) + gamma * sum_k p_k(s, a) V(next_k(s, a))`` over a model's successor lists
(an MRP is a model with one action). Each function fills preallocated memory one action and one
block of states at a time: fresh multi-megabyte tensors would cost page faults on every sweep,
and a block's temporaries stay in the processor's cache.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlcourse.mdp.models import _SuccessorModel

__all__ = ["CPU_BLOCK", "expected_next", "q_action", "q_all", "q_max"]

CPU_BLOCK = 1 << 16
"""States per block of a CPU sweep; on a GPU one block holds every state."""


def q_action(
    model: _SuccessorModel, V: Tensor, a: int, rows: slice, out: Tensor | None = None
) -> Tensor:
    """``Q(s, a)`` for one action and the states in ``rows`` (into ``out`` if given).

    Needs ``V = 0`` on terminal states (their slots point to themselves with ``R = 0``).
    """
    nxt, R = model._next[a, :, rows], model._R[a, rows]  # [K, B], [B]
    K, B = nxt.shape
    g = model.gamma
    if K == 1:  # one successor, with probability 1 (0 for a terminal state, where V = 0)
        v_next = torch.index_select(V, 0, nxt[0], out=out) if out is not None else V[nxt[0]]
        return torch.add(R, v_next, alpha=g, out=v_next)  # Q = R + gamma V(next)
    v_next = V.index_select(0, nxt.reshape(-1)).view(K, B)  # V(s') for every slot
    expected = (model._probs[a, :, rows] * v_next).sum(dim=0)  # sum_k p_k V(next_k)
    return torch.add(R, expected, alpha=g, out=out)  # Q = R + gamma E[V(s')]


def q_all(model: _SuccessorModel, V: Tensor) -> Tensor:
    """Every ``Q[a, s]``: ``[A, S]``."""
    every = slice(0, model.num_states)
    return torch.stack([q_action(model, V, a, every) for a in range(model._next.shape[0])])


def _blocks(model: _SuccessorModel, rows: slice) -> list[slice]:
    """``rows`` cut into blocks of :data:`CPU_BLOCK` states (one block on a GPU)."""
    start, stop = rows.start, min(rows.stop, model.num_states)
    step = CPU_BLOCK if model.device.type == "cpu" else max(1, stop - start)
    return [slice(i, min(i + step, stop)) for i in range(start, stop, step)]


def expected_next(model: _SuccessorModel, V: Tensor, rows: slice, out: Tensor) -> Tensor:
    """``out = R(s) + gamma sum_s' P(s'|s) V(s')`` for the states in ``rows`` of an MRP."""
    for block in _blocks(model, rows):
        q_action(model, V, 0, block, out=out[block.start - rows.start : block.stop - rows.start])
    return out


def q_max(model: _SuccessorModel, V: Tensor, rows: slice, out: Tensor) -> Tensor:
    """``out = max_a Q(s, a)`` for the states in ``rows``: the optimality backup ``(T V)(s)``."""
    blocks = _blocks(model, rows)
    spare = torch.empty(max(b.stop - b.start for b in blocks), dtype=V.dtype, device=V.device)
    for block in blocks:
        best = out[block.start - rows.start : block.stop - rows.start]
        q_action(model, V, 0, block, out=best)
        for a in range(1, model._next.shape[0]):
            torch.maximum(best, q_action(model, V, a, block, out=spare[: len(best)]), out=best)
    return out
