r"""The actor and the critic: a categorical or Gaussian policy $\pi_\theta(a \mid s)$ and $V(s)$.

Both are :func:`dlcourse.agents.networks.mlp` networks of their own (nothing shared), with
the initialization PPO implementations use: orthogonal weights (gain $\sqrt 2$ for the hidden
layers), zero biases, and a policy head scaled by 0.01 so the first policy is close to uniform
(or to a zero mean).

- **Discrete actions**: the network gives logits, $\pi(a \mid s) = \mathrm{softmax}(z(s))_a$.
- **Box actions**: the network gives the mean $\mu(s)$ of a Gaussian whose log standard
  deviation is a learned vector that does not depend on the state,
  $a \sim \mathcal N(\mu(s), \mathrm{diag}(e^{2\log\sigma}))$. A sample can leave the box: it
  is clipped to the bounds only when sent to the environment (:meth:`ActorCritic.to_env`),
  while the log-probability is that of the unclipped sample the policy drew,
  $\log\pi(a \mid s) = \sum_i \log \mathcal N(a_i; \mu_i(s), \sigma_i)$.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor, nn
from torch.distributions import Categorical, Distribution, Normal

from dlcourse.agents.networks import mlp

__all__ = ["ACTIVATIONS", "ActorCritic"]

# --8<-- [start:policy]
ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU}
"""The hidden activations a config can name."""


def _orthogonal(net: nn.Sequential, head_gain: float) -> None:
    """Orthogonal weights (gain sqrt 2, the last layer ``head_gain``) and zero biases."""
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for k, layer in enumerate(linears):
        nn.init.orthogonal_(layer.weight, head_gain if k == len(linears) - 1 else math.sqrt(2))
        nn.init.zeros_(layer.bias)


class ActorCritic(nn.Module):
    """A policy network and a value network for observation vectors ``[B, obs_dim]``.

    Args:
        obs_dim: size of an observation.
        action_space: ``Discrete(n)`` (a categorical policy over ``n`` logits) or a bounded
            1-D ``Box`` (a Gaussian policy; its bounds are kept for :meth:`to_env`).
        hidden_sizes: hidden layers of each network.
        log_std_init: initial value of every entry of the Gaussian's log standard deviation.
        activation: ``"tanh"`` or ``"relu"``, between the hidden layers of both networks.
    """

    def __init__(
        self,
        obs_dim: int,
        action_space: gym.spaces.Discrete | gym.spaces.Box,
        hidden_sizes: Sequence[int] = (64, 64),
        log_std_init: float = 0.0,
        activation: str = "tanh",
    ):
        super().__init__()
        self.discrete = isinstance(action_space, gym.spaces.Discrete)
        out = int(action_space.n) if self.discrete else int(action_space.shape[0])
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.actor = mlp(obs_dim, hidden_sizes, out, ACTIVATIONS[activation])
        self.critic = mlp(obs_dim, hidden_sizes, 1, ACTIVATIONS[activation])
        _orthogonal(self.actor, head_gain=0.01)
        _orthogonal(self.critic, head_gain=1.0)
        self.log_std: nn.Parameter | None = None
        if not self.discrete:
            self.log_std = nn.Parameter(torch.full((out,), float(log_std_init)))
            self.register_buffer("low", torch.as_tensor(action_space.low, dtype=torch.float32))
            self.register_buffer("high", torch.as_tensor(action_space.high, dtype=torch.float32))
        self.obs_dim, self.hidden_sizes = obs_dim, tuple(hidden_sizes)
        self.activation = activation

    def distribution(self, obs: Tensor) -> Distribution:
        """``pi(. | s)`` for a batch: ``Categorical(logits)`` or ``Normal(mu(s), exp(log_std))``."""
        out = self.actor(obs)
        if self.discrete:
            return Categorical(logits=out, validate_args=False)
        return Normal(out, self.log_std.exp().expand_as(out), validate_args=False)

    def log_prob(self, dist: Distribution, actions: Tensor) -> Tensor:
        """``log pi(a | s)`` per row: a Gaussian's is summed over the action's dimensions."""
        if self.discrete:  # Categorical keeps normalized logits: log pi(a|s) is a lookup
            return dist.logits.gather(-1, actions.unsqueeze(-1)).squeeze(-1)
        return dist.log_prob(actions).sum(-1)

    def entropy(self, dist: Distribution) -> Tensor:
        """The entropy ``H(pi(. | s))`` per row (summed over a Gaussian's dimensions)."""
        h = dist.entropy()
        return h if self.discrete else h.sum(-1)

    def value(self, obs: Tensor) -> Tensor:
        """``V(s)`` per row: ``[B, obs_dim]`` to ``[B]``."""
        return self.critic(obs).squeeze(-1)

    def mode(self, obs: Tensor) -> Tensor:
        """The deterministic action: ``argmax_a pi(a | s)`` (ties: the lowest), or ``mu(s)``."""
        out = self.actor(obs)
        return out.argmax(-1) if self.discrete else out

    def to_env(self, actions: Tensor) -> np.ndarray:
        """Actions as the environment takes them: ints, or clipped into the Box's bounds."""
        if self.discrete:
            return actions.cpu().numpy()
        return torch.clamp(actions, self.low, self.high).cpu().numpy()


# --8<-- [end:policy]
