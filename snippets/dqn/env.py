"""CartPole-v1 as DQN sees it: sizes read from the spaces, and the bar to clear."""

import gymnasium as gym

env = gym.make("CartPole-v1")
obs_dim = env.observation_space.shape[0]  # cart position and velocity, pole angle and rate
n_actions = env.action_space.n  # push left (0) or right (1)
print(f"observation: {env.observation_space}")
print(f"actions: {env.action_space}; obs_dim={obs_dim}, n_actions={n_actions}")
print(f"episodes are truncated after {env.spec.max_episode_steps} steps")
print(f"solved means a mean return of at least {env.spec.reward_threshold}")
env.close()
