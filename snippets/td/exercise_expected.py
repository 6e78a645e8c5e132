"""Exercise: Expected SARSA with epsilon = 0 is Q-learning; with epsilon = 1, an average."""

import torch

from dlcourse.td import control_target

q_next = torch.tensor([0.5, -1.0, 2.0, 2.0], dtype=torch.float64)
greedy = control_target("expected_sarsa", q_next, 1.0, 0.9, epsilon=0.0, a_next=0)
print(
    "epsilon = 0 gives the Q-learning target:",
    greedy == control_target("q_learning", q_next, 1.0, 0.9, 0.0, 0),
)
uniform = control_target("expected_sarsa", q_next, 1.0, 0.9, epsilon=1.0, a_next=0)
print("epsilon = 1 averages Q(S', .):", abs(uniform - (1.0 + 0.9 * q_next.mean().item())) < 1e-12)
