"""Three setup pitfalls, each shown by a run."""

# --8<-- [start:unpack]
import gymnasium as gym

env = gym.make("CartPole-v1")
env.reset(seed=0)
try:
    obs, reward, done, info = env.step(0)  # the old gym 0.21 API: four values
except ValueError as error:
    print("ValueError:", error)
obs, reward, terminated, truncated, info = env.step(0)  # gymnasium 1.x: five values
print(f"terminated = {terminated}, truncated = {truncated}")
# --8<-- [end:unpack]

# --8<-- [start:seed]
import torch

from dlcourse.runtime import seed_everything


def random_actions(seed_actions: bool) -> list[int]:
    seed_everything(0)  # Python, NumPy and torch, but not the environment's own generators
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    if seed_actions:
        env.action_space.seed(0)
    return [int(env.action_space.sample()) for _ in range(64)]


# unseeded, the action space draws from OS entropy: two runs agree with probability 2^-64
print("two runs agree, action_space not seeded:", random_actions(False) == random_actions(False))
print("two runs agree, action_space seeded:    ", random_actions(True) == random_actions(True))
assert random_actions(True) == random_actions(True)
# --8<-- [end:seed]

# --8<-- [start:cuda]
from dlcourse.runtime import device

try:
    x = torch.zeros(3, device="cuda")  # hard-coded: works only where there is a GPU
    print("this machine has a GPU:", x.device)
except (RuntimeError, AssertionError) as error:
    print(f"{type(error).__name__}: {error}")
print("device() chose:", device())
# --8<-- [end:cuda]
