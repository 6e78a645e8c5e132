"""GAN benchmarks: training throughput against a plain DataLoader loop, and the ablation.

:func:`run` times :func:`dlcourse.gan.train` against a plain DataLoader loop. Both train
the same MLP GAN (generator ``100 -> 128 -> 256 -> 512 -> 784``, discriminator
``784 -> 512 -> 256 -> 1``, batch 64, Adam 2e-4) for one epoch over the same MNIST images on the
same device. The plain loop is the code most tutorials write: a ``torchvision`` dataset with a
``ToTensor`` transform per image, a ``DataLoader``, a ``Sigmoid`` discriminator with
``BCELoss``, and separate discriminator passes over real and fake images. Ours keeps the
images as one tensor on the device, draws batches by index, runs the discriminator once on
real and fake images together, and uses the fused Adam kernel. Warm-up epochs are excluded
from the timings.

:func:`run_ablation` measures the quality of each step from the plain model to
:func:`dlcourse.gan.improved`; the GANs page shows its table.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor, nn

from courseware.bench import timeit
from dlcourse import runtime
from dlcourse.data import MNISTData, MNISTDataError, load_mnist, random_split
from dlcourse.gan import (
    GANConfig,
    classifier_features,
    improved,
    measure_quality,
    sample,
    train,
    train_evaluator,
)

__all__ = ["ABLATION", "ablation_rows", "dataloader_epoch", "run", "run_ablation"]


def _mnist(n: int, allow_random: bool = True) -> tuple[MNISTData, str]:
    """MNIST (its description), or with ``allow_random`` and no MNIST, ``n`` random images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = load_mnist()
        return data, f"MNIST {data.split} split"
    except MNISTDataError:
        if not allow_random:
            raise
        g = torch.Generator().manual_seed(0)
        images = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g)
        labels = torch.randint(0, 10, (n,), generator=g)
        return MNISTData(images, labels, "random", Path()), "random images"


def _images(n: int) -> tuple[Tensor, str]:
    data, source = _mnist(n)
    return data.images[:n], source


def dataloader_epoch(images: Tensor, dev: torch.device, batch_size: int = 64) -> None:
    """One epoch of the plain training loop (its models, data pipeline and steps)."""
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    class Digits(Dataset):
        def __init__(self, images: Tensor) -> None:
            self.images, self.transform = images.numpy(), transforms.ToTensor()

        def __len__(self) -> int:
            return len(self.images)

        def __getitem__(self, i: int) -> tuple[Tensor, int]:
            return self.transform(Image.fromarray(self.images[i], mode="L")), 0

    generator = nn.Sequential(
        nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(),
        nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 784), nn.Tanh(),
    ).to(dev)  # fmt: skip
    discriminator = nn.Sequential(
        nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 1), nn.Sigmoid(),
    ).to(dev)  # fmt: skip
    criterion = nn.BCELoss()
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(Digits(images), batch_size=batch_size, shuffle=True)
    for real, _ in loader:
        real = real.view(-1, 784).to(dev)
        n = real.size(0)
        real_labels, fake_labels = torch.ones(n, 1, device=dev), torch.zeros(n, 1, device=dev)
        d_loss_real = criterion(discriminator(real), real_labels)
        z = torch.randn(n, 100, device=dev)
        fake = generator(z)
        d_loss_fake = criterion(discriminator(fake.detach()), fake_labels)
        d_loss = d_loss_real + d_loss_fake
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = criterion(discriminator(fake), real_labels)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
    if dev.type == "cuda":
        torch.cuda.synchronize()


def _ours(images: Tensor) -> None:
    train(GANConfig(epochs=1, n_fixed=1), images)
    if runtime.device().type == "cuda":
        torch.cuda.synchronize()


def run(quick: bool = False) -> dict:
    """Images per second of one training epoch, ours and the DataLoader loop's (JSON-able)."""
    n, repeats = (128, 3) if quick else (10_000, 3)
    images, source = _images(n)
    dev = runtime.device()
    impls = {
        "dlcourse": lambda: _ours(images),
        "DataLoader loop": lambda: dataloader_epoch(images, dev),
    }
    rows = []
    for name, fn in impls.items():
        seconds = timeit(fn, repeats=repeats, warmup=1)
        rows.append(
            {
                "impl": name,
                "images_per_second": [round(len(images) / t, 1) for t in seconds],
                "images": len(images),
                "device": str(dev),
                "threads": torch.get_num_threads(),
            }
        )
    return {
        "name": "gan-throughput",
        "title": "GAN training throughput (MLP GAN, batch 64, one epoch)",
        "description": (
            f"Images per second of one training epoch over {len(images)} images ({source}) on "
            f"{dev}: dlcourse.gan.train versus a plain DataLoader/ToTensor loop, "
            "same model, same machine; warm-up excluded."
        ),
        "rows": rows,
    }


