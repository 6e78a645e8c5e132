"""Planning and policy evaluation in MDPs (dlcourse.mdp): the successor-list model, evaluation,
value and policy iteration.

Checked against each other, against the exact linear solve, against the error bound of the
stopping rule, and against pymdptoolbox, on random MDPs given densely and on grid worlds, whose
models are built from successor lists (``TabularMDP(P, ...)`` and
``TabularMDP.from_successors(...)`` must be the same model).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import (
    MRP,
    IterativeResult,
    PlanResult,
    TabularMDP,
    action_values,
    bellman_residual,
    evaluate_iterative,
    evaluate_monte_carlo,
    greedy_policy,
    never_terminating,
    policy_iteration,
    reaches_terminal,
    solve,
    value_iteration,
)

CPU = "cpu"


def random_mdp(seed: int, S: int = 12, A: int = 3, gamma: float = 0.9, terminal: int = 0):
    """A dense random MDP: sparse-ish rows (powers of uniforms), Gaussian rewards."""
    g = torch.Generator().manual_seed(seed)
    P = torch.rand(S, A, S, generator=g, dtype=torch.float64) ** 4
    P /= P.sum(dim=-1, keepdim=True)
    R = torch.randn(S, A, generator=g, dtype=torch.float64)
    term = torch.zeros(S, dtype=torch.bool)
    term[:terminal] = True
    return TabularMDP(P, R, gamma, term)


def random_successor_mdp(seed: int, S: int = 10, A: int = 3, K: int = 3, gamma: float = 0.9):
    """A random MDP given by successor lists: K distinct next states per (s, a), state 0 terminal.

    The last slot of some pairs is unused (probability 0, pointing to any state).
    """
    g = torch.Generator().manual_seed(seed)
    nxt = torch.stack([torch.randperm(S, generator=g)[:K] for _ in range(S * A)]).view(S, A, K)
    probs = torch.rand(S, A, K, generator=g, dtype=torch.float64) + 0.1
    unused = torch.rand(S, A, generator=g) < 0.3
    probs[..., -1][unused] = 0.0
    probs /= probs.sum(dim=-1, keepdim=True)
    R = torch.randn(S, A, generator=g, dtype=torch.float64)
    terminal = torch.zeros(S, dtype=torch.bool)
    terminal[0] = True
    return TabularMDP.from_successors(nxt, probs, R, gamma, terminal)


def as_dense(mdp: TabularMDP) -> TabularMDP:
    """The same model, given to the dense constructor."""
    return TabularMDP(mdp.P, mdp.R, mdp.gamma, mdp.terminal)


def v_pi(mdp: TabularMDP, policy: torch.Tensor) -> torch.Tensor:
    """V_pi, exactly."""
    return solve(mdp.induced_mrp(policy))


def exact_optimum(mdp: TabularMDP) -> torch.Tensor:
    """V* from policy iteration with exact evaluation, re-solved for its policy."""
    return v_pi(mdp, policy_iteration(mdp).policy)


def unique_best(mdp: TabularMDP, V: torch.Tensor, margin: float = 1e-6) -> torch.Tensor:
    """States whose best action beats the second best by more than ``margin``."""
    top2 = action_values(mdp, V).topk(2, dim=1).values
    return (top2[:, 0] - top2[:, 1] > margin) & ~mdp.terminal


def dense_induced(mdp: TabularMDP, W: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``P_pi[s, s'] = sum_a pi(a|s) P(s'|s, a)`` and ``R_pi[s] = sum_a pi(a|s) R(s, a)``."""
    return torch.einsum("sa,sat->st", W, mdp.P), (W * mdp.R).sum(dim=1)


GRIDS = [
    {"height": 4, "width": 4},
    {"height": 5, "width": 6, "walls": [(1, 1), (2, 3), (3, 1)], "slip": 0.1},
    {"height": 3, "width": 7, "goal": (0, 6), "slip": 0.3, "step_reward": -0.04},
    {"height": 6, "width": 5, "walls": [7, 12, 17], "step_reward": -1.0, "goal_reward": 5.0},
]


# --- the successor-list model -----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_dense_and_successor_forms_are_the_same_model(seed: int) -> None:
    sparse = random_successor_mdp(seed)
    dense = as_dense(sparse)
    # the dense P of the successor lists, by hand: P[s, a, next[s, a, k]] += probs[s, a, k]
    S, A, K = sparse.next_states.shape
    P = torch.zeros(S, A, S, dtype=torch.float64)
    for s, a, k in np.ndindex(S, A, K):
        if not sparse.terminal[s]:
            P[s, a, sparse.next_states[s, a, k]] += sparse.probs[s, a, k]
    torch.testing.assert_close(sparse.P, P, rtol=0, atol=1e-15)
    torch.testing.assert_close(dense.P, sparse.P, rtol=0, atol=1e-15)
    torch.testing.assert_close(dense.R, sparse.R, rtol=0, atol=0)
    assert torch.equal(dense.terminal, sparse.terminal)
    assert dense.num_successors <= sparse.num_successors  # unused slots are dropped
    for run in (value_iteration, policy_iteration):
        a, b = run(dense), run(sparse)
        torch.testing.assert_close(a.values, b.values, rtol=0, atol=1e-9)
        assert torch.equal(a.policy, b.policy)  # random rewards: no ties
    policy = policy_iteration(dense).policy
    torch.testing.assert_close(v_pi(dense, policy), v_pi(sparse, policy), rtol=0, atol=1e-12)


