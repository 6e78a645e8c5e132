"""Is a policy optimal? Evaluate it, then compare max_a q_pi(s, a) with v_pi(s) everywhere."""

# --8<-- [start:check]
import torch

from dlcourse.gridworld import DOWN, RIGHT, GridWorld
from dlcourse.mdp import action_values, bellman_residual, solve

env = GridWorld()  # the 4x4 grid: start 0, goal 15, reward 1 for entering the goal
mdp = env.to_mdp(gamma=0.9)
row = torch.arange(mdp.num_states, device=mdp.device) // 4
# a deterministic policy as one action per state: down until the bottom row, then right
down_then_right = torch.where(row < 3, DOWN, RIGHT)
uniform = torch.full((mdp.num_states, mdp.num_actions), 0.25, dtype=mdp.dtype, device=mdp.device)

for name, policy in [("down, then right", down_then_right), ("uniform random", uniform)]:
    v_pi = solve(mdp.induced_mrp(policy))  # v_pi: the policy's MRP, solved exactly
    q_pi = action_values(mdp, v_pi)  # q_pi(s, a) = R(s, a) + gamma sum_s' P(s'|s, a) v_pi(s')
    residual = bellman_residual(mdp, v_pi)  # max_s |max_a q_pi(s, a) - v_pi(s)|
    print(f"{name:>16}: v_pi(start) = {v_pi[env.start].item():.5f}, Bellman residual "
          f"{residual:.5f}")  # fmt: skip
    if name == "uniform random":
        print("  q_pi(start, .) (up, down, left, right):",
              [round(x, 5) for x in q_pi[env.start].tolist()])  # fmt: skip

v_hand = solve(mdp.induced_mrp(down_then_right))
assert bellman_residual(mdp, v_hand) < 1e-12, "the hand-written policy is optimal"
assert abs(v_hand[env.start].item() - 0.9**5) < 1e-12, "its value is the shortest path's"
assert bellman_residual(mdp, solve(mdp.induced_mrp(uniform))) > 0.1
# --8<-- [end:check]
