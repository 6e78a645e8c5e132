"""The command line: one flag per :class:`~dlcourse.gan.config.GANConfig` field, and the data.

    python -m dlcourse.gan --epochs 5 --checkpoint gan.pt
    torchrun --nproc_per_node=2 -m dlcourse.gan --epochs 5 --checkpoint gan.pt

A bad value (a field out of range, a data root without MNIST, a file that is not a GAN
checkpoint) is a usage error: one ``error:`` line and exit status 2, no traceback.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from dlcourse.checkpoint import read_checkpoint
from dlcourse.cli import config_from, parser_for, usage_errors
from dlcourse.gan.config import GANConfig
from dlcourse.gan.training import CHECKPOINT_FORMAT, GANResult, train

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """The flags of ``python -m dlcourse.gan``: the config's, then where the images come from."""
    p = parser_for(GANConfig, prog="python -m dlcourse.gan", description="Train a GAN on MNIST.")
    p.add_argument(
        "--data-root",
        default=None,
        help="Folder holding MNIST/raw (default: $DLCOURSE_DATA, else data).",
    )
    p.add_argument("--download", action="store_true", help="Download MNIST if it is missing.")
    p.add_argument("--limit", type=int, default=None, help="Train on the first N images only.")
    return p


def main(argv: Sequence[str] | None = None) -> GANResult:
    """Command-line entry point: ``python -m dlcourse.gan --help``."""
    from dlcourse.data import MNISTDataError, load_mnist

    cli = parser()
    args = vars(cli.parse_args(argv))
    config = config_from(GANConfig, args, cli)
    limit = args["limit"]
    with usage_errors(cli):
        if limit is not None and limit < 1:
            raise ValueError(f"--limit must be >= 1, got {limit}")
        if config.resume and config.checkpoint and os.path.isfile(config.checkpoint):
            read_checkpoint(config.checkpoint, kind="dlcourse.gan", format=CHECKPOINT_FORMAT)
        try:
            data = load_mnist(args["data_root"], download=args["download"])
        except MNISTDataError as exc:
            raise ValueError(str(exc)) from exc
    images = data.images if limit is None else data.images[:limit]
    result = train(config, images)
    if int(os.environ.get("RANK", "0")) == 0:
        n = len(result.loss_d)
        print(
            f"trained {config.arch} GAN on {len(images)} MNIST {data.split} images: "
            f"{config.epochs} epochs, {n} steps; last loss_d {result.loss_d[-1]:.3f}, "
            f"loss_g {result.loss_g[-1]:.3f}"
            + (f"; checkpoint {config.checkpoint}" if config.checkpoint else "")
        )
    return result
