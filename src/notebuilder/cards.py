"""The Anki deck: active recall from the same points as the booklet (pure; write.py packs it).

* **One cloze note per point**: its wording, each ``**bold**`` span a cloze deletion. A
  point of up to :data:`MAX_CLOZES` bold spans gets one card per span (``c1``, ``c2``…);
  a point with more groups neighbouring spans so that it never makes more than
  :data:`MAX_CLOZES` cards. A point with no bold span makes no card: there is nothing
  to recall (bold the key term of a fragment to make one). The back shows the sources
  that state the point, what other sources add, and any figures the sources give
  differently.
* **One note per conflict**: "India–Japan · Cumulative FDI: what does each source give?", answered with
  each figure and the sources that give it.
* **Stable identity**: a note's GUID comes from the topic and the point's id (its key or
  lead fragment), so re-importing after an edit updates the note and keeps its review
  history; deck and model ids come from their names, the same on every machine.
* Decks nest ``Paper::Topic::Section``; tags are the paper, the subject, the topic, the
  section and the point's own tags.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from .i18n import gettext, ngettext
from .markup import BOLD_SPAN, ITALIC_SPAN, curly_quotes
from .model import DocPoint, Document

MAX_CLOZES = 4


@dataclass(frozen=True)
class Card:
    """One Anki note: a cloze of a point, or a question about a conflict."""

    kind: str  # cloze | conflict
    identity: tuple[str, ...]  # what the GUID is made from: (topic, point[, "conflict", quantity])
    deck: str  # Paper::Topic::Section
    fields: tuple[str, ...]  # cloze: (Text, Extra); conflict: (Question, Answer)
    tags: tuple[str, ...]


def stable_id(name: str) -> int:
    """A deck or model id from its name: the same on every machine, in genanki's range."""
    return (1 << 30) + int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:12], 16) % (1 << 30)


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def _safe_in_cloze(html: str) -> str:
    """Cloze syntax is ``{{c1::text}}``: keep a span's own braces and colons from ending it."""
    return html.replace("}}", "}\u200b}").replace("::", ":\u200b:")


def cloze_text(text: str) -> tuple[str, int]:
    """The note text as cloze HTML (escaped) and how many clozes it has."""
    text = curly_quotes(text)
    spans = BOLD_SPAN.findall(text)
    numbers = (
        [1 + index * min(len(spans), MAX_CLOZES) // len(spans) for index in range(len(spans))]
        if spans
        else []
    )
    pieces, position = [], 0
    for match, number in zip(BOLD_SPAN.finditer(text), numbers):
        pieces.append(str(escape(text[position : match.start()])))
        pieces.append(f"{{{{c{number}::{_safe_in_cloze(str(escape(match.group(1))))}}}}}")
        position = match.end()
    pieces.append(str(escape(text[position:])))
    html = ITALIC_SPAN.sub(r"<em>\1</em>", "".join(pieces))
    return html, max(numbers, default=0)


def _sources_line(markers, titles: dict[int, str], numbers: dict[int, int]) -> str:
    return "; ".join(f"[{numbers[marker.number]}] {escape(titles[marker.number])}" for marker in markers)


def _back(item: DocPoint, titles: dict[int, str], numbers: dict[int, int], language: str = "en") -> str:
    """The back of a point's card, in the topic's language: its sources, what others add
    or leave out, and where the sources differ."""
    said = _sources_line(item.markers, titles, numbers)
    lines = [f"<div class='sources'>{escape(gettext(language, 'Sources'))}: {said}</div>"]
    for statement in item.more:
        sources = _sources_line(statement.markers, titles, numbers)
        if statement.kind == "also":
            line = escape(gettext(language, "Also: %(text)s (%(sources)s)")) % {
                "text": Markup(statement.html),
                "sources": Markup(sources),
            }
        else:
            line = escape(
                ngettext(
                    language,
                    "%(sources)s says this too, without %(details)s.",
                    "%(sources)s say this too, without %(details)s.",
                    len(statement.markers),
                )
            ) % {"sources": Markup(sources), "details": Markup(statement.html)}
        lines.append(f"<div class='also'>{line}</div>")
    for conflict in item.conflicts:
        figures = " · ".join(
            f"{escape(figure.value)} [{', '.join(str(numbers[m.number]) for m in figure.markers)}]"
            for figure in conflict.figures
        )
        differ = escape(gettext(language, "Sources differ on %(quantity)s: %(figures)s")) % {
            "quantity": conflict.quantity,
            "figures": Markup(figures),
        }
        lines.append(f"<div class='differ'>{differ}</div>")
    return "".join(lines)


def plan_cards(document: Document) -> tuple[Card, ...]:
    """Every card of one topic, in booklet order. A card numbers its sources as the topic's
    own booklet does, 1, 2, 3… in order of first citation, wherever the card is: in a
    combined book the topic's sources carry the book's numbers, and a card imported from
    both decks would otherwise change its numbers."""
    topic = document.topic
    titles = {numbered.number: numbered.source.title for numbered in document.sources}
    numbers = {numbered.number: own for own, numbered in enumerate(document.sources, start=1)}
    cards = []
    for section in document.sections:
        deck = f"{topic.paper}::{topic.title}::{section.title}"
        base_tags = (_tag(topic.paper), _tag(topic.subject), topic.id, section.id)
        for item in section.points:
            point = item.point
            tags = tuple(dict.fromkeys((*base_tags, *(_tag(tag) for tag in point.tags))))
            text, clozes = cloze_text(point.text)
            if clozes:
                cards.append(
                    Card(
                        "cloze",
                        (topic.id, point.id),
                        deck,
                        (text, _back(item, titles, numbers, topic.language)),
                        tags,
                    )
                )
            for conflict in item.conflicts:
                # The figure is asked for, not the sources: what each gives, with the topic named.
                quantity = conflict.quantity[:1].upper() + conflict.quantity[1:]
                question = str(
                    escape(gettext(topic.language, "%(topic)s · %(quantity)s: what does each source give?"))
                    % {"topic": topic.title, "quantity": quantity}
                )
                answer = "".join(
                    f"<div>{escape(figure.value)}: {_sources_line(figure.markers, titles, numbers)}</div>"
                    for figure in conflict.figures
                )
                identity = (topic.id, point.id, "conflict", conflict.quantity)
                cards.append(Card("conflict", identity, deck, (question, answer), (*tags, "sources-differ")))
    return tuple(cards)
