"""TabularMDP and MRP: the equations they implement and the errors they raise."""

from __future__ import annotations

import math

import pytest
import torch

from dlcourse import runtime
from dlcourse.mdp import MRP, TabularMDP


def two_state_mdp(**overrides):
    """S=3 (state 2 terminal), A=2; a small MDP with stochastic rows."""
    P = torch.tensor(
        [
            [[0.5, 0.5, 0.0], [0.0, 0.2, 0.8]],
            [[1.0, 0.0, 0.0], [0.1, 0.0, 0.9]],
            [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]],  # terminal: given as a self-loop
        ],
        dtype=torch.float64,
    )
    R = torch.tensor([[0.0, 1.0], [2.0, -1.0], [5.0, 5.0]], dtype=torch.float64)
    args = {"P": P, "R": R, "gamma": 0.9, "terminal": torch.tensor([False, False, True])}
    args.update(overrides)
    return args


def test_valid_mdp_stores_terminal_rows_as_zero():
    mdp = TabularMDP(**two_state_mdp())
    assert (mdp.num_states, mdp.num_actions) == (3, 2)
    assert mdp.P.dtype == torch.float64
    assert torch.equal(mdp.P[2], torch.zeros(2, 3, dtype=torch.float64))
    assert torch.equal(mdp.R[2], torch.zeros(2, dtype=torch.float64))
    assert torch.allclose(mdp.P[:2].sum(-1), torch.ones(2, 2, dtype=torch.float64))
    # a terminal row given as zeros is accepted too
    P = mdp.P.clone()
    TabularMDP(P, mdp.R, 0.9, mdp.terminal)


def test_induced_mrp_matches_the_sum_over_actions():
    mdp = TabularMDP(**two_state_mdp())
    pi = torch.tensor([[0.25, 0.75], [1.0, 0.0], [0.5, 0.5]], dtype=torch.float64)
    mrp = mdp.induced_mrp(pi)
    for s in range(2):
        # P_pi[s, s'] = sum_a pi(a|s) P(s'|s,a);  R_pi[s] = sum_a pi(a|s) R(s,a)
        expected_p = sum(pi[s, a] * mdp.P[s, a] for a in range(2))
        expected_r = sum(pi[s, a] * mdp.R[s, a] for a in range(2))
        assert torch.allclose(mrp.P[s], expected_p)
        assert math.isclose(mrp.R[s].item(), expected_r.item())
    assert torch.equal(mrp.P[2], torch.zeros(3, dtype=torch.float64))
    assert mrp.R[2].item() == 0.0
    assert mrp.gamma == 0.9 and torch.equal(mrp.terminal, mdp.terminal)


def test_induced_mrp_of_a_deterministic_policy_picks_rows():
    mdp = TabularMDP(**two_state_mdp())
    actions = torch.tensor([1, 0, 0])
    mrp = mdp.induced_mrp(torch.nn.functional.one_hot(actions, 2))
    assert torch.equal(mrp.P[0], mdp.P[0, 1]) and torch.equal(mrp.P[1], mdp.P[1, 0])
    assert torch.equal(mrp.R[:2], torch.tensor([1.0, 2.0], dtype=torch.float64))


def test_mdp_and_mrp_move_between_devices():
    dev = runtime.device()
    mdp = TabularMDP(**two_state_mdp()).to(dev)
    assert mdp.device.type == dev.type and mdp.terminal.device.type == dev.type
    mrp = mdp.induced_mrp(torch.full((3, 2), 0.5, device=dev))
    assert mrp.num_states == 3
    back = mrp.to("cpu", torch.float32)
    assert back.device.type == "cpu" and back.P.dtype == torch.float32


def test_float32_and_float64_are_promoted_together():
    args = two_state_mdp()
    mdp = TabularMDP(args["P"].float(), args["R"], 0.5, args["terminal"])
    assert mdp.P.dtype == mdp.R.dtype == torch.float64


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"R": torch.zeros(3, 3, dtype=torch.float64)}, r"R must have shape \[S, A\]"),
        ({"P": torch.full((3, 2, 4), 0.25, dtype=torch.float64)}, r"S' == S"),
        ({"P": torch.ones(3, 2)}, r"P must have 3 dimensions"),
        ({"P": [[0.5, 0.5]]}, r"P must be a torch.Tensor"),
        ({"terminal": torch.tensor([True, False])}, r"terminal must have shape \(3,\)"),
        ({"gamma": -0.1}, r"gamma must be in \[0, 1\]"),
        ({"gamma": 1.5}, r"gamma must be in \[0, 1\]"),
        ({"gamma": float("nan")}, r"gamma must be in \[0, 1\]"),
        ({"gamma": 1.0, "terminal": None}, r"gamma == 1 needs at least one terminal state"),
    ],
)
def test_mdp_rejects_bad_shapes_and_gamma(change, match):
    with pytest.raises(ValueError, match=match):
        TabularMDP(**two_state_mdp(**change))


