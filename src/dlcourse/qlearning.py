"""Q-learning on :class:`~dlcourse.gridworld.GridWorld`: a Q-table, then a small Q-network.

Both agents act epsilon-greedily and learn from the temporal-difference target

    Q(s,a) <- Q(s,a) + alpha [r + gamma max_a' Q(s',a') - Q(s,a)],

with ``r`` alone as the target when ``s'`` is terminal (there is no future after the goal).
A truncated episode (out of steps) did not reach a terminal state, so it *does* bootstrap.
The update of each agent is one small function, :func:`q_update` for the table and
:func:`td_loss` for the network; the Markov Decision Processes chapter shows both.

Two configuration switches reproduce the pitfalls the course shows with real runs:

- no exploration: ``epsilon_start=epsilon_end=0`` with ``tie_break="first"`` and ``q_init=0``:
  argmax picks "up" in the top-left corner forever and the agent never finds the goal;
- ``bootstrap_terminal=True`` adds ``gamma max_a' Q(goal, a')`` to the target at the goal. The
  goal's Q-values are never trained, so whatever they happen to be leaks into every value: with
  the Q-network, ``Q(start, best)`` ends well above the true ``gamma^5 = 0.59`` (1.6 to 2.3
  for seeds 0 to 9 with the defaults, measured on the CPU); with the table it shows once the
  table starts away from zero: ``q_init=1`` gives ``gamma^5 (1 + gamma) = 1.12``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.gridworld import GridWorld

__all__ = [
    "QLearningConfig",
    "QLearningResult",
    "QNetwork",
    "QNetworkConfig",
    "epsilon_greedy",
    "greedy_path_length",
    "greedy_policy",
    "linear_epsilon",
    "q_update",
    "td_loss",
    "train_q_network",
    "train_q_table",
]

TieBreak = Literal["random", "first"]


def _validate(config: QLearningConfig | QNetworkConfig) -> None:
    """Raise ValueError for settings no run can use."""
    checks = [
        (config.episodes >= 1, f"episodes must be >= 1, got {config.episodes}"),
        (config.max_steps >= 1, f"max_steps must be >= 1, got {config.max_steps}"),
        (0.0 <= config.gamma <= 1.0, f"gamma must be in [0, 1], got {config.gamma}"),
        (
            0.0 <= config.epsilon_start <= 1.0 and 0.0 <= config.epsilon_end <= 1.0,
            f"epsilon_start and epsilon_end must be in [0, 1], got {config.epsilon_start} "
            f"and {config.epsilon_end}",
        ),
        (
            0.0 <= config.exploration_fraction <= 1.0,
            f"exploration_fraction must be in [0, 1], got {config.exploration_fraction}",
        ),
        (
            config.tie_break in ("random", "first"),
            f"tie_break must be 'random' or 'first', got {config.tie_break!r}",
        ),
    ]
    if isinstance(config, QLearningConfig):
        checks.append((0.0 < config.alpha <= 1.0, f"alpha must be in (0, 1], got {config.alpha}"))
    else:
        checks += [
            (config.lr > 0, f"lr must be > 0, got {config.lr}"),
            (config.hidden >= 1, f"hidden must be >= 1, got {config.hidden}"),
            (
                1 <= config.batch_size <= config.buffer_size,
                f"need 1 <= batch_size <= buffer_size, got {config.batch_size} "
                f"and {config.buffer_size}",
            ),
        ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


@dataclass
class QLearningConfig:
    """Hyperparameters of tabular Q-learning (:func:`train_q_table`)."""

    episodes: int = 300
    """Number of training episodes."""
    alpha: float = 0.5
    """Learning rate (step size) of the table update."""
    gamma: float = 0.9
    """Discount factor."""
    epsilon_start: float = 1.0
    """Exploration probability in the first episode."""
    epsilon_end: float = 0.05
    """Exploration probability once the linear decay is over."""
    exploration_fraction: float = 0.5
    """Fraction of the episodes over which epsilon decays linearly from start to end."""
    max_steps: int = 100
    """Steps after which an episode is truncated (it then still bootstraps)."""
    seed: int = 0
    """Seed of the environment and of the agent's generator (exploration and argmax ties)."""
    q_init: float = 0.0
    """Initial value of every Q-table entry (terminal rows included)."""
    tie_break: TieBreak = "random"
    """How argmax picks among equal Q-values: "random" (seeded) or "first" (pitfall demo)."""
    bootstrap_terminal: bool = False
    """Pitfall demo: bootstrap from terminal states too, target r + gamma max Q(s', .)."""
    device: str | None = None
    """Device of the Q-table; None means :func:`dlcourse.runtime.device`."""


