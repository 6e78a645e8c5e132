"""Markdown for the Performance page, generated from ``docs/_bench/results-*.json``."""

from __future__ import annotations

import json
import posixpath
import re
import statistics
from pathlib import Path
from typing import Any

__all__ = ["BENCH_FIGURE", "BENCH_MARKER", "bench_figure_markdown", "bench_markdown"]

BENCH_MARKER = "<!-- bench-results -->"
"""The line of ``docs/performance.md`` that the generated results replace."""

BENCH_FIGURE = re.compile(r"^(?P<indent>\s*)<!-- bench-figure: (?P<name>[\w-]+) -->\s*$")
"""A line in a chapter page that shows a benchmark's figures (CPU results) in its place."""

SPHINX_ROLE = re.compile(r":(?:func|class|mod|meth|data|attr):(`[^`]+`)")
"""A cross-reference in a docstring-derived description, shown as plain code on the page."""


def bench_figure_markdown(bench_dir: Path, name: str, page_dir: str, indent: str = "") -> list[str]:
    """The figures of benchmark ``name`` with where and when they were measured."""
    path = bench_dir / "results-cpu.json"
    report = json.loads(path.read_text()) if path.is_file() else {"benchmarks": []}
    result = next((b for b in report["benchmarks"] if b.get("name") == name), None)
    if result is None or not result.get("figures"):
        raise ValueError(
            f"no figures for benchmark {name!r} in {path}; run `nox -s bench` (or "
            f"`nox -s bench -- --only {name}`) and rebuild"
        )
    m = report["machine"]
    rel = posixpath.relpath("_bench", page_dir or ".")
    out: list[str] = []
    for fig in result["figures"]:
        out += [f"{indent}![{fig['alt']}]({rel}/{fig['path']}){{ loading=lazy }}", ""]
    out += [
        f"{indent}*From the benchmark run of {m['date']} on {m['cpu']}, {m['cores']} cores "
        "(`nox -s bench`); the [Performance]("
        + posixpath.relpath("performance.md", page_dir or ".")
        + ") page has its numbers.*",
        "",
    ]
    return out


def _shown(column: str, rows: list[dict[str, Any]]) -> bool:
    """Scalars and repeated timings go in the table; per-episode traces and nested lists don't."""
    values = [r[column] for r in rows if column in r]
    lists = [v for v in values if isinstance(v, list)]
    if not lists:
        return True
    timing = "second" in column
    return timing and all(all(isinstance(x, int | float) for x in v) for v in lists)


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
        columns += [k for k in row if k not in columns and _shown(k, rows)]
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
                out += [SPHINX_ROLE.sub(r"\1", result["description"]), ""]
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
            for fig in result.get("figures", []):
                out += [f"![{fig['alt']}]({(rel / fig['path']).as_posix()}){{ loading=lazy }}", ""]
            notes = result.get("notes")
            if notes:
                out += [f"*{n}*" for n in ([notes] if isinstance(notes, str) else notes)] + [""]
    return out
