from fractions import Fraction

import torch

from dlcourse.mdp import MRP, solve

# A -> B (R = 1); B -> A or T, 1/2 each (R = 2); T terminal; gamma = 1/2
P = torch.tensor([[0, 1, 0], [0.5, 0, 0.5], [0, 0, 0]], dtype=torch.float64)
R = torch.tensor([1.0, 2.0, 0.0], dtype=torch.float64)
terminal = torch.tensor([False, False, True])
v = solve(MRP(P, R, gamma=0.5, terminal=terminal))

# by hand: v(A) = 1 + v(B)/2 and v(B) = 2 + v(A)/4,
# so v(B) = 2 + 1/4 + v(B)/8, v(B) = 18/7 and v(A) = 1 + 9/7 = 16/7
v_B = Fraction(18, 7)
v_A = 1 + v_B / 2
print(f"by hand: v(A) = {v_A} = {float(v_A):.6f}, v(B) = {v_B} = {float(v_B):.6f}")
print(f"solve(): v(A) = {v[0].item():.6f}, v(B) = {v[1].item():.6f}")
print(f"solve(): v(T) = {v[2].item():g}")
