"""What a GAN run depends on: :class:`GANConfig`, and :func:`improved`, the chapter's model.

Every field is a :func:`dlcourse.config.setting`: its default, a help text (which is also the
command line's) and the values it accepts, checked when the config is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dlcourse.config import setting, validate

__all__ = ["GANConfig", "improved"]


@dataclass(frozen=True)
class GANConfig:
    """Everything a GAN run depends on. The defaults are a plain MLP GAN, the chapter's baseline."""

    arch: Literal["mlp", "dcgan"] = setting(
        "mlp", "'mlp' (fully connected nets) or 'dcgan' (small convolutional nets)."
    )
    latent_dim: int = setting(100, "Size of the noise vector z.", minimum=1)
    g_hidden: tuple[int, ...] = setting(
        (128, 256, 512),
        "MLP generator: hidden layer widths (latent_dim -> ... -> 784).",
        minimum=1,
        nonempty=True,
    )
    d_hidden: tuple[int, ...] = setting(
        (512, 256),
        "MLP discriminator: hidden layer widths (784 -> ... -> 1).",
        minimum=1,
        nonempty=True,
    )
    width: int = setting(
        32,
        "DCGAN: channels of the 14x14 feature maps (the 7x7 maps have twice as many).",
        minimum=1,
    )
    g_batchnorm: bool = setting(False, "Batch normalization after each hidden layer of G.")
    d_dropout: float = setting(
        0.0, "Dropout probability after each hidden layer of D.", minimum=0.0, below=1.0
    )
    epochs: int = setting(50, "Passes over the training images.", minimum=1)
    batch_size: int = setting(64, "Images per step (per process under torchrun).", minimum=2)
    lr_g: float = setting(2e-4, "Adam learning rate of the generator.", above=0.0)
    lr_d: float = setting(2e-4, "Adam learning rate of the discriminator.", above=0.0)
    betas: tuple[float, float] = setting(
        (0.5, 0.999), "Adam's (beta1, beta2) for both networks.", minimum=0.0, below=1.0
    )
    real_label: float = setting(
        1.0,
        "Target for real images in D's loss; 0.9 is one-sided label smoothing.",
        above=0.5,
        maximum=1.0,
    )
    ema_decay: float = setting(
        0.0,
        "Keep an exponential moving average of G's weights with this decay (0: none).",
        minimum=0.0,
        below=1.0,
    )
    g_loss: Literal["non-saturating", "minimax"] = setting(
        "non-saturating",
        "'non-saturating': minimize -log D(G(z)); 'minimax': minimize log(1 - D(G(z))).",
    )
    pixel_range: Literal["[-1, 1]", "[0, 1]"] = setting(
        "[-1, 1]",
        "Range real images are scaled to; '[0, 1]' is the pitfall: it misses half of tanh's range.",
    )
    seed: int = setting(0, "Seeds the weights, the noise and the order of the images.", minimum=0)
    n_fixed: int = setting(
        16, "Fixed noise vectors whose samples are kept after every epoch.", minimum=1
    )
    checkpoint: str | None = setting(
        None, "Path of a checkpoint written after every epoch (None: none written)."
    )
    resume: bool = setting(False, "Continue from checkpoint when it exists.")
    progress: bool = setting(False, "Show a progress bar (on stderr).")

    def __post_init__(self) -> None:
        validate(
            self,
            [(not self.resume or bool(self.checkpoint), "resume=True needs a checkpoint path")],
        )


# --8<-- [start:improved]
def improved(**changes: object) -> GANConfig:
    """The chapter's model: the plain MLP GAN (the defaults) with the changes the page discusses.

    The measured effect of each change is in the GAN ablation benchmark shown on the chapter's
    page; ``changes`` override any field (``improved(seed=1)``).
    """
    settings: dict[str, object] = {
        "g_batchnorm": True,  # batch norm after each hidden layer of the generator
        "d_dropout": 0.3,  # dropout in the discriminator, which regularizes it
        "real_label": 0.9,  # one-sided label smoothing: real images are labelled 0.9, not 1
        "batch_size": 128,  # twice the default batch ...
        "lr_g": 8e-4,  # ... and larger steps: 4x the default learning rates
        "lr_d": 8e-4,
        "epochs": 200,  # longer training
        "ema_decay": 0.999,  # sample from a moving average of the generator's weights
    }
    return GANConfig(**{**settings, **changes})


# --8<-- [end:improved]
