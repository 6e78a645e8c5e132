"""REINFORCE on CartPole-v1: with and without a baseline, its gradient's variance, two pitfalls."""

# --8<-- [start:train]
import gymnasium as gym

from dlcourse.pg import ReinforceConfig, evaluate_policy, train

threshold = gym.spec("CartPole-v1").reward_threshold
with_baseline = ReinforceConfig(seed=0)  # the defaults: baseline=True, 8 episodes per update
reinforce_runs = {"with a baseline": train(with_baseline)}
reinforce_runs["without a baseline"] = train(ReinforceConfig(seed=0, baseline=False))
print("run                 training steps  updates  checks  evaluation mean  min")
for name, run in reinforce_runs.items():
    returns = evaluate_policy(run.policy, "CartPole-v1", episodes=100)  # the verdict
    print(
        f"{name:<18}  {run.env_steps:>14}  {run.log.updates:>7}  {len(run.log.checks):>6}  "
        f"{returns.mean():>15.1f}  {returns.min():>3.0f}"
    )
    if name == "with a baseline":
        assert run.stopped_early and returns.mean() >= 400, "REINFORCE did not learn"
# --8<-- [end:train]

# --8<-- [start:variance]
import gymnasium as gym
import torch

from dlcourse.pg import ReinforceConfig, play_episodes, reward_to_go, train

partial = train(ReinforceConfig(seed=0, total_steps=10_000, stop_return=None, eval_interval=0))
policy, gamma = partial.policy, partial.config.gamma  # a policy halfway to balancing the pole
recent = partial.log.episode_returns[-16:]
print(f"after {partial.env_steps} steps: its last 16 episodes' mean return {sum(recent) / 16:.0f}")
envs = [gym.make("CartPole-v1") for _ in range(8)]

# 1. fit V(s) to the reward-to-go of 104 other episodes of this policy: the baseline
fit = [
    play_episodes(policy, envs, [10_000 + 8 * k + i for i in range(8)], record=True)
    for k in range(13)
]
obs = torch.cat([b.obs[b.mask] for b in fit])
targets = torch.cat([reward_to_go(b.rewards, gamma)[b.mask] for b in fit])
critic_opt = torch.optim.Adam(policy.critic.parameters(), lr=1e-2)
for _ in range(500):
    critic_opt.zero_grad()
    (policy.value(obs) - targets).pow(2).mean().backward()  # regression onto G_t
    critic_opt.step()
with torch.no_grad():
    explained = 1 - (targets - policy.value(obs)).var() / targets.var()
print(f"V(s) explains {explained:.0%} of the variance of G_t")


def gradient(batch, baseline: bool) -> torch.Tensor:
    """g = 1/N sum_t grad log pi(a_t | s_t) A_t, flattened over the policy's weights."""
    returns = reward_to_go(batch.rewards, gamma)[batch.mask]  # G_t
    obs, actions = batch.obs[batch.mask], batch.actions[batch.mask]
    with torch.no_grad():
        advantages = returns - policy.value(obs) if baseline else returns
    log_prob = policy.log_prob(policy.distribution(obs), actions)
    grads = torch.autograd.grad((log_prob * advantages).mean(), list(policy.actor.parameters()))
    return torch.cat([g.flatten() for g in grads])


# 2. the estimate on 200 independent batches of 8 episodes, both ways on the same batches
plain, based = [], []
for k in range(200):
    batch = play_episodes(policy, envs, [100_000 + 8 * k + i for i in range(8)], record=True)
    plain.append(gradient(batch, baseline=False))
    based.append(gradient(batch, baseline=True))
plain, based = torch.stack(plain), torch.stack(based)
var_plain = plain.var(dim=0).sum()  # trace of the covariance: E||g - E g||^2
var_based = based.var(dim=0).sum()
print(f"variance of the estimate, summed over {plain.shape[1]} weights:")
print(f"  without a baseline: {var_plain:.3f}")
print(f"  with V(s) as the baseline: {var_based:.3f} ({var_plain / var_based:.1f}x smaller)")

# 3. no bias: the two estimates differ by 1/N sum grad log pi(a|s) V(s), whose mean is 0
diff = plain - based
standard_error = (diff.var(dim=0).sum() / len(diff)).sqrt()
print(f"|mean difference| / its standard error: {diff.mean(dim=0).norm() / standard_error:.2f}")
assert explained > 0.3 and var_based < var_plain
assert diff.mean(dim=0).norm() < 3 * standard_error
# --8<-- [end:variance]

# --8<-- [start:normalization]
for normalize in (True, False):
    run = train(
        ReinforceConfig(
            seed=0,
            baseline=False,
            normalize_advantages=normalize,
            total_steps=40_000,
            stop_return=None,
        )
    )
    checks = [(s, round(m)) for s, m in run.log.checks]
    print(f"normalize_advantages={normalize}: checks {checks}")
    assert max(m for _, m in run.log.checks) >= 400  # learns either way
# --8<-- [end:normalization]

# --8<-- [start:detach]
learner = reinforce_runs["with a baseline"].policy
batch = play_episodes(learner, envs, [40_000 + i for i in range(8)], record=True)
returns = reward_to_go(batch.rewards, 0.99)[batch.mask]
obs, actions = batch.obs[batch.mask], batch.actions[batch.mask]
log_prob = learner.log_prob(learner.distribution(obs), actions)
critic = list(learner.critic.parameters())
for detached in (True, False):
    values = learner.value(obs)
    baseline = values.detach() if detached else values  # the bug: no detach()
    policy_term = -(log_prob * (returns - baseline)).mean()
    grads = torch.autograd.grad(policy_term, critic, retain_graph=True, allow_unused=True)
    norm = sum(float(g.pow(2).sum()) for g in grads if g is not None) ** 0.5
    print(f"detached={detached}: gradient of the policy term on the critic's weights {norm:.3f}")
value_grads = torch.autograd.grad(0.5 * (learner.value(obs) - returns).pow(2).mean(), critic)
print(
    f"gradient of the value loss itself: "
    f"{sum(float(g.pow(2).sum()) for g in value_grads) ** 0.5:.3f}"
)
assert norm > 0
# --8<-- [end:detach]
