"""What builds keep between them under ``<out>/.cache/``: mind-map layouts (by their DOT
source) and each topic's dedupe (by its notes), as plain files named by the digest of what
they were made from, each headed by the digest of its data. An entry is only ever a
speed-up: one that cannot be written or read, or whose digest does not match, is computed
again, never trusted half-written.

Frozen dataclasses are kept as JSON (:func:`encode`, :func:`decode`), read back by their
type hints: plain data, never code (unlike a pickle).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import tempfile
import time
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

CACHE_DAYS = 30  # an entry no build has used for this long is deleted


_unwritable: dict[Path, str] = {}  # cache folders that could not be written, and why


def keep(entry: Path, data: bytes) -> None:
    """Write a cache entry atomically, headed by the digest of its data (a cache that
    cannot be written is only slower: see :func:`unwritable`)."""
    name = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=entry.parent)
        with os.fdopen(handle, "wb") as file:
            file.write(hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data)
        os.replace(name, entry)
    except OSError as error:
        _unwritable.setdefault(entry.parent, error.strerror or str(error))
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def unwritable() -> dict[Path, str]:
    """The cache folders this process could not write to, each with the reason, once."""
    found = dict(_unwritable)
    _unwritable.clear()
    return found


def recall(entry: Path) -> bytes | None:
    """A cache entry's data, marked as used now; None if there is none, or if it is not
    whole (its digest does not match: a torn, corrupt or foreign file is not trusted)."""
    try:
        with open(entry, "rb") as file:
            stored = file.read()
        os.utime(entry)
    except OSError:
        return None
    digest, _, data = stored.partition(b"\n")
    if digest != hashlib.sha256(data).hexdigest().encode("ascii"):
        with contextlib.suppress(OSError):
            entry.unlink()
        return None
    return data


def prune(folder: Path) -> None:
    """Delete entries no build has used for :data:`CACHE_DAYS` days, and temporaries an
    interrupted build left (older than an hour)."""
    now = time.time()
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            age = now - path.stat().st_mtime
            if age > CACHE_DAYS * 86400 or (path.suffix == ".tmp" and age > 3600):
                path.unlink()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def encode(value: Any) -> bytes:
    """A dataclass (of dataclasses, tuples, strings and numbers) as JSON."""
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True).encode("utf-8")


def _same(data: Any) -> Any:
    return data


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """How to read back a value of the type ``kind`` from its JSON (made once per type)."""
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(argument for argument in arguments if argument is not type(None)))
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            item = _decoder(arguments[0])
            return tuple if item is _same else lambda data: tuple(map(item, data))
        items = tuple(_decoder(argument) for argument in arguments)
        return lambda data: tuple(read(value) for read, value in zip(items, data))
    if origin is frozenset:
        member = _decoder(arguments[0])
        return lambda data: frozenset(map(member, data))
    if origin is dict:
        value_of = _decoder(arguments[1])
        return lambda data: {key: value_of(value) for key, value in data.items()}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        fields = tuple((field.name, _decoder(hints[field.name])) for field in dataclasses.fields(kind))
        return lambda data: kind(**{name: read(data[name]) for name, read in fields})
    if kind is float:
        return float
    return _same


def decode(kind: type[T], data: bytes) -> T:
    """What :func:`encode` wrote, as the dataclass ``kind`` again."""
    read: Callable[[Any], T] = _decoder(typing.cast(Any, kind))
    return read(json.loads(data))
