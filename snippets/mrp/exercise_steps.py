import torch

from dlcourse.mdp import MRP, STUDENT_DAY_STATES, evaluate_iterative, solve, student_day
from dlcourse.runtime import device

day = student_day(gamma=1.0).to(device())
# reward 1 per step, gamma = 1: the value is the expected number of steps to Sleep
counting = MRP(day.P, torch.ones_like(day.R), gamma=1.0, terminal=day.terminal)
tau = solve(counting)
for name, steps in zip(STUDENT_DAY_STATES, tau.tolist(), strict=True):
    print(f"{name:>9}: {steps:5.2f} steps expected before Sleep")

result = evaluate_iterative(day, tol=1e-8)
change = result.deltas[-1]
error = (result.values - solve(day)).abs().max().item()
bound = (tau.max().item() - 1) * change  # |v_k - v| <= (max tau - 1) |change|
print(f"gamma = 1: {result.sweeps} sweeps, last change {change:.2e}")
print(f"actual error {error:.2e} <= (max tau - 1) * change = {bound:.2e}")
print(f"bound holds: {error <= bound}; error above tol = 1e-8: {error > 1e-8}")
