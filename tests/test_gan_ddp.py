"""The GAN's training script runs under torchrun with 2 CPU processes (gloo, DDP)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dlcourse.gan import GANConfig, build_models


def _fake_mnist(root: Path, n: int = 256) -> None:
    import gzip

    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    g = torch.Generator().manual_seed(0)
    pixels = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g)
    header = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (n, 28, 28))
    with gzip.open(raw / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(header + pixels.numpy().tobytes())
    with gzip.open(raw / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + n.to_bytes(4, "big") + bytes(i % 10 for i in range(n)))


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed is unavailable")
def test_torchrun_two_cpu_processes(tmp_path: Path) -> None:
    _fake_mnist(tmp_path / "data")
    ckpt = tmp_path / "gan.pt"
    env = {
        **os.environ,
        "DLCOURSE_DEVICE": "cpu",
        "CUDA_VISIBLE_DEVICES": "",
        "OMP_NUM_THREADS": "1",
    }
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
        "--standalone",
        "-m", "dlcourse.gan", "--data-root", str(tmp_path / "data"),
        "--epochs", "2", "--batch-size", "32", "--g-hidden", "32", "--d-hidden", "32",
        "--g-batchnorm", "--ema-decay", "0.9", "--checkpoint", str(ckpt),
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # 256 images, 2 processes of 128, batches of 32: 4 steps per epoch in each process
    assert "2 epochs, 8 steps" in proc.stdout
    state = torch.load(ckpt, weights_only=True)
    assert state["epoch"] == 2 and len(state["history"]["loss_d"]) == 8
    generator, _ = build_models(GANConfig(g_hidden=(32,), d_hidden=(32,), g_batchnorm=True))
    generator.load_state_dict(state["generator"])  # plain module weights, no "module." prefix
    assert int(state["averaged"]["n_averaged"]) == 8  # the average saw every step
