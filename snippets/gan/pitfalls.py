"""Two pitfalls of the training step, each shown by a run that goes wrong."""

import os

from dlcourse.data import load_mnist, random_split

data = load_mnist(root=os.environ.get("DLCOURSE_DATA", "data"), download=True)
gan_set, held_a, held_b = random_split(data, [5000, 2500, 2500], seed=0)

# --8<-- [start:detach]
import torch

from dlcourse.gan import GANConfig, build_models, discriminator_loss, generator_loss, to_model_range

torch.manual_seed(0)
generator, discriminator = build_models(GANConfig())
opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
real = to_model_range(gan_set.images[:64])
fake = generator(torch.randn(64, 100))
logits = discriminator(torch.cat([real, fake]))  # the bug: fake, not fake.detach()
loss_d = discriminator_loss(logits[:64], logits[64:])

# D's loss now reaches G's weights. Compare its gradient there with G's own loss's gradient.
weights = list(generator.parameters())
wrong = torch.autograd.grad(loss_d, weights, retain_graph=True)
right = torch.autograd.grad(generator_loss(logits[64:]), weights, retain_graph=True)
cosine = torch.nn.functional.cosine_similarity(
    torch.cat([g.flatten() for g in wrong]), torch.cat([g.flatten() for g in right]), dim=0
)
print(f"cosine between D's and G's loss gradients on G's weights: {cosine:.3f}")
assert cosine < -0.9, "D's loss pushes G the opposite way to G's own loss"

opt_d.zero_grad()
loss_d.backward()  # frees the graph of the whole forward pass, G's part included
opt_d.step()
opt_g.zero_grad()
try:
    generator_loss(discriminator(fake)).backward()  # G's step reuses the same fakes
    failure = None
except RuntimeError as error:
    failure = str(error)
print("G's update:", "ran" if failure is None else f"RuntimeError: {failure.split(' (')[0]}")
assert failure is not None and "backward through the graph a second time" in failure
# --8<-- [end:detach]

# --8<-- [start:sigmoid]
import torch.nn.functional as F

# D's logits on fake images (target 0) that it takes for real, more and more confidently
logit = torch.tensor([4.0, 8.0, 12.0, 16.0, 20.0, 40.0], requires_grad=True)
target = torch.zeros_like(logit)
bce = F.binary_cross_entropy(torch.sigmoid(logit), target, reduction="sum")
(bce_grad,) = torch.autograd.grad(bce, logit)
bce_terms = F.binary_cross_entropy(torch.sigmoid(logit), target, reduction="none")
stable = F.binary_cross_entropy_with_logits(logit, target, reduction="none")
(stable_grad,) = torch.autograd.grad(stable.sum(), logit)
print("logit   sigmoid      Sigmoid + BCELoss: loss, gradient   with logits: loss, gradient")
rows = zip(logit, torch.sigmoid(logit), bce_terms, bce_grad, stable, stable_grad, strict=True)
for x, p, loss_a, grad_a, loss_b, grad_b in rows:
    print(f"{x:5.0f}  {p:.7f}  {loss_a:24.3f} {grad_a:10.4f}  {loss_b:19.3f} {grad_b:10.4f}")
assert bce_grad[-1] == 0 and stable_grad[-1] > 0.99, "saturated: BCELoss loses the gradient"
assert bce_terms[-1] == 100 and stable[-1] > 39, "and clamps the loss at 100"
# --8<-- [end:sigmoid]
