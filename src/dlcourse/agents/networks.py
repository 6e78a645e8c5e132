r"""Q-networks: one multilayer perceptron builder, which every Q-network of the course uses.

:func:`mlp` stacks ``Linear`` layers with a ReLU between each two,

$$
f(x) = W_L\,\mathrm{relu}(\cdots \mathrm{relu}(W_1 x + b_1) \cdots) + b_L .
$$

Built in the same order, the same layers draw the same initial weights from PyTorch's
generator, so a seeded run starts from the same network whichever class wraps it. The
classes differ only in what they feed it: an observation vector (:class:`QNetwork`, DQN on
CartPole), a one-hot state (:class:`dlcourse.qlearning.OneHotQNetwork`) or scaled grid
coordinates (:class:`dlcourse.grid_agent.CoordinateQNetwork`).
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence

from torch import Tensor, nn

__all__ = ["QNetwork", "mlp"]


def mlp(
    in_features: int,
    hidden_sizes: Sequence[int],
    out_features: int,
    activation: type[nn.Module] = nn.ReLU,
) -> nn.Sequential:
    """``Linear(in, h1), ReLU, ..., Linear(h_last, out)``: one hidden layer per entry.

    ``activation`` is the module class put between two layers (``nn.Tanh`` for PPO's
    networks); the default ReLU is what every Q-network uses.
    """
    sizes = [in_features, *hidden_sizes, out_features]
    if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
        raise ValueError(
            "mlp sizes must be positive ints, got in_features="
            f"{in_features!r}, hidden_sizes={tuple(hidden_sizes)!r}, out_features={out_features!r}"
        )
    sizes = [int(s) for s in sizes]
    layers: list[nn.Module] = []
    for width, next_width in itertools.pairwise(sizes[:-1]):
        layers += [nn.Linear(width, next_width), activation()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


class QNetwork(nn.Module):
    """``Q(s, .)`` of observation vectors: ``[B, obs_dim]`` in, ``[B, n_actions]`` out (DQN)."""

    def __init__(self, obs_dim: int, n_actions: int, hidden_sizes: Sequence[int] = (128, 128)):
        super().__init__()
        self.layers = mlp(obs_dim, hidden_sizes, n_actions)
        self.obs_dim, self.n_actions, self.hidden_sizes = obs_dim, n_actions, tuple(hidden_sizes)

    def forward(self, obs: Tensor) -> Tensor:
        """``[B, obs_dim]`` observations to ``[B, n_actions]`` Q-values."""
        return self.layers(obs)
