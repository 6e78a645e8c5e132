"""The target written into the wrong entry: Q(s, a) of shape [B, 1] against targets of shape [B]."""

import warnings

import torch
import torch.nn.functional as F

from dlcourse.agents import QNetwork

g = torch.Generator().manual_seed(0)
obs = torch.randn(64, 4, generator=g)  # a batch of states
actions = torch.randint(0, 2, (64,), generator=g)  # the actions taken in them
targets = 3 * obs[:, 0] + 2 * actions  # one label per (s, a), different for each


def fit(squeeze: bool, steps: int = 300) -> float:
    """Fit Q(s, a) to the targets; the RMS error of the fitted Q(s, a) of the taken actions."""
    torch.manual_seed(0)
    q_net = QNetwork(4, 2, (32,))
    optimizer = torch.optim.Adam(q_net.parameters(), lr=1e-2)
    for _ in range(steps):
        q = q_net(obs).gather(1, actions.unsqueeze(1))  # [B, 1]
        if squeeze:
            q = q.squeeze(1)  # [B]: entry i against target i
        loss = F.smooth_l1_loss(q, targets)  # [B, 1] against [B] broadcasts to [B, B]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        fitted = q_net(obs).gather(1, actions.unsqueeze(1)).squeeze(1)
    return (fitted - targets).pow(2).mean().sqrt().item()


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wrong = fit(squeeze=False)
print("PyTorch warns:", str(caught[0].message).split(". ")[0])
right = fit(squeeze=True)
print(f"spread of the targets (std): {targets.std():.2f}")
print(f"RMS error of Q(s, a), [B] against [B]:    {right:.2f}")
print(f"RMS error of Q(s, a), [B, 1] against [B]: {wrong:.2f}")
assert wrong > 0.8 * targets.std() and right < 0.1 * wrong  # every Q(s, a) fits the mean instead
