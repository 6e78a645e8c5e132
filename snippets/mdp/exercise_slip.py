"""Exercise: the down-then-right policy on a slippery floor."""

import torch

from dlcourse.gridworld import DOWN, RIGHT, GridWorld
from dlcourse.mdp import bellman_residual, solve

slippery = GridWorld(slip=0.2)  # with probability 0.2 the move goes another way
mdp = slippery.to_mdp(gamma=0.9)
row = torch.arange(16, device=mdp.device) // 4
policy = torch.where(row < 3, DOWN, RIGHT)
v = solve(mdp.induced_mrp(policy))
residual = bellman_residual(mdp, v)
print(f"v(start) = {v[0].item():.5f}, gamma^5 = {0.9**5:.5f}")
print(f"Bellman residual: {residual:.5f}")
assert v[0].item() < 0.9**5
assert residual > 1e-6, "some cell has a better action than the hand-written one"
