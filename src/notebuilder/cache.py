"""What builds keep between them under ``<out>/.cache/``: mind-map layouts (by their DOT
source) and each topic's dedupe (by its notes). An entry is only ever a speed-up: one that
cannot be written or read is computed again, never trusted half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

CACHE_DAYS = 30  # an entry no build has used for this long is deleted


def keep(entry: Path, data: bytes) -> None:
    """Write a cache entry atomically (a cache that cannot be written is only slower)."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=entry.parent)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(name, entry)
    except OSError:
        pass


def recall(entry: Path) -> bytes | None:
    """A cache entry's bytes, marked as used now; None if there is none."""
    try:
        data = entry.read_bytes()
        os.utime(entry)
    except OSError:
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
