"""What the discount does to the student's values, from gamma = 0 to gamma = 1."""

import torch

from dlcourse.mdp import STUDENT_DAY_STATES, solve, student_day
from dlcourse.runtime import device

names = STUDENT_DAY_STATES  # defined by the page's earlier blocks too

# --8<-- [start:table]
gammas = [0.0, 0.5, 0.9, 0.99, 1.0]
print(f"{'gamma':>6}" + "".join(f"{name:>10}" for name in names))
for gamma in gammas:
    values = solve(student_day(gamma).to(device()))
    print(f"{gamma:>6g}" + "".join(f"{x:10.3f}" for x in values.tolist()))
# --8<-- [end:table]

# --8<-- [start:plot]
from dlcourse.plots.mrp import plot_values_vs_gamma

grid = torch.linspace(0.0, 1.0, 101, dtype=torch.float64).tolist()
curves = torch.stack([solve(student_day(g).to(device())) for g in grid])
fig = plot_values_vs_gamma(
    grid,
    curves[:, :-1],  # every state but Sleep, whose value is always 0
    names[:-1],
    marks=gammas,
    title="Values of a student's day against gamma",
)
# --8<-- [end:plot]

# --8<-- [start:singular]
import textwrap

from dlcourse.mdp import MRP

day = student_day(gamma=1.0).to(device())
P = day.P.clone()
P[3] = 0.0
P[3, 3] = 1.0  # the phone is never put down: Phone -> Phone with probability 1
hooked = MRP(P, day.R, gamma=1.0, terminal=day.terminal)
try:
    solve(hooked)
except ValueError as err:
    print(textwrap.fill(f"ValueError: {err}", width=80))
patient = MRP(P, day.R, gamma=0.9, terminal=day.terminal)
print(f"with gamma = 0.9: v(Phone) = {solve(patient)[3].item():.3f}")
# --8<-- [end:singular]

# --8<-- [start:raw]
import torch

# two states that pass the chain back and forth forever, gamma = 1, no check
P = torch.tensor([[1 / 3, 2 / 3], [0.1, 0.9]], dtype=torch.float64)
R = torch.ones(2, dtype=torch.float64)
print(torch.linalg.solve(torch.eye(2, dtype=torch.float64) - P, R))
# --8<-- [end:raw]
