"""Experience replay (Lin, 1992): a ring buffer of transitions, sampled uniformly.

The buffer is five tensors allocated once, ``capacity`` rows each, and a write position that
wraps around: once the buffer is full, every new transition overwrites the oldest. Nothing is
ever appended, popped or reallocated, so storing a transition and drawing a batch both cost
the same however full the buffer is.
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

__all__ = ["Batch", "ReplayBuffer"]

_FIELDS = ("obs", "actions", "rewards", "next_obs", "terminated")


def _positive_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= 1


class Batch(NamedTuple):
    """A batch of transitions ``(s, a, r, s', terminated)``, all tensors on one device."""

    obs: Tensor
    actions: Tensor
    rewards: Tensor
    next_obs: Tensor
    terminated: Tensor


class ReplayBuffer:
    """A ring buffer of transitions in tensors allocated once; uniform batched sampling.

    Args:
        capacity: rows of every tensor; the oldest transitions are overwritten beyond it.
        obs_shape: shape of one observation: ``4`` (or ``(4,)``) for CartPole's vectors,
            ``()`` for an integer state of a tabular environment.
        obs_dtype: dtype of the observations (``torch.long`` for integer states).
        device: where the tensors live; batches are returned there.

    ``add`` writes rows at the write position and wraps around; ``terminated`` is stored as a
    float (1.0 or 0.0), ready to mask the bootstrap term of a TD target.
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: int | tuple[int, ...] = (),
        *,
        obs_dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ):
        if not _positive_int(capacity):
            raise ValueError(f"capacity must be an int >= 1, got {capacity!r}")
        shape = (obs_shape,) if isinstance(obs_shape, numbers.Integral) else tuple(obs_shape)
        if not all(_positive_int(d) for d in shape):
            raise ValueError(f"obs_shape must be positive ints, got {obs_shape!r}")
        shape = tuple(int(d) for d in shape)
        self.capacity, self.device = capacity, torch.device(device)
        kw: dict[str, Any] = {"device": self.device}
        self.obs = torch.zeros(capacity, *shape, dtype=obs_dtype, **kw)
        self.next_obs = torch.zeros(capacity, *shape, dtype=obs_dtype, **kw)
        self.actions = torch.zeros(capacity, dtype=torch.int64, **kw)
        self.rewards = torch.zeros(capacity, dtype=torch.float32, **kw)
        self.terminated = torch.zeros(capacity, dtype=torch.float32, **kw)
        # where add() writes: NumPy views sharing memory with the tensors on the CPU
        self._stores: tuple[np.ndarray | Tensor, ...] = (
            tuple(t.numpy() for t in self._fields())
            if self.device.type == "cpu"
            else self._fields()
        )
        self.pos = 0
        """Row the next transition is written to."""
        self.size = 0
        """Number of transitions held (at most ``capacity``)."""

    def __len__(self) -> int:
        return self.size

    def _fields(self) -> tuple[Tensor, ...]:
        return (self.obs, self.actions, self.rewards, self.next_obs, self.terminated)

    def add(
        self,
        obs: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_obs: np.ndarray,
        terminated: np.ndarray,
    ) -> None:
        """Store ``k`` transitions given as arrays with a leading dimension ``k``."""
        values = [np.asarray(v) for v in (obs, actions, rewards, next_obs, terminated)]
        k = values[0].shape[0]
        if k > self.capacity:  # only the last `capacity` rows can survive
            values, k = [v[-self.capacity :] for v in values], self.capacity
        first = min(k, self.capacity - self.pos)  # rows before the wrap-around
        for store, v in zip(self._stores, values, strict=True):
            store[self.pos : self.pos + first] = self._as_store(v[:first])
            if first < k:
                store[: k - first] = self._as_store(v[first:])
        self.pos = (self.pos + k) % self.capacity
        self.size = min(self.size + k, self.capacity)

    def _as_store(self, v: np.ndarray) -> np.ndarray | Tensor:
        # on the CPU the stores are NumPy views of the tensors: writing through them skips
        # a tensor conversion per field and step; elsewhere the rows are copied to the device
        return v if self.device.type == "cpu" else torch.as_tensor(v, device=self.device)

    def sample(self, batch_size: int, rng: np.random.Generator | torch.Generator) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement by ``rng``.

        ``rng`` is a NumPy ``Generator`` (``rng.integers(0, len(self), batch_size)``) or a CPU
        ``torch.Generator`` (``torch.randint(len(self), (batch_size,), generator=rng)``).
        """
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        if not _positive_int(batch_size):
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
        if isinstance(rng, torch.Generator):
            idx = torch.randint(self.size, (int(batch_size),), generator=rng)
        else:
            idx = torch.from_numpy(rng.integers(0, self.size, size=batch_size))
        idx = idx.to(self.device)
        return Batch(*(store[idx] for store in self._fields()))

    def state_dict(self) -> dict[str, Any]:
        """Tensors and positions, loadable with ``torch.load(..., weights_only=True)``."""
        n = self.size
        stored = {k: v[:n].cpu() for k, v in zip(_FIELDS, self._fields(), strict=True)}
        return {"capacity": self.capacity, "pos": self.pos, "size": n, **stored}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved (into a buffer of the same capacity)."""
        if state["capacity"] != self.capacity:
            raise ValueError(f"buffer capacity {state['capacity']} != {self.capacity}")
        n = state["size"]
        for name, store in zip(_FIELDS, self._fields(), strict=True):
            store[:n] = state[name].to(self.device)
        self.pos, self.size = int(state["pos"]), int(n)
