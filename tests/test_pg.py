"""dlcourse.pg: config validation, GAE by hand, autoreset rows, determinism, checkpoints, CLI,
and real learning (REINFORCE and PPO on CartPole-v1, PPO on Pendulum-v1)."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch
from torch.distributions import Normal

from dlcourse.pg import (
    ActorCritic,
    PPOConfig,
    ReinforceConfig,
    evaluate_policy,
    gae_advantages,
    load_pg_checkpoint,
    normalize_advantages,
    policy_frames,
    reward_to_go,
    train,
    train_ppo,
    train_reinforce,
)
from dlcourse.pg.cli import main
from dlcourse.pg.rollout import Rollout, VectorState, collect_rollout, rollout_advantages
from dlcourse.pg.runs import RunLog
from dlcourse.returns import returns_to_go

from .conftest import seeds_off_the_page

PPO_SHORT = {
    "total_steps": 1_024,
    "num_envs": 4,
    "rollout_steps": 64,
    "minibatch_size": 64,
    "epochs": 2,
    "eval_interval": 0,
    "hidden_sizes": (16,),
}
REINFORCE_SHORT = {"total_steps": 600, "episodes_per_update": 4, "eval_interval": 0}


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (PPOConfig, {"gamma": 1.2}, r"invalid PPOConfig: gamma must be >= 0.0 and <= 1.0, got 1.2"),
        (PPOConfig, {"gae_lambda": -0.1}, "gae_lambda must be >= 0.0 and <= 1.0"),
        (PPOConfig, {"clip_range": 0.0}, "clip_range must be > 0.0, got 0.0"),
        (PPOConfig, {"minibatch_size": 1024}, r"minibatch_size \(1024\) must not exceed the rows"),
        (PPOConfig, {"total_steps": 100}, r"one rollout \(num_envs \* rollout_steps = 512\)"),
        (PPOConfig, {"hidden_sizes": ()}, "hidden_sizes must have at least one item"),
        (PPOConfig, {"stop_return": "high"}, "stop_return must be a number"),
        (PPOConfig, {"env_id": "CartPol-v1"}, "unknown environment id 'CartPol-v1'"),
        (PPOConfig, {"env_id": "FrozenLake-v1"}, "needs a 1-D Box observation space"),
        (ReinforceConfig, {"episodes_per_update": 0}, "episodes_per_update must be >= 1, got 0"),
        (ReinforceConfig, {"learning_rate": 0.0}, "learning_rate must be > 0.0"),
        (ReinforceConfig, {"baseline": 1}, "baseline must be a bool"),
        (ReinforceConfig, {"seed": -1}, "seed must be >= 0"),
    ],
)
def test_invalid_configs_fail_at_construction(cls: type, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_gae_by_hand_terminated_versus_truncated() -> None:
    """Column 0 terminates at its last step, column 1 is truncated there; gamma = lambda = 1/2.

    delta_t = r_t + g (1 - term_t) V(s_t+1) - V(s_t), A_t = delta_t + g l (1 - done_t) A_t+1:
    terminated: delta = (0.7, 0.75, 1 - 0.3 = 0.7),         A_2 = 0.7,
    truncated:  delta = (0.7, 0.75, 1 + 0.5 * 0.9 - 0.3 = 1.15), A_2 = 1.15 (V of the final obs),
    then A_1 = 0.75 + 0.25 A_2 and A_0 = 0.7 + 0.25 A_1.
    """
    col = torch.tensor
    rewards = col([[1.0, 1.0]] * 3, dtype=torch.float64)
    values = col([[0.5, 0.5], [0.4, 0.4], [0.3, 0.3]], dtype=torch.float64)
    next_values = col([[0.4, 0.4], [0.3, 0.3], [0.9, 0.9]], dtype=torch.float64)
    terminated = col([[False, False], [False, False], [True, False]])
    truncated = col([[False, False], [False, False], [False, True]])
    adv = gae_advantages(rewards, values, next_values, terminated, truncated, 0.5, 0.5)
    a2 = (0.7, 1.15)
    a1 = tuple(0.75 + 0.25 * a for a in a2)
    a0 = tuple(0.7 + 0.25 * a for a in a1)
    assert torch.allclose(adv, col([a0, a1, a2], dtype=torch.float64))
    assert adv[:, 0].tolist() == pytest.approx([0.93125, 0.925, 0.7])
    assert adv[:, 1].tolist() == pytest.approx([0.959375, 1.0375, 1.15])


def test_gae_stops_at_an_episode_boundary_inside_the_rollout() -> None:
    # step 0 is truncated: it bootstraps from V(final obs) = 2 but ignores step 1's advantage
    rewards, values = torch.tensor([1.0, 5.0]), torch.tensor([0.0, 0.0])
    next_values = torch.tensor([2.0, 0.0])
    trunc, term = torch.tensor([True, False]), torch.tensor([False, True])
    adv = gae_advantages(rewards, values, next_values, term, trunc, 0.9, 0.95)
    assert adv.tolist() == pytest.approx([1.0 + 0.9 * 2.0, 5.0])


def test_reward_to_go_is_gae_with_lambda_one_and_no_values() -> None:
    torch.manual_seed(0)
    rewards = torch.rand(6, 3, dtype=torch.float64)
    g = reward_to_go(rewards, 0.9)
    for i in range(3):  # the batched form of the 1-D recursion of dlcourse.returns
        assert torch.allclose(g[:, i], returns_to_go(rewards[:, i], 0.9))
    zeros, last = torch.zeros_like(rewards), torch.zeros(6, 3, dtype=torch.bool)
    last[-1] = True
    assert torch.allclose(
        g, gae_advantages(rewards, zeros, zeros, last, torch.zeros_like(last), 0.9, 1.0)
    )


def test_normalized_advantages_have_mean_zero_and_unit_std() -> None:
    a = normalize_advantages(torch.tensor([1.0, 2.0, 3.0, 10.0]))
    assert abs(a.mean().item()) < 1e-6 and a.std(correction=0).item() == pytest.approx(1.0)
    assert normalize_advantages(torch.tensor([4.0])).tolist() == [0.0]


def test_rollout_marks_autoreset_rows_and_keeps_final_observations() -> None:
    """NEXT_STEP autoreset: the row after a done row is invalid and holds the final obs."""
    torch.manual_seed(0)
    envs = gym.vector.SyncVectorEnv(
        [lambda: gym.make("CartPole-v1", max_episode_steps=7) for _ in range(3)]
    )
    policy = ActorCritic(4, envs.single_action_space, (8,))
    rollout = Rollout(40, 3, 4, (), True, torch.device("cpu"))
    obs, _ = envs.reset(seed=0)
    state = VectorState(obs, np.zeros(3, dtype=bool), np.zeros(3))
    log = RunLog()
    collect_rollout(policy, envs, rollout, state, log)
    envs.close()
    done = rollout.terminated | rollout.truncated
    assert rollout.truncated.any() and log.step == int(rollout.valid.sum())
    assert not rollout.valid[1:][done[:-1]].any()  # after a done row: an autoreset row
    assert rollout.valid[1:][~done[:-1]].all()  # and only there
    assert not done[~rollout.valid].any()  # an autoreset row ends nothing
    assert (rollout.rewards[~rollout.valid] == 0).all()
    # CartPole's Euler step x' = x + 0.02 x_dot: the autoreset row holds the final observation
    # reached from the done row (not the next episode's first one), V(final) is the bootstrap
    t, i = torch.nonzero(done[:-1], as_tuple=True)
    x, x_dot, x_next = rollout.obs[t, i, 0], rollout.obs[t, i, 1], rollout.obs[t + 1, i, 0]
    assert torch.allclose(x_next, x + 0.02 * x_dot, atol=1e-6)
    assert sum(log.episode_returns) + state.returns.sum() == log.step  # reward 1 per step


def test_gaussian_policy_clips_only_what_the_environment_gets() -> None:
    torch.manual_seed(0)
    space = gym.spaces.Box(-2.0, 2.0, (1,), dtype=np.float32)
    policy = ActorCritic(3, space, (8,), log_std_init=0.5)
    obs = torch.randn(5, 3)
    dist = policy.distribution(obs)
    actions = torch.tensor([[-7.0], [-1.0], [0.0], [1.5], [9.0]])
    mean, std = policy.actor(obs), torch.exp(torch.tensor(0.5))
    expected = Normal(mean, std).log_prob(actions).sum(-1)  # of the unclipped sample
    assert torch.allclose(policy.log_prob(dist, actions), expected)
    assert policy.to_env(actions).ravel().tolist() == [-2.0, -1.0, 0.0, 1.5, 2.0]
    assert torch.allclose(policy.mode(obs), mean)


def test_training_is_deterministic_for_a_seed() -> None:
    for config in (PPOConfig(seed=3, **PPO_SHORT), ReinforceConfig(seed=3, **REINFORCE_SHORT)):
        a, b = train(config), train(config)
        assert a.log.episode_returns == b.log.episode_returns and a.log.stats == b.log.stats
        assert a.log.updates == b.log.updates > 0
        for p, q in zip(a.policy.parameters(), b.policy.parameters(), strict=True):
            assert torch.equal(p, q)


def test_ppo_logs_kl_and_clip_fraction_per_update() -> None:
    result = train_ppo(PPOConfig(seed=1, **PPO_SHORT))
    stats = result.log.stats
    assert len(stats["approx_kl"]) == len(stats["clip_fraction"]) == result.log.updates == 4
    assert all(k >= 0 for k in stats["approx_kl"])
    assert all(0 <= c <= 1 for c in stats["clip_fraction"])
    assert result.env_steps <= 1_024


def test_checkpoint_round_trip_and_resume(tmp_path: Path) -> None:
    path = tmp_path / "ppo.pt"
    first = train_ppo(PPOConfig(seed=1, **PPO_SHORT), checkpoint=path)
    raw = torch.load(path, weights_only=True)  # only tensors and plain containers
    ckpt = load_pg_checkpoint(path)
    assert raw["log"]["step"] == ckpt["log"]["step"] == first.env_steps
    policy = ActorCritic(4, gym.spaces.Discrete(2), first.config.hidden_sizes)
    policy.load_state_dict(ckpt["policy"])
    for p, q in zip(policy.parameters(), first.policy.parameters(), strict=True):
        assert torch.equal(p, q.cpu())
    resumed = train_ppo(PPOConfig(seed=1, **dict(PPO_SHORT, total_steps=2_048)), resume=path)
    assert resumed.log.updates == 8 and resumed.env_steps > first.env_steps
    assert resumed.log.episode_returns[: len(first.log.episode_returns)] == (
        first.log.episode_returns
    )
    with pytest.raises(ValueError, match="hidden_sizes"):
        train_ppo(PPOConfig(seed=1, **dict(PPO_SHORT, hidden_sizes=(8,))), resume=path)
    with pytest.raises(ValueError, match="has tanh networks, the config asks for relu"):
        train_ppo(PPOConfig(seed=1, **dict(PPO_SHORT, activation="relu")), resume=path)
    with pytest.raises(ValueError, match="is a ppo run, not reinforce"):
        train_reinforce(ReinforceConfig(seed=1, hidden_sizes=(16,)), resume=path)
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    with pytest.raises(ValueError, match=r"not a checkpoint written by dlcourse\.pg"):
        load_pg_checkpoint(tmp_path / "junk.pt")


def test_evaluate_policy_is_seeded_and_deterministic() -> None:
    torch.manual_seed(0)
    policy = ActorCritic(4, gym.spaces.Discrete(2), (16,))
    a, b = evaluate_policy(policy, episodes=5, seed=7), evaluate_policy(policy, episodes=5, seed=7)
    assert a.shape == (5,) and np.array_equal(a, b)


def test_cli_runs_over_the_config(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--seed", "2", "--total-steps", "300", "--episodes-per-update", "2", "--no-progress"]
    result = main(
        ["reinforce", *args, "--eval-final", "3", "--hidden-sizes", "16", "--no-baseline"]
    )
    assert result.config.hidden_sizes == (16,) and result.config.baseline is False
    assert "mode-policy mean return over 3 episodes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ppo", "--gamma", "1.5"], "gamma must be >= 0.0 and <= 1.0, got 1.5"),
        (["ppo", "--minibatch-size", "ten"], "invalid int value: 'ten'"),
        (["reinforce", "--env-id", "Cartpole-v1"], "unknown environment id 'Cartpole-v1'"),
        (["ppo", "--eval-final", "0"], "--eval-final must be >= 1, got 0"),
        (["ppo", "--resume", "missing.pt"], "no dlcourse.pg checkpoint at missing.pt"),
        (["a2c"], "invalid choice: 'a2c'"),
        ([], "the following arguments are required: method"),
    ],
)
def test_cli_bad_values_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "error:" in err and message in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize("seed", seeds_off_the_page("pg.md", [3, 4, 5]))
def test_ppo_solves_cartpole(seed: int) -> None:
    """The defaults solve CartPole-v1: the mode policy's mean over 100 episodes >= 475."""
    result = train_ppo(PPOConfig(seed=seed))
    returns = evaluate_policy(result.policy, "CartPole-v1", 100)
    assert result.env_steps <= 100_000
    assert returns.mean() >= 475, (seed, result.env_steps, result.log.checks, returns.mean())


