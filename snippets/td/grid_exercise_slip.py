"""Exercise: a slippery floor. Learned values and policy against the exact model's."""

from dataclasses import replace

import matplotlib.pyplot as plt
import torch

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import GridWorld
from dlcourse.plots.grid import plot_policy
from dlcourse.qlearning import GRID_Q_LEARNING
from dlcourse.td import train_td_control

slippery = GridWorld(slip=0.2)
# noisy targets: a smaller step size averages them, late exploration keeps all states fresh
config = replace(
    GRID_Q_LEARNING, seed=0, alpha=0.3, episodes=400, epsilon_end=0.3, exploration_fraction=0.3
)
learned = train_td_control(config, slippery)

# the exact answer from the model: value iteration, Q(s,a) = R(s,a) + gamma sum_s' P V(s')
mdp = slippery.to_mdp(config.gamma, device="cpu")
v_star = torch.zeros(16, dtype=torch.float64)
for _ in range(200):
    q_star = mdp.R + mdp.gamma * mdp.P @ v_star
    v_star = q_star.max(dim=1).values

policy = greedy_actions(learned.q)
# regret: how much worse the learned action is than the best one, by the exact model
regret = v_star - q_star.gather(1, policy[:, None]).squeeze(1)
print(f"V*(start) = {v_star[0].item():.4f} (gamma^5 = {config.gamma**5:.4f} without slip)")
print(f"learned max_a Q(start, a) = {learned.q[0].max().item():.4f}")
print(f"mean steps of the last 100 episodes: {sum(learned.steps[-100:]) / 100:.1f}")
print(f"largest regret of a greedy action: {regret[:15].max().item():.4f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
plot_policy(policy, 4, 4, start=0, goal=15, ax=left, title="learned, slip 0.2")
plot_policy(greedy_actions(q_star), 4, 4, start=0, goal=15, ax=right, title="optimal, slip 0.2")
fig.set_label("Learned and optimal greedy policies on the slippery grid, side by side")
