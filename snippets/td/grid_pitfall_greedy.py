"""Pitfall: an agent that never explores never finds the goal."""

from dataclasses import replace

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import GRID_Q_LEARNING, greedy_path_length
from dlcourse.td import train_td_control

# epsilon = 0 throughout, and ties go to the first action, as np.argmax and torch.argmax do
no_exploration = replace(
    GRID_Q_LEARNING, episodes=10, epsilon_start=0.0, epsilon_end=0.0, tie_break="first", seed=0
)
stuck = train_td_control(no_exploration)
print("return of each episode:", stuck.returns)
print("steps of each episode: ", stuck.steps)
print("Q-table all zeros:", bool((stuck.q == 0).all()))
print("greedy path to the goal:", greedy_path_length(GridWorld(), greedy_actions(stuck.q)))
assert not any(stuck.success)
