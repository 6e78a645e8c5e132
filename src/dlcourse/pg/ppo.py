r"""PPO with the clipped surrogate objective (Schulman et al., 2017) on vectorized environments.

Each iteration collects a rollout of ``T`` steps of ``N`` environments with the current policy
$\pi_{\text{old}}$ (:func:`dlcourse.pg.rollout.collect_rollout`), computes GAE advantages, and
then takes several epochs of minibatch Adam steps on

$$
L(\theta) = -\mathbb E_t\big[\min\big(\rho_t \hat A_t,\ \mathrm{clip}(\rho_t, 1-\epsilon,
1+\epsilon)\,\hat A_t\big)\big] + c_V\,\mathbb E_t\big[(V_\theta(s_t) - R_t)^2\big]
- c_H\,\mathbb E_t\big[\mathcal H(\pi_\theta(\cdot \mid s_t))\big],
\qquad \rho_t = \frac{\pi_\theta(a_t \mid s_t)}{\pi_{\text{old}}(a_t \mid s_t)}.
$$

The clip removes the incentive to move $\rho_t$ outside $[1-\epsilon, 1+\epsilon]$, so many
steps on one rollout cannot drag the policy far from the one that collected it. Each update
logs the approximate KL divergence $\mathbb E[(\rho - 1) - \log\rho]$ between the old and the
new policy and the clip fraction, the share of rows whose ratio left the interval.
"""

from __future__ import annotations

import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.pg.advantages import normalize_advantages
from dlcourse.pg.config import PPOConfig, policy_spaces
from dlcourse.pg.policy import ActorCritic
from dlcourse.pg.rollout import (
    Rollout,
    VectorState,
    collect_rollout,
    make_envs,
    rollout_advantages,
)
from dlcourse.pg.runs import (
    PGResult,
    RunLog,
    run_with_bookkeeping,
    show_progress,
    stop_now,
)

__all__ = ["ppo_loss", "ppo_update", "train_ppo"]

STATS = ("policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction")
"""What :func:`ppo_update` logs per update: means over its minibatches."""


# --8<-- [start:loss]
def ppo_loss(
    policy: ActorCritic,
    batch: dict[str, Tensor],
    clip: float,
    config: PPOConfig,
) -> tuple[Tensor, dict[str, Tensor]]:
    """The clipped loss above on one minibatch, and its statistics (detached)."""
    dist = policy.distribution(batch["obs"])
    log_ratio = policy.log_prob(dist, batch["actions"]) - batch["log_probs"]
    ratio = log_ratio.exp()  # rho_t = pi(a|s) / pi_old(a|s)
    adv = batch["advantages"]  # computed before the update: no gradient flows into it
    if config.normalize_advantages:
        adv = normalize_advantages(adv)
    unclipped = ratio * adv
    clipped = torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * adv
    policy_loss = -torch.min(unclipped, clipped).mean()  # -E[min(rho A, clip(rho) A)]
    value_loss = (policy.value(batch["obs"]) - batch["returns"]).pow(2).mean()
    entropy = policy.entropy(dist).mean()
    loss = policy_loss + config.value_coef * value_loss
    if config.entropy_coef > 0:  # a zero weight would still cost the entropy's backward pass
        loss = loss - config.entropy_coef * entropy
    with torch.no_grad():
        stats = {
            "policy_loss": policy_loss.detach(),
            "value_loss": value_loss.detach(),
            "entropy": entropy.detach(),
            "approx_kl": ((ratio - 1.0) - log_ratio).mean(),  # KL(old || new) >= 0
            "clip_fraction": ((ratio - 1.0).abs() > clip).float().mean(),
        }
    return loss, stats


# --8<-- [end:loss]


