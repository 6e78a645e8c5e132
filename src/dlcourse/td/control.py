r"""Tabular TD control: SARSA, Q-learning and Expected SARSA, one loop, three targets.

All three learn $Q(s, a)$ from each step with $Q(S, A) \leftarrow Q(S, A) + \alpha\,[\text{target}
- Q(S, A)]$, acting $\varepsilon$-greedily (:func:`dlcourse.agents.epsilon_greedy`); they differ
only in the target (Sutton & Barto 2018, §6.4-6.6):

* SARSA (on-policy): $R + \gamma Q(S', A')$, with $A'$ the action it will take next;
* Q-learning (off-policy): $R + \gamma \max_a Q(S', a)$;
* Expected SARSA: $R + \gamma \sum_a \pi(a \mid S') Q(S', a)$ under the $\varepsilon$-greedy
  $\pi$.

A terminated step's target is just $R$; a truncated one still bootstraps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from dlcourse.agents import epsilon_greedy
from dlcourse.config import setting, validate

__all__ = [
    "TDControlConfig",
    "TDControlResult",
    "control_target",
    "greedy_trajectory",
    "train_td_control",
]

Method = Literal["sarsa", "q_learning", "expected_sarsa"]


@dataclass(frozen=True)
class TDControlConfig:
    """Settings of :func:`train_td_control`; the defaults are Sutton & Barto's Example 6.6."""

    method: Literal["sarsa", "q_learning", "expected_sarsa"] = setting(
        "sarsa", "Which target: 'sarsa', 'q_learning' or 'expected_sarsa'."
    )
    env_id: str = setting("CliffWalking-v1", "A Gymnasium environment with Discrete spaces.")
    episodes: int = setting(500, "Training episodes.", minimum=1)
    alpha: float = setting(0.5, "Step size of the update.", above=0.0, maximum=1.0)
    gamma: float = setting(1.0, "Discount factor.", minimum=0.0, maximum=1.0)
    epsilon: float = setting(0.1, "Exploration probability (constant).", minimum=0.0, maximum=1.0)
    max_steps: int = setting(
        10_000, "Steps after which an episode is truncated (it then still bootstraps).", minimum=1
    )
    seed: int = setting(0, "Seed of the environment and of exploration.", minimum=0)

    def __post_init__(self) -> None:
        validate(self)


@dataclass
class TDControlResult:
    """What :func:`train_td_control` returns."""

    q: Tensor = field(repr=False)
    """``[S, A]`` the learned action values."""
    returns: list[float]
    """Undiscounted return of each training episode (the online, exploring return)."""
    steps: list[int]
    """Steps of each training episode."""


# --8<-- [start:target]
def control_target(
    method: Method, q_next: Tensor, reward: float, gamma: float, epsilon: float, a_next: int
) -> float:
    """The target of one step from ``Q(S', .)`` (``q_next``); ``a_next`` is SARSA's ``A'``."""
    if method == "sarsa":
        bootstrap = float(q_next[a_next])  # Q(S', A')
    elif method == "q_learning":
        bootstrap = float(q_next.max())  # max_a Q(S', a)
    else:  # sum_a pi(a|S') Q(S', a), pi epsilon-greedy with ties sharing the greedy mass
        best = q_next == q_next.max()
        pi = epsilon / len(q_next) + (1.0 - epsilon) * best.double() / best.sum()
        bootstrap = float((pi * q_next).sum())
    return reward + gamma * bootstrap


# --8<-- [end:target]


# --8<-- [start:loop]
def train_td_control(config: TDControlConfig) -> TDControlResult:
    """Run ``config.episodes`` episodes of SARSA, Q-learning or Expected SARSA."""
    env = gym.make(config.env_id)
    if not isinstance(env.observation_space, gym.spaces.Discrete) or not isinstance(
        env.action_space, gym.spaces.Discrete
    ):
        raise ValueError(f"{config.env_id} needs Discrete observation and action spaces")
    S, A = int(env.observation_space.n), int(env.action_space.n)
    rng = np.random.default_rng(config.seed)
    q = torch.zeros(S, A, dtype=torch.float64)
    returns, steps = [], []
    for episode in range(config.episodes):
        s, _ = env.reset(seed=config.seed if episode == 0 else None)
        a = epsilon_greedy(q[s], config.epsilon, rng)
        total, t = 0.0, 0
        for t in range(1, config.max_steps + 1):  # noqa: B007 (t is the episode's length)
            s2, r, terminated, truncated, _ = env.step(a)
            a2 = epsilon_greedy(q[s2], config.epsilon, rng)
            target = float(r)
            if not terminated:  # a truncated step still bootstraps
                target = control_target(
                    config.method, q[s2], float(r), config.gamma, config.epsilon, a2
                )
            q[s, a] += config.alpha * (target - q[s, a])  # Q(S, A) += alpha [target - Q(S, A)]
            total += float(r)
            s, a = s2, a2
            if terminated or truncated:
                break
        returns.append(total)
        steps.append(t)
    env.close()
    return TDControlResult(q, returns, steps)


# --8<-- [end:loop]


def greedy_trajectory(
    q: Tensor, env_id: str = "CliffWalking-v1", max_steps: int = 100
) -> list[int]:
    """The states visited by the greedy policy ``argmax_a Q(s, a)`` from a reset (seed 0)."""
    env = gym.make(env_id)
    s, _ = env.reset(seed=0)
    path = [int(s)]
    for _ in range(max_steps):
        s, _, terminated, truncated, _ = env.step(int(q[s].argmax()))
        path.append(int(s))
        if terminated or truncated:
            break
    env.close()
    return path
