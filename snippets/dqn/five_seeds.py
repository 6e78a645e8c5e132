"""Five seeds of the default config, from the benchmark run (`nox -s bench`)."""

import json
from pathlib import Path

import dlcourse
from dlcourse.plots.dqn import plot_training_curves

results = Path(dlcourse.__file__).resolve().parents[2] / "docs" / "_bench" / "results-cpu.json"
bench = next(
    b for b in json.loads(results.read_text())["benchmarks"] if b["name"] == "dqn-cartpole"
)
ours = [r for r in bench["rows"] if r["impl"] == "dlcourse"]
for row in ours:
    print(
        f"seed {row['seed']}: {row['env_steps']:>6} env steps, "
        f"evaluation mean {row['eval_mean_return']:.1f}, solved {row['solved']}"
    )
fig = plot_training_curves(
    [(r["episode_end_steps"], r["episode_returns"]) for r in ours],
    labels=[f"seed {r['seed']}" for r in ours],
)
