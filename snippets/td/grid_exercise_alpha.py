"""Exercise: compare learning rates on a deterministic and on a slippery floor."""

from dataclasses import replace

import torch

from dlcourse.gridworld import GridWorld
from dlcourse.qlearning import GRID_Q_LEARNING
from dlcourse.td import train_td_control

print("slip  alpha  mean |Q(start, best) - V*(start)| over seeds 0-2, after 200 episodes")
for slip in [0.0, 0.2]:
    env = GridWorld(slip=slip)
    # V*(start) from the exact model, by value iteration
    mdp = env.to_mdp(0.9, device="cpu")
    v = torch.zeros(16, dtype=torch.float64)
    for _ in range(200):
        v = (mdp.R + mdp.gamma * mdp.P @ v).max(dim=1).values
    for alpha in [0.05, 0.2, 1.0]:
        errors = [
            abs(
                train_td_control(
                    replace(GRID_Q_LEARNING, seed=seed, alpha=alpha, episodes=200), env
                )
                .q[0]
                .max()
                .item()
                - v[0].item()
            )
            for seed in range(3)
        ]
        print(f"{slip:4}  {alpha:5}  {sum(errors) / len(errors):.4f}")
