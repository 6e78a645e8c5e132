"""Playing a Q-network: vectorized training environments, seeded greedy evaluation, frames."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from dlcourse.agents.exploration import greedy_actions

__all__ = ["evaluate", "greedy_episodes", "greedy_frames", "make_vector_env"]


def make_vector_env(env_id: str, num_envs: int) -> gym.vector.SyncVectorEnv:
    """``num_envs`` copies of ``env_id`` stepped together, in gymnasium's default autoreset mode.

    In that mode (``NEXT_STEP``) the step *after* an episode ends only resets that
    environment: it ignores the action and returns the first observation of the next
    episode with reward 0. :func:`dlcourse.dqn.train` therefore stores no transition from that
    step.
    """
    return gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)])


def evaluate(
    network: nn.Module,
    env_id: str = "CartPole-v1",
    episodes: int = 100,
    seed: int = 1_000_000,
    device: torch.device | str | None = None,
) -> np.ndarray:
    """Returns of ``episodes`` episodes of the greedy policy ``argmax_a Q(s, a)``.

    Episode ``i`` is played on its own environment reset with ``seed + i``; all episodes run
    side by side so the network sees one batch of observations per step (see
    :func:`greedy_episodes`, which also gives their lengths).
    """
    return greedy_episodes(network, env_id, episodes, seed, device)[0]


@torch.no_grad()
def greedy_episodes(
    network: nn.Module,
    env_id: str = "CartPole-v1",
    episodes: int = 100,
    seed: int = 1_000_000,
    device: torch.device | str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Returns and lengths of ``episodes`` greedy episodes, played as in :func:`evaluate`."""
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    dev = torch.device(device) if device is not None else next(network.parameters()).device
    envs = [gym.make(env_id) for _ in range(episodes)]
    obs = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)])
    returns = np.zeros(episodes)
    lengths = np.zeros(episodes, dtype=np.int64)
    running = np.arange(episodes)
    was_training = network.training
    network.eval()
    try:
        while running.size:
            q = network(torch.as_tensor(obs[running], dtype=torch.float32, device=dev))
            actions = greedy_actions(q).cpu().numpy()
            still = []
            for i, a in zip(running, actions, strict=True):
                obs[i], r, terminated, truncated, _ = envs[i].step(int(a))
                returns[i] += r
                lengths[i] += 1
                if not (terminated or truncated):
                    still.append(i)
            running = np.asarray(still, dtype=int)
    finally:
        network.train(was_training)
        for env in envs:
            env.close()
    return returns, lengths


@torch.no_grad()
def greedy_frames(
    network: nn.Module, env_id: str = "CartPole-v1", seed: int = 0, every: int = 1
) -> tuple[list[np.ndarray], float]:
    """RGB frames (``render_mode="rgb_array"``) of one greedy episode, and its return.

    Every ``every``-th frame is kept (the first and the last always), which bounds memory:
    a full CartPole episode is 501 frames of 400 x 600 pixels.
    """
    dev = next(network.parameters()).device
    env = gym.make(env_id, render_mode="rgb_array")
    obs, _ = env.reset(seed=seed)
    frames, total, done, t = [env.render()], 0.0, False, 0
    while not done:
        q = network(torch.as_tensor(obs, dtype=torch.float32, device=dev).unsqueeze(0))
        obs, r, terminated, truncated, _ = env.step(int(greedy_actions(q)[0]))
        total, done, t = total + float(r), terminated or truncated, t + 1
        if t % every == 0 or done:
            frames.append(env.render())
    env.close()
    return frames, total