@pytest.mark.slow
@pytest.mark.parametrize("seed", seeds_off_the_page("pg.md", [3, 4, 5]))
def test_reinforce_with_baseline_learns_cartpole(seed: int) -> None:
    """REINFORCE with a baseline: >= 400 over 100 mode-policy episodes within 200k steps."""
    config = ReinforceConfig(seed=seed)
    assert config.baseline and config.total_steps == 200_000
    result = train_reinforce(config)
    returns = evaluate_policy(result.policy, "CartPole-v1", 100)
    assert result.env_steps <= 200_000 + config.episodes_per_update * 500  # whole episodes
    assert returns.mean() >= 400, (seed, result.env_steps, result.log.checks, returns.mean())


@pytest.mark.slow
@pytest.mark.parametrize("seed", seeds_off_the_page("pg.md", [3, 4, 5]))
def test_ppo_swings_up_the_pendulum(seed: int) -> None:
    """A Gaussian policy on Pendulum-v1: the mean action's return >= -200 over 100 episodes
    after the 100k-step budget (a random policy gets about -1,200)."""
    result = train_ppo(PPOConfig.for_pendulum(seed=seed))
    returns = evaluate_policy(result.policy, "Pendulum-v1", 100)
    assert result.env_steps <= 100_000 and not result.stopped_early
    assert returns.mean() >= -200, (seed, result.log.checks, returns.mean())


