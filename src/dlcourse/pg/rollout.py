"""PPO's rollouts: ``T`` steps of ``N`` vectorized environments, in tensors allocated once.

Gymnasium 1.x vector environments reset an environment in its default ``NEXT_STEP`` mode:
the step *after* an episode ends ignores the action, returns the next episode's first
observation with reward 0, and is no transition. :func:`collect_rollout` still writes a row for
it (the buffer stays ``[T, N]``) but marks it invalid, so it is never learned from. That row
also makes truncation simple: the observation stored there is the ended episode's *final*
observation, so its value ``V(s_{t+1})`` is exactly what a truncated step bootstraps from.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from dlcourse.pg.advantages import gae_advantages
from dlcourse.pg.policy import ActorCritic
from dlcourse.pg.runs import RunLog

__all__ = ["Rollout", "VectorState", "collect_rollout", "make_envs", "rollout_advantages"]


def make_envs(env_id: str, num_envs: int) -> gym.vector.SyncVectorEnv:
    """``num_envs`` copies of ``env_id`` stepped together, in the default ``NEXT_STEP`` mode."""
    return gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)])


@dataclass
class VectorState:
    """Where the vectorized environments are between two rollouts."""

    obs: np.ndarray
    """The current observation of every environment ``[N, obs_dim]``."""
    autoreset: np.ndarray
    """Whether each environment's next step only resets it."""
    returns: np.ndarray
    """Return so far of each environment's running episode."""


class Rollout:
    """``[T, N]`` rows of ``s_t, a_t, log pi_old(a_t | s_t), V(s_t), r_t``, flags, validity."""

    def __init__(
        self,
        steps: int,
        num_envs: int,
        obs_dim: int,
        action_shape: tuple[int, ...],
        discrete: bool,
        device: torch.device,
    ):
        shape, kw = (steps, num_envs), {"device": device}
        self.obs = torch.zeros(*shape, obs_dim, **kw)
        self.actions = torch.zeros(
            *shape, *action_shape, dtype=torch.int64 if discrete else torch.float32, **kw
        )
        self.log_probs = torch.zeros(shape, **kw)
        self.values = torch.zeros(shape, **kw)
        self.rewards = torch.zeros(shape, **kw)
        self.terminated = torch.zeros(shape, dtype=torch.bool, **kw)
        self.truncated = torch.zeros(shape, dtype=torch.bool, **kw)
        self.valid = torch.zeros(shape, dtype=torch.bool, **kw)
        """False for the rows of autoreset steps: no transition, never learned from."""
        self.last_values = torch.zeros(num_envs, **kw)
        """``V(s_T)`` of the observation after the last step (the next rollout's first)."""


# --8<-- [start:collect]
@torch.no_grad()
def collect_rollout(
    policy: ActorCritic,
    envs: gym.vector.VectorEnv,
    rollout: Rollout,
    state: VectorState,
    log: RunLog,
) -> None:
    """Fill ``rollout`` with ``T`` steps of every environment, sampling ``a ~ pi(. | s)``."""
    dev = rollout.obs.device
    for t in range(len(rollout.obs)):
        obs = torch.as_tensor(state.obs, dtype=torch.float32, device=dev)
        dist = policy.distribution(obs)
        actions = dist.sample()  # unclipped: its log-probability is the one we store
        next_obs, rewards, terminated, truncated, _ = envs.step(policy.to_env(actions))
        real = ~state.autoreset  # a step that merely reset an environment is no transition
        rollout.obs[t], rollout.actions[t] = obs, actions
        rollout.log_probs[t] = policy.log_prob(dist, actions)
        rollout.values[t] = policy.value(obs)
        rollout.rewards[t] = torch.as_tensor(rewards, dtype=torch.float32)
        rollout.terminated[t] = torch.as_tensor(terminated)
        rollout.truncated[t] = torch.as_tensor(truncated)
        rollout.valid[t] = torch.as_tensor(real)
        _count_episodes(state, log, rewards, real, terminated | truncated)
        state.obs, state.autoreset = next_obs, terminated | truncated
    obs = torch.as_tensor(state.obs, dtype=torch.float32, device=dev)
    rollout.last_values[:] = policy.value(obs)  # after a final step: V(final observation)


# --8<-- [end:collect]


def _count_episodes(
    state: VectorState, log: RunLog, rewards: np.ndarray, real: np.ndarray, ended: np.ndarray
) -> None:
    """Add the real steps to ``log.step`` and log the episodes that ended."""
    state.returns[real] += rewards[real]
    log.step += int(real.sum())
    for i in np.flatnonzero(real & ended):
        log.episode_returns.append(float(state.returns[i]))
        log.episode_end_steps.append(log.step)
        state.returns[i] = 0.0


# --8<-- [start:advantages]
def rollout_advantages(
    rollout: Rollout, gamma: float, lam: float, bootstrap_truncated: bool = True
) -> tuple[Tensor, Tensor]:
    """GAE advantages and the value targets ``R_t = A_t + V(s_t)`` of every row ``[T, N]``.

    ``bootstrap_truncated=False`` is the classic bug kept for the chapter's pitfall: a time
    limit is then treated as termination, and a truncated step gets no ``V(s_{t+1})``.

    ``V(s_{t+1})`` is the next row's value: after a truncated step, the next row is the
    autoreset row, whose observation is the final one of the ended episode. Rows that are
    not valid get garbage that no valid row depends on (an episode's chain ends at its done
    step) and are left out of the loss.
    """
    next_values = torch.cat([rollout.values[1:], rollout.last_values[None]])
    advantages = gae_advantages(
        rollout.rewards,
        rollout.values,
        next_values,
        rollout.terminated if bootstrap_truncated else rollout.terminated | rollout.truncated,
        rollout.truncated,
        gamma,
        lam,
    )
    return advantages, advantages + rollout.values


# --8<-- [end:advantages]
