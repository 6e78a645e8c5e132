"""Value iteration on a 1000 x 1000 grid world: one million states, the same two calls."""

# --8<-- [start:solve]
import torch

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import value_iteration
from dlcourse.runtime import device

n = 1000
gen = torch.Generator().manual_seed(0)
walls = torch.zeros(n, n, dtype=torch.bool)
for _ in range(40):  # wall segments, 8 cells thick, 100 to 400 cells long
    r, c = torch.randint(0, n, (2,), generator=gen).tolist()
    length = int(torch.randint(100, 400, (1,), generator=gen))
    if torch.rand(1, generator=gen).item() < 0.5:
        walls[r : r + 8, c : c + length] = True
    else:
        walls[r : r + length, c : c + 8] = True
walls[490:511, 490:511] = False  # keep the goal's neighbourhood free

env = GridWorld(height=n, width=n, goal=(500, 500), walls=walls, step_reward=-1.0, goal_reward=0.0)
big = env.to_mdp(gamma=1.0, dtype=torch.float32, device=device())
dense_bytes = big.num_states * big.num_actions * big.num_states * 4
print(f"{big.num_states:,} states")
print(f"successor model: {big.nbytes() / 2**20:.0f} MiB")
print(f"a dense P would need {dense_bytes / 2**40:.1f} TiB")

result = value_iteration(big)
steps = -result.values  # V* = -(fewest steps to the goal)
print(f"converged: {result.converged} after {result.sweeps} sweeps")
print(f"error bound: {result.error_bound}")
print(f"farthest reachable cell: {int(steps.max())} steps from the goal")
# --8<-- [end:solve]

# --8<-- [start:plot]
from dlcourse.plots.dp import plot_value_image

fig = plot_value_image(
    steps,
    n,
    n,
    walls=walls,
    goal=(500, 500),
    cmap="viridis",
    label="steps to the goal",
    title="1000 x 1000 grid: fewest steps to the goal",
)
# --8<-- [end:plot]
