"""Exercise: write the discriminator's update yourself, and check it against adversarial_step."""

import os

from dlcourse.data import load_mnist, random_split

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)

# --8<-- [start:solution]
import copy

import torch
import torch.nn.functional as F

from dlcourse.gan import GANConfig, adversarial_step, build_models, to_model_range


def discriminator_step(d_net, opt_d, real, fake, real_label=1.0):
    """One update of D: minimize BCE(D(x), real_label) + BCE(D(G(z)), 0), on logits."""
    logits_real = d_net(real)
    logits_fake = d_net(fake.detach())  # D's update must not reach G
    loss = F.binary_cross_entropy_with_logits(
        logits_real, torch.full_like(logits_real, real_label)
    ) + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.detach()


torch.manual_seed(0)
generator, d_mine = build_models(GANConfig())
d_library = copy.deepcopy(d_mine)  # the same starting weights for both
adam = {"lr": 2e-4, "betas": (0.5, 0.999)}
opt_mine = torch.optim.Adam(d_mine.parameters(), **adam)
opt_library = torch.optim.Adam(d_library.parameters(), **adam)
opt_g = torch.optim.Adam(generator.parameters(), **adam)
real = to_model_range(gan_set.images[:64])
z = torch.randn(64, 100, generator=torch.Generator().manual_seed(1))
with torch.no_grad():
    fake = generator(z)  # the fakes adversarial_step will make from the same z
mine = discriminator_step(d_mine, opt_mine, real, fake, real_label=0.9)
log = adversarial_step(generator, d_library, opt_g, opt_library, real, z, real_label=0.9)
print(f"loss_d: mine {mine:.5f}, adversarial_step's {log[0]:.5f}")
torch.testing.assert_close(mine, log[0])
for a, b in zip(d_mine.parameters(), d_library.parameters(), strict=True):
    torch.testing.assert_close(a, b)
print("the discriminator's weights after both updates agree")
# --8<-- [end:solution]