def test_dense_round_trip_through_successors() -> None:
    dense = random_mdp(3, terminal=2)
    again = TabularMDP.from_successors(
        dense.next_states, dense.probs, dense.R, dense.gamma, dense.terminal
    )
    torch.testing.assert_close(again.P, dense.P, rtol=0, atol=0)
    torch.testing.assert_close(again.R, dense.R, rtol=0, atol=0)
    for run in (value_iteration, policy_iteration):
        a, b = run(dense), run(again)
        torch.testing.assert_close(a.values, b.values, rtol=0, atol=1e-12)
        assert torch.equal(a.policy, b.policy)


def test_dense_conversion_keeps_successors_in_state_order_and_pads_with_zeros() -> None:
    P = torch.zeros(4, 2, 4, dtype=torch.float64)
    P[0, 0, [3, 1, 2]] = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
    P[0, 1, 2] = 1.0
    P[1, 0, [0, 3]] = 0.5
    P[1, 1, :] = 0.25
    P[2, :, 1] = 1.0
    P[3, :, 0] = 1.0  # state 3 is terminal: its rows are stored as zeros
    R = torch.arange(8, dtype=torch.float64).view(4, 2)
    mdp = TabularMDP(P, R, 0.9, torch.tensor([False, False, False, True]))
    assert mdp.num_successors == 4  # the most nonzeros in a row
    nxt, probs = mdp.next_states, mdp.probs
    assert nxt.shape == probs.shape == (4, 2, 4)
    for s in range(3):
        for a in range(2):
            support = P[s, a].nonzero()[:, 0]
            n = len(support)
            assert nxt[s, a, :n].tolist() == support.tolist()  # in state order
            assert probs[s, a, :n].tolist() == P[s, a, support].tolist()
            assert (probs[s, a, n:] == 0).all()  # padding slots have probability 0
            assert ((nxt[s, a] >= 0) & (nxt[s, a] < 4)).all()  # ... and valid indices
    # a terminal state transitions nowhere and earns nothing
    assert (probs[3] == 0).all() and (mdp.P[3] == 0).all() and (mdp.R[3] == 0).all()
    assert (nxt[3] == 3).all()  # its slots point to itself
    torch.testing.assert_close(mdp.P[:3], P[:3], rtol=0, atol=0)
    assert mdp.P.shape == (4, 2, 4)


def test_successor_lists_add_duplicates_and_convert_dtype_and_device() -> None:
    nxt = torch.tensor([[[1, 1, 0]], [[1, 1, 1]]])
    probs = torch.tensor([[[0.25, 0.25, 0.5]], [[1.0, 0.0, 0.0]]], dtype=torch.float64)
    mdp = TabularMDP.from_successors(nxt, probs, torch.ones(2, 1), 0.5)
    assert mdp.P[0, 0].tolist() == [0.5, 0.5]  # a successor listed twice adds up
    assert mdp.dtype == torch.float64  # probabilities and rewards promoted to one dtype
    small = mdp.to(CPU, dtype=torch.float32)
    assert small.dtype == small.P.dtype == small.R.dtype == torch.float32
    assert small.nbytes() == 2 * 1 * 3 * (8 + 4) + 2 * 1 * 4
    assert mdp.nbytes() == 2 * 1 * 3 * (8 + 8) + 2 * 1 * 8
    torch.testing.assert_close(small.P.double(), mdp.P)
    torch.testing.assert_close(
        solve(small.induced_mrp([0, 0])).double(), solve(mdp.induced_mrp([0, 0]))
    )


