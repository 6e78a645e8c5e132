"""``python -m dlcourse.pg {reinforce,ppo}``: train, evaluate the mode policy, save.

Every field of the method's config is a flag (``--learning-rate``, ``--hidden-sizes 64 64``,
``--no-anneal``, ``--stop-return none``), plus the options of the run itself::

    python -m dlcourse.pg ppo --seed 1 --checkpoint ppo.pt
    python -m dlcourse.pg ppo --env-id Pendulum-v1 --stop-return none --help

An invalid value exits with status 2 and one line naming it, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import gymnasium as gym

from dlcourse.cli import config_from, parser_for, usage_errors
from dlcourse.pg.config import PPOConfig, ReinforceConfig
from dlcourse.pg.episodes import evaluate_policy
from dlcourse.pg.ppo import train_ppo
from dlcourse.pg.reinforce import train_reinforce
from dlcourse.pg.runs import PGResult, load_pg_checkpoint

__all__ = ["main", "method_parser"]

PROG = "python -m dlcourse.pg"
METHODS = {"reinforce": (ReinforceConfig, train_reinforce), "ppo": (PPOConfig, train_ppo)}


def method_parser(method: str) -> argparse.ArgumentParser:
    """One flag per field of the method's config, and ``--eval-final``, ``--checkpoint`` etc."""
    config_cls, _ = METHODS[method]
    parser = parser_for(
        config_cls,
        f"{PROG} {method}",
        f"Train {method.upper()} (defaults: CartPole-v1), evaluate the mode policy over 100 "
        "seeded episodes and optionally save a checkpoint.",
    )
    parser.add_argument("--eval-final", type=int, default=100, help="evaluation episodes")
    parser.add_argument("--checkpoint", type=Path, help="save the run's state here at the end")
    parser.add_argument("--resume", type=Path, help="continue from this checkpoint")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> PGResult:
    """The command line: ``python -m dlcourse.pg ppo --seed 1 --total-steps 100000 ...``."""
    words = list(sys.argv[1:] if argv is None else argv)
    top = argparse.ArgumentParser(prog=PROG, description="Policy-gradient methods.")
    top.add_argument("method", choices=sorted(METHODS), help="the algorithm to train")
    if not words or words[0] not in METHODS:
        top.parse_args(words[:1])  # prints the usage and exits (status 0 for --help, else 2)
    parser = method_parser(words[0])
    args = vars(parser.parse_args(words[1:]))
    config_cls, train = METHODS[words[0]]
    config = config_from(config_cls, args, parser)
    with usage_errors(parser):
        if args["eval_final"] < 1:
            raise ValueError(f"--eval-final must be >= 1, got {args['eval_final']}")
        if args["resume"] is not None:
            load_pg_checkpoint(args["resume"])
    result = train(
        config,
        progress=not args["no_progress"],
        checkpoint=args["checkpoint"],
        resume=args["resume"],
    )
    returns = evaluate_policy(result.policy, config.env_id, args["eval_final"])
    threshold = gym.spec(config.env_id).reward_threshold
    print(
        f"{config.env_id} seed {config.seed}: {result.env_steps} env steps, "
        f"{result.log.updates} updates, {result.train_seconds:.1f} s; mode-policy mean return "
        f"over {len(returns)} episodes {returns.mean():.1f} (threshold {threshold})"
    )
    return result
