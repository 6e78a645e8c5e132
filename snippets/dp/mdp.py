"""Dynamic programming on the grid world, section by section as on the page.

The page includes this file's sections in order; the file also runs on its own.
"""

# --8<-- [start:grid]
from dlcourse.gridworld import GridWorld
from dlcourse.runtime import device

WALLS = [(1, 1), (1, 2), (1, 3), (3, 2), (3, 3), (3, 4), (4, 1)]
env = GridWorld(render_mode="ansi", height=6, width=6, walls=WALLS, slip=0.1)
mdp = env.to_mdp(gamma=0.9, device=device())  # successor lists; mdp.P is the dense view
env.reset(seed=0)
print(env.render())
print(f"{mdp.num_states} states, {mdp.num_actions} actions")
print(f"gamma = {mdp.gamma}, slip = {env.slip}")
# --8<-- [end:grid]

# --8<-- [start:evaluation]
import torch

from dlcourse.mdp import evaluate_iterative, solve

S, A = mdp.num_states, mdp.num_actions
uniform = torch.full((S, A), 1 / A, dtype=mdp.dtype, device=mdp.device)
mrp = mdp.induced_mrp(uniform)  # evaluating a policy = evaluating its MRP
v_exact = solve(mrp)  # exactly: (I - gamma P_pi) V = R_pi

for inplace in (False, True):
    run = evaluate_iterative(mrp, tol=1e-6, inplace=inplace)
    error = (run.values - v_exact).abs().max().item()
    name = "in-place" if inplace else "synchronous"
    print(f"{name:>11}: {run.sweeps} sweeps, error {error:.1e}", end="")
    print(f" <= bound {run.error_bound:.1e}")
    if not inplace:
        evaluation = run  # kept for the convergence plot
# --8<-- [end:evaluation]

# --8<-- [start:iteration]
from dlcourse.mdp import bellman_residual, policy_iteration, solve, value_iteration

pi_run = policy_iteration(mdp)
vi_run = value_iteration(mdp, tol=1e-6, snapshots=[0, 1, 2, 3, 10])
print(f"policy iteration: {pi_run.iterations} policies evaluated")
print(f"value iteration: {vi_run.sweeps} sweeps")
print(f"  error bound {vi_run.error_bound:.1e}")

v_star = solve(mdp.induced_mrp(pi_run.policy))  # the closed form
error = (vi_run.values - v_star).abs().max().item()
print("  |V - V*| within the bound:", error <= vi_run.error_bound)
residual = bellman_residual(mdp, vi_run.values)  # ||T V - V||
print("  Bellman residual <= gamma * last change:",
      residual <= mdp.gamma * vi_run.deltas[-1])  # fmt: skip
print("same greedy policy:", torch.equal(vi_run.policy, pi_run.policy))
# --8<-- [end:iteration]

# --8<-- [start:sweeps]
from dlcourse.plots.dp import plot_value_sweeps

panels = {f"sweep {k}": v for k, v in vi_run.snapshots.items()}
panels[f"converged (sweep {vi_run.sweeps})"] = vi_run.values
fig = plot_value_sweeps(
    panels,
    env.height,
    env.width,
    walls=WALLS,
    goal=env.goal,
    cols=2,
)
# --8<-- [end:sweeps]

# --8<-- [start:policy]
from dlcourse.plots.grid import plot_policy

fig = plot_policy(
    vi_run.policy,
    env.height,
    env.width,
    walls=WALLS,
    goal=env.goal,
    start=env.start,
    title="greedy policy of V*",
)
# --8<-- [end:policy]

# --8<-- [start:convergence]
from dlcourse.plots.dp import plot_convergence

fig = plot_convergence(
    {
        "policy evaluation (uniform policy)": evaluation.deltas,
        "value iteration": vi_run.deltas,
        "policy iteration": pi_run.deltas,
    }
)
# --8<-- [end:convergence]

# --8<-- [start:steps]
from dlcourse.gridworld import GridWorld
from dlcourse.mdp import policy_iteration, value_iteration
from dlcourse.runtime import device

