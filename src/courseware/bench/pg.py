"""PPO on CartPole-v1 and Pendulum-v1: :func:`dlcourse.pg.train_ppo` against Stable-Baselines3.

CartPole-v1, time to solve: both get the same protocol on the CPU, at most 100,000 environment
steps; every ``eval_interval`` steps the deterministic policy plays ``eval_episodes`` seeded
episodes (the seeds of :func:`dlcourse.pg.runs.policy_check`, for both) and training stops once
their mean reaches 500; then the deterministic policy is evaluated on 100 fresh seeded
episodes (:func:`dlcourse.pg.evaluate_policy`, the same function for both) and a run counts as
solved when that mean is at least 475. ``seconds_to_solve`` is the training wall-clock time,
checks included, of a solved run. Stable-Baselines3 uses its rl-zoo hyperparameters (8
environments, n_steps 32, batch 256, GAE lambda 0.8, gamma 0.98, 20 epochs, learning rate 1e-3
and clip range 0.2 both decayed linearly to 0); ours uses :class:`dlcourse.pg.PPOConfig`'s
defaults (16 environments, one 512-row minibatch per epoch, learning rate 3e-3, GAE lambda 0.9,
the rest as the zoo's). Both check after an update (SB3 between its rollouts), on a policy
trained on every step so far, and record every training episode. The goal is a median time
to solve of at most 0.5x SB3's.

Pendulum-v1, return for the time: both train for the 100,000-step budget and keep the last
policy, judged by the mean action's return over 100 seeded episodes. SB3 uses its rl-zoo
hyperparameters (4 environments, n_steps 1024, gamma 0.9, GAE lambda 0.95, 10 epochs,
learning rate 1e-3, gSDE); ours :meth:`dlcourse.pg.PPOConfig.for_pendulum`. The goal is a
return at least as good as SB3's in at most 0.5x its time.
"""

from __future__ import annotations

import importlib.util
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from dlcourse.pg import PPOConfig, evaluate_policy, play_episodes, train_ppo
from dlcourse.pg.runs import CHECK_SEED

__all__ = ["SB3_CARTPOLE", "SB3_CARTPOLE_ENVS", "SB3_PENDULUM", "run_cartpole", "run_pendulum"]

SOLVED = 475.0
"""CartPole-v1's registered reward threshold."""

SB3_CARTPOLE: dict[str, Any] = {
    "n_steps": 32,
    "batch_size": 256,
    "gae_lambda": 0.8,
    "gamma": 0.98,
    "n_epochs": 20,
    "ent_coef": 0.0,
    "learning_rate": lambda remaining: remaining * 1e-3,
    "clip_range": lambda remaining: remaining * 0.2,
}
"""rl-baselines3-zoo's PPO hyperparameters for CartPole-v1 (with :data:`SB3_CARTPOLE_ENVS`)."""

SB3_CARTPOLE_ENVS = 8
"""rl-baselines3-zoo's number of environments for CartPole-v1, whatever ours uses."""

SB3_PENDULUM: dict[str, Any] = {
    "n_steps": 1024,
    "gae_lambda": 0.95,
    "gamma": 0.9,
    "n_epochs": 10,
    "ent_coef": 0.0,
    "learning_rate": 1e-3,
    "clip_range": 0.2,
    "use_sde": True,
    "sde_sample_freq": 4,
}
"""rl-baselines3-zoo's PPO hyperparameters for Pendulum-v1 (4 environments)."""


class _Deterministic(torch.nn.Module):
    """An SB3 policy as :func:`dlcourse.pg.play_episodes` needs it: ``mode`` and ``to_env``."""

    def __init__(self, policy: Any, space: gym.Space) -> None:
        super().__init__()
        self.policy = policy
        self.discrete = isinstance(space, gym.spaces.Discrete)
        self.low = None if self.discrete else torch.as_tensor(space.low)
        self.high = None if self.discrete else torch.as_tensor(space.high)

    def mode(self, obs: torch.Tensor) -> torch.Tensor:
        """SB3's deterministic action: the argmax, or the Gaussian's mean."""
        return self.policy._predict(obs, deterministic=True)

    def to_env(self, actions: torch.Tensor) -> np.ndarray:
        """Actions as the environment takes them: ints, or clipped into the Box's bounds."""
        if self.discrete:
            return actions.cpu().numpy()
        return torch.clamp(actions.float(), self.low, self.high).cpu().numpy()


