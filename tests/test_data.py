"""dlcourse.data: the offline test split, the training split preferred, clear errors."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
import torch

from dlcourse.data import DATA_ENV, MNISTDataError, data_root, load_mnist, random_split

from .conftest import ROOT

SHARED = Path(os.environ.get(DATA_ENV) or ROOT.parent / "shared" / "data")
RAW = SHARED / "MNIST" / "raw"
needs_mnist = pytest.mark.skipif(
    not (RAW / "t10k-images-idx3-ubyte.gz").is_file(),
    reason=f"the offline MNIST test split is not at {RAW} (set {DATA_ENV})",
)


def _idx(path: Path, magic_type: int, dims: list[int], payload: bytes, gz: bool = True) -> None:
    header = bytes([0, 0, magic_type, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(header + payload)


def _fake_split(raw: Path, prefix: str, n: int, gz: bool = True) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    _idx(raw / f"{prefix}-images-idx3-ubyte{suffix}", 8, [n, 28, 28], bytes(range(n)) * 784, gz)
    _idx(raw / f"{prefix}-labels-idx1-ubyte{suffix}", 8, [n], bytes(i % 10 for i in range(n)), gz)


@needs_mnist
def test_offline_test_split_is_loaded_and_announced() -> None:
    before = sorted(p.name for p in RAW.iterdir())
    with pytest.warns(UserWarning, match="test split"):
        data = load_mnist(SHARED)
    assert data.split == "test" and len(data) == 10_000
    assert data.images.shape == (10_000, 28, 28) and data.images.dtype == torch.uint8
    assert data.labels.dtype == torch.int64 and set(data.labels.tolist()) == set(range(10))
    assert sorted(p.name for p in RAW.iterdir()) == before  # nothing written to the data folder


def test_training_split_is_preferred(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    _fake_split(raw, "t10k", 5)
    _fake_split(raw, "train", 7, gz=False)  # un-gzipped, as torchvision leaves them
    data = load_mnist(tmp_path)
    assert data.split == "train" and len(data) == 7
    assert data.labels.tolist() == [i % 10 for i in range(7)]


def test_root_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_split(tmp_path / "MNIST" / "raw", "train", 3)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert data_root() == tmp_path
    assert len(load_mnist()) == 3


def test_missing_data_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(MNISTDataError, match=r"does not exist.*download=True"):
        load_mnist(tmp_path / "nowhere")
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    (tmp_path / "MNIST" / "raw" / "README").write_text("not mnist")
    with pytest.raises(MNISTDataError, match=r"holds no MNIST files.*DLCOURSE_DATA"):
        load_mnist(tmp_path)


def test_corrupt_and_truncated_files(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    _fake_split(raw, "train", 4)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(b"this is not gzip")
    with pytest.raises(MNISTDataError, match="not a valid MNIST IDX images file"):
        load_mnist(tmp_path)
    _idx(raw / "train-images-idx3-ubyte.gz", 8, [4, 28, 28], bytes(100))  # truncated
    with pytest.raises(MNISTDataError, match="truncated or corrupt"):
        load_mnist(tmp_path)
    _idx(raw / "train-images-idx3-ubyte.gz", 8, [3, 28, 28], bytes(3 * 784))
    with pytest.raises(MNISTDataError, match="3 images but 4 labels"):
        load_mnist(tmp_path)


@needs_mnist
def test_corrupt_copy_of_real_file(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    shutil.copy(RAW / "t10k-labels-idx1-ubyte.gz", raw)
    with gzip.open(RAW / "t10k-images-idx3-ubyte.gz") as f:
        head = f.read(5000)
    with gzip.open(raw / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(head)
    with pytest.warns(UserWarning), pytest.raises(MNISTDataError, match="truncated or corrupt"):
        load_mnist(tmp_path)


def test_random_split_is_disjoint_and_seeded(tmp_path: Path) -> None:
    _fake_split(tmp_path / "MNIST" / "raw", "train", 20)
    data = load_mnist(tmp_path)
    a, b = random_split(data, [12, 8], seed=3)
    assert len(a) == 12 and len(b) == 8
    again = random_split(data, [12, 8], seed=3)[0]
    assert torch.equal(a.images, again.images)
    with pytest.raises(ValueError, match="do not fit"):
        random_split(data, [15, 8])
