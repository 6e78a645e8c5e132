"""The learning path: one order (mkdocs.yml), a card on every chapter, summaries with bridges."""

from __future__ import annotations

from typing import Any

import pytest
from mkdocs.config import load_config

from courseware.site.learning_path import (
    CHAPTER_CARD,
    Chapter,
    chapter_card,
    learning_path,
    path_problems,
    run_time,
)
from courseware.site.runner import load_record

from .conftest import ROOT

ORDER = [
    "getting-started.md",
    "mrp.md",
    "mdp.md",
    "dp.md",
    "td.md",
    "dqn.md",
    "pg.md",
    "gan.md",
]
"""The path of issues 15 and 16: reward processes before decision processes, TD before DQN,
policy gradients after DQN and before the GANs."""


@pytest.fixture(scope="module")
def path() -> list[Chapter]:
    return learning_path(load_config(str(ROOT / "mkdocs.yml"))["nav"])


def test_the_nav_lists_the_chapters_in_the_course_order(path: list[Chapter], layout: Any) -> None:
    assert [c.page for c in path] == ORDER
    # the pages are executed (nox -s execute, test_pages) in the same order, chapters first
    assert [layout.page_name(p) for p in layout.pages()][: len(ORDER)] == ORDER
    assert learning_path(layout.nav()) == path


@pytest.mark.parametrize("page", ORDER)
def test_every_chapter_opens_with_its_card_and_ends_with_a_bridge(
    path: list[Chapter], page: str
) -> None:
    markdown = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert path_problems(path, page, markdown) == []


@pytest.mark.parametrize("page", ORDER)
def test_the_card_takes_the_run_time_from_the_record(
    path: list[Chapter], page: str, layout: Any
) -> None:
    record = load_record(layout, page)
    assert record is not None, f"docs/{page} has no execution record"
    card = "\n".join(chapter_card(path, page, record.duration_s, record.environment))
    assert f"Chapter {ORDER.index(page) + 1} of {len(ORDER)}" in card
    assert f"**{run_time(record.duration_s)}**" in card
    assert f"{record.environment['cores']} CPU cores" in card


def test_a_chapter_missing_its_parts_is_named() -> None:
    path = [Chapter("One", "one.md"), Chapter("Two", "two.md")]
    bare = "# One\n\nSome text.\n\n## Exercises\n"
    problems = path_problems(path, "one.md", bare)
    assert any(CHAPTER_CARD in p for p in problems)
    assert any("## Summary" in p for p in problems)
    no_bridge = f"# One\n{CHAPTER_CARD}\n\n**You need:** a.\n\n**You will be able to:** b.\n\n"
    no_bridge += "## Summary\n\n- a point\n\n## Exercises\n"
    assert path_problems(path, "one.md", no_bridge) == [
        "docs/one.md: end the summary with a paragraph starting **Next:**"
    ]
    complete = no_bridge.replace("- a point\n", "- a point\n\n**Next:** [Two](two.md).\n")
    assert path_problems(path, "one.md", complete) == []


def test_the_card_names_its_neighbours_and_refuses_a_page_off_the_path() -> None:
    path = [Chapter("One", "one.md"), Chapter("Two", "two.md"), Chapter("Three", "three.md")]
    card = "\n".join(chapter_card(path, "two.md", 75.4, {"cores": 2, "cpu": "Some CPU"}))
    assert "Chapter 2 of 3" in card and "after [One](one.md)" in card
    assert "before [Three](three.md)" in card and "**75 s** on 2 CPU cores (Some CPU)" in card
    with pytest.raises(ValueError, match="not in the nav's 'The path' section"):
        chapter_card(path, "four.md", 1.0, {"cores": 2, "cpu": "x"})


def test_run_times_read_as_seconds_then_minutes() -> None:
    assert [run_time(s) for s in (0.2, 18.5, 119.0, 250.0)] == ["1 s", "18 s", "119 s", "4 min"]


def test_a_nav_without_the_path_section_is_refused() -> None:
    with pytest.raises(ValueError, match="no 'The path' section"):
        learning_path([{"Home": ["index.md"]}])
    with pytest.raises(ValueError, match="write each chapter as"):
        learning_path([{"The path": ["mrp.md"]}])
