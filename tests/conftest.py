"""Shared fixtures and the summary of page blocks the tests did not run."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from dlcourse._site.pages import SnippetExpander
from dlcourse._site.paths import Layout
from dlcourse._site.runner import load_record

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_BLOCKS = pytest.StashKey[list[str]]()
MACHINE_DIFFERENCES = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SKIPPED_BLOCKS] = []
    config.stash[MACHINE_DIFFERENCES] = []


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(ROOT)


@pytest.fixture(scope="session")
def expander(layout: Layout) -> SnippetExpander:
    return SnippetExpander.from_config_file(layout.config_file)


@pytest.fixture
def skipped_blocks(request: pytest.FixtureRequest) -> list[str]:
    return request.config.stash[SKIPPED_BLOCKS]


@pytest.fixture
def machine_differences(request: pytest.FixtureRequest) -> list[str]:
    return request.config.stash[MACHINE_DIFFERENCES]


def seeds_off_the_page(page: str, seeds: Iterable[int]) -> list[int]:
    """``seeds``, checked to be none of those the page's record says its code trained.

    Each learning claim is proved once per test run for each seed: the page proves it for its
    own seed (its code ``assert``s the claim, and ``test_pages`` runs it), and the learning
    tests prove it for other seeds. A test that retrained the page's seed would prove nothing
    new in twice the time, so collecting one is an error.
    """
    chosen = list(seeds)
    record = load_record(Layout(ROOT), page)
    if record is None:
        raise pytest.UsageError(f"docs/{page} has no execution record to take its seeds from")
    repeated = sorted(set(chosen) & set(record.seeds))
    if repeated:
        raise pytest.UsageError(
            f"seeds {repeated} are already trained by docs/{page}; test other seeds"
        )
    return chosen


def device_under_test() -> str:
    return os.environ.get("DLCOURSE_DEVICE", "auto")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    skipped = config.stash.get(SKIPPED_BLOCKS, [])
    if skipped:
        terminalreporter.section("page blocks not run (with their written reasons)")
        for line in skipped:
            terminalreporter.write_line(line)
    differences = config.stash.get(MACHINE_DIFFERENCES, [])
    if differences:
        terminalreporter.section("page outputs that differ on this machine (reported, not failed)")
        terminalreporter.write_line(
            "Every block ran and every assert held; the records were written on another machine,"
            " so float results may differ (see the page stamp)."
        )
        for text in differences:
            terminalreporter.write_line(text)
