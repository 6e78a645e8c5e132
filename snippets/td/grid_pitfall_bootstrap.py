"""Pitfall: bootstrapping from the goal state inflates every value."""

from dlcourse.qlearning import QNetworkConfig, train_q_network

# run alone, this file first trains the correct network (on the page: the block above qnet.py's)
net_result = train_q_network(QNetworkConfig(seed=0))

# --8<-- [start:table]
from dataclasses import replace

from dlcourse.qlearning import GRID_Q_LEARNING
from dlcourse.td import train_td_control

gamma = 0.9
masked = train_td_control(replace(GRID_Q_LEARNING, seed=0, q_init=1.0))
leaky = train_td_control(replace(GRID_Q_LEARNING, seed=0, q_init=1.0, bootstrap_terminal=True))
print(f"true Q(start, best) = gamma^5                 {gamma**5:.4f}")
print(f"table, no bootstrap from the goal             {masked.q[0].max().item():.4f}")
print(f"table, bootstraps from the goal               {leaky.q[0].max().item():.4f}")
print("Q(goal, .) in the table, never updated:", leaky.q[15].tolist())
# --8<-- [end:table]

# --8<-- [start:network]
leaky_net = train_q_network(QNetworkConfig(seed=0, bootstrap_terminal=True))
print(f"network, no bootstrap from the goal           {net_result.q[0].max().item():.4f}")
print(f"network, bootstraps from the goal             {leaky_net.q[0].max().item():.4f}")
print("Q(goal, .) of that network:", [round(x, 3) for x in leaky_net.q[15].tolist()])
assert leaky_net.q[0].max().item() > gamma**5 + 0.5
# --8<-- [end:network]

# --8<-- [start:figure]
import matplotlib.pyplot as plt

from dlcourse.plots.grid import plot_values

top = leaky_net.q.max().item()
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6), layout="constrained")
for ax, run, name in [
    (left, net_result, "terminal masked"),
    (right, leaky_net, "bootstraps from the goal"),
]:
    v = run.q.max(dim=1).values  # max_a Q(s, a)
    title = r"$\mathrm{max}_a\, Q(s, a)$, " + name
    plot_values(v, 4, 4, goal=15, ax=ax, vmin=0.0, vmax=top, title=title)
fig.set_label(
    "Two heatmaps of max_a Q(s, a) from the Q-network on one colour scale: with terminal "
    "masking the values stay close to the true ones; bootstrapping from the goal inflates "
    "all of them."
)
# --8<-- [end:figure]
