"""Every python block of every page runs, in page order, as one program.

Each page is expanded exactly as the site renders it, executed, and held against its committed
execution record (the outputs and figures the site shows) by the drift policy of
:class:`courseware.site.runner.Execution`:

- a record that is missing or stale fails: run ``nox -s execute -- PAGE.md`` and commit it;
- on the machine that wrote the record (same fingerprint), any difference in what a block
  printed or drew fails: a typed number or a block that is not deterministic;
- on another machine every block still runs and every ``assert`` on the page is enforced; the
  numeric differences are listed in the test summary, not failed.

These tests never write to ``docs/``: the site that ``test_site.py`` builds is the committed
one, whatever order the tests run in.
"""

from __future__ import annotations

import pytest

from courseware.site.pages import PageError, SnippetExpander, read_page
from courseware.site.paths import Layout
from courseware.site.runner import execute_page, load_record

from .conftest import ROOT

PAGES = Layout(ROOT).pages()
SLOW_PAGE_S = 5.0
"""A page whose committed record took longer than this to run is marked ``slow``."""


def _param(path):
    layout = Layout(ROOT)
    name = layout.page_name(path)
    record = load_record(layout, name)
    slow = record is not None and record.duration_s > SLOW_PAGE_S
    return pytest.param(path, id=name, marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("path", [_param(p) for p in PAGES])
def test_page_code_runs(
    path,
    layout: Layout,
    expander: SnippetExpander,
    record_property,
) -> None:
    try:
        page = read_page(path, expander, layout)
        if not page.blocks:
            return  # a prose page: reading it proved its includes resolve
        run = execute_page(page, layout, write=False)
    except PageError as exc:
        pytest.fail(str(exc), pytrace=False)
    for block in run.record.blocks:
        if block.skipped is not None:
            record_property("skipped_block", f"docs/{page.name}:{block.line}: {block.skipped}")
    if run.verdict == "stale":
        pytest.fail(
            f"docs/{page.name}: its committed execution record is stale or missing; run "
            f"`nox -s execute -- {page.name}` and commit docs/_executed",
            pytrace=False,
        )
    assert run.verdict != "drift", (
        f"docs/{page.name}: same code, same machine, different output than its record "
        "(a typed number, or a block that is not deterministic):\n" + "\n".join(run.drift)
    )
    if run.verdict == "differs-elsewhere":
        record_property(
            "machine_difference",
            f"docs/{page.name}: {len(run.drift)} of {len(run.record.blocks)} blocks differ; "
            f"this machine is not the record's ({'; '.join(run.machine)})\n" + "\n".join(run.drift),
        )
