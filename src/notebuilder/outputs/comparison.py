"""comparison.pdf: the hand-made comparison tables and the figures across sources."""

from __future__ import annotations

from ..render import render_comparison
from .base import HtmlPdf, Output, RenderContext


class Comparison(HtmlPdf):
    name = "comparison.pdf"

    def wanted(self, document) -> bool:
        return bool(document.comparisons or document.figures)

    def render(self, context: RenderContext, document) -> str:
        return render_comparison(context.environment, document, context.root, context.paper)


def outputs(document) -> list[Output]:
    return [Comparison()]
