"""The DQN training loop: act epsilon-greedily, store, learn from replay, check the greedy policy.

One iteration of :func:`training_loop` steps every environment once:

1. **act** (:func:`act`): epsilon-greedy on the online network, epsilon linear in the
   environment step;
2. **store** (:func:`store`) the real transitions (gymnasium's autoreset step is not one) as
   n-step transitions, and count episodes;
3. **learn** (:func:`learn`): every ``train_freq`` iterations, ``gradient_steps`` Adam steps on
   replayed batches, updating the target network every ``target_update_interval`` gradient
   steps, then moving the averaged network toward the online one;
4. **check** (:func:`greedy_check`) the averaged network's greedy policy every
   ``eval_interval`` steps and stop once it is good enough.

:func:`train` builds the parts (:func:`make_learner`), runs the loop, and adds what a long run
needs around it: resuming from a checkpoint, saving one, a progress bar.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor, nn

from dlcourse import runtime
from dlcourse.agents.exploration import LinearSchedule, epsilon_greedy
from dlcourse.agents.networks import QNetwork
from dlcourse.agents.replay import ReplayBuffer
from dlcourse.dqn.checkpoint import checkpoint_state, load_checkpoint
from dlcourse.dqn.config import DQNConfig, env_sizes
from dlcourse.dqn.evaluation import greedy_episodes, make_vector_env
from dlcourse.dqn.loss import dqn_loss, update_target

__all__ = [
    "Counters",
    "DQNResult",
    "Episodes",
    "Learner",
    "act",
    "check_due",
    "greedy_check",
    "learn",
    "make_learner",
    "store",
    "train",
    "training_loop",
]

CHECK_SEED = 10_000_000
"""Greedy check ``k`` of a run with seed ``s`` plays on seeds ``CHECK_SEED + 1000 s + k + i``."""


@dataclass
class Counters:
    """What a run has done so far; saved in its checkpoint and restored on resume."""

    step: int = 0
    """Environment steps taken by training (summed over environments)."""
    gradient_steps: int = 0
    """Gradient steps taken."""
    episode_returns: list[float] = field(default_factory=list)
    """Return of every finished training episode, in order."""
    episode_end_steps: list[int] = field(default_factory=list)
    """The value of ``step`` when each of those episodes ended."""
    checks: list[tuple[int, float]] = field(default_factory=list)
    """``(step, mean greedy return)`` of each greedy check."""
    check_steps: int = 0
    """Environment steps played by the greedy checks (not stored, not learned from)."""


@dataclass
class DQNResult:
    """What :func:`train` returns."""

    network: QNetwork = field(repr=False)
    """The averaged Q-network, the one the greedy checks played (on the training device)."""
    config: DQNConfig
    """The configuration of the run."""
    episode_returns: list[float]
    """Return of every finished training episode (epsilon-greedy), in order."""
    episode_end_steps: list[int]
    """Environment step (summed over environments) at which each of those episodes ended."""
    checks: list[tuple[int, float]]
    """``(environment step, mean greedy return)`` of each periodic greedy check."""
    env_steps: int
    """Environment steps of training (less than ``total_steps`` when a check stopped the run)."""
    check_env_steps: int
    """Environment steps played by the greedy checks, on their own environments: not stored
    and not learned from, but they decide when the run stops, and so which network is kept."""
    gradient_steps: int
    """Gradient steps taken."""
    stopped_early: bool
    """Whether a greedy check reached ``stop_return`` before the step budget ran out."""
    train_seconds: float
    """Wall-clock seconds of :func:`train` (collection, learning and checks)."""


@dataclass
class Learner:
    """The online, target and averaged networks, the optimizer, the buffer, the generator."""

    q_net: QNetwork
    target_net: QNetwork
    average_net: QNetwork
    """A running average of the online network's weights: what the checks play and train keeps."""
    optimizer: torch.optim.Optimizer
    buffer: ReplayBuffer
    rng: np.random.Generator
    """Draws exploration and replay indices, in the order the loop asks for them."""


