"""GAE(lambda)'s bias-variance trade-off, measured from fixed start states of one policy."""

# --8<-- [start:gae]
import gymnasium as gym
import numpy as np
import torch

from dlcourse.pg import PPOConfig, gae_advantages, play_episodes, train

short = train(PPOConfig(seed=0, total_steps=12_288, stop_return=None, eval_interval=0))
policy, gamma = short.policy, short.config.gamma  # an actor-critic run, stopped early
first = play_episodes(policy, [gym.make("CartPole-v1")], [30_000], record=True)
print(f"one episode of its policy: {first.lengths[0]} steps")
starts = first.obs[: first.lengths[0] : first.lengths[0] // 15, 0][:15]  # 15 of its states
copies = 64  # episodes played from each start state
rollout_envs = [gym.make("CartPole-v1") for _ in range(len(starts) * copies)]
obs = np.stack([start.numpy() for start in starts for _ in range(copies)])
for k, env in enumerate(rollout_envs):
    env.reset(seed=20_000 + k)
    env.unwrapped.state = obs[k].astype(np.float64)  # CartPole's observation is its state
rewards, values, next_values, terminated = [], [], [], []
done = np.zeros(len(rollout_envs), dtype=bool)
with torch.no_grad():
    while not done.all():
        x = torch.as_tensor(obs, dtype=torch.float32)
        actions = policy.distribution(x).sample().numpy()
        r, term = np.zeros(len(done), dtype=np.float32), done.copy()
        for k in np.flatnonzero(~done):
            obs[k], r[k], term[k], truncated, _ = rollout_envs[k].step(int(actions[k]))
            assert not truncated  # no episode here reaches the time limit
        rewards.append(torch.as_tensor(r))
        values.append(policy.value(x) * torch.as_tensor(~done))  # 0 after an episode ended
        next_values.append(policy.value(torch.as_tensor(obs, dtype=torch.float32)))
        terminated.append(torch.as_tensor(term))
        done = term
steps = [torch.stack(x) for x in (rewards, values, next_values, terminated)]
print(
    f"{len(rollout_envs)} episodes from {len(starts)} start states, the longest "
    f"{len(rewards)} steps"
)

lambdas = [0.0, 0.5, 0.8, 0.9, 0.95, 1.0]
targets = {}  # the lambda-return of each start state: R_0 = A_0 + V(s_0)
for lam in lambdas:
    advantages = gae_advantages(*steps, torch.zeros_like(steps[3]), gamma, lam)
    targets[lam] = (advantages[0] + steps[1][0]).reshape(len(starts), copies)
monte_carlo = targets[1.0].mean(dim=1)  # lambda = 1: the discounted return, no bias
bias2 = [float((targets[lam].mean(dim=1) - monte_carlo).pow(2).mean()) for lam in lambdas]
variance = [float(targets[lam].var(dim=1).mean()) for lam in lambdas]
print("lambda  squared bias  variance")
for lam, b, v in zip(lambdas, bias2, variance, strict=True):
    print(f"{lam:>6}  {b:>12.2f}  {v:>8.2f}")
assert variance[0] < variance[-1] / 5 and bias2[0] > bias2[-2] > bias2[-1] == 0
# --8<-- [end:gae]

# --8<-- [start:figure]
from dlcourse.plots.pg import plot_bias_variance

fig = plot_bias_variance(lambdas, bias2, variance)
# --8<-- [end:figure]
