"""Q-learning learns, not just runs: optimal paths, optimal policies under slip, pitfalls.

The table is learned by :func:`dlcourse.td.train_td_control` with the grid's settings,
:data:`dlcourse.qlearning.GRID_Q_LEARNING`; the network by :func:`train_q_network`.
"""

from __future__ import annotations

from dataclasses import replace

import gymnasium as gym
import pytest
import torch

from dlcourse.agents import greedy_actions
from dlcourse.gridworld import DOWN, ENV_ID, RIGHT, UP, GridWorld
from dlcourse.mdp import TabularMDP
from dlcourse.qlearning import (
    GRID_Q_LEARNING,
    OneHotQNetwork,
    QNetworkConfig,
    greedy_path_length,
    train_q_network,
)
from dlcourse.td import TDControlConfig, train_td_control

from .conftest import seeds_off_the_page

GAMMA = 0.9
OPTIMAL_Q_START = GAMMA**5  # reward 1 on the 6th step from the start of the 4x4 grid


def grid(**changes) -> TDControlConfig:
    """The TD chapter's tabular Q-learning settings on the 4x4 grid, with ``changes``."""
    return replace(GRID_Q_LEARNING, **changes)


STOCHASTIC = grid(alpha=0.3, episodes=400, epsilon_end=0.3, exploration_fraction=0.3)
"""Settings for a slippery floor: a smaller step size averages the noisy targets, and more
exploration late in training keeps refreshing the states off the best route (Q-learning is
off-policy, so exploring does not bias what it learns)."""


def optimal_q(mdp: TabularMDP, iterations: int = 1000) -> torch.Tensor:
    """Q* by value iteration: Q(s,a) = R(s,a) + gamma sum_s' P(s'|s,a) max_a' Q(s',a')."""
    P, R = mdp.P.cpu(), mdp.R.cpu()
    v = torch.zeros(mdp.num_states, dtype=P.dtype)
    for _ in range(iterations):
        q = R + mdp.gamma * P @ v
        v = q.max(dim=1).values  # terminal rows of P and R are 0, so V(terminal) = 0
    return q


def reachable(mdp: TabularMDP, start: int) -> list[int]:
    """Non-terminal states reachable from ``start`` under some sequence of actions."""
    edges = (mdp.P.cpu() > 0).any(dim=1)
    seen, frontier = {start}, [start]
    while frontier:
        s = frontier.pop()
        for s2 in edges[s].nonzero().flatten().tolist():
            if s2 not in seen:
                seen.add(s2)
                frontier.append(s2)
    return sorted(s for s in seen if not mdp.terminal[s])


def regret(q_star: torch.Tensor, policy: torch.Tensor, states: list[int]) -> dict[int, float]:
    """V*(s) - Q*(s, pi(s)) per state: 0 for any optimal action, so ties are all accepted."""
    return {s: (q_star[s].max() - q_star[s, policy[s]]).item() for s in states}


@pytest.mark.parametrize("seed", seeds_off_the_page("td.md", range(1, 6)))
def test_tabular_learns_the_shortest_path(seed):
    result = train_td_control(grid(seed=seed))
    assert greedy_path_length(GridWorld(), greedy_actions(result.q)) == 6
    assert result.q[0].max().item() == pytest.approx(OPTIMAL_Q_START, abs=1e-3)
    assert all(result.success[-50:]) and result.steps[-1] <= 10
    assert len(result.steps) == len(result.success) == len(result.returns) == 300


@pytest.mark.parametrize("seed", seeds_off_the_page("td.md", range(1, 4)))
def test_q_network_learns_the_shortest_path(seed):
    result = train_q_network(QNetworkConfig(seed=seed))
    assert greedy_path_length(GridWorld(), greedy_actions(result.q)) == 6
    assert result.q[0].max().item() == pytest.approx(OPTIMAL_Q_START, abs=0.05)
    assert sum(result.success[-50:]) >= 45
    assert result.network is not None


def test_q_network_online_single_transition_update_learns_too():
    result = train_q_network(QNetworkConfig(seed=0, batch_size=1, buffer_size=1))
    assert greedy_path_length(GridWorld(), greedy_actions(result.q)) == 6