def test_pitfall_switches_run_and_show_what_they_break() -> None:
    """No clip: clip fraction 0; no truncation bootstrap: a truncated step gets no V(s')."""
    unclipped = train_ppo(PPOConfig(seed=1, clip_range=float("inf"), **PPO_SHORT))
    assert unclipped.log.stats["clip_fraction"] == [0.0] * unclipped.log.updates
    assert all(np.isfinite(unclipped.log.stats["approx_kl"]))
    rollout = Rollout(1, 1, 4, (), True, torch.device("cpu"))
    rollout.rewards[:], rollout.truncated[:], rollout.last_values[:] = 1.0, True, 10.0
    right, _ = rollout_advantages(rollout, 0.5, 1.0)
    wrong, _ = rollout_advantages(rollout, 0.5, 1.0, bootstrap_truncated=False)
    assert right.item() == pytest.approx(6.0) and wrong.item() == pytest.approx(1.0)
    buggy = train_ppo(PPOConfig(seed=1, bootstrap_truncated=False, **PPO_SHORT))
    assert buggy.log.updates == 4


def test_gaussian_runs_log_the_action_std() -> None:
    short = dict(PPO_SHORT, total_steps=512, rollout_steps=128)
    result = train_ppo(PPOConfig.for_pendulum(seed=0, log_std_init=-1.0, **short))
    stds = result.log.stats["action_std"]
    assert len(stds) == result.log.updates == 1
    assert stds[0] == pytest.approx(float(result.policy.log_std.detach().exp().mean()))
    assert "action_std" not in train_ppo(PPOConfig(seed=0, **PPO_SHORT)).log.stats


