"""Stage 6, the outputs: every file a build writes is one :class:`Output`.

As a Sphinx builder is one kind of output, an output here is one small object with a
name, :meth:`Output.render`, which renders its payload once (HTML, data, a mind map's
page), :meth:`Output.fingerprint`, the text of that payload that its bytes depend on,
and :meth:`Output.write`, which serialises the payload into a file (in a worker process,
unless the output is :attr:`Output.quick`). ``build`` only loops over outputs: it
digests each fingerprint (with the digests of the outputs it reads), writes only those
whose digest changed, and knows nothing of any output in particular.

A topic's outputs are listed in :data:`TOPIC_OUTPUTS`, the combined book's in
:data:`BOOK_OUTPUTS`; each lives in its own module of this package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import booklet, combined, comparison, deck, edition, epub, notes_data, selftest, sheets
from .base import HtmlPdf, Output, RenderContext, WriteContext

__all__ = ["HtmlPdf", "Output", "RenderContext", "WriteContext", "book_outputs", "topic_outputs"]


def topic_outputs(document, formats: Sequence[str]) -> list[Output]:
    """Every output of one topic, in the order they are listed (and reported)."""
    makers: list[Callable[[Any], list[Output]]] = [
        notes_data.outputs,
        booklet.outputs,
        edition.outputs,
        selftest.outputs,
        comparison.outputs,
        sheets.outputs,
        epub.outputs,
        deck.outputs,
    ]
    return _selected(makers, document, formats)


def book_outputs(book, formats: Sequence[str]) -> list[Output]:
    """The combined book's outputs: its booklet, EPUB and deck."""
    return _selected([combined.outputs], book, formats)


def _selected(makers, subject, formats) -> list[Output]:
    return [
        output
        for make in makers
        for output in make(subject)
        if (output.format == "data" or output.format in formats) and output.wanted(subject)
    ]