@dataclass
class Episodes:
    """The running episodes of the vectorized environments."""

    autoreset: np.ndarray
    """Whether each environment's next step only resets it (gymnasium's NEXT_STEP mode)."""
    returns: np.ndarray
    """Return so far of each environment's running episode."""
    windows: list[deque[tuple[np.ndarray, int, float]]]
    """Each environment's last steps ``(s, a, r)`` not yet stored: at most ``n_step - 1``."""


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

    On the CPU training runs on one thread (PyTorch's setting is restored afterwards): a
    network this small gains nothing from more (see :func:`dlcourse.runtime.one_thread_on_cpu`).
    """
    dev = runtime.device()
    with runtime.one_thread_on_cpu(dev):
        runtime.seed_everything(config.seed)
        started = time.perf_counter()
        envs = make_vector_env(config.env_id, config.num_envs)
        try:
            sizes = env_sizes(
                envs.single_observation_space, envs.single_action_space, config.env_id
            )
            learner = make_learner(config, *sizes, dev)
            counters = Counters() if resume is None else _resume(learner, config, resume, dev)
            bar = _progress_bar(config, counters) if progress else None
            try:
                stopped_early = training_loop(learner, envs, config, counters, dev, bar)
            finally:
                if bar is not None:
                    bar.update(counters.step - bar.n)
                    bar.close()
        finally:
            envs.close()
        if checkpoint is not None:
            torch.save(_state(learner, config, counters), checkpoint)
    return DQNResult(
        network=learner.average_net,
        config=config,
        episode_returns=counters.episode_returns,
        episode_end_steps=counters.episode_end_steps,
        checks=counters.checks,
        env_steps=counters.step,
        check_env_steps=counters.check_steps,
        gradient_steps=counters.gradient_steps,
        stopped_early=stopped_early,
        train_seconds=time.perf_counter() - started,
    )


# --8<-- [start:learner]
def make_learner(config: DQNConfig, obs_dim: int, n_actions: int, dev: torch.device) -> Learner:
    """The online network, two frozen copies (target, average), Adam, the buffer, the RNG."""
    q_net = QNetwork(obs_dim, n_actions, config.hidden_sizes).to(dev)
    target_net = copy.deepcopy(q_net)  # starts equal; changed only by update_target
    target_net.requires_grad_(False)
    average_net = copy.deepcopy(target_net)  # the same, moved toward q_net after each update
    # fused: one kernel for all parameters instead of a loop of small ones
    optimizer = torch.optim.Adam(q_net.parameters(), lr=config.learning_rate, fused=True)
    buffer = ReplayBuffer(config.buffer_size, obs_dim, device=dev)
    rng = np.random.default_rng(config.seed)
    return Learner(q_net, target_net, average_net, optimizer, buffer, rng)


# --8<-- [end:learner]


# --8<-- [start:loop]
def training_loop(
    learner: Learner,
    envs: gym.vector.VectorEnv,
    config: DQNConfig,
    counters: Counters,
    dev: torch.device,
    bar: Any = None,
) -> bool:
    """Act, store, learn, check, until the step budget is spent; True if a check stopped it."""
    epsilon = LinearSchedule(config.epsilon_start, config.epsilon_end, config.exploration_steps)
    obs, _ = envs.reset(seed=config.seed + counters.step)
    n = config.num_envs
    windows: list[deque[tuple[np.ndarray, int, float]]] = [deque() for _ in range(n)]
    episodes = Episodes(np.zeros(n, dtype=bool), np.zeros(n), windows)
    calls = 0  # calls to envs.step
    while counters.step < config.total_steps:
        eps = epsilon(counters.step)
        actions = act(learner, obs, eps, dev)  # 1. act
        next_obs, rewards, terminated, truncated, _ = envs.step(actions)
        transitions = (obs, actions, rewards, next_obs, terminated)
        store(learner.buffer, episodes, counters, transitions, truncated, config)  # 2. store
        obs = next_obs
        calls += 1
        if counters.step >= config.learning_starts and calls % config.train_freq == 0:
            learn(learner, config, counters)  # 3. learn, and update the target network
        if bar is not None and calls % 200 == 0:
            _show(bar, counters, eps)
        if check_due(config, counters):  # 4. check the averaged network's greedy policy
            mean = greedy_check(learner.average_net, config, counters, dev)
            if config.stop_return is not None and mean >= config.stop_return:
                return True  # keep the network that passed
    return False


# --8<-- [end:loop]


# --8<-- [start:act]
def act(learner: Learner, obs: np.ndarray, eps: float, dev: torch.device) -> np.ndarray:
    """One epsilon-greedy action per environment (ties: the lowest action)."""

    def q_values() -> Tensor:  # the forward pass, run only if some environment acts greedily
        with torch.no_grad():
            return learner.q_net(torch.as_tensor(obs, device=dev))

    shape = (len(obs), learner.q_net.n_actions)
    return epsilon_greedy(q_values, eps, learner.rng, "first", shape=shape)  # type: ignore[return-value]


# --8<-- [end:act]


# --8<-- [start:store]
def store(
    buffer: ReplayBuffer,
    episodes: Episodes,
    counters: Counters,
    transitions: tuple[np.ndarray, ...],
    truncated: np.ndarray,
    config: DQNConfig,
) -> None:
    """Store the n-step transitions one vector step completes; count ended episodes.

    A transition from ``s_t`` is stored once ``n = config.n_step`` steps have followed it:
    ``(s_t, a_t, G, s_(t+n), terminated)`` with ``G = r_t + gamma r_(t+1) + ... +
    gamma^(n-1) r_(t+n-1)``. When an episode terminates, its last ``n - 1`` windows are stored
    too, shorter and marked terminated (nothing to bootstrap). When it is truncated they are
    dropped: their bootstrap would need ``gamma^m`` for ``m < n``, not ``gamma^n``.
    """
    obs, actions, rewards, next_obs, terminated = transitions
    real = ~episodes.autoreset  # a step that merely reset an environment is no transition
    rows = []
    for i in np.flatnonzero(real):
        window = episodes.windows[i]
        window.append((obs[i], int(actions[i]), float(rewards[i])))
        ended = terminated[i] or truncated[i]
        while len(window) == config.n_step or (terminated[i] and window):
            discounts = config.gamma ** np.arange(len(window))
            g = float(np.dot(discounts, [r for _, _, r in window]))  # the n-step return G
            first_obs, first_action, _ = window.popleft()
            rows.append((first_obs, first_action, g, next_obs[i], terminated[i]))
        if ended:
            window.clear()  # truncated: the shorter windows are not stored
    if rows:
        columns = zip(*rows, strict=True)
        buffer.add(*(np.stack(c) if k in (0, 3) else np.array(c) for k, c in enumerate(columns)))
    episodes.returns[real] += rewards[real]
    counters.step += int(real.sum())
    for i in np.flatnonzero(real & (terminated | truncated)):
        counters.episode_returns.append(float(episodes.returns[i]))
        counters.episode_end_steps.append(counters.step)
        episodes.returns[i] = 0.0
    episodes.autoreset = terminated | truncated  # these environments reset on the next step


# --8<-- [end:store]


# --8<-- [start:learn]
def learn(learner: Learner, config: DQNConfig, counters: Counters) -> None:
    """``gradient_steps`` Adam steps on replayed batches, then one step of the weight average.

    The target network is updated every ``target_update_interval`` gradient steps; after the
    last gradient step, ``average <- decay * average + (1 - decay) * online``.
    """
    for _ in range(config.gradient_steps):
        batch = learner.buffer.sample(config.batch_size, learner.rng)
        discount = config.gamma**config.n_step  # an n-step transition bootstraps n steps on
        loss = dqn_loss(batch, learner.q_net, learner.target_net, discount, config.double_dqn)
        learner.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(learner.q_net.parameters(), config.max_grad_norm)
        learner.optimizer.step()
        counters.gradient_steps += 1
        if counters.gradient_steps % config.target_update_interval == 0:
            update_target(learner.target_net, learner.q_net, config.tau)
    update_target(learner.average_net, learner.q_net, 1.0 - config.average_decay)


# --8<-- [end:learn]


# --8<-- [start:check]
def greedy_check(
    q_net: nn.Module, config: DQNConfig, counters: Counters, dev: torch.device
) -> float:
    """Mean greedy return over ``eval_episodes`` episodes on their own seeded environments.

    Check ``k`` of a run plays seeds ``CHECK_SEED + 1000 * seed + k + i``; it is recorded in
    ``counters.checks`` and its steps are added to ``counters.check_steps``.
    """
    seed = CHECK_SEED + 1_000 * config.seed + len(counters.checks)
    returns, lengths = greedy_episodes(q_net, config.env_id, config.eval_episodes, seed, dev)
    counters.checks.append((counters.step, float(returns.mean())))
    counters.check_steps += int(lengths.sum())
    return float(returns.mean())


def check_due(config: DQNConfig, counters: Counters) -> bool:
    """Whether ``eval_interval`` training steps have passed since the last greedy check."""
    last = counters.checks[-1][0] if counters.checks else 0
    return bool(config.eval_interval) and counters.step - last >= config.eval_interval


# --8<-- [end:check]


def _resume(learner: Learner, config: DQNConfig, path: str | Path, dev: torch.device) -> Counters:
    """Load the checkpoint at ``path`` into ``learner``; the counters it had reached."""
    ckpt = load_checkpoint(path, dev)
    old = ckpt["config"]
    if old["env_id"] != config.env_id or tuple(old["hidden_sizes"]) != config.hidden_sizes:
        raise ValueError(
            f"checkpoint {path} is for {old['env_id']} with hidden_sizes "
            f"{tuple(old['hidden_sizes'])}, not {config.env_id} with {config.hidden_sizes}"
        )
    learner.q_net.load_state_dict(ckpt["q_net"])
    learner.target_net.load_state_dict(ckpt["target_net"])
    learner.average_net.load_state_dict(ckpt["average_net"])
    learner.optimizer.load_state_dict(ckpt["optimizer"])
    learner.buffer.load_state_dict(ckpt["buffer"])
    learner.rng.bit_generator.state = ckpt["rng"]
    names = [f.name for f in dataclasses.fields(Counters) if f.name in ckpt]
    counters = Counters(**{name: ckpt[name] for name in names})
    counters.checks = [tuple(x) for x in counters.checks]  # type: ignore[misc]
    return counters


def _state(learner: Learner, config: DQNConfig, counters: Counters) -> dict[str, Any]:
    return checkpoint_state(
        config,
        learner.q_net,
        learner.target_net,
        learner.average_net,
        learner.optimizer,
        learner.buffer,
        learner.rng,
        dataclasses.asdict(counters),
    )


def _progress_bar(config: DQNConfig, counters: Counters) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=config.total_steps, initial=counters.step, unit="step", desc=config.env_id)


def _show(bar: Any, counters: Counters, eps: float) -> None:
    bar.update(counters.step - bar.n)
    recent = counters.episode_returns[-10:]
    if recent:
        bar.set_postfix(recent_return=f"{np.mean(recent):.1f}", eps=f"{eps:.2f}")
