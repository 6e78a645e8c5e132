"""GridWorld: Gymnasium's API, determinism, the exact model against its transitions and sampled
steps, its memory, the cell and wall helpers, bad input."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import dlcourse.gridworld as gw
from dlcourse.gridworld import DOWN, ENV_ID, LEFT, RIGHT, UP, GridWorld, cell_index, wall_mask
from dlcourse.mdp import TabularMDP

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


MODEL_GRIDS = [
    {},
    {"height": 1, "width": 2},
    {"slip": 0.2, "step_reward": -0.1, **MAZE},
    {"height": 5, "width": 6, "walls": [(1, 1), (2, 3), (3, 1)], "slip": 0.1},
    {"height": 3, "width": 5, "walls": [(1, 1), (1, 2)], "slip": 1.0, "goal_reward": 2.0},
    {
        "height": 4,
        "width": 3,
        "walls": np.eye(4, 3, k=-1, dtype=bool)[:, ::-1].copy(),
        "step_reward": -1.0,
    },
]
"""Grids whose model is checked outcome by outcome: deterministic, slippery, walled, always
slipping (the chosen direction has probability 0), walls given as a bool mask."""


@pytest.mark.parametrize("kwargs", MODEL_GRIDS)
def test_to_mdp_agrees_with_transitions(kwargs):
    """``P[s, a, s']`` sums the outcome probabilities and ``R[s, a]`` is the expected reward."""
    env = GridWorld(**kwargs)
    mdp = env.to_mdp(0.9, device="cpu")
    S = env.num_states
    assert isinstance(mdp, TabularMDP) and mdp.P.shape == (S, 4, S)
    assert mdp.num_successors == (4 if env.slip > 0 else 1)
    terminal = [s for s in range(S) if s == env.goal or s in env.walls]
    assert mdp.terminal.nonzero().flatten().tolist() == terminal
    table = env.P
    assert len(table) == S and all(len(row) == 4 for row in table)
    for s in range(S):
        for a in range(4):
            outcomes = env.transitions(s, a)
            assert table[s][a] == outcomes
            assert outcomes is env.transitions(s, a)  # computed once
            if mdp.terminal[s]:  # absorbing in the environment, nowhere in the model
                assert outcomes == [(1.0, s, 0.0, s == env.goal)]
                assert mdp.P[s, a].sum() == 0 and mdp.R[s, a] == 0
                continue
            assert len({s2 for _, s2, _, _ in outcomes}) == len(outcomes)  # merged
            assert all(p > 0 for p, _, _, _ in outcomes)
            assert math.isclose(sum(p for p, _, _, _ in outcomes), 1.0, abs_tol=1e-12)
            P = np.zeros(S)
            for p, s2, r, terminated in outcomes:
                P[s2] += p
                assert terminated == (s2 == env.goal)
                assert r == env.step_reward + env.goal_reward * (s2 == env.goal)
            np.testing.assert_allclose(mdp.P[s, a].numpy(), P, rtol=0, atol=1e-15)
            expected_reward = sum(p * r for p, _, r, _ in outcomes)
            assert mdp.R[s, a].item() == pytest.approx(expected_reward, rel=0, abs=1e-15)
            # ... and both agree with the geometry: each direction, with its slip probability
            by_move = np.zeros(S)
            for d in range(4):
                by_move[env.move(s, d)] += 1 - env.slip if d == a else env.slip / 3
            np.testing.assert_allclose(P, by_move, rtol=0, atol=1e-15)


def test_to_mdp_matches_sampled_steps_on_a_walled_grid():
    """The same check as above with sampling: the 5x6 grid's walls and slip, from every cell."""
    env = GridWorld(**MODEL_GRIDS[3])
    mdp = env.to_mdp(0.9, device="cpu")
    env.reset(seed=1)
    n = 600
    for s in np.flatnonzero(~mdp.terminal.numpy()):
        for a in range(4):
            counts = np.zeros(env.num_states)
            for _ in range(n):
                env.s = int(s)
                counts[env.step(a)[0]] += 1
            p = mdp.P[s, a].numpy()
            tolerance = 5 * np.sqrt(p * (1 - p) / n) + 1e-9
            assert np.all(np.abs(counts / n - p) <= tolerance), (s, a, counts / n, p)


@pytest.mark.parametrize("to_mask", [np.asarray, torch.as_tensor])
def test_a_bool_wall_mask_gives_the_same_grid_and_model(to_mask):
    cells = [(10, c) for c in range(5, 35)] + [(r, 20) for r in range(11, 30)]
    mask = np.zeros((50, 40), dtype=bool)
    for r, c in cells:
        mask[r, c] = True
    kw = {"height": 50, "width": 40, "slip": 0.1, "step_reward": -1.0}
    by_cells, by_mask = GridWorld(walls=cells, **kw), GridWorld(walls=to_mask(mask), **kw)
    assert by_cells.walls == by_mask.walls == {r * 40 + c for r, c in cells}
    a, b = by_cells.to_mdp(0.9, device="cpu"), by_mask.to_mdp(0.9, device="cpu")
    assert torch.equal(a.next_states, b.next_states)
    assert torch.equal(a.probs, b.probs) and torch.equal(a.R, b.R)
    assert torch.equal(a.terminal, b.terminal)
    assert a.nbytes() == 2000 * 4 * 4 * (8 + 8) + 2000 * 4 * 8  # indices, probs, R
    for env in (by_cells, by_mask):
        env.reset(seed=5)
    actions = np.random.default_rng(0).integers(0, 4, size=300)
    assert [by_cells.step(int(x))[:3] for x in actions] == [
        by_mask.step(int(x))[:3] for x in actions
    ]


def test_the_model_of_a_million_cells_takes_linear_memory():
    """1000 x 1000 cells: S * A * K entries (a dense P would take 32 TB, so none is built)."""
    n = 1000
    S, A = n * n, 4
    mdp = GridWorld(height=n, width=n).to_mdp(0.99, device="cpu")
    assert (mdp.num_states, mdp.num_actions, mdp.num_successors) == (S, A, 1)
    # next_states (int64), probs and R (float64): S * A * K * (8 + 8) + S * A * 8 bytes
    assert mdp.nbytes() == S * A * 1 * (8 + 8) + S * A * 8 == 96_000_000
    nxt = mdp.next_states
    assert nxt[0, :, 0].tolist() == [0, n, 0, 1]  # up and left bump into the edge
    assert nxt[S - 2, RIGHT, 0].item() == S - 1 and mdp.R[S - 2, RIGHT].item() == 1.0
    assert mdp.terminal.nonzero().flatten().tolist() == [S - 1]
    assert (mdp.probs[:-1] == 1).all() and mdp.R[:-1, UP].sum() == 0
    # with slip, K = 4; float32 halves the probabilities and rewards, not the indices
    slippery = GridWorld(height=100, width=100, slip=0.2).to_mdp(0.99, dtype=torch.float32)
    assert slippery.num_successors == 4
    assert slippery.nbytes() == 10_000 * A * 4 * (8 + 4) + 10_000 * A * 4


def test_cell_index_and_wall_mask():
    assert cell_index("cell", (1, 2), 3, 4) == 6
    assert cell_index("cell", [2, 3], 3, 4) == 11
    assert cell_index("cell", np.int64(5), 3, 4) == 5
    assert cell_index("cell", np.array([0, 1]), 3, 4) == 1
    with pytest.raises(ValueError, match=r"cell \(3, 0\) is outside the 3x4 grid \(rows 0..2"):
        cell_index("cell", (3, 0), 3, 4)
    with pytest.raises(ValueError, match=r"cell 12 is outside the 3x4 grid \(states 0..11\)"):
        cell_index("cell", 12, 3, 4)
    with pytest.raises(ValueError, match=r"cell must be a state number or a \(row, col\) pair"):
        cell_index("cell", True, 3, 4)
    assert wall_mask(None, 2, 3).tolist() == [False] * 6
    assert wall_mask([(0, 1), 5], 2, 3).tolist() == [False, True, False, False, False, True]
    mask = np.array([[True, False, False], [False, False, True]])
    flat = wall_mask(mask, 2, 3)
    assert flat.tolist() == [True, False, False, False, False, True]
    flat[0] = False
    assert mask[0, 0]  # a copy: the caller's mask is left alone
    assert wall_mask(torch.as_tensor(mask), 2, 3).tolist() == wall_mask(mask, 2, 3).tolist()
    with pytest.raises(ValueError, match=r"a wall mask must be a bool array of shape \(2, 3\)"):
        wall_mask(np.zeros((3, 2), dtype=bool), 2, 3)
    with pytest.raises(ValueError, match=r"a wall mask must be a bool array .* got int64"):
        wall_mask(np.zeros((2, 3), dtype=np.int64), 2, 3)
    with pytest.raises(ValueError, match=r"walls \(2, 0\) is outside"):
        wall_mask([(2, 0)], 2, 3)


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
        ({"height": 1, "width": 1}, r"start and goal are the same cell \(0, 0\)"),
        ({"walls": np.zeros((2, 2), dtype=bool)}, r"a wall mask must be a bool array of shape"),
        ({"walls": torch.zeros(4, 4)}, r"a wall mask must be a bool array .* got float32"),
        ({"walls": np.eye(4, dtype=bool)}, r"start \(0, 0\) is on a wall"),
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

    from dlcourse.plots.common import moving_average
    from dlcourse.plots.grid import (
        plot_frame,
        plot_grid,
        plot_learning_curve,
        plot_policy,
        plot_values,
    )

    assert moving_average([1, 2, 3, 4], 2).tolist() == [1.0, 1.5, 2.5, 3.5]
    with pytest.raises(ValueError, match="window must be an int >= 1"):
        moving_average([1, 2], 0)
    with pytest.raises(ValueError, match="every curve needs one entry per episode"):
        plot_learning_curve([3, 2, 1], [True, False])
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
