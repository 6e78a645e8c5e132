import torch

from dlcourse.returns import discounted_return

rewards = torch.tensor([0.0, 0.0, 1.0, 0.0, 5.0])
for gamma in (0.0, 1.0):
    print(f"gamma = {gamma}: G_0 = {discounted_return(rewards, gamma).item():.1f}")