def _row(impl: str, seed: int, seconds: float, returns: np.ndarray, **extra: Any) -> dict[str, Any]:
    """One benchmark row: who, which seed, how long, the 100-episode mean, then ``extra``."""
    return {
        "impl": impl,
        "seed": seed,
        "run_seconds": seconds,
        "eval_mean_return": float(returns.mean()),
        **extra,
    }


def cartpole_ours(config: PPOConfig) -> dict[str, Any]:
    """Train with ``config``, evaluate 100 mode-policy episodes, return one benchmark row."""
    result = train_ppo(config)
    returns = evaluate_policy(result.policy, config.env_id, 100)
    solved = bool(returns.mean() >= SOLVED)
    return _row(
        "dlcourse",
        config.seed,
        result.train_seconds,
        returns,
        seconds_to_solve=result.train_seconds if solved else None,
        solved=solved,
        env_steps=result.env_steps,
        check_steps=result.log.check_steps,
        checks=[list(c) for c in result.log.checks],
        episode_end_steps=result.log.episode_end_steps,
        episode_returns=result.log.episode_returns,
    )


def cartpole_sb3(config: PPOConfig) -> dict[str, Any]:
    """SB3's PPO with :data:`SB3_CARTPOLE` under the checks, budget and verdict of ``config``."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    class Check(BaseCallback):
        """The seeded check of ``policy_check``, after every update as ours, and the episodes.

        SB3 calls ``_on_rollout_start`` after ``train()``, so a check there sees the policy
        trained on every step so far, as :func:`dlcourse.pg.runs.stop_now` does. A check that
        passes makes the next ``_on_step`` stop ``learn`` (after one more vector step, not
        learned from: ``steps`` keeps the check's step).
        """

        def __init__(self) -> None:
            super().__init__()
            self.checks: list[list[float]] = []
            self.check_steps = 0
            self.stop = False
            self.steps = 0
            self.episode_end_steps: list[int] = []
            self.episode_returns: list[float] = []

        def _check(self) -> None:
            last = self.checks[-1][0] if self.checks else 0
            if self.stop or self.num_timesteps - last < config.eval_interval:
                return
            m = config.eval_episodes
            base = CHECK_SEED + 100_000 * config.seed + m * len(self.checks)
            envs = [gym.make(config.env_id) for _ in range(m)]
            try:
                policy = _Deterministic(self.model.policy, envs[0].action_space)
                seeds = [base + i for i in range(m)]
                batch = play_episodes(policy, envs, seeds, deterministic=True)
            finally:
                for e in envs:
                    e.close()
            mean = float(batch.returns.mean())
            self.checks.append([self.num_timesteps, mean])
            self.check_steps += int(batch.lengths.sum())
            self.stop = config.stop_return is not None and mean >= config.stop_return
            self.steps = self.num_timesteps

        def _on_rollout_start(self) -> None:
            self._check()

        def _on_training_end(self) -> None:
            self._check()  # the last update, as ours checks after every one
            if not self.stop:
                self.steps = self.num_timesteps

        def _on_step(self) -> bool:
            if self.stop:
                return False
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.episode_end_steps.append(self.num_timesteps)
                    self.episode_returns.append(float(info["episode"]["r"]))
            return True

    env = make_vec_env(config.env_id, n_envs=SB3_CARTPOLE_ENVS, seed=config.seed)
    model = PPO("MlpPolicy", env, seed=config.seed, device="cpu", verbose=0, **SB3_CARTPOLE)
    check = Check()
    start = time.perf_counter()
    model.learn(total_timesteps=config.total_steps, callback=check)
    seconds = time.perf_counter() - start
    policy = _Deterministic(model.policy, env.action_space)
    returns = evaluate_policy(policy, config.env_id, 100)  # type: ignore[arg-type]
    solved = bool(returns.mean() >= SOLVED)
    return _row(
        "stable-baselines3",
        config.seed,
        seconds,
        returns,
        seconds_to_solve=seconds if solved else None,
        solved=solved,
        env_steps=check.steps,
        check_steps=check.check_steps,
        checks=check.checks,
        episode_end_steps=check.episode_end_steps,
        episode_returns=check.episode_returns,
    )


def pendulum_ours(config: PPOConfig) -> dict[str, Any]:
    """Train with ``config`` for its whole budget; the last policy's 100-episode return."""
    result = train_ppo(config)
    returns = evaluate_policy(result.policy, config.env_id, 100)
    return _row(
        "dlcourse",
        config.seed,
        result.train_seconds,
        returns,
        train_seconds=result.train_seconds,
        env_steps=result.env_steps,
    )


def pendulum_sb3(seed: int, total_steps: int) -> dict[str, Any]:
    """SB3's PPO with :data:`SB3_PENDULUM` for ``total_steps``; the 100-episode verdict."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    env = make_vec_env("Pendulum-v1", n_envs=4, seed=seed)
    model = PPO("MlpPolicy", env, seed=seed, device="cpu", verbose=0, **SB3_PENDULUM)
    start = time.perf_counter()
    model.learn(total_timesteps=total_steps)
    seconds = time.perf_counter() - start
    policy = _Deterministic(model.policy, env.action_space)
    returns = evaluate_policy(policy, "Pendulum-v1", 100)  # type: ignore[arg-type]
    return _row(
        "stable-baselines3",
        seed,
        seconds,
        returns,
        train_seconds=seconds,
        env_steps=int(model.num_timesteps),
    )


def _warm_up() -> None:
    """Pay PyTorch's one-time costs (the first optimizer imports a lot) outside the timings."""
    torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)


