"""Generative adversarial networks on MNIST: models, training, and measured sample quality.

A generator ``G`` maps noise ``z ~ N(0, I)`` to images; a discriminator ``D`` outputs a logit,
the log-odds that its input is real. They play (Goodfellow et al., 2014)

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))].

:func:`train` implements it with ``BCEWithLogitsLoss`` on logits (numerically stable, no
``Sigmoid`` layer), the discriminator step on ``fake.detach()``, and the *non-saturating*
generator loss ``-log D(G(z))``. Real images are scaled to ``[-1, 1]``, the range of the
generator's ``tanh``. Optionally it keeps an exponential moving average of the generator's
weights (Yazici et al., 2019), the generator to sample from. The same function runs on one
CPU, one GPU, or under ``torchrun --nproc_per_node=N`` with
:class:`~torch.nn.parallel.DistributedDataParallel` and a
:class:`~torch.utils.data.DistributedSampler` (gloo on CPU, nccl on GPU).

Quality is measured, not eyeballed: :func:`train_evaluator` fits a small CNN digit classifier
on real images; :func:`measure_quality` reports, for generated images, the Frechet distance
between the classifier's features of generated and held-out real images (the idea of FID,
Heusel et al., 2017, with an MNIST classifier instead of Inception) and the histogram of
predicted digits with its entropy (``ln 10 = 2.30`` when all ten are equally frequent).

Command line (the same :class:`GANConfig`)::

    python -m dlcourse.gan --epochs 5 --checkpoint gan.pt
    torchrun --nproc_per_node=2 -m dlcourse.gan --epochs 5 --checkpoint gan.pt
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn, update_bn
from torch.utils.data import DistributedSampler

from dlcourse import runtime
from dlcourse.checkpoint import read_checkpoint
from dlcourse.cli import usage_errors

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "DigitClassifier",
    "GANConfig",
    "GANResult",
    "MLPDiscriminator",
    "MLPGenerator",
    "QualityReport",
    "accuracy",
    "adversarial_step",
    "build_models",
    "classifier_features",
    "frechet_distance",
    "improved",
    "main",
    "measure_quality",
    "sample",
    "to_model_range",
    "train",
    "train_evaluator",
]

CHECKPOINT_FORMAT = 1
"""Version of what :func:`train` writes to ``GANConfig.checkpoint``."""

Arch = Literal["mlp", "dcgan"]
PixelRange = Literal["[-1, 1]", "[0, 1]"]
GLoss = Literal["non-saturating", "minimax"]


@dataclass
class GANConfig:
    """Everything a GAN run depends on. The defaults are the original lesson's MLP GAN."""

    arch: Arch = "mlp"
    """``"mlp"`` (the original lesson's fully connected nets) or ``"dcgan"`` (small conv nets)."""
    latent_dim: int = 100
    """Size of the noise vector ``z``."""
    g_hidden: tuple[int, ...] = (128, 256, 512)
    """MLP generator: hidden layer widths (``latent_dim -> ... -> 784``)."""
    d_hidden: tuple[int, ...] = (512, 256)
    """MLP discriminator: hidden layer widths (``784 -> ... -> 1``)."""
    width: int = 32
    """DCGAN: channels of the 14x14 feature maps (the 7x7 maps have twice as many)."""
    g_batchnorm: bool = False
    """Batch normalization after each hidden layer of the generator."""
    d_dropout: float = 0.0
    """Dropout probability after each hidden layer of the discriminator."""
    epochs: int = 50
    """Passes over the training images."""
    batch_size: int = 64
    """Images per step (per process under torchrun)."""
    lr_g: float = 2e-4
    """Adam learning rate of the generator."""
    lr_d: float = 2e-4
    """Adam learning rate of the discriminator."""
    betas: tuple[float, float] = (0.5, 0.999)
    """Adam's ``(beta1, beta2)`` for both networks."""
    real_label: float = 1.0
    """Target for real images in the discriminator's loss; 0.9 is one-sided label smoothing."""
    ema_decay: float = 0.0
    """Keep an exponential moving average of the generator's weights with this decay (0: none)."""
    g_loss: GLoss = "non-saturating"
    """``"non-saturating"``: minimize ``-log D(G(z))``; ``"minimax"``: ``log(1 - D(G(z)))``."""
    pixel_range: PixelRange = "[-1, 1]"
    """Range real images are scaled to; ``"[0, 1]"`` reproduces the original lesson's bug."""
    seed: int = 0
    """Seeds the weights, the noise and the order of the images."""
    n_fixed: int = 16
    """Fixed noise vectors whose samples are kept after every epoch."""
    checkpoint: str | None = None
    """Path of a checkpoint written after every epoch (``None``: no checkpoint)."""
    resume: bool = False
    """Continue from ``checkpoint`` when it exists."""
    progress: bool = False
    """Show a progress bar (on stderr)."""

    def __post_init__(self) -> None:
        self.g_hidden = tuple(self.g_hidden)
        self.d_hidden = tuple(self.d_hidden)
        self.betas = tuple(self.betas)  # type: ignore[assignment]
        checks = [
            (self.arch in ("mlp", "dcgan"), f"arch must be 'mlp' or 'dcgan', got {self.arch!r}"),
            (self.latent_dim >= 1, f"latent_dim must be >= 1, got {self.latent_dim}"),
            (
                len(self.g_hidden) >= 1 and all(h >= 1 for h in self.g_hidden),
                f"g_hidden needs at least one positive width, got {self.g_hidden}",
            ),
            (
                len(self.d_hidden) >= 1 and all(h >= 1 for h in self.d_hidden),
                f"d_hidden needs at least one positive width, got {self.d_hidden}",
            ),
            (self.width >= 1, f"width must be >= 1, got {self.width}"),
            (0.0 <= self.d_dropout < 1.0, f"d_dropout must be in [0, 1), got {self.d_dropout}"),
            (self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}"),
            (self.batch_size >= 2, f"batch_size must be >= 2, got {self.batch_size}"),
            (self.lr_g > 0 and self.lr_d > 0, f"lr_g, lr_d must be > 0: {self.lr_g}, {self.lr_d}"),
            (
                len(self.betas) == 2 and all(0.0 <= b < 1.0 for b in self.betas),
                f"betas must be two numbers in [0, 1), got {self.betas}",
            ),
            (
                0.5 < self.real_label <= 1.0,
                f"real_label must be in (0.5, 1], got {self.real_label}",
            ),
            (0.0 <= self.ema_decay < 1.0, f"ema_decay must be in [0, 1), got {self.ema_decay}"),
            (
                self.g_loss in ("non-saturating", "minimax"),
                f"g_loss must be 'non-saturating' or 'minimax', got {self.g_loss!r}",
            ),
            (
                self.pixel_range in ("[-1, 1]", "[0, 1]"),
                f"pixel_range must be '[-1, 1]' or '[0, 1]', got {self.pixel_range!r}",
            ),
            (
                isinstance(self.seed, int) and self.seed >= 0,
                f"seed must be an int >= 0, got {self.seed!r}",
            ),
            (self.n_fixed >= 1, f"n_fixed must be >= 1, got {self.n_fixed}"),
            (not self.resume or self.checkpoint, "resume=True needs a checkpoint path"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"invalid GANConfig: {message}")


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


# --8<-- [start:improved]
def improved(**changes: object) -> GANConfig:
    """The chapter's default model: the original MLP GAN with the changes that measurably helped.

    Each change and its measured effect is discussed on the chapter's page; ``changes``
    override any field (``improved(seed=1)``).
    """
    settings: dict[str, object] = {
        "g_batchnorm": True,  # batch norm in the generator: more digit classes, less collapse
        "d_dropout": 0.3,  # dropout in the discriminator: it can no longer memorize 5,000 images
        "real_label": 0.9,  # one-sided label smoothing: no over-confident discriminator
        "batch_size": 128,  # more images per second on a CPU ...
        "lr_g": 8e-4,  # ... and larger steps: 4x the lesson's rates for 2x its batch
        "lr_d": 8e-4,
        "epochs": 200,  # fits in 5 minutes on 2 CPU cores, with a margin
        "ema_decay": 0.999,  # sample from a moving average of the generator's weights
    }
    return GANConfig(**{**settings, **changes})


# --8<-- [end:improved]


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


def to_model_range(images: Tensor, pixel_range: PixelRange = "[-1, 1]") -> Tensor:
    """``uint8`` images ``(N, 28, 28)`` as floats ``(N, 1, 28, 28)`` in ``pixel_range``."""
    x = images.float().div(255.0).unsqueeze(1)
    return x * 2.0 - 1.0 if pixel_range == "[-1, 1]" else x


@dataclass
class GANResult:
    """A trained GAN and what happened while it trained (one entry per step or epoch)."""

    config: GANConfig
    generator: nn.Module
    discriminator: nn.Module
    loss_d: list[float] = field(default_factory=list)
    """Discriminator loss per step: ``BCE(D(x), real_label) + BCE(D(G(z)), 0)``."""
    loss_g: list[float] = field(default_factory=list)
    """Generator loss per step."""
    d_real: list[float] = field(default_factory=list)
    """Mean ``D(x)`` (a probability) over each step's real images."""
    d_fake: list[float] = field(default_factory=list)
    """Mean ``D(G(z))`` over each step's generated images (before the generator's update)."""
    epoch_samples: list[Tensor] = field(default_factory=list)
    """Images from the fixed noise after every epoch, each ``(n_fixed, 1, 28, 28)`` on CPU."""
    steps_per_epoch: int = 0
    averaged_generator: nn.Module | None = None
    """The moving average of the generator's weights (``config.ema_decay > 0``), its batch-norm
    statistics re-estimated for those weights; ``None`` without ``ema_decay``."""

    @property
    def final_generator(self) -> nn.Module:
        """The generator to sample from: the averaged one when there is one."""
        return self.generator if self.averaged_generator is None else self.averaged_generator


def _distributed() -> tuple[bool, int, int]:
    """(initialized here?, rank, world size), starting the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if runtime.device().type == "cuda" else "gloo"
        dist.init_process_group(backend)
        return True, dist.get_rank(), world
    if dist.is_initialized():
        return False, dist.get_rank(), dist.get_world_size()
    return False, 0, 1


def _device(world: int) -> torch.device:
    dev = runtime.device()
    if dev.type == "cuda" and world > 1:
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(dev)
    return dev


@torch.no_grad()
def sample(generator: nn.Module, n: int, seed: int = 0, batch_size: int = 500) -> Tensor:
    """``n`` images in ``[-1, 1]`` from noise seeded by ``seed``, on CPU (eval mode)."""
    generator = getattr(generator, "module", generator)
    dev = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    latent = _latent_dim(generator)
    z = torch.randn(n, latent, generator=torch.Generator().manual_seed(seed))
    out = torch.cat(
        [generator(z[i : i + batch_size].to(dev)).cpu() for i in range(0, n, batch_size)]
    )
    generator.train(was_training)
    return out


def _latent_dim(generator: nn.Module) -> int:
    first = next(m for m in generator.modules() if isinstance(m, nn.Linear))
    return first.in_features


def train(config: GANConfig, images: Tensor) -> GANResult:
    """Train a GAN on ``images`` (``uint8``, ``(N, 28, 28)``) as ``config`` says.

    With ``config.ema_decay > 0`` the result also holds a moving average of the generator's
    weights (``result.averaged_generator``, which ``result.final_generator`` returns), with
    batch-norm statistics re-estimated for those weights after training.

    Under ``torchrun`` each process trains on its share of every epoch (a
    :class:`~torch.utils.data.DistributedSampler`) and gradients are averaged by
    :class:`~torch.nn.parallel.DistributedDataParallel`; only rank 0 writes the checkpoint.

    Raises:
        ValueError: ``images`` is not ``(N, 28, 28)`` or holds fewer than one batch.
    """
    if images.ndim != 3 or tuple(images.shape[1:]) != (28, 28):
        raise ValueError(f"images must be (N, 28, 28), got {tuple(images.shape)}")
    started_dist, rank, world = _distributed()
    dev = _device(world)
    try:
        return _train(config, images, dev, rank, world)
    finally:
        if started_dist:
            dist.destroy_process_group()


def _train(
    config: GANConfig, images: Tensor, dev: torch.device, rank: int, world: int
) -> GANResult:
    runtime.seed_everything(config.seed)
    data = to_model_range(images, config.pixel_range).to(dev)
    sampler = DistributedSampler(
        range(len(data)), num_replicas=world, rank=rank, shuffle=True, seed=config.seed
    )
    steps = len(sampler) // config.batch_size
    if steps < 1:
        raise ValueError(
            f"{len(data)} images give no full batch of {config.batch_size} per process"
        )
    generator, discriminator = (m.to(dev) for m in build_models(config))
    # fused=True: one kernel updates all of a network's weights (on the CPU too), not a few
    # small operations per weight tensor: the same Adam, less time per step.
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, betas=config.betas, fused=True)
    opt_d = torch.optim.Adam(
        discriminator.parameters(), lr=config.lr_d, betas=config.betas, fused=True
    )
    averaged = None
    if config.ema_decay > 0:
        # theta_avg <- decay * theta_avg + (1 - decay) * theta after every step
        averaged = AveragedModel(generator, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay))
    noise = torch.Generator(device=dev).manual_seed(config.seed * 1000 + rank)
    fixed = torch.randn(
        config.n_fixed, config.latent_dim, generator=torch.Generator().manual_seed(config.seed)
    ).to(dev)
    result = GANResult(config, generator, discriminator, steps_per_epoch=steps)
    start = 0
    ckpt = Path(config.checkpoint) if config.checkpoint else None
    if ckpt is not None and config.resume and ckpt.is_file():
        start = _load_checkpoint(ckpt, result, opt_g, opt_d, noise, averaged, dev)
    g_net, d_net = generator, discriminator
    if world > 1:
        g_net, d_net = DistributedDataParallel(generator), DistributedDataParallel(discriminator)
    bs = config.batch_size
    epochs = range(start, config.epochs)
    if config.progress and rank == 0:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="GAN epochs", initial=start, total=config.epochs)
    for epoch in epochs:
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler), device=dev)
        log = torch.zeros(steps, 4, device=dev)
        generator.train()
        discriminator.train()
        for step in range(steps):
            real = data[order[step * bs : (step + 1) * bs]]
            z = torch.randn(bs, config.latent_dim, device=dev, generator=noise)
            log[step] = adversarial_step(
                g_net, d_net, opt_g, opt_d, real, z, config.real_label, config.g_loss
            )
            if averaged is not None:
                averaged.update_parameters(generator)
        rows = log.cpu().tolist()
        for name, column in zip(
            ("loss_d", "loss_g", "d_real", "d_fake"), zip(*rows, strict=True), strict=True
        ):
            getattr(result, name).extend(column)
        result.epoch_samples.append(_fixed_samples(generator, fixed))
        if ckpt is not None and rank == 0:
            _save_checkpoint(ckpt, result, opt_g, opt_d, noise, averaged, epoch + 1)
        if config.progress and rank == 0:
            epochs.set_postfix(loss_d=f"{rows[-1][0]:.3f}", loss_g=f"{rows[-1][1]:.3f}")
    generator.eval()
    discriminator.eval()
    if averaged is not None:
        result.averaged_generator = _with_own_batchnorm_stats(averaged.module, config, dev)
    return result


@torch.no_grad()
def _with_own_batchnorm_stats(generator: nn.Module, config: GANConfig, dev) -> nn.Module:
    """``generator`` in eval mode, its batch-norm statistics measured on 10,000 of its samples.

    Averaged weights need their own statistics: the running means and variances the training
    generator collected belong to other weights.
    """
    noise = torch.Generator().manual_seed(config.seed)
    batches = [torch.randn(500, config.latent_dim, generator=noise) for _ in range(20)]
    update_bn(batches, generator, device=dev)
    return generator.eval()


# --8<-- [start:step]
def adversarial_step(
    g_net: nn.Module,
    d_net: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: Tensor,
    z: Tensor,
    real_label: float = 1.0,
    g_loss: str = "non-saturating",
) -> Tensor:
    """One discriminator update, then one generator update.

    Returns ``[loss_d, loss_g, mean D(x), mean D(G(z))]`` (detached, on the device).
    """
    n = real.shape[0]
    fake = g_net(z)
    # Discriminator: maximize log D(x) + log(1 - D(G(z))), i.e. minimize the binary cross-entropy
    # with target 1 (or real_label) for real images and 0 for fakes, on logits.
    # fake.detach(): this update must not reach the generator's weights.
    logits = d_net(torch.cat([real, fake.detach()]))
    real_target = torch.full_like(logits[:n], real_label)
    loss_d = F.binary_cross_entropy_with_logits(
        logits[:n], real_target
    ) + F.binary_cross_entropy_with_logits(logits[n:], torch.zeros_like(logits[n:]))
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    # Generator: non-saturating, minimize -log D(G(z)) (cross-entropy with target 1);
    # or the minimax objective's own term, minimize log(1 - D(G(z))).
    # Under DDP the discriminator takes no part in this update: don't synchronize it.
    sync = d_net.no_sync() if isinstance(d_net, DistributedDataParallel) else nullcontext()
    with sync:
        logits_g = d_net(fake)
        if g_loss == "non-saturating":
            loss_g = F.binary_cross_entropy_with_logits(logits_g, torch.ones_like(logits_g))
        else:
            loss_g = -F.binary_cross_entropy_with_logits(logits_g, torch.zeros_like(logits_g))
        opt_g.zero_grad(set_to_none=True)
        # inputs=: only the generator's gradients; D's weight gradients would be thrown away
        loss_g.backward(inputs=list(g_net.parameters()))
    opt_g.step()
    with torch.no_grad():
        p = torch.sigmoid(logits)
        return torch.stack([loss_d.detach(), loss_g.detach(), p[:n].mean(), p[n:].mean()])


# --8<-- [end:step]


@torch.no_grad()
def _fixed_samples(generator: nn.Module, fixed: Tensor) -> Tensor:
    generator.eval()
    out = generator(fixed).cpu()
    generator.train()
    return out


def _save_checkpoint(path, result, opt_g, opt_d, noise, averaged, epoch: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": CHECKPOINT_FORMAT,
        "config": dataclasses.asdict(result.config),
        "epoch": epoch,
        "generator": result.generator.state_dict(),
        "discriminator": result.discriminator.state_dict(),
        "opt_g": opt_g.state_dict(),
        "opt_d": opt_d.state_dict(),
        "noise": noise.get_state(),
        "history": {k: getattr(result, k) for k in ("loss_d", "loss_g", "d_real", "d_fake")},
        "epoch_samples": result.epoch_samples,
        "averaged": averaged.state_dict() if averaged is not None else {},
    }
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def _load_checkpoint(path, result, opt_g, opt_d, noise, averaged, dev) -> int:
    state = read_checkpoint(path, kind="dlcourse.gan", format=CHECKPOINT_FORMAT, map_location=dev)
    saved = {k: v for k, v in state["config"].items() if k not in ("epochs", "resume", "progress")}
    mine = {
        k: v
        for k, v in dataclasses.asdict(result.config).items()
        if k not in ("epochs", "resume", "progress")
    }
    saved = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
    if saved != mine:
        diff = sorted(k for k in mine if saved.get(k) != mine[k])
        raise ValueError(f"checkpoint {path} was written with a different config: {diff}")
    result.generator.load_state_dict(state["generator"])
    result.discriminator.load_state_dict(state["discriminator"])
    opt_g.load_state_dict(state["opt_g"])
    opt_d.load_state_dict(state["opt_d"])
    noise.set_state(state["noise"].cpu())
    if averaged is not None:
        averaged.load_state_dict(state["averaged"])
    for key, values in state["history"].items():
        getattr(result, key).extend(values)
    result.epoch_samples.extend(t.cpu() for t in state["epoch_samples"])
    return int(state["epoch"])


# ---------------------------------------------------------------------------------------------
# Measuring quality: a digit classifier, Frechet distance in its features, class coverage
# ---------------------------------------------------------------------------------------------


class DigitClassifier(nn.Module):
    """A small CNN: two conv blocks, a 128-d feature layer, 10 logits."""

    def __init__(self, features: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, features),
            nn.ReLU(),
        )
        self.head = nn.Linear(features, 10)

    def features(self, x: Tensor) -> Tensor:
        """The ``features``-dimensional representation the Frechet distance compares."""
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


def train_evaluator(
    images: Tensor,
    labels: Tensor,
    *,
    epochs: int = 2,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
) -> DigitClassifier:
    """Fit a :class:`DigitClassifier` on real ``uint8`` images ``(N, 28, 28)`` and labels."""
    if len(images) != len(labels) or len(images) < batch_size:
        raise ValueError(f"need matching images and labels, at least {batch_size} of them")
    runtime.seed_everything(seed)
    dev = runtime.device()
    x, y = to_model_range(images).to(dev), labels.to(dev)
    model = DigitClassifier().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    order_rng = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=order_rng).to(dev)
        for i in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[i : i + batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def _apply(model: DigitClassifier, x: Tensor, fn: str, batch_size: int = 1000) -> Tensor:
    dev = next(model.parameters()).device
    model.eval()
    method = getattr(model, fn)
    return torch.cat(
        [method(x[i : i + batch_size].to(dev)).cpu() for i in range(0, len(x), batch_size)]
    )


def accuracy(model: DigitClassifier, images: Tensor, labels: Tensor) -> float:
    """Fraction of ``uint8`` images ``(N, 28, 28)`` classified correctly."""
    pred = _apply(model, to_model_range(images), "forward").argmax(1)
    return float((pred == labels.cpu()).float().mean())


def classifier_features(model: DigitClassifier, x: Tensor) -> Tensor:
    """Features of images ``x`` in ``[-1, 1]`` (``(N, 1, 28, 28)``; ``uint8`` is converted)."""
    if x.dtype == torch.uint8:
        x = to_model_range(x)
    return _apply(model, x, "features").double()


def frechet_distance(a: Tensor, b: Tensor) -> float:
    """Frechet distance between Gaussians fitted to feature sets ``a`` and ``b`` (rows).

    ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``, computed in float64 with
    symmetric eigendecompositions (``Tr (S_a S_b)^(1/2)`` equals the trace of the square root
    of the symmetric ``S_a^(1/2) S_b S_a^(1/2)``).
    """
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"need two (N, d) feature sets with N >= 2, got {a.shape}, {b.shape}")
    a, b = a.double(), b.double()
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)
    w, v = torch.linalg.eigh(cov_a)
    root_a = (v * w.clamp(min=0).sqrt()) @ v.T
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp(min=0).sqrt().sum()
    value = (mu_a - mu_b).square().sum() + cov_a.trace() + cov_b.trace() - 2 * cross
    return max(float(value), 0.0)


@dataclass
class QualityReport:
    """How good a set of images is, as seen by the digit classifier."""

    frechet: float
    """Frechet distance to the reference images' features (lower is better)."""
    counts: list[int]
    """How many images the classifier assigns to each digit 0-9."""
    entropy: float
    """Entropy (nats) of the predicted-digit histogram; ``ln 10 = 2.303`` is uniform."""

    @property
    def digits_covered(self) -> int:
        """Number of digits predicted at least once."""
        return sum(c > 0 for c in self.counts)


def measure_quality(model: DigitClassifier, images: Tensor, reference: Tensor) -> QualityReport:
    """Frechet distance of ``images`` to ``reference`` features, and predicted-digit coverage.

    ``images`` are floats in ``[-1, 1]`` ``(N, 1, 28, 28)`` (or ``uint8`` ``(N, 28, 28)``);
    ``reference`` is :func:`classifier_features` of held-out real images.
    """
    feats = classifier_features(model, images)
    pred = model.head(feats.float().to(next(model.parameters()).device)).argmax(1).cpu()
    counts = torch.bincount(pred, minlength=10)
    p = counts.double() / counts.sum()
    entropy = float(-(p[p > 0] * p[p > 0].log()).sum()) + 0.0  # + 0.0: no "-0.0"
    return QualityReport(frechet_distance(feats, reference), counts.tolist(), entropy)


# ---------------------------------------------------------------------------------------------
# Command line: the same GANConfig, one flag per field
# ---------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dlcourse.gan",
        usage="%(prog)s [options]  (--help lists them)",
        description="Train a GAN on MNIST (GANConfig as flags).",
    )
    defaults = GANConfig()
    for f in dataclasses.fields(GANConfig):
        flag = "--" + f.name.replace("_", "-")
        value = getattr(defaults, f.name)
        if isinstance(value, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
        elif isinstance(value, tuple):
            kind = float if isinstance(value[0], float) else int
            parser.add_argument(flag, type=kind, nargs="+", default=list(value))
        elif f.name == "checkpoint":
            parser.add_argument(flag, default=None)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    parser.add_argument("--data-root", default=None, help="folder with MNIST/raw ($DLCOURSE_DATA)")
    parser.add_argument("--download", action="store_true", help="download MNIST if missing")
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    return parser


def main(argv: Sequence[str] | None = None) -> GANResult:
    """Command-line entry point: ``python -m dlcourse.gan --help``."""
    from dlcourse.data import MNISTDataError, load_mnist

    parser = _parser()
    args = vars(parser.parse_args(argv))
    root, download, limit = args.pop("data_root"), args.pop("download"), args.pop("limit")
    with usage_errors(parser):
        config = GANConfig(**args)
        if limit is not None and limit < 1:
            raise ValueError(f"--limit must be >= 1, got {limit}")
        if config.resume and config.checkpoint and os.path.isfile(config.checkpoint):
            read_checkpoint(config.checkpoint, kind="dlcourse.gan", format=CHECKPOINT_FORMAT)
        try:
            data = load_mnist(root, download=download)
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


if __name__ == "__main__":
    main()
