"""GridWorld: Gymnasium's API, determinism, the exact model against sampled steps, bad input."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import dlcourse.gridworld as gw
from dlcourse.gridworld import DOWN, ENV_ID, LEFT, RIGHT, UP, GridWorld

MAZE = {"height": 3, "width": 4, "walls": [(1, 1), 6], "goal": (2, 3), "start": (0, 0)}
"""A rectangular grid with two walls, one given as (row, col), one as a state number."""


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"render_mode": "ansi", "slip": 0.2, **MAZE},
        {"render_mode": "rgb_array", "height": 1, "width": 2},
    ],
)
@pytest.mark.filterwarnings("ignore:.*not having a spec")
def test_check_env(kwargs):
    check_env(GridWorld(**kwargs))


def test_registered_with_a_time_limit():
    gw.register()  # registering twice is harmless
    check_env(gym.make(ENV_ID, render_mode="rgb_array", slip=0.1).unwrapped)
    env = gym.make(ENV_ID)
    assert env.spec.max_episode_steps == 100
    env.reset(seed=0)
    outcomes = [env.step(UP) for _ in range(100)]  # never reaches the goal
    assert [o[3] for o in outcomes] == [False] * 99 + [True]
    assert not any(o[2] for o in outcomes)


def test_default_is_the_course_example():
    env = GridWorld()
    assert (env.height, env.width, env.start, env.goal) == (4, 4, 0, 15)
    assert env.reset(seed=0) == (0, {"prob": 1.0})
    assert env.step(UP)[:4] == (0, 0.0, False, False)  # into the edge: stays
    assert env.step(LEFT)[:4] == (0, 0.0, False, False)
    path = [RIGHT, RIGHT, RIGHT, DOWN, DOWN, DOWN]
    outcomes = [env.step(a)[:4] for a in path]
    assert [o[0] for o in outcomes] == [1, 2, 3, 7, 11, 15]
    assert [o[1] for o in outcomes] == [0.0] * 5 + [1.0]
    assert [o[2] for o in outcomes] == [False] * 5 + [True]


def test_walls_block_and_rewards_add_up():
    env = GridWorld(step_reward=-1.0, goal_reward=10.0, **MAZE)
    env.reset(seed=0)
    assert env.step(DOWN)[:2] == (4, -1.0)
    assert env.step(RIGHT)[:2] == (4, -1.0)  # (1, 1) is a wall
    env.s = 7
    assert env.step(DOWN)[:3] == (11, 9.0, True)  # step_reward + goal_reward


def test_same_seed_same_rollout():
    def rollout(seed: int) -> list[tuple]:
        env = GridWorld(slip=0.3, **MAZE)
        actions = np.random.default_rng(123).integers(0, 4, size=200)
        trace = [env.reset(seed=seed)[0]]
        for a in actions:
            s, r, terminated, _, _ = env.step(int(a))
            trace.append((s, r, terminated))
            if terminated:
                trace.append(env.reset()[0])
        return trace

    assert rollout(7) == rollout(7)
    assert rollout(7) != rollout(8)


def test_to_mdp_matches_sampled_steps():
    """Frequencies of s' from `step` agree with P[s, a, s'] for every (s, a).

    N = 1000 samples per pair; each frequency must lie within 5 standard errors
    sqrt(p (1 - p) / N) of P (plus 1e-9 for p in {0, 1}). With 4 * 10 * 12 compared entries a
    5-sigma miss would be rare even by chance, and the seed is fixed, so the test is
    deterministic.
    """
    env = GridWorld(slip=0.3, step_reward=-0.1, **MAZE)
    mdp = env.to_mdp(0.9, device="cpu")
    env.reset(seed=0)
    n = 1000
    for s in range(env.num_states):
        if mdp.terminal[s]:
            continue
        for a in range(4):
            counts = np.zeros(env.num_states)
            reward_sum = 0.0
            for _ in range(n):
                env.s = s
                s2, r, terminated, truncated, info = env.step(a)
                counts[s2] += 1
                reward_sum += r
                assert terminated == (s2 == env.goal) and not truncated
                assert info["prob"] == pytest.approx(mdp.P[s, a, s2].item())
            p = mdp.P[s, a].numpy()
            tolerance = 5 * np.sqrt(p * (1 - p) / n) + 1e-9
            assert np.all(np.abs(counts / n - p) <= tolerance), (s, a, counts / n, p)
            # R[s, a] is the mean reward; rewards here are -0.1 or 0.9, so their std is <= 0.5
            assert abs(reward_sum / n - mdp.R[s, a].item()) <= 5 * 0.5 / math.sqrt(n)


def test_to_mdp_structure():
    env = GridWorld(slip=0.2, **MAZE)
    mdp = env.to_mdp(0.95)
    assert mdp.P.shape == (12, 4, 12) and mdp.P.dtype == torch.float64
    assert mdp.terminal.nonzero().flatten().tolist() == [5, 6, 11]  # walls and the goal
    live = ~mdp.terminal
    assert torch.allclose(mdp.P[live].sum(-1), torch.ones(9, 4, dtype=torch.float64))
    assert mdp.P[:, :, 5].sum() == 0 and mdp.P[:, :, 6].sum() == 0  # walls are never entered
    # from (0, 0) "right": 0.8 right, 0.2/3 down, up and left bump into the edge
    p = mdp.P[0, RIGHT].cpu()
    assert p[1].item() == pytest.approx(0.8) and p[4].item() == pytest.approx(0.2 / 3)
    assert p[0].item() == pytest.approx(0.4 / 3)
    deterministic = GridWorld().to_mdp(0.9)
    assert torch.equal(
        deterministic.P.sum(-1).max(-1).values.cpu(), (~deterministic.terminal).double().cpu()
    )


def test_render_modes():
    env = GridWorld(render_mode="ansi", **MAZE)
    env.reset(seed=0)
    env.step(RIGHT)
    assert env.render() == "  (right)\nS A . .\n. # # .\n. . . G\n"
    env = GridWorld(render_mode="rgb_array", **MAZE)
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (3 * 32, 4 * 32, 3) and frame.dtype == np.uint8
    assert tuple(frame[2 * 32 + 16, 3 * 32 + 4]) == (76, 175, 80)  # goal: green
    assert tuple(frame[32 + 16, 32 + 16]) == (60, 60, 60)  # wall: dark
    assert tuple(frame[16, 16]) == (220, 60, 40)  # agent at the start
    with pytest.warns(UserWarning, match="without a render_mode"):
        assert GridWorld().render() is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"goal": (1, 1), "walls": [(1, 1)]}, r"goal \(1, 1\) is on a wall"),
        ({"start": 5, "walls": [5]}, r"start \(1, 1\) is on a wall"),
        ({"start": (4, 0)}, r"start \(4, 0\) is outside the 4x4 grid"),
        ({"start": 16}, r"start 16 is outside the 4x4 grid"),
        ({"goal": -1}, r"goal -1 is outside the 4x4 grid"),
        ({"walls": [(0, 9)]}, r"walls \(0, 9\) is outside"),
        ({"start": "top-left"}, r"start must be a state number or a \(row, col\) pair"),
        ({"slip": -0.1}, r"slip must be a probability in \[0, 1\]"),
        ({"slip": 1.5}, r"slip must be a probability in \[0, 1\]"),
        ({"height": 0}, r"height must be an int >= 1"),
        ({"width": 2.5}, r"width must be an int >= 1"),
        ({"start": 15}, r"start and goal are the same cell \(3, 3\)"),
        ({"step_reward": float("nan")}, r"step_reward must be finite"),
        ({"render_mode": "human"}, r"render_mode 'human' is not supported"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GridWorld(**kwargs)


@pytest.mark.parametrize("action", [4, -1, "up", 1.5, None])
def test_invalid_action(action):
    env = GridWorld()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"invalid action .*UP=0, DOWN=1, LEFT=2, RIGHT=3"):
        env.step(action)


def test_numpy_actions_are_accepted():
    env = GridWorld()
    env.reset(seed=0)
    assert env.step(np.int64(RIGHT))[0] == 1


def test_plots_return_labelled_figures():
    import matplotlib.pyplot as plt

    from dlcourse.plots.grid import (
        moving_average,
        plot_frame,
        plot_grid,
        plot_learning_curve,
        plot_policy,
        plot_values,
    )

    assert moving_average([1, 2, 3, 4], 2).tolist() == [1.0, 1.5, 2.5, 3.5]
    env = GridWorld(render_mode="rgb_array", **MAZE)
    env.reset(seed=0)
    walls, goal = [(1, 1), 6], env.goal
    actions = torch.zeros(12, dtype=torch.long)
    uniform = torch.full((12, 4), 0.25)
    figures = [
        plot_learning_curve([30, 12, 8, 6], [False, True, True, True], window=2, optimal_steps=5),
        plot_policy(actions, 3, 4, walls=walls, goal=goal, start=0),
        plot_policy(uniform, 3, 4, walls=walls, terminal=env.to_mdp(0.9).terminal.cpu()),
        plot_values(torch.linspace(0, 1, 12), 3, 4, walls=walls, goal=goal),
        plot_values(torch.linspace(0, 1, 12), 3, 4, vmin=0.0, vmax=2.0),
        plot_grid(3, 4, walls=walls, goal=goal, start=0),
        plot_frame(env.render()),
    ]
    assert figures[4].axes[0].images[0].get_clim() == (0.0, 2.0)
    labels = [t.get_text() for t in figures[5].axes[0].texts]
    assert [str(s) for s in range(12)] == [t for t in labels if t.isdigit()]
    assert {"S", "G"} <= set(labels)
    _, ax = plt.subplots()
    assert plot_values(np.zeros((3, 4)), 3, 4, ax=ax) is ax.figure
    for fig in figures:
        assert isinstance(fig, plt.Figure) and fig.get_label()
        fig.canvas.draw()
        plt.close(fig)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"policy must have shape \[S\] or \[S, A\]"):
        plot_policy(torch.zeros(16), 3, 4)
    with pytest.raises(ValueError, match=r"values must have height\*width = 12 entries"):
        plot_values(torch.zeros(16), 3, 4)
