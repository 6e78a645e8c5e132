"""The return G_t of one short episode, computed three ways."""

import torch

from dlcourse.returns import discounted_return, returns_to_go

gamma = 0.9
rewards = torch.tensor([0.0, 0.0, 1.0, 0.0, 5.0])  # r_1 .. r_5

by_hand = sum(gamma**k * r for k, r in enumerate(rewards.tolist()))  # G_0 = sum_k gamma^k r_{k+1}
print(f"G_0 by the sum:        {by_hand:.4f}")
print(f"G_0 vectorised:        {discounted_return(rewards, gamma).item():.4f}")
print(f"G_t for every t:       {returns_to_go(rewards, gamma)}")