def test_policy_frames_play_one_mode_episode() -> None:
    policy = ActorCritic(3, gym.spaces.Box(-2.0, 2.0, (1,)))
    frames, total = policy_frames(policy, "Pendulum-v1", seed=0, every=50)
    assert len(frames) == 1 + 200 // 50  # the first frame, then every 50th step up to the end
    assert frames[0].ndim == 3 and frames[0].shape[-1] == 3
    assert total == pytest.approx(evaluate_policy(policy, "Pendulum-v1", 1, seed=0)[0])


def test_pg_plots_label_their_figures() -> None:
    from dlcourse.plots.pg import (
        plot_bias_variance,
        plot_learning_curves,
        plot_policy_maps,
        plot_update_stats,
    )

    runs = [([10, 30, 60], [1.0, 5.0, 9.0]), ([20, 40], [2.0, 4.0])]
    figures = [
        plot_learning_curves(runs, labels=["a", "b"], threshold=8.0, title="toy"),
        plot_update_stats({"a": {"approx_kl": [0.1, 0.01], "clip_fraction": [0.3, 0.1]}}),
        plot_policy_maps([(np.zeros((2, 3)), "zeros")], np.arange(3), np.arange(2), "x", "y"),
        plot_bias_variance([0.0, 1.0], [2.0, 0.5], [0.1, 3.0]),
    ]
    for fig in figures:
        assert fig.get_label() and fig.axes
    curve = figures[0].axes[0].lines[2]  # the mean over the runs still going at each step
    assert np.nanmax(curve.get_ydata()) <= 9.0
