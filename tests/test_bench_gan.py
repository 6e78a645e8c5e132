"""Smoke test of the GAN throughput benchmark (tiny sizes; no timing assertions)."""

from __future__ import annotations

import json

from dlcourse.bench import gan as bench_gan


def test_bench_gan_quick() -> None:
    out = bench_gan.run(quick=True)
    json.dumps(out)
    assert out["name"] == "gan-throughput" and out["title"] and out["description"]
    assert [r["impl"] for r in out["rows"]] == ["dlcourse", "original loop"]
    for row in out["rows"]:
        assert len(row["images_per_second"]) >= 3
        assert all(v > 0 for v in row["images_per_second"])
