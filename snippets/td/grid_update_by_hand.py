"""Two Q-learning updates by hand, on a Q-table that starts at zero."""

import torch

from dlcourse.gridworld import DOWN, RIGHT
from dlcourse.qlearning import q_update
from dlcourse.runtime import device

q = torch.zeros(16, 4, dtype=torch.float64, device=device())  # Q[s, a]: a row per state
alpha, gamma = 0.5, 0.9

# 14 --right--> 15: reward 1 and the episode terminates, so the target is r alone
td = q_update(q, 14, RIGHT, 1.0, 15, True, alpha, gamma)
print(f"Q(14, right) = {q[14, RIGHT].item():.3f}   TD error {td:.3f}")

# 10 --down--> 14: reward 0, but 14 now promises something: target 0 + 0.9 * 0.5
td = q_update(q, 10, DOWN, 0.0, 14, False, alpha, gamma)
print(f"Q(10, down)  = {q[10, DOWN].item():.3f}   TD error {td:.3f}")
print("row 10 (up, down, left, right):", q[10].tolist())
print("row 14 (up, down, left, right):", q[14].tolist())
