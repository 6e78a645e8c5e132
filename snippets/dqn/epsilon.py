"""The exploration schedule: epsilon falls linearly with the environment step, then stays flat."""

from dlcourse.agents import LinearSchedule
from dlcourse.dqn import DQNConfig

config = DQNConfig()
epsilon = LinearSchedule(config.epsilon_start, config.epsilon_end, config.exploration_steps)
for step in (0, config.exploration_steps // 2, config.exploration_steps, config.total_steps):
    print(f"epsilon at step {step:>6}: {epsilon(step):.2f}")
