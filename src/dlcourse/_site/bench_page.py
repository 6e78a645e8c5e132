"""Markdown for the Performance page, generated from ``docs/_bench/results-*.json``."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

__all__ = ["BENCH_MARKER", "bench_markdown"]

BENCH_MARKER = "<!-- bench-results -->"
"""The line of ``docs/performance.md`` that the generated results replace."""


def _cell(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        lo, med = min(value), statistics.median(value)
        return f"{lo:.4g} / {med:.4g} (n={len(value)})"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _table(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    header = [
        c.replace("_", " ")
        + (" (min / median)" if any(isinstance(r.get(c), list) for r in rows) else "")
        for c in columns
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r.get(c)) for c in columns) + " |" for r in rows]
    return lines


def _ratio_line(r: dict[str, Any]) -> str:
    where = f" at {r['size_key']} = {r['size']:,}" if r.get("size_key") else ""
    what = "throughput" if r["metric"] == "images_per_second" else "time"
    return f"- `dlcourse` vs {r['peer']}{where}: **{r['speedup']:.3g}x** (ratio of median {what})"


def bench_markdown(bench_dir: Path, page_dir: str) -> list[str]:
    """The generated section: one part per device, one subsection per benchmark."""
    files = sorted(bench_dir.glob("results-*.json"))
    if not files:
        return [
            '!!! warning "No benchmark results yet"',
            "",
            "    Run `nox -s bench` to measure, then rebuild the site.",
            "",
        ]
    out: list[str] = []
    rel = Path("_bench") if not page_dir else Path("..") / "_bench"
    for path in files:
        report = json.loads(path.read_text())
        m = report["machine"]
        where = (
            m.get("gpu") or f"{m['cpu']}, {m['cores']} cores, {m['torch_threads']} torch threads"
        )
        out += [
            f"## Device: `{m['device']}`",
            "",
            f"Measured on **{m['date']}** on {where}; Python {m['python']}, torch {m['torch']}"
            + (
                " — **quick smoke-test sizes, not a real measurement**"
                if report.get("quick")
                else ""
            )
            + ".",
            "",
        ]
        for result in report["benchmarks"]:
            title = result.get("title", result["name"])
            out += [f"### {title}", ""]
            if "error" in result:
                out += [f'!!! failure "This benchmark failed: {result["error"]}"', ""]
                continue
            if result.get("description"):
                out += [result["description"], ""]
            if result.get("ratios"):
                out += [_ratio_line(r) for r in result["ratios"]] + [""]
            if result.get("rows"):
                out += [*_table(result["rows"]), ""]
            if result.get("plot"):
                out += [
                    f"![{title}: time against size, log-log]({(rel / result['plot']).as_posix()})"
                    "{ loading=lazy }",
                    "",
                ]
            if result.get("notes"):
                out += [f"*{result['notes']}*", ""]
    return out
