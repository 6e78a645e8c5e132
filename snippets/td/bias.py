"""Maximization bias: Q-learning against Double Q-learning (S&B Example 6.7)."""

# --8<-- [start:run]
from dlcourse.runtime import seed_everything
from dlcourse.td import BiasConfig, left_fraction

SEED = 0
seed_everything(SEED)
config = BiasConfig(episodes=300, runs=2000, seed=SEED)
fractions = {m: left_fraction(m, config) for m in ("q_learning", "double_q")}
optimal = config.epsilon / 2  # epsilon-greedy on the right action still goes left eps / 2
for method, f in fractions.items():
    print(f"{method:>10}: left from A at most {f.max():.1%} (episode {f.argmax() + 1}), "
          f"over the last 50 episodes {f[-50:].mean():.1%}")  # fmt: skip
print(f"optimal under epsilon = {config.epsilon}: {optimal:.0%}")
assert fractions["q_learning"][-50:].mean() > fractions["double_q"][-50:].mean()
assert fractions["double_q"][-50:].mean() < 2 * optimal
# --8<-- [end:run]

# --8<-- [start:plot]
from dlcourse.plots.td import plot_left_fraction

fig = plot_left_fraction(fractions, optimal)
# --8<-- [end:plot]
