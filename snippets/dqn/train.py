"""Train DQN on CartPole-v1 with the default config on three seeds, check each is solved."""

# --8<-- [start:train]
import gymnasium as gym

from dlcourse.dqn import DQNConfig, greedy_episodes, train

config = DQNConfig(seed=0)  # the defaults; see the table above
threshold = gym.spec(config.env_id).reward_threshold  # solved: a mean return of at least this
result = train(config)  # runs training_loop; stops at the first check reaching stop_return
returns, lengths = greedy_episodes(result.network, config.env_id, episodes=100)  # the verdict

print(
    f"training: {result.env_steps} environment steps (budget {config.total_steps}), "
    f"{result.gradient_steps} gradient steps, {len(result.episode_returns)} episodes"
)
print(
    f"greedy checks: {len(result.checks)} x {config.eval_episodes} episodes, "
    f"{result.check_env_steps} environment steps"
)
print("  (step, mean return):", [(s, round(m)) for s, m in result.checks])
print(f"steps played until the network kept: {result.env_steps + result.check_env_steps}")
print(
    f"evaluation: {len(returns)} new episodes, {lengths.sum()} environment steps, "
    f"mean return {returns.mean():.1f}, min {returns.min():.0f}"
)
assert returns.mean() >= threshold, "not solved"
print(f"solved: mean return >= {threshold:g}")
# --8<-- [end:train]

# --8<-- [start:seeds]
import itertools

from dlcourse.dqn import evaluate

runs = {config.seed: result}
for seed in (1, 2):
    runs[seed] = train(DQNConfig(seed=seed))  # the same defaults, another seed
print("seed  training steps  check steps  checks  evaluation mean  min")
for seed, run in runs.items():
    ret = evaluate(run.network, config.env_id, episodes=100)
    print(
        f"{seed:>4}  {run.env_steps:>14}  {run.check_env_steps:>11}  {len(run.checks):>6}  "
        f"{ret.mean():>15.1f}  {ret.min():>3.0f}"
    )
    assert run.stopped_early and ret.mean() >= threshold, f"seed {seed} is not solved"
print(f"every seed solved within the budget of {config.total_steps} training steps")
means = [[m for _, m in run.checks] for run in runs.values()]
fell = sum(b < a for m in means for a, b in itertools.pairwise(m))
print(f"checks that fell below the check before them: {fell}")
assert fell > 0  # the greedy policy does not improve steadily
# --8<-- [end:seeds]

# --8<-- [start:checks]
from dlcourse.plots.dqn import plot_checks

fig = plot_checks(
    [run.checks for run in runs.values()],
    labels=[f"seed {seed}" for seed in runs],
    threshold=threshold,
    episodes=config.eval_episodes,
)
# --8<-- [end:checks]

# --8<-- [start:ablation]
budget = 20_480
changes = {  # each changes one default
    f"n_step=1 (not {config.n_step})": {"n_step": 1},
    f"batch_size=64 (not {config.batch_size})": {"batch_size": 64},
    f"average_decay=0 (not {config.average_decay})": {"average_decay": 0.0},
    f"learning_rate=2.3e-3 (not {config.learning_rate:g})": {"learning_rate": 2.3e-3},
}


def steps_to_solve(run):  # None: no check reached stop_return within the budget
    return run.env_steps if run.stopped_early and run.env_steps <= budget else None


steps = {"the defaults": [steps_to_solve(run) for run in runs.values()]}
for name, change in changes.items():
    tried = [train(DQNConfig(seed=seed, total_steps=budget, **change)) for seed in runs]
    steps[name] = [steps_to_solve(run) for run in tried]
solved = {name: sum(s is not None for s in row) for name, row in steps.items()}
print(f"steps to solve, budget {budget}; seeds {list(runs)}")
for name, row in steps.items():
    cells = "".join(f"{s if s is not None else '-':>8}" for s in row)
    print(f"{name:>32}{cells}   solved {solved[name]} of {len(row)}")
assert solved["the defaults"] == max(solved.values())
# --8<-- [end:ablation]

# --8<-- [start:frames]
from dlcourse.dqn import greedy_frames
from dlcourse.plots.dqn import plot_episode_filmstrip, save_episode_gif

frames, total = greedy_frames(result.network, seed=0, every=5)  # render_mode="rgb_array"
gif = save_episode_gif(frames, "cartpole-dqn.gif")  # an animation of the whole episode
print(f"greedy episode: return {total:.0f}; {len(frames)} frames written to {gif.name}")
fig = plot_episode_filmstrip(
    frames, count=6, every=5, title="The trained agent, one greedy episode"
)
# --8<-- [end:frames]

# --8<-- [start:truncation]
import torch

from dlcourse.agents import Batch
from dlcourse.dqn import td_target

env = gym.make(config.env_id)
obs, _ = env.reset(seed=0)
terminated = truncated = False
t = 0
while not (terminated or truncated):  # one greedy episode of the seed-0 network
    with torch.no_grad():
        action = int(result.network(torch.as_tensor(obs).unsqueeze(0)).argmax())
    last_obs = obs
    obs, reward, terminated, truncated, _ = env.step(action)
    t += 1
env.close()
print(f"the episode ended after {t} steps: terminated={terminated}, truncated={truncated}")
last = Batch(  # its last transition, twice: stored as terminated, and as it should be
    obs=torch.as_tensor(last_obs).repeat(2, 1),
    actions=torch.tensor([action, action]),
    rewards=torch.tensor([float(reward)] * 2),
    next_obs=torch.as_tensor(obs).repeat(2, 1),
    terminated=torch.tensor([1.0, 0.0]),
)
as_terminal, as_truncated = td_target(last, result.network, result.network, config.gamma, True)
print(f"target if stored as terminated: {as_terminal:.1f}")
print(f"target if stored as truncated (bootstraps): {as_truncated:.1f}")
assert truncated and not terminated and as_truncated > 5 * as_terminal
# --8<-- [end:truncation]
