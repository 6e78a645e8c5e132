r"""The DQN update: the TD target, the Huber loss, and the target network's update.

$$
y = r + \gamma\,(1 - \text{terminated})\,\max_{a'} Q_{\bar\theta}(s', a'), \qquad
L(\theta) = \frac{1}{B}\sum_i \ell_1^{\text{smooth}}\big(Q_\theta(s_i, a_i) - y_i\big),
$$

where an n-step transition carries the discounted sum of n rewards as ``r`` and is called
with ``gamma`` to the power n; with the Double DQN target of van Hasselt et al. (2016) as an
option, and the target network
refreshed by ``target <- tau * online + (1 - tau) * target``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlcourse.agents.replay import Batch

__all__ = ["dqn_loss", "td_target", "update_target"]


# --8<-- [start:td_target]
def td_target(
    batch: Batch, q_net: nn.Module, target_net: nn.Module, gamma: float, double_dqn: bool
) -> Tensor:
    """The temporal-difference target of each transition, computed without gradient.

    DQN:        y = r + gamma * (1 - terminated) * max_a' Q_target(s', a')
    Double DQN: y = r + gamma * (1 - terminated) * Q_target(s', argmax_a' Q_online(s', a'))
    """
    with torch.no_grad():  # the target is a label: no gradient flows into it
        next_q = target_net(batch.next_obs)  # Q_target(s', .)
        if double_dqn:  # the online network chooses a', the target network values it
            best = q_net(batch.next_obs).argmax(dim=1, keepdim=True)
            next_value = next_q.gather(1, best).squeeze(1)
        else:  # max_a' Q_target(s', a')
            next_value = next_q.max(dim=1).values
        # bootstrap unless the episode *terminated*; a truncated one is cut, not over
        return batch.rewards + gamma * (1.0 - batch.terminated) * next_value


# --8<-- [end:td_target]


# --8<-- [start:loss]
def dqn_loss(
    batch: Batch, q_net: nn.Module, target_net: nn.Module, gamma: float, double_dqn: bool
) -> Tensor:
    """Huber loss between Q(s, a) of the actions taken and their TD targets."""
    y = td_target(batch, q_net, target_net, gamma, double_dqn)
    q = q_net(batch.obs).gather(1, batch.actions.unsqueeze(1)).squeeze(1)  # Q(s, a)
    return F.smooth_l1_loss(q, y)  # Huber: quadratic within 1 of y, linear beyond


# --8<-- [end:loss]


@torch.no_grad()
def update_target(target: nn.Module, online: nn.Module, tau: float) -> None:
    """``target <- tau * online + (1 - tau) * target`` (a copy when ``tau`` is 1), in place."""
    for t, o in zip(target.parameters(), online.parameters(), strict=True):
        if tau == 1.0:
            t.copy_(o)
        else:
            t.lerp_(o, tau)
