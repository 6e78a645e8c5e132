"""Playing whole episodes side by side: REINFORCE's batches and the deterministic evaluation.

:func:`play_episodes` runs one episode on each of a list of environments, with one forward pass
per step for all the episodes still running. It samples ``a ~ pi(. | s)`` (REINFORCE's
training batches, recorded as padded time-major tensors) or takes the mode action (evaluation:
:func:`evaluate_policy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from dlcourse.pg.policy import ActorCritic

__all__ = ["EpisodeBatch", "evaluate_policy", "play_episodes", "policy_frames"]

EVAL_SEED = 1_000_000
"""Evaluation episode ``i`` is played on an environment reset with ``EVAL_SEED + i``."""


@dataclass
class EpisodeBatch:
    """Episodes played side by side; the tensors are time-major ``[T_max, n, ...]``, zero-padded."""

    returns: np.ndarray
    """Undiscounted return of each episode ``[n]``."""
    lengths: np.ndarray
    """Steps of each episode ``[n]``."""
    obs: Tensor | None = field(default=None, repr=False)
    """``s_t`` of episode ``i`` at ``[t, i]`` (recorded episodes only)."""
    actions: Tensor | None = field(default=None, repr=False)
    """``a_t``: the sampled action, before any clipping to the action space."""
    rewards: Tensor | None = field(default=None, repr=False)
    """``r_t``, zero after the episode's end."""
    mask: Tensor | None = field(default=None, repr=False)
    """Whether step ``t`` of episode ``i`` happened."""


# --8<-- [start:play]
@torch.no_grad()
def play_episodes(
    policy: ActorCritic,
    envs: Sequence[gym.Env],
    seeds: Sequence[int] | None,
    *,
    deterministic: bool = False,
    record: bool = False,
    max_steps: int = 100_000,
) -> EpisodeBatch:
    """One episode per environment, all stepped together; stops at ``max_steps`` at the latest.

    ``seeds[i]`` resets ``envs[i]`` (``None``: continue each environment's own generator).
    Actions are the mode (``deterministic``) or samples of ``pi(. | s)`` from PyTorch's
    generator. ``record`` keeps the observations, actions and rewards as tensors.
    """
    dev = next(policy.parameters()).device
    n = len(envs)
    firsts = [env.reset(seed=None if seeds is None else seeds[i]) for i, env in enumerate(envs)]
    obs = np.stack([o for o, _ in firsts]).astype(np.float32)
    returns, lengths = np.zeros(n), np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    running = np.arange(n)
    steps: list[tuple[Tensor, Tensor, Tensor, np.ndarray]] = []
    for _ in range(max_steps):
        if not running.size:
            break
        x = torch.as_tensor(obs[running], device=dev)
        a = policy.mode(x) if deterministic else policy.distribution(x).sample()
        rewards = np.zeros(n, dtype=np.float32)
        for i, env_action in zip(running, policy.to_env(a), strict=True):
            obs[i], rewards[i], terminated, truncated, _ = envs[i].step(env_action)
            done[i] = terminated or truncated
        if record:
            steps.append((x, a, torch.as_tensor(rewards[running]), running))
        returns += rewards
        lengths[running] += 1
        running = running[~done[running]]
    if not record:
        return EpisodeBatch(returns, lengths)
    return _recorded(returns, lengths, steps, n, dev)


# --8<-- [end:play]


def _recorded(
    returns: np.ndarray,
    lengths: np.ndarray,
    steps: list[tuple[Tensor, Tensor, Tensor, np.ndarray]],
    n: int,
    dev: torch.device,
) -> EpisodeBatch:
    """The per-step rows of :func:`play_episodes` as zero-padded ``[T_max, n, ...]`` tensors."""
    x0, a0 = steps[0][0], steps[0][1]
    T = len(steps)
    obs = torch.zeros(T, n, *x0.shape[1:], dtype=x0.dtype, device=dev)
    actions = torch.zeros(T, n, *a0.shape[1:], dtype=a0.dtype, device=dev)
    rewards = torch.zeros(T, n, device=dev)
    mask = torch.zeros(T, n, dtype=torch.bool, device=dev)
    for t, (x, a, r, rows) in enumerate(steps):
        idx = torch.as_tensor(rows, device=dev)
        obs[t, idx], actions[t, idx], rewards[t, idx], mask[t, idx] = x, a, r.to(dev), True
    return EpisodeBatch(returns, lengths, obs, actions, rewards, mask)


def evaluate_policy(
    policy: ActorCritic,
    env_id: str = "CartPole-v1",
    episodes: int = 100,
    seed: int = EVAL_SEED,
) -> np.ndarray:
    """Returns of ``episodes`` episodes of the deterministic (mode) policy.

    Episode ``i`` is played on its own environment reset with ``seed + i``; a Gaussian
    policy's mean action is clipped to the bounds, as every action sent to the environment.
    """
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    envs = [gym.make(env_id) for _ in range(episodes)]
    was_training = policy.training
    policy.eval()
    try:
        batch = play_episodes(policy, envs, [seed + i for i in range(episodes)], deterministic=True)
    finally:
        policy.train(was_training)
        for env in envs:
            env.close()
    return batch.returns


@torch.no_grad()
def policy_frames(
    policy: ActorCritic, env_id: str, seed: int = 0, every: int = 1
) -> tuple[list[np.ndarray], float]:
    """RGB frames (``render_mode="rgb_array"``) of one episode of the mode policy, and its return.

    Every ``every``-th frame is kept (the first and the last always); actions go through
    :meth:`ActorCritic.to_env`, as in training.
    """
    dev = next(policy.parameters()).device
    env = gym.make(env_id, render_mode="rgb_array")
    try:
        obs, _ = env.reset(seed=seed)
        frames, total, done, t = [env.render()], 0.0, False, 0
        while not done:
            x = torch.as_tensor(obs, dtype=torch.float32, device=dev).unsqueeze(0)
            obs, r, terminated, truncated, _ = env.step(policy.to_env(policy.mode(x))[0])
            total, done, t = total + float(r), terminated or truncated, t + 1
            if t % every == 0 or done:
                frames.append(env.render())
    finally:
        env.close()
    return frames, total
