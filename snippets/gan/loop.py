"""The whole training run for one process, written out, and checked against dlcourse.gan.train."""

import os

from dlcourse.data import load_mnist, random_split
from dlcourse.gan import train_epoch

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)

# --8<-- [start:loop]
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn, update_bn

from dlcourse.gan import GANConfig, build_models, to_model_range
from dlcourse.runtime import device, seed_everything


def train_gan(config: GANConfig, images: torch.Tensor) -> tuple[torch.nn.Module, torch.Tensor]:
    """What ``dlcourse.gan.train`` does for one process with ``ema_decay > 0`` and no checkpoint.

    Returns the averaged generator and every step's ``[loss_d, loss_g, D(x), D(G(z))]``.
    """
    if config.ema_decay <= 0:
        raise ValueError("train_gan samples from the moving average: set ema_decay > 0")
    seed_everything(config.seed)  # the weights, then the discriminator's dropout masks
    dev = device()
    data = to_model_range(images, config.pixel_range).to(dev)  # [-1, 1], like the tanh
    generator, discriminator = (m.to(dev) for m in build_models(config))
    adam = {"betas": config.betas, "fused": True}
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, **adam)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=config.lr_d, **adam)
    ema = get_ema_multi_avg_fn(config.ema_decay)
    averaged = AveragedModel(generator, multi_avg_fn=ema)
    noise = torch.Generator(device=dev).manual_seed(config.seed * 1000)  # every step's z
    nets = (generator, discriminator, opt_g, opt_d)
    log = []
    for epoch in range(config.epochs):
        shuffle = torch.Generator().manual_seed(config.seed + epoch)
        order = torch.randperm(len(data), generator=shuffle).to(dev)
        log.append(train_epoch(*nets, data[order], config, noise, averaged))
    # The averaged weights need batch-norm statistics of their own: 10,000 of their samples.
    z = torch.Generator().manual_seed(config.seed)
    batches = [torch.randn(500, config.latent_dim, generator=z) for _ in range(20)]
    update_bn(batches, averaged.module, device=dev)
    return averaged.module.eval(), torch.cat(log).cpu()


# --8<-- [end:loop]

# --8<-- [start:check]
from dlcourse.gan import improved, train

short = improved(seed=0, epochs=2)
mine, log = train_gan(short, gan_set.images)
library = train(short, gan_set.images)
print(f"{len(log)} steps; last step: loss_d {log[-1, 0]:.4f}, loss_g {log[-1, 1]:.4f}")
assert log[:, 0].tolist() == library.loss_d and log[:, 1].tolist() == library.loss_g
same = mine.state_dict()
for key, value in library.final_generator.state_dict().items():
    assert torch.equal(same[key], value), key
print("the same losses and the same averaged generator as dlcourse.gan.train, bit for bit")
# --8<-- [end:check]
