"""The Q-network: the observation in, one value per action out, two hidden ReLU layers."""

from dlcourse.dqn import DQNConfig, QNetwork

config = DQNConfig()
q_net = QNetwork(obs_dim=4, n_actions=2, hidden_sizes=config.hidden_sizes)
print(q_net)
print("parameters:", sum(p.numel() for p in q_net.parameters()))
