"""Prove the course's promise on a built site: every python block shown was executed.

Every ``language-python`` code block in ``site/`` (whatever fence produced it: ``~~~``, ``py``,
a title, inside a tab or admonition) must match, by the hash of its code, a block that the
page's execution record says ran or was skipped with a written reason. Code rendered by the
API reference (mkdocstrings' source listings) is library source, not page code, and is exempt.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .paths import Layout
from .runner import code_digest, load_record

__all__ = ["CoverageReport", "check_site"]


class _PythonBlocks(HTMLParser):
    """Collects the text of python code blocks, noting those inside mkdocstrings output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, is python block, in api doc)
        self._text: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        in_doc = any(doc for _, _, doc in self._stack) or "doc" in classes
        python = "language-python" in classes or "language-py" in classes
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            return
        self._stack.append((tag, python, in_doc))
        if python and self._text is None and not in_doc:
            self._text, self._depth = [], len(self._stack)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            top, _, _ = self._stack.pop()
            if self._text is not None and len(self._stack) < self._depth:
                self.blocks.append("".join(self._text))
                self._text = None
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _html_for(page_name: str, site: Path) -> Path:
    stem = page_name[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return site / f"{stem}.html"
    return site / stem / "index.html"


@dataclass
class CoverageReport:
    checked: int
    problems: list[str]
    skipped: list[str]


def _page_for_html(html: Path, site: Path, layout: Layout) -> str | None:
    rel = html.relative_to(site).as_posix()
    candidates = [rel[: -len("index.html")] + "index.md"]
    if rel.endswith("/index.html"):
        candidates.append(rel[: -len("/index.html")] + ".md")
    return next((c for c in candidates if (layout.docs / c).is_file()), None)


def check_site(site: Path, layout: Layout) -> CoverageReport:
    """Check every HTML page of ``site`` against the execution records."""
    problems: list[str] = []
    skipped: list[str] = []
    checked = 0
    for html in sorted(site.rglob("*.html")):
        parser = _PythonBlocks()
        parser.feed(html.read_text(encoding="utf-8"))
        if not parser.blocks:
            continue
        page = _page_for_html(html, site, layout)
        record = load_record(layout, page) if page else None
        if record is None:
            problems.append(
                f"{html.relative_to(site)}: {len(parser.blocks)} python block(s) but no execution "
                f"record for {page or 'any page in docs/'}"
            )
            continue
        ran = {b.code_sha256: b for b in record.blocks}
        for n, text in enumerate(parser.blocks, 1):
            checked += 1
            result = ran.get(code_digest(text))
            if result is None:
                first = text.strip().split("\n")[0][:80]
                problems.append(
                    f"docs/{page}: python block {n} in the built page was not executed by the "
                    f"page runner (starts with: {first!r})"
                )
            elif result.skipped:
                skipped.append(f"docs/{page}:{result.line}: skipped: {result.skipped}")
    return CoverageReport(checked=checked, problems=problems, skipped=skipped)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    layout = Layout.discover()
    site = Path(args[0]) if args else layout.root / "site"
    report = check_site(site, layout)
    for line in report.skipped:
        print(line)
    if report.problems:
        print("\n".join(report.problems), file=sys.stderr)
        print(f"FAILED: {len(report.problems)} python block(s) in {site} were not executed")
        return 1
    print(f"ok: all {report.checked} python blocks in {site} were executed")
    return 0
