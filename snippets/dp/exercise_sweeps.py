"""Exercise: a bound on the number of value-iteration sweeps."""

import math

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import value_iteration
from dlcourse.runtime import device

WALLS = [(1, 1), (1, 2), (1, 3), (3, 2), (3, 3), (3, 4), (4, 1)]
env = GridWorld(height=6, width=6, walls=WALLS, slip=0.1)
mdp = env.to_mdp(gamma=0.9, device=device())
tol = 1e-6
run = value_iteration(mdp, tol=tol)

# delta_k <= gamma^(k-1) delta_1; the loop stops once
# delta_k < tol (1 - gamma) / (2 gamma)
gamma = mdp.gamma
threshold = tol * (1 - gamma) / (2 * gamma)
bound = 1 + math.ceil(math.log(threshold / run.deltas[0]) / math.log(gamma))
print(f"contraction bound: at most {bound} sweeps")
print(f"value iteration needed {run.sweeps}")
