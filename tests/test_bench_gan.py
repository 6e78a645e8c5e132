"""Smoke test of the GAN throughput benchmark (tiny sizes; no timing assertions)."""

from __future__ import annotations

import json

import pytest

from courseware.bench import gan as bench_gan


def test_bench_gan_quick() -> None:
    out = bench_gan.run(quick=True)
    json.dumps(out)
    assert out["name"] == "gan-throughput" and out["title"] and out["description"]
    assert [r["impl"] for r in out["rows"]] == ["dlcourse", "DataLoader loop"]
    for row in out["rows"]:
        assert len(row["images_per_second"]) >= 3
        assert all(v > 0 for v in row["images_per_second"])


def test_bench_gan_ablation_quick() -> None:
    out = bench_gan.run_ablation(quick=True)
    json.dumps(out)
    assert out["name"] == "gan-ablation" and out["title"] and out["description"]
    names = [r["configuration"] for r in out["rows"]]
    assert names == [
        "real vs real (the floor)",
        "tiny",
        "tiny, averaged: last weights",
        "tiny, averaged: averaged weights",
    ]
    floor, *trained = out["rows"]
    assert floor["x_floor"] == 1.0
    for row in trained:
        assert row["frechet_distance"] > 0 and 0 <= row["entropy"] <= 2.31
        ratio = row["frechet_distance"] / floor["frechet_distance"]
        assert row["x_floor"] == pytest.approx(ratio, rel=0.01)
