"""booklet.epub: the booklet for e-readers, made by the bundled pandoc from EPUB-flavoured
HTML (chapters per section, the timeline, tables, mind maps as outlines, sources)."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path

from ..errors import ToolError
from ..mindmap import plan_sheets
from ..render import layout_directories, render_epub_html
from . import Output, RenderContext, WriteContext

STYLESHEET = "epub.css"


def stylesheet_text(root: Path) -> str | None:
    """The EPUB's stylesheet: the project's own layouts/epub.css, else notebuilder's."""
    for directory in layout_directories(root):
        if (directory / STYLESHEET).is_file():
            return (directory / STYLESHEET).read_text(encoding="utf-8")
    return None


def epub_metadata(document) -> dict[str, str]:
    topic = document.topic
    metadata = {
        "title": f"{topic.title}: revision notes",
        "subtitle": f"{topic.paper} · {topic.subject}",
        "lang": topic.language,
        "date": document.build_date,
        "identifier": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:" + topic.id)),
        "description": f"Revision notes on {topic.title}, compiled from {len(document.sources)} sources.",
    }
    # The student's own name, publisher and rights, when topic.yaml gives them; never "notebuilder".
    for name, value in (("creator", topic.author), ("publisher", topic.publisher), ("rights", topic.rights)):
        if value:
            metadata[name] = value
    return metadata


class Epub(Output):
    name = "booklet.epub"
    format = "epub"

    def html(self, context: RenderContext, document) -> str:
        return render_epub_html(context.environment, document, plan_sheets(document), context.root)

    def metadata(self, document) -> dict[str, str]:
        return epub_metadata(document)

    def depends(self, context: RenderContext, document) -> str:
        return json.dumps(
            {
                "html": self.html(context, document),
                "metadata": self.metadata(document),
                "stylesheet": stylesheet_text(context.root),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    def render(self, context: RenderContext, document, depends: str) -> dict:
        return json.loads(depends)

    def write(self, content: dict, target: Path, context: WriteContext) -> None:
        write_epub(content["html"], target, content["metadata"], context.epoch, content["stylesheet"])


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def write_epub(
    html: str, target: Path, metadata: dict[str, str], build_epoch: int, stylesheet: str | None = None
) -> None:
    """Convert the EPUB-flavoured HTML to EPUB3 with the bundled pandoc.

    Pandoc would fetch whatever an ``src`` or stylesheet link names, so the HTML is
    refused if it references anything but its own anchors, and pandoc runs in an empty
    folder (holding only the stylesheet) with that folder as its only resource path.
    (``--sandbox`` would do the same but also freezes the EPUB's modified date at 1970.)
    """
    from ..write import external_references, run_tool

    references = external_references(html)
    if references:
        raise ToolError(
            "the EPUB layout references files or URLs, which notebuilder does not fetch: "
            + ", ".join(references[:5])
        )
    arguments = [
        pandoc_path(),
        "--from=html",
        "--to=epub3",
        "--toc",
        "--toc-depth=2",
        "--split-level=1",
        "--resource-path=.",
        *([f"--css={STYLESHEET}"] if stylesheet is not None else []),
    ]
    for name, value in sorted(metadata.items()):
        arguments.append(f"--metadata={name}:{value}")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "SOURCE_DATE_EPOCH": str(build_epoch),  # dates inside the EPUB, and its zip entries
    }
    with tempfile.TemporaryDirectory(prefix="notebuilder-pandoc-") as folder:
        if stylesheet is not None:
            Path(folder, STYLESHEET).write_text(stylesheet, encoding="utf-8")
        returncode, errors = run_tool(
            [*arguments, f"--output={target}"], html.encode("utf-8"), environment, folder
        )
    if returncode != 0:
        raise ToolError(f"pandoc failed: {errors.decode('utf-8', 'replace').strip()}")


def outputs(document) -> list[Output]:
    return [Epub()]
