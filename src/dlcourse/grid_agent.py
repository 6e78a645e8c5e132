r"""A Q-network that reads grid coordinates, with the six fixes a naive version needs.

A small Q-network reads the agent's normalised coordinates $(row, col) / (size - 1)$ on a
$size \times size$ :class:`~dlcourse.gridworld.GridWorld` and outputs one value per action. It
acts epsilon-greedily and, after every step, takes one Adam step towards the one-step target

$$
y = \begin{cases} r & \text{if } s' \text{ is the goal (terminal)} \\
                  r + \gamma \max_{a'} Q(s', a') & \text{otherwise,} \end{cases}
$$

computed without gradient. Compared with a naive version of the agent, six things are fixed:

1. inputs are coordinates scaled to $[0, 1]$, not raw cell indices up to ``size - 1``;
2. epsilon decays once per *episode*, not per step, so exploration does not run out during the
   first long episodes;
3. every episode stops after ``max_steps`` steps (a truncated episode still bootstraps: it was
   cut short, it did not end);
4. the target is computed under ``torch.no_grad()`` and is just ``r`` at the goal;
5. the run records steps to the goal and the discounted return of every episode, which show
   learning (the undiscounted total reward is 1 for every episode that reaches the goal);
6. the discount is 0.9, not 0.99: with 0.99, bootstrapping from a network that generalises
   between neighbouring cells, without a target network, drives the Q-values far above 1, the
   largest possible return (``gamma=0.99`` in the config reproduces it).
"""

from __future__ import annotations

# --8<-- [start:imports]
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.agents.exploration import ExponentialSchedule, epsilon_greedy, greedy_actions
from dlcourse.agents.networks import mlp
from dlcourse.config import setting, validate
from dlcourse.gridworld import GridWorld

# --8<-- [end:imports]

__all__ = [
    "CoordinateQNetwork",
    "GridAgentConfig",
    "GridAgentResult",
    "coordinates",
    "epsilon_schedule",
    "greedy_path",
    "train_grid_agent",
]


# --8<-- [start:types]
@dataclass(frozen=True)
class GridAgentConfig:
    """Hyperparameters of the corrected grid agent (:func:`train_grid_agent`)."""

    size: int = setting(5, "Side of the square grid; start top-left, goal bottom-right.", minimum=2)
    episodes: int = setting(60, "Number of training episodes.", minimum=1)
    max_steps: int = setting(
        100,
        "Step limit per episode: an episode that has not reached the goal is truncated.",
        minimum=1,
    )
    lr: float = setting(1e-3, "Adam learning rate.", above=0.0)
    gamma: float = setting(0.9, "Discount factor.", minimum=0.0, maximum=1.0)
    epsilon_start: float = setting(
        1.0, "Exploration probability in the first episode.", minimum=0.0, maximum=1.0
    )
    epsilon_end: float = setting(0.05, "Smallest exploration probability.", minimum=0.0)
    epsilon_decay: float = setting(
        0.92,
        "Per-episode factor: epsilon_k = max(epsilon_end, epsilon_start * epsilon_decay**k).",
        above=0.0,
        maximum=1.0,
    )
    hidden: int = setting(64, "Units in each of the two hidden layers.", minimum=1)
    seed: int = setting(
        0,
        "Seed of the network's weights, the exploration generator and the environment.",
        minimum=0,
    )
    device: str | None = setting(
        None, "Device of the network; None means dlcourse.runtime.device()."
    )

    def __post_init__(self) -> None:
        validate(self, self._rules())

    def _rules(self) -> Iterator[tuple[bool, str]]:
        yield (
            self.epsilon_end <= self.epsilon_start,
            f"need epsilon_end <= epsilon_start, got {self.epsilon_end} and {self.epsilon_start}",
        )


@dataclass
class GridAgentResult:
    """What :func:`train_grid_agent` returns."""

    network: nn.Module = field(repr=False)
    """The trained Q-network."""
    steps: list[int]
    """Steps taken in each episode (``max_steps`` for a truncated one)."""
    reached: list[bool]
    """Whether each episode reached the goal."""
    returns: list[float]
    """Undiscounted return of each episode (1 when it reached the goal, else 0)."""
    discounted_returns: list[float]
    """Discounted return ``G_0 = sum_t gamma^t r_{t+1}`` of each episode."""
    epsilons: list[float]
    """Exploration probability used in each episode."""


