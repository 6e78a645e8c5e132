"""Where things live in the repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Layout", "find_root"]


def find_root(start: Path | None = None) -> Path:
    """Return the repository root: the first folder upwards that holds ``mkdocs.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    raise FileNotFoundError(
        f"no mkdocs.yml in {here} or any folder above it; run this from the course repository"
    )


@dataclass(frozen=True)
class Layout:
    """The folders of a course repository rooted at ``root``."""

    root: Path

    @classmethod
    def discover(cls, start: Path | None = None) -> Layout:
        return cls(find_root(start))

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def src(self) -> Path:
        return self.root / "src" / "dlcourse"

    @property
    def records(self) -> Path:
        """Execution records and their figures: ``docs/_executed``."""
        return self.docs / "_executed"

    def nav(self) -> list:
        """The ``nav`` of ``mkdocs.yml`` (its ``!relative`` and ``!!python`` tags read as None)."""
        loader = type("_NavLoader", (yaml.SafeLoader,), {})
        loader.add_multi_constructor("", lambda _loader, _suffix, _node: None)
        config = yaml.load(self.config_file.read_text(encoding="utf-8"), Loader=loader)
        return (config or {}).get("nav") or []

    def pages(self) -> list[Path]:
        """Every Markdown page under ``docs/``: the learning path's chapters in their order
        first (the ``The path`` section of the nav), then the other pages, sorted."""
        from courseware.site.learning_path import learning_path

        order = {c.page: i for i, c in enumerate(learning_path(self.nav()))}
        pages = [p for p in self.docs.rglob("*.md") if "_executed" not in p.parts]
        return sorted(pages, key=lambda p: (order.get(self.page_name(p), len(order)), str(p)))

    def page_name(self, page: Path) -> str:
        """The page's path relative to ``docs/``, with forward slashes (``mdp/index.md``)."""
        return page.resolve().relative_to(self.docs.resolve()).as_posix()
