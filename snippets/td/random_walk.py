"""TD(0) against constant-alpha Monte Carlo on the 5-state random walk (S&B Example 6.2)."""

# --8<-- [start:prediction]
import numpy as np

from dlcourse.runtime import seed_everything
from dlcourse.td import RANDOM_WALK_STATES, RandomWalkConfig, rms_curves, true_random_walk_values

SEED = 0
seed_everything(SEED)
config = RandomWalkConfig(episodes=100, runs=100, seed=SEED)
td_alphas, mc_alphas = (0.05, 0.1, 0.15), (0.01, 0.02, 0.03, 0.04)
td = rms_curves("td", td_alphas, config)  # [alphas, episodes], mean over 100 runs
mc = rms_curves("mc", mc_alphas, config)

truth = [round(float(v), 3) for v in true_random_walk_values()]
print("true values:", dict(zip(RANDOM_WALK_STATES, truth, strict=True)))
start = np.sqrt(np.mean((0.5 - true_random_walk_values()) ** 2))
print(f"RMS error before learning: {start:.3f}")
for name, alphas, curves in (("TD(0)", td_alphas, td), ("Monte Carlo", mc_alphas, mc)):
    for alpha, row in zip(alphas, curves, strict=True):
        early, late = row[9], row[-1]
        print(f"{name:>11}, alpha {alpha:<4}: after 10 episodes {early:.3f}, after 100 {late:.3f}")
best_td, best_mc = td[:, -1].min(), mc[:, -1].min()
print(f"best after 100 episodes: TD(0) {best_td:.3f}, Monte Carlo {best_mc:.3f}")
assert best_td < 0.75 * best_mc  # the best TD(0) step size beats the best Monte Carlo one
assert td[:, -1].max() < mc[:, -1].min()  # and so does every TD(0) step size tried
# --8<-- [end:prediction]

# --8<-- [start:plot]
from dlcourse.plots.td import plot_rms_curves

fig = plot_rms_curves({"TD(0)": td, "MC": mc}, {"TD(0)": td_alphas, "MC": mc_alphas})
# --8<-- [end:plot]
