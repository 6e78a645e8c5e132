"""MRP values three ways: exact on hand-derived cases, in agreement on random MRPs, clear errors."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.gridworld import GridWorld
from dlcourse.mdp import (
    MRP,
    STUDENT_DAY_STATES,
    bellman_expectation,
    evaluate_iterative,
    evaluate_monte_carlo,
    never_terminating,
    solve,
    student_day,
)

F64 = torch.float64


def mrp(P, R, gamma, terminal=None) -> MRP:
    return MRP(torch.tensor(P, dtype=F64), torch.tensor(R, dtype=F64), gamma, terminal)


def random_mrp(seed: int, gamma: float) -> MRP:
    """A random MRP with 2 to 8 states, sparse rows and 1 or 2 terminal states.

    For gamma = 1 every state gets a small probability of moving to a terminal state, so every
    state reaches one (the MRP is solvable).
    """
    g = torch.Generator().manual_seed(seed)
    S = int(torch.randint(2, 9, (1,), generator=g))
    weights = torch.rand(S, S, generator=g, dtype=F64) * (torch.rand(S, S, generator=g) < 0.6)
    terminal = torch.zeros(S, dtype=torch.bool)
    terminal[torch.randperm(S, generator=g)[: 1 + int(S > 4)]] = True
    first_terminal = int(terminal.nonzero()[0])
    if gamma == 1.0:
        weights[:, first_terminal] += 0.05
    weights[weights.sum(dim=1) == 0, first_terminal] = 1.0  # no empty rows
    P = weights / weights.sum(dim=1, keepdim=True)
    R = torch.randn(S, generator=g, dtype=F64) * 3
    return MRP(P, R, gamma, terminal)


# ------------------------------------------------------------------------ hand-derived values
def test_two_states_and_a_terminal_by_hand():
    # A -> B (R=1); B -> A or T with 1/2 each (R=2); gamma = 1/2:
    # v(A) = 1 + v(B)/2, v(B) = 2 + v(A)/4  =>  v(B) = 18/7, v(A) = 16/7
    m = mrp([[0, 1, 0], [0.5, 0, 0.5], [0, 0, 1]], [1, 2, 5], 0.5, [False, False, True])
    expected = torch.tensor([16 / 7, 18 / 7, 0.0], dtype=F64)
    torch.testing.assert_close(solve(m), expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(evaluate_iterative(m, 1e-10).values, expected, rtol=0, atol=1e-10)


def test_undiscounted_chain_by_hand():
    # A -> B -> T with rewards 1 and 2 and gamma = 1: v = (3, 2, 0)
    m = mrp([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [1, 2, 0], 1.0, [False, False, True])
    expected = torch.tensor([3.0, 2.0, 0.0], dtype=F64)
    torch.testing.assert_close(solve(m), expected, rtol=0, atol=1e-12)
    result = evaluate_iterative(m, 1e-10)
    torch.testing.assert_close(result.values, expected, rtol=0, atol=1e-12)
    # gamma = 1 has no contraction bound, but the last sweep changed nothing: a fixed point
    assert result.deltas[-1] == 0.0 and result.error_bound == 0.0


def test_self_loop_is_a_geometric_series():
    # v = R + gamma v  =>  v = R / (1 - gamma)
    m = mrp([[1.0]], [2.0], 0.75)
    assert solve(m).item() == pytest.approx(8.0, abs=1e-12)


def test_gamma_zero_gives_the_immediate_reward():
    m = student_day(0.0)
    torch.testing.assert_close(solve(m), m.R, rtol=0, atol=0)
    result = evaluate_iterative(m)
    torch.testing.assert_close(result.values, m.R, rtol=0, atol=0)
    assert result.sweeps == 1 and result.error_bound == 0.0


def test_expected_steps_on_a_two_cell_corridor():
    # 1x2 grid, uniform random policy: "right" (1/4) reaches the goal, everything else stays,
    # so the number of steps is geometric with mean 4
    mdp = GridWorld(height=1, width=2, step_reward=1.0, goal_reward=0.0).to_mdp(1.0, device="cpu")
    uniform = torch.full((2, 4), 0.25, dtype=F64)
    assert solve(mdp.induced_mrp(uniform))[0].item() == pytest.approx(4.0, abs=1e-12)


# ------------------------------------------------------------------ the three methods agree
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), gamma=st.sampled_from([0.0, 0.3, 0.9, 0.99, 1.0]))
def test_closed_form_and_iteration_agree_on_random_mrps(seed, gamma):
    m = random_mrp(seed, gamma)
    v = solve(m)
    torch.testing.assert_close(bellman_expectation(m, v), v, rtol=0, atol=1e-9)
    assert (v[m.terminal] == 0).all()
    tol = 1e-7
    result = evaluate_iterative(m, tol)
    error = (result.values - v).abs().max().item()
    rounding = 1e-12 * max(1.0, v.abs().max().item())
    if gamma < 1:
        assert error <= result.error_bound + rounding  # the bound is tight for a self-loop
        assert result.error_bound <= tol
    else:
        assert error <= 1e-4  # no guarantee from the change alone, but it converges


@pytest.mark.parametrize("gamma", [0.5, 0.9, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_monte_carlo_agrees_with_the_closed_form_on_random_mrps(seed, gamma):
    m = random_mrp(seed, gamma)
    v = solve(m)
    # with gamma < 1 some states may never terminate; cutting them after 400 steps misses at
    # most gamma^400 max|R| / (1 - gamma) of their return
    mc = evaluate_monte_carlo(m, episodes=3000, seed=seed, max_steps=400, confidence=0.999)
    assert gamma < 1 or mc.truncated == 0
    tail = 0.0 if gamma == 1 else gamma**400 * m.R.abs().max().item() / (1 - gamma)
    assert ((mc.values - v).abs() <= mc.half_width + tail + 1e-9).all(), (mc.values - v, tail)


@pytest.mark.parametrize("gamma", [0.5, 0.9, 1.0])
def test_three_methods_agree_on_the_student_day(gamma):
    m = student_day(gamma)
    v = solve(m)
    torch.testing.assert_close(evaluate_iterative(m, 1e-9).values, v, rtol=0, atol=1e-6)
    mc = evaluate_monte_carlo(m, episodes=4000, seed=0, confidence=0.999)
    assert ((mc.values - v).abs() <= mc.half_width).all()


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_monte_carlo_within_its_own_band(seed):
    # 5 seeds x 5 states = 25 intervals; at 99.99% each, a correct sampler fails this test
    # for a given set of seeds with probability about 0.25%
    m = student_day(0.9)
    v = solve(m)
    mc = evaluate_monte_carlo(m, episodes=4000, seed=seed, confidence=0.9999)
    assert mc.returns.shape == (len(STUDENT_DAY_STATES), 4000)
    assert ((mc.values - v).abs() <= mc.half_width).all(), (mc.values - v, mc.half_width)
    assert mc.half_width[-1] == 0 and mc.values[-1] == 0  # the terminal state


def test_monte_carlo_band_shrinks_like_one_over_sqrt_n():
    m = student_day(0.9)
    small = evaluate_monte_carlo(m, episodes=500, seed=0).half_width[:-1]
    large = evaluate_monte_carlo(m, episodes=8000, seed=0).half_width[:-1]
    ratio = (small / large).tolist()
    assert all(3.0 < r < 5.5 for r in ratio), ratio  # sqrt(16) = 4


def test_monte_carlo_is_reproducible_and_seed_dependent():
    m = student_day(0.9)
    a = evaluate_monte_carlo(m, episodes=200, seed=7)
    b = evaluate_monte_carlo(m, episodes=200, seed=7)
    c = evaluate_monte_carlo(m, episodes=200, seed=8)
    assert torch.equal(a.returns, b.returns)
    assert not torch.equal(a.returns, c.returns)


def test_monte_carlo_truncates_endless_episodes():
    # no terminal state, gamma < 1: every episode is cut after max_steps steps
    m = mrp([[0.5, 0.5], [0.5, 0.5]], [1.0, -1.0], 0.5)
    mc = evaluate_monte_carlo(m, episodes=100, seed=0, max_steps=60)
    assert mc.truncated == 200
    # the missing tail is at most gamma^60 max|R| / (1 - gamma), far below the band
    assert ((mc.values - solve(m)).abs() <= mc.half_width + 1e-9).all()


def test_float32_and_stored_terminal_rows():
    m = student_day(0.9, dtype=torch.float32)
    v = solve(m)
    assert v.dtype == torch.float32
    torch.testing.assert_close(v, solve(student_day(0.9)).float(), rtol=0, atol=1e-5)
    assert evaluate_monte_carlo(m, episodes=10, seed=0).values.dtype == torch.float32


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.cuda
def test_same_values_on_cuda():
    m = student_day(0.9)
    torch.testing.assert_close(solve(m.to("cuda")).cpu(), solve(m), rtol=0, atol=1e-12)
    cpu = evaluate_monte_carlo(m, episodes=100, seed=0)
    gpu = evaluate_monte_carlo(m.to("cuda"), episodes=100, seed=0)
    torch.testing.assert_close(gpu.values.cpu(), cpu.values, rtol=0, atol=1e-9)


# -------------------------------------------------------------------------------- bad input
def hooked(gamma: float = 1.0) -> MRP:
    """The student's day with the phone never put down: Phone -> Phone with probability 1."""
    day = student_day(gamma)
    P = day.P.clone()
    P[3] = 0.0
    P[3, 3] = 1.0
    return MRP(P, day.R, gamma, day.terminal)


