"""Every python block of every page runs, in page order, as one program.

Each page is expanded exactly as the site renders it, executed, and its execution record
(outputs and figures that the site shows) is written or confirmed. In CI (``CI=true``) a record
that was stale before the run fails the test: the committed site must be current.
"""

from __future__ import annotations

import os

import pytest

from dlcourse._site.pages import PageError, SnippetExpander, read_page
from dlcourse._site.paths import RECORD_DIR_ENV, Layout
from dlcourse._site.runner import execute_page

from .conftest import ROOT

PAGES = Layout(ROOT).pages()


@pytest.mark.parametrize(
    "path", PAGES, ids=[p.relative_to(ROOT / "docs").as_posix() for p in PAGES]
)
def test_page_code_runs(
    path, layout: Layout, expander: SnippetExpander, skipped_blocks: list[str]
) -> None:
    try:
        page = read_page(path, expander, layout)
        if not page.blocks:
            return  # a prose page: reading it proved its includes resolve
        run = execute_page(page, layout)
    except PageError as exc:
        pytest.fail(str(exc), pytrace=False)
    for block in run.record.blocks:
        if block.skipped is not None:
            skipped_blocks.append(f"docs/{page.name}:{block.line}: {block.skipped}")
    assert not run.drift, (
        f"docs/{page.name}: same code, different output than its record (not reproducible):\n"
        + "\n".join(run.drift)
    )
    in_ci = os.environ.get("CI", "").lower() == "true" and not os.environ.get(RECORD_DIR_ENV)
    if in_ci and run.was_stale:
        pytest.fail(
            f"docs/{page.name}: the committed execution record was stale or missing; run "
            f"`nox -s execute -- {page.name}` and commit docs/_executed",
            pytrace=False,
        )
