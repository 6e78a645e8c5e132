"""What the sequence algorithms share: result records that unpack like tuples."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

__all__ = ["Unpackable"]


class Unpackable:
    """Lets a result dataclass be unpacked like the tuple it replaces: ``n, seq = lcs(a, b)``."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return (getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]
