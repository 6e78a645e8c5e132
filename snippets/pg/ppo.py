"""PPO on CartPole-v1: three seeds, their curves and statistics, the clip, the policy, pitfalls."""

# --8<-- [start:train]
import gymnasium as gym

from dlcourse.pg import PPOConfig, evaluate_policy, train

threshold = gym.spec("CartPole-v1").reward_threshold
runs = {seed: train(PPOConfig(seed=seed)) for seed in (0, 1, 2)}  # the defaults
print("seed  training steps  updates  check steps  evaluation mean  min")
for seed, run in runs.items():
    returns = evaluate_policy(run.policy, "CartPole-v1", episodes=100)  # the verdict
    print(
        f"{seed:>4}  {run.env_steps:>14}  {run.log.updates:>7}  {run.log.check_steps:>11}  "
        f"{returns.mean():>15.1f}  {returns.min():>3.0f}"
    )
    assert run.stopped_early and returns.mean() >= threshold, f"seed {seed} is not solved"
    assert run.env_steps <= 100_000
print(f"every seed solved within {PPOConfig().total_steps} steps")
# --8<-- [end:train]

# --8<-- [start:curves]
from dlcourse.plots.pg import plot_learning_curves

fig = plot_learning_curves(
    [(run.log.episode_end_steps, run.log.episode_returns) for run in runs.values()],
    labels=[f"seed {seed}" for seed in runs],
    threshold=threshold,
    title="PPO on CartPole-v1",
)
# --8<-- [end:curves]

# --8<-- [start:stats]
import numpy as np

from dlcourse.plots.pg import plot_update_stats

fig = plot_update_stats({f"seed {seed}": run.log.stats for seed, run in runs.items()})
print("seed  updates  approximate KL: mean    max   clip fraction: mean    max")
for seed, run in runs.items():
    kl, clip = (np.array(run.log.stats[k]) for k in ("approx_kl", "clip_fraction"))
    print(
        f"{seed:>4}  {len(kl):>7}  {kl.mean():>20.4f}  {kl.max():>6.4f}  "
        f"{clip.mean():>19.3f}  {clip.max():>6.3f}"
    )
    assert kl.max() < 0.1 and clip.mean() < 0.5  # small steps: most rows are never clipped
# --8<-- [end:stats]

# --8<-- [start:policy]
import torch

from dlcourse.plots.pg import plot_policy_maps

policy = runs[0].policy
angles = np.linspace(-0.2, 0.2, 41)  # pole angle (radians), 0 is upright
spins = np.linspace(-1.5, 1.5, 41)  # pole angular velocity (radians per step)
grid = np.array([[0.0, 0.0, a, w] for w in spins for a in angles], dtype=np.float32)
with torch.no_grad():  # the cart at rest in the middle: x = 0, x_dot = 0
    right = policy.distribution(torch.as_tensor(grid)).probs[:, 1].reshape(41, 41)
fig = plot_policy_maps(
    [(right.numpy(), "P(push right) of the trained policy")],
    angles,
    spins,
    "pole angle",
    "pole angular velocity",
    vmin=0.0,
    vmax=1.0,
)
states = {  # (cart position, cart velocity, pole angle, pole angular velocity)
    "upright and still": [0.0, 0.0, 0.0, 0.0],
    "leaning right, falling right": [0.0, 0.0, 0.1, 0.5],
    "leaning left, falling left": [0.0, 0.0, -0.1, -0.5],
}
with torch.no_grad():
    probs = policy.distribution(torch.tensor(list(states.values()))).probs[:, 1]
for (name, _), p in zip(states.items(), probs, strict=True):
    print(f"P(push right | {name}) = {p:.3f}")
assert probs[1] > 0.9 and probs[2] < 0.1  # push under the pole, the way it falls
with torch.no_grad():
    swinging_back = policy.distribution(torch.tensor([[0.0, 0.0, 0.05, -1.0]])).probs[0, 1]
print(f"P(push right | leaning right, swinging back left fast) = {swinging_back:.3f}")
assert swinging_back < 0.5
# --8<-- [end:policy]

# --8<-- [start:frames]
from dlcourse.pg import policy_frames
from dlcourse.plots.dqn import plot_episode_filmstrip, save_episode_gif

