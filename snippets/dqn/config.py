"""The default configuration: every hyperparameter of the chapter's DQN in one dataclass."""

from dataclasses import fields

from dlcourse.dqn import DQNConfig

config = DQNConfig(seed=0)
for f in fields(config):
    print(f"{f.name:>22} = {getattr(config, f.name)}")