def _description(part: int, have_sb3: bool) -> str:
    text = (__doc__ or "").strip().split("\n\n")[part + 1].replace("\n", " ")
    return text + ("" if have_sb3 else " Stable-Baselines3 is not installed: its rows are missing.")


def run_cartpole(quick: bool = False) -> dict[str, Any]:
    """Five seeds each (quick: one seed, a 2,048-step budget)."""
    seeds = [0] if quick else [0, 1, 2, 3, 4]
    short = {"total_steps": 2_048, "eval_interval": 1_024, "eval_episodes": 2} if quick else {}
    _warm_up()
    rows = [cartpole_ours(PPOConfig(seed=s, **short)) for s in seeds]
    have_sb3 = importlib.util.find_spec("stable_baselines3") is not None
    if have_sb3:
        rows += [cartpole_sb3(PPOConfig(seed=s, **short)) for s in seeds]
    return {
        "name": "ppo-cartpole",
        "title": "PPO on CartPole-v1: time to solve",
        "description": _description(0, have_sb3),
        "solved_threshold": SOLVED,
        "rows": rows,
    }


def run_pendulum(quick: bool = False) -> dict[str, Any]:
    """Three seeds each (quick: one seed, a 4,096-step budget)."""
    seeds = [0] if quick else [0, 1, 2]
    short = {"total_steps": 4_096, "eval_interval": 4_096, "eval_episodes": 2} if quick else {}
    _warm_up()
    configs = [PPOConfig.for_pendulum(seed=s, **short) for s in seeds]
    rows = [pendulum_ours(c) for c in configs]
    have_sb3 = importlib.util.find_spec("stable_baselines3") is not None
    if have_sb3:
        rows += [pendulum_sb3(c.seed, c.total_steps) for c in configs]
    return {
        "name": "ppo-pendulum",
        "title": "PPO on Pendulum-v1: return for the time",
        "description": _description(1, have_sb3),
        "rows": rows,
    }
