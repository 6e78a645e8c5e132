"""Side-by-side benchmarks: our implementations against the tools people would use instead.

Each module here exposes ``run(quick: bool = False) -> dict`` returning JSON-able results
(``name``, ``title``, ``description``, ``rows``). ``python -m courseware.bench`` (what
``nox -s bench`` runs) calls them all, adds machine information and ratios, and writes
``docs/_bench/``, from which the site's Performance page is generated. ``quick=True`` runs
tiny sizes: the test suite uses it as a smoke test, never as a timing.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["summary", "timeit"]


def timeit(fn: Callable[[], object], repeats: int = 3, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    if repeats < 1 or warmup < 0:
        raise ValueError(f"need repeats >= 1 and warmup >= 0, got {repeats} and {warmup}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def summary(values: list[float]) -> dict[str, float]:
    """Minimum and median of repeated measurements."""
    return {"min": min(values), "median": statistics.median(values)}
