"""Single-sample updates: the default schedule of gradient steps, each on one transition."""

from dlcourse.dqn import DQNConfig, evaluate, train

# shortened to 10,240 steps, like the exercises; batch_size=1 is the only change
config = DQNConfig(seed=0, total_steps=10_240, batch_size=1)
single = train(config)
print("greedy checks, batches of one:", [(s, round(m)) for s, m in single.checks])
print(f"gradient steps: {single.gradient_steps}")
mean = evaluate(single.network, episodes=100).mean()
print(f"evaluation mean: {mean:.1f}")
assert not single.stopped_early and mean < 475  # not solved
