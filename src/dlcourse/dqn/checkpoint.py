"""A DQN run's state in one file: three networks, optimizer, buffer, generator, counters."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from dlcourse.agents.replay import ReplayBuffer
from dlcourse.checkpoint import read_checkpoint
from dlcourse.dqn.config import DQNConfig

__all__ = ["CHECKPOINT_FORMAT", "checkpoint_state", "load_checkpoint"]

CHECKPOINT_FORMAT = 2
"""Version of the checkpoint dictionary written by :func:`dlcourse.dqn.train`."""


def checkpoint_state(
    config: DQNConfig,
    q_net: nn.Module,
    target_net: nn.Module,
    average_net: nn.Module,
    optimizer: torch.optim.Optimizer,
    buffer: ReplayBuffer,
    rng: np.random.Generator,
    counters: dict[str, Any],
) -> dict[str, Any]:
    """The dictionary :func:`dlcourse.dqn.train` saves: tensors, numbers and strings only."""
    return {
        "format": CHECKPOINT_FORMAT,
        "config": dataclasses.asdict(config),
        "q_net": q_net.state_dict(),
        "target_net": target_net.state_dict(),
        "average_net": average_net.state_dict(),
        "optimizer": optimizer.state_dict(),
        "buffer": buffer.state_dict(),
        "rng": rng.bit_generator.state,
        **counters,
    }


def load_checkpoint(path: str | Path, device: torch.device | str | None = None) -> dict[str, Any]:
    """Read a checkpoint written by :func:`dlcourse.dqn.train` with ``weights_only=True``.

    Only tensors, numbers, strings and containers of them are unpickled, so a checkpoint from
    an untrusted source cannot run code. Rebuild the network :func:`dlcourse.dqn.train` returns
    with ``QNetwork(...).load_state_dict(ckpt["average_net"])`` (``"q_net"`` is the online one),
    or pass the path to ``train(resume=...)``.
    """
    return read_checkpoint(
        path, kind="dlcourse.dqn", format=CHECKPOINT_FORMAT, map_location=device or "cpu"
    )
