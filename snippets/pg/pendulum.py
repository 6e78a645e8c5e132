"""PPO with a Gaussian policy on Pendulum-v1: train, judge, its std, its policy, a collapsed std."""

# --8<-- [start:train]
from dlcourse.pg import PPOConfig, evaluate_policy, train

config = PPOConfig.for_pendulum(seed=0)  # Gaussian policy: the action space is a Box
pendulum = train(config)
returns = evaluate_policy(pendulum.policy, "Pendulum-v1", episodes=100)  # the mean action
print(
    f"training: {pendulum.env_steps} steps, {pendulum.log.updates} updates; "
    f"stopped by a check: {pendulum.stopped_early}"
)
print("checks (step, mean return):", [(s, round(m)) for s, m in pendulum.log.checks])
print(f"evaluation: mean return {returns.mean():.1f} over 100 episodes, min {returns.min():.0f}")
assert returns.mean() >= -200, "the pendulum was not swung up"
# --8<-- [end:train]

# --8<-- [start:std]
from dlcourse.plots.pg import plot_update_stats

stds = pendulum.log.stats["action_std"]
print(
    f"the policy's standard deviation: {stds[0]:.2f} after the first update, {stds[-1]:.2f} "
    "after the last"
)
fig = plot_update_stats({"seed 0": pendulum.log.stats}, names=("action_std", "approx_kl"))
# --8<-- [end:std]

# --8<-- [start:policy]
import numpy as np
import torch

from dlcourse.plots.pg import plot_policy_maps

angles = np.linspace(-np.pi, np.pi, 61)  # 0 is upright
speeds = np.linspace(-8.0, 8.0, 41)  # the observation's angular velocity, in [-8, 8]
grid = np.array([[np.cos(a), np.sin(a), w] for w in speeds for a in angles], dtype=np.float32)
with torch.no_grad():
    mean_action = pendulum.policy.mode(torch.as_tensor(grid))[:, 0].reshape(41, 61)
fig = plot_policy_maps(
    [(mean_action.clamp(-2, 2).numpy(), "mean torque (clipped to [-2, 2])")],
    angles,
    speeds,
    "angle (0 = upright)",
    "angular velocity",
    vmin=-2.0,
    vmax=2.0,
)
outside = (mean_action.abs() > 2).float().mean()
print(f"share of these states where the mean torque lies outside [-2, 2]: {outside:.0%}")
# --8<-- [end:policy]

# --8<-- [start:frames]
from dlcourse.pg import policy_frames
from dlcourse.plots.dqn import plot_episode_filmstrip, save_episode_gif

frames, total = policy_frames(pendulum.policy, "Pendulum-v1", seed=0, every=2)
gif = save_episode_gif(frames, "pendulum-ppo.gif", scale=0.4)
print(f"one episode of the mean action: return {total:.1f}; {len(frames)} frames in {gif.name}")
fig = plot_episode_filmstrip(frames, count=6, every=2, title="Swinging up", crop=False)
# --8<-- [end:frames]

# --8<-- [start:collapse]
collapsed = train(PPOConfig.for_pendulum(seed=0, log_std_init=-3.0))  # else as above
for name, run in {"std 1 at the start": pendulum, "std 0.05 at the start": collapsed}.items():
    stds = run.log.stats["action_std"]
    final = evaluate_policy(run.policy, "Pendulum-v1", episodes=100).mean()
    print(
        f"{name}: std {stds[0]:.3f} -> {stds[-1]:.3f}, last check "
        f"{run.log.checks[-1][1]:.0f}, evaluation {final:.1f}"
    )
assert evaluate_policy(collapsed.policy, "Pendulum-v1", episodes=100).mean() < -400
# --8<-- [end:collapse]
