r"""Exploration: epsilon-greedy action choice, the greedy action, and epsilon schedules.

Every agent of the course explores the same way. With probability $\varepsilon$ it takes a
uniformly random action, otherwise a greedy one, $\arg\max_a Q(s, a)$:

$$
\pi(a \mid s) = \frac{\varepsilon}{|A|} + (1 - \varepsilon)\,[a = \arg\max_{a'} Q(s, a')].
$$

$\varepsilon$ follows a schedule, a function of a count ``t`` that the caller chooses: DQN passes
the environment step, the grid agents pass the episode. :class:`LinearSchedule` decays
linearly and then stays flat, :class:`ExponentialSchedule` decays by a constant factor down to
a floor.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "ExponentialSchedule",
    "LinearSchedule",
    "TieBreak",
    "epsilon_greedy",
    "greedy_actions",
]

TieBreak = Literal["random", "first"]
"""How an argmax chooses among equal maximal values: uniformly at random, or the lowest index."""


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _check_tie_break(tie_break: str, rng: np.random.Generator | None) -> None:
    if tie_break not in ("random", "first"):
        raise ValueError(f"tie_break must be 'random' or 'first', got {tie_break!r}")
    if tie_break == "random" and rng is None:
        raise ValueError("tie_break='random' needs a generator (rng) to break the ties with")


def _argmax_of(values: list[float], rng: np.random.Generator, tie_break: TieBreak) -> int:
    """An index of ``max(values)``: the lowest, or one drawn by ``rng`` when several tie."""
    best = max(values)
    candidates = [a for a, v in enumerate(values) if v == best]
    if tie_break == "first" or len(candidates) == 1:
        return candidates[0]
    return candidates[int(rng.integers(len(candidates)))]


def greedy_actions(
    q_values: Tensor, tie_break: TieBreak = "first", rng: np.random.Generator | None = None
) -> Tensor:
    """The greedy actions ``pi(s) = argmax_a Q(s, a)`` over the last dimension of ``q_values``.

    ``q_values`` is ``[A]`` (one state) or ``[..., A]``; the result is a long tensor of the
    leading shape, on the device of ``q_values``. ``tie_break="first"`` takes the lowest of
    equal maximal actions, as ``torch.argmax`` does; ``"random"`` draws one of them uniformly
    with ``rng``: one ``rng.integers`` draw per state that has a tie, in row-major order.
    """
    _check_tie_break(tie_break, rng)
    if q_values.dim() == 0:
        raise ValueError("q_values needs at least one dimension (the actions)")
    if tie_break == "first":
        return q_values.argmax(dim=-1)
    rows = q_values.reshape(-1, q_values.shape[-1]).tolist()
    picks = [_argmax_of(row, rng, "random") for row in rows]  # type: ignore[arg-type]
    return torch.tensor(picks, device=q_values.device).reshape(q_values.shape[:-1])


def epsilon_greedy(
    q_values: Tensor | Callable[[], Tensor],
    epsilon: float,
    rng: np.random.Generator,
    tie_break: TieBreak = "random",
    *,
    shape: tuple[int, ...] | None = None,
) -> int | np.ndarray:
    """With probability ``epsilon`` a uniformly random action, else a greedy one.

    For one state, ``q_values`` of shape ``[A]``, returns an ``int``: ``rng.random()`` decides,
    then ``rng.integers(A)`` draws the random action only when exploring (and one more draw
    breaks a tie when ``tie_break="random"``). For a batch of states, ``[B, A]`` (DQN's
    vectorized environments), returns an int64 array ``[B]``: ``rng.random(B)`` decides for
    every state at once and ``rng.integers(A, size=B)`` draws all the random actions.

    ``q_values`` may also be a function that computes them (a network's forward pass), with
    their ``shape`` given: it is called only when some action is greedy, so an exploring step
    costs no forward pass. The random draws are the same either way.

    Random tie-breaking matters while a Q-table is still all zeros: with ``"first"``, "greedy"
    then means "always action 0".
    """
    if not (_is_number(epsilon) and 0.0 <= epsilon <= 1.0):
        raise ValueError(f"epsilon must be a probability in [0, 1], got {epsilon!r}")
    _check_tie_break(tie_break, rng)
    if callable(q_values):
        if shape is None or len(shape) not in (1, 2):
            raise ValueError("a function of the Q-values needs their shape: (A,) or (B, A)")
        compute = q_values
    else:
        shape = tuple(q_values.shape)
        compute = lambda: q_values  # noqa: E731
    if len(shape) == 1:
        if rng.random() < epsilon:
            return int(rng.integers(shape[0]))
        return _argmax_of(compute().tolist(), rng, tie_break)
    if len(shape) != 2:
        raise ValueError(f"q_values must be [A] or [B, A], got shape {shape}")
    batch, num_actions = shape
    explore = rng.random(batch) < epsilon
    random_actions = rng.integers(num_actions, size=batch)
    if explore.all():
        return random_actions
    greedy = greedy_actions(compute(), tie_break, rng).cpu().numpy()
    return np.where(explore, random_actions, greedy)


def _check_count(t: int | float) -> None:
    if not (_is_number(t) and t >= 0):
        raise ValueError(f"a schedule is read at a count t >= 0, got {t!r}")


def _check_finite(owner: str, **values: float) -> None:
    for name, value in values.items():
        if not (_is_number(value) and math.isfinite(value)):
            raise ValueError(f"{owner} {name} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class LinearSchedule:
    """``value(t) = start + (end - start) * min(1, t / duration)``: linear, then flat at ``end``.

    ``t`` counts whatever the caller decides (environment steps, episodes); a ``duration`` of 0
    gives ``end`` from the start.
    """

    start: float
    """The value at ``t = 0``."""
    end: float
    """The value from ``t = duration`` on."""
    duration: float
    """Counts over which the value moves from ``start`` to ``end`` (>= 0)."""

    def __post_init__(self) -> None:
        _check_finite("LinearSchedule", start=self.start, end=self.end, duration=self.duration)
        if self.duration < 0:
            raise ValueError(f"LinearSchedule duration must be >= 0, got {self.duration!r}")

    def __call__(self, t: int | float) -> float:
        _check_count(t)
        if self.duration <= 0:
            return self.end
        return self.start + (self.end - self.start) * min(1.0, t / self.duration)


@dataclass(frozen=True)
class ExponentialSchedule:
    """``value(t) = max(end, start * decay**t)``: a constant factor per count, down to ``end``."""

    start: float
    """The value at ``t = 0`` (unless ``end`` is larger)."""
    end: float
    """The floor the value never goes below."""
    decay: float
    """The factor applied per count, in (0, 1]."""

    def __post_init__(self) -> None:
        _check_finite("ExponentialSchedule", start=self.start, end=self.end, decay=self.decay)
        if not 0.0 < self.decay <= 1.0:
            raise ValueError(f"ExponentialSchedule decay must be in (0, 1], got {self.decay!r}")

    def __call__(self, t: int | float) -> float:
        _check_count(t)
        return max(self.end, self.start * self.decay**t)
