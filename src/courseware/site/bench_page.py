"""Markdown for the Performance page, generated from ``docs/_bench/results-*.json``."""

from __future__ import annotations

import json
import posixpath
import re
import statistics
from pathlib import Path
from typing import Any

__all__ = [
    "BENCH_FIGURE",
    "BENCH_MARKER",
    "BENCH_TABLE",
    "bench_figure_markdown",
    "bench_markdown",
    "bench_table_markdown",
]

BENCH_MARKER = "<!-- bench-results -->"
"""The line of ``docs/performance.md`` that the generated results replace."""

BENCH_FIGURE = re.compile(r"^(?P<indent>\s*)<!-- bench-figure: (?P<name>[\w-]+) -->\s*$")
"""A line in a chapter page that shows a benchmark's figures (CPU results) in its place."""

BENCH_TABLE = re.compile(r"^(?P<indent>\s*)<!-- bench-table: (?P<name>[\w-]+) -->\s*$")
"""A line in a chapter page that shows a benchmark's table of rows (CPU results) in its place."""

SPHINX_ROLE = re.compile(r":(?:func|class|mod|meth|data|attr):(`[^`]+`)")
"""A cross-reference in a docstring-derived description, shown as plain code on the page."""


def _cpu_result(bench_dir: Path, name: str, what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Benchmark ``name`` from the CPU results file, and the machine that measured it."""
    path = bench_dir / "results-cpu.json"
    report = json.loads(path.read_text()) if path.is_file() else {"benchmarks": []}
    result = next((b for b in report["benchmarks"] if b.get("name") == name), None)
    if result is None or not result.get(what) or report.get("quick"):
        raise ValueError(
            f"no {what} for benchmark {name!r} in {path}; run `nox -s bench` (or "
            f"`nox -s bench -- --only {name}`) and rebuild"
        )
    return result, result.get("machine", report["machine"])


def _source_line(result: dict[str, Any], machine: dict[str, Any], page_dir: str) -> str:
    date = result.get("measured_at", machine["date"])
    return (
        f"*From the benchmark run of {date} on {machine['cpu']}, {machine['cores']} cores "
        "(`nox -s bench`); the [Performance]("
        + posixpath.relpath("performance.md", page_dir or ".")
        + ") page has all the numbers.*"
    )


def bench_figure_markdown(bench_dir: Path, name: str, page_dir: str, indent: str = "") -> list[str]:
    """The figures of benchmark ``name`` with where and when they were measured."""
    result, machine = _cpu_result(bench_dir, name, "figures")
    rel = posixpath.relpath("_bench", page_dir or ".")
    out: list[str] = []
    for fig in result["figures"]:
        out += [f"{indent}![{fig['alt']}]({rel}/{fig['path']}){{ loading=lazy }}", ""]
    return [*out, indent + _source_line(result, machine, page_dir), ""]


def bench_table_markdown(bench_dir: Path, name: str, page_dir: str, indent: str = "") -> list[str]:
    """The rows of benchmark ``name`` as a table, with where and when they were measured."""
    result, machine = _cpu_result(bench_dir, name, "rows")
    table = _table(result["rows"], result.get("columns"))
    lines = [*table, "", _source_line(result, machine, page_dir), ""]
    return [indent + line if line else line for line in lines]


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


def _table(rows: list[dict[str, Any]], titles: list[list[str]] | None = None) -> list[str]:
    """Rows as a Markdown table; ``titles``: ``[key, title]`` pairs fixing the columns' order."""
    columns: list[str] = [key for key, _ in titles or []]
    for row in rows:
        columns += [k for k in row if k not in columns and _shown(k, rows)]
    named = dict(titles or [])
    header = [
        named.get(c, c.replace("_", " "))
        + (" (min / median)" if any(isinstance(r.get(c), list) for r in rows) else "")
        for c in columns
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r.get(c)) for c in columns) + " |" for r in rows]
    return lines


def _ratio_line(r: dict[str, Any]) -> str:
    where = f" at {r['size_key']} = {r['size']:,}" if r.get("size_key") else ""
    what = "throughput" if r["metric"] == "images_per_second" else "time"
    line = f"- `dlcourse` vs {r['peer']}{where}: **{r['speedup']:.3g}x** (ratio of median {what})"
    if "slowest_speedup" in r:
        line += f"; the peer's median over our slowest run: **{r['slowest_speedup']:.3g}x**"
    return line


def _where(m: dict[str, Any]) -> str:
    """The machine a benchmark ran on, as the page names it."""
    isa = f" ({m['aten_capability']})" if m.get("aten_capability") else ""
    return m.get("gpu") or (
        f"{m['cpu']}{isa}, {m['cores']} cores, {m['torch_threads']} torch threads"
    )


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
        out += [f"## Device: `{report['machine']['device']}`", ""]
        if report.get("quick"):
            out += ["**Quick smoke-test sizes, not a real measurement.**", ""]
        for result in report["benchmarks"]:
            title = result.get("title", result["name"])
            out += [f"### {title}", ""]
            if "error" in result:
                out += [f'!!! failure "This benchmark failed: {result["error"]}"', ""]
                continue
            m = result.get("machine", report["machine"])
            date = result.get("measured_at", m["date"])
            out += [
                f"*Measured {date} on {_where(m)}; Python {m['python']}, torch {m['torch']}.*",
                "",
            ]
            if result.get("description"):
                out += [SPHINX_ROLE.sub(r"\1", result["description"]), ""]
            if result.get("ratios"):
                out += [_ratio_line(r) for r in result["ratios"]] + [""]
            if result.get("rows"):
                out += [*_table(result["rows"], result.get("columns")), ""]
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
