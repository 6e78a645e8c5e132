"""Temporal-difference learning (dlcourse.td): the textbook's three examples, on several seeds.

Sutton & Barto (2018): Example 6.2 (TD(0) against Monte Carlo on the random walk), Example 6.6
(SARSA against Q-learning on the cliff) and Example 6.7 (maximization bias). Each claim is
checked for every seed tried.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from dlcourse.td import (
    BiasConfig,
    RandomWalkConfig,
    TDControlConfig,
    control_target,
    greedy_trajectory,
    left_fraction,
    random_walk_episode,
    rms_curves,
    train_td_control,
    true_random_walk_values,
)

from .conftest import seeds_off_the_page

SEEDS = seeds_off_the_page("td.md", [1, 2, 3, 4])


def test_random_walk_episodes_start_in_the_middle_and_end_at_a_side() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        states, rewards = random_walk_episode(rng)
        assert states[0] == 3 and states[-1] in (0, 6)
        assert all(abs(b - a) == 1 for a, b in itertools.pairwise(states))
        assert rewards == [0.0] * (len(rewards) - 1) + [float(states[-1] == 6)]
    assert true_random_walk_values().tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6])


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_td_beats_monte_carlo_on_the_random_walk(seed: int) -> None:
    config = RandomWalkConfig(seed=seed)
    td = rms_curves("td", (0.05, 0.1, 0.15), config)
    mc = rms_curves("mc", (0.01, 0.02, 0.03, 0.04), config)
    start = np.sqrt(np.mean((0.5 - true_random_walk_values()) ** 2))
    assert td[:, -1].max() < start and mc[:, -1].max() < start  # both learn
    # after 100 episodes the best TD step size beats the best Monte Carlo one (Figure 6.2)
    assert td[:, -1].min() < 0.75 * mc[:, -1].min()


def test_td_targets_of_the_three_methods() -> None:
    q_next = torch.tensor([1.0, 3.0, 3.0, -2.0], dtype=torch.float64)
    assert control_target("sarsa", q_next, 1.0, 0.5, 0.1, a_next=3) == 1.0 + 0.5 * -2.0
    assert control_target("q_learning", q_next, 1.0, 0.5, 0.1, a_next=3) == 1.0 + 0.5 * 3.0
    # epsilon-greedy expectation, the two tied greedy actions sharing 1 - epsilon
    expected = 0.1 / 4 * (1 + 3 + 3 - 2) + 0.9 * 3.0
    assert control_target("expected_sarsa", q_next, 1.0, 0.5, 0.1, 0) == pytest.approx(
        1.0 + 0.5 * expected
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_sarsa_is_safer_online_and_q_learning_finds_the_cliff_path(seed: int) -> None:
    runs = {m: train_td_control(TDControlConfig(method=m, seed=seed)) for m in ("sarsa", "q_learning", "expected_sarsa")}  # fmt: skip
    online = {m: np.mean(r.returns[-100:]) for m, r in runs.items()}
    # Q-learning walks next to the cliff and falls under epsilon = 0.1: worse online return
    assert online["sarsa"] > online["q_learning"]
    assert online["expected_sarsa"] > online["q_learning"]
    # its greedy policy is the optimal path: 13 steps along the cliff, to the goal (47)
    path = greedy_trajectory(runs["q_learning"].q)
    assert len(path) - 1 == 13 and path[-1] == 47
    assert all(s in (36, 47) or 24 <= s < 36 for s in path)  # the row just above the cliff


def test_td_control_is_reproducible_and_checks_its_config() -> None:
    a = train_td_control(TDControlConfig(episodes=20, seed=3))
    b = train_td_control(TDControlConfig(episodes=20, seed=3))
    assert a.returns == b.returns and torch.equal(a.q, b.q)
    with pytest.raises(ValueError, match="method must be one of"):
        TDControlConfig(method="td_lambda")
    with pytest.raises(ValueError, match=r"alpha must be > 0\.0"):
        TDControlConfig(alpha=0.0)
    with pytest.raises(ValueError, match="needs Discrete"):
        train_td_control(TDControlConfig(env_id="CartPole-v1", episodes=1))


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_double_q_learning_removes_the_maximization_bias(seed: int) -> None:
    config = BiasConfig(seed=seed)
    q = left_fraction("q_learning", config)
    double = left_fraction("double_q", config)
    assert q[:50].max() > 0.5  # Q-learning prefers the worse action early on
    assert q[-50:].mean() > double[-50:].mean() + 0.03
    assert double[-50:].mean() < 0.10  # near the 5% of an epsilon-greedy optimal agent
    with pytest.raises(ValueError, match="method must be"):
        left_fraction("sarsa", config)  # type: ignore[arg-type]