frames, total = policy_frames(policy, "CartPole-v1", seed=0, every=5)
gif = save_episode_gif(frames, "cartpole-ppo.gif")
print(f"one episode of the mode policy: return {total:.0f}; {len(frames)} frames in {gif.name}")
fig = plot_episode_filmstrip(frames, count=6, every=5, title="PPO's trained agent")
# --8<-- [end:frames]

# --8<-- [start:noclip]
import torch

from dlcourse.pg import PPOConfig, train
from dlcourse.plots.pg import plot_update_stats

zoo = dict(num_envs=8, minibatch_size=256, gae_lambda=0.8)  # rl-baselines3-zoo's CartPole-v1
aggressive = dict(
    zoo, seed=0, learning_rate=3e-3, anneal=False, total_steps=16_384, stop_return=None
)
clip_runs = {
    "clipped (0.2)": train(PPOConfig(**aggressive)),
    "no clip": train(PPOConfig(**aggressive, clip_range=float("inf"))),
}
print("run            max KL  final entropy  checks (step, mean return)")
for name, run in clip_runs.items():
    checks = [(s, round(m)) for s, m in run.log.checks]
    print(
        f"{name:<13}  {max(run.log.stats['approx_kl']):>6.3f}  "
        f"{run.log.stats['entropy'][-1]:>13.3f}  {checks}"
    )
clipped, free = (run.log for run in clip_runs.values())
assert max(free.stats["approx_kl"]) > 10 * max(clipped.stats["approx_kl"])
assert max(m for _, m in clipped.checks) == 500 > 50 > free.checks[-1][1]
near_upright = 0.05 * torch.randn(1_000, 4, generator=torch.Generator().manual_seed(0))
with torch.no_grad():
    right = clip_runs["no clip"].policy.mode(near_upright).float().mean()
print(f"no clip: share of 1,000 near-upright states where it pushes right: {right:.0%}")
assert right in (0.0, 1.0)  # one push, whatever the state
fig = plot_update_stats(
    {name: run.log.stats for name, run in clip_runs.items()}, names=("approx_kl", "entropy")
)
# --8<-- [end:noclip]

# --8<-- [start:truncation]
import numpy as np

from dlcourse.pg.rollout import Rollout, VectorState, collect_rollout, make_envs, rollout_advantages
from dlcourse.pg.runs import RunLog

solver, gamma = runs[0].policy, runs[0].config.gamma  # the seed-0 PPO policy
two = make_envs("CartPole-v1", 2)
first, _ = two.reset(seed=50_000)
long = Rollout(520, 2, 4, (), True, torch.device("cpu"))  # room for a whole 500-step episode
state = VectorState(first, autoreset=np.zeros(2, dtype=bool), returns=np.zeros(2))
collect_rollout(solver, two, long, state, RunLog())
two.close()
cut = long.truncated & long.valid  # the steps where the time limit ended an episode
print(f"truncated steps in the rollout: {int(cut.sum())}")
right = rollout_advantages(long, gamma, 0.8)[1][cut]
wrong = rollout_advantages(long, gamma, 0.8, bootstrap_truncated=False)[1][cut]
print(f"V(s) at those steps: {long.values[cut].numpy().round(1)}")
print(f"value target, bootstrapped from V(final observation): {right.numpy().round(1)}")
print(f"value target, truncation treated as termination:      {wrong.numpy().round(1)}")
print(f"1 / (1 - gamma), the value of balancing forever: {1 / (1 - gamma):.0f}")
assert cut.any() and (right > 10 * wrong).all()
# --8<-- [end:truncation]

# --8<-- [start:exercise_epochs]
default = PPOConfig(seed=0)
one = train(PPOConfig(seed=0, epochs=1))
returns = evaluate_policy(one.policy, "CartPole-v1", episodes=100)
print(f"epochs={default.epochs} (the run above): {runs[0].env_steps} steps to solve")
print(
    f"epochs=1: {one.env_steps} steps, solved: {one.stopped_early}, "
    f"evaluation mean {returns.mean():.1f}"
)
assert one.env_steps > runs[0].env_steps  # reusing each rollout saves environment steps
# --8<-- [end:exercise_epochs]
