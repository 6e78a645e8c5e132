"""``python -m dlcourse.dqn``: train, evaluate greedily over 100 seeded episodes, save.

Every field of :class:`~dlcourse.dqn.config.DQNConfig` is a flag (``--learning-rate``,
``--hidden-sizes 64 64``, ``--no-double-dqn``, ``--stop-return none``), plus the options of
the run itself. An invalid value exits with status 2 and one line naming it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import gymnasium as gym

from dlcourse.cli import config_from, parser_for, usage_errors
from dlcourse.dqn.checkpoint import load_checkpoint
from dlcourse.dqn.config import DQNConfig
from dlcourse.dqn.evaluation import evaluate
from dlcourse.dqn.training import DQNResult, train

__all__ = ["build_parser", "main"]

PROG = "python -m dlcourse.dqn"


def build_parser() -> argparse.ArgumentParser:
    """One flag per :class:`DQNConfig` field, and ``--eval-final``, ``--checkpoint`` etc."""
    parser = parser_for(
        DQNConfig,
        PROG,
        "Train DQN (defaults: CartPole-v1), evaluate it greedily over 100 seeded episodes "
        "and optionally save a checkpoint.",
    )
    parser.add_argument("--eval-final", type=int, default=100, help="greedy evaluation episodes")
    parser.add_argument("--checkpoint", type=Path, help="save the run's state here at the end")
    parser.add_argument("--resume", type=Path, help="continue from this checkpoint")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> DQNResult:
    """The command line: ``python -m dlcourse.dqn --seed 1 --total-steps 50000 ...``."""
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    config = config_from(DQNConfig, args, parser)
    with usage_errors(parser):
        if args["eval_final"] < 1:
            raise ValueError(f"--eval-final must be >= 1, got {args['eval_final']}")
        if args["resume"] is not None:
            load_checkpoint(args["resume"])
    result = train(
        config,
        progress=not args["no_progress"],
        checkpoint=args["checkpoint"],
        resume=args["resume"],
    )
    returns = evaluate(result.network, config.env_id, args["eval_final"])
    threshold = gym.spec(config.env_id).reward_threshold
    print(
        f"{config.env_id} seed {config.seed}: {result.env_steps} env steps, "
        f"{result.gradient_steps} gradient steps, {result.train_seconds:.1f} s; greedy mean "
        f"return over {len(returns)} episodes {returns.mean():.1f} (threshold {threshold})"
    )
    return result
