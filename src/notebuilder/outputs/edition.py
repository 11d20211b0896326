"""editions.json: each edition of the topic's booklet, kept with every PDF build (editions.py).

It is written after booklet.pdf, which it reads for the page each point is printed on
(the PDF's named destinations, ``point-<id>``). A build whose points are the same as the
last edition's adds none; the pages are always the latest booklet's. The file is read
from the output folder and written whole, as every output is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ..editions import EDITIONS, snapshot, with_edition
from .base import Output, RenderContext, WriteContext


def read_editions(directory: Path) -> dict:
    """The editions file of a topic's output folder ({"editions": [], "pages": {}} before
    the first PDF build, or when it cannot be read)."""
    try:
        data = json.loads((directory / EDITIONS).read_text(encoding="utf-8"))
        if isinstance(data.get("editions"), list) and isinstance(data.get("pages"), dict):
            return data
    except (OSError, ValueError, AttributeError):
        pass
    return {"editions": [], "pages": {}}


def point_pages(pdf_path: Path) -> dict[str, int]:
    """The page each point is printed on, from the PDF's named destinations."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        names = pdf.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        pages: dict = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        found = {}
        for name, destination in pikepdf.NameTree(names.Dests).items():
            if name.startswith("point-") and isinstance(destination, pikepdf.Array):
                found[name[len("point-") :]] = pages.get(destination[0].objgen)
        return {point: page for point, page in sorted(found.items()) if page is not None}


class Edition(Output):
    name = EDITIONS
    format = "pdf"
    reads = ("booklet.pdf",)

    def render(self, context: RenderContext, document) -> list:
        return snapshot(document)

    def write(self, payload: list, target: Path, context: WriteContext) -> None:
        day = datetime.fromtimestamp(context.epoch, UTC).strftime("%Y-%m-%d")
        kept = read_editions(target.parent)  # the staged file sits beside the last one
        data = {
            "editions": with_edition(kept["editions"], payload, day),
            "pages": point_pages(context.inputs["booklet.pdf"]),
        }
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return None


def outputs(document) -> list[Output]:
    return [Edition()]
