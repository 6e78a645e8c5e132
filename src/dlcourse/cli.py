"""What the course's command lines share: flags made from a config, bad values as usage errors.

:func:`parser_for` turns every field of a :func:`dlcourse.config.setting` dataclass into a flag
(``learning_rate`` -> ``--learning-rate``) with the field's help text and default, typed by its
annotation: ``bool`` becomes ``--x/--no-x``, a tuple takes several values, ``X | None`` also
accepts ``none``, a ``Literal`` lists its choices. :func:`config_from` builds the config from
the parsed flags inside :func:`usage_errors`, so an invalid value exits with status 2 and one
line naming it, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import typing
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

from dlcourse.config import field_types, help_of, unwrap_optional

__all__ = ["config_from", "parser_for", "usage_errors"]

C = TypeVar("C")


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


def _parse(kind: Any, optional: bool) -> Callable[[str], Any]:
    """A function that reads one command-line word as a ``kind`` (``none`` -> None if allowed)."""
    if typing.get_origin(kind) is Literal:
        choices = {str(c): c for c in typing.get_args(kind)}

        def read(word: str) -> Any:
            if word not in choices:
                raise argparse.ArgumentTypeError(
                    f"{word!r} is not one of {', '.join(map(repr, choices))}"
                )
            return choices[word]

    else:
        base = kind if kind in (int, float, str) else str

        def read(word: str) -> Any:
            return base(word)

        read.__name__ = base.__name__  # argparse names the type in its error message

    if not optional:
        return read

    def read_optional(word: str) -> Any:
        return None if word.lower() == "none" else read(word)

    read_optional.__name__ = read.__name__
    return read_optional


def parser_for(config_cls: type, prog: str, description: str) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` with one flag per field of the dataclass ``config_cls``."""
    parser = argparse.ArgumentParser(
        prog=prog, usage="%(prog)s [options]  (--help lists them)", description=description
    )
    hints = field_types(config_cls)
    for field in dataclasses.fields(config_cls):
        flag = "--" + field.name.replace("_", "-")
        kind, optional = unwrap_optional(hints[field.name])
        text = help_of(field).replace("%", "%%")
        default = field.default
        if kind is bool:
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=default, help=text
            )
        elif typing.get_origin(kind) is tuple:
            args = typing.get_args(kind)
            count = "+" if len(args) == 2 and args[1] is Ellipsis else len(args)
            parser.add_argument(
                flag,
                type=_parse(args[0], False),
                nargs=count,
                default=None if default is None else list(default),
                help=text,
            )
        else:
            parser.add_argument(
                flag,
                type=_parse(kind, optional),
                default=default,
                help=text + (" ('none' for None)" if optional else ""),
                metavar=field.name.upper() if typing.get_origin(kind) is Literal else None,
            )
    return parser


def config_from(config_cls: type[C], args: dict[str, Any], parser: argparse.ArgumentParser) -> C:
    """``config_cls(**the fields' values in args)``; an invalid value becomes a usage error."""
    names = {f.name for f in dataclasses.fields(config_cls)}
    with usage_errors(parser):
        return config_cls(**{k: v for k, v in args.items() if k in names})
