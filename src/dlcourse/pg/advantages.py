r"""How good was each action: reward-to-go, GAE($\lambda$) and advantage normalization.

The policy gradient weights $\nabla_\theta \log \pi_\theta(a_t \mid s_t)$ by a score of the
action. REINFORCE uses the reward-to-go $G_t = \sum_{k \ge t} \gamma^{k-t} r_k$ (minus a
baseline $V(s_t)$); actor-critic methods use the generalized advantage estimate of Schulman et
al. (2016),

$$
\delta_t = r_t + \gamma\,(1 - \text{terminated}_t)\,V(s_{t+1}) - V(s_t), \qquad
\hat A_t = \delta_t + \gamma\lambda\,(1 - \text{done}_t)\,\hat A_{t+1},
$$

where $\text{done}_t$ is terminated *or* truncated. A terminated step has no future, so it does
not bootstrap. A truncated one (a time limit) ended in an ordinary state: it bootstraps from
the value of its final observation, $V(s_{t+1})$, but the sum stops there, because the next
row belongs to another episode. With $\lambda = 1$ and $V = 0$ the estimate is the
reward-to-go.

All functions take time-major tensors ``[T, ...]``: any trailing dimensions (environments,
episodes) are computed side by side.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["gae_advantages", "normalize_advantages", "reward_to_go"]


def _check_gamma(gamma: float, lam: float = 1.0) -> None:
    if not (0.0 <= gamma <= 1.0 and 0.0 <= lam <= 1.0):
        raise ValueError(f"gamma and lambda must lie in [0, 1], got gamma={gamma}, lambda={lam}")


# --8<-- [start:reward_to_go]
def reward_to_go(rewards: Tensor, gamma: float) -> Tensor:
    r"""$G_t = r_t + \gamma G_{t+1}$ with $G_T = 0$, over the first dimension of ``[T, ...]``.

    The batched form of :func:`dlcourse.returns.returns_to_go`: columns are episodes padded
    with zero rewards after their end, which add nothing to any $G_t$.
    """
    _check_gamma(gamma)
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running  # G_t = r_t + gamma G_{t+1}
        out[t] = running
    return out


# --8<-- [end:reward_to_go]


# --8<-- [start:gae]
def gae_advantages(
    rewards: Tensor,
    values: Tensor,
    next_values: Tensor,
    terminated: Tensor,
    truncated: Tensor,
    gamma: float,
    lam: float,
) -> Tensor:
    r"""GAE($\lambda$) advantages $\hat A_t$ of a rollout, all arguments ``[T, ...]``.

    ``values[t]`` is $V(s_t)$ and ``next_values[t]`` is $V(s_{t+1})$: for a truncated step,
    the value of the episode's final observation (not of the next episode's first one).
    ``terminated`` and ``truncated`` are booleans or 0/1 floats. The returns the value
    network is fitted to are ``advantages + values``.
    """
    _check_gamma(gamma, lam)
    term, trunc = terminated.to(rewards.dtype), truncated.to(rewards.dtype)
    alive = 1.0 - term  # bootstrap unless terminated
    goes_on = 1.0 - torch.maximum(term, trunc)  # the same episode continues at t + 1
    advantages = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * alive[t] * next_values[t] - values[t]  # TD error delta_t
        running = delta + gamma * lam * goes_on[t] * running  # A_t = delta_t + g l A_{t+1}
        advantages[t] = running
    return advantages


# --8<-- [end:gae]


def normalize_advantages(advantages: Tensor, eps: float = 1e-8) -> Tensor:
    r"""$(\hat A - \mathrm{mean}) / (\mathrm{std} + \epsilon)$: one scale for every batch."""
    return (advantages - advantages.mean()) / (advantages.std(correction=0) + eps)
