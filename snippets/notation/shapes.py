"""Tensor shapes of a tabular MDP with S states and A actions."""

import torch

S, A = 3, 2
P = torch.full((S, A, S), 1.0 / S, dtype=torch.float64)  # P[s, a, s'] = Pr(s' | s, a)
R = torch.zeros(S, A, dtype=torch.float64)  # R[s, a] = E[r | s, a]
pi = torch.full((S, A), 1.0 / A, dtype=torch.float64)  # pi[s, a] = Pr(a | s)

print("rows of P sum to 1:", torch.allclose(P.sum(dim=-1), torch.ones(S, A, dtype=torch.float64)))
P_pi = torch.einsum("sa,sat->st", pi, P)  # P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)
R_pi = (pi * R).sum(dim=1)  # R_pi[s] = sum_a pi(a|s) R(s, a)
print("P_pi shape:", tuple(P_pi.shape), " R_pi shape:", tuple(R_pi.shape))