# -1 per step, nothing at the goal, no discount: -V*(s) = expected steps
steps_env = GridWorld(
    height=6,
    width=6,
    walls=WALLS,
    slip=0.1,
    step_reward=-1.0,
    goal_reward=0.0,
)
steps_mdp = steps_env.to_mdp(gamma=1.0, device=device())
vi_steps = value_iteration(steps_mdp, tol=1e-9)
pi_steps = policy_iteration(steps_mdp)
expected = -vi_steps.values[steps_env.start].item()
print(f"expected steps from the start: {expected:.3f}")
print(f"value iteration: {vi_steps.sweeps} sweeps")
print(f"  error bound {vi_steps.error_bound}")
gap = (vi_steps.values - pi_steps.values).abs().max().item()
print("agrees with policy iteration:", gap < 1e-7)
# --8<-- [end:steps]

# --8<-- [start:stuck]
# walls around the top-left corner: from there, no policy reaches the goal
boxed = GridWorld(
    height=3,
    width=3,
    walls=[(0, 1), (1, 0), (1, 1)],
    step_reward=-1.0,
)
try:
    value_iteration(boxed.to_mdp(gamma=1.0, device=device()))
except ValueError as error:
    print("ValueError:", error)
# --8<-- [end:stuck]

# --8<-- [start:peer]
import mdptoolbox.mdp
import numpy as np
import torch

from dlcourse.mdp import TabularMDP, policy_iteration, solve, value_iteration


def to_mdptoolbox(model: TabularMDP) -> tuple[np.ndarray, np.ndarray]:
    """P as [A, S, S] with rows summing to 1, R as [S, A]."""
    P = model.P.permute(1, 0, 2).cpu().numpy().copy()
    # terminal states become absorbing with reward 0: value 0 either way
    terminal = np.flatnonzero(model.terminal.cpu().numpy())
    P[:, terminal, terminal] = 1.0
    return P, model.R.cpu().numpy()


def compare(name: str, model: TabularMDP, epsilon: float = 0.01) -> None:
    P, R = to_mdptoolbox(model)
    ours_pi = policy_iteration(model)
    v_star = ours_pi.values

    def as_tensor(x: tuple) -> torch.Tensor:  # pymdptoolbox returns tuples
        return torch.as_tensor(np.array(x), device=v_star.device)

    their_pi = mdptoolbox.mdp.PolicyIteration(P, R, model.gamma)
    their_pi.run()
    same_v = (as_tensor(their_pi.V) - v_star).abs().max().item() < 1e-9
    same_policy = torch.equal(as_tensor(their_pi.policy), ours_pi.policy)
    print(f"{name}: policy iteration, same V*: {same_v}", end="")
    print(f", same policy: {same_policy}")
    # value iteration, both stopping once a sweep changes the values by
    # less than epsilon (1 - gamma) / gamma
    their_vi = mdptoolbox.mdp.ValueIteration(P, R, model.gamma, epsilon=epsilon)
    their_vi.run()
    ours_vi = value_iteration(model, tol=2 * epsilon)
    for who, values, policy in [
        ("theirs", as_tensor(their_vi.V), as_tensor(their_vi.policy)),
        ("ours  ", ours_vi.values, ours_vi.policy),
    ]:
        loss = (v_star - solve(model.induced_mrp(policy))).max().item()
        error = (values - v_star).abs().max().item()
        print(f"  VI {who}: policy loss {loss:.1e}, |V - V*| {error:.1e}")
    print(f"  our error bound: {ours_vi.error_bound:.1e}")


compare("grid world", mdp)
# a random MDP: 20 states, 4 actions, no terminal state
gen = torch.Generator().manual_seed(0)
P_r = torch.rand(20, 4, 20, generator=gen, dtype=torch.float64) ** 4
P_r /= P_r.sum(dim=-1, keepdim=True)
R_r = torch.randn(20, 4, generator=gen, dtype=torch.float64)
compare("random MDP", TabularMDP(P_r, R_r, 0.9).to(device()))
# --8<-- [end:peer]
