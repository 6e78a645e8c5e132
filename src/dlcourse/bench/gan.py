"""GAN training throughput: :func:`dlcourse.gan.train` against the original lesson's loop.

Both train the same MLP GAN (generator ``100 -> 128 -> 256 -> 512 -> 784``, discriminator
``784 -> 512 -> 256 -> 1``, batch 64, Adam 2e-4) for one epoch over the same MNIST images on the
same device. The original loop is the lesson's code: a ``torchvision`` dataset with a
``ToTensor`` transform per image, a ``DataLoader``, a ``Sigmoid`` discriminator with
``BCELoss``, and separate discriminator passes over real and fake images. Ours keeps the
images as one tensor on the device, draws batches by index, and runs the discriminator once
on real and fake images together. Warm-up epochs are excluded from the timings.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.bench import timeit
from dlcourse.gan import GANConfig, train

__all__ = ["original_epoch", "run"]


def _images(n: int) -> tuple[Tensor, str]:
    from dlcourse.data import MNISTDataError, load_mnist

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = load_mnist()
        return data.images[:n], f"MNIST {data.split} split"
    except MNISTDataError:
        g = torch.Generator().manual_seed(0)
        return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g), "random"


def original_epoch(images: Tensor, dev: torch.device, batch_size: int = 64) -> None:
    """One epoch of the original lesson's training loop (its models, data pipeline and steps)."""
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
    """Images per second of one training epoch, ours and the original loop's (JSON-able)."""
    n, repeats = (128, 3) if quick else (10_000, 3)
    images, source = _images(n)
    dev = runtime.device()
    impls = {
        "dlcourse": lambda: _ours(images),
        "original loop": lambda: original_epoch(images, dev),
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
            f"{dev}: dlcourse.gan.train versus the original lesson's DataLoader/ToTensor loop, "
            "same model, same machine; warm-up excluded."
        ),
        "rows": rows,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
