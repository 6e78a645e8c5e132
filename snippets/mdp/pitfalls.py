"""Three ways to get a policy's value wrong on the grid, each refused or shown by a run."""

# --8<-- [start:never]
import torch

from dlcourse.gridworld import UP, GridWorld
from dlcourse.mdp import solve

# reward -1 per step and no discount: v_pi(s) would be minus the number of steps to the goal
counting = GridWorld(step_reward=-1.0, goal_reward=0.0)
always_up = torch.full((counting.num_states,), UP)
try:
    solve(counting.to_mdp(gamma=1.0).induced_mrp(always_up))
except ValueError as error:
    print("ValueError:", error)
v = solve(counting.to_mdp(gamma=0.9).induced_mrp(always_up))
print(f"with gamma = 0.9 instead: v(start) = {v[counting.start].item():.4f}, "
      f"-1 / (1 - gamma) = {-1 / (1 - 0.9):.4f}")  # fmt: skip
# --8<-- [end:never]

# --8<-- [start:truncated]
import gymnasium as gym

import dlcourse.gridworld  # noqa: F401  (registers dlcourse/GridWorld-v0)

env = gym.make("dlcourse/GridWorld-v0")
state, info = env.reset(seed=0)
steps, terminated, truncated = 0, False, False
while not (terminated or truncated):
    state, reward, terminated, truncated, info = env.step(UP)  # into the top edge, forever
    steps += 1
print(f"after {steps} steps: state {state}, terminated = {terminated}, truncated = {truncated}")
assert truncated and not terminated
# --8<-- [end:truncated]

# --8<-- [start:rows]
grid = GridWorld().to_mdp(gamma=0.9)
preferences = torch.ones(grid.num_states, grid.num_actions, dtype=grid.dtype)  # rows sum to 4
try:
    grid.induced_mrp(preferences)
except ValueError as error:
    print("ValueError:", error)
print("fixed by normalising each row:",
      grid.induced_mrp(preferences / preferences.sum(dim=1, keepdim=True)))  # fmt: skip
# --8<-- [end:rows]
