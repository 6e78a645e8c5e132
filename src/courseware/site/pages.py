"""Read a page as the site renders it: snippet includes expanded, code blocks found.

The site expands ``--8<--`` includes with ``pymdownx.snippets``; we reuse that very
preprocessor, configured from ``mkdocs.yml``, so the code the tests run is the code a reader
sees. Markers such as ``<!--pytest-codeblocks:expected-output-->`` are parsed by
pytest-codeblocks' own ``extract_from_buffer``; this module only presents every fence to it in
a form it understands (``~~~`` fences, ``py`` fences, fences with a title and fences indented
inside tabs or admonitions included), so no python block can slip past it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
from pytest_codeblocks import extract_from_buffer

from .paths import Layout

__all__ = [
    "PYTHON_LANGUAGES",
    "Fence",
    "PageBlock",
    "PageError",
    "SnippetExpander",
    "parse_page",
    "read_page",
    "scan_fences",
]

PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "py3"})
"""Fence languages that are Python code to execute (compared lower-case)."""

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(?P<q>["'])(?P<target>[^"']+)(?P=q)\s*$""")


class PageError(Exception):
    """A page cannot be read or run; the message names the page and the line."""


@dataclass(frozen=True)
class Fence:
    """A fenced block: 0-based indices of its opening and closing lines in a list of lines."""

    start: int
    end: int
    indent: str
    marker: str
    info: str

    @property
    def language(self) -> str:
        """The fence's language, lower-case: ``python`` for ```` ```python title="x" ````."""
        info = self.info.strip()
        if info.startswith("{"):  # attribute list: {.python .annotate title="x"}
            m = re.search(r"\.([\w+-]+)", info)
            return m.group(1).lower() if m else ""
        return info.split()[0].lower() if info else ""

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON_LANGUAGES


def scan_fences(lines: list[str], where: str = "<text>") -> list[Fence]:
    """Find every fenced block (backticks or tildes, at any indentation) in ``lines``."""
    fences: list[Fence] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if m is None or (m.group("fence")[0] == "`" and "`" in m.group("info")):
            i += 1
            continue
        marker = m.group("fence")
        close = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if j == len(lines):
            raise PageError(f"{where}:{i + 1}: code fence {marker!r} is never closed")
        fences.append(Fence(i, j, m.group("indent"), marker, m.group("info")))
        i = j + 1
    return fences


class SnippetExpander:
    """Expands ``--8<--`` includes with the ``pymdownx.snippets`` options of ``mkdocs.yml``."""

    def __init__(self, snippet_options: dict[str, Any]) -> None:
        self.options = dict(snippet_options)
        self._md = markdown.Markdown(
            extensions=["pymdownx.snippets"],
            extension_configs={"pymdownx.snippets": self.options},
        )

    @classmethod
    def from_config_file(cls, config_file: Path) -> SnippetExpander:
        """Load the options with MkDocs' own loader (it resolves ``!relative``)."""
        from mkdocs.config import load_config

        config = load_config(str(config_file))
        options = config["mdx_configs"].get("pymdownx.snippets")
        if options is None:
            raise PageError(f"{config_file}: pymdownx.snippets is not configured")
        return cls(options)

    def expand_lines(self, lines: list[str]) -> list[str]:
        return list(self._md.preprocessors["snippet"].run(list(lines)))

    def expand(self, text: str, where: str = "<text>") -> str:
        try:
            return "\n".join(self.expand_lines(text.split("\n")))
        except Exception as exc:  # SnippetMissingError and friends
            raise PageError(f"{where}: snippet include failed: {exc}") from exc

    def base_paths(self) -> list[Path]:
        bases = self.options.get("base_path", ["."])
        return [Path(b) for b in ([bases] if isinstance(bases, str) else bases)]


@dataclass
class PageBlock:
    """One python block of a page, as a reader sees it."""

    index: int
    code: str
    fence: Fence
    source_line: int
    """1-based line of the opening fence in the page's own (unexpanded) Markdown."""
    origins: list[tuple[str, int]] = field(default_factory=list)
    """For each line of ``code``: (file, 1-based line) it came from."""
    marks: list[str] = field(default_factory=list)
    expected_output: str | None = None
    expected_output_ignore_whitespace: bool = False
    importorskip: str | None = None

    def origin(self, line: int) -> tuple[str, int]:
        """Where 1-based line ``line`` of the block's code came from."""
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return ("", self.source_line)


@dataclass
class Page:
    """A page after snippet expansion, with its python blocks."""

    name: str
    path: Path
    raw: str
    expanded: str
    blocks: list[PageBlock]

    @property
    def expanded_lines(self) -> list[str]:
        return self.expanded.split("\n")


