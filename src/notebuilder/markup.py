"""The inline-markdown subset allowed in note text: ``**bold**`` and ``*italic*``.

Note text is escaped first, so anything that looks like HTML (``<script>``, ``<img>``)
shows as visible text; only the two emphasis forms become tags.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")


def inline_html(text: str) -> Markup:
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return Markup(html)


def plain_text(text: str) -> str:
    """The text with emphasis markers removed (for labels, search and comparison)."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
