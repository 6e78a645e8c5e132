"""Dynamic programming for MDPs (dlcourse.dp): evaluation, value and policy iteration.

Checked against each other, against the exact linear solve, against the error bound of the
stopping rule, and against pymdptoolbox, on random dense MDPs and on grid worlds, dense
(TabularMDP) and sparse (SparseMDP).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlcourse.dp import (
    DPResult,
    SparseMDP,
    bellman_backup,
    bellman_residual,
    evaluate_policy_exact,
    greedy_policy,
    grid_mdp,
    policy_evaluation,
    policy_iteration,
    reaches_terminal,
    value_iteration,
)
from dlcourse.gridworld import GridWorld
from dlcourse.mdp import TabularMDP

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


def exact_optimum(mdp) -> torch.Tensor:
    """V* from policy iteration with exact evaluation, re-solved for its policy."""
    return evaluate_policy_exact(mdp, policy_iteration(mdp).policy)


def unique_best(mdp, V: torch.Tensor, margin: float = 1e-6) -> torch.Tensor:
    """States whose best action beats the second best by more than ``margin``."""
    top2 = bellman_backup(mdp, V).topk(2, dim=1).values
    return (top2[:, 0] - top2[:, 1] > margin) & ~mdp.terminal


GRIDS = [
    {"height": 4, "width": 4},
    {"height": 5, "width": 6, "walls": [(1, 1), (2, 3), (3, 1)], "slip": 0.1},
    {"height": 3, "width": 7, "goal": (0, 6), "slip": 0.3, "step_reward": -0.04},
    {"height": 6, "width": 5, "walls": [7, 12, 17], "step_reward": -1.0, "goal_reward": 5.0},
]


# --- the sparse model ---------------------------------------------------------------------------


@pytest.mark.parametrize("kw", GRIDS)
def test_grid_mdp_equals_gridworld_to_mdp(kw: dict) -> None:
    dense = GridWorld(**kw).to_mdp(0.9, device=CPU)
    sparse = grid_mdp(gamma=0.9, device=CPU, **kw)
    assert sparse.num_successors == (4 if kw.get("slip") else 1)
    table = sparse.to_tabular()
    torch.testing.assert_close(table.P, dense.P, rtol=0, atol=1e-12)
    torch.testing.assert_close(table.R, dense.R, rtol=0, atol=1e-12)
    assert torch.equal(table.terminal, dense.terminal)


def test_grid_mdp_accepts_a_wall_mask_and_takes_linear_memory() -> None:
    mask = torch.zeros(50, 40, dtype=torch.bool)
    mask[10, 5:35] = True
    cells = [(10, c) for c in range(5, 35)]
    a = grid_mdp(50, 40, gamma=0.9, walls=mask, device=CPU)
    b = grid_mdp(50, 40, gamma=0.9, walls=cells, device=CPU)
    assert torch.equal(a.next_states, b.next_states)
    assert a.nbytes() == 2000 * 4 * (8 + 8) + 2000 * 4 * 8  # indices, probs, R: O(S * A)


def test_from_tabular_round_trip_and_results_agree() -> None:
    dense = random_mdp(3, terminal=2)
    sparse = SparseMDP.from_tabular(dense)
    torch.testing.assert_close(sparse.to_tabular().P, dense.P)
    for run in (value_iteration, policy_iteration):
        a, b = run(dense), run(sparse)
        torch.testing.assert_close(a.values, b.values, rtol=0, atol=1e-9)
        assert torch.equal(a.policy, b.policy)


def test_sparse_model_stores_terminal_states_as_zeros() -> None:
    nxt = torch.tensor([[[1], [0]], [[1], [1]]])
    R = torch.tensor([[1.0, -2.0], [5.0, 5.0]], dtype=torch.float64)
    m = SparseMDP(nxt, None, R, 1.0, torch.tensor([False, True]))
    assert m.R[1].tolist() == [0.0, 0.0]
    assert m.probs[1].sum() == 0
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
        ((torch.tensor([[[2]], [[0]]]), None, torch.zeros(2, 1), 0.9), "is not a state"),
        ((torch.zeros(2, 1, 1, dtype=torch.long), None, torch.zeros(2, 2), 0.9), "R must be"),
        (
            (torch.zeros(2, 1, 2, dtype=torch.long), None, torch.zeros(2, 1), 0.9),
            "only for deterministic",
        ),
        (
            (
                torch.zeros(2, 1, 2, dtype=torch.long),
                torch.full((2, 1, 2), 0.3),
                torch.zeros(2, 1),
                0.9,
            ),
            "must sum to 1",
        ),
        (
            (
                torch.zeros(2, 1, 2, dtype=torch.long),
                torch.tensor([[[1.5, -0.5]], [[1.0, 0.0]]]),
                torch.zeros(2, 1),
                0.9,
            ),
            "negative",
        ),
        (
            (torch.zeros(2, 1, 1, dtype=torch.long), None, torch.tensor([[math.nan], [0.0]]), 0.9),
            "non-finite",
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
def test_invalid_sparse_mdp_raises(args, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SparseMDP(*args)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"height": 0, "width": 3}, "height must be an int >= 1"),
        ({"height": 1, "width": 1}, "at least two cells"),
        ({"height": 3, "width": 3, "goal": (3, 0)}, "outside the 3x3 grid"),
        ({"height": 3, "width": 3, "walls": [8]}, "is on a wall"),
        ({"height": 3, "width": 3, "slip": 1.5}, "slip must be a probability"),
        ({"height": 3, "width": 3, "walls": torch.zeros(2, 2, dtype=torch.bool)}, "wall mask"),
    ],
)
def test_invalid_grid_raises(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        grid_mdp(gamma=0.9, device=CPU, **kw)


# --- agreement and the stopping rule ----------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_value_iteration_meets_its_stated_bound(seed: int, gamma: float) -> None:
    mdp = random_mdp(seed, gamma=gamma, terminal=seed)
    v_star = exact_optimum(mdp)
    tol = 1e-6
    result = value_iteration(mdp, tol=tol)
    assert isinstance(result, DPResult) and result.converged
    error = (result.values - v_star).abs().max().item()
    assert error <= result.error_bound + 1e-12  # ||V - V*|| <= gamma delta / (1 - gamma)
    assert result.error_bound < tol / 2
    # the greedy policy is tol-optimal
    v_pi = evaluate_policy_exact(mdp, result.policy)
    assert (v_star - v_pi).max().item() <= tol
    # Bellman residual ||T V - V|| <= gamma * (last change)
    assert bellman_residual(mdp, result.values) <= gamma * result.deltas[-1] + 1e-12
    assert result.sweeps == result.iterations == len(result.deltas)


@pytest.mark.parametrize("seed", range(4))
def test_policy_iteration_agrees_with_value_iteration_and_closed_form(seed: int) -> None:
    mdp = random_mdp(seed, S=15, A=4, gamma=0.95, terminal=1)
    pi = policy_iteration(mdp)
    vi = value_iteration(mdp, tol=1e-10)
    assert pi.converged
    torch.testing.assert_close(pi.values, evaluate_policy_exact(mdp, pi.policy))
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
@pytest.mark.parametrize("model", ["dense", "sparse"])
def test_grids_dense_and_sparse(kw: dict, model: str) -> None:
    mdp = GridWorld(**kw).to_mdp(0.9, device=CPU)
    if model == "sparse":
        mdp = grid_mdp(gamma=0.9, device=CPU, **kw)
    pi = policy_iteration(mdp)
    vi = value_iteration(mdp, tol=1e-9)
    v_star = evaluate_policy_exact(mdp, pi.policy)
    assert (vi.values - v_star).abs().max() <= vi.error_bound + 1e-12
    assert (pi.values - v_star).abs().max() < 1e-10
    # the same choices wherever one action is clearly best (grids have ties)
    clear = unique_best(mdp, v_star)
    assert clear.any()
    assert torch.equal(pi.policy[clear], vi.policy[clear])
    assert (pi.values[mdp.terminal] == 0).all() and (vi.values[mdp.terminal] == 0).all()


def test_greedy_policy_breaks_ties_toward_the_lowest_action() -> None:
    mdp = grid_mdp(3, 3, gamma=0.9, device=CPU)  # goal bottom-right: down and right tie
    v = value_iteration(mdp).values
    policy = greedy_policy(mdp, v)
    assert policy[0].item() == 1  # down (1) before right (3)
    assert policy[8].item() == 0  # the terminal goal: action 0
    q = bellman_backup(mdp, v)
    assert q.shape == (9, 4)
    torch.testing.assert_close(q.max(dim=1).values, v)


# --- policy evaluation --------------------------------------------------------------------------


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("block_size", [1, 4, 1000])
def test_policy_evaluation_synchronous_and_in_place(inplace: bool, block_size: int) -> None:
    mdp = GridWorld(height=5, width=6, walls=[(1, 1), (2, 3)], slip=0.1).to_mdp(0.9, device=CPU)
    uniform = torch.full((30, 4), 0.25, dtype=torch.float64)
    exact = evaluate_policy_exact(mdp, uniform)
    tol = 1e-7
    result = policy_evaluation(mdp, uniform, tol=tol, inplace=inplace, block_size=block_size)
    error = (result.values - exact).abs().max().item()
    assert error <= result.error_bound + 1e-12
    assert result.error_bound < tol
    torch.testing.assert_close(result.policy, greedy_policy(mdp, result.values))


def test_in_place_sweeps_need_fewer_sweeps() -> None:
    mdp = GridWorld(height=5, width=5, slip=0.1).to_mdp(0.9, device=CPU)
    uniform = torch.full((25, 4), 0.25, dtype=torch.float64)
    synchronous = policy_evaluation(mdp, uniform)
    in_place = policy_evaluation(mdp, uniform, inplace=True)
    assert in_place.sweeps < synchronous.sweeps
    # one block of all states is exactly a synchronous sweep
    whole = policy_evaluation(mdp, uniform, inplace=True, block_size=25)
    assert whole.sweeps == synchronous.sweeps
    torch.testing.assert_close(whole.values, synchronous.values, rtol=0, atol=1e-13)


def test_deterministic_and_stochastic_policies_agree() -> None:
    mdp = random_mdp(5, gamma=0.8)
    actions = torch.randint(0, 3, (12,), generator=torch.Generator().manual_seed(0))
    one_hot = torch.nn.functional.one_hot(actions, 3).double()
    torch.testing.assert_close(
        evaluate_policy_exact(mdp, actions), evaluate_policy_exact(mdp, one_hot)
    )
    torch.testing.assert_close(
        evaluate_policy_exact(mdp, actions),
        policy_evaluation(mdp, actions, tol=1e-12).values,
        rtol=0,
        atol=1e-10,
    )
    sparse = SparseMDP.from_tabular(mdp)
    torch.testing.assert_close(
        evaluate_policy_exact(sparse, one_hot), evaluate_policy_exact(mdp, one_hot)
    )


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


# --- gamma = 1 and terminal states --------------------------------------------------------------


def test_gamma_one_shortest_paths_are_exact() -> None:
    walls = [(1, c) for c in range(0, 5)] + [(3, c) for c in range(2, 7)]
    mdp = grid_mdp(6, 7, gamma=1.0, walls=walls, step_reward=-1, goal_reward=0, device=CPU)
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


def test_gamma_one_stochastic_episodic() -> None:
    kw = {"height": 4, "width": 5, "slip": 0.2, "step_reward": -1.0, "goal_reward": 0.0}
    mdp = GridWorld(**kw).to_mdp(1.0, device=CPU)
    pi = policy_iteration(mdp)
    vi = value_iteration(mdp, tol=1e-12)
    torch.testing.assert_close(vi.values, pi.values, rtol=0, atol=1e-9)
    assert math.isinf(vi.error_bound)  # no contraction bound for gamma = 1
    sparse = policy_iteration(grid_mdp(gamma=1.0, device=CPU, **kw), evaluation="iterative")
    torch.testing.assert_close(sparse.values, pi.values, rtol=0, atol=1e-8)


def test_gamma_one_requires_every_state_to_reach_a_terminal_state() -> None:
    P = torch.zeros(3, 2, 3, dtype=torch.float64)
    P[0, :, 1] = 1.0  # 0 -> 1, terminal
    P[2, :, 2] = 1.0  # 2 loops forever
    mdp = TabularMDP(P, -torch.ones(3, 2, dtype=torch.float64), 1.0, torch.tensor([0, 1, 0]))
    assert reaches_terminal(mdp).tolist() == [True, True, False]
    for solve in (value_iteration, policy_iteration):
        with pytest.raises(ValueError, match=r"1 state\(s\), e.g. \[2\], cannot reach"):
            solve(mdp)
    sparse = SparseMDP.from_tabular(mdp)
    assert reaches_terminal(sparse).tolist() == [True, True, False]


def test_gamma_one_improper_policy_is_refused() -> None:
    mdp = grid_mdp(3, 3, gamma=1.0, step_reward=-1, goal_reward=0, device=CPU)
    up = torch.zeros(9, dtype=torch.long)  # always up: the top row never reaches the goal
    assert not reaches_terminal(mdp, up).all()
    for evaluate in (evaluate_policy_exact, policy_evaluation):
        with pytest.raises(ValueError, match="under this policy"):
            evaluate(mdp, up)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_arguments_raise_clear_errors() -> None:
    mdp = random_mdp(0)
    with pytest.raises(ValueError, match="mdp must be a TabularMDP or a SparseMDP"):
        value_iteration("not an mdp")
    with pytest.raises(ValueError, match="tol must be a positive number"):
        value_iteration(mdp, tol=0)
    with pytest.raises(ValueError, match="max_sweeps must be a non-negative int"):
        value_iteration(mdp, max_sweeps=-1)
    with pytest.raises(ValueError, match=r"policy\[0\] = 7 is not an action"):
        policy_evaluation(mdp, torch.full((12,), 7))
    with pytest.raises(ValueError, match="policy row 0 is not a probability distribution"):
        policy_evaluation(mdp, torch.full((12, 3), 0.5, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"policy must be actions \[S\]"):
        policy_evaluation(mdp, torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"values must have shape \(12,\)"):
        value_iteration(mdp, values=torch.zeros(3))
    with pytest.raises(ValueError, match="evaluation must be 'exact' or 'iterative'"):
        policy_iteration(mdp, evaluation="magic")
    with pytest.raises(ValueError, match="starts from a deterministic policy"):
        policy_iteration(mdp, policy=torch.full((12, 3), 1 / 3, dtype=torch.float64))
    big = grid_mdp(100, 100, gamma=0.9, device=CPU)
    with pytest.raises(ValueError, match="Use policy_evaluation"):
        evaluate_policy_exact(big, torch.zeros(10_000, dtype=torch.long))


# --- scale and devices --------------------------------------------------------------------------


def test_value_iteration_on_a_sparse_grid_exactly() -> None:
    n = 150  # 22,500 states; the page and the benchmark solve 10^6
    mdp = grid_mdp(
        n, n, gamma=1.0, step_reward=-1, goal_reward=0, goal=(0, 0), dtype=torch.float32, device=CPU
    )
    result = value_iteration(mdp)
    row, col = torch.arange(n * n).div(n, rounding_mode="floor"), torch.arange(n * n) % n
    assert torch.equal(result.values, -(row + col).float())
    assert result.sweeps == 2 * (n - 1) + 1  # the last sweep changes nothing


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_mdp_solvers_run_unchanged_on_cuda() -> None:
    kw = {"height": 5, "width": 6, "walls": [(1, 1), (2, 3)], "slip": 0.1}
    cpu = grid_mdp(gamma=0.9, device=CPU, **kw)
    gpu = grid_mdp(gamma=0.9, device="cuda", **kw)
    for solve in (value_iteration, policy_iteration):
        a, b = solve(cpu), solve(gpu)
        assert b.values.device.type == "cuda"
        torch.testing.assert_close(a.values, b.values.cpu(), rtol=0, atol=1e-9)
    dense = GridWorld(**kw).to_mdp(0.9, device="cuda")
    torch.testing.assert_close(value_iteration(dense).values.cpu(), value_iteration(cpu).values)


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
        v_their_policy = evaluate_policy_exact(mdp, policy_theirs)
        torch.testing.assert_close(v_their_policy, ours.values, rtol=0, atol=1e-9)


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
    v_their_policy = evaluate_policy_exact(mdp, torch.tensor(theirs.policy))
    assert (v_star - v_their_policy).max().item() <= 0.01
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


def test_sparse_peer_input_through_the_benchmark_helpers() -> None:
    mdptoolbox = pytest.importorskip("mdptoolbox.mdp")
    from courseware.bench.dp import mdptoolbox_arrays, mdptoolbox_without_input_check

    mdp = grid_mdp(6, 6, gamma=0.9, walls=[(2, 2)], slip=0.1, device=CPU)
    P, R = mdptoolbox_arrays(mdp)
    dense_P, _ = to_mdptoolbox_dense(mdp.to_tabular())
    assert np.allclose(np.stack([p.toarray() for p in P]), dense_P)
    with mdptoolbox_without_input_check():
        theirs = mdptoolbox.PolicyIteration(P, R, 0.9)
    theirs.run()
    ours = policy_iteration(mdp)
    torch.testing.assert_close(
        ours.values, torch.tensor(theirs.V, dtype=torch.float64), rtol=0, atol=1e-9
    )
