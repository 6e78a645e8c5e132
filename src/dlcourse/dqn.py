"""Deep Q-learning (DQN) on Gymnasium environments with a discrete action space.

The agent of Mnih et al. (2015) with the refinements that make it reliable today: a replay
buffer of preallocated tensors sampled uniformly (Lin, 1992), a target network refreshed by a
periodic copy or by Polyak averaging, the Huber loss, Adam with gradient-norm clipping, a linear
epsilon schedule per environment step, and optionally the Double DQN target of van Hasselt et
al. (2016). The temporal-difference target bootstraps unless the transition *terminated*; a
*truncated* episode (a time limit) ends in an ordinary state, so its last transition still
bootstraps.

Everything a run does is read from one :class:`DQNConfig`; :func:`train` returns a
:class:`DQNResult`, :func:`evaluate` plays the greedy policy on fresh, seeded environments, and
``python -m dlcourse.dqn --help`` is a command-line shell over the same config.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.checkpoint import read_checkpoint
from dlcourse.cli import usage_errors

__all__ = [
    "Batch",
    "DQNConfig",
    "DQNResult",
    "QNetwork",
    "ReplayBuffer",
    "dqn_loss",
    "evaluate",
    "greedy_frames",
    "linear_epsilon",
    "load_checkpoint",
    "main",
    "make_vector_env",
    "td_target",
    "train",
]

CHECKPOINT_FORMAT = 1
"""Version of the checkpoint dictionary written by :func:`train`."""


@dataclass(frozen=True)
class DQNConfig:
    """Every setting of a DQN run. Invalid values raise ``ValueError`` at construction.

    The defaults solve CartPole-v1 (greedy mean return of at least 475 over 100 episodes)
    within 50,000 environment steps for seeds 0 to 4.
    """

    env_id: str = "CartPole-v1"
    """Gymnasium id of the environment: a 1-D Box observation space and a Discrete action space."""
    seed: int = 0
    """Seeds the network's initial weights, the environments, exploration and replay sampling."""
    total_steps: int = 50_000
    """Budget of environment steps (summed over all vectorized environments)."""
    num_envs: int = 1
    """Environments stepped together by a ``gymnasium.vector.SyncVectorEnv``."""
    hidden_sizes: tuple[int, ...] = (128, 128)
    """Units of each hidden layer of the Q-network (ReLU between layers)."""
    learning_rate: float = 2.3e-3
    """Adam step size."""
    gamma: float = 0.99
    """Discount factor of the return the Q-values estimate."""
    buffer_size: int = 50_000
    """Capacity of the replay buffer; the oldest transitions are overwritten once it is full."""
    batch_size: int = 64
    """Transitions sampled uniformly from the buffer for each gradient step."""
    learning_starts: int = 1_000
    """Environment steps of pure collection before the first gradient step."""
    train_freq: int = 64
    """Gradient updates happen after every ``train_freq`` calls to ``env.step``."""
    gradient_steps: int = 32
    """Gradient steps done each time an update happens."""
    target_update_interval: int = 128
    """Gradient steps between two target-network updates."""
    tau: float = 1.0
    """Target update ``target <- tau * online + (1 - tau) * target``; 1.0 is a hard copy."""
    double_dqn: bool = True
    """Choose the next action with the online network and value it with the target network."""
    max_grad_norm: float = 10.0
    """Gradients are rescaled so their global L2 norm is at most this (``inf``: no clipping)."""
    epsilon_start: float = 1.0
    """Exploration probability at step 0."""
    epsilon_end: float = 0.04
    """Exploration probability after ``exploration_steps``."""
    exploration_steps: int = 8_000
    """Environment steps over which epsilon decays linearly from start to end."""
    eval_interval: int = 2_048
    """Environment steps between greedy checks of the policy (0: never check)."""
    eval_episodes: int = 10
    """Episodes of each greedy check, played on their own seeded environments."""
    stop_return: float | None = 500.0
    """Stop training once a check's mean return reaches this (None: always use every step)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_sizes", tuple(self.hidden_sizes))
        _validate(self)


def _validate(c: DQNConfig) -> None:
    """Raise ``ValueError`` with a clear message for any setting no run can use."""

    def need(ok: bool, message: str) -> None:
        if not ok:
            raise ValueError(message)

    need(
        isinstance(c.seed, int) and c.seed >= 0, f"seed must be a non-negative int, got {c.seed!r}"
    )
    need(c.total_steps >= 1, f"total_steps must be >= 1, got {c.total_steps}")
    need(c.num_envs >= 1, f"num_envs must be >= 1, got {c.num_envs}")
    need(
        len(c.hidden_sizes) >= 1 and all(h >= 1 for h in c.hidden_sizes),
        f"hidden_sizes must be a non-empty tuple of positive ints, got {c.hidden_sizes!r}",
    )
    need(c.learning_rate > 0, f"learning_rate must be > 0, got {c.learning_rate}")
    need(0.0 <= c.gamma <= 1.0, f"gamma must be in [0, 1], got {c.gamma}")
    need(c.batch_size >= 1, f"batch_size must be >= 1, got {c.batch_size}")
    need(
        c.batch_size <= c.buffer_size,
        f"batch_size ({c.batch_size}) must not exceed buffer_size ({c.buffer_size}): "
        "a batch is sampled from the transitions the buffer holds",
    )
    need(c.learning_starts >= 0, f"learning_starts must be >= 0, got {c.learning_starts}")
    need(c.train_freq >= 1, f"train_freq must be >= 1, got {c.train_freq}")
    need(c.gradient_steps >= 1, f"gradient_steps must be >= 1, got {c.gradient_steps}")
    need(
        c.target_update_interval >= 1,
        f"target_update_interval must be >= 1, got {c.target_update_interval}",
    )
    need(0.0 < c.tau <= 1.0, f"tau must be in (0, 1], got {c.tau}")
    need(c.max_grad_norm > 0, f"max_grad_norm must be > 0, got {c.max_grad_norm}")
    for name in ("epsilon_start", "epsilon_end"):
        value = getattr(c, name)
        need(0.0 <= value <= 1.0, f"{name} must be in [0, 1], got {value}")
    need(c.exploration_steps >= 0, f"exploration_steps must be >= 0, got {c.exploration_steps}")
    need(c.eval_interval >= 0, f"eval_interval must be >= 0, got {c.eval_interval}")
    need(c.eval_episodes >= 1, f"eval_episodes must be >= 1, got {c.eval_episodes}")
    _check_env(c.env_id)


def _check_env(env_id: str) -> tuple[int, int]:
    """Observation size and number of actions of ``env_id``, or ``ValueError`` if unusable."""
    if env_id not in gym.registry:
        close = [k for k in gym.registry if k.lower().startswith(env_id.lower().split("-")[0])]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown environment id {env_id!r}{hint}; see gymnasium.registry")
    env = gym.make(env_id)
    try:
        return _sizes(env.observation_space, env.action_space, env_id)
    finally:
        env.close()


def _sizes(obs_space: gym.Space, action_space: gym.Space, env_id: str) -> tuple[int, int]:
    if not isinstance(action_space, gym.spaces.Discrete):
        raise ValueError(
            f"DQN needs a Discrete action space: it picks argmax_a Q(s, a) over a finite set, "
            f"but {env_id!r} has {action_space}"
        )
    if not (isinstance(obs_space, gym.spaces.Box) and len(obs_space.shape) == 1):
        raise ValueError(f"DQN here needs a 1-D Box observation space, {env_id!r} has {obs_space}")
    return int(obs_space.shape[0]), int(action_space.n)


class QNetwork(nn.Module):
    """A multilayer perceptron from an observation to one Q-value per action."""

    def __init__(self, obs_dim: int, n_actions: int, hidden_sizes: Sequence[int] = (128, 128)):
        super().__init__()
        layers: list[nn.Module] = []
        width = obs_dim
        for h in hidden_sizes:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, n_actions))
        self.layers = nn.Sequential(*layers)
        self.obs_dim, self.n_actions, self.hidden_sizes = obs_dim, n_actions, tuple(hidden_sizes)

    def forward(self, obs: Tensor) -> Tensor:
        """``[B, obs_dim]`` observations to ``[B, n_actions]`` Q-values."""
        return self.layers(obs)


class Batch(NamedTuple):
    """A batch of transitions ``(s, a, r, s', terminated)``, all tensors on one device."""

    obs: Tensor
    actions: Tensor
    rewards: Tensor
    next_obs: Tensor
    terminated: Tensor


class ReplayBuffer:
    """A ring buffer of transitions in tensors allocated once; uniform batched sampling.

    ``add`` writes rows at the write position and wraps around, overwriting the oldest
    transitions once ``capacity`` is reached; nothing is ever reallocated or popped.
    """

    def __init__(self, capacity: int, obs_dim: int, device: torch.device | str = "cpu"):
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.capacity, self.device = capacity, torch.device(device)
        kw: dict[str, Any] = {"device": self.device}
        self.obs = torch.zeros(capacity, obs_dim, dtype=torch.float32, **kw)
        self.next_obs = torch.zeros(capacity, obs_dim, dtype=torch.float32, **kw)
        self.actions = torch.zeros(capacity, dtype=torch.int64, **kw)
        self.rewards = torch.zeros(capacity, dtype=torch.float32, **kw)
        self.terminated = torch.zeros(capacity, dtype=torch.float32, **kw)
        # where add() writes: NumPy views sharing memory with the tensors on the CPU
        self._stores: tuple[np.ndarray | Tensor, ...] = (
            tuple(t.numpy() for t in self._fields())
            if self.device.type == "cpu"
            else self._fields()
        )
        self.pos = 0
        """Row the next transition is written to."""
        self.size = 0
        """Number of transitions held (at most ``capacity``)."""

    def __len__(self) -> int:
        return self.size

    def _fields(self) -> tuple[Tensor, ...]:
        return (self.obs, self.actions, self.rewards, self.next_obs, self.terminated)

    def add(
        self,
        obs: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_obs: np.ndarray,
        terminated: np.ndarray,
    ) -> None:
        """Store ``k`` transitions given as arrays with a leading dimension ``k``."""
        values = [np.asarray(v) for v in (obs, actions, rewards, next_obs, terminated)]
        k = values[0].shape[0]
        if k > self.capacity:  # only the last `capacity` rows can survive
            values, k = [v[-self.capacity :] for v in values], self.capacity
        first = min(k, self.capacity - self.pos)  # rows before the wrap-around
        for store, v in zip(self._stores, values, strict=True):
            store[self.pos : self.pos + first] = self._as_store(v[:first])
            if first < k:
                store[: k - first] = self._as_store(v[first:])
        self.pos = (self.pos + k) % self.capacity
        self.size = min(self.size + k, self.capacity)

    def _as_store(self, v: np.ndarray) -> np.ndarray | Tensor:
        # on the CPU the stores are NumPy views of the tensors: writing through them skips
        # a tensor conversion per field and step; elsewhere the rows are copied to the device
        return v if self.device.type == "cpu" else torch.as_tensor(v, device=self.device)

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement by ``rng``."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        idx = torch.from_numpy(rng.integers(0, self.size, size=batch_size)).to(self.device)
        return Batch(*(store[idx] for store in self._fields()))

    def state_dict(self) -> dict[str, Any]:
        """Tensors and positions, loadable with ``torch.load(..., weights_only=True)``."""
        n = self.size
        names = ("obs", "actions", "rewards", "next_obs", "terminated")
        stored = {k: v[:n].cpu() for k, v in zip(names, self._fields(), strict=True)}
        return {"capacity": self.capacity, "pos": self.pos, "size": n, **stored}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved (into a buffer of the same capacity)."""
        if state["capacity"] != self.capacity:
            raise ValueError(f"buffer capacity {state['capacity']} != {self.capacity}")
        n = state["size"]
        names = ("obs", "actions", "rewards", "next_obs", "terminated")
        for name, store in zip(names, self._fields(), strict=True):
            store[:n] = state[name].to(self.device)
        self.pos, self.size = int(state["pos"]), int(n)


def linear_epsilon(step: int, start: float, end: float, duration: int) -> float:
    """Exploration probability at environment ``step``: linear from start to end, then flat."""
    if duration <= 0:
        return end
    return start + (end - start) * min(1.0, step / duration)


# --8<-- [start:td_target]
def td_target(
    batch: Batch, q_net: nn.Module, target_net: nn.Module, gamma: float, double_dqn: bool
) -> Tensor:
    """The temporal-difference target of each transition, computed without gradient.

    DQN:        y = r + gamma * (1 - terminated) * max_a' Q_target(s', a')
    Double DQN: y = r + gamma * (1 - terminated) * Q_target(s', argmax_a' Q_online(s', a'))
    """
    with torch.no_grad():  # the target is a label: no gradient flows into it
        next_q = target_net(batch.next_obs)  # Q_target(s', .)
        if double_dqn:  # the online network chooses a', the target network values it
            best = q_net(batch.next_obs).argmax(dim=1, keepdim=True)
            next_value = next_q.gather(1, best).squeeze(1)
        else:  # max_a' Q_target(s', a')
            next_value = next_q.max(dim=1).values
        # bootstrap unless the episode *terminated*; a truncated one is cut, not over
        return batch.rewards + gamma * (1.0 - batch.terminated) * next_value


# --8<-- [end:td_target]


# --8<-- [start:loss]
def dqn_loss(
    batch: Batch, q_net: nn.Module, target_net: nn.Module, gamma: float, double_dqn: bool
) -> Tensor:
    """Huber loss between Q(s, a) of the actions taken and their TD targets."""
    y = td_target(batch, q_net, target_net, gamma, double_dqn)
    q = q_net(batch.obs).gather(1, batch.actions.unsqueeze(1)).squeeze(1)  # Q(s, a)
    return F.smooth_l1_loss(q, y)  # Huber: quadratic within 1 of y, linear beyond


# --8<-- [end:loss]


def make_vector_env(env_id: str, num_envs: int) -> gym.vector.SyncVectorEnv:
    """``num_envs`` copies of ``env_id`` stepped together, in gymnasium's default autoreset mode.

    In that mode (``NEXT_STEP``) the step *after* an episode ends only resets that
    environment: it ignores the action and returns the first observation of the next
    episode with reward 0. :func:`train` therefore stores no transition from that step.
    """
    return gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)])


@torch.no_grad()
def evaluate(
    network: nn.Module,
    env_id: str = "CartPole-v1",
    episodes: int = 100,
    seed: int = 1_000_000,
    device: torch.device | str | None = None,
) -> np.ndarray:
    """Returns of ``episodes`` episodes of the greedy policy ``argmax_a Q(s, a)``.

    Episode ``i`` is played on its own environment reset with ``seed + i``; all episodes run
    side by side so the network sees one batch of observations per step.
    """
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    dev = torch.device(device) if device is not None else next(network.parameters()).device
    envs = [gym.make(env_id) for _ in range(episodes)]
    obs = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)])
    returns = np.zeros(episodes)
    running = np.arange(episodes)
    was_training = network.training
    network.eval()
    try:
        while running.size:
            q = network(torch.as_tensor(obs[running], dtype=torch.float32, device=dev))
            actions = q.argmax(dim=1).cpu().numpy()
            still = []
            for i, a in zip(running, actions, strict=True):
                obs[i], r, terminated, truncated, _ = envs[i].step(int(a))
                returns[i] += r
                if not (terminated or truncated):
                    still.append(i)
            running = np.asarray(still, dtype=int)
    finally:
        network.train(was_training)
        for env in envs:
            env.close()
    return returns


@torch.no_grad()
def greedy_frames(
    network: nn.Module, env_id: str = "CartPole-v1", seed: int = 0, every: int = 1
) -> tuple[list[np.ndarray], float]:
    """RGB frames (``render_mode="rgb_array"``) of one greedy episode, and its return.

    Every ``every``-th frame is kept (the first and the last always), which bounds memory:
    a full CartPole episode is 501 frames of 400 x 600 pixels.
    """
    dev = next(network.parameters()).device
    env = gym.make(env_id, render_mode="rgb_array")
    obs, _ = env.reset(seed=seed)
    frames, total, done, t = [env.render()], 0.0, False, 0
    while not done:
        q = network(torch.as_tensor(obs, dtype=torch.float32, device=dev).unsqueeze(0))
        obs, r, terminated, truncated, _ = env.step(int(q.argmax()))
        total, done, t = total + float(r), terminated or truncated, t + 1
        if t % every == 0 or done:
            frames.append(env.render())
    env.close()
    return frames, total


@dataclass
class DQNResult:
    """What :func:`train` returns."""

    network: QNetwork = field(repr=False)
    """The trained online Q-network (on the training device)."""
    config: DQNConfig
    """The configuration of the run."""
    episode_returns: list[float]
    """Return of every finished training episode (epsilon-greedy), in order."""
    episode_end_steps: list[int]
    """Environment step (summed over environments) at which each of those episodes ended."""
    checks: list[tuple[int, float]]
    """``(environment step, mean greedy return)`` of each periodic greedy check."""
    env_steps: int
    """Environment steps taken (less than ``total_steps`` when a check stopped the run)."""
    gradient_steps: int
    """Gradient steps taken."""
    stopped_early: bool
    """Whether a greedy check reached ``stop_return`` before the step budget ran out."""
    train_seconds: float
    """Wall-clock seconds of :func:`train` (collection, learning and checks)."""
    check_seconds: float
    """The part of ``train_seconds`` spent in greedy checks."""


def _checkpoint(
    config: DQNConfig,
    q_net: nn.Module,
    target_net: nn.Module,
    optimizer: torch.optim.Optimizer,
    buffer: ReplayBuffer,
    rng: np.random.Generator,
    counters: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": CHECKPOINT_FORMAT,
        "config": dataclasses.asdict(config),
        "q_net": q_net.state_dict(),
        "target_net": target_net.state_dict(),
        "optimizer": optimizer.state_dict(),
        "buffer": buffer.state_dict(),
        "rng": rng.bit_generator.state,
        **counters,
    }


def load_checkpoint(path: str | Path, device: torch.device | str | None = None) -> dict[str, Any]:
    """Read a checkpoint written by :func:`train` with ``torch.load(weights_only=True)``.

    Only tensors, numbers, strings and containers of them are unpickled, so a checkpoint from
    an untrusted source cannot run code. Rebuild the network with
    ``QNetwork(...).load_state_dict(ckpt["q_net"])``, or pass the path to ``train(resume=...)``.
    """
    return read_checkpoint(
        path, kind="dlcourse.dqn", format=CHECKPOINT_FORMAT, map_location=device or "cpu"
    )


def train(
    config: DQNConfig,
    *,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    resume: str | Path | None = None,
) -> DQNResult:
    """Train a DQN agent as ``config`` says; deterministic for a seed on the CPU.

    Args:
        config: every hyperparameter of the run.
        progress: show a tqdm progress bar with the mean return of the last 10 episodes.
        checkpoint: where to save the run's state when it ends (``torch.save``).
        resume: a checkpoint to continue from; its ``env_id`` and ``hidden_sizes`` must match
            ``config``, whose ``total_steps`` may be larger to train on. The environments
            start fresh episodes (reset with ``seed + steps so far``).

    On the CPU training runs on one thread (PyTorch's setting is restored afterwards): with
    a 128-128 network and batches of 64 a gradient step is slower on more threads (see
    :func:`dlcourse.runtime.one_thread_on_cpu`).
    """
    dev = runtime.device()
    with runtime.one_thread_on_cpu(dev):
        return _train(config, dev, progress, checkpoint, resume)


def _train(
    config: DQNConfig,
    dev: torch.device,
    progress: bool,
    checkpoint: str | Path | None,
    resume: str | Path | None,
) -> DQNResult:
    runtime.seed_everything(config.seed)
    started = time.perf_counter()
    envs = make_vector_env(config.env_id, config.num_envs)
    obs_dim, n_actions = _sizes(envs.single_observation_space, envs.single_action_space, "")
    q_net = QNetwork(obs_dim, n_actions, config.hidden_sizes).to(dev)
    target_net = copy.deepcopy(q_net)
    target_net.requires_grad_(False)
    # fused: one kernel for all parameters instead of a loop of small ones
    optimizer = torch.optim.Adam(q_net.parameters(), lr=config.learning_rate, fused=True)
    buffer = ReplayBuffer(config.buffer_size, obs_dim, device=dev)
    rng = np.random.default_rng(config.seed)
    c: dict[str, Any] = {
        "step": 0,
        "gradient_steps": 0,
        "episode_returns": [],
        "episode_end_steps": [],
        "checks": [],
    }
    if resume is not None:
        ckpt = load_checkpoint(resume, dev)
        old = ckpt["config"]
        if old["env_id"] != config.env_id or tuple(old["hidden_sizes"]) != config.hidden_sizes:
            raise ValueError(
                f"checkpoint {resume} is for {old['env_id']} with hidden_sizes "
                f"{tuple(old['hidden_sizes'])}, not {config.env_id} with {config.hidden_sizes}"
            )
        q_net.load_state_dict(ckpt["q_net"])
        target_net.load_state_dict(ckpt["target_net"])
        optimizer.load_state_dict(ckpt["optimizer"])
        buffer.load_state_dict(ckpt["buffer"])
        rng.bit_generator.state = ckpt["rng"]
        c = {k: ckpt[k] for k in c}
        c["checks"] = [tuple(x) for x in c["checks"]]

    n = config.num_envs
    obs, _ = envs.reset(seed=config.seed + c["step"])
    autoreset = np.zeros(n, dtype=bool)  # this env's next step only resets it (NEXT_STEP)
    ep_return = np.zeros(n)
    calls = 0
    stopped_early, check_seconds = False, 0.0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=config.total_steps, initial=c["step"], unit="step", desc=config.env_id)
    try:
        while c["step"] < config.total_steps:
            # act: epsilon-greedy, epsilon decaying linearly per environment step
            eps = linear_epsilon(
                c["step"], config.epsilon_start, config.epsilon_end, config.exploration_steps
            )
            explore = rng.random(n) < eps
            actions = rng.integers(n_actions, size=n)
            if not explore.all():
                with torch.no_grad():
                    q = q_net(torch.as_tensor(obs, device=dev))
                greedy = q.argmax(dim=1).cpu().numpy()
                actions = np.where(explore, actions, greedy)
            next_obs, rewards, terminated, truncated, _ = envs.step(actions)

            # store real transitions only: a step that merely reset an env is not one
            real = ~autoreset
            if real.all():
                buffer.add(obs, actions, rewards, next_obs, terminated)
            elif real.any():
                buffer.add(
                    obs[real], actions[real], rewards[real], next_obs[real], terminated[real]
                )
            ep_return[real] += rewards[real]
            done = real & (terminated | truncated)
            calls += 1
            c["step"] += int(real.sum())
            for i in np.flatnonzero(done):
                c["episode_returns"].append(float(ep_return[i]))
                c["episode_end_steps"].append(c["step"])
                ep_return[i] = 0.0
            autoreset = terminated | truncated
            obs = next_obs

            # learn
            if c["step"] >= config.learning_starts and calls % config.train_freq == 0:
                for _ in range(config.gradient_steps):
                    batch = buffer.sample(config.batch_size, rng)
                    loss = dqn_loss(batch, q_net, target_net, config.gamma, config.double_dqn)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    nn.utils.clip_grad_norm_(q_net.parameters(), config.max_grad_norm)
                    optimizer.step()
                    c["gradient_steps"] += 1
                    if c["gradient_steps"] % config.target_update_interval == 0:
                        _update_target(target_net, q_net, config.tau)

            if bar is not None and calls % 200 == 0:
                bar.update(c["step"] - bar.n)
                recent = c["episode_returns"][-10:]
                if recent:
                    bar.set_postfix(recent_return=f"{np.mean(recent):.1f}", eps=f"{eps:.2f}")

            # check the greedy policy every eval_interval steps; stop once it is good enough
            last = c["checks"][-1][0] if c["checks"] else 0
            if config.eval_interval and c["step"] - last >= config.eval_interval:
                t0 = time.perf_counter()
                check_seed = 10_000_000 + 1_000 * config.seed + len(c["checks"])
                mean = float(
                    evaluate(q_net, config.env_id, config.eval_episodes, check_seed, dev).mean()
                )
                check_seconds += time.perf_counter() - t0
                c["checks"].append((c["step"], mean))
                if config.stop_return is not None and mean >= config.stop_return:
                    stopped_early = True
                    break
    finally:
        envs.close()
        if bar is not None:
            bar.update(c["step"] - bar.n)
            bar.close()
    if checkpoint is not None:
        state = _checkpoint(config, q_net, target_net, optimizer, buffer, rng, c)
        torch.save(state, checkpoint)
    return DQNResult(
        network=q_net,
        config=config,
        episode_returns=c["episode_returns"],
        episode_end_steps=c["episode_end_steps"],
        checks=c["checks"],
        env_steps=c["step"],
        gradient_steps=c["gradient_steps"],
        stopped_early=stopped_early,
        train_seconds=time.perf_counter() - started,
        check_seconds=check_seconds,
    )


@torch.no_grad()
def _update_target(target: nn.Module, online: nn.Module, tau: float) -> None:
    """``target <- tau * online + (1 - tau) * target`` (a copy when ``tau`` is 1)."""
    for t, o in zip(target.parameters(), online.parameters(), strict=True):
        if tau == 1.0:
            t.copy_(o)
        else:
            t.lerp_(o, tau)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dlcourse.dqn",
        usage="%(prog)s [options]  (--help lists them)",
        description="Train DQN (defaults solve CartPole-v1), evaluate it greedily over "
        "100 seeded episodes and optionally save a checkpoint.",
    )
    docs = _field_docs()
    for f in dataclasses.fields(DQNConfig):
        flag = "--" + f.name.replace("_", "-")
        default = f.default
        if f.name == "hidden_sizes":
            parser.add_argument(flag, type=int, nargs="+", default=list(default), help=docs[f.name])
        elif isinstance(default, bool):
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=default, help=docs[f.name]
            )
        elif f.name == "stop_return":
            parser.add_argument(
                flag,
                type=lambda s: None if s.lower() == "none" else float(s),
                default=default,
                help=docs[f.name] + " ('none' to disable)",
            )
        else:
            parser.add_argument(flag, type=type(default), default=default, help=docs[f.name])
    parser.add_argument("--eval-final", type=int, default=100, help="greedy evaluation episodes")
    parser.add_argument("--checkpoint", type=Path, help="save the run's state here at the end")
    parser.add_argument("--resume", type=Path, help="continue from this checkpoint")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def _field_docs() -> dict[str, str]:
    """The one-line docstring under each DQNConfig field, for the CLI's --help."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(DQNConfig))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr):
            docs[node.target.id] = str(nxt.value.value).replace("%", "%%")  # type: ignore[attr-defined]
    return docs


def main(argv: Sequence[str] | None = None) -> DQNResult:
    """The command line: ``python -m dlcourse.dqn --seed 1 --total-steps 50000 ...``."""
    parser = _parser()
    args = vars(parser.parse_args(argv))
    extra = {k: args.pop(k) for k in ("eval_final", "checkpoint", "resume", "no_progress")}
    args["hidden_sizes"] = tuple(args["hidden_sizes"])
    with usage_errors(parser):
        config = DQNConfig(**args)
        if extra["eval_final"] < 1:
            raise ValueError(f"--eval-final must be >= 1, got {extra['eval_final']}")
        if extra["resume"] is not None:
            load_checkpoint(extra["resume"])
    result = train(
        config,
        progress=not extra["no_progress"],
        checkpoint=extra["checkpoint"],
        resume=extra["resume"],
    )
    returns = evaluate(result.network, config.env_id, extra["eval_final"])
    threshold = gym.spec(config.env_id).reward_threshold
    print(
        f"{config.env_id} seed {config.seed}: {result.env_steps} env steps, "
        f"{result.gradient_steps} gradient steps, {result.train_seconds:.1f} s; greedy mean "
        f"return over {len(returns)} episodes {returns.mean():.1f} (threshold {threshold})"
    )
    return result


if __name__ == "__main__":
    main()
