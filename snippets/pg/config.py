"""The default PPO configuration: every hyperparameter of the chapter's CartPole runs."""

from dataclasses import fields

from dlcourse.pg import PPOConfig

config = PPOConfig(seed=0)
for f in fields(config):
    print(f"{f.name:>22} = {getattr(config, f.name)}")
