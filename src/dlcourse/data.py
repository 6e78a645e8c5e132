"""MNIST as tensors, online or offline, with errors that say what to do.

:func:`load_mnist` returns the images as one ``uint8`` tensor ``(N, 28, 28)`` and the labels as
one ``int64`` tensor ``(N,)``, read with torchvision's own IDX readers
(:func:`torchvision.datasets.mnist.read_image_file` and ``read_label_file``).

Where the data comes from, in order:

1. the root given as an argument, else the environment variable ``DLCOURSE_DATA``, else
   ``"data"``; the files are looked for in ``<root>/MNIST/raw/`` (torchvision's layout), gzipped
   or not;
2. the **training split** (60,000 images) when its two files are there;
3. with ``download=True`` and no training files, :class:`torchvision.datasets.MNIST` downloads
   the dataset into ``<root>`` (what happens on a reader's machine);
4. the **test split** (10,000 images) alone, when that is all there is (this course's offline
   build machines): the loader says so with a :class:`UserWarning`, and the result's ``split``
   is ``"test"``, so no page can mistake it for the training split.

Gzipped files are decompressed into a temporary directory; the data folder is never written to
except by torchvision's download.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

__all__ = ["DATA_ENV", "MNISTData", "MNISTDataError", "data_root", "load_mnist", "random_split"]

DATA_ENV = "DLCOURSE_DATA"
"""Environment variable naming the data root (the folder that holds ``MNIST/raw``)."""

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_HOW_TO_GET = (
    "Get MNIST with `load_mnist(root, download=True)` (torchvision downloads it into "
    "<root>/MNIST/raw), or copy the official files train-images-idx3-ubyte.gz, "
    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz into "
    "<root>/MNIST/raw/, or point the environment variable DLCOURSE_DATA at a folder that holds "
    "MNIST/raw/."
)


class MNISTDataError(RuntimeError):
    """MNIST is missing, incomplete or corrupt; the message says how to fix it."""


@dataclass(frozen=True)
class MNISTData:
    """MNIST images and labels as tensors."""

    images: Tensor
    """``uint8`` images, shape ``(N, 28, 28)``, 0 is black (background), 255 white (ink)."""
    labels: Tensor
    """``int64`` digit labels 0-9, shape ``(N,)``."""
    split: str
    """``"train"`` (60,000 images) or ``"test"`` (10,000 images): which official split this is."""
    source: Path
    """The folder the files were read from."""

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, index: Tensor) -> MNISTData:
        """The images and labels at ``index`` (same split and source)."""
        return MNISTData(self.images[index], self.labels[index], self.split, self.source)


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The data root: ``root`` if given, else ``$DLCOURSE_DATA``, else ``data``."""
    if root is None:
        root = os.environ.get(DATA_ENV) or "data"
    return Path(root).expanduser()


def _find(raw: Path, name: str) -> Path | None:
    for candidate in (raw / name, raw / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _split_files(raw: Path, split: str) -> tuple[Path, Path] | None:
    images, labels = (_find(raw, name) for name in _FILES[split])
    return (images, labels) if images is not None and labels is not None else None


def _read(path: Path, tmp: Path, kind: str) -> Tensor:
    """Read one IDX file (gzipped or not) with torchvision's reader; clear error if corrupt."""
    from torchvision.datasets.mnist import read_image_file, read_label_file

    plain = path
    try:
        if path.suffix == ".gz":
            plain = tmp / path.stem
            with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)
        tensor = (read_image_file if kind == "images" else read_label_file)(str(plain))
    except (
        AssertionError,
        ValueError,
        TypeError,
        RuntimeError,
        OSError,
        EOFError,
        KeyError,
    ) as exc:
        raise MNISTDataError(
            f"{path} is not a valid MNIST IDX {kind} file ({type(exc).__name__}: {exc}). It is "
            f"probably truncated or corrupt: delete it and get it again. {_HOW_TO_GET}"
        ) from exc
    if kind == "images" and tuple(tensor.shape[1:]) != (28, 28):
        raise MNISTDataError(f"{path}: expected 28x28 images, got shape {tuple(tensor.shape)}")
    return tensor


def _load(images_path: Path, labels_path: Path, split: str) -> MNISTData:
    with tempfile.TemporaryDirectory(prefix="dlcourse-mnist-") as tmp:
        images = _read(images_path, Path(tmp), "images")
        labels = _read(labels_path, Path(tmp), "labels").long()
    if images.shape[0] != labels.shape[0]:
        raise MNISTDataError(
            f"{images_path.parent}: {images.shape[0]} images but {labels.shape[0]} labels; "
            f"one of the files is truncated or from another release. {_HOW_TO_GET}"
        )
    if labels.numel() and (labels.min() < 0 or labels.max() > 9):
        raise MNISTDataError(f"{labels_path}: labels outside 0-9; the file is corrupt.")
    return MNISTData(images.contiguous(), labels, split, images_path.parent)


def load_mnist(root: str | os.PathLike[str] | None = None, *, download: bool = False) -> MNISTData:
    """Load MNIST's training split, or its test split when that is all there is.

    Args:
        root: folder holding ``MNIST/raw/``; default ``$DLCOURSE_DATA``, else ``data``.
        download: download MNIST with torchvision when the training split is missing.

    Returns:
        An :class:`MNISTData` whose ``split`` says which official split it is.

    Raises:
        MNISTDataError: no usable MNIST files (the message says how to get them), a file is
            corrupt or truncated, or images and labels disagree in number.
    """
    root = data_root(root)
    raw = root / "MNIST" / "raw"
    if root.exists() and not root.is_dir():
        raise MNISTDataError(f"data root {root} is a file, not a folder. {_HOW_TO_GET}")
    found = _split_files(raw, "train")
    if found is None and download:
        from torchvision.datasets import MNIST

        try:
            MNIST(str(root), train=True, download=True)
        except Exception as exc:  # network errors come in many types
            if _split_files(raw, "test") is None:
                raise MNISTDataError(
                    f"downloading MNIST into {root} failed ({type(exc).__name__}: {exc}). "
                    f"{_HOW_TO_GET}"
                ) from exc
        found = _split_files(raw, "train")
    if found is not None:
        return _load(*found, "train")
    found = _split_files(raw, "test")
    if found is None:
        where = "does not exist" if not root.exists() else "holds no MNIST files"
        raise MNISTDataError(f"data root {root} {where} (looked in {raw}). {_HOW_TO_GET}")
    warnings.warn(
        f"only MNIST's 10,000-image test split is in {raw}; using it (the 60,000-image "
        "training split is not there)",
        UserWarning,
        stacklevel=2,
    )
    return _load(*found, "test")


def random_split(data: MNISTData, sizes: list[int], seed: int = 0) -> list[MNISTData]:
    """Disjoint random parts of ``data`` with the given sizes (a seeded permutation).

    Raises:
        ValueError: a size is negative or the sizes add up to more than ``len(data)``.
    """
    if any(s < 0 for s in sizes) or sum(sizes) > len(data):
        raise ValueError(f"sizes {sizes} do not fit in {len(data)} images")
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    parts, start = [], 0
    for size in sizes:
        parts.append(data.subset(order[start : start + size]))
        start += size
    return parts
