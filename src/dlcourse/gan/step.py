"""One round of the game: the two losses on logits, and :func:`adversarial_step`.

The discriminator ``D`` and the generator ``G`` play (Goodfellow et al., 2014)

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))],

with ``D(x) = sigmoid(logit)``. Both losses are binary cross-entropies on logits
(``binary_cross_entropy_with_logits``: numerically stable, no ``Sigmoid`` layer).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

__all__ = [
    "adversarial_step",
    "discriminator_loss",
    "generator_loss",
    "without_gradient_sync",
]


def without_gradient_sync(d_net: nn.Module) -> AbstractContextManager[object]:
    """A context in which ``d_net`` takes part in a backward pass without being updated.

    Under ``torchrun`` the discriminator is a
    :class:`~torch.nn.parallel.DistributedDataParallel`, which expects every forward pass to
    end in a gradient for all of its weights, averaged across processes. The generator's
    update runs ``d_net`` forward but wants no gradient for it, so it runs under
    ``d_net.no_sync()``; for one process this is a context that does nothing.
    """
    if isinstance(d_net, DistributedDataParallel):
        return d_net.no_sync()
    return nullcontext()


# --8<-- [start:step]
def discriminator_loss(logits_real: Tensor, logits_fake: Tensor, real_label: float = 1.0) -> Tensor:
    """``BCE(D(x), real_label) + BCE(D(G(z)), 0)``, from D's logits on real and fake images.

    With ``real_label = 1`` it is ``-[log D(x) + log(1 - D(G(z)))]``: minimizing it is
    ``max_D V(D, G)``; ``real_label < 1`` is one-sided label smoothing.
    """
    real_target = torch.full_like(logits_real, real_label)
    return F.binary_cross_entropy_with_logits(
        logits_real, real_target
    ) + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))


def generator_loss(logits_fake: Tensor, kind: str = "non-saturating") -> Tensor:
    """G's loss from D's logits on its images: ``-log D(G(z))`` or ``log(1 - D(G(z)))``.

    ``"non-saturating"``: ``-log D(G(z)) = BCE(logit, 1)``; ``"minimax"``, the game's own
    term: ``log(1 - D(G(z))) = -BCE(logit, 0)``.
    """
    if kind == "non-saturating":
        return F.binary_cross_entropy_with_logits(logits_fake, torch.ones_like(logits_fake))
    return -F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))


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
    loss_d = discriminator_loss(logits[:n], logits[n:], real_label)
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    # Generator: non-saturating, minimize -log D(G(z)) (cross-entropy with target 1);
    # or the minimax objective's own term, minimize log(1 - D(G(z))).
    with without_gradient_sync(d_net):  # D is not updated here (matters only under torchrun)
        loss_g = generator_loss(d_net(fake), g_loss)
        opt_g.zero_grad(set_to_none=True)
        # inputs=: only the generator's gradients; D's weight gradients would be thrown away
        loss_g.backward(inputs=list(g_net.parameters()))
    opt_g.step()
    with torch.no_grad():
        p = torch.sigmoid(logits)
        return torch.stack([loss_d.detach(), loss_g.detach(), p[:n].mean(), p[n:].mean()])


# --8<-- [end:step]
