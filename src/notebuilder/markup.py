"""Note text: the inline-markdown subset (``**bold**`` and ``*italic*``) and its numbers.

Note text is escaped first, so anything that looks like HTML (``<script>``, ``<img>``)
shows as visible text; only the two emphasis forms become tags.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# Punctuation glued to the end of <strong>/<em> ("**crisis**.") trips WeasyPrint's line
# breaking (Kozea/WeasyPrint#1614): it breaks the line far too early. Inside the tag, it
# doesn't.
_TRAILING_PUNCTUATION = re.compile(r"</(strong|em)>([.,;:!?)\]’'”]+)")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")


def inline_html(text: str) -> Markup:
    html = str(escape(text))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    html = _TRAILING_PUNCTUATION.sub(r"\2</\1>", html)
    return Markup(html)


def plain_text(text: str) -> str:
    """The text with emphasis markers removed (for labels, search and comparison)."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def number_key(text: str) -> str:
    """'1,400' -> '1400', '4.50' -> '4.5': one spelling per number."""
    text = text.replace(",", "")
    return text.rstrip("0").rstrip(".") if "." in text else text


def numbers_in(text: str) -> frozenset[str]:
    """Every number a text states, normalised: used to compare figures across sources."""
    return frozenset(number_key(number) for number in _NUMBER.findall(text))
