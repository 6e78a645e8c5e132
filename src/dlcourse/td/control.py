r"""Tabular TD control: SARSA, Q-learning and Expected SARSA, one loop, three targets.

All three learn $Q(s, a)$ from each step with $Q(S, A) \leftarrow Q(S, A) + \alpha\,[\text{target}
- Q(S, A)]$, acting $\varepsilon$-greedily (:func:`dlcourse.agents.epsilon_greedy`); they differ
only in the target (Sutton & Barto 2018, §6.4-6.6):

* SARSA (on-policy): $R + \gamma Q(S', A')$, with $A'$ the action it will take next;
* Q-learning (off-policy): $R + \gamma \max_a Q(S', a)$;
* Expected SARSA: $R + \gamma \sum_a \pi(a \mid S') Q(S', a)$ under the $\varepsilon$-greedy
  $\pi$.

A terminated step's target is just $R$; a truncated one still bootstraps. SARSA chooses its
next action before the update (its target needs it); Q-learning and Expected SARSA choose it
after, from the updated table, as in Sutton & Barto's boxed algorithms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from dlcourse.agents import LinearSchedule, epsilon_greedy
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
    env_id: str = setting(
        "CliffWalking-v1", "A Gymnasium environment with Discrete spaces (unless one is passed)."
    )
    episodes: int = setting(500, "Training episodes.", minimum=1)
    alpha: float = setting(0.5, "Step size of the update.", above=0.0, maximum=1.0)
    gamma: float = setting(1.0, "Discount factor.", minimum=0.0, maximum=1.0)
    epsilon_start: float = setting(
        0.1,
        "Exploration probability of the first episode (of every episode if epsilon_end is None).",
        minimum=0.0,
        maximum=1.0,
    )
    epsilon_end: float | None = setting(
        None,
        "If set, epsilon decays linearly per episode from epsilon_start to this value over "
        "exploration_fraction of the episodes, then stays there.",
        minimum=0.0,
        maximum=1.0,
    )
    exploration_fraction: float = setting(
        0.5, "Fraction of the episodes over which epsilon decays.", minimum=0.0, maximum=1.0
    )
    max_steps: int = setting(
        10_000, "Steps after which an episode is truncated (it then still bootstraps).", minimum=1
    )
    q_init: float = setting(0.0, "Initial value of every table entry (terminal rows included).")
    tie_break: Literal["random", "first"] = setting(
        "random", 'How argmax picks among equal values: "random" (seeded) or "first".'
    )
    bootstrap_terminal: bool = setting(
        False, "Pitfall demo: bootstrap from terminal states too, as if the goal had a future."
    )
    seed: int = setting(0, "Seed of the environment and of exploration.", minimum=0)

    def __post_init__(self) -> None:
        validate(self)

    def epsilon_schedule(self) -> LinearSchedule:
        """Epsilon per episode: constant, or linear from ``epsilon_start`` to ``epsilon_end``."""
        if self.epsilon_end is None:
            return LinearSchedule(self.epsilon_start, self.epsilon_start, 0.0)
        duration = max(1.0, self.exploration_fraction * self.episodes)
        return LinearSchedule(self.epsilon_start, self.epsilon_end, duration)


@dataclass
class TDControlResult:
    """What :func:`train_td_control` returns."""

    q: Tensor = field(repr=False)
    """``[S, A]`` the learned action values (float64, on the CPU)."""
    returns: list[float]
    """Undiscounted return of each training episode (the online, exploring return)."""
    steps: list[int]
    """Steps of each training episode."""
    success: list[bool]
    """Whether each episode terminated (reached a terminal state) rather than being truncated."""


# --8<-- [start:target]
def control_target(
    method: Method,
    q_next: Tensor,
    reward: float,
    gamma: float,
    epsilon: float,
    a_next: int | None = None,
) -> float:
    """The target of one step from ``Q(S', .)`` (``q_next``); ``a_next`` is SARSA's ``A'``."""
    if method == "sarsa":
        if a_next is None:
            raise ValueError("SARSA's target needs a_next, the action A' taken in S'")
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
def train_td_control(config: TDControlConfig, env: gym.Env | None = None) -> TDControlResult:
    """Run ``config.episodes`` episodes of SARSA, Q-learning or Expected SARSA.

    ``env`` defaults to ``gym.make(config.env_id)``; pass one to train on, say, a slippery
    :class:`~dlcourse.gridworld.GridWorld`.
    """
    env = gym.make(config.env_id) if env is None else env
    spaces = (env.observation_space, env.action_space)
    if not all(isinstance(space, gym.spaces.Discrete) for space in spaces):
        raise ValueError(f"{env} needs Discrete observation and action spaces")
    S, A = int(env.observation_space.n), int(env.action_space.n)
    rng = np.random.default_rng(config.seed)  # exploration and argmax ties
    q = torch.full((S, A), float(config.q_init), dtype=torch.float64)
    schedule = config.epsilon_schedule()

    def act(state: int, epsilon: float) -> int:  # epsilon-greedy on the current table
        return epsilon_greedy(q[state], epsilon, rng, config.tie_break)

    returns, steps, success = [], [], []
    for episode in range(config.episodes):
        epsilon = schedule(episode)
        s, _ = env.reset(seed=config.seed if episode == 0 else None)
        a = act(s, epsilon)
        total, t, terminated = 0.0, 0, False
        for t in range(1, config.max_steps + 1):
            s2, r, terminated, truncated, _ = env.step(a)
            truncated = truncated or t == config.max_steps
            # SARSA's target needs A' before the update; the others choose it after (below)
            a2 = act(s2, epsilon) if config.method == "sarsa" else None
            target = float(r)
            # a truncated step still bootstraps; the pitfall demo bootstraps from the goal too
            if not terminated or config.bootstrap_terminal:
                target = control_target(config.method, q[s2], float(r), config.gamma, epsilon, a2)
            q[s, a] += config.alpha * (target - q[s, a])  # Q(S, A) += alpha [target - Q(S, A)]
            total += float(r)
            if terminated or truncated:
                break
            s, a = s2, (act(s2, epsilon) if a2 is None else a2)
        returns.append(total)
        steps.append(t)
        success.append(bool(terminated))
    return TDControlResult(q, returns, steps, success)


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
