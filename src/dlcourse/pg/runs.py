"""What REINFORCE and PPO runs share: their log, their result, the policy check, checkpoints.

A run's state is the policy (actor and critic), Adam's state, PyTorch's generator (it draws the
actions and the minibatches) and its :class:`RunLog`; :func:`save_run` writes them with
``torch.save`` and :func:`load_pg_checkpoint` reads them back with ``weights_only=True``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from dlcourse.checkpoint import read_checkpoint
from dlcourse.pg.episodes import play_episodes
from dlcourse.pg.policy import ActorCritic

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECK_SEED",
    "PGResult",
    "RunLog",
    "load_pg_checkpoint",
    "policy_check",
    "progress_bar",
    "restore_run",
    "save_run",
    "show_progress",
    "stop_now",
]

CHECKPOINT_FORMAT = 1
"""Version of the checkpoint dictionary written by :func:`save_run`."""

CHECK_SEED = 10_000_000
"""Check ``k`` of a run with seed ``s`` and ``m`` episodes plays episode ``i`` on seed
``CHECK_SEED + 100_000 s + m k + i``: seeds of their own, apart from training and evaluation."""


@dataclass
class RunLog:
    """What a run has done so far; saved in its checkpoint and restored on resume."""

    step: int = 0
    """Environment steps taken by training (summed over environments)."""
    updates: int = 0
    """Policy updates done (one per batch of episodes, or per PPO rollout)."""
    episode_returns: list[float] = field(default_factory=list)
    """Return of every finished training episode, in order."""
    episode_end_steps: list[int] = field(default_factory=list)
    """The value of ``step`` when each of those episodes ended."""
    checks: list[tuple[int, float]] = field(default_factory=list)
    """``(step, mean return of the deterministic policy)`` of each check."""
    check_steps: int = 0
    """Environment steps played by the checks (not learned from)."""
    stats: dict[str, list[float]] = field(default_factory=dict)
    """One value per update of each logged quantity (``step``, losses, entropy, KL, ...)."""

    def record(self, **values: float) -> None:
        """Append one update's values to :attr:`stats`."""
        for name, value in values.items():
            self.stats.setdefault(name, []).append(float(value))


@dataclass
class PGResult:
    """What :func:`dlcourse.pg.train_reinforce` and :func:`dlcourse.pg.train_ppo` return."""

    policy: ActorCritic = field(repr=False)
    """The trained actor and critic (on the training device)."""
    config: Any
    """The configuration of the run."""
    log: RunLog = field(repr=False)
    """Episodes, checks and per-update statistics."""
    stopped_early: bool
    """Whether a check reached ``stop_return`` before the step budget ran out."""
    train_seconds: float
    """Wall-clock seconds of training (collection, learning and checks)."""

    @property
    def env_steps(self) -> int:
        """Environment steps of training (the checks' steps are in ``log.check_steps``)."""
        return self.log.step


# --8<-- [start:check]
def policy_check(policy: ActorCritic, config: Any, log: RunLog) -> float:
    """Mean return of the mode policy over ``eval_episodes`` seeded episodes; logged."""
    base = CHECK_SEED + 100_000 * config.seed + config.eval_episodes * len(log.checks)
    envs = [gym.make(config.env_id) for _ in range(config.eval_episodes)]
    try:
        seeds = [base + i for i in range(config.eval_episodes)]
        batch = play_episodes(policy, envs, seeds, deterministic=True)
    finally:
        for env in envs:
            env.close()
    mean = float(batch.returns.mean())
    log.checks.append((log.step, mean))
    log.check_steps += int(batch.lengths.sum())
    return mean


def stop_now(policy: ActorCritic, config: Any, log: RunLog) -> bool:
    """Run the check if ``eval_interval`` steps have passed since the last; True if it passed."""
    last = log.checks[-1][0] if log.checks else 0
    if not config.eval_interval or log.step - last < config.eval_interval:
        return False
    mean = policy_check(policy, config, log)
    return config.stop_return is not None and mean >= config.stop_return


# --8<-- [end:check]


