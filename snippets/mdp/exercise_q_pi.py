"""Exercise: q_pi from v_pi with one tensor expression, checked against action_values."""

import torch

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import action_values, solve

mdp = GridWorld().to_mdp(gamma=0.9)
pi = torch.full((16, 4), 0.25, dtype=mdp.dtype, device=mdp.device)  # pi(a|s), uniform
v = solve(mdp.induced_mrp(pi))
# q(s, a) = R(s, a) + gamma sum_s' P(s'|s, a) v(s'):  P is [S, A, S'], P @ v sums over s'
q = mdp.R + mdp.gamma * mdp.P @ v
print("largest difference from action_values:", (q - action_values(mdp, v)).abs().max().item())
# v(s) = sum_a pi(a|s) q(s, a), for every non-terminal state
v_again = (pi * q).sum(dim=1).masked_fill(mdp.terminal, 0.0)
print("largest |v - sum_a pi q|:", (v - v_again).abs().max().item())
assert torch.allclose(q, action_values(mdp, v), atol=1e-12)
assert torch.allclose(v, v_again, atol=1e-12)
