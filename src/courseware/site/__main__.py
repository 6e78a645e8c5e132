"""Command line: ``python -m courseware.site execute [--stale] [PAGE ...]`` and ``check SITE``."""

from __future__ import annotations

import argparse
import sys

from .check import main as check_main
from .pages import PageError, SnippetExpander, read_page
from .paths import Layout
from .runner import execute_page, load_record, page_key


def execute(pages: list[str], stale_only: bool, refresh: bool = False) -> int:
    layout = Layout.discover()
    expander = SnippetExpander.from_config_file(layout.config_file)
    paths = [layout.docs / p for p in pages] if pages else layout.pages()
    for path in paths:
        if not path.is_file():
            print(f"no such page: {path} (give paths relative to docs/)", file=sys.stderr)
            return 2
        page = read_page(path, expander, layout)
        if not page.blocks:
            continue
        record = load_record(layout, page.name)
        if stale_only and record is not None and record.key == page_key(page, layout):
            print(f"docs/{page.name}: record is current")
            continue
        print(f"docs/{page.name}: executing {len(page.blocks)} blocks ...", flush=True)
        try:
            run = execute_page(page, layout, refresh=refresh)
        except PageError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"docs/{page.name}: done in {run.record.duration_s} s")
        if run.drift:
            why = (
                "on another machine (" + "; ".join(run.machine) + ")"
                if run.machine
                else "on the machine that wrote the record: a block is not deterministic"
            )
            print(f"warning: output changed without a code change, {why}:", file=sys.stderr)
            for line in run.drift:
                print(line, file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m courseware.site")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute", help="run pages and write their execution records")
    ex.add_argument("pages", nargs="*", help="pages relative to docs/ (default: all)")
    ex.add_argument("--stale", action="store_true", help="only pages whose record is stale")
    ex.add_argument(
        "--refresh",
        action="store_true",
        help="rewrite the record of a page that reproduced too (new date and duration)",
    )
    ch = sub.add_parser("check", help="check that every python block in a built site ran")
    ch.add_argument("site", nargs="?", default=None)
    args = parser.parse_args()
    if args.command == "execute":
        return execute(args.pages, args.stale, args.refresh)
    return check_main([args.site] if args.site else [])


if __name__ == "__main__":
    sys.exit(main())
