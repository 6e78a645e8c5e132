"""The benchmark runner's arithmetic and the Performance page it feeds (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from courseware.bench import summary, timeit
from courseware.bench.__main__ import ratios, scaling_plot
from courseware.site.bench_page import (
    bench_figure_markdown,
    bench_markdown,
    bench_table_markdown,
)

RESULT = {
    "name": "toy",
    "title": "A toy benchmark",
    "description": "Compares :func:`toy.run` with the peer.",
    "rows": [
        {"states": 100, "impl": "dlcourse", "seconds": [0.010, 0.012, 0.011]},
        {"states": 100, "impl": "peer", "seconds": [1.0, 1.2, 1.1]},
        {"states": 1000, "impl": "dlcourse", "seconds": [0.1, 0.1, 0.1]},
    ],
}


def test_ratio_is_peer_median_over_ours_where_both_ran() -> None:
    (r,) = ratios(RESULT)
    assert r["size"] == 100 and r["peer"] == "peer"
    assert r["speedup"] == pytest.approx(1.1 / 0.011)


def test_several_seeds_also_give_the_peer_median_over_our_slowest_run() -> None:
    rows = [{"impl": "dlcourse", "seconds_to_solve": t} for t in (2.0, 3.0, 8.0)]
    rows += [{"impl": "peer", "seconds_to_solve": t} for t in (10.0, 12.0, 30.0)]
    (r,) = ratios({"rows": rows})
    assert r["speedup"] == pytest.approx(12.0 / 3.0)
    assert r["slowest_speedup"] == pytest.approx(12.0 / 8.0)
    assert "slowest_speedup" not in ratios(RESULT)[0]  # one run of ours per size


def test_throughput_ratio_is_ours_over_peer() -> None:
    result = {
        "rows": [
            {"impl": "dlcourse", "images_per_second": [300.0, 310.0, 320.0]},
            {"impl": "DataLoader loop", "images_per_second": [100.0, 100.0, 100.0]},
        ]
    }
    (r,) = ratios(result)
    assert r["speedup"] == pytest.approx(3.1)


def test_scaling_plot_and_page(tmp_path: Path) -> None:
    result = dict(RESULT, ratios=ratios(RESULT))
    result["plot"] = scaling_plot(result, tmp_path / "toy-cpu.png")
    assert (tmp_path / "toy-cpu.png").read_bytes().startswith(b"\x89PNG")
    report = {
        "machine": {
            "date": "d",
            "cpu": "c",
            "cores": 2,
            "torch_threads": 2,
            "python": "3.11",
            "torch": "t",
            "device": "cpu",
            "gpu": None,
        },
        "quick": False,
        "benchmarks": [result, {"name": "broken", "error": "RuntimeError: x"}],
    }
    (tmp_path / "results-cpu.json").write_text(json.dumps(report))
    text = "\n".join(bench_markdown(tmp_path, ""))
    assert "### A toy benchmark" in text and "**100x**" in text
    assert "0.01 / 0.011 (n=3)" in text
    assert "![A toy benchmark" in text and "_bench/toy-cpu.png" in text
    assert "This benchmark failed: RuntimeError: x" in text
    assert "Compares `toy.run` with the peer." in text  # docstring roles become plain code


def test_no_results_says_how_to_get_them(tmp_path: Path) -> None:
    assert "nox -s bench" in "\n".join(bench_markdown(tmp_path, ""))


def test_timeit_and_summary() -> None:
    calls = []
    times = timeit(lambda: calls.append(1), repeats=3, warmup=2)
    assert len(times) == 3 and len(calls) == 5
    assert summary([3.0, 1.0, 2.0]) == {"min": 1.0, "median": 2.0}
    with pytest.raises(ValueError, match="repeats >= 1"):
        timeit(lambda: None, repeats=0)


def test_chapter_pages_can_show_a_benchmark_figure(tmp_path: Path) -> None:
    report = {
        "machine": {"date": "d", "cpu": "c", "cores": 2},
        "benchmarks": [{"name": "toy", "figures": [{"path": "toy-curves-cpu.png", "alt": "a"}]}],
    }
    (tmp_path / "results-cpu.json").write_text(json.dumps(report))
    text = "\n".join(bench_figure_markdown(tmp_path, "toy", "chapters"))
    assert "![a](../_bench/toy-curves-cpu.png)" in text and "(../performance.md)" in text
    with pytest.raises(ValueError, match="nox -s bench"):
        bench_figure_markdown(tmp_path, "missing", "")


def test_bench_table_for_a_chapter_page(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nox -s bench -- --only toy"):
        bench_table_markdown(tmp_path, "toy", "")
    machine = {"date": "d", "cpu": "c", "cores": 2}
    result = dict(RESULT, measured_at="2026-01-02 03:04 UTC")
    report = {"machine": machine, "quick": False, "benchmarks": [result]}
    (tmp_path / "results-cpu.json").write_text(json.dumps(report))
    lines = bench_table_markdown(tmp_path, "toy", "sub", indent="    ")
    assert lines[0] == "    | states | impl | seconds (min / median) |"
    assert "    | 100 | peer | 1 / 1.1 (n=3) |" in lines
    report["benchmarks"] = [dict(result, columns=[["impl", "who"], ["states", "n"]])]
    (tmp_path / "results-cpu.json").write_text(json.dumps(report))
    ordered = bench_table_markdown(tmp_path, "toy", "")
    assert ordered[:3] == [
        "| who | n | seconds (min / median) |",
        "|---|---|---|",
        "| dlcourse | 100 | 0.01 / 0.011 (n=3) |",
    ]
    assert any("2026-01-02 03:04 UTC" in x and "(../performance.md)" in x for x in lines)
    (tmp_path / "results-cpu.json").write_text(json.dumps(dict(report, quick=True)))
    with pytest.raises(ValueError, match="no rows"):  # smoke-test sizes never reach a chapter
        bench_table_markdown(tmp_path, "toy", "")


def test_bench_main_writes_results_with_the_machine(tmp_path: Path) -> None:
    from courseware.bench.__main__ import main

    assert main(["--quick", "--only", "lcs", "--out", str(tmp_path)]) == 0
    (result,) = tmp_path.glob("results-*.json")
    report = json.loads(result.read_text())
    machine = report["machine"]
    assert {"cpu", "cpu_family", "aten_capability", "cores", "torch_threads", "date"} <= set(
        machine
    )
    assert [b["name"] for b in report["benchmarks"]] == ["lcs"]
    page = "\n".join(bench_markdown(tmp_path, ""))
    assert f"on {machine['cpu']} ({machine['aten_capability']}), {machine['cores']} cores" in page


def test_bench_only_keeps_the_machine_of_the_benchmarks_it_did_not_rerun(tmp_path: Path) -> None:
    from courseware.bench.__main__ import machine_info, main

    elsewhere = dict(machine_info(), cpu="Another CPU", date="2026-01-02 03:04 UTC")
    old = {"name": "value-iteration", "title": "Old run", "rows": [{"impl": "x", "seconds": 1.0}]}
    (tmp_path / "results-cpu.json").write_text(
        json.dumps({"machine": elsewhere, "quick": True, "benchmarks": [old]})
    )
    assert main(["--quick", "--only", "lcs", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "results-cpu.json").read_text())
    by_name = {b["name"]: b for b in report["benchmarks"]}
    assert by_name["value-iteration"]["machine"]["cpu"] == "Another CPU"
    assert by_name["lcs"]["machine"]["cpu"] == report["machine"]["cpu"] != "Another CPU"
    page = "\n".join(bench_markdown(tmp_path, ""))
    assert "*Measured 2026-01-02 03:04 UTC on Another CPU" in page
    assert f"on {report['machine']['cpu']}" in page
