"""SARSA, Q-learning and Expected SARSA on Gymnasium's CliffWalking (S&B Example 6.6)."""

# --8<-- [start:train]
import numpy as np

from dlcourse.runtime import seed_everything
from dlcourse.td import TDControlConfig, greedy_trajectory, train_td_control

SEED = 0
seed_everything(SEED)
runs = {}
for method in ("sarsa", "q_learning", "expected_sarsa"):
    config = TDControlConfig(method=method, episodes=500, alpha=0.5, epsilon_start=0.1, seed=SEED)
    runs[method] = train_td_control(config)

for method, run in runs.items():
    online = np.mean(run.returns[-100:])
    falls = sum(r <= -100 for r in run.returns[-100:])  # a fall costs -100
    path = greedy_trajectory(run.q)
    print(f"{method:>14}: online return {online:6.1f} (last 100 episodes, {falls} with a fall);"
          f" greedy path {len(path) - 1} steps")  # fmt: skip
online = {m: np.mean(r.returns[-100:]) for m, r in runs.items()}
assert online["sarsa"] > online["q_learning"]  # the safe path earns more while exploring
assert len(greedy_trajectory(runs["q_learning"].q)) - 1 == 13  # the optimal, cliff-side path
# --8<-- [end:train]

# --8<-- [start:plots]
from dlcourse.plots.td import plot_cliff_paths, plot_online_returns

fig = plot_online_returns({m: r.returns for m, r in runs.items()})
fig_paths = plot_cliff_paths({m: greedy_trajectory(r.q) for m, r in runs.items()})
# --8<-- [end:plots]
