"""A student's day as an MRP: its tensors, its graph, a few sampled episodes."""

# --8<-- [start:build]
from dlcourse.mdp import STUDENT_DAY_STATES, student_day
from dlcourse.runtime import device

day = student_day(gamma=0.9).to(device())
names = STUDENT_DAY_STATES
print("P[s, s'] (row: from s, column: to s')")
print(" " * 9 + "".join(f"{name:>9}" for name in names))
for name, row in zip(names, day.P.tolist(), strict=True):
    print(f"{name:>9}" + "".join(f"{p:9.1f}" for p in row))
print("R[s]:", dict(zip(names, day.R.tolist(), strict=True)))
terminal = [name for name, t in zip(names, day.terminal.tolist(), strict=True) if t]
print("terminal:", terminal)
# --8<-- [end:build]

# --8<-- [start:draw]
from dlcourse.plots.mrp import plot_chain

positions = {
    "Lecture": (0, 0),
    "Lab": (2, 0),
    "Homework": (4, 0),
    "Sleep": (6, 0),
    "Coffee": (3, 1.6),
    "Phone": (3, -1.8),
}
fig = plot_chain(
    day.P,
    names,
    rewards=day.R,
    terminal=day.terminal,
    positions=positions,
    title="A student's day",
)
# --8<-- [end:draw]

# --8<-- [start:sample]
import torch

from dlcourse.returns import discounted_return

P, R = day.P.cpu(), day.R.cpu()
generator = torch.Generator().manual_seed(0)
for _ in range(4):
    s, path, rewards = 0, [], []  # every episode starts at the Lecture
    for _step in range(1000):  # a bound, although Sleep comes long before
        path.append(names[s])
        rewards.append(R[s].item())  # r_{t+1} = R(S_t)
        # S_{t+1} ~ P(. | S_t)
        s = torch.multinomial(P[s], 1, generator=generator).item()
        if day.terminal[s]:
            break
    rewards = torch.tensor(rewards, dtype=torch.float64)
    G = discounted_return(rewards, day.gamma)
    print(f"G_0 = {G.item():6.2f}  " + " > ".join([*path, names[s]]))
# --8<-- [end:sample]
