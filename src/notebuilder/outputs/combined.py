"""The combined book of every selected topic, in ``<out>/combined/``: one booklet, one
EPUB and one deck, with one table of contents and one list of sources."""

from __future__ import annotations

import uuid

from ..cards import plan_cards
from ..i18n import gettext, ngettext
from ..mindmap import plan_sheets
from ..render import render_combined, render_combined_epub
from .base import Output, RenderContext
from .booklet import Booklet
from .deck import Deck, deck_data
from .epub import Epub


def book_metadata(book, author: str) -> dict[str, str]:
    """The combined EPUB's metadata: its creator is the parts' author when they name one
    and the same, else ``author``."""
    topics = [part.document.topic.id for part in book.parts]
    authors = {part.document.topic.author for part in book.parts}
    return {
        "creator": authors.pop() if len(authors) == 1 and None not in authors else author,
        "title": book.title + ": " + gettext(book.language, "combined revision book"),
        "lang": book.language,
        "date": book.build_date,
        "identifier": "urn:uuid:"
        + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:combined:" + ",".join(topics))),
        "description": ngettext(
            book.language, "%(num)s topic in one book", "%(num)s topics in one book", len(book.parts)
        )
        % {"num": len(book.parts)},
        "toc-title": gettext(book.language, "Contents"),
        "cover-words": gettext(book.language, "Combined revision book"),
    }


class CombinedBooklet(Booklet):
    def render(self, context: RenderContext, book) -> str:
        return render_combined(context.environment, book, context.root, context.paper, bool(context.duplex))


class CombinedEpub(Epub):
    split_level = 2  # one file per section of each part, not one file per part

    def html(self, context: RenderContext, book) -> str:
        sheets = {part.document.topic.id: plan_sheets(part.document) for part in book.parts}
        return render_combined_epub(context.environment, book, sheets, context.root)

    def metadata(self, book, author: str) -> dict[str, str]:
        return book_metadata(book, author)

    def glossary(self, book) -> dict[str, str]:
        return {entry.term: entry.expansion for part in book.parts for entry in part.document.topic.glossary}


class CombinedDeck(Deck):
    def render(self, context: RenderContext, book) -> list[dict]:
        return deck_data([card for part in book.parts for card in plan_cards(part.document)])


def outputs(book) -> list[Output]:
    return [CombinedBooklet(), CombinedEpub(), CombinedDeck()]
