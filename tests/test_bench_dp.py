"""Smoke test of the dynamic programming benchmarks: tiny sizes, structure and sanity, no timing."""

from __future__ import annotations

import json
import math

import pytest

from courseware.bench.dp import EPSILON, GAMMA, exact_grid_values, run, run_lcs


def check_rows(result: dict, size_key: str, impls: set[str]) -> None:
    json.dumps(result)  # JSON-able
    assert {"name", "title", "description", "rows"} <= set(result)
    assert result["rows"]
    assert {row["impl"] for row in result["rows"]} <= impls
    for row in result["rows"]:
        assert isinstance(row[size_key], int) and row[size_key] > 0
        seconds = row["seconds"]
        assert isinstance(seconds, list) and seconds
        assert all(isinstance(t, float) and t >= 0 for t in seconds)
        assert len(seconds) == (3 if row["warmup"] else 1)


def test_value_iteration_benchmark_quick() -> None:
    pytest.importorskip("mdptoolbox")
    result = run(quick=True)
    assert result["name"] == "value-iteration"
    check_rows(result, "states", {"dlcourse", "pymdptoolbox"})
    by_size: dict[int, dict[str, dict]] = {}
    for row in result["rows"]:
        by_size.setdefault(row["states"], {})[row["impl"]] = row
    for rows in by_size.values():
        assert set(rows) == {"dlcourse", "pymdptoolbox"}  # tiny sizes: both run
        ours, theirs = rows["dlcourse"], rows["pymdptoolbox"]
        # the same threshold on the change per sweep: both stop within epsilon of V*
        assert ours["max_abs_v_error"] <= ours["error_bound"] + 1e-12
        assert ours["error_bound"] <= EPSILON
        assert theirs["max_abs_v_error"] <= EPSILON
        assert ours["sweeps"] == theirs["sweeps"]  # deterministic grid: the same sweeps
        # building the environment's successor model is part of our timed path
        assert ours["build_seconds"][0] >= 0 and ours["device"]
        assert theirs["device"] == "cpu" and not theirs["stopped_by_iteration_bound"]


def test_lcs_benchmark_quick() -> None:
    result = run_lcs(quick=True)
    assert result["name"] == "lcs"
    check_rows(result, "length", {"dlcourse", "readable loop", "per-cell tensor"})
    lengths: dict[int, set[int]] = {}
    for row in result["rows"]:
        lengths.setdefault(row["length"], set()).add(row["lcs_length"])
    assert all(len(found) == 1 for found in lengths.values())  # every version agrees


def test_exact_grid_values() -> None:
    v = exact_grid_values(3)
    assert v[8] == 0.0  # the goal
    assert v[7] == v[5] == 1.0  # one step away: the goal's reward, undiscounted
    assert math.isclose(v[0], GAMMA**3)
