"""Exercise: no target network. The target copies the online network after every step."""

from dlcourse.dqn import DQNConfig, evaluate, train

# shortened to 10,240 steps (five greedy checks) so the page stays fast
config = DQNConfig(seed=0, total_steps=10_240, target_update_interval=1, tau=1.0)
no_target = train(config)
print("greedy checks without a target network:", [(s, round(m)) for s, m in no_target.checks])
print("a check reached 500 within the budget:", no_target.stopped_early)
mean = evaluate(no_target.network, episodes=100).mean()
print(f"evaluation mean: {mean:.1f}")
assert len(no_target.checks) >= 1 and no_target.env_steps <= config.total_steps
