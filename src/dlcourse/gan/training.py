"""Training a GAN: :func:`train`, its :class:`GANResult`, :func:`sample`, and checkpoints.

:func:`train` runs :func:`~dlcourse.gan.step.adversarial_step` over shuffled batches, on one
CPU, one GPU, or under ``torchrun --nproc_per_node=N`` with
:class:`~torch.nn.parallel.DistributedDataParallel` and a
:class:`~torch.utils.data.DistributedSampler` (gloo on CPU, nccl on GPU). Real images are scaled
to ``[-1, 1]``, the range of the generator's ``tanh``. Optionally it keeps an exponential moving
average of the generator's weights (Yazici et al., 2019), the generator to sample from.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn, update_bn
from torch.utils.data import DistributedSampler

from dlcourse import runtime
from dlcourse.checkpoint import read_checkpoint
from dlcourse.gan.config import GANConfig
from dlcourse.gan.models import build_models, to_model_range
from dlcourse.gan.step import adversarial_step

__all__ = ["CHECKPOINT_FORMAT", "GANResult", "sample", "train", "train_epoch"]

CHECKPOINT_FORMAT = 1
"""Version of what :func:`train` writes to ``GANConfig.checkpoint``."""

_HISTORY = ("loss_d", "loss_g", "d_real", "d_fake")
"""The :class:`GANResult` lists :func:`adversarial_step` fills, in the order it returns them."""


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
    """The device of this process: its own GPU (``LOCAL_RANK``) when several share a machine."""
    dev = runtime.device()
    if dev.type == "cuda" and world > 1:
        dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(dev)
    return dev


@torch.no_grad()
def sample(generator: nn.Module, n: int, seed: int = 0, batch_size: int = 500) -> Tensor:
    """``n`` images ``G(z)`` in ``[-1, 1]``, ``z ~ N(0, I)`` seeded by ``seed``; on CPU."""
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
    run = _RunState(result, opt_g, opt_d, noise, averaged)
    if ckpt is not None and config.resume and ckpt.is_file():
        start = _load_checkpoint(ckpt, run, dev)
    g_net, d_net = generator, discriminator
    if world > 1:
        g_net, d_net = DistributedDataParallel(generator), DistributedDataParallel(discriminator)
    epochs = range(start, config.epochs)
    if config.progress and rank == 0:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="GAN epochs", initial=start, total=config.epochs)
    for epoch in epochs:
        sampler.set_epoch(epoch)  # one process: torch.randperm seeded with seed + epoch
        order = torch.tensor(list(sampler), device=dev)
        log = train_epoch(g_net, d_net, opt_g, opt_d, data[order], config, noise, averaged)
        rows = log.cpu().tolist()
        for name, column in zip(_HISTORY, zip(*rows, strict=True), strict=True):
            getattr(result, name).extend(column)
        result.epoch_samples.append(_fixed_samples(generator, fixed))
        if ckpt is not None and rank == 0:
            _save_checkpoint(ckpt, run, epoch + 1)
        if config.progress and rank == 0:
            epochs.set_postfix(loss_d=f"{rows[-1][0]:.3f}", loss_g=f"{rows[-1][1]:.3f}")
    generator.eval()
    discriminator.eval()
    if averaged is not None:
        result.averaged_generator = _with_own_batchnorm_stats(averaged.module, config, dev)
    return result


# --8<-- [start:loop]
def train_epoch(
    g_net: nn.Module,
    d_net: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    data: Tensor,
    config: GANConfig,
    noise: torch.Generator,
    averaged: AveragedModel | None = None,
) -> Tensor:
    """One epoch: :func:`adversarial_step` on each full batch of ``data``, in its order.

    ``data`` holds real images in the generator's range, already shuffled; ``noise`` draws
    every step's ``z ~ N(0, I)``; ``averaged`` (optional) folds the generator's weights in after
    every step. Returns one row per step: ``[loss_d, loss_g, mean D(x), mean D(G(z))]``.
    """
    bs = config.batch_size
    steps = len(data) // bs  # an incomplete last batch is left out
    log = torch.zeros(steps, 4, device=data.device)
    g_net.train()
    d_net.train()
    for step in range(steps):
        real = data[step * bs : (step + 1) * bs]
        z = torch.randn(bs, config.latent_dim, device=data.device, generator=noise)
        log[step] = adversarial_step(
            g_net, d_net, opt_g, opt_d, real, z, config.real_label, config.g_loss
        )
        if averaged is not None:
            # theta_avg <- decay * theta_avg + (1 - decay) * theta
            averaged.update_parameters(getattr(g_net, "module", g_net))
    return log


# --8<-- [end:loop]


@torch.no_grad()
def _with_own_batchnorm_stats(
    generator: nn.Module, config: GANConfig, dev: torch.device
) -> nn.Module:
    """``generator`` in eval mode, its batch-norm statistics measured on 10,000 of its samples.

    Averaged weights need their own statistics: the running means and variances the training
    generator collected belong to other weights.
    """
    noise = torch.Generator().manual_seed(config.seed)
    batches = [torch.randn(500, config.latent_dim, generator=noise) for _ in range(20)]
    update_bn(batches, generator, device=dev)
    return generator.eval()


@torch.no_grad()
def _fixed_samples(generator: nn.Module, fixed: Tensor) -> Tensor:
    """``G(fixed)`` in eval mode, on CPU; the generator is left in training mode."""
    generator.eval()
    out = generator(fixed).cpu()
    generator.train()
    return out


# --- checkpoints: everything a run needs to continue exactly where it stopped ---------------

_NOT_COMPARED = ("epochs", "resume", "progress")
"""Config fields a resumed run may change."""


@dataclass
class _RunState:
    """What a checkpoint saves besides the config: the result so far, the optimizers, the
    training noise's random state and the moving average of the generator's weights."""

    result: GANResult
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    noise: torch.Generator
    averaged: AveragedModel | None


def _save_checkpoint(path: Path, run: _RunState, epoch: int) -> None:
    """Write ``run`` after ``epoch`` epochs to ``path`` (atomically, via a temp file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    result, averaged = run.result, run.averaged
    state = {
        "format": CHECKPOINT_FORMAT,
        "config": dataclasses.asdict(result.config),
        "epoch": epoch,
        "generator": result.generator.state_dict(),
        "discriminator": result.discriminator.state_dict(),
        "opt_g": run.opt_g.state_dict(),
        "opt_d": run.opt_d.state_dict(),
        "noise": run.noise.get_state(),
        "history": {k: getattr(result, k) for k in _HISTORY},
        "epoch_samples": result.epoch_samples,
        "averaged": averaged.state_dict() if averaged is not None else {},
    }
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def _load_checkpoint(path: Path, run: _RunState, dev: torch.device) -> int:
    """Restore what :func:`_save_checkpoint` wrote into ``run``; returns its epoch.

    Raises:
        ValueError: ``path`` is not a GAN checkpoint, or was written with another config.
    """
    state = read_checkpoint(path, kind="dlcourse.gan", format=CHECKPOINT_FORMAT, map_location=dev)
    saved = {k: v for k, v in state["config"].items() if k not in _NOT_COMPARED}
    result = run.result
    mine = {k: v for k, v in dataclasses.asdict(result.config).items() if k not in _NOT_COMPARED}
    saved = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
    if saved != mine:
        diff = sorted(k for k in mine if saved.get(k) != mine[k])
        raise ValueError(f"checkpoint {path} was written with a different config: {diff}")
    result.generator.load_state_dict(state["generator"])
    result.discriminator.load_state_dict(state["discriminator"])
    run.opt_g.load_state_dict(state["opt_g"])
    run.opt_d.load_state_dict(state["opt_d"])
    run.noise.set_state(state["noise"].cpu())
    if run.averaged is not None:
        run.averaged.load_state_dict(state["averaged"])
    for key, values in state["history"].items():
        getattr(result, key).extend(values)
    result.epoch_samples.extend(t.cpu() for t in state["epoch_samples"])
    return int(state["epoch"])
