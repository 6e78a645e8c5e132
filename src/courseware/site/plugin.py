"""MkDocs plugin: execution records, reproducibility stamps, notebooks and self-hosted KaTeX.

For every page with python blocks, the page's record (written by the tests or by
``nox -s execute``) must exist and match the page's current code; the build fails otherwise,
so the site can only show output that the code really produced. After each block the plugin
inserts what it printed and the figures it drew; at the top, a stamp and a notebook link.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from courseware.site.bench_page import (
    BENCH_FIGURE,
    BENCH_MARKER,
    BENCH_TABLE,
    bench_figure_markdown,
    bench_markdown,
    bench_table_markdown,
)
from courseware.site.learning_path import CHAPTER_CARD, chapter_card, learning_path, path_problems
from courseware.site.notebooks import page_to_notebook
from courseware.site.pages import Page, PageError, SnippetExpander, parse_page
from courseware.site.paths import Layout
from courseware.site.runner import PageRecord, load_record, page_key

log = logging.getLogger("mkdocs.plugins.dlcourse")

ALLOW_STALE_ENV = "DLCOURSE_ALLOW_STALE"
"""Set by ``nox -s serve``: a stale record gives a warning banner instead of a failed build."""

KATEX_FILES = ("katex.min.css", "katex.min.js", "contrib/auto-render.min.js")


class _State:
    """What the plugin learns in ``on_config`` and uses for every page of one build."""

    def __init__(self, config: Any) -> None:
        self.layout = Layout(Path(config["config_file_path"]).resolve().parent)
        self.expander = SnippetExpander(config["mdx_configs"]["pymdownx.snippets"])
        self.katex = self.layout.root / ".cache" / "npm" / "node_modules" / "katex" / "dist"
        self.allow_stale = os.environ.get(ALLOW_STALE_ENV) == "1"
        self.pages: dict[str, tuple[Page, PageRecord | None]] = {}
        try:
            self.path = learning_path(config["nav"])
        except ValueError as exc:
            raise PluginError(str(exc)) from exc


class CoursePlugin(BasePlugin):
    """Registered as the ``dlcourse`` plugin (entry point in pyproject.toml)."""

    def __init__(self) -> None:
        super().__init__()
        self.state: _State | None = None

    def _current(self) -> _State:
        if self.state is None:
            raise PluginError("the dlcourse plugin was used before on_config")
        return self.state

    def on_config(self, config: Any) -> Any:
        self.state = _State(config)
        return _check_katex(self.state, config)

    def on_files(self, files: Files, config: Any) -> Files:
        return _on_files(self._current(), files, config)

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        return _on_page_markdown(self._current(), page)


def _check_katex(state: _State, config: Any) -> Any:
    if not all((state.katex / f).is_file() for f in KATEX_FILES):
        raise PluginError(
            f"KaTeX is missing from {state.katex}. The site serves its own math renderer: "
            "run `nox -s docs` (it runs `npm ci` into .cache/npm), or `npm ci --prefix "
            ".cache/npm` after copying src/courseware/site/npm/package*.json there."
        )
    return config


def _read(state: _State, page_file: Path, name: str) -> tuple[Page, PageRecord | None]:
    if name not in state.pages:
        try:
            page = parse_page(
                page_file.read_text(encoding="utf-8"), name, page_file, state.expander
            )
        except PageError as exc:
            raise PluginError(str(exc)) from exc
        record = load_record(state.layout, name) if page.blocks else None
        state.pages[name] = (page, record)
    return state.pages[name]


def _on_files(state: _State, files: Files, config: Any) -> Files:
    dist = state.katex
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        rel = path.relative_to(dist).as_posix()
        if rel.endswith((".css", ".js", ".woff2")) and not rel.endswith(".mjs"):
            files.append(File.generated(config, f"assets/katex/{rel}", abs_src_path=str(path)))
    for file in list(files.documentation_pages()):
        name = file.src_uri
        page, record = _read(state, Path(file.abs_src_path), name)
        if not page.blocks:
            continue
        notebook = page_to_notebook(page, record, state.layout.records / Path(name).parent)
        files.append(File.generated(config, _notebook_uri(name), content=notebook))
    return files


def _notebook_uri(name: str) -> str:
    return f"notebooks/{name[: -len('.md')]}.ipynb"


def _fence_for(text: str) -> str:
    longest = max((len(r) for r in text.split("\n") if set(r.strip()) == {"`"}), default=0)
    return "`" * max(3, longest + 1)


def _block_outputs(
    record: PageRecord, page: Page, page_dir: str, records_rel: str
) -> dict[int, list[str]]:
    """Lines to insert after each block's closing fence."""
    inserts: dict[int, list[str]] = {}
    for block, result in zip(page.blocks, record.blocks, strict=True):
        ind = block.fence.indent
        out: list[str] = []
        if result.skipped is not None:
            out += [
                "",
                f'{ind}!!! warning "This block is not run by the tests"',
                "",
                f"{ind}    {result.skipped}",
            ]
        if result.xfail is not None:
            out += ["", f'{ind}!!! failure "This block raises, on purpose: {result.xfail}"']
        if result.stdout and block.expected_output is None:
            fence = _fence_for(result.stdout)
            out += ["", f'{ind}{fence}text title="Output"']
            out += [f"{ind}{line}" for line in result.stdout.rstrip("\n").split("\n")]
            out += [f"{ind}{fence}"]
        for fig in result.figures:
            target = posixpath.join(records_rel, fig["path"])
            src = posixpath.relpath(target, page_dir or ".")
            alt = fig["alt"].replace("[", "(").replace("]", ")")
            out += ["", f"{ind}![{alt}]({src}){{ loading=lazy }}"]
        if out:
            inserts[block.fence.end] = [*out, ""]
    return inserts


