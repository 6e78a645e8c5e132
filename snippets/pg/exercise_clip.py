"""Exercise: write PPO's clipped policy loss and check it against ppo_loss on one minibatch."""

import gymnasium as gym
import torch

from dlcourse.pg import ActorCritic, PPOConfig, ppo_loss


def clipped_policy_loss(log_probs, old_log_probs, advantages, clip):
    """-mean(min(rho A, clip(rho, 1 - eps, 1 + eps) A)) with rho = exp(log pi - log pi_old)."""
    ratio = (log_probs - old_log_probs).exp()
    return -torch.min(ratio * advantages, ratio.clamp(1 - clip, 1 + clip) * advantages).mean()


torch.manual_seed(0)
space = gym.spaces.Discrete(2)
policy = ActorCritic(4, space)
batch = {
    "obs": torch.randn(256, 4),
    "actions": torch.randint(0, 2, (256,)),
    "advantages": torch.randn(256),
    "returns": torch.randn(256),
}
with torch.no_grad():  # an old policy that differs: log-probabilities moved at random
    logp = policy.log_prob(policy.distribution(batch["obs"]), batch["actions"])
batch["log_probs"] = logp + 0.3 * torch.randn(256)
config = PPOConfig(normalize_advantages=False)
_, stats = ppo_loss(policy, batch, 0.2, config)
mine = clipped_policy_loss(logp, batch["log_probs"], batch["advantages"], 0.2)
print(
    f"ppo_loss: {stats['policy_loss']:.5f}, mine: {mine:.5f}, "
    f"clip fraction {stats['clip_fraction']:.2f}"
)
assert torch.allclose(mine, stats["policy_loss"], atol=1e-6)
unclipped = -((logp - batch["log_probs"]).exp() * batch["advantages"]).mean()
assert not torch.allclose(unclipped, stats["policy_loss"], atol=1e-3)  # the clip mattered
