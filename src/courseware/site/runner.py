"""Execute a page's python blocks as one program and keep what they printed and drew.

A page runs top to bottom in one namespace whose ``__name__`` is ``"__main__"``, in a fresh
temporary working folder. After each block, what it printed to stdout and every matplotlib
figure it left open are recorded. The record (JSON) and the figures (PNG) go to
``docs/_executed/``; the site shows exactly those. A record carries a key: the hash of the
page's code, of the ``dlcourse`` sources and of the versions that can change results, so a
stale record is recognised.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import datetime as dt
import difflib
import hashlib
import importlib
import io
import json
import linecache
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .machine import fingerprint, machine_changes
from .pages import Page, PageBlock, PageError
from .paths import Layout

__all__ = [
    "BlockResult",
    "Execution",
    "PageRecord",
    "code_digest",
    "execute_page",
    "load_record",
    "page_key",
]

KEYED_PACKAGES = ("torch", "torchvision", "gymnasium", "numpy", "matplotlib")
"""Packages whose version is part of a record's key (and shown in the page's stamp)."""

_FIG_DPI = 100

MEDIA_SUFFIXES = frozenset({".gif"})
"""Files a block writes into its working folder that the page shows (animations)."""


@dataclass
class BlockResult:
    index: int
    line: int
    code_sha256: str = ""
    stdout: str = ""
    figures: list[dict[str, str]] = field(default_factory=list)
    skipped: str | None = None
    xfail: str | None = None
    duration_s: float = 0.0


@dataclass
class PageRecord:
    page: str
    key: str
    executed_at: str
    duration_s: float
    environment: dict[str, Any]
    seeds: list[int]
    blocks: list[BlockResult]
    sources: list[str] = field(default_factory=list)
    """The ``dlcourse`` source files the page's code imports (part of the key)."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageRecord:
        blocks = [BlockResult(**b) for b in data.pop("blocks")]
        return cls(blocks=blocks, **data)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"


def code_digest(code: str) -> str:
    """Hash of a block's code, blind to trailing spaces and surrounding blank lines."""
    text = "\n".join(line.rstrip() for line in code.strip("\n").split("\n"))
    return hashlib.sha256(text.encode()).hexdigest()


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in KEYED_PACKAGES:
        try:
            versions[name] = importlib.import_module(name).__version__
        except ImportError:
            versions[name] = "not installed"
    return versions


def environment_info() -> dict[str, Any]:
    """Versions, device and machine fingerprint, as the page's stamp shows them."""
    return {**_versions(), **fingerprint()}


def _module_file(layout: Layout, module: str) -> Path | None:
    """The source file of a ``dlcourse`` module, or None for anything else."""
    parts = module.split(".")
    if parts[0] != "dlcourse":
        return None
    base = layout.src.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(code: str, package: str = "") -> set[str]:
    """Absolute names of the modules that ``code`` imports (relative imports resolved)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def dependencies(page: Page, layout: Layout) -> list[Path]:
    """The ``dlcourse`` source files a page's code imports, directly or through each other."""
    todo = set().union(*(_imported_modules(b.code) for b in page.blocks)) if page.blocks else set()
    seen: dict[str, Path] = {}
    while todo:
        module = todo.pop()
        parts = module.split(".")
        for k in range(1, len(parts) + 1):  # importing a.b.c imports a and a.b too
            name = ".".join(parts[:k])
            path = _module_file(layout, name)
            if path is None or name in seen:
                continue
            seen[name] = path
            package = name if path.name == "__init__.py" else name.rpartition(".")[0]
            todo |= _imported_modules(path.read_text(encoding="utf-8"), package)
    return sorted(set(seen.values()))


