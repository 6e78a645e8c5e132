import torch

from dlcourse.mdp import evaluate_iterative, solve, student_day
from dlcourse.runtime import device

day = student_day(gamma=0.9).to(device())
tol = 1e-6
threshold = tol * (1 - day.gamma) / day.gamma  # the rule of evaluate_iterative
v = torch.zeros_like(day.R)
sweeps = 0
while sweeps < 10_000:
    sweeps, delta = sweeps + 1, 0.0
    for s in range(day.num_states):
        # in place: states after s in this sweep already see the new v[s]
        new = day.R[s] + day.gamma * day.P[s] @ v
        delta = max(delta, abs(new - v[s]).item())
        v[s] = new
    if delta <= threshold:
        break
error = (v - solve(day)).abs().max().item()
print(f"in place: {sweeps} sweeps, error {error:.1e}")
two_arrays = evaluate_iterative(day, tol=tol).sweeps
print(f"two arrays (evaluate_iterative): {two_arrays} sweeps")
