"""What the course's command lines share: bad values become usage errors, not tracebacks."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

__all__ = ["usage_errors"]


@contextlib.contextmanager
def usage_errors(parser: argparse.ArgumentParser) -> Iterator[None]:
    """Turn a ``ValueError`` or ``OSError`` raised by the body into ``parser.error``.

    Wrap what checks the user's input (building the config, opening a checkpoint or a data
    folder), not the training itself: argparse then prints the usage line and a one-line
    ``error: ...`` naming the bad value, and exits with status 2.
    """
    try:
        yield
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
