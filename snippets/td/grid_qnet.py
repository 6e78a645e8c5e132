"""The same agent with a small Q-network: one-hot state in, 24-24 hidden units, Q-values out."""

# --8<-- [start:loss]
import torch

from dlcourse.gridworld import DOWN, RIGHT
from dlcourse.qlearning import OneHotQNetwork, td_loss
from dlcourse.runtime import device, seed_everything

dev = device()
seed_everything(0)  # seeds the network's initial weights
net = OneHotQNetwork(num_states=16, num_actions=4, hidden=24).to(dev)
print(net)

# two transitions: 9 --down--> 13 (r = 0) and 14 --right--> 15 (r = 1, the goal: done = 1)
states = torch.tensor([9, 14], device=dev)
actions = torch.tensor([DOWN, RIGHT], device=dev)
rewards = torch.tensor([0.0, 1.0], device=dev)
next_states = torch.tensor([13, 15], device=dev)
dones = torch.tensor([0.0, 1.0], device=dev)
loss = td_loss(net, states, actions, rewards, next_states, dones, gamma=0.9)
loss.backward()
print(f"loss {loss.item():.4f}")
# column s of the first layer only ever sees the one-hot input of state s
grad = net.net[0].weight.grad.abs().sum(dim=0)
for s in [9, 14, 13, 15]:
    print(f"state {s:2d}: gradient {grad[s].item():.4f}")
# --8<-- [end:loss]

# --8<-- [start:train]
from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import QNetworkConfig, greedy_path_length, train_q_network

net_config = QNetworkConfig(seed=0)
print(
    f"{net_config.episodes} episodes, hidden {net_config.hidden}-{net_config.hidden}, "
    f"Adam lr {net_config.lr}, batches of {net_config.batch_size} from the last "
    f"{net_config.buffer_size} transitions"
)
net_result = train_q_network(net_config)  # on dlcourse.runtime.device()
net_policy = greedy_actions(net_result.q)
net_path = greedy_path_length(GridWorld(), net_policy)
print(f"goal reached in {sum(net_result.success[-50:])} of the last 50 episodes")
print(f"greedy path from the start: {net_path} steps")
print(f"Q(start, best) = {net_result.q[0].max().item():.3f},  gamma^5 = {0.9**5:.3f}")
assert net_path == 6
assert abs(net_result.q[0].max().item() - 0.9**5) < 0.1  # near, not on: the fit keeps moving
# --8<-- [end:train]

# --8<-- [start:curve]
from dlcourse.plots.grid import plot_learning_curve

fig = plot_learning_curve(
    net_result.steps,
    net_result.success,
    window=20,
    optimal_steps=6,
    title="Q-learning with a 24-24 Q-network, seed 0",
)
# --8<-- [end:curve]
