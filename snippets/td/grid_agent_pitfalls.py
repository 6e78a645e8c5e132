"""Two ways a naive coordinate agent goes wrong, each shown by a short real run."""

# --8<-- [start:untrained]
from dlcourse.grid_agent import CoordinateQNetwork, greedy_path
from dlcourse.runtime import device, seed_everything

seed_everything(0)
untrained = CoordinateQNetwork().to(device())
path = greedy_path(untrained, size=5, max_steps=200)
print(f"200 greedy steps of an untrained network reach the goal: {path[-1] == 24}")
print(f"distinct cells visited: {sorted(set(path))}")
# --8<-- [end:untrained]

# --8<-- [start:gamma]
from dataclasses import replace

import torch

from dlcourse.grid_agent import GridAgentConfig, coordinates, train_grid_agent

config = replace(GridAgentConfig(seed=0), gamma=0.99, episodes=10)
diverged = train_grid_agent(config)
with torch.no_grad():
    q = diverged.network(coordinates(torch.arange(25), 5).to(device()))
print(f"gamma = 0.99, {config.episodes} episodes: largest Q {q.max().item():.1f}")
print("largest possible return: 1.0 (the goal's reward, once)")
# --8<-- [end:gamma]
