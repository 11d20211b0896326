"""booklet.pdf: the revision booklet, every point once with its sources, to print."""

from __future__ import annotations

from ..render import render_booklet
from .base import HtmlPdf, Output, RenderContext


class Booklet(HtmlPdf):
    name = "booklet.pdf"
    counts_pages = True

    def render(self, context: RenderContext, document) -> str:
        duplex = context.duplex_for(document.topic)
        return render_booklet(
            context.environment, document, context.root, context.paper, duplex, context.marked
        )


def outputs(document) -> list[Output]:
    return [Booklet()]
