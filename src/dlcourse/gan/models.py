"""The generator and discriminator networks, and the pixel range they work in.

A generator maps noise ``z ~ N(0, I)`` to ``(N, 1, 28, 28)`` images through a ``tanh``, so its
images lie in ``[-1, 1]``; a discriminator maps images to one logit each, the log-odds that
the image is real (no ``Sigmoid``: the losses take logits).
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from dlcourse.gan.config import GANConfig

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "build_models",
    "to_model_range",
]


# --8<-- [start:models]
class MLPGenerator(nn.Module):
    """``z -> 128 -> 256 -> 512 -> 784`` with ReLU, ``tanh`` output in ``[-1, 1]``."""

    def __init__(self, latent_dim: int, hidden: Sequence[int], batchnorm: bool = False) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for n_in, n_out in zip((latent_dim, *hidden[:-1]), hidden, strict=True):
            layers.append(nn.Linear(n_in, n_out))
            if batchnorm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(nn.ReLU())
        layers += [nn.Linear(hidden[-1], 28 * 28), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z).view(-1, 1, 28, 28)


class MLPDiscriminator(nn.Module):
    """``784 -> 512 -> 256 -> 1`` with LeakyReLU(0.2); outputs a logit (no Sigmoid)."""

    def __init__(self, hidden: Sequence[int], dropout: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        for n_in, n_out in zip((28 * 28, *hidden[:-1]), hidden, strict=True):
            layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(hidden[-1], 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(1)


# --8<-- [end:models]


class DCGANGenerator(nn.Module):
    """Radford et al. (2016) in miniature: ``z -> 2w x 7 x 7 -> w x 14 x 14 -> 1 x 28 x 28``."""

    def __init__(self, latent_dim: int, width: int) -> None:
        super().__init__()
        self.width = width
        self.project = nn.Sequential(
            nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False),
            nn.BatchNorm1d(2 * width * 7 * 7),
            nn.ReLU(),
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1),
            nn.Tanh(),
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.up(self.project(z).view(-1, 2 * self.width, 7, 7))


class DCGANDiscriminator(nn.Module):
    """Strided convolutions ``1 x 28 x 28 -> w x 14 x 14 -> 2w x 7 x 7 -> 1`` logit."""

    def __init__(self, width: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(2 * width * 7 * 7, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(1)


def build_models(config: GANConfig) -> tuple[nn.Module, nn.Module]:
    """The generator and discriminator ``config`` describes (weights from the global RNG)."""
    if config.arch == "dcgan":
        return (
            DCGANGenerator(config.latent_dim, config.width),
            DCGANDiscriminator(config.width, config.d_dropout),
        )
    return (
        MLPGenerator(config.latent_dim, config.g_hidden, config.g_batchnorm),
        MLPDiscriminator(config.d_hidden, config.d_dropout),
    )


def to_model_range(images: Tensor, pixel_range: str = "[-1, 1]") -> Tensor:
    """``uint8`` images ``(N, 28, 28)`` as floats ``(N, 1, 28, 28)`` in ``pixel_range``.

    ``x = p / 255`` for ``"[0, 1]"``; ``2 p / 255 - 1`` for ``"[-1, 1]"``.
    """
    x = images.float().div(255.0).unsqueeze(1)
    return x * 2.0 - 1.0 if pixel_range == "[-1, 1]" else x
