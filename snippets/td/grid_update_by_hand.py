"""Two Q-learning updates by hand, on a Q-table that starts at zero."""

import torch

from dlcourse.gridworld import DOWN, RIGHT
from dlcourse.td import control_target

q = torch.zeros(16, 4, dtype=torch.float64)  # Q[s, a]: a row per state
alpha, gamma = 0.5, 0.9

# 14 --right--> 15: reward 1 and the episode terminates, so the target is r alone
target = 1.0
q[14, RIGHT] += alpha * (target - q[14, RIGHT])  # Q(s, a) += alpha [target - Q(s, a)]
print(f"Q(14, right) = {q[14, RIGHT].item():.3f}   target {target:.3f}")

# 10 --down--> 14: reward 0, but 14 now promises something: target 0 + 0.9 * max_a Q(14, a)
target = control_target("q_learning", q[14], 0.0, gamma, epsilon=0.0)
q[10, DOWN] += alpha * (target - q[10, DOWN])
print(f"Q(10, down)  = {q[10, DOWN].item():.3f}   target {target:.3f}")
print("row 10 (up, down, left, right):", q[10].tolist())
print("row 14 (up, down, left, right):", q[14].tolist())