def save_run(
    path: str | Path,
    algorithm: str,
    config: Any,
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    log: RunLog,
) -> None:
    """Write the run's state: tensors, numbers and strings only."""
    state = {
        "format": CHECKPOINT_FORMAT,
        "algorithm": algorithm,
        "config": dataclasses.asdict(config),
        "policy": policy.state_dict(),
        "optimizer": optimizer.state_dict(),
        "torch_rng": torch.get_rng_state(),
        "log": dataclasses.asdict(log),
    }
    torch.save(state, path)


def load_pg_checkpoint(
    path: str | Path, device: torch.device | str | None = None
) -> dict[str, Any]:
    """Read a checkpoint written by a ``dlcourse.pg`` trainer with ``weights_only=True``.

    Rebuild the policy with ``ActorCritic(...).load_state_dict(ckpt["policy"])``, or pass the
    path to ``train_ppo(resume=...)`` / ``train_reinforce(resume=...)``.
    """
    return read_checkpoint(
        path, kind="dlcourse.pg", format=CHECKPOINT_FORMAT, map_location=device or "cpu"
    )


def restore_run(
    path: str | Path,
    algorithm: str,
    config: Any,
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
) -> RunLog:
    """Load the checkpoint at ``path`` into ``policy`` and ``optimizer``; the log it reached."""
    ckpt = load_pg_checkpoint(path, next(policy.parameters()).device)
    old = ckpt["config"]
    if ckpt["algorithm"] != algorithm:
        raise ValueError(f"checkpoint {path} is a {ckpt['algorithm']} run, not {algorithm}")
    if old["env_id"] != config.env_id or tuple(old["hidden_sizes"]) != config.hidden_sizes:
        raise ValueError(
            f"checkpoint {path} is for {old['env_id']} with hidden_sizes "
            f"{tuple(old['hidden_sizes'])}, not {config.env_id} with {config.hidden_sizes}"
        )
    activation = old.get("activation", "relu")  # checkpoints before the setting were ReLU
    if activation != config.activation:  # same weights' shapes, another network: refuse
        raise ValueError(
            f"checkpoint {path} has {activation} networks, the config asks for "
            f"{config.activation}: pass activation={activation!r} to resume it"
        )
    policy.load_state_dict(ckpt["policy"])
    optimizer.load_state_dict(ckpt["optimizer"])
    torch.set_rng_state(ckpt["torch_rng"].cpu())
    log = RunLog(**ckpt["log"])
    log.checks = [tuple(x) for x in log.checks]  # type: ignore[misc]
    return log


def run_with_bookkeeping(
    algorithm: str,
    config: Any,
    policy: ActorCritic,
    optimizer: torch.optim.Optimizer,
    loop: Callable[[RunLog, Any], bool],
    *,
    progress: bool,
    checkpoint: str | Path | None,
    resume: str | Path | None,
) -> tuple[RunLog, bool]:
    """What both trainers do around their loop: resume, a progress bar, a checkpoint at the end.

    ``loop(log, bar)`` trains from ``log`` (fresh, or restored from ``resume``) and returns
    whether a check stopped it.
    """
    log = RunLog() if resume is None else restore_run(resume, algorithm, config, policy, optimizer)
    bar = progress_bar(config, log) if progress else None
    try:
        stopped = loop(log, bar)
    finally:
        if bar is not None:
            bar.update(log.step - bar.n)
            bar.close()
    if checkpoint is not None:
        save_run(checkpoint, algorithm, config, policy, optimizer, log)
    return log, stopped


def progress_bar(config: Any, log: RunLog) -> Any:
    """A tqdm bar over the step budget, starting where ``log`` is."""
    from tqdm.auto import tqdm

    return tqdm(total=config.total_steps, initial=log.step, unit="step", desc=config.env_id)


def show_progress(bar: Any, log: RunLog) -> None:
    """Move the bar to ``log.step`` and show the mean return of the last 10 episodes."""
    bar.update(log.step - bar.n)
    recent = log.episode_returns[-10:]
    if recent:
        bar.set_postfix(recent_return=f"{np.mean(recent):.1f}")
