"""Stage 6, the outputs: every file a build writes is one :class:`Output`.

As a Sphinx builder is one kind of output, an output here is one small object with a
name, the text its bytes depend on (:meth:`Output.depends`: rendered HTML, data, or a
mind map's plan), :meth:`Output.render`, which turns that into what the writer needs,
and :meth:`Output.write`, which serialises it into a file (in a worker process).
``build`` only loops over outputs: it digests what each depends on, renders and writes
only those whose digest changed, and knows nothing of any output in particular.

A topic's outputs are listed in :data:`TOPIC_OUTPUTS`, the combined book's in
:data:`BOOK_OUTPUTS`; each lives in its own module of this package.
"""

from __future__ import annotations

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

    name: ClassVar[str]  # the file, relative to the topic's output folder
    format: ClassVar[str]  # pdf | epub | anki | data (data is written with every format)
    reads: tuple[str, ...] = ()  # outputs whose files write() reads: written after them

    def wanted(self, subject) -> bool:
        """Whether the subject (a Document or a Book) has this output at all."""
        return True

    def depends(self, context: RenderContext, subject) -> str:
        """Everything the output's bytes depend on, as text; cheap enough to run on every build."""
        raise NotImplementedError

    def prepare(self, context: RenderContext, subject) -> Sequence[Callable[[], None]]:
        """Slow work that may find a mistake in the notes (laying out a mind map), as tasks
        run for every changed output of every topic before anything is written."""
        return ()

    def render(self, context: RenderContext, subject, depends: str) -> Any:
        """What :meth:`write` takes (picklable); by default the text it depends on."""
        return depends

    def write(self, content: Any, target: Path, context: WriteContext) -> int | None:
        """Write the output into ``target``; returns a PDF's page count."""
        raise NotImplementedError


def topic_outputs(document, formats: Sequence[str]) -> list[Output]:
    """Every output of one topic, in the order they are listed (and reported)."""
    from . import booklet, comparison, deck, epub, notes_data, selftest, sheets

    makers: list[Callable[[Any], list[Output]]] = [
        notes_data.outputs,
        booklet.outputs,
        selftest.outputs,
        comparison.outputs,
        sheets.outputs,
        epub.outputs,
        deck.outputs,
    ]
    return _selected(makers, document, formats)


def book_outputs(book, formats: Sequence[str]) -> list[Output]:
    """The combined book's outputs: its booklet, EPUB and deck."""
    from . import combined

    return _selected([combined.outputs], book, formats)


def _selected(makers, subject, formats) -> list[Output]:
    return [
        output
        for make in makers
        for output in make(subject)
        if (output.format == "data" or output.format in formats) and output.wanted(subject)
    ]


class HtmlPdf(Output):
    """An output that is HTML printed to PDF by WeasyPrint, in the PDF variant the build
    asks for (by default PDF/UA-1: tagged for screen readers and reflow)."""

    format = "pdf"

    def write(self, content: str, target: Path, context: WriteContext) -> int:
        from ..pdf import write_pdf

        return write_pdf(
            content,
            target,
            context.base_directory,
            context.allowed_directories,
            context.pdf_variant,
        )