@dataclass
class QNetworkConfig:
    """Hyperparameters of Q-learning with a small Q-network (:func:`train_q_network`)."""

    episodes: int = 150
    """Number of training episodes."""
    lr: float = 3e-3
    """Adam learning rate."""
    gamma: float = 0.9
    """Discount factor."""
    epsilon_start: float = 1.0
    """Exploration probability in the first episode."""
    epsilon_end: float = 0.05
    """Exploration probability once the linear decay is over."""
    exploration_fraction: float = 0.5
    """Fraction of the episodes over which epsilon decays linearly from start to end."""
    max_steps: int = 100
    """Steps after which an episode is truncated (it then still bootstraps)."""
    seed: int = 0
    """Seed of the environment, the agent's generator and the network's initial weights."""
    hidden: int = 24
    """Units in each of the two hidden layers."""
    batch_size: int = 32
    """Transitions per gradient step (1, with buffer_size=1: the online single update)."""
    buffer_size: int = 1000
    """Capacity of the replay buffer of recent transitions."""
    tie_break: TieBreak = "random"
    """How argmax picks among equal Q-values: "random" (seeded) or "first"."""
    bootstrap_terminal: bool = False
    """Pitfall demo: bootstrap from terminal states too, target r + gamma max Q(s', .)."""
    device: str | None = None
    """Device of the network; None means :func:`dlcourse.runtime.device`."""


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


def linear_epsilon(episode: int, episodes: int, start: float, end: float, fraction: float) -> float:
    """Epsilon for ``episode``: linear from ``start`` to ``end`` over ``fraction * episodes``."""
    duration = max(1.0, fraction * episodes)
    return start + (end - start) * min(1.0, episode / duration)


def epsilon_greedy(
    q_values: Tensor, epsilon: float, rng: np.random.Generator, tie_break: TieBreak = "random"
) -> int:
    """With probability ``epsilon`` a uniformly random action, else an argmax of ``q_values``.

    Ties between maximal values are broken uniformly at random by ``rng`` (``"random"``) or by
    taking the lowest action (``"first"``, what ``torch.argmax`` does). Random tie-breaking
    matters while the table is still all zeros: otherwise "greedy" means "always up".
    """
    values = q_values.tolist()
    if rng.random() < epsilon:
        return int(rng.integers(len(values)))
    best = max(values)
    candidates = [a for a, v in enumerate(values) if v == best]
    if tie_break == "first" or len(candidates) == 1:
        return candidates[0]
    return candidates[int(rng.integers(len(candidates)))]


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
    _validate(config)
    t0 = time.perf_counter()
    env = _make_env(env)
    S, A = env.observation_space.n, env.action_space.n
    dev = runtime.device() if config.device is None else torch.device(config.device)
    rng = np.random.default_rng(config.seed)
    env.action_space.seed(config.seed)
    q = torch.full((S, A), float(config.q_init), dtype=torch.float64, device=dev)
    steps, success, returns = [], [], []
    for episode in range(config.episodes):
        epsilon = linear_epsilon(
            episode,
            config.episodes,
            config.epsilon_start,
            config.epsilon_end,
            config.exploration_fraction,
        )
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


