"""The parts every agent of the course shares: exploration, Q-networks, experience replay.

- :mod:`dlcourse.agents.exploration`: :func:`epsilon_greedy`, :func:`greedy_actions` and the
  epsilon schedules :class:`LinearSchedule` and :class:`ExponentialSchedule`;
- :mod:`dlcourse.agents.networks`: :func:`mlp`, the one multilayer perceptron builder, and
  :class:`QNetwork` for observation vectors;
- :mod:`dlcourse.agents.replay`: :class:`ReplayBuffer`, a ring of preallocated tensors, and
  the :class:`Batch` it samples.
"""

from dlcourse.agents.exploration import (
    ExponentialSchedule,
    LinearSchedule,
    TieBreak,
    epsilon_greedy,
    greedy_actions,
)
from dlcourse.agents.networks import QNetwork, mlp
from dlcourse.agents.replay import Batch, ReplayBuffer

__all__ = [
    "Batch",
    "ExponentialSchedule",
    "LinearSchedule",
    "QNetwork",
    "ReplayBuffer",
    "TieBreak",
    "epsilon_greedy",
    "greedy_actions",
    "mlp",
]
