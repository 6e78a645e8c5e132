"""The course's 4x4 grid world: its states and actions, a picture, and its exact model."""

# --8<-- [start:env]
from dlcourse.gridworld import ACTION_NAMES, DOWN, RIGHT, GridWorld

env = GridWorld(render_mode="ansi")  # 4x4, start in state 0, goal in state 15, reward 1 there
state, info = env.reset(seed=0)
print("observation space:", env.observation_space, "  action space:", env.action_space)
print("actions:", dict(enumerate(ACTION_NAMES)))
print(env.render())
for action in [RIGHT, RIGHT, DOWN]:
    state, reward, terminated, truncated, info = env.step(action)
    print(f"{ACTION_NAMES[action]:>5} -> s' = {state:2d}, r = {reward}, terminated = {terminated}")
print(env.render())
# --8<-- [end:env]

# --8<-- [start:picture]
import matplotlib.pyplot as plt

from dlcourse.plots.grid import plot_frame, plot_grid

frame_env = GridWorld(render_mode="rgb_array")
frame_env.reset(seed=0)
fig, (left, right) = plt.subplots(1, 2, figsize=(7, 3.6), layout="constrained")
plot_grid(4, 4, start=env.start, goal=env.goal, ax=left, title="state s = 4 * row + col")
plot_frame(frame_env.render(), ax=right, title='env.render() in "rgb_array" mode')
fig.set_label(
    "Left: the 4x4 grid with states 0 to 15, start S in state 0 and goal G in state 15. "
    "Right: the environment's own rendered frame, the agent as a red disc on the start cell."
)
# --8<-- [end:picture]

# --8<-- [start:dynamics]
# env.P[s][a] lists the outcomes (probability, s', r, terminated): the table of p(s', r | s, a)
print("p(s', r | s=14, right):", env.P[14][RIGHT])
print("p(s', r | s=0,  up):   ", env.P[0][0], "  (bumping into the edge: stay put)")
slippery = GridWorld(slip=0.2)  # with probability 0.2 the agent moves in another direction
print("slippery, s=14, right:")
for p, s_next, r, terminated in slippery.P[14][RIGHT]:
    print(f"    ({p:.3f}, {s_next}, {r}, {terminated})")
# --8<-- [end:dynamics]

# --8<-- [start:model]
gamma = 0.9
mdp = env.to_mdp(gamma)  # a TabularMDP: P[s, a, s'], R[s, a], gamma, terminal[s]
print("P:", tuple(mdp.P.shape), "  R:", tuple(mdp.R.shape), "  gamma:", mdp.gamma)
print("terminal states:", mdp.terminal.nonzero().flatten().tolist())
print("R(14, right) =", mdp.R[14, RIGHT].item(), "  R(0, right) =", mdp.R[0, RIGHT].item())
row_sums = mdp.P.sum(dim=2)  # sum over s' of P(s' | s, a), for every s and a
print("row sums, s = 0: ", row_sums[0].tolist())
print("row sums, s = 15:", row_sums[15].tolist())

# the return of a shortest path: five steps with reward 0, then reward 1 entering the goal
rewards = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
G = 0.0
for r in reversed(rewards):
    G = r + gamma * G  # G_t = r_{t+1} + gamma G_{t+1}
print(f"G_0 = {G:.5f} = gamma^5 = {gamma**5:.5f}")
# --8<-- [end:model]
