"""Shared fixtures and the summary of page blocks the tests did not run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlcourse._site.pages import SnippetExpander
from dlcourse._site.paths import Layout

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_BLOCKS = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SKIPPED_BLOCKS] = []


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(ROOT)


@pytest.fixture(scope="session")
def expander(layout: Layout) -> SnippetExpander:
    return SnippetExpander.from_config_file(layout.config_file)


@pytest.fixture
def skipped_blocks(request: pytest.FixtureRequest) -> list[str]:
    return request.config.stash[SKIPPED_BLOCKS]


def device_under_test() -> str:
    return os.environ.get("DLCOURSE_DEVICE", "auto")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    skipped = config.stash.get(SKIPPED_BLOCKS, [])
    if skipped:
        terminalreporter.section("page blocks not run (with their written reasons)")
        for line in skipped:
            terminalreporter.write_line(line)
