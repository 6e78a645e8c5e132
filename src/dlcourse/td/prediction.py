r"""Temporal-difference prediction against Monte Carlo, on the 5-state random walk.

The random walk of Sutton & Barto (2018, Example 6.2): states A to E between two terminal
states; every step moves left or right with probability 1/2, from the start C. Leaving on the
right earns 1, every other step 0, no discount, so the true values are
$v(A..E) = 1/6, 2/6, \dots, 5/6$.

Both methods start from $V = 0.5$ and learn from the same sampled episodes:

* TD(0), after every step: $V(S_t) \leftarrow V(S_t) + \alpha\,[R_{t+1} + \gamma V(S_{t+1})
  - V(S_t)]$;
* constant-$\alpha$ Monte Carlo, after the episode: $V(S_t) \leftarrow V(S_t) + \alpha\,[G_t -
  V(S_t)]$.

:func:`rms_curves` averages the RMS error against the true values over many independent runs,
for several step sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from dlcourse.config import setting, validate

__all__ = [
    "RANDOM_WALK_STATES",
    "RandomWalkConfig",
    "random_walk_episode",
    "rms_curves",
    "true_random_walk_values",
]

RANDOM_WALK_STATES = ("A", "B", "C", "D", "E")
"""The non-terminal states, left to right; 0 and 6 are the terminal ends."""

Method = Literal["td", "mc"]


def true_random_walk_values() -> np.ndarray:
    """``v(A..E) = 1/6 .. 5/6``: the probability of leaving on the right."""
    return np.arange(1, 6) / 6.0


def random_walk_episode(rng: np.random.Generator) -> tuple[list[int], list[float]]:
    """One episode from C: the states visited ``S_0..S_T`` (1..5, then 0 or 6) and rewards."""
    states, rewards = [3], []
    while 0 < states[-1] < 6:
        states.append(states[-1] + (1 if rng.random() < 0.5 else -1))
        rewards.append(1.0 if states[-1] == 6 else 0.0)
    return states, rewards


@dataclass(frozen=True)
class RandomWalkConfig:
    """The experiment of :func:`rms_curves`."""

    episodes: int = setting(100, "Episodes per run.", minimum=1)
    runs: int = setting(100, "Independent runs the RMS error is averaged over.", minimum=1)
    initial_value: float = setting(0.5, "V(s) of every non-terminal state before learning.")
    seed: int = setting(0, "Seed of the runs' random generator.", minimum=0)

    def __post_init__(self) -> None:
        validate(self)


# --8<-- [start:learn]
def _learn(method: Method, alpha: float, config: RandomWalkConfig, rng: np.random.Generator):
    """RMS error after each episode of one run."""
    V = np.full(7, config.initial_value)
    V[0] = V[6] = 0.0  # terminal states are worth 0
    truth = true_random_walk_values()
    errors = np.empty(config.episodes)
    for k in range(config.episodes):
        states, rewards = random_walk_episode(rng)
        if method == "td":
            for s, r, s2 in zip(states[:-1], rewards, states[1:], strict=True):
                V[s] += alpha * (r + V[s2] - V[s])  # V(S) += alpha [R + V(S') - V(S)]
        else:
            G = 0.0
            for s, r in zip(reversed(states[:-1]), reversed(rewards), strict=True):
                G += r  # G_t = R_{t+1} + G_{t+1} (no discount)
                V[s] += alpha * (G - V[s])  # V(S) += alpha [G - V(S)]
        errors[k] = np.sqrt(np.mean((V[1:6] - truth) ** 2))
    return errors


# --8<-- [end:learn]


def rms_curves(
    method: Method, alphas: tuple[float, ...], config: RandomWalkConfig = RandomWalkConfig()
) -> np.ndarray:
    """``[len(alphas), episodes]``: RMS error over A..E after each episode, averaged over runs.

    Every step size sees the same episodes: run ``i`` draws from a generator seeded with
    ``(config.seed, i)``.
    """
    if method not in ("td", "mc"):
        raise ValueError(f"method must be 'td' or 'mc', got {method!r}")
    if not alphas or not all(0.0 < a <= 1.0 for a in alphas):
        raise ValueError(f"alphas must be step sizes in (0, 1], got {alphas!r}")
    out = np.zeros((len(alphas), config.episodes))
    for j, alpha in enumerate(alphas):
        for i in range(config.runs):
            rng = np.random.default_rng([config.seed, i])
            out[j] += _learn(method, alpha, config, rng)
    return out / config.runs
