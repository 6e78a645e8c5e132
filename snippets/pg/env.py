"""The two tasks of the chapter: CartPole-v1 (two actions) and Pendulum-v1 (a torque in a box)."""

import gymnasium as gym

for env_id in ("CartPole-v1", "Pendulum-v1"):
    env = gym.make(env_id)
    spec = env.spec
    print(f"{env_id}: observations {env.observation_space}")
    print(f"  actions {env.action_space}, time limit {spec.max_episode_steps} steps")
    env.close()
