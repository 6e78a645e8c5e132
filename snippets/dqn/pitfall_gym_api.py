"""An environment loop written for the old gym API (before gymnasium): fails on gymnasium 1.x."""

import gymnasium as gym

env = gym.make("CartPole-v1")
state = env.reset()  # gymnasium returns (observation, info), not just the observation
next_state, reward, done, info = env.step(0)  # ValueError: too many values to unpack