def source_digest(paths: list[Path], layout: Layout) -> str:
    """Hash of the given ``dlcourse`` source files (names and contents)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(
            path.relative_to(layout.src).as_posix().encode() + b"\0" + path.read_bytes() + b"\0"
        )
    return h.hexdigest()


def page_key(page: Page, layout: Layout, device_type: str | None = None) -> str:
    """The key of a page's record: its code, the library sources it imports, versions, device."""
    from dlcourse.runtime import device

    payload = {
        "blocks": [[b.code, b.marks, b.expected_output, b.importorskip] for b in page.blocks],
        "src": source_digest(dependencies(page, layout), layout),
        "versions": _versions(),
        "device": device_type or device().type,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def record_paths(layout: Layout, page_name: str) -> tuple[Path, Path]:
    """(record JSON, figure folder) of a page."""
    stem = page_name[: -len(".md")] if page_name.endswith(".md") else page_name
    return layout.records / f"{stem}.json", layout.records / stem


def load_record(layout: Layout, page_name: str) -> PageRecord | None:
    path, _ = record_paths(layout, page_name)
    if not path.is_file():
        return None
    return PageRecord.from_json(json.loads(path.read_text()))


class _SeedLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seeds: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        seed = getattr(record, "dlcourse_seed", None)
        if isinstance(seed, int) and seed not in self.seeds:
            self.seeds.append(seed)


def _figure_alt(fig: Any) -> str:
    label = fig.get_label()
    if label:
        return str(label)
    titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    return "; ".join(titles) or "figure produced by the code above"


def _mark_reason(mark: Any, where: str) -> str:
    reason = mark.kwargs.get("reason") or (
        mark.args[1] if mark.name == "skipif" and len(mark.args) > 1 else None
    )
    if mark.name == "skip" and not reason and mark.args:
        reason = mark.args[0]
    if not isinstance(reason, str) or not reason.strip():
        raise PageError(
            f"{where}: pytest.mark.{mark.name} needs a written reason, "
            f'e.g. <!--pytest.mark.{mark.name}(reason="why this block cannot run here")-->'
        )
    return reason


def _evaluate_marks(
    block: PageBlock, namespace: dict[str, Any], where: str
) -> tuple[str | None, str | None]:
    """Return (skip reason, xfail reason) for a block's pytest marks."""
    import pytest

    skip: str | None = None
    xfail: str | None = None
    for text in block.marks:
        try:
            mark = eval(text, {"pytest": pytest, "sys": sys, "os": os})
        except Exception as exc:
            raise PageError(f"{where}: cannot read marker <!--{text}-->: {exc}") from exc
        mark = getattr(mark, "mark", mark)
        if mark.name == "skip":
            skip = _mark_reason(mark, where)
        elif mark.name == "skipif":
            reason = _mark_reason(mark, where)
            condition = mark.args[0] if mark.args else mark.kwargs.get("condition")
            if isinstance(condition, str):
                condition = eval(condition, {"sys": sys, "os": os, **namespace})
            if condition:
                skip = reason
        elif mark.name == "xfail":
            xfail = _mark_reason(mark, where)
        else:
            raise PageError(f"{where}: unsupported marker pytest.mark.{mark.name} on a page block")
    if block.importorskip and skip is None:
        try:
            importlib.import_module(block.importorskip)
        except ImportError:
            skip = f"module {block.importorskip!r} is not installed"
    return skip, xfail


def _same_output(actual: str, expected: str, ignore_whitespace: bool) -> bool:
    if ignore_whitespace:
        return "".join(actual.split()) == "".join(expected.split())
    norm = lambda s: "\n".join(line.rstrip() for line in s.strip("\n").split("\n"))  # noqa: E731
    return norm(actual) == norm(expected)


def _failure(page: Page, block: PageBlock, filename: str, exc: BaseException) -> PageError:
    """A PageError naming the page, the block, and where in which file the code raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = []
    where = f"docs/{page.name}:{block.source_line}"
    for fr in frames:
        if fr.filename == filename:
            file, line = block.origin(fr.lineno or 0)
            code_line = block.code.split("\n")[(fr.lineno or 1) - 1].strip()
            lines.append(f"  {file}:{line}  (block line {fr.lineno})\n    {code_line}")
            where = f"{file}:{line}" if file else where
        elif "/_site/" not in fr.filename:
            lines.append(f"  {fr.filename}:{fr.lineno} in {fr.name}\n    {fr.line}")
    return PageError(
        f"docs/{page.name}: block {block.index + 1} (python fence at line {block.source_line}) "
        f"raised {type(exc).__name__}: {exc}\n  at {where}\n" + "\n".join(lines)
    )


def run_page(
    page: Page, figure_dir: Path, figure_prefix: str
) -> tuple[list[BlockResult], list[int]]:
    """Run every block of ``page`` in order; raise PageError on the first failure."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.close("all")
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    results: list[BlockResult] = []
    seed_log = _SeedLog()
    seed_logger = logging.getLogger("dlcourse.seed")
    old_level, old_argv, old_cwd = seed_logger.level, sys.argv, os.getcwd()
    seed_logger.addHandler(seed_log)
    seed_logger.setLevel(logging.INFO)
    workdir = tempfile.mkdtemp(prefix="dlcourse-page-")
    published: set[str] = set()
    sys.argv = [page.name]
    os.chdir(workdir)
    try:
        for block in page.blocks:
            where = f"docs/{page.name}:{block.source_line}"
            result = BlockResult(
                index=block.index, line=block.source_line, code_sha256=code_digest(block.code)
            )
            skip, xfail = _evaluate_marks(block, namespace, where)
            if skip is not None:
                result.skipped = skip
                results.append(result)
                continue
            filename = f"<docs/{page.name} block {block.index + 1}>"
            linecache.cache[filename] = (
                len(block.code),
                None,
                block.code.splitlines(True),
                filename,
            )
            buffer = io.StringIO()
            start = time.perf_counter()
            try:
                code = compile(block.code, filename, "exec")
                with contextlib.redirect_stdout(buffer):
                    exec(code, namespace)
            except Exception as exc:
                if xfail is None:
                    raise _failure(page, block, filename, exc) from exc
                result.xfail = f"{type(exc).__name__}: {exc}"
            else:
                if xfail is not None:
                    raise PageError(
                        f"{where}: block {block.index + 1} is marked xfail ({xfail}) but ran "
                        "without raising"
                    )
            result.duration_s = round(time.perf_counter() - start, 3)
            result.stdout = buffer.getvalue()
            if block.expected_output is not None and not _same_output(
                result.stdout, block.expected_output, block.expected_output_ignore_whitespace
            ):
                raise PageError(
                    f"{where}: block {block.index + 1} printed something other than the output "
                    f"shown on the page.\n--- shown on the page\n{block.expected_output}"
                    f"--- printed\n{result.stdout}"
                )
            for name in sorted(set(os.listdir(workdir)) - published):
                if Path(name).suffix.lower() in MEDIA_SUFFIXES:
                    published.add(name)
                    target = f"block{block.index + 1:02d}-{name}"
                    shutil.copy(Path(workdir) / name, figure_dir / target)
                    alt = f"{name}, written by the code above"
                    result.figures.append({"path": f"{figure_prefix}/{target}", "alt": alt})
            for n, num in enumerate(plt.get_fignums()):
                fig = plt.figure(num)
                name = f"block{block.index + 1:02d}-{n + 1}.png"
                fig.savefig(
                    figure_dir / name,
                    dpi=_FIG_DPI,
                    bbox_inches="tight",
                    metadata={"Software": None},
                )
                result.figures.append({"path": f"{figure_prefix}/{name}", "alt": _figure_alt(fig)})
            plt.close("all")
            results.append(result)
    finally:
        os.chdir(old_cwd)
        sys.argv = old_argv
        seed_logger.removeHandler(seed_log)
        seed_logger.setLevel(old_level)
        shutil.rmtree(workdir, ignore_errors=True)
        plt.close("all")
    return results, seed_log.seeds


@dataclass
class Execution:
    """The outcome of running a page, held against its committed record.

    The drift policy: on the machine that wrote the record (same :func:`fingerprint`), the
    run must print and draw exactly what the record holds, so a typed number or a block that
    is not deterministic fails. On another machine every block still runs and every ``assert``
    on the page is enforced, but float results legitimately differ in their low-order bits
    (and chaotic training amplifies that), so the differences are reported, not failed.
    """

    record: PageRecord
    """What this run produced."""
    previous: PageRecord | None
    """The record the page had before this run (the committed one)."""
    stale: bool
    """No previous record, or its key no longer matches the page's code and library."""
    machine: list[str]
    """Fingerprint facts that differ between the previous record's machine and this one."""
    drift: list[str]
    """Blocks whose printed output or figures differ from the previous record."""

    @property
    def verdict(self) -> str:
        """``stale``, ``reproduced``, ``drift`` (same machine) or ``differs-elsewhere``."""
        if self.stale:
            return "stale"
        if not self.drift:
            return "reproduced"
        return "differs-elsewhere" if self.machine else "drift"


def _diff(old: str, new: str, limit: int = 12) -> str:
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), "recorded", "now", n=0, lineterm=""
        )
    )
    more = len(lines) - limit
    return "\n".join(lines[:limit] + ([f"... {more} more diff lines"] if more > 0 else []))


