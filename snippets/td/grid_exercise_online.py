"""Exercise: the online update, one gradient step on the latest transition, no replay."""

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import QNetworkConfig, greedy_path_length, train_q_network

online = QNetworkConfig(seed=0, batch_size=1, buffer_size=1)  # no replay: the latest step only
result = train_q_network(online)
path = greedy_path_length(GridWorld(), greedy_actions(result.q))
print(f"goal reached in {sum(result.success[-50:])} of the last 50 episodes")
print(f"greedy path: {path} steps;  Q(start, best) = {result.q[0].max().item():.3f}")
assert path == 6
