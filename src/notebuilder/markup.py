"""Note text: the inline-markdown subset (``**bold**`` and ``*italic*``) and its numbers.

Note text is escaped first, so anything that looks like HTML (``<script>``, ``<img>``)
shows as visible text; only the two emphasis forms become tags.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")
BOLD_SPAN, ITALIC_SPAN = _BOLD, _ITALIC  # for outputs that mark the spans up their own way (cards, self-test)


# A straight quote opens after a space, an opening bracket or dash, or at the start;
# anywhere else (after a word, a closing mark, or emphasis markers) it closes.
_OPENING_DOUBLE = re.compile(r"(?:^|(?<=[\s(\[{‘“—–/]))\"")
_OPENING_SINGLE = re.compile(r"(?:^|(?<=[\s(\[{‘“—–/]))'(?!\d0s\b)(?=\S)")


@functools.lru_cache(maxsize=65536)
def curly_quotes(text: str) -> str:
    """Straight quotes and apostrophes as printed ones: "Act East" → “Act East”,
    India's → India’s, '90s → ’90s. Only what is printed is changed; the notes, and
    what dedupe and check read, keep the student's own characters."""
    text = _OPENING_DOUBLE.sub("“", text).replace('"', "”")
    return _OPENING_SINGLE.sub("‘", text).replace("'", "’")


def inline_html(text: str) -> Markup:
    """Note text as HTML. Punctuation after a term stays outside its emphasis, as written
    ("**752 AD**,"): it is not part of the term. (WeasyPrint 70 no longer breaks such lines
    early, Kozea/WeasyPrint#1614: the shipped booklet prints the same lines but one.)"""
    html = str(escape(curly_quotes(text)))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return Markup(html)


def bold_spans(text: str) -> list[str]:
    """The ``**bold**`` spans of a note text: its key terms, dates and figures."""
    return _BOLD.findall(text)


@functools.lru_cache(maxsize=65536)
def plain_text(text: str) -> str:
    """The text with emphasis markers removed (for labels, search and comparison)."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A plural's singular, roughly: "rights" -> "right", "policies" -> "policy",
    "taxes" -> "tax", "dialogues" -> "dialogue"."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1]
