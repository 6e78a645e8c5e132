"""Exercise: how the discount changes the work of VI and PI."""

import torch

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import TabularMDP, policy_iteration, value_iteration
from dlcourse.runtime import device

WALLS = [(1, 1), (1, 2), (1, 3), (3, 2), (3, 3), (3, 4), (4, 1)]
grid = GridWorld(height=6, width=6, walls=WALLS, slip=0.1)
# a random MDP with 36 states and no terminal state
gen = torch.Generator().manual_seed(0)
P = torch.rand(36, 4, 36, generator=gen, dtype=torch.float64) ** 4
P /= P.sum(dim=-1, keepdim=True)
R = torch.randn(36, 4, generator=gen, dtype=torch.float64)

print("        grid world        random MDP")
print("gamma   VI sweeps  PI     VI sweeps  PI")
for gamma in (0.5, 0.9, 0.99, 0.999):
    row = f"{gamma:<7}"
    for mdp in (grid.to_mdp(gamma=gamma), TabularMDP(P, R, gamma)):
        mdp = mdp.to(device())
        vi = value_iteration(mdp, tol=1e-6)
        pi = policy_iteration(mdp)
        row += f" {vi.sweeps:>9} {pi.iterations:>3}    "
    print(row.rstrip())