@pytest.mark.parametrize("seed", range(5))
def test_tabular_finds_the_optimal_policy_on_a_slippery_maze(seed):
    """Exact match with value iteration on every reachable state of a 4x4 maze, slip 0.2.

    Every decision in this maze matters: two actions are either exactly tied (by symmetry) or
    differ by at least 0.05 in Q*, which is checked first.
    """
    env = GridWorld(slip=0.2, walls=[(1, 1), (1, 2), (2, 1)])
    mdp = env.to_mdp(GAMMA)
    q_star = optimal_q(mdp)
    states = reachable(mdp, env.start)
    top2 = q_star[states].topk(2, dim=1).values
    gaps = top2[:, 0] - top2[:, 1]
    assert bool(((gaps < 1e-9) | (gaps > 0.05)).all())
    result = train_td_control(replace(STOCHASTIC, seed=seed), env)
    assert max(regret(q_star, greedy_actions(result.q), states).values()) < 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_tabular_is_near_optimal_on_the_open_slippery_grid(seed):
    """On the open 4x4 grid with slip 0.1, "down" and "right" differ by at most 0.003 in Q*.

    A few hundred episodes of constant-step Q-learning cannot resolve gaps that small, so here
    the greedy action must be optimal up to 0.01 (the clear decisions, with gaps of 0.07 or
    more at the edges, must be right).
    """
    env = GridWorld(slip=0.1)
    mdp = env.to_mdp(GAMMA)
    q_star = optimal_q(mdp)
    result = train_td_control(replace(STOCHASTIC, seed=seed), env)
    assert max(regret(q_star, greedy_actions(result.q), reachable(mdp, env.start)).values()) < 0.01


def test_pitfall_greedy_agent_never_finds_the_goal():
    config = grid(epsilon_start=0.0, epsilon_end=0.0, tie_break="first", episodes=20)
    result = train_td_control(config)
    assert result.returns == [0.0] * 20 and not any(result.success)
    assert result.steps == [config.max_steps] * 20
    assert torch.equal(result.q, torch.zeros(16, 4, dtype=torch.float64))
    assert greedy_path_length(GridWorld(), greedy_actions(result.q)) is None


def test_pitfall_bootstrapping_from_the_goal_inflates_the_table():
    """With Q(goal, .) = q_init = 1 never updated, the target at the goal is 1 + 0.9 * 1."""
    honest = train_td_control(grid(q_init=1.0))
    inflated = train_td_control(grid(q_init=1.0, bootstrap_terminal=True))
    assert honest.q[0].max().item() == pytest.approx(OPTIMAL_Q_START, abs=1e-3)
    assert inflated.q[0].max().item() == pytest.approx(OPTIMAL_Q_START * (1 + GAMMA), abs=1e-3)
    # with a zero table the mistake is invisible: gamma * max Q(goal, .) = 0
    zero = train_td_control(grid(bootstrap_terminal=True))
    assert zero.q[0].max().item() == pytest.approx(OPTIMAL_Q_START, abs=1e-3)


def test_pitfall_bootstrapping_from_the_goal_inflates_the_network():
    result = train_q_network(QNetworkConfig(seed=0, bootstrap_terminal=True))
    assert result.q[0].max().item() > OPTIMAL_Q_START + 0.5


def test_terminal_does_not_bootstrap_but_truncation_does():
    # 1x2 grid, goal to the right: RIGHT is the only transition into the goal
    env = GridWorld(height=1, width=2)
    for bootstrap, expected in [(False, 0.75), (True, 0.975)]:
        # first update of Q(0, right) from 0.5: target 1 (or 1 + 0.9 * 0.5), step size 0.5
        config = grid(episodes=1, q_init=0.5, bootstrap_terminal=bootstrap)
        assert train_td_control(config, env).q[0, RIGHT].item() == pytest.approx(expected)
    # one step, then truncation: Q(0, up) <- 1 + 0.5 (0 + 0.9 * 1 - 1) = 0.95 (0.5 without it)
    config = grid(
        episodes=1, max_steps=1, q_init=1.0, epsilon_start=0.0, epsilon_end=0.0, tie_break="first"
    )
    assert train_td_control(config).q[0, UP].item() == pytest.approx(0.95)


