"""Exercise: no exploration at all, but ties broken at random."""

from dataclasses import replace

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import GRID_Q_LEARNING, greedy_path_length
from dlcourse.td import train_td_control

lucky = replace(
    GRID_Q_LEARNING, episodes=50, epsilon_start=0.0, epsilon_end=0.0, tie_break="random"
)
result = train_td_control(lucky)
print("steps of the first 10 episodes:", result.steps[:10])
print("steps of the last 10 episodes: ", result.steps[-10:])
print("greedy path:", greedy_path_length(GridWorld(), greedy_actions(result.q)), "steps")