def _output_drift(
    previous: PageRecord, blocks: list[BlockResult], old_figs: Path, new_figs: Path
) -> list[str]:
    """One entry per block whose stdout or figure bytes differ from ``previous``."""
    old = {b.index: b for b in previous.blocks}
    drift = []
    for b in blocks:
        before = old.get(b.index)
        notes = []
        if before is None or before.stdout != b.stdout:
            notes.append(_diff(before.stdout if before else "", b.stdout))
        names = sorted({Path(f["path"]).name for f in b.figures})
        if before is not None and names != sorted({Path(f["path"]).name for f in before.figures}):
            notes.append("its figures are not the same files")
        changed = [
            n
            for n in names
            if not (old_figs / n).is_file()
            or (old_figs / n).read_bytes() != (new_figs / n).read_bytes()
        ]
        if changed:
            notes.append("figures differ: " + ", ".join(changed))
        if notes:
            drift.append(f"block {b.index + 1} (line {b.line}):\n" + "\n".join(notes))
    return drift


def _recorded_device(record: PageRecord) -> str:
    return str(record.environment.get("device", "cpu")).split(":")[0]


def execute_page(
    page: Page, layout: Layout, write: bool = True, refresh: bool = False
) -> Execution:
    """Execute ``page`` and hold it against its previous record; with ``write``, store the run.

    The record is rewritten only when it was stale, the output changed or it was written on
    another machine (so a page reproduced where it was recorded keeps its date and stamp), or
    with ``refresh``: then a reproduced page gets this run's date and duration (say, after a
    run on a machine that was busy with something else).
    The tests run with ``write=False``: they never change ``docs/``, so the site they build
    does not depend on the order the tests run in.
    """
    record_file, figure_dir = record_paths(layout, page.name)
    previous = load_record(layout, page.name)
    stale = previous is None or previous.key != page_key(
        page, layout, device_type=_recorded_device(previous)
    )
    staging = Path(tempfile.mkdtemp(prefix="dlcourse-figs-"))
    try:
        start = time.perf_counter()
        blocks, seeds = run_page(page, staging, figure_dir.name)
        record = PageRecord(
            page=page.name,
            key=page_key(page, layout),
            executed_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            duration_s=round(time.perf_counter() - start, 1),
            environment=environment_info(),
            seeds=seeds,
            blocks=blocks,
            sources=[p.relative_to(layout.root).as_posix() for p in dependencies(page, layout)],
        )
        machine: list[str] = []
        drift: list[str] = []
        if previous is not None and not stale:
            machine = machine_changes(previous.environment, record.environment)
            drift = _output_drift(previous, blocks, figure_dir, staging)
        if write and (stale or drift or machine or refresh):
            record_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(figure_dir, ignore_errors=True)
            if any(staging.iterdir()):
                shutil.copytree(staging, figure_dir)
            record_file.write_text(record.to_json())
        return Execution(
            record=record, previous=previous, stale=stale, machine=machine, drift=drift
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
