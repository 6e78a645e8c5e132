"""A random policy on CartPole-v1 with the gymnasium 1.x API (5-tuple step), and a plot."""

# --8<-- [start:run]
import gymnasium as gym

env = gym.make("CartPole-v1")
env.action_space.seed(0)
returns = []
for episode in range(100):
    observation, info = env.reset(seed=episode)
    total, terminated, truncated = 0.0, False, False
    while not (terminated or truncated):
        action = env.action_space.sample()
        observation, reward, terminated, truncated, info = env.step(action)
        total += reward
    returns.append(total)
env.close()
print(f"random policy: mean return {sum(returns) / len(returns):.1f} over {len(returns)} episodes")
print(f"best {max(returns):.0f}, worst {min(returns):.0f}; solving CartPole-v1 means 475")
# --8<-- [end:run]

# --8<-- [start:plot]
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3))
ax.hist(returns, bins=20, color="tab:blue", alpha=0.8)
ax.axvline(475, color="tab:red", linestyle="--", label="solved (475)")
ax.set_xlabel("episode return")
ax.set_ylabel("episodes")
ax.set_title("A random policy on CartPole-v1")
ax.legend()
fig.set_label("Histogram of 100 random-policy returns on CartPole-v1, far below 475")
# --8<-- [end:plot]
