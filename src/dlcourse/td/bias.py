r"""Maximization bias, and Double Q-learning that removes it (Sutton & Barto 2018, Example 6.7).

From state A, *right* ends the episode with reward 0; *left* leads to B with reward 0, and every
one of B's actions ends the episode with a reward drawn from $\mathcal{N}(-0.1, 1)$. Going left is
worth $-0.1$, so the optimal policy goes right, and an $\varepsilon$-greedy agent with
$\varepsilon = 0.1$ picks left 5% of the time at best.

Q-learning's target $\max_a Q(B, a)$ is the largest of noisy estimates, which is positive long
after each estimate's mean is $-0.1$: it overestimates, and goes left far more often. Double
Q-learning keeps two tables, picks the action with one and values it with the other,
$Q_1(S, A) \leftarrow Q_1(S, A) + \alpha\,[R + \gamma Q_2(S', \arg\max_a Q_1(S', a)) - Q_1(S,
A)]$ (or the same with 1 and 2 swapped, by a coin flip), and the bias goes away.

:func:`left_fraction` runs many independent agents side by side, one array operation per step,
acting with the course's one :func:`~dlcourse.agents.epsilon_greedy` (ties broken at random).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from dlcourse.agents import epsilon_greedy, greedy_actions
from dlcourse.config import setting, validate

__all__ = ["BiasConfig", "left_fraction"]

LEFT, RIGHT = 0, 1


@dataclass(frozen=True)
class BiasConfig:
    """The experiment of :func:`left_fraction`; the defaults are the book's."""

    episodes: int = setting(300, "Episodes per agent.", minimum=1)
    runs: int = setting(2_000, "Independent agents, run side by side.", minimum=1)
    b_actions: int = setting(10, "Actions in state B, all ending the episode.", minimum=1)
    alpha: float = setting(0.1, "Step size.", above=0.0, maximum=1.0)
    epsilon: float = setting(0.1, "Exploration probability.", minimum=0.0, maximum=1.0)
    mean: float = setting(-0.1, "Mean of the reward after B.")
    seed: int = setting(0, "Seed of the agents' random generator.", minimum=0)

    def __post_init__(self) -> None:
        validate(self)


# --8<-- [start:loop]
def left_fraction(
    method: Literal["q_learning", "double_q"], config: BiasConfig = BiasConfig()
) -> np.ndarray:
    """``[episodes]``: the fraction of agents that took *left* in A, episode by episode."""
    if method not in ("q_learning", "double_q"):
        raise ValueError(f"method must be 'q_learning' or 'double_q', got {method!r}")
    rng = np.random.default_rng(config.seed)
    n, k = config.runs, config.b_actions
    tables = 1 if method == "q_learning" else 2
    qa = np.zeros((tables, n, 2))  # Q(A, .)
    qb = np.zeros((tables, n, k))  # Q(B, .)
    rows = np.arange(n)
    lefts = np.empty(config.episodes)
    for e in range(config.episodes):
        a = epsilon_greedy(torch.from_numpy(qa.sum(axis=0)), config.epsilon, rng)  # on Q1 + Q2
        lefts[e] = np.mean(a == LEFT)
        b = epsilon_greedy(torch.from_numpy(qb.sum(axis=0)), config.epsilon, rng)
        reward = rng.normal(config.mean, 1.0, size=n)
        # which table learns this episode: always 0 for Q-learning, a coin flip for Double Q
        i = np.zeros(n, dtype=int) if tables == 1 else rng.integers(2, size=n)
        j = (1 - i) if tables == 2 else i
        went_left = a == LEFT
        # A -> B (reward 0): target = Q_j(B, argmax_b Q_i(B, b)); Q-learning: max_b Q(B, b)
        pick = greedy_actions(torch.from_numpy(qb[i, rows]), "random", rng).numpy()
        target_a = np.where(went_left, qb[j, rows, pick], 0.0)  # right ends with reward 0
        qa[i, rows, a] += config.alpha * (target_a - qa[i, rows, a])
        # B -> end: target = reward (only for the agents that went left)
        update_b = config.alpha * (reward - qb[i, rows, b])
        qb[i, rows, b] += np.where(went_left, update_b, 0.0)
    return lefts


# --8<-- [end:loop]