ABLATION: tuple[tuple[str, dict[str, object]], ...] = (
    ("plain MLP GAN (GANConfig defaults)", {"epochs": 5}),
    ("+ batch norm in G", {"epochs": 5, "g_batchnorm": True}),
    ("+ batch norm in G", {"epochs": 20, "g_batchnorm": True}),
    (
        "+ dropout 0.3 in D, real label 0.9",
        {"epochs": 20, "g_batchnorm": True, "d_dropout": 0.3, "real_label": 0.9},
    ),
    (
        "+ longer training",
        {
            "epochs": 170,
            "g_batchnorm": True,
            "d_dropout": 0.3,
            "real_label": 0.9,
            "ema_decay": 0.999,
        },
    ),
    ("+ batch 128, learning rates 8e-4 = improved()", {}),
    ("DCGAN, width 32 (for comparison)", {"arch": "dcgan", "epochs": 5}),
)
"""The chapter's ablation, one change at a time: (name, GANConfig fields; ``{}`` is
:func:`~dlcourse.gan.improved`). Runs with ``ema_decay`` report the generator's last weights
and their moving average."""


def ablation_rows(
    steps: Sequence[tuple[str, GANConfig]],
    sizes: tuple[int, int, int] = (5000, 2500, 2500),
    allow_random: bool = False,
) -> tuple[list[dict], str]:
    """Train each config on MNIST and measure it as the chapter's page does.

    The split, classifier and references are the page's (seed 0, ``sizes`` = GAN set and the
    two held-out sets); quality is measured on as many samples as the second held-out set has
    (noise seed 1). ``allow_random``: without MNIST, use random images (a smoke test only).
    Returns the rows and the data's description.
    """
    data, source = _mnist(sum(sizes), allow_random)
    gan_set, held_a, held_b = random_split(data, list(sizes), seed=0)
    classifier = train_evaluator(gan_set.images, gan_set.labels, epochs=2, seed=0)
    reference = classifier_features(classifier, held_a.images)
    floor = measure_quality(classifier, held_b.images, reference)

    def row(name: str, config: GANConfig, generator: nn.Module, seconds: float) -> dict:
        q = measure_quality(classifier, sample(generator, sizes[2], seed=1), reference)
        return {
            "configuration": name,
            "epochs": config.epochs,
            "batch": config.batch_size,
            "frechet_distance": float(f"{q.frechet:.4g}"),
            "x_floor": float(f"{q.frechet / floor.frechet:.3g}"),
            "digits": q.digits_covered,
            "entropy": round(q.entropy, 3),
            "train_seconds": round(seconds, 1),
        }

    rows = [
        {
            "configuration": "real vs real (the floor)",
            "frechet_distance": float(f"{floor.frechet:.4g}"),
            "x_floor": 1.0,
            "digits": floor.digits_covered,
            "entropy": round(floor.entropy, 3),
        }
    ]
    for name, config in steps:
        start = time.perf_counter()
        result = train(config, gan_set.images)
        seconds = time.perf_counter() - start
        if result.averaged_generator is None:
            rows.append(row(name, config, result.generator, seconds))
        else:
            rows.append(row(f"{name}: last weights", config, result.generator, seconds))
            rows.append(
                row(f"{name}: averaged weights", config, result.averaged_generator, seconds)
            )
    return rows, source


def run_ablation(quick: bool = False) -> dict:
    """The chapter's ablation: each change to the plain GAN and its measured effect."""
    if quick:
        tiny = {"epochs": 1, "g_hidden": (32,), "d_hidden": (32,), "n_fixed": 1}
        steps = [
            ("tiny", GANConfig(**tiny)),
            ("tiny, averaged", GANConfig(**tiny, g_batchnorm=True, ema_decay=0.9)),
        ]
        sizes = (256, 128, 128)
    else:
        steps = [(name, GANConfig(**f) if f else improved()) for name, f in ABLATION]
        sizes = (5000, 2500, 2500)
    rows, source = ablation_rows(steps, sizes, allow_random=quick)
    return {
        "name": "gan-ablation",
        "title": "GAN ablation: the plain model, one change at a time",
        "description": (
            f"Each configuration trained with seed 0 on {sizes[0]:,} images of the {source} and "
            f"measured on {sizes[2]:,} samples against held-out real images, as on the GANs "
            "page: Frechet distance in the digit classifier's features (and as a multiple of "
            "the real-vs-real floor), digits predicted, entropy of the predicted-digit histogram "
            "(ln 10 = 2.30 is perfectly even), and training time. A run that keeps a moving "
            "average of the generator's weights is measured twice: its last weights and their "
            "average."
        ),
        "rows": rows,
        "columns": [
            ["configuration", "configuration"],
            ["epochs", "epochs"],
            ["batch", "batch"],
            ["frechet_distance", "Fréchet distance"],
            ["x_floor", "× floor"],
            ["digits", "digits"],
            ["entropy", "entropy"],
            ["train_seconds", "training seconds"],
        ],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
