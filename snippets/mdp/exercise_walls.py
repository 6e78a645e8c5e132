"""Exercise: a wall across the grid. A hand-written policy round it, evaluated and checked."""

import torch

from dlcourse.gridworld import DOWN, LEFT, RIGHT, GridWorld
from dlcourse.mdp import bellman_residual, solve

maze = GridWorld(walls=[(1, 0), (1, 1), (1, 2)], goal=(2, 0))
mdp = maze.to_mdp(gamma=0.9)
row = torch.arange(16, device=mdp.device) // 4
col = torch.arange(16, device=mdp.device) % 4
# column 3, above row 2: down; the rest of the top row: right; below the wall: left
policy = torch.where((col == 3) & (row < 2), DOWN, torch.where(row == 0, RIGHT, LEFT))
policy = torch.where((row == 3) & (col == 0), 0, policy)  # bottom-left corner: up to the goal
v = solve(mdp.induced_mrp(policy))
print(f"v(start) = {v[0].item():.6f}, gamma^7 = {0.9**7:.6f}")
print(f"Bellman residual: {bellman_residual(mdp, v):.2e}")
assert abs(v[0].item() - 0.9**7) < 1e-12
assert bellman_residual(mdp, v) < 1e-12, "the policy is optimal"
