"""Why the generator minimizes -log D(G(z)) instead of log(1 - D(G(z)))."""

import torch

# D(G(z)) = sigmoid(logit); early in training the discriminator rejects fakes: logit << 0
logit = torch.tensor([-8.0, -4.0, -2.0, 0.0, 2.0], requires_grad=True)
d = torch.sigmoid(logit)
minimax = torch.log1p(-d)  # the generator minimizes log(1 - D(G(z)))
non_saturating = -torch.log(d)  # ... or minimizes -log D(G(z))
g_minimax, g_ns = (
    torch.autograd.grad(loss.sum(), logit, retain_graph=True)[0]
    for loss in (minimax, non_saturating)
)
print(" D(G(z))   d/dlogit log(1-D)   d/dlogit -log D")
for p, a, b in zip(d.tolist(), g_minimax.tolist(), g_ns.tolist(), strict=True):
    print(f"{p:8.4f}   {a:17.4f}   {b:15.4f}")
