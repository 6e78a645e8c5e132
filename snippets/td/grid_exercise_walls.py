"""Exercise: walls between the start and the goal."""

from dataclasses import replace

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.plots.grid import plot_policy
from dlcourse.qlearning import GRID_Q_LEARNING, greedy_path_length
from dlcourse.td import train_td_control

walls = [(1, 0), (1, 1), (1, 2)]
maze = GridWorld(walls=walls, goal=(2, 0))  # goal under the wall: go round by column 3
config = replace(GRID_Q_LEARNING, seed=0)
result = train_td_control(config, maze)
policy = greedy_actions(result.q)
path = greedy_path_length(maze, policy)
print(
    f"greedy path: {path} steps; Q(start, best) = {result.q[0].max().item():.5f}, "
    f"gamma^7 = {config.gamma**7:.5f}"
)
assert path == 8

fig = plot_policy(policy, 4, 4, walls=walls, start=0, goal=(2, 0), title="greedy policy, walls")
fig.set_label(
    "Greedy policy on the grid with a wall across it: right along the top row, down the "
    "right-hand column, then left to the goal"
)
