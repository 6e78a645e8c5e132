"""Every setting of a DQN run, in one frozen dataclass that checks itself at construction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import gymnasium as gym

from dlcourse.config import setting, validate

__all__ = ["DQNConfig", "env_sizes"]


@dataclass(frozen=True)
class DQNConfig:
    """Every setting of a DQN run; an invalid value raises ``ValueError`` at construction.

    The defaults are the chapter's settings for CartPole-v1. ``python -m dlcourse.dqn --help``
    lists the same fields as flags, with the same help texts.
    """

    env_id: str = setting(
        "CartPole-v1",
        "Gymnasium id of the environment: a 1-D Box observation space and a Discrete action space.",
    )
    seed: int = setting(
        0,
        "Seeds the network's initial weights, the environments, exploration and replay sampling.",
        minimum=0,
    )
    total_steps: int = setting(
        50_000, "Budget of environment steps (summed over all vectorized environments).", minimum=1
    )
    num_envs: int = setting(
        1, "Environments stepped together by a gymnasium.vector.SyncVectorEnv.", minimum=1
    )
    hidden_sizes: tuple[int, ...] = setting(
        (128, 128),
        "Units of each hidden layer of the Q-network (ReLU between layers).",
        minimum=1,
        nonempty=True,
    )
    learning_rate: float = setting(3e-3, "Adam step size.", above=0.0)
    gamma: float = setting(
        0.99, "Discount factor of the return the Q-values estimate.", minimum=0.0, maximum=1.0
    )
    n_step: int = setting(
        4,
        "Rewards summed into each stored transition: r_t + ... + gamma^(n-1) r_(t+n-1), "
        "bootstrapped with gamma^n from the state n steps later (1: one-step DQN).",
        minimum=1,
    )
    buffer_size: int = setting(
        50_000,
        "Capacity of the replay buffer; the oldest transitions are overwritten once it is full.",
        minimum=1,
    )
    batch_size: int = setting(
        256, "Transitions sampled uniformly from the buffer for each gradient step.", minimum=1
    )
    learning_starts: int = setting(
        1_000, "Environment steps of pure collection before the first gradient step.", minimum=0
    )
    train_freq: int = setting(
        64, "Gradient updates happen after every train_freq calls to env.step.", minimum=1
    )
    gradient_steps: int = setting(32, "Gradient steps done each time an update happens.", minimum=1)
    target_update_interval: int = setting(
        128, "Gradient steps between two target-network updates.", minimum=1
    )
    tau: float = setting(
        1.0,
        "Target update target <- tau * online + (1 - tau) * target; 1.0 is a hard copy.",
        above=0.0,
        maximum=1.0,
    )
    average_decay: float = setting(
        0.8,
        "After each update (every train_freq steps) the averaged network moves toward the online "
        "one: average <- decay * average + (1 - decay) * online. The greedy checks play the "
        "averaged network and train returns it (0: a copy of the online network).",
        minimum=0.0,
        below=1.0,
    )
    double_dqn: bool = setting(
        True, "Choose the next action with the online network and value it with the target network."
    )
    max_grad_norm: float = setting(
        10.0,
        "Gradients are rescaled so their global L2 norm is at most this (inf: no clipping).",
        above=0.0,
    )
    epsilon_start: float = setting(
        1.0, "Exploration probability at step 0.", minimum=0.0, maximum=1.0
    )
    epsilon_end: float = setting(
        0.04, "Exploration probability after exploration_steps.", minimum=0.0, maximum=1.0
    )
    exploration_steps: int = setting(
        8_000, "Environment steps over which epsilon decays linearly from start to end.", minimum=0
    )
    eval_interval: int = setting(
        2_048, "Environment steps between greedy checks of the policy (0: never check).", minimum=0
    )
    eval_episodes: int = setting(
        10, "Episodes of each greedy check, played on their own seeded environments.", minimum=1
    )
    stop_return: float | None = setting(
        500.0, "Stop training once a check's mean return reaches this (None: use every step)."
    )

    def __post_init__(self) -> None:
        validate(self, self._rules())
        _check_env(self.env_id)

    def _rules(self) -> Iterator[tuple[bool, str]]:
        """Constraints between fields, read by ``validate`` once every field is well typed."""
        yield (
            self.batch_size <= self.buffer_size,
            f"batch_size ({self.batch_size}) must not exceed buffer_size ({self.buffer_size}): "
            "a batch is sampled from the transitions the buffer holds",
        )


def _check_env(env_id: str) -> None:
    """A ``ValueError`` for an unknown id (naming a close one) or spaces DQN cannot use."""
    if env_id not in gym.registry:
        close = [k for k in gym.registry if k.lower().startswith(env_id.lower().split("-")[0])]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"invalid DQNConfig: unknown environment id {env_id!r}{hint}; see gymnasium.registry"
        )
    env = gym.make(env_id)
    try:
        env_sizes(env.observation_space, env.action_space, env_id)
    finally:
        env.close()


def env_sizes(obs_space: gym.Space, action_space: gym.Space, env_id: str = "") -> tuple[int, int]:
    """``(observation size, number of actions)``, or ``ValueError`` for spaces DQN cannot use."""
    if not isinstance(action_space, gym.spaces.Discrete):
        raise ValueError(
            f"DQN needs a Discrete action space: it picks argmax_a Q(s, a) over a finite set, "
            f"but {env_id!r} has {action_space}"
        )
    if not (isinstance(obs_space, gym.spaces.Box) and len(obs_space.shape) == 1):
        raise ValueError(f"DQN here needs a 1-D Box observation space, {env_id!r} has {obs_space}")
    return int(obs_space.shape[0]), int(action_space.n)
