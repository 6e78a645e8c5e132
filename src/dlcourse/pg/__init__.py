r"""Policy-gradient methods: REINFORCE and PPO, with categorical and Gaussian policies.

Instead of learning values and acting greedily on them, these methods adjust a stochastic
policy $\pi_\theta(a \mid s)$ along the policy gradient
$\mathbb E[\nabla_\theta \log \pi_\theta(a_t \mid s_t)\,\hat A_t]$, which works the same
for a finite set of actions and for continuous ones.

One module per part, each read on its own:

- :mod:`~dlcourse.pg.config`: :class:`ReinforceConfig` and :class:`PPOConfig`;
- :mod:`~dlcourse.pg.advantages`: :func:`reward_to_go`, :func:`gae_advantages` (terminated
  vs truncated), :func:`normalize_advantages`;
- :mod:`~dlcourse.pg.policy`: :class:`ActorCritic`, a categorical or Gaussian policy and a
  value network built from :func:`dlcourse.agents.networks.mlp`;
- :mod:`~dlcourse.pg.episodes`: :func:`play_episodes` (whole episodes side by side) and
  :func:`evaluate_policy` (the mode action over seeded episodes), :func:`policy_frames`;
- :mod:`~dlcourse.pg.reinforce`: :func:`train_reinforce` and :func:`reinforce_loss`;
- :mod:`~dlcourse.pg.rollout`: PPO's rollouts on gymnasium vector environments, autoreset
  rows and truncation handled;
- :mod:`~dlcourse.pg.ppo`: :func:`train_ppo`, :func:`ppo_loss`, :func:`ppo_update`;
- :mod:`~dlcourse.pg.runs`: the log, the result, the periodic check and checkpoints;
- :mod:`~dlcourse.pg.cli`: ``python -m dlcourse.pg {reinforce,ppo} --help`` (not imported here).
"""

from __future__ import annotations

from pathlib import Path

from dlcourse.pg.advantages import gae_advantages, normalize_advantages, reward_to_go
from dlcourse.pg.config import PPOConfig, ReinforceConfig, policy_spaces
from dlcourse.pg.episodes import EpisodeBatch, evaluate_policy, play_episodes, policy_frames
from dlcourse.pg.policy import ActorCritic
from dlcourse.pg.ppo import ppo_loss, ppo_update, train_ppo
from dlcourse.pg.reinforce import reinforce_loss, train_reinforce
from dlcourse.pg.runs import CHECKPOINT_FORMAT, PGResult, RunLog, load_pg_checkpoint

__all__ = [
    "CHECKPOINT_FORMAT",
    "ActorCritic",
    "EpisodeBatch",
    "PGResult",
    "PPOConfig",
    "ReinforceConfig",
    "RunLog",
    "evaluate_policy",
    "gae_advantages",
    "load_pg_checkpoint",
    "normalize_advantages",
    "play_episodes",
    "policy_frames",
    "policy_spaces",
    "ppo_loss",
    "ppo_update",
    "reinforce_loss",
    "reward_to_go",
    "train",
    "train_ppo",
    "train_reinforce",
]


def train(
    config: PPOConfig | ReinforceConfig,
    *,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
) -> PGResult:
    """:func:`train_ppo` or :func:`train_reinforce`, whichever ``config`` is for."""
    if isinstance(config, PPOConfig):
        return train_ppo(config, progress=progress, checkpoint=checkpoint, resume=resume)
    if isinstance(config, ReinforceConfig):
        return train_reinforce(config, progress=progress, checkpoint=checkpoint, resume=resume)
    raise TypeError(f"config must be a PPOConfig or a ReinforceConfig, got {type(config).__name__}")
