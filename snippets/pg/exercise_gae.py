"""Exercise: write the GAE recursion and check it against the library on a random rollout."""

import torch

from dlcourse.pg import gae_advantages


def my_gae(rewards, values, next_values, terminated, truncated, gamma, lam):
    """A_t = delta_t + gamma lambda (1 - done_t) A_{t+1}, from the last step backwards."""
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        bootstrap = gamma * next_values[t] * (~terminated[t])  # no future after termination
        delta = rewards[t] + bootstrap - values[t]
        done = terminated[t] | truncated[t]  # the next row is another episode
        running = delta + gamma * lam * running * (~done)
        advantages[t] = running
    return advantages


generator = torch.Generator().manual_seed(0)
T, N = 64, 4  # a rollout of 64 steps of 4 environments, with episode ends inside it
rewards, values, next_values = (torch.randn(T, N, generator=generator) for _ in range(3))
terminated = torch.rand(T, N, generator=generator) < 0.05
truncated = (torch.rand(T, N, generator=generator) < 0.05) & ~terminated
print(f"{int(terminated.sum())} terminated and {int(truncated.sum())} truncated steps")
for lam in (0.0, 0.8, 1.0):
    mine = my_gae(rewards, values, next_values, terminated, truncated, 0.98, lam)
    theirs = gae_advantages(rewards, values, next_values, terminated, truncated, 0.98, lam)
    assert torch.allclose(mine, theirs, atol=1e-5), lam
print("my_gae matches gae_advantages for lambda 0, 0.8 and 1")
# a version that bootstraps through truncation as if it were termination would differ:
as_terminated = my_gae(rewards, values, next_values, terminated | truncated, truncated, 0.98, 0.8)
assert not torch.allclose(
    as_terminated, gae_advantages(rewards, values, next_values, terminated, truncated, 0.98, 0.8)
)
