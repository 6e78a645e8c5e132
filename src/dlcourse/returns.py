r"""Returns: the quantity every reinforcement-learning method in the course estimates.

For rewards $r_1, r_2, \dots, r_T$ the return from step $t$ is
$G_t = \sum_{k=0}^{T-t-1} \gamma^k r_{t+k+1}$, which satisfies the recursion
$G_t = r_{t+1} + \gamma G_{t+1}$ with $G_T = 0$.
"""

from __future__ import annotations

import torch

__all__ = ["discounted_return", "returns_to_go"]


def _check(rewards: torch.Tensor, gamma: float) -> None:
    if not isinstance(rewards, torch.Tensor) or rewards.ndim != 1:
        raise ValueError(
            f"rewards must be a 1-D tensor (one reward per step), got "
            f"{type(rewards).__name__} with shape {getattr(rewards, 'shape', None)}"
        )
    if not rewards.is_floating_point():
        raise ValueError(f"rewards must be a floating-point tensor, got dtype {rewards.dtype}")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must lie in [0, 1], got {gamma}")


def discounted_return(rewards: torch.Tensor, gamma: float) -> torch.Tensor:
    r"""$G_0 = \sum_k \gamma^k r_{k+1}$, as one vectorised dot product.

    Args:
        rewards: 1-D float tensor, `rewards[t]` $= r_{t+1}$.
        gamma: discount factor in $[0, 1]$.

    Raises:
        ValueError: rewards not a 1-D float tensor, or gamma outside $[0, 1]$.
    """
    _check(rewards, gamma)
    powers = gamma ** torch.arange(len(rewards), dtype=rewards.dtype, device=rewards.device)
    return (powers * rewards).sum()  # G_0 = sum_k gamma^k r_{k+1}


def returns_to_go(rewards: torch.Tensor, gamma: float) -> torch.Tensor:
    r"""Every $G_t$ of an episode, by the recursion $G_t = r_{t+1} + \gamma G_{t+1}$.

    Args:
        rewards: 1-D float tensor, `rewards[t]` $= r_{t+1}$.
        gamma: discount factor in $[0, 1]$.

    Raises:
        ValueError: rewards not a 1-D float tensor, or gamma outside $[0, 1]$.
    """
    _check(rewards, gamma)
    out = torch.empty_like(rewards)
    running = torch.zeros((), dtype=rewards.dtype, device=rewards.device)
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running  # G_t = r_{t+1} + gamma G_{t+1}
        out[t] = running
    return out
