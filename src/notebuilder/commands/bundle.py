"""``build --bundle``: every topic's outputs copied into ``<out>/bundle/`` under names that
carry the topic (``india-japan-booklet.pdf``), so that files sent to a phone or a print
shop do not collide: each topic's own folder writes the same names."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import UsageError
from ..write import OutputBatch, output_lock

BUNDLE = "bundle"
BUNDLED = (".pdf", ".epub", ".apkg")  # what is read or printed; notes.json and the sheets stay


def bundle_outputs(out: Path, topics: list[str]) -> list[Path]:
    """Copy each topic's outputs into ``<out>/bundle/<topic>-<name>``, all or nothing."""
    if BUNDLE in topics:
        raise UsageError(f"a topic named '{BUNDLE}' would share its folder with --bundle; rename the topic")
    out = out.resolve()
    copies = {
        out / BUNDLE / f"{topic}-{path.name}": path
        for topic in topics
        if (out / topic).is_dir()
        for path in sorted((out / topic).iterdir())
        if path.is_file() and path.suffix in BUNDLED and not path.name.startswith(".")
    }
    with output_lock(out), OutputBatch() as batch:
        for target, source in copies.items():
            shutil.copyfile(source, batch.stage(target))
    return list(copies)
