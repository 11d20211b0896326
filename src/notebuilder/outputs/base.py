"""What every output is: an :class:`Output` (its name, its payload, its fingerprint and how
it writes), with what rendering and writing need (:class:`RenderContext`,
:class:`WriteContext`); :class:`HtmlPdf` is the output printed from HTML by WeasyPrint."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import jinja2


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs besides the document: the layouts and the options."""

    environment: jinja2.Environment
    root: Path
    paper: str = "a4"
    selftest: str = "all"
    layout_cache: Path | None = None  # where mind-map layouts are kept between builds
    duplex: bool | None = None  # printed on both sides; None: as each topic.yaml says
    author: str = ""  # the e-book's creator when topic.yaml names no author
    marked: frozenset[str] = frozenset()  # points changed since the last print: barred in the margin

    def duplex_for(self, topic) -> bool:
        return topic.duplex if self.duplex is None else self.duplex


@dataclass(frozen=True)
class WriteContext:
    """What writing needs: where WeasyPrint resolves and may fetch from, the build's
    time, and the files of the outputs this one reads (already written or staged)."""

    base_directory: Path
    allowed_directories: tuple[Path, ...]
    epoch: int
    inputs: dict[str, Path] = field(default_factory=dict)
    pdf_variant: str | None = "pdf/ua-1"  # WeasyPrint's PDF variant for documents to read


class Output:
    """One file of a topic's (or the combined book's) outputs."""

    name: str  # the file, relative to the topic's output folder
    format: ClassVar[str]  # pdf | epub | anki | data (data is written with every format)
    reads: tuple[str, ...] = ()  # outputs whose files write() reads: written after them
    quick: ClassVar[bool] = False  # written in the build's own process, not sent to a worker
    counts_pages: ClassVar[bool] = False  # the unit's main document: its page count is reported

    def wanted(self, subject) -> bool:
        """Whether the subject (a Document or a Book) has this output at all."""
        return True

    def render(self, context: RenderContext, subject) -> Any:
        """The payload :meth:`write` serialises (picklable: it may travel to a worker),
        rendered once on every build."""
        raise NotImplementedError

    def fingerprint(self, payload: Any) -> str:
        """Everything in the payload that the output's bytes depend on, as text."""
        return (
            payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, sort_keys=True)
        )

    def prepare(self, context: RenderContext, subject) -> Sequence[Callable[[], None]]:
        """Slow work that may find a mistake in the notes (laying out a mind map), as tasks
        run for every changed output of every topic before anything is written."""
        return ()

    def write(self, payload: Any, target: Path, context: WriteContext) -> int | None:
        """Write the output into ``target``; returns a PDF's page count."""
        raise NotImplementedError


class HtmlPdf(Output):
    """An output that is HTML printed to PDF by WeasyPrint, in the PDF variant the build
    asks for (by default PDF/UA-1: tagged for screen readers and reflow)."""

    format = "pdf"

    def write(self, payload: str, target: Path, context: WriteContext) -> int:
        from ..pdf import write_pdf

        return write_pdf(
            payload,
            target,
            context.base_directory,
            context.allowed_directories,
            context.pdf_variant,
        )
