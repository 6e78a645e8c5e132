import torch

from dlcourse.runtime import seed_everything

seed_everything(1)
a = torch.rand(2)
seed_everything(2)
b = torch.rand(2)
print("seed 1:", a)
print("seed 2:", b)
print("different seeds, different draws:", not torch.equal(a, b))
