"""The pipeline, end to end: load -> validate -> dedupe -> assemble -> render -> write.

Everything is read and checked before anything is written (MkDocs' "gather all data,
then build"), so a mistake in the notes never costs the last good outputs.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .assemble import assemble_document
from .dedupe import merge_duplicates
from .errors import Location, NoteError
from .load import load_project
from .model import Corpus, Document, Topic
from .render import layout_directories, make_environment, render_booklet, render_epub_html
from .validate import validate_project
from .write import remove_stray_temporaries, write_epub, write_pdf

FORMATS = ("pdf", "epub")


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out: Path
    formats: tuple[str, ...] = FORMATS
    topic: str | None = None
    paper: str = "a4"


@dataclass(frozen=True)
class BuiltTopic:
    topic: str
    outputs: tuple[Path, ...]
    pages: int | None


def build_epoch() -> int:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else int(time.time())


def check_project(root: Path, topic: str | None = None) -> Corpus:
    """Load and validate (everything except rendering); raises NoteError."""
    corpus = validate_project(load_project(root))
    if topic is not None and topic not in {candidate.id for candidate in corpus.topics}:
        known = ", ".join(candidate.id for candidate in corpus.topics)
        raise NoteError.at(Location("notes/" + topic), f"no topic '{topic}'; topics are: {known}")
    return corpus


def assemble_topic(corpus: Corpus, topic: Topic, epoch: int) -> Document:
    source_order = {source.id: index for index, source in enumerate(corpus.sources)}
    points = merge_duplicates(topic, source_order)
    return assemble_document(corpus, topic, points, epoch)


def epub_metadata(document: Document) -> dict[str, str]:
    topic = document.topic
    return {
        "title": f"{topic.title}: revision notes",
        "subtitle": f"{topic.paper} · {topic.subject}",
        "lang": topic.language,
        "creator": "notebuilder",
        "date": document.build_date,
        "identifier": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:" + topic.id)),
        "description": f"Revision notes on {topic.title}, compiled from {len(document.sources)} sources.",
    }


def build(
    options: BuildOptions,
    progress: Callable[[str], None] = lambda message: None,
    warn: Callable[[tuple], None] = lambda warnings: None,
) -> list[BuiltTopic]:
    root = options.root.resolve()
    out = options.out.resolve()
    progress("checking notes")
    corpus = check_project(root, options.topic)
    warn(corpus.warnings)
    environment = make_environment(root)
    layouts = layout_directories(root)
    epoch = build_epoch()
    documents = [assemble_topic(corpus, topic, epoch) for topic in corpus.topics if options.topic in (None, topic.id)]

    rendered = []
    for document in documents:
        progress(f"rendering {document.topic.id}")
        html = {
            "pdf": render_booklet(environment, document, root, options.paper) if "pdf" in options.formats else None,
            "epub": render_epub_html(environment, document, root) if "epub" in options.formats else None,
        }
        rendered.append((document, html))

    out.mkdir(parents=True, exist_ok=True)
    remove_stray_temporaries(out)
    built = []
    for document, html in rendered:
        directory = out / document.topic.id
        outputs, pages = [], None
        if html["pdf"] is not None:
            progress(f"writing {document.topic.id}/booklet.pdf")
            pages = write_pdf(html["pdf"], directory / "booklet.pdf", layouts[0], [*layouts, out])
            outputs.append(directory / "booklet.pdf")
        if html["epub"] is not None:
            progress(f"writing {document.topic.id}/booklet.epub")
            write_epub(html["epub"], directory / "booklet.epub", epub_metadata(document), document.build_epoch)
            outputs.append(directory / "booklet.epub")
        built.append(BuiltTopic(document.topic.id, tuple(outputs), pages))
    return built
