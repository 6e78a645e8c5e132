"""Temporal-difference learning: prediction against Monte Carlo, and tabular control.

* :mod:`dlcourse.td.prediction`: TD(0) and constant-alpha Monte Carlo on the random walk;
* :mod:`dlcourse.td.control`: SARSA, Q-learning and Expected SARSA, one loop, three targets;
* :mod:`dlcourse.td.bias`: maximization bias and Double Q-learning.
"""

from dlcourse.td.bias import BiasConfig, left_fraction
from dlcourse.td.control import (
    TDControlConfig,
    TDControlResult,
    control_target,
    greedy_trajectory,
    train_td_control,
)
from dlcourse.td.prediction import (
    RANDOM_WALK_STATES,
    RandomWalkConfig,
    random_walk_episode,
    rms_curves,
    true_random_walk_values,
)

__all__ = [
    "RANDOM_WALK_STATES",
    "BiasConfig",
    "RandomWalkConfig",
    "TDControlConfig",
    "TDControlResult",
    "control_target",
    "greedy_trajectory",
    "left_fraction",
    "random_walk_episode",
    "rms_curves",
    "train_td_control",
    "true_random_walk_values",
]
