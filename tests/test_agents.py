"""dlcourse.agents: schedules, epsilon-greedy, greedy actions, the MLP and the replay buffer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from dlcourse.agents import (
    Batch,
    ExponentialSchedule,
    LinearSchedule,
    QNetwork,
    ReplayBuffer,
    epsilon_greedy,
    greedy_actions,
    mlp,
)

# --- schedules -------------------------------------------------------------------------------


def test_linear_schedule_by_step_then_flat() -> None:
    eps = LinearSchedule(start=1.0, end=0.04, duration=8_000)
    assert eps(0) == 1.0
    assert eps(2_000) == pytest.approx(0.76)
    assert eps(4_000) == pytest.approx(0.52)
    assert eps(8_000) == pytest.approx(0.04)
    assert eps(50_000) == pytest.approx(0.04)  # flat after the decay


def test_linear_schedule_by_episode_with_a_fractional_duration() -> None:
    eps = LinearSchedule(1.0, 0.1, duration=0.5 * 100)  # the first half of 100 episodes
    assert [eps(k) for k in (0, 25, 50, 80)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    assert LinearSchedule(1.0, 0.1, 0)(0) == 0.1  # no decay at all: end from the start


def test_exponential_schedule_by_episode_to_its_floor() -> None:
    eps = ExponentialSchedule(start=1.0, end=0.05, decay=0.92)
    values = [eps(k) for k in range(60)]
    assert values[0] == 1.0 and values[1] == pytest.approx(0.92)
    assert values[2] == pytest.approx(0.92**2)
    assert all(a >= b for a, b in itertools.pairwise(values))
    assert values[-1] == 0.05  # 0.92^59 = 0.007 is below the floor
    assert ExponentialSchedule(0.5, 0.1, 1.0)(1_000) == 0.5  # decay 1: constant


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: LinearSchedule(1.0, 0.1, -1), "duration must be >= 0"),
        (lambda: LinearSchedule(1.0, float("nan"), 10), "end must be a finite number"),
        (lambda: ExponentialSchedule(1.0, 0.1, 0.0), r"decay must be in \(0, 1\]"),
        (lambda: ExponentialSchedule(1.0, 0.1, 1.5), r"decay must be in \(0, 1\]"),
        (lambda: LinearSchedule(1.0, 0.1, 10)(-1), "count t >= 0"),
        (lambda: ExponentialSchedule(1.0, 0.1, 0.9)("3"), "count t >= 0"),
    ],
)
def test_bad_schedules_are_clear_errors(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


# --- epsilon-greedy and greedy actions -------------------------------------------------------


def test_epsilon_greedy_one_state_breaks_ties_at_random_or_first() -> None:
    rng = np.random.default_rng(0)
    zeros = torch.zeros(4)
    assert {epsilon_greedy(zeros, 0.0, rng) for _ in range(200)} == {0, 1, 2, 3}
    assert {epsilon_greedy(zeros, 0.0, rng, "first") for _ in range(50)} == {0}
    q = torch.tensor([0.0, 2.0, 1.0, 2.0])
    assert {epsilon_greedy(q, 0.0, rng) for _ in range(100)} == {1, 3}
    assert {epsilon_greedy(q, 0.0, rng, "first") for _ in range(100)} == {1}
    assert isinstance(epsilon_greedy(q, 0.5, rng), int)


def test_epsilon_greedy_frequencies_under_a_seed() -> None:
    """P(greedy action) = 1 - epsilon + epsilon / A; every other action epsilon / A."""
    rng = np.random.default_rng(0)
    q = torch.tensor([0.0, 0.0, 3.0, 1.0])
    n = 20_000
    counts = np.bincount([epsilon_greedy(q, 0.2, rng) for _ in range(n)], minlength=4) / n
    np.testing.assert_allclose(counts, [0.05, 0.05, 0.85, 0.05], atol=0.01)


def test_epsilon_greedy_one_state_draw_order() -> None:
    """One uniform draw decides; the random action is drawn only when exploring."""
    q = torch.tensor([0.0, 1.0, 0.5])
    rng, ref = np.random.default_rng(7), np.random.default_rng(7)
    for _ in range(100):
        a = epsilon_greedy(q, 0.3, rng)
        expected = int(ref.integers(3)) if ref.random() < 0.3 else 1
        assert a == expected
    assert rng.random() == ref.random()  # both generators drew the same numbers


def test_epsilon_greedy_batch_is_vectorized() -> None:
    q = torch.tensor([[0.0, 1.0], [2.0, 0.0], [0.0, 0.0]])
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    actions = epsilon_greedy(q, 0.5, rng, "first")
    explore = ref.random(3) < 0.5  # one uniform per state, then one random action per state
    random_actions = ref.integers(2, size=3)
    assert actions.tolist() == np.where(explore, random_actions, [1, 0, 0]).tolist()
    assert epsilon_greedy(q, 0.0, rng, "first").tolist() == [1, 0, 0]
    n = 4_000
    big = torch.zeros(n, 2)
    big[:, 1] = 1.0
    share = epsilon_greedy(big, 0.4, rng, "first").mean()  # P(action 1) = 0.6 + 0.4 / 2
    assert share == pytest.approx(0.8, abs=0.02)


def test_greedy_actions_ties() -> None:
    q = torch.tensor([[0.0, 1.0, 1.0, 0.5], [2.0, 0.0, 0.0, 0.0]])
    assert greedy_actions(q).tolist() == [1, 0]  # ties: the lowest action, as argmax
    assert greedy_actions(q[0]).item() == 1
    rng = np.random.default_rng(0)
    picks = {tuple(greedy_actions(q, "random", rng).tolist()) for _ in range(100)}
    assert picks == {(1, 0), (2, 0)}
    assert greedy_actions(q, "random", rng).dtype == torch.int64


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: epsilon_greedy(torch.zeros(3), 1.5, np.random.default_rng()), r"in \[0, 1\]"),
        (lambda: epsilon_greedy(torch.zeros(3), 0.1, np.random.default_rng(), "last"), "tie_break"),
        (lambda: epsilon_greedy(torch.zeros(2, 3, 4), 0.1, np.random.default_rng()), r"\[B, A\]"),
        (lambda: greedy_actions(torch.zeros(3), "random"), "needs a generator"),
        (lambda: greedy_actions(torch.tensor(1.0)), "at least one dimension"),
    ],
)
def test_bad_exploration_arguments_are_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- networks --------------------------------------------------------------------------------


def test_mlp_layers_and_shapes() -> None:
    net = mlp(4, (128, 64), 2)
    kinds = [type(m) for m in net]
    assert kinds == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert [(m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)] == [
        (4, 128),
        (128, 64),
        (64, 2),
    ]
    assert net(torch.zeros(5, 4)).shape == (5, 2)
    assert len(mlp(3, (), 2)) == 1  # no hidden layer: one Linear
    assert mlp(np.int64(16), (24,), np.int64(4))(torch.zeros(1, 16)).shape == (1, 4)


def test_mlp_initialisation_is_the_hand_written_sequential() -> None:
    torch.manual_seed(0)
    built = mlp(16, (24, 24), 4)
    torch.manual_seed(0)
    by_hand = nn.Sequential(
        nn.Linear(16, 24), nn.ReLU(), nn.Linear(24, 24), nn.ReLU(), nn.Linear(24, 4)
    )
    for a, b in zip(built.parameters(), by_hand.parameters(), strict=True):
        assert torch.equal(a, b)


def test_q_network_wraps_the_mlp() -> None:
    net = QNetwork(4, 2, (8,))
    assert net(torch.zeros(3, 4)).shape == (3, 2)
    assert list(net.state_dict()) == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
    ]


@pytest.mark.parametrize(
    "sizes", [(0, (8,), 2), (4, (8, 0), 2), (4, (8,), 0), (4.0, (8,), 2), (True, (8,), 2)]
)
def test_mlp_rejects_bad_sizes(sizes) -> None:
    with pytest.raises(ValueError, match="mlp sizes must be positive ints"):
        mlp(*sizes)


# --- replay buffer ---------------------------------------------------------------------------


def _add(buf: ReplayBuffer, values: list[float]) -> None:
    k = len(values)
    v = np.asarray(values, dtype=np.float32)
    buf.add(np.stack([v, v], axis=1), np.zeros(k, np.int64), v, np.stack([v, v], axis=1), v * 0)


def test_buffer_is_a_ring_that_overwrites_the_oldest() -> None:
    buf = ReplayBuffer(5, obs_shape=2)
    storage = buf.obs.data_ptr()
    for x in range(7):  # one at a time, wrapping once
        _add(buf, [float(x)])
    assert len(buf) == 5 and buf.pos == 2
    assert buf.rewards.tolist() == [5.0, 6.0, 2.0, 3.0, 4.0]
    _add(buf, [7.0, 8.0, 9.0, 10.0])  # a batch that wraps around the end
    assert buf.pos == 1 and len(buf) == 5
    assert buf.rewards.tolist() == [10.0, 6.0, 7.0, 8.0, 9.0]
    _add(buf, [float(x) for x in range(20, 32)])  # more than the capacity: the last 5 stay
    assert sorted(buf.rewards.tolist()) == [27.0, 28.0, 29.0, 30.0, 31.0]
    assert buf.obs.data_ptr() == storage  # never reallocated


def test_buffer_samples_uniformly_from_filled_rows_only() -> None:
    buf = ReplayBuffer(100, obs_shape=2)
    _add(buf, [1.0, 2.0, 3.0])
    batch = buf.sample(3000, np.random.default_rng(0))
    assert isinstance(batch, Batch) and batch.obs.shape == (3000, 2)
    counts = np.bincount(batch.rewards.numpy().astype(int), minlength=4)[1:]
    assert counts.min() > 900 and set(batch.rewards.tolist()) == {1.0, 2.0, 3.0}


def test_buffer_sampling_is_seeded_by_numpy_or_torch() -> None:
    buf = ReplayBuffer(10, obs_shape=2)
    _add(buf, [float(x) for x in range(10)])
    a = buf.sample(8, np.random.default_rng(5)).rewards
    b = buf.sample(8, np.random.default_rng(5)).rewards
    assert torch.equal(a, b)
    assert a.tolist() == np.random.default_rng(5).integers(0, 10, size=8).astype(float).tolist()
    t = buf.sample(8, torch.Generator().manual_seed(5)).rewards
    expected = torch.randint(10, (8,), generator=torch.Generator().manual_seed(5)).float()
    assert torch.equal(t, expected)


def test_buffer_of_integer_states() -> None:
    buf = ReplayBuffer(3, (), obs_dtype=torch.long)
    buf.add(np.array([9]), np.array([1]), np.array([0.0]), np.array([13]), np.array([0.0]))
    buf.add(np.array([14]), np.array([3]), np.array([1.0]), np.array([15]), np.array([1.0]))
    batch = buf.sample(2, torch.Generator().manual_seed(0))
    assert batch.obs.dtype == torch.long and batch.obs.shape == (2,)
    assert set(zip(batch.obs.tolist(), batch.next_obs.tolist(), strict=True)) <= {(9, 13), (14, 15)}
    assert buf.terminated[:2].tolist() == [0.0, 1.0]


def test_buffer_state_dict_round_trip() -> None:
    buf = ReplayBuffer(4, obs_shape=2)
    _add(buf, [1.0, 2.0, 3.0])
    _add(buf, [4.0, 5.0])  # wraps: 5 overwrites 1
    other = ReplayBuffer(4, obs_shape=2)
    other.load_state_dict(buf.state_dict())
    assert (other.pos, len(other)) == (buf.pos, len(buf)) == (1, 4)
    assert torch.equal(other.rewards, buf.rewards) and torch.equal(other.obs, buf.obs)
    with pytest.raises(ValueError, match="capacity 4 != 8"):
        ReplayBuffer(8, 2).load_state_dict(buf.state_dict())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ReplayBuffer(0, 2), "capacity must be an int >= 1, got 0"),
        (lambda: ReplayBuffer(4, (2, 0)), "obs_shape must be positive ints"),
        (lambda: ReplayBuffer(4, 2).sample(1, np.random.default_rng(0)), "empty replay buffer"),
    ],
)
def test_bad_buffer_arguments_are_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_batch_size_is_a_clear_error() -> None:
    buf = ReplayBuffer(4, obs_shape=2)
    _add(buf, [1.0])
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        buf.sample(0, np.random.default_rng(0))


def test_epsilon_greedy_computes_lazy_q_values_only_for_greedy_steps() -> None:
    from dlcourse.agents import epsilon_greedy

    q = torch.tensor([[0.1, 0.9, 0.3], [0.7, 0.2, 0.1]])
    calls = []

    def lazy() -> torch.Tensor:
        calls.append(1)
        return q

    for eps in (0.0, 0.5, 1.0):
        for seed in range(20):
            eager = epsilon_greedy(q, eps, np.random.default_rng(seed), "first")
            calls.clear()
            lazy_actions = epsilon_greedy(
                lazy, eps, np.random.default_rng(seed), "first", shape=(2, 3)
            )
            assert np.array_equal(eager, lazy_actions)  # the same draws, the same actions
            if eps == 1.0:
                assert not calls  # every state explored: no forward pass
        single = [
            epsilon_greedy(lambda: q[0], 1.0, np.random.default_rng(s), shape=(3,))
            for s in range(5)
        ]
        assert single == [epsilon_greedy(q[0], 1.0, np.random.default_rng(s)) for s in range(5)]
    with pytest.raises(ValueError, match="needs their shape"):
        epsilon_greedy(lazy, 0.1, np.random.default_rng(0))
