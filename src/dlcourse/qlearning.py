"""Q-learning on :class:`~dlcourse.gridworld.GridWorld`: a Q-table, then a small Q-network.

Both agents act epsilon-greedily (:func:`dlcourse.agents.epsilon_greedy`) and learn from the
temporal-difference target

    Q(s,a) <- Q(s,a) + alpha [r + gamma max_a' Q(s',a') - Q(s,a)],

with ``r`` alone as the target when ``s'`` is terminal (there is no future after the goal).
A truncated episode (out of steps) did not reach a terminal state, so it *does* bootstrap.
The update of each agent is one small function, :func:`q_update` for the table and
:func:`td_loss` for the network; the Temporal-Difference Learning chapter shows both.

Two configuration switches reproduce the pitfalls the course shows with real runs:

- no exploration: ``epsilon_start=epsilon_end=0`` with ``tie_break="first"`` and ``q_init=0``:
  argmax picks "up" in the top-left corner forever and the agent never finds the goal;
- ``bootstrap_terminal=True`` adds ``gamma max_a' Q(goal, a')`` to the target at the goal. The
  goal's Q-values are never trained, so whatever they happen to be leaks into every value: the
  Q-network's ``Q(start, best)`` ends above the true ``gamma^5 = 0.59``; with the table it shows
  once the table starts away from zero: ``q_init=1`` gives ``gamma^5 (1 + gamma) = 1.12``.
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
from dlcourse.gridworld import GridWorld

__all__ = [
    "EpisodicConfig",
    "OneHotQNetwork",
    "QLearningConfig",
    "QLearningResult",
    "QNetworkConfig",
    "greedy_path_length",
    "q_update",
    "td_loss",
    "train_q_network",
    "train_q_table",
]


@dataclass(frozen=True)
class EpisodicConfig:
    """The settings both Q-learning agents share: episodes, discount, exploration, seed."""

    episodes: int = setting(300, "Number of training episodes.", minimum=1)
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
        "Seed of the environment and the agent's generators (exploration, argmax ties, replay) "
        "and of a network's initial weights.",
        minimum=0,
    )
    tie_break: Literal["random", "first"] = setting(
        "random", 'How argmax picks among equal Q-values: "random" (seeded) or "first".'
    )
    bootstrap_terminal: bool = setting(
        False, "Pitfall demo: bootstrap from terminal states too, target r + gamma max Q(s', .)."
    )
    device: str | None = setting(
        None, "Device of the Q-table or network; None means dlcourse.runtime.device()."
    )

    def __post_init__(self) -> None:
        validate(self, self._rules())

    def _rules(self) -> Iterator[tuple[bool, str]]:
        """Constraints between fields (none here; a subclass may add some)."""
        yield from ()

    def epsilon_schedule(self) -> LinearSchedule:
        """Epsilon per episode: linear from start to end over ``exploration_fraction`` of them."""
        duration = max(1.0, self.exploration_fraction * self.episodes)
        return LinearSchedule(self.epsilon_start, self.epsilon_end, duration)

    def torch_device(self) -> torch.device:
        """``device``, or :func:`dlcourse.runtime.device` when it is None."""
        return runtime.device() if self.device is None else torch.device(self.device)


@dataclass(frozen=True)
class QLearningConfig(EpisodicConfig):
    """Hyperparameters of tabular Q-learning (:func:`train_q_table`)."""

    alpha: float = setting(
        0.5, "Learning rate (step size) of the table update.", above=0.0, maximum=1.0
    )
    q_init: float = setting(0.0, "Initial value of every Q-table entry (terminal rows included).")


@dataclass(frozen=True)
class QNetworkConfig(EpisodicConfig):
    """Hyperparameters of Q-learning with a small Q-network (:func:`train_q_network`)."""

    episodes: int = setting(150, "Number of training episodes.", minimum=1)
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

    def _rules(self) -> Iterator[tuple[bool, str]]:
        yield (
            self.batch_size <= self.buffer_size,
            f"batch_size ({self.batch_size}) must not exceed buffer_size ({self.buffer_size})",
        )


@dataclass
class QLearningResult:
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


# --8<-- [start:update]
def q_update(
    q: torch.Tensor,
    s: int,
    a: int,
    r: float,
    s_next: int,
    terminated: bool,
    alpha: float,
    gamma: float,
) -> float:
    """One Q-learning update of the table ``q[S, A]``, in place; returns the TD error."""
    # no future after a terminal state: nothing to bootstrap from
    future = 0.0 if terminated else q[s_next].max().item()
    # target = r + gamma max_a' Q(s', a')
    target = r + gamma * future
    td_error = target - q[s, a].item()
    # Q(s,a) <- Q(s,a) + alpha [r + gamma max_a' Q(s',a') - Q(s,a)]
    q[s, a] += alpha * td_error
    return td_error


# --8<-- [end:update]


def _make_env(env: gym.Env | None) -> gym.Env:
    return GridWorld() if env is None else env


def _grid(env: gym.Env) -> GridWorld:
    grid = env.unwrapped
    if not isinstance(grid, GridWorld):
        raise ValueError(f"expected a GridWorld (possibly wrapped), got {type(grid).__name__}")
    return grid


def train_q_table(config: QLearningConfig, env: gym.Env | None = None) -> QLearningResult:
    """Tabular Q-learning with epsilon-greedy exploration; ``env`` defaults to ``GridWorld()``."""
    t0 = time.perf_counter()
    env = _make_env(env)
    S, A = env.observation_space.n, env.action_space.n
    rng = np.random.default_rng(config.seed)
    env.action_space.seed(config.seed)
    q = torch.full((S, A), float(config.q_init), dtype=torch.float64, device=config.torch_device())
    schedule = config.epsilon_schedule()
    steps, success, returns = [], [], []
    for episode in range(config.episodes):
        epsilon = schedule(episode)
        s, _ = env.reset(seed=config.seed if episode == 0 else None)
        total, terminated = 0.0, False
        for t in range(config.max_steps):
            a = epsilon_greedy(q[s], epsilon, rng, config.tie_break)
            s2, r, terminated, truncated, _ = env.step(a)
            truncated = truncated or t + 1 == config.max_steps
            total += r
            # the pitfall demo (bootstrap_terminal) bootstraps from the goal like any state
            done = terminated and not config.bootstrap_terminal
            q_update(q, s, a, r, s2, done, config.alpha, config.gamma)
            s = s2
            if terminated or truncated:
                break
        steps.append(t + 1)
        success.append(bool(terminated))
        returns.append(total)
    return QLearningResult(q.cpu(), steps, success, returns, time.perf_counter() - t0)


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


def train_q_network(config: QNetworkConfig, env: gym.Env | None = None) -> QLearningResult:
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


def _train_q_network(config: QNetworkConfig, env: gym.Env, dev: torch.device) -> QLearningResult:
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
    return QLearningResult(q, steps, success, returns, time.perf_counter() - t0, net)


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
