"""Gymnasium 1.x's vector environments reset one step *after* an episode ends (NEXT_STEP)."""

import numpy as np

from dlcourse.dqn import make_vector_env

envs = make_vector_env("CartPole-v1", num_envs=1)
obs, _ = envs.reset(seed=0)
t = 0
while True:  # push right until the pole falls: CartPole ends such an episode within 500 steps
    obs, reward, terminated, truncated, _ = envs.step(np.array([1]))
    t += 1
    if terminated[0] or truncated[0]:
        break
print(f"step {t}: the episode ends, terminated={terminated[0]}, pole angle {obs[0, 2]:+.3f}")
next_obs, reward, terminated, truncated, _ = envs.step(np.array([1]))  # the action is ignored
print(f"step {t + 1}: reward {reward[0]}, pole angle {next_obs[0, 2]:+.3f}: a fresh episode")
assert reward[0] == 0 and abs(next_obs[0, 2]) < 0.05  # no transition: only a reset
envs.close()