def _machine_rows(env: dict[str, Any]) -> list[str]:
    """The stamp's rows that tell machines apart (see ``courseware.site.machine``)."""
    get = lambda key: env.get(key, "not recorded")  # noqa: E731
    caps = ", ".join(f"`{k}={v}`" for k, v in sorted(env.get("numeric_env", {}).items()))
    isa = ", ".join(env["isa"]) if "isa" in env else "not recorded"
    return [
        f"    | CPU | {env['cpu']} ({get('cpu_vendor')}, family {get('cpu_family')}, "
        f"model {get('cpu_model')}), {env['cores']} cores |",
        f"    | Instruction set | ATen kernels: {get('aten_capability')}; CPU flags: {isa}"
        + (f"; capped by {caps}" if caps else "")
        + " |",
        f"    | Threads | {env['torch_threads']} torch threads |",
        f"    | oneDNN / MKL | {get('onednn')} / {get('mkl')} |",
    ]


def _stamp(record: PageRecord, notebook_href: str) -> list[str]:
    env = record.environment
    seeds = ", ".join(str(s) for s in record.seeds) or "none set by this page's code"
    device = f"`{env['device']}`" + (f" ({env['gpu']})" if env.get("gpu") else "")
    return [
        "",
        f"[:material-notebook-outline: Download this page as a notebook]({notebook_href})"
        "{ .md-button download }",
        "",
        '??? info "Reproducibility: how this page\'s output was produced"',
        "",
        f"    Every output and figure below was produced by running this page's code on "
        f"**{record.executed_at}**, top to bottom, in {record.duration_s} s.",
        "",
        "    | | |",
        "    |---|---|",
        f"    | Device | {device} |",
        *_machine_rows(env),
        f"    | Python | {env['python']} |",
        f"    | torch / torchvision | {env['torch']} / {env['torchvision']} |",
        f"    | gymnasium | {env['gymnasium']} |",
        f"    | numpy / matplotlib | {env['numpy']} / {env['matplotlib']} |",
        f"    | Seeds | {seeds} |",
        "",
        "    **Your numbers may differ in the last digits.** With the same versions and seeds, "
        "a machine with this CPU model, instruction set, thread count and oneDNN/MKL "
        "versions must print exactly this: the tests fail if it does not. On another CPU, "
        "oneDNN, MKL and PyTorch pick other float kernels, which round differently; long "
        "training runs "
        "(reinforcement learning, GANs) amplify those tiny differences into visibly different "
        "curves and scores. The page's claims are `assert`s in its code: the tests run them "
        "on every machine they run on, whether or not its digits match this record.",
        "",
        "    Regenerate it with `nox -s execute -- " + record.page + "`.",
        "",
    ]