def test_gamma_one_with_a_terminal_state_is_fine():
    assert TabularMDP(**two_state_mdp(gamma=1.0)).gamma == 1.0


def test_mdp_rejects_bad_probabilities_and_rewards():
    args = two_state_mdp()
    P = args["P"].clone()
    P[1, 1] = torch.tensor([0.1, 0.0, 0.8])
    with pytest.raises(ValueError, match=r"row P\[1, 1\] of state 1 sums to 0\.9.*within 1e-05"):
        TabularMDP(**two_state_mdp(P=P))
    P = args["P"].clone()
    P[0, 0] = torch.tensor([1.5, -0.5, 0.0])
    with pytest.raises(ValueError, match=r"negative probability P\[0, 0, 1\] = -0\.5"):
        TabularMDP(**two_state_mdp(P=P))
    P = args["P"].clone()
    P[1, 0, 2] = float("nan")
    with pytest.raises(ValueError, match=r"P has a non-finite entry P\[1, 0, 2\]"):
        TabularMDP(**two_state_mdp(P=P))
    R = args["R"].clone()
    R[0, 1] = float("inf")
    with pytest.raises(ValueError, match=r"R has a non-finite entry R\[0, 1\] = inf"):
        TabularMDP(**two_state_mdp(R=R))
    P = args["P"].clone()
    P[2, 0] = torch.tensor([0.0, 0.0, 0.5])  # a terminal row must sum to 0 or 1
    with pytest.raises(ValueError, match=r"state 2 sums to 0\.5.*or, for a terminal state, to 0"):
        TabularMDP(**two_state_mdp(P=P))
    P = args["P"].clone()
    P[0, 0] = 0.0  # a non-terminal row cannot be all zeros
    with pytest.raises(ValueError, match=r"row P\[0, 0\] of state 0 sums to 0"):
        TabularMDP(**two_state_mdp(P=P))


def test_induced_mrp_rejects_bad_policies():
    mdp = TabularMDP(**two_state_mdp())
    with pytest.raises(
        ValueError,
        match=r"policy must be actions \[S\] = \(3,\) \(integers\) or probabilities \[S, A\] = \(3, 2\)",
    ):
        mdp.induced_mrp(torch.ones(3))
    with pytest.raises(ValueError, match=r"policy row 1 sums to 0\.5"):
        mdp.induced_mrp(torch.tensor([[0.5, 0.5], [0.25, 0.25], [0.0, 0.0]]))
    with pytest.raises(ValueError, match=r"policy\[0, 1\] = -0\.5 is not a probability"):
        mdp.induced_mrp(torch.tensor([[1.5, -0.5], [0.5, 0.5], [0.5, 0.5]]))


def test_mrp_validates_like_the_mdp():
    P = torch.tensor([[0.5, 0.5], [0.0, 1.0]])
    mrp = MRP(P, torch.tensor([1.0, 0.0]), 1.0, torch.tensor([False, True]))
    assert mrp.num_states == 2 and torch.equal(mrp.P[1], torch.zeros(2))
    with pytest.raises(ValueError, match=r"P must be square"):
        MRP(torch.ones(2, 3) / 3, torch.zeros(2), 0.9)
    with pytest.raises(ValueError, match=r"R has 3 states but P has 2"):
        MRP(P, torch.zeros(3), 0.9)
    with pytest.raises(ValueError, match=r"row P\[0\] of state 0 sums to 1\.1"):
        MRP(torch.tensor([[0.6, 0.5], [0.0, 1.0]]), torch.zeros(2), 0.9)
    with pytest.raises(ValueError, match=r"gamma == 1 needs at least one terminal state"):
        MRP(P, torch.zeros(2), 1)
    with pytest.raises(ValueError, match=r"R has a non-finite entry R\[1\] = nan"):
        MRP(P, torch.tensor([0.0, float("nan")]), 0.9)
