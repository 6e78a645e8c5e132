"""Where the course's code runs: the device and the seeds.

Every chapter asks :func:`device` for its device, so the same page runs on CPU or CUDA
unchanged, and the test matrix (``nox -s "tests(device='cuda')"``) can switch all of it
with one environment variable.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
from collections.abc import Iterator

import numpy as np
import torch

__all__ = ["DEVICE_ENV", "device", "one_thread_on_cpu", "seed_everything"]

DEVICE_ENV = "DLCOURSE_DEVICE"
"""Environment variable that selects the device: ``cpu``, ``cuda`` or ``auto`` (the default)."""

_log = logging.getLogger("dlcourse.seed")


def device() -> torch.device:
    """Return the device the course's code should use.

    ``DLCOURSE_DEVICE=cpu`` or ``cuda`` forces one; unset or ``auto`` picks CUDA when it is
    available and the CPU otherwise.

    Raises:
        ValueError: the variable holds something other than ``cpu``, ``cuda`` or ``auto``.
        RuntimeError: ``cuda`` was asked for but PyTorch sees no CUDA device.
    """
    choice = os.environ.get(DEVICE_ENV, "auto").strip().lower() or "auto"
    if choice not in {"cpu", "cuda", "auto"}:
        raise ValueError(
            f"{DEVICE_ENV}={choice!r} is not a device this course knows; "
            "set it to 'cpu', 'cuda' or 'auto' (or unset it)."
        )
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"{DEVICE_ENV}=cuda, but torch.cuda.is_available() is False on this machine; "
            "unset it or set it to 'cpu'."
        )
    return torch.device(choice)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's global generators (CPU and CUDA) with ``seed``.

    Environments are seeded separately through ``env.reset(seed=...)``. The seed is also
    logged on the ``dlcourse.seed`` logger, which is how a page's reproducibility stamp
    learns which seeds its code used.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    _log.info("seed_everything(%d)", seed, extra={"dlcourse_seed": seed})


@contextlib.contextmanager
def one_thread_on_cpu(dev: torch.device) -> Iterator[None]:
    """Run the body with ``torch.set_num_threads(1)`` when ``dev`` is the CPU, then restore.

    For networks of a few hundred units a step is a few dozen tiny kernels; splitting each
    over threads costs more than it saves. One thread also makes the result the same on every
    machine: the summation order of multi-threaded kernels, and so the last bits of every
    update, depends on the number of threads.
    """
    if dev.type != "cpu":
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
