"""The uniform random policy on a 5x5 GridWorld: an MDP and a policy make an MRP."""

# --8<-- [start:induced]
import matplotlib.pyplot as plt
import torch

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import solve
from dlcourse.plots.grid import plot_values

# start top-left, goal bottom-right, reward 1 for entering the goal
env = GridWorld(height=5, width=5)
mdp = env.to_mdp(gamma=0.9)  # P[s, a, s'] and R[s, a], on runtime.device()
S, A = mdp.num_states, mdp.num_actions
# pi(a|s) = 1/4 for every action in every state
uniform = torch.full((S, A), 1.0 / A, dtype=mdp.P.dtype, device=mdp.device)
# P_pi = sum_a pi(a|s) P(s'|s,a), R_pi = sum_a pi(a|s) R(s,a)
mrp = mdp.induced_mrp(uniform)
print("P_pi:", tuple(mrp.P.shape), " R_pi:", tuple(mrp.R.shape))
v_random = solve(mrp)
print(f"random policy, gamma = 0.9: v(start) = {v_random[env.start].item():.4f}")
print(f"shortest path (8 steps):    v(start) = {0.9**7:.4f}")

# reward 1 per step and gamma = 1: v(s) is the expected number of steps to the goal
counting = GridWorld(height=5, width=5, step_reward=1.0, goal_reward=0.0)
steps = solve(counting.to_mdp(gamma=1.0).induced_mrp(uniform))
print(f"random policy: {steps[env.start].item():.1f} steps from start to goal")
# --8<-- [end:induced]

# --8<-- [start:plot]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_values(v_random, 5, 5, goal=env.goal, ax=ax1, title="random policy, gamma 0.9")
plot_values(steps, 5, 5, goal=env.goal, ax=ax2, fmt="{:.0f}", title="steps to goal")
fig.set_label(
    "Two heatmaps on a 5x5 grid: the uniform random policy's values with gamma "
    "0.9, and its expected number of steps to the goal"
)
# --8<-- [end:plot]