class QNetwork(nn.Module):
    """``Q(s, .)`` of a one-hot state: ``Linear(S, h), ReLU, Linear(h, h), ReLU, Linear(h, A)``.

    ``forward`` takes integer states ``[B]`` and returns Q-values ``[B, A]``.
    """

    def __init__(self, num_states: int, num_actions: int, hidden: int = 24) -> None:
        super().__init__()
        self.num_states = num_states
        self.net = nn.Sequential(
            nn.Linear(num_states, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_actions),
        )

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
    """Q-learning with a :class:`QNetwork`; ``env`` defaults to ``GridWorld()``.

    After every environment step the network takes one Adam step on a minibatch of
    ``batch_size`` transitions drawn uniformly from the last ``buffer_size`` (a preallocated
    buffer written at a moving position). ``batch_size=1, buffer_size=1`` is the original
    lesson's online update on the latest transition alone; on the 4x4 grid it learns too (the
    6-step greedy path for seeds 0 to 9, measured). The default replays the recent past instead
    because each rare goal reward is then learned from many times rather than once, it costs
    about the same here (per-step overhead dominates), and it is the first ingredient of the
    next chapter's DQN.
    There is no target network; the next chapter (DQN) adds one.

    On the CPU the run uses one thread (PyTorch's setting is restored afterwards): a network
    this small gains nothing from more, and the result is then the same on every machine,
    whereas the summation order of multi-threaded kernels, and so the last bits of every
    update, depends on the number of threads.
    """
    _validate(config)
    dev = runtime.device() if config.device is None else torch.device(config.device)
    with runtime.one_thread_on_cpu(dev):
        return _train_q_network(config, _make_env(env), dev)


def _train_q_network(config: QNetworkConfig, env: gym.Env, dev: torch.device) -> QLearningResult:
    t0 = time.perf_counter()
    S, A = env.observation_space.n, env.action_space.n
    rng = np.random.default_rng(config.seed)
    env.action_space.seed(config.seed)
    torch.manual_seed(config.seed)
    net = QNetwork(S, A, config.hidden).to(dev)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr, foreach=True)

    # replay buffer: preallocated, written at position `pos`, never reallocated
    states = torch.zeros(config.buffer_size, dtype=torch.long, device=dev)
    actions = torch.zeros(config.buffer_size, dtype=torch.long, device=dev)
    rewards = torch.zeros(config.buffer_size, device=dev)
    next_states = torch.zeros(config.buffer_size, dtype=torch.long, device=dev)
    dones = torch.zeros(config.buffer_size, device=dev)
    pos, size = 0, 0
    batch_gen = torch.Generator().manual_seed(config.seed)

    steps, success, returns = [], [], []
    for episode in range(config.episodes):
        epsilon = linear_epsilon(
            episode,
            config.episodes,
            config.epsilon_start,
            config.epsilon_end,
            config.exploration_fraction,
        )
        s, _ = env.reset(seed=config.seed if episode == 0 else None)
        total, terminated = 0.0, False
        for t in range(config.max_steps):
            with torch.no_grad():
                q_s = net(torch.tensor([s], device=dev))[0]
            a = epsilon_greedy(q_s, epsilon, rng, config.tie_break)
            s2, r, terminated, truncated, _ = env.step(a)
            truncated = truncated or t + 1 == config.max_steps
            total += r
            states[pos], actions[pos], rewards[pos], next_states[pos] = s, a, r, s2
            # only a terminal next state stops bootstrapping (a truncated one does not)
            dones[pos] = float(terminated and not config.bootstrap_terminal)
            pos, size = (pos + 1) % config.buffer_size, min(size + 1, config.buffer_size)

            idx = torch.randint(size, (min(config.batch_size, size),), generator=batch_gen)
            idx = idx.to(dev)
            batch = states[idx], actions[idx], rewards[idx], next_states[idx], dones[idx]
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


def greedy_policy(q: Tensor) -> Tensor:
    """Greedy actions ``pi(s) = argmax_a Q(s, a)``, a long tensor ``[S]`` (ties: lowest action)."""
    return q.argmax(dim=1)


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
