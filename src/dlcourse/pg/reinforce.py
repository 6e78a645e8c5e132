r"""REINFORCE (Williams, 1992) with reward-to-go and an optional learned baseline.

Each update plays ``episodes_per_update`` whole episodes with the current policy, then takes
one gradient step on

$$
L(\theta, \phi) = -\frac1N \sum_{i,t} \log\pi_\theta(a_t^i \mid s_t^i)\,\hat A_t^i
 + c_V \frac1N \sum_{i,t} \tfrac12 \big(V_\phi(s_t^i) - G_t^i\big)^2
 - c_H \frac1N \sum_{i,t} \mathcal H\big(\pi_\theta(\cdot \mid s_t^i)\big),
$$

with $\hat A_t = G_t - V_\phi(s_t)$ (or $G_t$ alone without a baseline), detached, and
normalized if asked. Its gradient in $\theta$ is the policy-gradient estimate
$\hat g = \frac1N\sum \nabla_\theta \log \pi_\theta(a_t \mid s_t)\,\hat A_t$; a baseline that
depends only on the state adds no bias, $\mathbb E[\nabla_\theta \log\pi_\theta(a \mid s)\,
b(s)] = 0$, and removes variance.
"""

from __future__ import annotations

import time
from pathlib import Path

import gymnasium as gym
import torch
from torch import Tensor

from dlcourse import runtime
from dlcourse.pg.advantages import normalize_advantages, reward_to_go
from dlcourse.pg.config import ReinforceConfig, policy_spaces
from dlcourse.pg.episodes import EpisodeBatch, play_episodes
from dlcourse.pg.policy import ActorCritic
from dlcourse.pg.runs import (
    PGResult,
    RunLog,
    run_with_bookkeeping,
    show_progress,
    stop_now,
)

__all__ = ["reinforce_loss", "train_reinforce"]


# --8<-- [start:loss]
def reinforce_loss(
    policy: ActorCritic, batch: EpisodeBatch, config: ReinforceConfig
) -> tuple[Tensor, dict[str, float]]:
    """The loss above on a batch of recorded episodes, and what to log about it."""
    returns = reward_to_go(batch.rewards, config.gamma)[batch.mask]  # G_t of every real step
    obs, actions = batch.obs[batch.mask], batch.actions[batch.mask]
    dist = policy.distribution(obs)
    log_prob = policy.log_prob(dist, actions)  # log pi(a_t | s_t)
    value_loss = torch.zeros((), device=obs.device)
    advantages = returns
    if config.baseline:
        values = policy.value(obs)
        advantages = returns - values.detach()  # A_t = G_t - V(s_t), no gradient into V
        value_loss = 0.5 * (values - returns).pow(2).mean()  # fit V(s_t) to G_t
    if config.normalize_advantages:
        advantages = normalize_advantages(advantages)
    policy_loss = -(log_prob * advantages).mean()  # -1/N sum log pi(a|s) A
    entropy = policy.entropy(dist).mean()
    loss = policy_loss + config.value_coef * value_loss - config.entropy_coef * entropy
    stats = {
        "policy_loss": policy_loss.item(),
        "value_loss": value_loss.item(),
        "entropy": entropy.item(),
    }
    return loss, stats


# --8<-- [end:loss]


def train_reinforce(
    config: ReinforceConfig,
    *,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
) -> PGResult:
    """Train with REINFORCE as ``config`` says; deterministic for a seed on the CPU.

    Args:
        config: every hyperparameter of the run.
        progress: show a tqdm progress bar with the mean return of the last 10 episodes.
        checkpoint: where to save the run's state when it ends.
        resume: a checkpoint to continue from (same ``env_id`` and ``hidden_sizes``); its
            environments start fresh episodes (reset with seeds from the steps so far).

    On the CPU training runs on one thread (see :func:`dlcourse.runtime.one_thread_on_cpu`).
    """
    dev = runtime.device()
    with runtime.one_thread_on_cpu(dev):
        runtime.seed_everything(config.seed)
        started = time.perf_counter()
        envs = [gym.make(config.env_id) for _ in range(config.episodes_per_update)]
        try:
            space = envs[0].action_space
            obs_dim = policy_spaces(envs[0].observation_space, space, config.env_id)
            policy = ActorCritic(
                obs_dim, space, config.hidden_sizes, config.log_std_init, config.activation
            ).to(dev)
            optimizer = torch.optim.Adam(policy.parameters(), lr=config.learning_rate)
            log, stopped = run_with_bookkeeping(
                "reinforce",
                config,
                policy,
                optimizer,
                lambda log, bar: reinforce_loop(policy, optimizer, envs, config, log, bar),
                progress=progress,
                checkpoint=checkpoint,
                resume=resume,
            )
        finally:
            for env in envs:
                env.close()
    return PGResult(policy, config, log, stopped, time.perf_counter() - started)


# --8<-- [start:loop]
def reinforce_loop(
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    envs: list[gym.Env],
    config: ReinforceConfig,
    log: RunLog,
    bar: object = None,
) -> bool:
    """Play a batch of episodes, take one gradient step, check; True if a check stopped it."""
    n = len(envs)
    seeds: list[int] | None = [1_000 * config.seed + log.step + i for i in range(n)]
    while log.step < config.total_steps:
        batch = play_episodes(policy, envs, seeds, record=True)  # 1. play n episodes
        seeds = None  # later episodes continue each environment's generator
        loss, stats = reinforce_loss(policy, batch, config)  # 2. one gradient step
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        for ret, length in zip(batch.returns, batch.lengths, strict=True):
            log.step += int(length)
            log.episode_returns.append(float(ret))
            log.episode_end_steps.append(log.step)
        log.updates += 1
        log.record(step=log.step, mean_return=float(batch.returns.mean()), **stats)
        if bar is not None:
            show_progress(bar, log)
        if stop_now(policy, config, log):  # 3. check the deterministic policy
            return True
    return False


# --8<-- [end:loop]
