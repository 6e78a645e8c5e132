"""Turn a page into a Jupyter notebook: the same code, snippets expanded, outputs attached."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from .pages import Page
from .runner import PageRecord

__all__ = ["page_to_notebook"]

_CONTAINER = re.compile(r"^(?P<indent>\s*)(?:!!!|\?\?\?\+?|===)\s*(?P<rest>.*)$")
_MARKER = re.compile(r"^\s*<!--[-\s]*pytest[-.\w]*[:.].*-->\s*$")


def _markdown_for_jupyter(lines: list[str]) -> str:
    """Admonitions, folded blocks and tabs become bold titles; their bodies are un-indented."""
    out: list[str] = []
    containers: list[int] = []  # indentation of the open containers
    for line in lines:
        if _MARKER.match(line):
            continue
        width = len(line) - len(line.lstrip())
        while containers and line.strip() and width <= containers[-1]:
            containers.pop()
        depth = 4 * len(containers)
        body = line[depth:] if line[:depth].strip() == "" else line.lstrip()
        m = _CONTAINER.match(body)
        if m:
            rest = m.group("rest").strip()
            title = re.search(r'"(.*)"', rest)
            kind = rest.split()[0] if rest and not rest.startswith('"') else ""
            out.append(f"**{title.group(1) if title else kind.capitalize()}**")
            containers.append(width)
            continue
        out.append(body)
    return "\n".join(out).strip("\n")


def page_to_notebook(page: Page, record: PageRecord | None, figure_root: Path) -> str:
    """Return the ``.ipynb`` JSON of ``page``; ``record`` adds the outputs the site shows."""
    lines = page.expanded_lines
    results = {b.index: b for b in record.blocks} if record else {}
    cells = [
        new_markdown_cell(
            f"*Generated from the course page `{page.name}`: the same code, in the same order. "
            "It needs the course package `dlcourse` installed (see Getting started).*"
        )
    ]
    cursor = 0
    for block in page.blocks:
        text = _markdown_for_jupyter(lines[cursor : block.fence.start])
        if text.strip():
            cells.append(new_markdown_cell(text))
        cell = new_code_cell(block.code.rstrip("\n"))
        result = results.get(block.index)
        if result is not None:
            if result.stdout:
                cell.outputs.append(new_output("stream", name="stdout", text=result.stdout))
            for fig in result.figures:
                data = (figure_root / fig["path"]).read_bytes()
                mime = "image/gif" if fig["path"].endswith(".gif") else "image/png"
                cell.outputs.append(
                    new_output(
                        "display_data",
                        data={
                            mime: base64.b64encode(data).decode(),
                            "text/plain": fig["alt"],
                        },
                    )
                )
        cells.append(cell)
        cursor = block.fence.end + 1
    tail = _markdown_for_jupyter(lines[cursor:])
    if tail.strip():
        cells.append(new_markdown_cell(tail))
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nbformat.writes(nb)
