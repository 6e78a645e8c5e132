"""Exercise: write the SARSA update yourself and check it against the library's target."""

import torch

from dlcourse.td import control_target


def sarsa_update(q, s, a, r, s2, a2, alpha, gamma, terminated):
    """Q(S, A) <- Q(S, A) + alpha [R + gamma Q(S', A') - Q(S, A)]; no bootstrap at the end."""
    target = r if terminated else r + gamma * q[s2, a2]
    q[s, a] += alpha * (target - q[s, a])


gen = torch.Generator().manual_seed(0)
q = torch.randn(5, 3, generator=gen, dtype=torch.float64)
mine = q.clone()
sarsa_update(mine, 1, 2, -1.0, 3, 0, 0.5, 0.9, terminated=False)
expected = q[1, 2] + 0.5 * (control_target("sarsa", q[3], -1.0, 0.9, 0.1, 0) - q[1, 2])
print("same update as dlcourse.td:", torch.isclose(mine[1, 2], expected).item())
sarsa_update(mine, 4, 1, 2.0, 0, 0, 0.5, 0.9, terminated=True)
print(
    "terminal step moves Q(4, 1) halfway to R:",
    torch.isclose(mine[4, 1], (q[4, 1] + 2.0) / 2).item(),
)
