"""Pitfall: an agent that never explores never finds the goal."""

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import QLearningConfig, greedy_path_length, train_q_table

# epsilon = 0 throughout, and ties go to the first action, as np.argmax and torch.argmax do
no_exploration = QLearningConfig(
    episodes=10, epsilon_start=0.0, epsilon_end=0.0, tie_break="first", seed=0
)
stuck = train_q_table(no_exploration)
print("return of each episode:", stuck.returns)
print("steps of each episode: ", stuck.steps)
print("Q-table all zeros:", bool((stuck.q == 0).all()))
print("greedy path to the goal:", greedy_path_length(GridWorld(), greedy_actions(stuck.q)))
assert not any(stuck.success)
