"""The course's learning path: the chapters in order, and the card that opens each one.

The order has one source, the ``The path`` section of ``mkdocs.yml``'s ``nav``. A chapter page
puts :data:`CHAPTER_CARD` right under its title; the plugin replaces it with the chapter's place
on the path (previous and next chapter) and its run time, read from the page's execution record.
The prerequisites and outcomes are the page's own prose, in two paragraphs right below the card,
and its ``## Summary`` ends with a bridge to the next chapter: :func:`path_problems` checks all
three.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHAPTER_CARD",
    "PATH_SECTION",
    "Chapter",
    "chapter_card",
    "learning_path",
    "path_problems",
    "run_time",
]

CHAPTER_CARD = "<!-- chapter-card -->"
"""The line under a chapter's title that the card replaces."""

PATH_SECTION = "The path"
"""The ``nav`` section of ``mkdocs.yml`` that lists the chapters in order."""

NEEDS, OUTCOMES, BRIDGE = "**You need:**", "**You will be able to:**", "**Next:**"
"""How the prerequisites, the outcomes and the bridge to the next chapter start."""


@dataclass(frozen=True)
class Chapter:
    """One stop on the path: its title in the nav and its page, relative to ``docs/``."""

    title: str
    page: str


def learning_path(nav: Any) -> list[Chapter]:
    """The chapters of the ``The path`` section of a MkDocs ``nav``, in order."""
    for entry in nav or []:
        if isinstance(entry, dict) and PATH_SECTION in entry:
            chapters = []
            for item in entry[PATH_SECTION]:
                if not (isinstance(item, dict) and len(item) == 1):
                    raise ValueError(
                        f"nav section {PATH_SECTION!r}: write each chapter as "
                        f"'- Title: page.md', not {item!r}"
                    )
                ((title, page),) = item.items()
                chapters.append(Chapter(str(title), str(page)))
            return chapters
    raise ValueError(f"mkdocs.yml's nav has no {PATH_SECTION!r} section listing the chapters")


def run_time(seconds: float) -> str:
    """A record's duration in words: seconds under two minutes, minutes above."""
    if seconds < 120:
        return f"{max(1, round(seconds))} s"
    return f"{seconds / 60:.0f} min"


def _link(chapter: Chapter, page_dir: str) -> str:
    return f"[{chapter.title}]({posixpath.relpath(chapter.page, page_dir or '.')})"


def chapter_card(
    path: list[Chapter], page: str, duration_s: float | None, machine: dict[str, Any] | None
) -> list[str]:
    """The markdown lines of ``page``'s card: its number, neighbours and the record's run time."""
    index = next((i for i, c in enumerate(path) if c.page == page), None)
    if index is None:
        raise ValueError(
            f"docs/{page} has a chapter card but is not in the nav's {PATH_SECTION!r} section"
        )
    page_dir = posixpath.dirname(page)
    where = [f"Chapter {index + 1} of {len(path)}"]
    if index > 0:
        where.append("after " + _link(path[index - 1], page_dir))
    if index + 1 < len(path):
        where.append("before " + _link(path[index + 1], page_dir))
    if duration_s is None or machine is None:
        timing = "This chapter runs no code."
    else:
        timing = (
            f"All of this page's code, top to bottom, ran in **{run_time(duration_s)}** on "
            f"{machine['cores']} CPU cores ({machine['cpu']}); the reproducibility "
            "box has the details."
        )
    return [
        '!!! abstract "Where this chapter sits on the learning path"',
        "",
        "    "
        + ", ".join(where)
        + ". The [course map]("
        + posixpath.relpath("index.md", page_dir or ".")
        + "#the-path) shows the whole path.",
        f"    {timing}",
    ]


def _paragraph_after(lines: list[str], start: int) -> Iterator[str]:
    """The first lines of each paragraph after ``start``, up to the next heading."""
    previous_blank = True
    for line in lines[start:]:
        if line.startswith("#"):
            return
        if line.strip() and previous_blank:
            yield line
        previous_blank = not line.strip()


def path_problems(path: list[Chapter], page: str, markdown: str) -> list[str]:
    """What a chapter page on the path lacks: card, prerequisites, outcomes, summary, bridge."""
    lines = markdown.split("\n")
    problems = []
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if title is None or CHAPTER_CARD not in lines[title + 1 : title + 3]:
        problems.append(f"put {CHAPTER_CARD} on the line after the page's '# Title'")
    else:
        firsts = list(_paragraph_after(lines, lines.index(CHAPTER_CARD) + 1))[:3]
        for start in (NEEDS, OUTCOMES):
            if not any(p.startswith(start) for p in firsts):
                problems.append(f"start a paragraph below the card with {start}")
    summary = next((i for i, line in enumerate(lines) if re.match(r"## Summary\s*$", line)), None)
    if summary is None:
        problems.append("give the chapter a '## Summary' section")
    elif not any(p.startswith(BRIDGE) for p in _paragraph_after(lines, summary + 1)):
        problems.append(f"end the summary with a paragraph starting {BRIDGE}")
    return [f"docs/{page}: {p}" for p in problems]