# --8<-- [end:types]


# --8<-- [start:network]
class CoordinateQNetwork(nn.Module):
    """``Q(s, .)`` from coordinates ``[B, 2]``: two hidden ReLU layers of ``hidden`` units."""

    def __init__(self, hidden: int = 64, num_actions: int = 4) -> None:
        super().__init__()
        self.net = mlp(2, (hidden, hidden), num_actions)

    def forward(self, xy: Tensor) -> Tensor:
        return self.net(xy)


def coordinates(states: Tensor, size: int) -> Tensor:
    """Scaled coordinates ``(row, col) / (size - 1)`` ``[..., 2]`` of cells ``row * size + col``."""
    rows = torch.div(states, size, rounding_mode="floor")
    cols = states - rows * size
    return torch.stack([rows, cols], dim=-1).float() / (size - 1)


def epsilon_schedule(config: GridAgentConfig) -> ExponentialSchedule:
    """``epsilon_k = max(epsilon_end, epsilon_start * epsilon_decay**k)`` for episode ``k``."""
    return ExponentialSchedule(config.epsilon_start, config.epsilon_end, config.epsilon_decay)


# --8<-- [end:network]


# --8<-- [start:train]
def train_grid_agent(config: GridAgentConfig) -> GridAgentResult:
    """Train the corrected grid agent on ``GridWorld(height=size, width=size)``."""
    env = GridWorld(height=config.size, width=config.size)
    num_actions = int(env.action_space.n)
    dev = runtime.device() if config.device is None else torch.device(config.device)
    runtime.seed_everything(config.seed)  # the network's initial weights
    rng = np.random.default_rng(config.seed)  # exploration
    net = CoordinateQNetwork(config.hidden).to(dev)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    # fix 1: the network sees (row, col) / (size - 1), every input in [0, 1]
    xy = coordinates(torch.arange(env.num_states), config.size).to(dev)

    schedule = epsilon_schedule(config)
    result = GridAgentResult(net, [], [], [], [], [])
    for episode in range(config.episodes):
        epsilon = schedule(episode)  # fix 2: decays per episode
        s, _ = env.reset(seed=config.seed if episode == 0 else None)
        total, discounted, terminated = 0.0, 0.0, False
        for t in range(config.max_steps):  # fix 3: a step limit, no loop can hang
            with torch.no_grad():  # the network runs only when the action is greedy
                a = epsilon_greedy(
                    lambda s=s: net(xy[s]), epsilon, rng, "first", shape=(num_actions,)
                )
            s2, r, terminated, _, _ = env.step(a)
            total += r
            discounted += config.gamma**t * r  # G_0 = sum_t gamma^t r_{t+1}
            # fix 4: no gradient through the target, and no bootstrap from the goal
            with torch.no_grad():
                # y = r if s' is terminal else r + gamma max_a' Q(s', a')
                target = torch.tensor(r, device=dev)
                if not terminated:
                    target = target + config.gamma * net(xy[s2]).max()
            q_sa = net(xy[s])[a]
            loss = F.mse_loss(q_sa, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            s = s2
            if terminated:
                break
        # fix 5: record what shows learning
        result.steps.append(t + 1)
        result.reached.append(bool(terminated))
        result.returns.append(total)
        result.discounted_returns.append(discounted)
        result.epsilons.append(epsilon)
    return result


# --8<-- [end:train]


def greedy_path(network: nn.Module, size: int, max_steps: int | None = None) -> list[int]:
    """Cells visited by the greedy policy ``argmax_a Q(s, a)`` from the start to the goal.

    The path stops at the goal or after ``max_steps`` moves (default ``size * size``, enough
    for any path that does not loop), so a policy that never arrives gives a path that does not
    end in the goal.
    """
    env = GridWorld(height=size, width=size)
    limit = env.num_states if max_steps is None else max_steps
    dev = next(network.parameters()).device
    with torch.no_grad():
        q = network(coordinates(torch.arange(env.num_states), size).to(dev))
    actions = greedy_actions(q)  # ties: the lowest action
    path = [env.start]
    while path[-1] != env.goal and len(path) <= limit:
        path.append(env.move(path[-1], int(actions[path[-1]])))
    return path