def test_never_terminating_finds_closed_classes():
    assert never_terminating(student_day(1.0)) == []
    assert never_terminating(hooked()) == [3]
    # 0 <-> 1 loop forever, 2 -> 3 terminal
    m = mrp([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]], [1, 1, 1, 0], 0.9,
            [False, False, False, True])  # fmt: skip
    assert never_terminating(m) == [0, 1]


@pytest.mark.parametrize(
    "method",
    [solve, evaluate_iterative, lambda m: evaluate_monte_carlo(m, episodes=10, seed=0)],
    ids=["solve", "iterative", "monte_carlo"],
)
def test_gamma_one_without_reachable_terminal_is_a_clear_error(method):
    with pytest.raises(ValueError, match=r"gamma = 1 but states \[3\] never reach a terminal"):
        method(hooked(1.0))


def test_singular_system_raises_instead_of_returning_inf_or_nan():
    # two states swapping forever next to a terminal one nobody reaches
    m = mrp([[0, 1, 0], [1, 0, 0], [0, 0, 0]], [1, 1, 0], 1.0, [False, False, True])
    with pytest.raises(ValueError, match=r"states \[0, 1\]"):
        solve(m)


def test_the_same_chain_is_fine_with_discounting():
    v = solve(hooked(0.9))
    assert v[3].item() == pytest.approx(-1 / (1 - 0.9), abs=1e-12)  # -1 forever, discounted
    assert torch.isfinite(v).all()


