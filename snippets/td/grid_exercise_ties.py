"""Exercise: no exploration at all, but ties broken at random."""

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import QLearningConfig, greedy_path_length, train_q_table

lucky = QLearningConfig(episodes=50, epsilon_start=0.0, epsilon_end=0.0, tie_break="random")
result = train_q_table(lucky)
print("steps of the first 10 episodes:", result.steps[:10])
print("steps of the last 10 episodes: ", result.steps[-10:])
print("greedy path:", greedy_path_length(GridWorld(), greedy_actions(result.q)), "steps")
