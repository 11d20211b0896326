"""notes.json: the deduplicated points as data, for other tools (docs/notes-json.md)."""

from __future__ import annotations

import json
from pathlib import Path

from ..assemble import notes_json
from .base import Output, RenderContext, WriteContext


class NotesData(Output):
    name = "notes.json"
    format = "data"
    quick = True

    def render(self, context: RenderContext, document) -> str:
        return json.dumps(notes_json(document), ensure_ascii=False, indent=2) + "\n"

    def write(self, payload: str, target: Path, context: WriteContext) -> None:
        target.write_text(payload, encoding="utf-8")


def outputs(document) -> list[Output]:
    return [NotesData()]
