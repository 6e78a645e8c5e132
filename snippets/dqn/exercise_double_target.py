"""Exercise: the Double DQN target, written by hand and checked against the library's."""

import torch

from dlcourse.agents import Batch
from dlcourse.dqn import QNetwork, td_target


def double_dqn_target(batch: Batch, q_net, target_net, gamma: float) -> torch.Tensor:
    """y = r + gamma * (1 - terminated) * Q_target(s', argmax_a' Q_online(s', a'))."""
    with torch.no_grad():
        choice = q_net(batch.next_obs).argmax(dim=1, keepdim=True)  # the online network chooses
        value = target_net(batch.next_obs).gather(1, choice).squeeze(1)  # the target values it
        return batch.rewards + gamma * (1.0 - batch.terminated) * value


torch.manual_seed(0)
online, target = QNetwork(4, 2, (16,)), QNetwork(4, 2, (16,))  # two different networks
g = torch.Generator().manual_seed(1)
batch = Batch(
    obs=torch.randn(256, 4, generator=g),
    actions=torch.randint(0, 2, (256,), generator=g),
    rewards=torch.ones(256),
    next_obs=torch.randn(256, 4, generator=g),
    terminated=(torch.rand(256, generator=g) < 0.1).float(),
)
mine = double_dqn_target(batch, online, target, gamma=0.99)
library = td_target(batch, online, target, 0.99, double_dqn=True)
plain = td_target(batch, online, target, 0.99, double_dqn=False)
torch.testing.assert_close(mine, library)  # the same target as the library's
differ = int((mine != plain).sum())
print(f"matches td_target(double_dqn=True) on all {len(mine)} transitions")
print(f"differs from the plain max target on {differ}, where the two networks disagree")
assert differ > 0 and bool((mine <= plain).all())  # the max over Q_target is never below it