def test_gamma_one_without_any_terminal_is_refused_by_the_container():
    with pytest.raises(ValueError, match="gamma == 1 needs at least one terminal"):
        mrp([[1.0]], [1.0], 1.0)


def test_argument_errors():
    m = student_day(0.9)
    with pytest.raises(ValueError, match="tol must be a positive number"):
        evaluate_iterative(m, tol=0.0)
    with pytest.raises(ValueError, match="max_sweeps must be >= 1"):
        evaluate_iterative(m, max_sweeps=0)
    with pytest.warns(RuntimeWarning, match="stopped after 3 sweeps"):
        stopped = evaluate_iterative(m, tol=1e-9, max_sweeps=3)
    assert not stopped.converged and stopped.sweeps == 3 and stopped.error_bound > 1e-9
    with pytest.raises(ValueError, match="episodes must be >= 2"):
        evaluate_monte_carlo(m, episodes=1, seed=0)
    with pytest.raises(ValueError, match="max_steps"):
        evaluate_monte_carlo(m, episodes=10, seed=0, max_steps=0)
    with pytest.raises(ValueError, match="confidence"):
        evaluate_monte_carlo(m, episodes=10, seed=0, confidence=1.0)
    with pytest.raises(ValueError, match=r"expected a dlcourse\.mdp\.MRP"):
        solve((m.P, m.R))


def test_iterative_error_bound_is_tight_enough_to_be_useful():
    m = student_day(0.9)
    result = evaluate_iterative(m, tol=1e-6)
    error = (result.values - solve(m)).abs().max().item()
    assert error <= result.error_bound <= 1e-6
    # successive changes shrink at least by gamma (a contraction in the max norm)
    ratios = [b / a for a, b in itertools.pairwise(result.deltas) if a > 0]
    assert max(ratios) <= 0.9 + 1e-12
    # sweeps needed grow like log(1 / tol)
    assert result.sweeps < math.log(1e-6 * 0.1 / 0.9 / 10) / math.log(0.9) + 2
