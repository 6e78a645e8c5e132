"""Tabular Q-learning on the 4x4 grid: train, look at the table, test it, plot it."""

# --8<-- [start:train]
from dataclasses import replace

from dlcourse.qlearning import GRID_Q_LEARNING
from dlcourse.td import train_td_control

config = replace(GRID_Q_LEARNING, seed=0)
print(
    f"{config.method} on {config.env_id}: {config.episodes} episodes, alpha {config.alpha}, "
    f"gamma {config.gamma}, epsilon {config.epsilon_start} -> {config.epsilon_end} over the "
    f"first {config.exploration_fraction:.0%} of the episodes"
)
result = train_td_control(config)  # gym.make(config.env_id), seeded with config.seed
print(f"goal reached in {sum(result.success)} of {config.episodes} episodes")
print("steps in the first 10 episodes:", result.steps[:10])
print("steps in the last 10 episodes: ", result.steps[-10:])
# --8<-- [end:train]

# --8<-- [start:table]
q = result.q  # the Q-table, [16 states, 4 actions], float64
print("state     up   down   left  right")
for s in range(16):
    print(f"{s:5d}  " + "  ".join(f"{value:.3f}" for value in q[s].tolist()))
# --8<-- [end:table]

# --8<-- [start:check]
import torch

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import greedy_path_length

policy = greedy_actions(q)  # pi(s) = argmax_a Q(s, a)
v = q.max(dim=1).values  # V(s) = max_a Q(s, a)
# the truth: from a cell d steps from the goal the best return is gamma^(d - 1)
row, col = torch.arange(16) // 4, torch.arange(16) % 4
d = ((3 - row) + (3 - col)).double()
v_star = torch.where(d > 0, config.gamma ** (d - 1), 0.0)
path = greedy_path_length(GridWorld(), policy)
print(f"greedy path from the start: {path} steps")
print(f"V(start) = {v[0].item():.5f},  gamma^5 = {config.gamma**5:.5f}")
print(f"largest |V(s) - V*(s)| over all 16 states: {(v - v_star).abs().max().item():.5f}")
assert path == 6
assert abs(v[0].item() - config.gamma**5) < 1e-3
# --8<-- [end:check]

# --8<-- [start:curve]
from dlcourse.plots.grid import plot_learning_curve

fig = plot_learning_curve(
    result.steps, result.success, window=20, optimal_steps=6, title="Tabular Q-learning, seed 0"
)
# --8<-- [end:curve]

# --8<-- [start:policy]
import matplotlib.pyplot as plt

from dlcourse.plots.grid import plot_policy, plot_values

fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6), layout="constrained")
plot_policy(
    policy,
    4,
    4,
    start=0,
    goal=15,
    ax=left,
    title=r"greedy policy $\pi(s) = \mathrm{argmax}_a\, Q(s, a)$",
)
plot_values(v, 4, 4, goal=15, ax=right, fmt="{:.3f}", title=r"$V(s) = \mathrm{max}_a\, Q(s, a)$")
fig.set_label(
    "Left: the learned greedy policy as arrows on the grid. Right: the learned state values "
    "as a heatmap, largest next to the goal."
)
# --8<-- [end:policy]