# --8<-- [start:update]
def ppo_update(
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    rollout: Rollout,
    config: PPOConfig,
    clip: float,
) -> dict[str, float]:
    """``epochs`` passes of shuffled minibatches over the valid rows of ``rollout``."""
    advantages, returns = rollout_advantages(
        rollout, config.gamma, config.gae_lambda, config.bootstrap_truncated
    )
    valid = rollout.valid  # the autoreset rows are no transitions
    rows = {
        "obs": rollout.obs[valid],
        "actions": rollout.actions[valid],
        "log_probs": rollout.log_probs[valid],
        "advantages": advantages[valid],
        "returns": returns[valid],
    }
    n = len(rows["obs"])
    sums = {name: torch.zeros((), device=rollout.obs.device) for name in STATS}
    steps = 0
    for _ in range(config.epochs):
        order = torch.randperm(n, device=rollout.obs.device)
        for start in range(0, n, config.minibatch_size):
            idx = order[start : start + config.minibatch_size]
            loss, stats = ppo_loss(policy, {k: v[idx] for k, v in rows.items()}, clip, config)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(policy.parameters(), config.max_grad_norm)
            optimizer.step()
            for name in STATS:
                sums[name] += stats[name]
            steps += 1
    return {name: float(total) / steps for name, total in sums.items()}


# --8<-- [end:update]


def train_ppo(
    config: PPOConfig,
    *,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
) -> PGResult:
    """Train with PPO as ``config`` says; deterministic for a seed on the CPU.

    Args:
        config: every hyperparameter of the run.
        progress: show a tqdm progress bar with the mean return of the last 10 episodes.
        checkpoint: where to save the run's state when it ends.
        resume: a checkpoint to continue from (same ``env_id`` and ``hidden_sizes``); its
            environments start fresh episodes (reset with ``seed + steps so far``).

    On the CPU training runs on one thread (see :func:`dlcourse.runtime.one_thread_on_cpu`).
    """
    dev = runtime.device()
    with runtime.one_thread_on_cpu(dev):
        runtime.seed_everything(config.seed)
        started = time.perf_counter()
        envs = make_envs(config.env_id, config.num_envs)
        try:
            space = envs.single_action_space
            obs_dim = policy_spaces(envs.single_observation_space, space, config.env_id)
            policy = ActorCritic(
                obs_dim, space, config.hidden_sizes, config.log_std_init, config.activation
            ).to(dev)
            # fused: one kernel for all parameters; a step costs per-call overhead, not FLOPs
            optimizer = torch.optim.Adam(
                policy.parameters(), lr=config.learning_rate, eps=1e-5, fused=True
            )
            shape = () if policy.discrete else tuple(space.shape)
            rollout = Rollout(
                config.rollout_steps, config.num_envs, obs_dim, shape, policy.discrete, dev
            )
            log, stopped = run_with_bookkeeping(
                "ppo",
                config,
                policy,
                optimizer,
                lambda log, bar: ppo_loop(policy, optimizer, envs, rollout, config, log, bar),
                progress=progress,
                checkpoint=checkpoint,
                resume=resume,
            )
        finally:
            envs.close()
    return PGResult(policy, config, log, stopped, time.perf_counter() - started)


# --8<-- [start:loop]
def ppo_loop(
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    envs: gym.vector.VectorEnv,
    rollout: Rollout,
    config: PPOConfig,
    log: RunLog,
    bar: object = None,
) -> bool:
    """Collect, update, check, while a whole rollout fits the budget; True if a check stopped."""
    obs, _ = envs.reset(seed=config.seed + log.step)
    n = config.num_envs
    state = VectorState(obs, autoreset=np.zeros(n, dtype=bool), returns=np.zeros(n))
    while log.step + config.rollout_steps * n <= config.total_steps:
        left = 1.0 - log.step / config.total_steps if config.anneal else 1.0
        for group in optimizer.param_groups:
            group["lr"] = left * config.learning_rate  # linear decay to 0
        collect_rollout(policy, envs, rollout, state, log)
        stats = ppo_update(policy, optimizer, rollout, config, clip=left * config.clip_range)
        if policy.log_std is not None:  # the Gaussian's std, to see it collapse
            stats["action_std"] = float(policy.log_std.detach().exp().mean())
        log.updates += 1
        log.record(step=log.step, **stats)
        if bar is not None:
            show_progress(bar, log)
        if stop_now(policy, config, log):
            return True
    return False


# --8<-- [end:loop]
