"""DQN on CartPole-v1: :func:`dlcourse.dqn.train` against Stable-Baselines3's DQN.

Both agents get the same protocol on the CPU: at most 50,000 environment steps; every
``eval_interval`` steps the greedy policy plays ``eval_episodes`` seeded episodes and training
stops once their mean reaches ``stop_return``; then the greedy policy is evaluated on 100 fresh
seeded episodes (:func:`dlcourse.dqn.evaluate`, the same function for both) and a run counts as
solved when that mean is at least 475, CartPole-v1's reward threshold. ``seconds_to_solve`` is
the training wall-clock time, checks included, of a solved run (None otherwise).
Stable-Baselines3 uses its rl-zoo hyperparameters for CartPole-v1 (learning rate 2.3e-3, batch
64, buffer 100k, learning starts 1000, target update every 10 steps, train_freq 256,
gradient_steps 128, exploration fraction 0.16 to a final epsilon of 0.04, a 256-256 network);
ours uses :class:`dlcourse.dqn.DQNConfig`'s defaults and trains on one thread (SB3 on PyTorch's
default, two here; SB3 on one thread is measured too). The runs also record every training
episode, from which the DQN chapter draws its training curve across seeds.
"""

from __future__ import annotations

import importlib.util
import time
from typing import Any

import numpy as np
import torch

from dlcourse.dqn import DQNConfig, evaluate, train
from dlcourse.runtime import one_thread_on_cpu

__all__ = ["SB3_ZOO", "run", "run_sb3"]

SOLVED = 475.0
"""CartPole-v1's registered reward threshold."""

SB3_ZOO: dict[str, Any] = {
    "learning_rate": 2.3e-3,
    "batch_size": 64,
    "buffer_size": 100_000,
    "learning_starts": 1000,
    "gamma": 0.99,
    "target_update_interval": 10,
    "train_freq": 256,
    "gradient_steps": 128,
    "exploration_fraction": 0.16,
    "exploration_final_eps": 0.04,
    "policy_kwargs": {"net_arch": [256, 256]},
}
"""rl-baselines3-zoo's hyperparameters for DQN on CartPole-v1."""


def run_ours(config: DQNConfig) -> dict[str, Any]:
    """Train with ``config``, evaluate 100 greedy episodes, return one benchmark row."""
    result = train(config)
    returns = evaluate(result.network, config.env_id, episodes=100)
    solved = bool(returns.mean() >= SOLVED)
    return {
        "impl": "dlcourse",
        "seed": config.seed,
        "seconds_to_solve": result.train_seconds if solved else None,
        "run_seconds": result.train_seconds,
        "eval_mean_return": float(returns.mean()),
        "solved": solved,
        "env_steps": result.env_steps,
        "gradient_steps": result.gradient_steps,
        "episode_end_steps": result.episode_end_steps,
        "episode_returns": result.episode_returns,
        "checks": [list(c) for c in result.checks],
    }


def run_sb3(config: DQNConfig, one_thread: bool = False) -> dict[str, Any]:
    """Stable-Baselines3's DQN with :data:`SB3_ZOO` under the protocol of ``config``.

    The same greedy checks (interval, episodes, seeds, stop return) and step budget as
    ``config``; SB3's own training loop in between. By default SB3 runs as its users run it,
    on PyTorch's default number of threads; ``one_thread`` trains it on one thread, as
    :func:`dlcourse.dqn.train` does on the CPU, to show how much of the gap that explains.
    """
    if one_thread:
        with one_thread_on_cpu(torch.device("cpu")):
            row = run_sb3(config)
        return {**row, "impl": "stable-baselines3, 1 thread"}
    import gymnasium as gym
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    class GreedyCheck(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.checks: list[list[float]] = []
            self.last = 0

        def _on_step(self) -> bool:
            step = self.num_timesteps
            if step - self.last < config.eval_interval:
                return True
            self.last = step
            check_seed = 10_000_000 + 1_000 * config.seed + len(self.checks)
            q_net = self.model.q_net  # type: ignore[attr-defined]
            mean = float(
                evaluate(_Greedy(q_net), config.env_id, config.eval_episodes, check_seed).mean()
            )
            self.checks.append([step, mean])
            return config.stop_return is None or mean < config.stop_return

    from stable_baselines3.common.monitor import Monitor

    env = Monitor(gym.make(config.env_id))
    model = DQN("MlpPolicy", env, seed=config.seed, device="cpu", verbose=0, **SB3_ZOO)
    check = GreedyCheck()
    start = time.perf_counter()
    model.learn(total_timesteps=config.total_steps, callback=check)
    seconds = time.perf_counter() - start
    returns = evaluate(_Greedy(model.q_net), config.env_id, episodes=100)
    solved = bool(returns.mean() >= SOLVED)
    ends = [int(x) for x in np.cumsum(env.get_episode_lengths())]
    rets = [float(x) for x in env.get_episode_rewards()]
    return {
        "impl": "stable-baselines3",
        "seed": config.seed,
        "seconds_to_solve": seconds if solved else None,
        "run_seconds": seconds,
        "eval_mean_return": float(returns.mean()),
        "solved": solved,
        "env_steps": int(model.num_timesteps),
        "gradient_steps": int(model._n_updates),
        "episode_end_steps": ends,
        "episode_returns": rets,
        "checks": check.checks,
    }


class _Greedy(torch.nn.Module):
    """SB3's Q-network as a plain module from observations to Q-values."""

    def __init__(self, q_net: torch.nn.Module) -> None:
        super().__init__()
        self.q_net = q_net

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.q_net(obs)


def run(quick: bool = False) -> dict[str, Any]:
    """Five seeds of ours and of SB3, three of SB3 on one thread (quick: one short seed)."""
    seeds = [0] if quick else [0, 1, 2, 3, 4]
    sb3_seeds = seeds
    one_thread_seeds = seeds[:3]
    overrides: dict[str, Any] = (
        {"total_steps": 600, "learning_starts": 200, "eval_interval": 300, "eval_episodes": 2}
        if quick
        else {}
    )
    # pay PyTorch's one-time costs (the first optimizer imports a lot) outside the timings
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    rows = [run_ours(DQNConfig(seed=s, **overrides)) for s in seeds]
    have_sb3 = importlib.util.find_spec("stable_baselines3") is not None
    if have_sb3:
        rows += [run_sb3(DQNConfig(seed=s, **overrides)) for s in sb3_seeds]
        rows += [run_sb3(DQNConfig(seed=s, **overrides), one_thread=True) for s in one_thread_seeds]
    return {
        "name": "dqn-cartpole",
        "title": "DQN on CartPole-v1: time to solve",
        "description": (__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        + ("" if have_sb3 else " Stable-Baselines3 is not installed: its rows are missing."),
        "solved_threshold": SOLVED,
        "rows": rows,
    }
