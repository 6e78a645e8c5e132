"""``python -m courseware.bench [--quick] [--only NAME ...] [--out DIR]``: run every benchmark.

Writes ``DIR/results-<device>.json`` (machine information, every benchmark's rows and the
ratios derived from them) and one scaling plot per benchmark that has a size axis. The
Performance page is generated from these files; nothing on it is typed by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

SUITES: tuple[tuple[str, str, str], ...] = (
    ("value-iteration", "courseware.bench.dp", "run"),
    ("lcs", "courseware.bench.dp", "run_lcs"),
    ("dqn-cartpole", "courseware.bench.dqn", "run"),
    ("ppo-cartpole", "courseware.bench.pg", "run_cartpole"),
    ("ppo-pendulum", "courseware.bench.pg", "run_pendulum"),
    ("gan-throughput", "courseware.bench.gan", "run"),
    ("gan-ablation", "courseware.bench.gan", "run_ablation"),
)
"""(name, module, function) of every benchmark, in the order the page shows them."""

SIZE_KEYS = ("states", "length", "size", "n")


def machine_info() -> dict[str, Any]:
    """When and where the benchmarks ran: the page runner's machine fingerprint and versions."""
    import torch

    from courseware.site.machine import fingerprint

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "gpu": None,
        **fingerprint(),
    }


def _median(values: Any) -> float | None:
    if isinstance(values, list) and values and all(isinstance(v, int | float) for v in values):
        return float(statistics.median(values))
    if isinstance(values, int | float):
        return float(values)
    return None


def _size_key(rows: list[dict[str, Any]]) -> str | None:
    return next((k for k in SIZE_KEYS if rows and all(k in r for r in rows)), None)


def ratios(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Peer over ours for every size where both ran: median seconds, or throughput inverted.

    Where ours ran several times (seeds) on a time metric, ``slowest_speedup`` is the peer's
    median over our slowest run.
    """
    rows = result.get("rows", [])
    key = _size_key(rows)
    impls = sorted({r.get("impl") for r in rows if r.get("impl")})
    ours = "dlcourse"
    out: list[dict[str, Any]] = []
    metric = next(
        (
            m
            for m in ("seconds", "images_per_second", "train_seconds", "seconds_to_solve")
            if any(m in r for r in rows)
        ),
        None,
    )
    if metric is None or ours not in impls:
        return out
    faster_is_higher = metric == "images_per_second"
    groups: dict[Any, dict[str, list[float]]] = {}
    for r in rows:
        value = _median(r.get(metric))
        if value is None or r.get(metric) is None:
            continue
        groups.setdefault(r.get(key) if key else None, {}).setdefault(r["impl"], []).append(value)
    for size, by_impl in groups.items():
        if ours not in by_impl:
            continue
        mine = statistics.median(by_impl[ours])
        for peer, values in by_impl.items():
            if peer == ours or mine == 0:
                continue
            theirs = statistics.median(values)
            speedup = mine / theirs if faster_is_higher else theirs / mine
            entry = {"size": size, "size_key": key, "peer": peer, "metric": metric}
            entry["speedup"] = speedup
            if not faster_is_higher and len(by_impl[ours]) > 1:  # several runs, e.g. seeds
                entry["slowest_speedup"] = theirs / max(by_impl[ours])  # peer median / our max
            out.append(entry)
    return out


def scaling_plot(result: dict[str, Any], path: Path) -> str | None:
    """Log-log plot of median seconds against size, one line per implementation."""
    rows = result.get("rows", [])
    key = _size_key(rows)
    if key is None or not any("seconds" in r for r in rows):
        return None
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for impl in sorted({r["impl"] for r in rows}):
        points = sorted(
            (r[key], _median(r["seconds"]))
            for r in rows
            if r["impl"] == impl and _median(r.get("seconds")) is not None
        )
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=impl)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(key)
    ax.set_ylabel("median seconds")
    ax.set_title(result.get("title", result["name"]))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return path.name


def training_curves(result: dict[str, Any], path: Path) -> dict[str, str] | None:
    """For rows that carry per-episode returns (CartPole runs): each seed's curve, mean, band."""
    rows = [
        r for r in result.get("rows", []) if "episode_returns" in r and "episode_end_steps" in r
    ]
    ours = [r for r in rows if r.get("impl") == "dlcourse"]
    if not ours:
        return None
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from dlcourse.plots.dqn import plot_training_curves

    fig = plot_training_curves(
        [(r["episode_end_steps"], r["episode_returns"]) for r in ours],
        threshold=float(result.get("solved_threshold", 475.0)),
        labels=[f"seed {r['seed']}" for r in ours],
    )
    what = result.get("title", result["name"]).split(":")[0]  # "DQN on CartPole-v1"
    fig.axes[0].set_title(f"dlcourse, {what}, default config, {len(ours)} seeds")
    fig.savefig(path, dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    alt = (
        f"Training returns of dlcourse's {what}, default config, for {len(ours)} seeds, "
        "with their mean, min-max band and the 475 line"
    )
    return {"path": path.name, "alt": alt}


def add_figures(result: dict[str, Any], out: Path, device: str) -> None:
    """The scaling plot and training curves of one benchmark, written next to its results."""
    plot = scaling_plot(result, out / f"{result['name']}-{device}.png")
    if plot:
        result["plot"] = plot
    curves = training_curves(result, out / f"{result['name']}-curves-{device}.png")
    if curves:
        result["figures"] = [curves]


def replot(out: Path) -> int:
    """Redraw every figure from the results files already in ``out`` (no measurement)."""
    for target in sorted(out.glob("results-*.json")):
        device = target.stem.removeprefix("results-")
        report = json.loads(target.read_text())
        for result in report["benchmarks"]:
            if "error" not in result:
                add_figures(result, out, device)
        target.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
        print(f"[bench] redrew the figures of {target}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m courseware.bench")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    parser.add_argument("--out", default="docs/_bench", help="output folder")
    parser.add_argument("--replot", action="store_true", help="redraw figures, measure nothing")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.replot:
        return replot(out)
    info = machine_info()
    device = info["device"].split(":")[0]
    report: dict[str, Any] = {"machine": info, "quick": args.quick, "benchmarks": []}
    status = 0
    for name, module, function in SUITES:
        if args.only is not None and name not in args.only:
            continue
        print(f"[bench] {name} ...", flush=True)
        start = time.perf_counter()
        try:
            result = getattr(importlib.import_module(module), function)(quick=args.quick)
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            report["benchmarks"].append({"name": name, "error": f"{type(exc).__name__}: {exc}"})
            status = 1
            continue
        result.setdefault("name", name)
        result["ratios"] = ratios(result)
        add_figures(result, out, device)
        result["wall_seconds"] = round(time.perf_counter() - start, 1)
        result["measured_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        result["machine"] = info  # a later --only run on another machine keeps this one's
        report["benchmarks"].append(result)
        print(f"[bench] {name} done in {result['wall_seconds']} s", flush=True)
    target = out / f"results-{device}.json"
    if args.only is not None and target.is_file():  # keep the benchmarks not rerun this time
        previous = json.loads(target.read_text())
        if previous.get("quick") == args.quick:
            rerun = {b["name"] for b in report["benchmarks"]}
            kept = [
                {"machine": previous["machine"], **b}  # files written before per-result machines
                for b in previous["benchmarks"]
                if b["name"] not in rerun
            ]
            order = [name for name, _, _ in SUITES]
            report["benchmarks"] = sorted(
                kept + report["benchmarks"],
                key=lambda b: order.index(b["name"]) if b["name"] in order else len(order),
            )
    target.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(f"[bench] wrote {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