def _generated_sections(
    state: _State, name: str, lines: list[str], record: PageRecord | None
) -> dict[int, list[str]]:
    """Lines that stand in for the chapter card and the benchmark markers, by line index."""
    bench_dir, page_dir = state.layout.docs / "_bench", posixpath.dirname(name)
    generated: dict[int, list[str]] = {}
    if any(c.page == name for c in state.path):
        problems = path_problems(state.path, name, "\n".join(lines))
        if problems:
            raise PluginError("; ".join(problems))
    for i, line in enumerate(lines):
        if line == CHAPTER_CARD:
            duration, machine = (record.duration_s, record.environment) if record else (None, None)
            try:
                generated[i] = chapter_card(state.path, name, duration, machine)
            except ValueError as exc:
                raise PluginError(str(exc)) from exc
        elif line == BENCH_MARKER:
            generated[i] = bench_markdown(bench_dir, page_dir)
        elif m := BENCH_FIGURE.match(line) or BENCH_TABLE.match(line):
            render = bench_figure_markdown if m.re is BENCH_FIGURE else bench_table_markdown
            try:
                generated[i] = render(bench_dir, m["name"], page_dir, m["indent"])
            except ValueError as exc:
                raise PluginError(f"docs/{name}: {exc}") from exc
    return generated


def _on_page_markdown(state: _State, page: Any) -> str:
    name = page.file.src_uri
    parsed, record = _read(state, Path(page.file.abs_src_path), name)
    lines = parsed.expanded_lines
    generated = _generated_sections(state, name, lines, record)
    if not parsed.blocks:
        return "\n".join(x for i, line in enumerate(lines) for x in generated.get(i, [line]))
    where = f"docs/{name}"
    key = page_key(parsed, state.layout, device_type="cpu")
    problem = None
    if record is None:
        problem = f"{where} has python blocks but no execution record"
    elif record.key != key:
        problem = f"{where}: its execution record is stale (the code or the library changed)"
    if problem:
        advice = f"run `nox -s execute -- {name}` (or `nox -s tests`) and rebuild"
        if not state.allow_stale:
            raise PluginError(f"{problem}; {advice}")
        log.info("%s; %s", problem, advice)  # strict builds never get here
        if record is None or len(record.blocks) != len(parsed.blocks):
            # preview only: the page without outputs (they no longer line up), under a banner
            banner = ['!!! danger "Not executed yet"', "", f"    {problem}. {advice}.", ""]
            return "\n".join(banner + lines)
    page_dir = posixpath.dirname(name)
    records_rel = posixpath.relpath(
        state.layout.records.relative_to(state.layout.docs).as_posix(), "."
    )
    records_rel = posixpath.join(records_rel, posixpath.dirname(name)) if page_dir else records_rel
    assert record is not None
    inserts = _block_outputs(record, parsed, page_dir, records_rel)
    notebook_href = posixpath.relpath(_notebook_uri(name), page_dir or ".")
    out: list[str] = []
    stamped = False
    for i, line in enumerate(lines):
        out += generated.get(i, [line])
        if not stamped and line.startswith("# "):
            out += _stamp(record, notebook_href)
            if problem:
                out += ['!!! danger "Stale output"', "", f"    {problem}. {advice}.", ""]
            stamped = True
        out += inserts.get(i, [])
    if not stamped:
        raise PluginError(f"{where}: a page with code needs a '# Title' line for its stamp")
    return "\n".join(out)