def test_terminal_states_are_stored_as_zeros() -> None:
    nxt = torch.tensor([[[1], [0]], [[1], [1]]])
    R = torch.tensor([[1.0, -2.0], [5.0, 5.0]], dtype=torch.float64)
    m = TabularMDP.from_successors(nxt, None, R, 1.0, torch.tensor([False, True]))
    assert m.R[1].tolist() == [0.0, 0.0]
    assert m.probs[1].sum() == 0 and m.probs[0].sum() == 2
    assert m.P[1].sum() == 0
    result = value_iteration(m)
    assert result.values.tolist() == [1.0, 0.0]
    assert result.error_bound == 0.0  # gamma = 1, but the last change was exactly 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((torch.zeros(2, 2, 1), None, torch.zeros(2, 2), 0.9), "integer state indices"),
        (
            (torch.zeros(2, 2, dtype=torch.long), None, torch.zeros(2, 2), 0.9),
            r"tensor \[S, A, K\]",
        ),
        ((torch.zeros(0, 2, 1, dtype=torch.long), None, torch.zeros(0, 2), 0.9), "S, A, K >= 1"),
        ((torch.tensor([[[2]], [[0]]]), None, torch.zeros(2, 1), 0.9), "is not a state"),
        (
            (torch.zeros(2, 1, 1, dtype=torch.long), None, torch.zeros(2, 2), 0.9),
            r"R must have shape \[S, A\] = \(2, 1\)",
        ),
        (
            (torch.zeros(2, 1, 2, dtype=torch.long), None, torch.zeros(2, 1), 0.9),
            "only for deterministic",
        ),
        (
            (torch.zeros(2, 1, 2, dtype=torch.long), torch.ones(2, 1, 3), torch.zeros(2, 1), 0.9),
            "probs must have next_states' shape",
        ),
        (
            (
                torch.zeros(2, 1, 2, dtype=torch.long),
                torch.full((2, 1, 2), 0.3),
                torch.zeros(2, 1),
                0.9,
            ),
            "the probabilities of state 0, action 0 sum to 0.6; they must sum to 1",
        ),
        (
            (
                torch.zeros(2, 1, 2, dtype=torch.long),
                torch.tensor([[[1.5, -0.5]], [[1.0, 0.0]]]),
                torch.zeros(2, 1),
                0.9,
            ),
            r"probs\[0, 0, 1\] = -0.5 is negative",
        ),
        (
            (torch.zeros(2, 1, 1, dtype=torch.long), None, torch.tensor([[math.nan], [0.0]]), 0.9),
            r"R has a non-finite entry R\[0, 0\]",
        ),
        (
            (torch.zeros(2, 1, 1, dtype=torch.long), None, torch.zeros(2, 1), 1.0),
            "needs at least one terminal",
        ),
        (
            (torch.zeros(2, 1, 1, dtype=torch.long), None, torch.zeros(2, 1), 1.5),
            r"gamma must be in \[0, 1\]",
        ),
    ],
)
def test_invalid_successor_lists_raise(args, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TabularMDP.from_successors(*args)


# --- the models of grid worlds ------------------------------------------------------------------


@pytest.mark.parametrize("kw", GRIDS)
def test_grid_model_from_successors_equals_its_dense_form(kw: dict) -> None:
    sparse = GridWorld(**kw).to_mdp(0.9, device=CPU)
    assert sparse.num_successors == (4 if kw.get("slip") else 1)
    dense = as_dense(sparse)
    torch.testing.assert_close(dense.P, sparse.P, rtol=0, atol=0)
    torch.testing.assert_close(dense.R, sparse.R, rtol=0, atol=0)
    assert torch.equal(dense.terminal, sparse.terminal)
    for run in (value_iteration, policy_iteration):
        a, b = run(dense), run(sparse)
        torch.testing.assert_close(a.values, b.values, rtol=0, atol=1e-12)
        assert torch.equal(a.policy, b.policy)  # the same ties, broken the same way


# --- agreement and the stopping rule ----------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_value_iteration_meets_its_stated_bound(seed: int, gamma: float) -> None:
    mdp = random_mdp(seed, gamma=gamma, terminal=seed)
    v_star = exact_optimum(mdp)
    tol = 1e-6
    result = value_iteration(mdp, tol=tol)
    assert isinstance(result, PlanResult) and result.converged
    error = (result.values - v_star).abs().max().item()
    assert error <= result.error_bound + 1e-12  # ||V - V*|| <= gamma delta / (1 - gamma)
    assert result.error_bound < tol / 2
    # the greedy policy is tol-optimal
    assert (v_star - v_pi(mdp, result.policy)).max().item() <= tol
    # Bellman residual ||T V - V|| <= gamma * (last change)
    assert bellman_residual(mdp, result.values) <= gamma * result.deltas[-1] + 1e-12
    assert result.sweeps == result.iterations == len(result.deltas)


@pytest.mark.parametrize("seed", range(4))
def test_policy_iteration_agrees_with_value_iteration_and_closed_form(seed: int) -> None:
    mdp = random_mdp(seed, S=15, A=4, gamma=0.95, terminal=1)
    pi = policy_iteration(mdp)
    vi = value_iteration(mdp, tol=1e-10)
    assert pi.converged
    torch.testing.assert_close(pi.values, v_pi(mdp, pi.policy))
    torch.testing.assert_close(pi.values, vi.values, rtol=0, atol=1e-9)
    assert torch.equal(pi.policy, vi.policy)  # random rewards: no ties
    assert pi.error_bound < 1e-10
    assert pi.deltas[0] > 0
    assert pi.sweeps == pi.iterations  # exact evaluation: one backup per improvement
    iterative = policy_iteration(mdp, evaluation="iterative")
    assert torch.equal(iterative.policy, pi.policy)
    torch.testing.assert_close(iterative.values, pi.values, rtol=0, atol=1e-8)
    assert iterative.sweeps > iterative.iterations


@pytest.mark.parametrize("kw", GRIDS)
@pytest.mark.parametrize("model", ["successors", "dense"])
def test_grids_successors_and_dense(kw: dict, model: str) -> None:
    mdp = GridWorld(**kw).to_mdp(0.9, device=CPU)
    if model == "dense":
        mdp = as_dense(mdp)
    pi = policy_iteration(mdp)
    vi = value_iteration(mdp, tol=1e-9)
    v_star = v_pi(mdp, pi.policy)
    assert (vi.values - v_star).abs().max() <= vi.error_bound + 1e-12
    assert (pi.values - v_star).abs().max() < 1e-10
    # the same choices wherever one action is clearly best (grids have ties)
    clear = unique_best(mdp, v_star)
    assert clear.any()
    assert torch.equal(pi.policy[clear], vi.policy[clear])
    assert (pi.values[mdp.terminal] == 0).all() and (vi.values[mdp.terminal] == 0).all()


def test_greedy_policy_breaks_ties_toward_the_lowest_action() -> None:
    mdp = GridWorld(height=3, width=3).to_mdp(0.9, device=CPU)  # down and right tie
    v = value_iteration(mdp).values
    policy = greedy_policy(mdp, v)
    assert policy[0].item() == 1  # down (1) before right (3)
    assert policy[8].item() == 0  # the terminal goal: action 0
    q = action_values(mdp, v)
    assert q.shape == (9, 4)
    torch.testing.assert_close(q.max(dim=1).values, v)
    # Q = R + gamma P V, with the dense P
    torch.testing.assert_close(q, mdp.R + 0.9 * mdp.P @ v, rtol=0, atol=1e-15)


# --- the induced MRP and policy evaluation ------------------------------------------------------


@pytest.mark.parametrize("case", ["random", "successors", "slippery grid"])
def test_induced_mrp_equals_the_dense_formula(case: str) -> None:
    if case == "random":
        mdp = random_mdp(4, terminal=2)
    elif case == "successors":
        mdp = random_successor_mdp(4)
    else:
        mdp = GridWorld(**GRIDS[1]).to_mdp(0.9, device=CPU)
    S, A = mdp.num_states, mdp.num_actions
    g = torch.Generator().manual_seed(1)
    actions = torch.randint(0, A, (S,), generator=g)
    stochastic = torch.softmax(torch.randn(S, A, generator=g, dtype=torch.float64), dim=1)
    one_hot = torch.nn.functional.one_hot(actions, A).double()
    live = ~mdp.terminal
    for policy, W in ((actions, one_hot), (stochastic, stochastic), (one_hot, one_hot)):
        mrp = mdp.induced_mrp(policy)
        assert isinstance(mrp, MRP)
        assert mrp.gamma == mdp.gamma and torch.equal(mrp.terminal, mdp.terminal)
        P_pi, R_pi = dense_induced(mdp, W)
        torch.testing.assert_close(mrp.P, P_pi, rtol=0, atol=1e-15)
        torch.testing.assert_close(mrp.R[live], R_pi[live], rtol=0, atol=1e-15)
        assert (mrp.R[~live] == 0).all() and (mrp.P[~live] == 0).all()
    # a deterministic policy keeps the chosen action's K successors; a stochastic one all A * K
    assert mdp.induced_mrp(actions).num_successors == mdp.num_successors
    assert mdp.induced_mrp(stochastic).num_successors == A * mdp.num_successors


def test_rows_of_terminal_states_are_ignored_in_a_policy() -> None:
    mdp = random_mdp(6, terminal=2)
    pi = torch.full((12, 3), 1 / 3, dtype=torch.float64)
    garbage = pi.clone()
    garbage[:2] = torch.tensor([5.0, -1.0, 0.0], dtype=torch.float64)
    torch.testing.assert_close(v_pi(mdp, garbage), v_pi(mdp, pi), rtol=0, atol=0)
    actions = torch.zeros(12, dtype=torch.long)
    actions[:2] = 99
    torch.testing.assert_close(v_pi(mdp, actions), v_pi(mdp, torch.zeros(12, dtype=torch.long)))


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("block_size", [1, 4, 1000])
def test_policy_evaluation_synchronous_and_in_place(inplace: bool, block_size: int) -> None:
    mdp = GridWorld(height=5, width=6, walls=[(1, 1), (2, 3)], slip=0.1).to_mdp(0.9, device=CPU)
    uniform = torch.full((30, 4), 0.25, dtype=torch.float64)
    greedy = policy_iteration(mdp).policy
    tol = 1e-7
    for policy in (uniform, greedy):
        mrp = mdp.induced_mrp(policy)
        exact = solve(mrp)
        result = evaluate_iterative(mrp, tol, inplace=inplace, block_size=block_size)
        assert isinstance(result, IterativeResult) and result.converged
        error = (result.values - exact).abs().max().item()
        assert error <= result.error_bound + 1e-12
        assert result.error_bound < tol
        assert result.sweeps == len(result.deltas)
        assert (result.values[mdp.terminal] == 0).all()


def test_in_place_sweeps_need_fewer_sweeps() -> None:
    mdp = GridWorld(height=5, width=5, slip=0.1).to_mdp(0.9, device=CPU)
    mrp = mdp.induced_mrp(torch.full((25, 4), 0.25, dtype=torch.float64))
    synchronous = evaluate_iterative(mrp)
    in_place = evaluate_iterative(mrp, inplace=True)
    assert in_place.sweeps < synchronous.sweeps
    # one block of all states is exactly a synchronous sweep
    whole = evaluate_iterative(mrp, inplace=True, block_size=25)
    assert whole.sweeps == synchronous.sweeps
    torch.testing.assert_close(whole.values, synchronous.values, rtol=0, atol=1e-13)
    # value iteration too
    vi, vi_in_place = value_iteration(mdp), value_iteration(mdp, inplace=True)
    assert vi_in_place.sweeps < vi.sweeps
    v_star = exact_optimum(mdp)
    assert (vi_in_place.values - v_star).abs().max() <= vi_in_place.error_bound + 1e-12


def test_deterministic_and_stochastic_policies_agree() -> None:
    mdp = random_mdp(5, gamma=0.8)
    actions = torch.randint(0, 3, (12,), generator=torch.Generator().manual_seed(0))
    one_hot = torch.nn.functional.one_hot(actions, 3).double()
    torch.testing.assert_close(v_pi(mdp, actions), v_pi(mdp, one_hot))
    torch.testing.assert_close(
        v_pi(mdp, actions),
        evaluate_iterative(mdp.induced_mrp(actions), tol=1e-12).values,
        rtol=0,
        atol=1e-10,
    )
    again = TabularMDP.from_successors(mdp.next_states, mdp.probs, mdp.R, 0.8)
    torch.testing.assert_close(v_pi(again, one_hot), v_pi(mdp, one_hot))


def test_warm_start_and_snapshots_of_evaluation() -> None:
    mdp = GridWorld(height=5, width=5, slip=0.1).to_mdp(0.9, device=CPU)
    mrp = mdp.induced_mrp(torch.full((25, 4), 0.25, dtype=torch.float64))
    exact = solve(mrp)
    cold = evaluate_iterative(mrp, snapshots=[0, 1, 2])
    assert sorted(cold.snapshots) == [0, 1, 2]
    assert cold.snapshots[0].abs().sum() == 0
    torch.testing.assert_close(cold.snapshots[1], mrp.R)  # v_1 = R + gamma P 0
    torch.testing.assert_close(cold.snapshots[2], mrp.R + 0.9 * mrp.P @ mrp.R)
    warm = evaluate_iterative(mrp, values=exact)
    assert warm.sweeps == 1 and warm.converged  # already the fixed point
    assert (warm.values - exact).abs().max() <= warm.error_bound + 1e-15


def test_snapshots_are_the_values_after_those_sweeps() -> None:
    mdp = GridWorld(height=5, width=5, slip=0.1).to_mdp(0.9, device=CPU)
    result = value_iteration(mdp, snapshots=[0, 1, 2, 3, 10])
    assert result.sweeps > 10
    assert sorted(result.snapshots) == [0, 1, 2, 3, 10]
    assert result.snapshots[0].abs().sum() == 0
    with pytest.warns(RuntimeWarning, match="stopping rule"):
        two = value_iteration(mdp, max_sweeps=2)
    assert not two.converged
    torch.testing.assert_close(two.values, result.snapshots[2])
    assert two.error_bound >= (two.values - result.values).abs().max().item()
    mrp = mdp.induced_mrp(result.policy)
    with pytest.warns(RuntimeWarning, match="evaluate_iterative stopped after 3 sweeps"):
        three = evaluate_iterative(mrp, max_sweeps=3)
    assert not three.converged and three.sweeps == 3
    assert three.error_bound >= (three.values - solve(mrp)).abs().max().item()


# --- gamma = 1 and terminal states --------------------------------------------------------------


def test_gamma_one_shortest_paths_are_exact() -> None:
    walls = [(1, c) for c in range(0, 5)] + [(3, c) for c in range(2, 7)]
    env = GridWorld(height=6, width=7, walls=walls, step_reward=-1, goal_reward=0)
    mdp = env.to_mdp(1.0, device=CPU)
    vi = value_iteration(mdp)
    pi = policy_iteration(mdp)
    assert vi.error_bound == 0.0 and vi.deltas[-1] == 0.0
    assert torch.equal(vi.values, pi.values)
    # V*(s) = -(fewest steps to the goal): breadth-first search by hand
    dist = {41: 0}
    frontier = [41]
    wall_states = {r * 7 + c for r, c in walls}
    while frontier:
        nxt = []
        for s in frontier:
            r, c = divmod(s, 7)
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if 0 <= r + dr < 6 and 0 <= c + dc < 7:
                    t = (r + dr) * 7 + c + dc
                    if t not in wall_states and t not in dist:
                        dist[t] = dist[s] + 1
                        nxt.append(t)
        frontier = nxt
    expected = torch.tensor([-float(dist.get(s, 0)) for s in range(42)], dtype=torch.float64)
    assert torch.equal(vi.values, expected)
    # the optimal policy's MRP: evaluated exactly and by sweeps
    mrp = mdp.induced_mrp(pi.policy)
    assert torch.equal(solve(mrp), expected)
    sweeps = evaluate_iterative(mrp)
    assert torch.equal(sweeps.values, expected) and sweeps.error_bound == 0.0


def test_gamma_one_stochastic_episodic() -> None:
    kw = {"height": 4, "width": 5, "slip": 0.2, "step_reward": -1.0, "goal_reward": 0.0}
    mdp = GridWorld(**kw).to_mdp(1.0, device=CPU)
    pi = policy_iteration(mdp)
    vi = value_iteration(mdp, tol=1e-12)
    torch.testing.assert_close(vi.values, pi.values, rtol=0, atol=1e-9)
    assert math.isinf(vi.error_bound)  # no contraction bound for gamma = 1
    iterative = policy_iteration(mdp, evaluation="iterative")
    torch.testing.assert_close(iterative.values, pi.values, rtol=0, atol=1e-8)
    dense = policy_iteration(as_dense(mdp))
    torch.testing.assert_close(dense.values, pi.values, rtol=0, atol=1e-12)
    uniform = mdp.induced_mrp(torch.full((20, 4), 0.25, dtype=torch.float64))
    sweeps = evaluate_iterative(uniform, tol=1e-10)
    assert math.isinf(sweeps.error_bound)
    torch.testing.assert_close(sweeps.values, solve(uniform), rtol=0, atol=1e-6)


def test_gamma_one_requires_every_state_to_reach_a_terminal_state() -> None:
    P = torch.zeros(3, 2, 3, dtype=torch.float64)
    P[0, :, 1] = 1.0  # 0 -> 1, terminal
    P[2, :, 2] = 1.0  # 2 loops forever
    mdp = TabularMDP(P, -torch.ones(3, 2, dtype=torch.float64), 1.0, torch.tensor([0, 1, 0]))
    again = TabularMDP.from_successors(mdp.next_states, mdp.probs, mdp.R, 1.0, mdp.terminal)
    for model in (mdp, again):
        assert reaches_terminal(model).tolist() == [True, True, False]
        for plan in (value_iteration, policy_iteration):
            with pytest.raises(
                ValueError,
                match=r"gamma = 1 but states \[2\] never reach a terminal state under any "
                r"policy \(1 in all\)",
            ):
                plan(model)
        mrp = model.induced_mrp(torch.zeros(3, dtype=torch.long))
        assert never_terminating(mrp) == [2]
        with pytest.raises(ValueError, match=r"states \[2\] never reach a terminal state \(1 in"):
            solve(mrp)


def test_gamma_one_improper_policy_is_refused() -> None:
    mdp = GridWorld(height=3, width=3, step_reward=-1, goal_reward=0).to_mdp(1.0, device=CPU)
    up = torch.zeros(9, dtype=torch.long)  # always up: no state ever reaches the goal
    mrp = mdp.induced_mrp(up)
    assert reaches_terminal(mrp).tolist() == [False] * 8 + [True]
    assert reaches_terminal(mdp).all()  # ... though some policy does
    assert never_terminating(mrp) == list(range(8))
    message = r"gamma = 1 but states \[0, 1, 2, 3, 4, 5, 6, 7\] never reach a terminal state \("
    for evaluate in (solve, evaluate_iterative):
        with pytest.raises(ValueError, match=message):
            evaluate(mrp)
    with pytest.raises(ValueError, match="never reach a terminal state"):
        evaluate_monte_carlo(mrp, episodes=2, seed=0)
    # a long list of states is cut after ten
    big = GridWorld(height=5, width=5).to_mdp(1.0, device=CPU)
    with pytest.raises(
        ValueError, match=r"states \[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, \.\.\.\] .*24 in"
    ):
        solve(big.induced_mrp(torch.zeros(25, dtype=torch.long)))


def test_reaches_terminal_of_a_stochastic_policy() -> None:
    mdp = GridWorld(height=3, width=3).to_mdp(1.0, device=CPU)
    W = torch.zeros(9, 4, dtype=torch.float64)
    W[:, 0] = 1.0  # up everywhere...
    W[6, :] = torch.tensor([0.5, 0.0, 0.0, 0.5], dtype=torch.float64)  # ...except 6: up or right
    W[7, :] = torch.tensor([0.5, 0.0, 0.0, 0.5], dtype=torch.float64)
    assert reaches_terminal(mdp.induced_mrp(W)).tolist() == [False] * 6 + [True] * 3


# --- bad input ----------------------------------------------------------------------------------


def test_bad_arguments_raise_clear_errors() -> None:
    mdp = random_mdp(0)
    with pytest.raises(ValueError, match=r"mdp must be a dlcourse\.mdp\.TabularMDP, got str"):
        value_iteration("not an mdp")
    with pytest.raises(
        ValueError, match=r"expected a dlcourse\.mdp\.MRP, got TabularMDP .*induced"
    ):
        evaluate_iterative(mdp)
    with pytest.raises(ValueError, match="tol must be a positive number"):
        value_iteration(mdp, tol=0)
    with pytest.raises(ValueError, match="tol must be a positive number"):
        evaluate_iterative(mdp.induced_mrp(torch.zeros(12, dtype=torch.long)), tol=-1.0)
    with pytest.raises(ValueError, match="max_sweeps must be a non-negative int"):
        value_iteration(mdp, max_sweeps=-1)
    with pytest.raises(ValueError, match="max_sweeps must be >= 1"):
        value_iteration(mdp, max_sweeps=0)
    with pytest.raises(ValueError, match="block_size must be >= 1"):
        value_iteration(mdp, inplace=True, block_size=0)
    with pytest.raises(ValueError, match=r"policy\[0\] = 7 is not an action \(actions are 0..2\)"):
        mdp.induced_mrp(torch.full((12,), 7))
    with pytest.raises(ValueError, match=r"policy row 0 sums to 1.5; pi\(.\|s\) must sum to 1"):
        mdp.induced_mrp(torch.full((12, 3), 0.5, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"policy\[0, 1\] = -0.5 is not a probability"):
        mdp.induced_mrp(torch.tensor([[1.5, -0.5, 0.0]] * 12, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"policy must be actions \[S\]"):
        mdp.induced_mrp(torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"policy must be actions \[S\]"):
        mdp.induced_mrp(torch.zeros(12))  # float actions
    with pytest.raises(ValueError, match=r"values must have shape \(12,\)"):
        value_iteration(mdp, values=torch.zeros(3))
    with pytest.raises(ValueError, match="values must be finite"):
        greedy_policy(mdp, torch.full((12,), math.inf))
    with pytest.raises(ValueError, match="evaluation must be 'exact' or 'iterative'"):
        policy_iteration(mdp, evaluation="magic")
    with pytest.raises(ValueError, match="starts from a deterministic policy"):
        policy_iteration(mdp, policy=torch.full((12, 3), 1 / 3, dtype=torch.float64))
    big = GridWorld(height=100, width=100).to_mdp(0.9, device=CPU)
    with pytest.raises(
        ValueError, match=r"S = 10000 > max_dense_states = 8192.*evaluate_iterative"
    ):
        solve(big.induced_mrp(torch.zeros(10_000, dtype=torch.long)))


# --- scale and devices --------------------------------------------------------------------------


def test_value_iteration_on_a_large_grid_exactly() -> None:
    n = 150  # 22,500 states; the page and the benchmark solve 10^6
    env = GridWorld(height=n, width=n, step_reward=-1, goal_reward=0, goal=(0, 0), start=n * n - 1)
    mdp = env.to_mdp(1.0, dtype=torch.float32, device=CPU)
    result = value_iteration(mdp)
    row, col = torch.arange(n * n).div(n, rounding_mode="floor"), torch.arange(n * n) % n
    assert torch.equal(result.values, -(row + col).float())
    assert result.sweeps == 2 * (n - 1) + 1  # the last sweep changes nothing


def test_one_sweep_block_larger_than_the_cpu_block_warns_nothing(monkeypatch) -> None:
    """On a GPU a sweep is one block of all states; value iteration must not resize buffers.

    Simulated on the CPU: one block per sweep, with a CPU block smaller than the grid.
    """
    import dlcourse.mdp.backup as backup

    monkeypatch.setattr(backup, "CPU_BLOCK", 8)
    monkeypatch.setattr(
        backup, "_blocks", lambda model, rows: [slice(rows.start, min(rows.stop, model.num_states))]
    )
    mdp = GridWorld(height=5, width=5, slip=0.1).to_mdp(0.9, device=CPU)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "An output with one or more elements was resized"
        result = value_iteration(mdp)
    monkeypatch.undo()
    torch.testing.assert_close(result.values, value_iteration(mdp).values, rtol=0, atol=0)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_mdp_solvers_run_unchanged_on_cuda() -> None:
    env = GridWorld(height=5, width=6, walls=[(1, 1), (2, 3)], slip=0.1)
    cpu, gpu = env.to_mdp(0.9, device=CPU), env.to_mdp(0.9, device="cuda")
    for plan in (value_iteration, policy_iteration):
        a, b = plan(cpu), plan(gpu)
        assert b.values.device.type == "cuda"
        torch.testing.assert_close(a.values, b.values.cpu(), rtol=0, atol=1e-9)
    dense = as_dense(cpu).to("cuda")
    torch.testing.assert_close(value_iteration(dense).values.cpu(), value_iteration(cpu).values)
    uniform = torch.full((30, 4), 0.25, dtype=torch.float64)
    torch.testing.assert_close(
        evaluate_iterative(gpu.induced_mrp(uniform.cuda())).values.cpu(),
        solve(cpu.induced_mrp(uniform)),
        rtol=0,
        atol=1e-7,
    )
    big = GridWorld(height=300, width=300).to_mdp(0.9, device="cuda")  # > backup.CPU_BLOCK
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = value_iteration(big)
    assert result.converged


# --- Monte Carlo on successor lists -------------------------------------------------------------


def test_monte_carlo_never_samples_a_probability_zero_slot() -> None:
    """An unused slot (probability 0) must not be sampled, even when the row sums to 1 - 5e-6.

    State 0 moves to terminal state 1 or 2; its unused third slot points to state 3, which
    earns 1000. Rows may sum to 1 within PROB_ATOL = 1e-5, so the remaining 5e-6 must go to a
    real successor, not to the unused slot.
    """
    nxt = torch.tensor([[[1, 2, 3]], [[1, 1, 1]], [[2, 2, 2]], [[1, 1, 1]]])
    probs = torch.tensor(
        [[[0.499995, 0.5, 0.0]], [[1.0, 0.0, 0.0]], [[1.0, 0.0, 0.0]], [[1.0, 0.0, 0.0]]],
        dtype=torch.float64,
    )
    R = torch.tensor([[0.0], [0.0], [0.0], [1000.0]], dtype=torch.float64)
    mdp = TabularMDP.from_successors(nxt, probs, R, 1.0, torch.tensor([False, True, True, False]))
    mrp = mdp.induced_mrp(torch.zeros(4, dtype=torch.long))
    assert solve(mrp)[0] == 0.0
    result = evaluate_monte_carlo(mrp, episodes=400_000, seed=0, max_steps=3)
    assert (result.returns[0] == 0).all()  # no episode from 0 ever visits state 3


# --- pymdptoolbox ------------------------------------------------------------------------------


def to_mdptoolbox_dense(mdp: TabularMDP) -> tuple[np.ndarray, np.ndarray]:
    """P [A, S, S] with terminal states absorbing (pymdptoolbox needs stochastic rows), R [S, A]."""
    P = mdp.P.permute(1, 0, 2).cpu().numpy().copy()
    terminal = np.flatnonzero(mdp.terminal.cpu().numpy())
    P[:, terminal, terminal] = 1.0
    return P, mdp.R.cpu().numpy().copy()


PEER_CASES = [("random", seed) for seed in range(3)] + [("grid", i) for i in range(len(GRIDS))]


def peer_case(kind: str, index: int) -> TabularMDP:
    """The MDPs compared with pymdptoolbox: random dense ones and GridWorlds, gamma 0.9."""
    if kind == "random":
        return random_mdp(index, S=20, A=4, gamma=0.9, terminal=index)
    return GridWorld(**GRIDS[index]).to_mdp(0.9, device=CPU)


@pytest.mark.parametrize(("kind", "index"), PEER_CASES)
def test_policy_iteration_matches_pymdptoolbox(kind: str, index: int) -> None:
    mdptoolbox = pytest.importorskip("mdptoolbox.mdp")
    mdp = peer_case(kind, index)
    P, R = to_mdptoolbox_dense(mdp)
    theirs = mdptoolbox.PolicyIteration(P, R, 0.9)
    theirs.run()
    ours = policy_iteration(mdp)
    v_theirs = torch.tensor(theirs.V, dtype=torch.float64)
    torch.testing.assert_close(ours.values, v_theirs, rtol=0, atol=1e-9)
    policy_theirs = torch.tensor(theirs.policy)
    if kind == "random":  # no ties: the very same policy
        assert torch.equal(ours.policy, policy_theirs)
    else:  # grids have ties: the same action wherever one is clearly best, both optimal
        clear = unique_best(mdp, ours.values)
        assert torch.equal(ours.policy[clear], policy_theirs[clear])
        torch.testing.assert_close(v_pi(mdp, policy_theirs), ours.values, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("kind", "index"), PEER_CASES)
def test_pymdptoolbox_value_iteration_finds_an_optimal_policy_not_v_star(
    kind: str, index: int
) -> None:
    mdptoolbox = pytest.importorskip("mdptoolbox.mdp")
    mdp = peer_case(kind, index)
    P, R = to_mdptoolbox_dense(mdp)
    theirs = mdptoolbox.ValueIteration(P, R, 0.9, epsilon=0.01)
    theirs.run()
    v_star = policy_iteration(mdp).values

    # its policy is epsilon-optimal...
    assert (v_star - v_pi(mdp, torch.tensor(theirs.policy))).max().item() <= 0.01
    # ...but its V need not be close to V*: it stops when the *span* (max - min) of a sweep's
    # changes is small, which bounds the span of V - V* (MacQueen), not its size
    diff = torch.tensor(theirs.V, dtype=torch.float64) - v_star
    assert (diff.max() - diff.min()).item() <= 0.01
    if not mdp.terminal.any():  # every value still rising by about the same amount
        assert diff.abs().max().item() > 1.0
    # ours, with the same epsilon, is within tol / 2 of V*
    ours = value_iteration(mdp, tol=0.01)
    our_error = (ours.values - v_star).abs().max().item()
    assert our_error <= ours.error_bound + 1e-12
    assert ours.error_bound <= 0.005


@pytest.mark.parametrize("slip", [0.0, 0.1])
def test_sparse_peer_input_through_the_benchmark_helpers(slip: float) -> None:
    mdptoolbox = pytest.importorskip("mdptoolbox.mdp")
    from courseware.bench.dp import mdptoolbox_arrays, mdptoolbox_without_input_check

    mdp = GridWorld(height=6, width=6, walls=[(2, 2)], slip=slip).to_mdp(0.9, device=CPU)
    P, R = mdptoolbox_arrays(mdp)
    dense_P, dense_R = to_mdptoolbox_dense(mdp)
    assert np.allclose(np.stack([p.toarray() for p in P]), dense_P, rtol=0, atol=1e-15)
    assert np.array_equal(R, dense_R)
    P_array, _ = mdptoolbox_arrays(mdp, sparse=False)
    assert np.allclose(P_array, dense_P, rtol=0, atol=1e-15)
    with mdptoolbox_without_input_check():
        theirs = mdptoolbox.PolicyIteration(P, R, 0.9)
    theirs.run()
    ours = policy_iteration(mdp)
    torch.testing.assert_close(
        ours.values, torch.tensor(theirs.V, dtype=torch.float64), rtol=0, atol=1e-9
    )
