"""selftest.pdf: questions on the points, answers at the back (see notebuilder.selftest)."""

from __future__ import annotations

from ..render import render_selftest
from ..selftest import plan_selftest
from .base import HtmlPdf, Output, RenderContext


class SelfTest(HtmlPdf):
    name = "selftest.pdf"

    def render(self, context: RenderContext, document) -> str:
        test = plan_selftest(document, context.selftest)
        duplex = context.duplex_for(document.topic)
        return render_selftest(context.environment, test, context.root, context.paper, duplex)


def outputs(document) -> list[Output]:
    return [SelfTest()]
