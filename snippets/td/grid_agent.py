"""The corrected grid agent: train it, check its learning, value its policy."""

# --8<-- [start:train]
from dlcourse.grid_agent import GridAgentConfig, greedy_path, train_grid_agent

config = GridAgentConfig(seed=0)
result = train_grid_agent(config)
path = greedy_path(result.network, config.size)
print(f"greedy path: {len(path) - 1} steps through cells {path}")
print(f"shortest possible: {2 * (config.size - 1)} steps")
print(f"episodes that reached the goal: {sum(result.reached)} of {config.episodes}")
print("steps in the first 5 episodes:", result.steps[:5])
print("steps in the last 5 episodes: ", result.steps[-5:])
print("undiscounted returns, last 30 episodes:", sorted(set(result.returns[-30:])))
assert len(path) - 1 == 2 * (config.size - 1), "the greedy path is a shortest path"
assert all(result.reached[-10:]), "the last 10 training episodes reach the goal"
# --8<-- [end:train]

# --8<-- [start:plot]
from dlcourse.plots.grid import plot_agent_training

optimal_steps = 2 * (config.size - 1)
fig = plot_agent_training(
    result.steps,
    result.discounted_returns,
    optimal_steps=optimal_steps,
    optimal_return=config.gamma ** (optimal_steps - 1),  # reward 1 on the 8th step
    title="Corrected grid agent, seed 0",
)
# --8<-- [end:plot]

# --8<-- [start:value]
import torch
import torch.nn.functional as F

from dlcourse.grid_agent import coordinates
from dlcourse.gridworld import GridWorld
from dlcourse.mdp import solve
from dlcourse.runtime import device

env = GridWorld(height=config.size, width=config.size)
xy = coordinates(torch.arange(env.num_states), config.size).to(device())
with torch.no_grad():
    q = result.network(xy)  # Q(s, a) for every cell
mdp = env.to_mdp(gamma=config.gamma)
# the greedy policy as probabilities: pi(a|s) = 1 for a = argmax_a Q(s, a)
greedy = F.one_hot(q.argmax(dim=1), mdp.num_actions).to(mdp.P.dtype)
v_greedy = solve(mdp.induced_mrp(greedy))
start = env.start
print(f"the network's estimate, max_a Q(start, a):  {q[start].max().item():.3f}")
print(f"exact value of its greedy policy, v(start): {v_greedy[start].item():.3f}")
print(f"optimal value, gamma^7:                     {config.gamma**7:.3f}")
assert abs(v_greedy[start].item() - config.gamma**7) < 1e-6, "its greedy policy is optimal"
# --8<-- [end:value]