def _normalized_for_codeblocks(lines: list[str], fences: list[Fence]) -> str:
    """Rewrite ``lines`` so that pytest-codeblocks sees every fence and every marker.

    Line numbers are preserved: prose becomes blank lines, marker comments and fences are kept
    (fences rewritten with backticks, python languages spelt ``python``).
    """
    out = [line if line.strip().startswith("<!--") else "" for line in lines]
    for f in fences:
        ticks = "`" * len(f.marker)
        info = "python" if f.is_python else f.info.replace("`", "").strip()
        out[f.start] = f"{f.indent}{ticks}{info}"
        out[f.end] = f"{f.indent}{ticks}"
        for k in range(f.start + 1, f.end):
            out[k] = lines[k]
    return "\n".join(out) + "\n"


def _origins(
    raw_body: list[str], code_lines: list[str], expander: SnippetExpander, page: str, first: int
) -> list[tuple[str, int]]:
    """Map each expanded code line to its file and line (best effort, never wrong silently)."""
    origins: list[tuple[str, int]] = []
    for offset, raw_line in enumerate(raw_body):
        m = _INCLUDE.match(raw_line)
        if m is None:
            origins.append((page, first + offset))
            continue
        target = m.group("target")
        file_part = re.sub(r"(:[\w-]+)?(:\d+(:\d+)?)?$", "", target)
        expanded = expander.expand_lines([raw_line])
        source = next(
            (b / file_part for b in expander.base_paths() if (b / file_part).is_file()), None
        )
        file_lines = source.read_text().split("\n") if source else []
        pos = 0
        for line in expanded:
            body = line.strip()
            found = next(
                (k for k in range(pos, len(file_lines)) if file_lines[k].strip() == body), None
            )
            if found is None:
                origins.append((page, first + offset))
            else:
                origins.append((file_part, found + 1))
                pos = found + 1
    if len(origins) != len(code_lines):  # an include form we do not map: point at the page
        return [(page, first) for _ in code_lines]
    return origins


def read_page(path: Path, expander: SnippetExpander, layout: Layout | None = None) -> Page:
    """Expand ``path`` and return its python blocks with their markers and origins."""
    name = layout.page_name(path) if layout else path.name
    return parse_page(path.read_text(encoding="utf-8"), name, path, expander)


def parse_page(raw: str, name: str, path: Path, expander: SnippetExpander) -> Page:
    """Expand the Markdown ``raw`` of page ``name`` and find its python blocks."""
    where = f"docs/{name}"
    if re.search(r"<!--[-\s]*pytest-codeblocks:[-\s]*cont[-\s]*-->", raw):
        raise PageError(
            f"{where}: the 'cont' marker is not used here: every python block of a page already "
            "runs in one shared namespace, in page order; remove the marker"
        )
    expanded = expander.expand(raw, where)
    lines = expanded.split("\n")
    fences = scan_fences(lines, where)
    raw_lines = raw.split("\n")
    raw_fences = scan_fences(raw_lines, where)
    same_shape = len(raw_fences) == len(fences)

    normalized = _normalized_for_codeblocks(lines, fences)
    try:
        found = extract_from_buffer(io.StringIO(normalized), max_num_lines=10**7)
    except RuntimeError as exc:
        raise PageError(f"{where}: bad pytest-codeblocks marker: {exc}") from exc
    python_fences = {f.start + 1: (k, f) for k, f in enumerate(fences) if f.is_python}
    blocks: list[PageBlock] = []
    for cb in found:
        if cb.lineno not in python_fences:
            continue
        k, fence = python_fences[cb.lineno]
        raw_fence = raw_fences[k] if same_shape else None
        source_line = raw_fence.start + 1 if raw_fence else fence.start + 1
        code_lines = cb.code.split("\n")[:-1] if cb.code.endswith("\n") else cb.code.split("\n")
        if raw_fence is not None:
            raw_body = [
                line[len(raw_fence.indent) :] if line.startswith(raw_fence.indent) else line
                for line in raw_lines[raw_fence.start + 1 : raw_fence.end]
            ]
            origins = _origins(raw_body, code_lines, expander, where, source_line + 1)
        else:
            origins = [(where, source_line) for _ in code_lines]
        blocks.append(
            PageBlock(
                index=len(blocks),
                code=cb.code,
                fence=fence,
                source_line=source_line,
                origins=origins,
                marks=list(cb.marks),
                expected_output=cb.expected_output,
                expected_output_ignore_whitespace=cb.expected_output_ignore_whitespace,
                importorskip=cb.importorskip,
            )
        )
    if len(blocks) != len(python_fences):
        raise PageError(
            f"{where}: found {len(python_fences)} python fences but pytest-codeblocks read "
            f"{len(blocks)}; a fence is probably malformed"
        )
    return Page(name=name, path=path, raw=raw, expanded=expanded, blocks=blocks)
