"""Q-learning on :class:`~dlcourse.gridworld.GridWorld`: the table's settings, then a Q-network.

The table is learned by the one tabular TD control loop, :func:`dlcourse.td.train_td_control`
with ``method="q_learning"``; :data:`GRID_Q_LEARNING` holds the settings the TD chapter uses on
the 4x4 grid. A network cannot be updated one entry at a time, so it has its own loop here,
:func:`train_q_network`, a gradient step on the squared TD error (:func:`td_loss`) of a batch of
replayed transitions:

    L = mean (y - Q(s,a))^2,   y = r + gamma (1 - d) max_a' Q(s',a')  (y without gradient),

with ``d = 1`` only when ``s'`` is terminal: a truncated episode (out of steps) did not reach a
terminal state, so it *does* bootstrap.

Switches reproduce the pitfalls the course shows with real runs: ``epsilon=0`` with
``tie_break="first"`` never finds the goal (argmax picks "up" in the top-left corner forever);
``bootstrap_terminal=True`` adds ``gamma max_a' Q(goal, a')`` to the target at the goal, whose
Q-values are never trained, so whatever they happen to be leaks into every value.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.agents.exploration import LinearSchedule, epsilon_greedy
from dlcourse.agents.networks import mlp
from dlcourse.agents.replay import ReplayBuffer
from dlcourse.config import setting, validate
from dlcourse.gridworld import ENV_ID, GridWorld
from dlcourse.td.control import TDControlConfig

__all__ = [
    "GRID_Q_LEARNING",
    "OneHotQNetwork",
    "QNetworkConfig",
    "QNetworkResult",
    "greedy_path_length",
    "td_loss",
    "train_q_network",
]


GRID_Q_LEARNING = TDControlConfig(
    method="q_learning",
    env_id=ENV_ID,
    episodes=300,
    alpha=0.5,
    gamma=0.9,
    epsilon_start=1.0,
    epsilon_end=0.05,
    exploration_fraction=0.5,
    max_steps=100,
)
"""Tabular Q-learning on the 4x4 grid as the TD chapter runs it: epsilon from 1 to 0.05 over
the first half of 300 episodes, at most 100 steps each. ``dataclasses.replace`` it to change
a setting; pass ``train_td_control`` an ``env`` to learn another grid."""


@dataclass(frozen=True)
class QNetworkConfig:
    """Hyperparameters of Q-learning with a small Q-network (:func:`train_q_network`)."""

    episodes: int = setting(150, "Number of training episodes.", minimum=1)
    gamma: float = setting(0.9, "Discount factor.", minimum=0.0, maximum=1.0)
    epsilon_start: float = setting(
        1.0, "Exploration probability in the first episode.", minimum=0.0, maximum=1.0
    )
    epsilon_end: float = setting(
        0.05, "Exploration probability once the linear decay is over.", minimum=0.0, maximum=1.0
    )
    exploration_fraction: float = setting(
        0.5,
        "Fraction of the episodes over which epsilon decays linearly from start to end.",
        minimum=0.0,
        maximum=1.0,
    )
    max_steps: int = setting(
        100, "Steps after which an episode is truncated (it then still bootstraps).", minimum=1
    )
    seed: int = setting(
        0,
        "Seed of the environment, exploration, argmax ties, replay and the initial weights.",
        minimum=0,
    )
    tie_break: Literal["random", "first"] = setting(
        "random", 'How argmax picks among equal Q-values: "random" (seeded) or "first".'
    )
    bootstrap_terminal: bool = setting(
        False, "Pitfall demo: bootstrap from terminal states too, target r + gamma max Q(s', .)."
    )
    lr: float = setting(3e-3, "Adam learning rate.", above=0.0)
    hidden: int = setting(24, "Units in each of the two hidden layers.", minimum=1)
    batch_size: int = setting(
        32,
        "Transitions per gradient step (1, with buffer_size=1: the online single update).",
        minimum=1,
    )
    buffer_size: int = setting(
        1000, "Capacity of the replay buffer of recent transitions.", minimum=1
    )
    device: str | None = setting(
        None, "Device of the network; None means dlcourse.runtime.device()."
    )

    def __post_init__(self) -> None:
        validate(self, self._rules())

    def _rules(self) -> Iterator[tuple[bool, str]]:
        yield (
            self.batch_size <= self.buffer_size,
            f"batch_size ({self.batch_size}) must not exceed buffer_size ({self.buffer_size})",
        )

    def epsilon_schedule(self) -> LinearSchedule:
        """Epsilon per episode: linear from start to end over ``exploration_fraction`` of them."""
        duration = max(1.0, self.exploration_fraction * self.episodes)
        return LinearSchedule(self.epsilon_start, self.epsilon_end, duration)

    def torch_device(self) -> torch.device:
        """``device``, or :func:`dlcourse.runtime.device` when it is None."""
        return runtime.device() if self.device is None else torch.device(self.device)


@dataclass
class QNetworkResult:
    """What a training run returns."""

    q: Tensor
    """``[S, A]`` final Q-values (for the network: its output for every state), on the CPU."""
    steps: list[int]
    """Steps taken in each episode."""
    success: list[bool]
    """Whether each episode reached the goal (terminated rather than truncated)."""
    returns: list[float]
    """Undiscounted return (sum of rewards) of each episode."""
    seconds: float
    """Wall-clock time of the run."""
    network: nn.Module | None = field(default=None, repr=False)
    """The trained Q-network (None for the table)."""


def _make_env(env: gym.Env | None) -> gym.Env:
    return GridWorld() if env is None else env


def _grid(env: gym.Env) -> GridWorld:
    grid = env.unwrapped
    if not isinstance(grid, GridWorld):
        raise ValueError(f"expected a GridWorld (possibly wrapped), got {type(grid).__name__}")
    return grid


class OneHotQNetwork(nn.Module):
    """``Q(s, .)`` of a one-hot state: ``Linear(S, h), ReLU, Linear(h, h), ReLU, Linear(h, A)``.

    ``forward`` takes integer states ``[B]`` and returns Q-values ``[B, A]``; column ``s`` of
    the first layer only ever sees state ``s``.
    """

    def __init__(self, num_states: int, num_actions: int, hidden: int = 24) -> None:
        super().__init__()
        self.num_states = num_states
        self.net = mlp(num_states, (hidden, hidden), num_actions)

    def forward(self, states: Tensor) -> Tensor:
        x = F.one_hot(states, self.num_states).to(self.net[0].weight.dtype)
        return self.net(x)


# --8<-- [start:td_loss]
def td_loss(
    net: torch.nn.Module,
    states: torch.Tensor,
    actions: torch.Tensor,
    rewards: torch.Tensor,
    next_states: torch.Tensor,
    dones: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """Mean squared TD error of a batch of transitions (``dones`` is 1.0 where s' is terminal).

    The target is computed without gradient: the loss moves ``Q(s, a)`` towards the target,
    never the target towards ``Q(s, a)``.
    """
    with torch.no_grad():
        # y = r + gamma (1 - done) max_a' Q(s', a')
        next_max = net(next_states).max(dim=1).values
        target = rewards + gamma * (1.0 - dones) * next_max
    # Q(s, a) of the actions taken
    q_sa = net(states).gather(1, actions[:, None]).squeeze(1)
    # L = mean over the batch of (y - Q(s, a))^2
    return torch.nn.functional.mse_loss(q_sa, target)


# --8<-- [end:td_loss]


def train_q_network(config: QNetworkConfig, env: gym.Env | None = None) -> QNetworkResult:
    """Q-learning with a :class:`OneHotQNetwork`; ``env`` defaults to ``GridWorld()``.

    After every environment step the network takes one Adam step on a minibatch of
    ``batch_size`` transitions drawn uniformly from the last ``buffer_size``, held in a
    :class:`~dlcourse.agents.replay.ReplayBuffer`. ``batch_size=1, buffer_size=1`` is the
    online update on the latest transition alone. The default replays the
    recent past instead, because each rare goal reward is then learned from many times rather
    than once, and replay is the first ingredient of the next chapter's DQN. There is no
    target network; the next chapter (DQN) adds one.

    On the CPU the run uses one thread (PyTorch's setting is restored afterwards): a network
    this small gains nothing from more, and the result is then the same on every machine,
    whereas the summation order of multi-threaded kernels, and so the last bits of every
    update, depends on the number of threads.
    """
    dev = config.torch_device()
    with runtime.one_thread_on_cpu(dev):
        return _train_q_network(config, _make_env(env), dev)


def _train_q_network(config: QNetworkConfig, env: gym.Env, dev: torch.device) -> QNetworkResult:
    t0 = time.perf_counter()
    S, A = env.observation_space.n, env.action_space.n
    rng = np.random.default_rng(config.seed)  # exploration and argmax ties
    env.action_space.seed(config.seed)
    torch.manual_seed(config.seed)  # the network's initial weights
    net = OneHotQNetwork(S, A, config.hidden).to(dev)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr, foreach=True)
    buffer = ReplayBuffer(config.buffer_size, (), obs_dtype=torch.long, device=dev)
    batch_gen = torch.Generator().manual_seed(config.seed)  # replay sampling
    schedule = config.epsilon_schedule()
    steps, success, returns = [], [], []
    for episode in range(config.episodes):
        epsilon = schedule(episode)
        s, _ = env.reset(seed=config.seed if episode == 0 else None)
        total, terminated = 0.0, False
        for t in range(config.max_steps):
            with torch.no_grad():
                q_s = net(torch.tensor([s], device=dev))[0]
            a = epsilon_greedy(q_s, epsilon, rng, config.tie_break)
            s2, r, terminated, truncated, _ = env.step(a)
            truncated = truncated or t + 1 == config.max_steps
            total += r
            # only a terminal next state stops bootstrapping (a truncated one does not)
            done = float(terminated and not config.bootstrap_terminal)
            buffer.add(
                np.array([s]), np.array([a]), np.array([r]), np.array([s2]), np.array([done])
            )

            batch = buffer.sample(min(config.batch_size, len(buffer)), batch_gen)
            loss = td_loss(net, *batch, config.gamma)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            s = s2
            if terminated or truncated:
                break
        steps.append(t + 1)
        success.append(bool(terminated))
        returns.append(total)
    with torch.no_grad():
        q = net(torch.arange(S, device=dev)).cpu()
    return QNetworkResult(q, steps, success, returns, time.perf_counter() - t0, net)


def greedy_path_length(
    env: gym.Env, policy: Tensor | list[int], start: int | None = None
) -> int | None:
    """Steps from ``start`` (default: the env's start) to the goal following ``policy[s]``.

    Follows the intended moves (slip ignored, walls and edges respected). Returns None when the
    path never arrives: a deterministic path that has not arrived after visiting every state
    once is in a loop.
    """
    grid = _grid(env)
    actions = policy.tolist() if isinstance(policy, Tensor) else list(policy)
    s = grid.start if start is None else int(start)
    for n in range(grid.num_states + 1):
        if s == grid.goal:
            return n
        s = grid.move(s, int(actions[s]))
    return None
