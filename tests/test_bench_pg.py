"""Smoke test of the PPO benchmarks against Stable-Baselines3 (tiny budgets; no timing asserted)."""

from __future__ import annotations

import json

import pytest

from courseware.bench import pg as bench_pg
from courseware.bench.__main__ import SUITES, ratios

pytest.importorskip("stable_baselines3", reason="the benchmark's peer is Stable-Baselines3")


def test_bench_ppo_cartpole_quick() -> None:
    out = bench_pg.run_cartpole(quick=True)
    json.dumps(out)
    assert out["name"] == "ppo-cartpole" and out["title"] and "0.5x" in out["description"]
    assert [r["impl"] for r in out["rows"]] == ["dlcourse", "stable-baselines3"]
    for row in out["rows"]:
        assert row["env_steps"] <= 2_048 and row["check_steps"] > 0  # the same checks ran
        assert row["checks"][0][0] >= 1_024
        assert len(row["episode_end_steps"]) == len(row["episode_returns"]) > 0
        assert row["solved"] is False and row["seconds_to_solve"] is None  # too short to solve
        assert 0 < row["eval_mean_return"] < 475
    sb3 = out["rows"][1]  # checked after its updates, the last one included, as ours
    assert [c[0] for c in sb3["checks"]] == [1_024, 2_048]
    assert ratios(out) == []  # nothing solved: no time to compare


def test_bench_ppo_pendulum_quick() -> None:
    out = bench_pg.run_pendulum(quick=True)
    json.dumps(out)
    assert out["name"] == "ppo-pendulum" and "0.5x" in out["description"]
    assert [r["impl"] for r in out["rows"]] == ["dlcourse", "stable-baselines3"]
    for row in out["rows"]:
        assert 4_000 < row["env_steps"] <= 4_096 and row["train_seconds"] > 0
        assert -2_000 < row["eval_mean_return"] < 0
    (ratio,) = ratios(out)
    assert ratio["metric"] == "train_seconds" and ratio["peer"] == "stable-baselines3"


def test_both_are_registered_after_dqn() -> None:
    names = [name for name, _, _ in SUITES]
    assert names[names.index("dqn-cartpole") + 1 : names.index("dqn-cartpole") + 3] == [
        "ppo-cartpole",
        "ppo-pendulum",
    ]