def test_time_limit_wrapper_truncates_too():
    env = gym.make(ENV_ID, max_episode_steps=10)
    config = grid(episodes=3, epsilon_start=0.0, epsilon_end=0.0, tie_break="first")
    assert train_td_control(config, env).steps == [10, 10, 10]


def test_runs_are_reproducible():
    a = train_td_control(grid(seed=3, episodes=50))
    b = train_td_control(grid(seed=3, episodes=50))
    c = train_td_control(grid(seed=4, episodes=50))
    assert torch.equal(a.q, b.q) and a.steps == b.steps
    assert a.steps != c.steps


def test_epsilon_decays_linearly_per_episode():
    schedule = grid(episodes=100, epsilon_end=0.1).epsilon_schedule()
    assert schedule(0) == 1.0
    assert schedule(25) == pytest.approx(0.55)  # half way through the first 50 episodes
    assert schedule(80) == pytest.approx(0.1)
    # no decay asked for: still epsilon_start in the first episode, then epsilon_end
    instant = QNetworkConfig(exploration_fraction=0.0, epsilon_end=0.2).epsilon_schedule()
    assert [instant(0), instant(1), instant(10)] == pytest.approx([1.0, 0.2, 0.2])
    # the cliff's settings: no epsilon_end, so epsilon_start throughout
    constant = TDControlConfig(epsilon_start=0.1).epsilon_schedule()
    assert [constant(0), constant(499)] == [0.1, 0.1]


def test_one_hot_network_sees_only_its_state():
    torch.manual_seed(0)
    net = OneHotQNetwork(16, 4, hidden=8)
    assert net(torch.tensor([0, 15])).shape == (2, 4)
    net(torch.tensor([9])).sum().backward()
    touched = net.net[0].weight.grad.abs().sum(dim=0)
    assert touched[9] > 0 and touched.count_nonzero() == 1


def test_greedy_helpers():
    env = GridWorld(walls=[(1, 1)])
    down_then_right = torch.tensor([DOWN] * 16)
    down_then_right[12:15] = RIGHT
    assert greedy_path_length(env, down_then_right) == 6
    assert greedy_path_length(gym.make(ENV_ID), [RIGHT] * 16) is None  # stuck at the edge
    assert greedy_path_length(env, [DOWN] * 16, start=3) == 3
    q = torch.tensor([[0.0, 1.0, 1.0, 0.5], [2.0, 0.0, 0.0, 0.0]])
    assert greedy_actions(q).tolist() == [1, 0]


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (TDControlConfig, {"alpha": 0.0}, r"alpha must be > 0.0 and <= 1.0, got 0.0"),
        (TDControlConfig, {"gamma": 1.1}, r"gamma must be >= 0.0 and <= 1.0, got 1.1"),
        (TDControlConfig, {"episodes": 0}, r"episodes must be >= 1, got 0"),
        (TDControlConfig, {"epsilon_end": -0.1}, r"epsilon_end must be >= 0.0 and <= 1.0"),
        (TDControlConfig, {"tie_break": "last"}, r"tie_break must be one of 'random', 'first'"),
        (QNetworkConfig, {"device": 0}, r"device must be a str"),
        (QNetworkConfig, {"batch_size": 64, "buffer_size": 32}, r"batch_size \(64\) must not"),
        (QNetworkConfig, {"lr": 0.0}, r"lr must be > 0.0, got 0.0"),
        (QNetworkConfig, {"hidden": 0}, r"hidden must be >= 1"),
    ],
)
def test_bad_configs_fail_at_construction(cls, kwargs, match):
    with pytest.raises(ValueError, match=f"invalid {cls.__name__}: {match}"):
        cls(**kwargs)


def test_q_network_on_the_cpu_does_not_depend_on_the_thread_count():
    threads = torch.get_num_threads()
    config = QNetworkConfig(seed=0, episodes=20, device="cpu")
    try:
        runs = []
        for n in (1, 2):
            torch.set_num_threads(n)
            runs.append(train_q_network(config).q)
            assert torch.get_num_threads() == n  # restored after the run
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(runs[0], runs[1])
