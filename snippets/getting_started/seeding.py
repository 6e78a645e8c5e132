"""Same seed, same numbers: the habit behind every result in this course."""

import torch

from dlcourse.runtime import device, seed_everything

seed_everything(0)
first = torch.randn(3, device=device())
seed_everything(0)
second = torch.randn(3, device=device())
print(first.cpu())
print("identical after reseeding:", torch.equal(first, second))
