"""Deep Q-learning (DQN) on Gymnasium environments with a discrete action space.

The agent of Mnih et al. (2015) with the refinements that make it reliable today: a replay
buffer of preallocated tensors sampled uniformly (Lin, 1992), a target network refreshed by a
periodic copy or by Polyak averaging, the Huber loss, Adam with gradient-norm clipping, a linear
epsilon schedule per environment step, and optionally the Double DQN target of van Hasselt et
al. (2016). The temporal-difference target bootstraps unless the transition *terminated*; a
*truncated* episode (a time limit) ends in an ordinary state, so its last transition still
bootstraps.

One module per part, each read on its own:

- :mod:`~dlcourse.dqn.config`: :class:`DQNConfig`, every setting of a run;
- :mod:`~dlcourse.dqn.loss`: the TD target, the Huber loss, the target network's update;
- :mod:`~dlcourse.dqn.training`: :func:`train`, the loop and its parts (act, store, learn,
  check), and the :class:`DQNResult` it returns;
- :mod:`~dlcourse.dqn.evaluation`: :func:`evaluate` plays the greedy policy on fresh, seeded
  environments (:func:`greedy_episodes` also counts their steps), :func:`greedy_frames`
  renders one episode;
- :mod:`~dlcourse.dqn.checkpoint`: :func:`load_checkpoint`;
- :mod:`~dlcourse.dqn.cli`: ``python -m dlcourse.dqn --help``, a command line over the same
  config (not imported here).

The exploration, the Q-network and the replay buffer are the shared parts of
:mod:`dlcourse.agents`.
"""

from dlcourse.agents.networks import QNetwork
from dlcourse.dqn.checkpoint import CHECKPOINT_FORMAT, load_checkpoint
from dlcourse.dqn.config import DQNConfig
from dlcourse.dqn.evaluation import evaluate, greedy_episodes, greedy_frames, make_vector_env
from dlcourse.dqn.loss import dqn_loss, td_target, update_target
from dlcourse.dqn.training import DQNResult, train

__all__ = [
    "CHECKPOINT_FORMAT",
    "DQNConfig",
    "DQNResult",
    "QNetwork",
    "dqn_loss",
    "evaluate",
    "greedy_episodes",
    "greedy_frames",
    "load_checkpoint",
    "make_vector_env",
    "td_target",
    "train",
    "update_target",
]
