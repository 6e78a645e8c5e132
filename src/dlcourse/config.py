"""One way to declare and validate a run's settings: a frozen dataclass of :func:`setting` fields.

Each field says its default, a one-line help text and the values it accepts::

    @dataclass(frozen=True)
    class Config:
        episodes: int = setting(300, "Number of training episodes.", minimum=1)
        gamma: float = setting(0.9, "Discount factor.", minimum=0.0, maximum=1.0)

        def __post_init__(self) -> None:
            validate(self)

:func:`validate` checks every field against its declaration (type, bounds, choices) and then
any ``rules`` the config adds for settings that depend on each other; the first failure raises
a ``ValueError`` naming the config, the field, the value and what it must be. The help texts and
the types are what :func:`dlcourse.cli.parser_for` turns into command-line flags.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from collections.abc import Iterable
from typing import Any, Literal

__all__ = ["field_types", "help_of", "setting", "unwrap_optional", "validate"]

_KEY = "dlcourse"


def setting(
    default: Any,
    help: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
    nonempty: bool = False,
) -> Any:
    """A dataclass field with a help text and the bounds its values (or items) must meet.

    ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` exclusive ones. For a
    tuple field they apply to every item, and ``nonempty`` asks for at least one item. A
    ``Literal[...]`` annotation limits the choices; ``X | None`` allows None.
    """
    rules = {"minimum": minimum, "maximum": maximum, "above": above, "below": below}
    meta = {_KEY: {"help": help, "nonempty": nonempty, **rules}}
    if isinstance(default, list | dict | set):
        raise TypeError("a setting's default must be immutable (use a tuple)")
    return dataclasses.field(default=default, metadata=meta)


def help_of(field: dataclasses.Field) -> str:
    """The help text given to :func:`setting` (empty for a plain field)."""
    return field.metadata.get(_KEY, {}).get("help", "")


def field_types(cls: type) -> dict[str, Any]:
    """The resolved annotation of every field of the dataclass ``cls``."""
    return typing.get_type_hints(cls)


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``(the annotation without None, whether None is allowed)``."""
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), len(rest) < len(args)
    return annotation, False


def _type_error(kind: Any, value: Any) -> str | None:
    """Why ``value`` is not a ``kind`` (None when it is)."""
    if kind is bool:
        return None if isinstance(value, bool) else "a bool (True or False)"
    if kind is int:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return None if ok else "an int"
    if kind is float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        return None if ok and not math.isnan(value) else "a number"
    if kind is str:
        return None if isinstance(value, str) else "a str"
    if typing.get_origin(kind) is Literal:
        choices = typing.get_args(kind)
        return None if value in choices else "one of " + ", ".join(repr(c) for c in choices)
    return None


def _bound_error(value: float, rules: dict[str, Any]) -> str | None:
    """Why ``value`` breaks the bounds in ``rules`` (None when it does not)."""
    checks = (
        ("minimum", lambda b: value >= b, ">="),
        ("above", lambda b: value > b, ">"),
        ("maximum", lambda b: value <= b, "<="),
        ("below", lambda b: value < b, "<"),
    )
    broken = [f"{op} {rules[key]}" for key, ok, op in checks if rules.get(key) is not None]
    if all(ok(rules[key]) for key, ok, _ in checks if rules.get(key) is not None):
        return None
    return " and ".join(broken)


def _field_error(field: dataclasses.Field, annotation: Any, value: Any) -> str | None:
    kind, optional = unwrap_optional(annotation)
    if value is None:
        return None if optional else "must not be None"
    rules = field.metadata.get(_KEY, {})
    if typing.get_origin(kind) is tuple:
        if not isinstance(value, tuple):
            return "must be a tuple"
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item_types = [args[0]] * len(value)
        else:
            if len(value) != len(args):
                return f"must have {len(args)} items"
            item_types = list(args)
        if rules.get("nonempty") and not value:
            return "must have at least one item"
        for k, (item_kind, item) in enumerate(zip(item_types, value, strict=True)):
            why = _type_error(item_kind, item) or _bound_error(item, rules)
            if why:
                return f"item {k} must be {why}"
        return None
    why = _type_error(kind, value)
    if why:
        return f"must be {why}"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        why = _bound_error(value, rules)
        if why:
            return f"must be {why}"
    return None


def validate(config: Any, rules: Iterable[tuple[bool, str]] = ()) -> None:
    """Check every field of ``config`` against its :func:`setting`, then ``rules``.

    A list given for a tuple field is stored as a tuple first (frozen dataclasses included).

    ``rules`` are ``(ok, message)`` pairs for constraints between fields. Raises a
    ``ValueError`` for the first failure: ``"invalid Config: gamma must be <= 1.0, got 1.5"``.
    """
    name = type(config).__name__
    hints = field_types(type(config))
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if (
            isinstance(value, list)
            and typing.get_origin(unwrap_optional(hints[field.name])[0]) is tuple
        ):
            value = tuple(value)  # a list given for a tuple field (from a CLI, say) is kept as one
            object.__setattr__(config, field.name, value)
        why = _field_error(field, hints[field.name], value)
        if why:
            raise ValueError(f"invalid {name}: {field.name} {why}, got {value!r}")
    for ok, message in rules:
        if not ok:
            raise ValueError(f"invalid {name}: {message}")
