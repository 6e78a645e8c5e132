"""Train DQN on CartPole-v1 with the default config, check it is solved, look at it."""

# --8<-- [start:train]
from dlcourse.dqn import DQNConfig, evaluate, train

config = DQNConfig(seed=0)  # the defaults; see the table above
result = train(config)  # stops at the first greedy check that reaches config.stop_return
returns = evaluate(result.network, config.env_id, episodes=100)  # 100 fresh seeded episodes

print(f"environment steps: {result.env_steps} of at most {config.total_steps}")
print(f"gradient steps: {result.gradient_steps}, training episodes: {len(result.episode_returns)}")
print("greedy checks (step, mean return):", [(s, round(m)) for s, m in result.checks])
print(f"evaluation over 100 episodes: mean {returns.mean():.1f}, min {returns.min():.0f}")
assert returns.mean() >= 475, "not solved"
print("solved: mean return >= 475")
# --8<-- [end:train]

# --8<-- [start:curve]
from dlcourse.plots.dqn import plot_training_curves

fig = plot_training_curves(
    [(result.episode_end_steps, result.episode_returns)], labels=[f"seed {config.seed}"]
)
# --8<-- [end:curve]

# --8<-- [start:double]
import gymnasium as gym
import numpy as np
import torch


def start_value(network: torch.nn.Module, episodes: int = 100) -> float:
    """Mean of max_a Q(s0, a) over the start states of the evaluation episodes."""
    env = gym.make("CartPole-v1")
    starts = np.stack([env.reset(seed=1_000_000 + i)[0] for i in range(episodes)])
    with torch.no_grad():
        q = network(torch.as_tensor(starts, device=next(network.parameters()).device))
    return q.max(dim=1).values.mean().item()


plain = train(DQNConfig(seed=0, double_dqn=False))  # the same run with the max target
plain_returns = evaluate(plain.network, episodes=100)
for name, run, ret in (("Double DQN", result, returns), ("DQN", plain, plain_returns)):
    print(
        f"{name:>10}: {run.env_steps:>6} env steps, evaluation mean {ret.mean():5.1f}, "
        f"max_a Q(s0, a) = {start_value(run.network):6.1f}"
    )
print(f"value of balancing forever: 1 / (1 - gamma) = {1 / (1 - config.gamma):.1f}")
# --8<-- [end:double]

# --8<-- [start:checks]
from dlcourse.plots.dqn import plot_checks

fig = plot_checks([result.checks, plain.checks], labels=["Double DQN", "DQN"])
# --8<-- [end:checks]

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
