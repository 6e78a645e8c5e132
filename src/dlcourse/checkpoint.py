"""Reading the course's checkpoints: ``torch.load(weights_only=True)`` with errors that say why.

Only tensors, numbers, strings and containers of them are unpickled, so a checkpoint from an
untrusted source cannot run code. Each trainer writes a ``format`` number into its
checkpoints; a file without the expected one is refused with a message naming the trainer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

__all__ = ["read_checkpoint"]


def read_checkpoint(
    path: str | Path, *, kind: str, format: int, map_location: torch.device | str = "cpu"
) -> dict[str, Any]:
    """Load the checkpoint dictionary at ``path`` written by ``kind`` in format ``format``.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        ValueError: the file is not a ``kind`` checkpoint (not a torch file, a file holding
            objects other than tensors and plain data, or another format).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {kind} checkpoint at {path}: no such file")
    what = f"{path} is not a checkpoint written by {kind}"
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if "Weights only load failed" in reason:
            reason = "it holds Python objects, not only tensors and plain data"
        raise ValueError(
            f"{what}: torch.load(..., weights_only=True) cannot read it ({reason}). "
            f"Pass a file that {kind} saved."
        ) from None
    if not isinstance(state, dict) or state.get("format") != format:
        found = state.get("format", "none") if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"{what} in format {format} (found format {found}). Pass a file that {kind} saved."
        )
    return state
