"""The replay buffer is a ring: preallocated tensors and a write position that wraps."""

import numpy as np

from dlcourse.agents import ReplayBuffer

buffer = ReplayBuffer(capacity=4, obs_shape=(1,))
for t in range(6):  # six transitions into four slots: the two oldest are overwritten
    buffer.add(
        obs=np.array([[t]]),
        actions=np.array([0]),
        rewards=np.array([float(t)]),
        next_obs=np.array([[t + 1]]),
        terminated=np.array([False]),
    )
print("rewards stored:", buffer.rewards.tolist(), "| next write at row", buffer.pos)
batch = buffer.sample(8, np.random.default_rng(0))  # uniform, with replacement
print("a sampled batch of rewards:", batch.rewards.tolist())
