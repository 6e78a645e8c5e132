"""The grid world through Gymnasium's registry: gymnasium.make("dlcourse/GridWorld-v0")."""

# --8<-- [start:make]
import gymnasium as gym

import dlcourse.gridworld  # noqa: F401  (importing it registers "dlcourse/GridWorld-v0")

env = gym.make("dlcourse/GridWorld-v0", render_mode="rgb_array")
print(env.spec.id, "  max_episode_steps:", env.spec.max_episode_steps)
print("wrapped:", env)

# a random policy: how long does a random walk take to stumble into the goal?
env.action_space.seed(0)
lengths, successes = [], 0
for episode in range(200):
    state, info = env.reset(seed=episode)
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):  # the TimeLimit wrapper truncates at 100 steps
        state, reward, terminated, truncated, info = env.step(env.action_space.sample())
        steps += 1
    lengths.append(steps)
    successes += terminated
print(
    f"random policy: goal reached in {successes} of 200 episodes,\n"
    f"mean length {sum(lengths) / len(lengths):.1f} steps (shortest possible: 6)"
)
# --8<-- [end:make]

# --8<-- [start:frames]
import matplotlib.pyplot as plt

from dlcourse.gridworld import ACTION_NAMES
from dlcourse.plots.grid import plot_frame

state, info = env.reset(seed=0)
env.action_space.seed(9)  # a seed whose first four random actions all move the agent
fig, axes = plt.subplots(1, 5, figsize=(10, 2.4), layout="constrained")
plot_frame(env.render(), ax=axes[0], title="t = 0")
for t, ax in enumerate(axes[1:], start=1):
    action = env.action_space.sample()
    state, reward, terminated, truncated, info = env.step(action)
    plot_frame(env.render(), ax=ax, title=f"t = {t}: {ACTION_NAMES[action]}")
fig.set_label("Five rendered frames of a random walk on the grid, the agent as a red disc")
env.close()
# --8<-- [end:frames]
