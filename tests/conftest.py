"""Shared fixtures, the seeds learning tests may use, and the summary of what pages reported.

``test_pages`` reports through ``record_property`` (``skipped_block``, ``machine_difference``),
which pytest-xdist carries from its workers, so the summary is complete under ``-n`` too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from courseware.site.pages import SnippetExpander
from courseware.site.paths import Layout
from courseware.site.runner import load_record

ROOT = Path(__file__).resolve().parents[1]


REPORT_SECTIONS = (
    ("skipped_block", "page blocks not run (with their written reasons)", ""),
    (
        "machine_difference",
        "page outputs that differ on this machine (reported, not failed)",
        "Every block ran and every assert held; the records were written on another machine, "
        "so float results may differ (see the page stamp).",
    ),
)
"""(property name, summary title, intro line) of what page tests report."""


class PageReports:
    """Collects what page tests report and prints it at the end of the run."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {name: [] for name, _, _ in REPORT_SECTIONS}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            for name, value in report.user_properties:
                if name in self.found:
                    self.found[name].append(str(value))

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for name, title, intro in REPORT_SECTIONS:
            if self.found[name]:
                terminalreporter.section(title)
                for line in ([intro] if intro else []) + self.found[name]:
                    terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(PageReports(), "dlcourse-page-reports")


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(ROOT)


@pytest.fixture(scope="session")
def expander(layout: Layout) -> SnippetExpander:
    return SnippetExpander.from_config_file(layout.config_file)


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
