"""Stage 4, assemble: arrange a topic's points into the :class:`Document` a layout renders.

Pure: takes the corpus, one topic and its deduplicated points; numbers the cited
sources, orders sections (topic order) and points (:func:`point_order`, which never
depends on how files or fragments were arranged), and turns note text into
safe inline HTML. Layouts receive finished values and only present them.
"""

from __future__ import annotations

import re

from .dates import DEVANAGARI_DIGITS, display_date, parse_date
from .figures import figures_agree, quantity_keys
from .i18n import gettext
from .markup import inline_html, plain_text
from .model import (
    Book,
    Citation,
    Corpus,
    DocCell,
    DocComparison,
    DocConflict,
    DocFigure,
    DocPoint,
    DocSection,
    DocStatement,
    Document,
    FiguresRow,
    FiguresTable,
    Marker,
    NumberedSource,
    Part,
    Point,
    Source,
    Statement,
    TimelineEntry,
    Topic,
)

_UNDATED = (10_000, 0, 0)


def point_order(point: Point) -> tuple:
    """The default order: priority first; then the curated branch, so related points stand
    together; then date, oldest first, undated last; then the first tag; then the id."""
    return (point.priority or 2, point.branch or "", _date_key(point), point.tags[:1], point.id)


def _date_key(point: Point) -> tuple:
    span = parse_date(point.date) if point.date else None
    return span.start if span else _UNDATED


def natural_key(text: str) -> tuple:
    """Numbers compared as numbers: Article 12 < 14 < 21 < 21A < 24."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", text.casefold())
    )


def order_points(points: list[Point], order: str | tuple[str, ...] | None) -> list[Point]:
    """A section's points in the order it chose (``Section.order``), else :func:`point_order`.

    ``date``: oldest first, undated last; ``written``: as the fragments stand in the files
    (files by name); ``natural``: by label, numbers as numbers; a list of ids: those
    points first, in that order, then the rest in the default order. Named orders keep
    curated branches together."""
    if isinstance(order, tuple):
        rank = {name: index for index, name in enumerate(order)}

        def listed(point: Point) -> int:
            names = [point.id, *(member.fragment for member in point.members)]
            return min((rank[name] for name in names if name in rank), default=len(rank))

        return sorted(points, key=lambda point: (listed(point), point_order(point)))
    keys = {
        "date": lambda point: (_date_key(point), point_order(point)),
        "written": lambda point: (
            min((member.location.path, member.location.line) for member in point.members),
        ),
        "natural": lambda point: (natural_key(plain_text(point.short or point.text)), point.id),
    }
    if order in keys:
        return sorted(points, key=lambda point: (point.branch or "", *keys[order](point)))
    return sorted(points, key=point_order)


def number_sources(corpus: Corpus, topics: tuple[Topic, ...]) -> tuple[NumberedSource, ...]:
    """The sources the topics cite, numbered from 1 in order of first citation: topic by
    topic in the order given, and within a topic in sources.yaml order (so a topic's own
    booklet and its part of the combined book list its sources in the same order, and
    Part 1 cites [1]–[3], not [6]–[8])."""
    ordered: dict[str, Source] = {}
    for topic in topics:
        cited = topic.cited_source_ids
        ordered |= {
            source.id: source for source in corpus.sources if source.id in cited and source.id not in ordered
        }
    return tuple(NumberedSource(number, source) for number, source in enumerate(ordered.values(), start=1))


def _markers(citations: tuple[Citation, ...], numbers: dict[str, int]) -> tuple[Marker, ...]:
    locators: dict[str, list[str]] = {}
    for citation in citations:
        locators.setdefault(citation.source, [])
        if citation.locator:
            locators[citation.source].append(citation.locator)
    return tuple(
        sorted(
            (Marker(numbers[source], source, "; ".join(found) or None) for source, found in locators.items()),
            key=lambda marker: marker.number,
        )
    )


def _conflicts(point: Point, numbers: dict[str, int]) -> tuple[DocConflict, ...]:
    return tuple(
        DocConflict(
            conflict.quantity,
            tuple(
                DocFigure(
                    figure.value,
                    tuple(Marker(numbers[source], source) for source in figure.sources if source in numbers),
                )
                for figure in conflict.figures
            ),
        )
        for conflict in point.conflicts
    )


def _leading_date(text: str, date: str) -> str | None:
    """The text with its opening date removed, if it opens by stating ``date`` ("2005–2006:
    annual summits began" for the date 2005–2006); None if it does not."""
    found = re.match(r"(?:\*\*)?" + re.escape(date) + r"(?:\*\*)?(?:\s*[:,–—-]\s+|\s+)(?=\S)", text)
    if not found:
        return None
    rest = text[found.end() :]
    return (
        rest[:1].upper() + rest[1:]
    )  # "1952 treaty restored ties" on the timeline: 1952 | Treaty restored ties


def spoken_list(items: tuple[str, ...] | list[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _doc_point(
    point: Point, numbers: dict[str, int], date_style: str = "short", language: str = "en"
) -> DocPoint:
    """The point's text cited to the sources that state all of it, then what the others add."""
    fact, *more = point.statements or (Statement("fact", point.text, point.citations, ()),)

    def doc_statement(statement: Statement) -> DocStatement:
        html = (
            inline_html(statement.text, language)
            if statement.kind != "without"
            else inline_html(spoken_list(statement.missing), language)
        )
        return DocStatement(statement.kind, html, _markers(statement.citations, numbers))

    date = str(point.date) if point.date else ""
    text = plain_text(fact.text).translate(DEVANAGARI_DIGITS)  # (२००२) gives the year 2002
    opens_with_date = bool(date) and text.startswith(date)
    shown = display_date(date, date_style, language)
    dated_in_text = bool(date) and (
        date in text or shown in text or _OPENING_DATE.match(text) is not None or _names_its_year(text, date)
    )
    return DocPoint(
        point,
        inline_html(fact.text, language),
        _markers(fact.citations, numbers),
        _conflicts(point, numbers),
        tuple(map(doc_statement, more)),
        margin_date="" if opens_with_date else shown,
        dated_in_text=dated_in_text,
    )


def _names_its_year(text: str, date: str) -> bool:
    """Whether the text names the year of a dated point ("On 21 August 2025, …" for the
    date 2025-08-21): a date of a single year, whatever form the text gives it in."""
    span = parse_date(date)
    if span is None or span.start[0] != span.end_year or span.end_year < 1000:
        return False
    return re.search(rf"(?<![\d–-]){span.end_year}(?![\d–-])", text) is not None


# A text that opens with a date of its own ("1950s–1990s: …", "c. 1500 BCE: …").
_OPENING_DATE = re.compile(r"(?:c\.\s*)?\d[\w–-]*(?:\s+(?:BCE|BC|CE|AD))?\s*:")


def figures_table(topic: Topic, sources: tuple[NumberedSource, ...]) -> FiguresTable | None:
    """Every quantity that fragments give a figure for, against every source that gives one."""
    columns = tuple(
        numbered
        for numbered in sources
        if any(numbered.source.id in f.source_ids for f in topic.fragments if f.figures)
    )
    if not columns:
        return None
    column_of = {numbered.source.id: index for index, numbered in enumerate(columns)}
    values: dict[str, dict[int, dict[frozenset, str]]] = {}
    names: dict[str, str] = {}
    for fragment in topic.fragments:
        for quantity, value in fragment.figures:
            names.setdefault(quantity.casefold(), quantity)
            for source in fragment.source_ids:
                values.setdefault(quantity.casefold(), {}).setdefault(column_of[source], {})[
                    quantity_keys(value)
                ] = value
    rows = []
    for quantity in sorted(values, key=lambda name: names[name].casefold()):
        by_column = values[quantity]
        written = [value for found in by_column.values() for value in found.values()]
        cells = tuple(
            " / ".join(sorted(by_column[index].values())) if index in by_column else None
            for index in range(len(columns))
        )
        label = names[quantity][:1].upper() + names[quantity][1:]
        disagree = not all(figures_agree(first, second) for first in written for second in written)
        rows.append(FiguresRow(label, cells, disagree=disagree))
    return FiguresTable(columns, tuple(rows))


def assemble_document(
    corpus: Corpus,
    topic: Topic,
    points: tuple[Point, ...],
    build_epoch: int,
    numbered: tuple[NumberedSource, ...] | None = None,
) -> Document:
    """The topic's document; ``numbered`` gives the source numbers of a larger book."""
    cited = topic.cited_source_ids
    sources = (
        tuple(n for n in numbered if n.source.id in cited) if numbered else number_sources(corpus, (topic,))
    )
    numbers = {numbered.source.id: numbered.number for numbered in sources}
    sections = []
    filled = [section for section in topic.sections if any(point.section == section.id for point in points)]
    for number, section in enumerate(filled, start=1):
        in_section = order_points([point for point in points if point.section == section.id], section.order)
        sections.append(
            DocSection(
                id=section.id,
                title=section.title,
                number=number,
                points=tuple(
                    _doc_point(point, numbers, topic.date_style, topic.language) for point in in_section
                ),
            )
        )
    comparisons = tuple(
        DocComparison(
            comparison.id,
            comparison.title,
            comparison.caption,
            comparison.columns,
            tuple(
                tuple(
                    DocCell(inline_html(cell.text, topic.language), _markers(cell.citations, numbers))
                    for cell in row
                )
                for row in comparison.rows
            ),
        )
        for comparison in topic.comparisons
    )
    return Document(
        topic=topic,
        sections=tuple(sections),
        sources=sources,
        build_epoch=build_epoch,
        figures=figures_table(topic, sources),
        timeline=build_timeline(sections, topic.date_style, topic.language),
        comparisons=comparisons,
        glossary=topic.glossary,
    )


def book_order(corpus: Corpus) -> list[tuple[str, Topic]]:
    """(group, topic) in the combined book's order: notes/syllabus.yaml's groups, topics it
    leaves out last; without one, grouped by paper, then by title."""
    by_id = {topic.id: topic for topic in corpus.topics}
    if corpus.syllabus is None:
        ordered = sorted(
            corpus.topics, key=lambda topic: (natural_key(topic.paper), topic.title.casefold(), topic.id)
        )
        return [(topic.paper, topic) for topic in ordered]
    placed = [
        (group.title, by_id[topic])
        for group in corpus.syllabus.groups
        for topic in group.topics
        if topic in by_id
    ]
    listed = {topic.id for _, topic in placed}
    rest = sorted(
        (topic for topic in corpus.topics if topic.id not in listed),
        key=lambda topic: (topic.paper, topic.title),
    )
    other = gettext(corpus.language, "Other topics")
    return placed + [(other, topic) for topic in rest]


def assemble_book(corpus: Corpus, points: dict[str, tuple[Point, ...]], build_epoch: int) -> Book:
    """Every topic as a part, numbered against one list of sources (pure; reuses each
    topic's deduplicated points)."""
    order = book_order(corpus)
    numbered = number_sources(corpus, tuple(topic for _, topic in order))
    parts = tuple(
        Part(group, assemble_document(corpus, topic, points[topic.id], build_epoch, numbered))
        for group, topic in order
    )
    language = corpus.language
    title = (
        corpus.syllabus.title
        if corpus.syllabus and corpus.syllabus.title
        else gettext(language, "Revision notes")
    )
    return Book(title, parts, numbered, build_epoch, language)


def build_timeline(
    sections: list[DocSection], date_style: str = "short", language: str = "en"
) -> tuple[TimelineEntry, ...]:
    """Every dated point, oldest first; ties keep section order, then id.

    An entry is the point's own wording (its lead's label) with the markers of the
    sources that state it; where sources differ, the entry carries the differing figures.
    The date stands once, in the date column: a wording that opens with the same date
    ("1952: treaty signed") loses that opening there.
    """
    entries = []
    for section in sections:
        for item in section.points:
            span = parse_date(item.point.date) if item.point.date else None
            if span is not None:
                statements = item.point.statements
                wording = item.point.short or (statements[0].text if statements else item.point.text)
                date = str(item.point.date)
                label = inline_html(_leading_date(wording, date) or wording, language)
                entry = TimelineEntry(
                    display_date(date, date_style, language),
                    label,
                    section,
                    item.markers,
                    item.point.id,
                    item.conflicts,
                )
                entries.append((span.start, span.end_year, section.number, item.point.id, entry))
    return tuple(entry[-1] for entry in sorted(entries, key=lambda entry: entry[:4]))


def notes_json(document: Document) -> dict:
    """The deduplicated model as plain data, written to ``notes.json`` (docs/notes-json.md)."""

    def point_json(item: DocPoint) -> dict:
        point = item.point
        return {
            "id": point.id,
            "text": point.text,
            "lead": point.lead,
            "sources": [{"id": citation.source, "locator": citation.locator} for citation in point.citations],
            "statements": [
                {
                    "kind": statement.kind,
                    "text": statement.text if statement.kind != "without" else None,
                    "missing": list(statement.missing),
                    "sources": list(dict.fromkeys(citation.source for citation in statement.citations)),
                    "fragments": list(statement.fragments),
                }
                for statement in point.statements
            ],
            "members": [
                {
                    "fragment": member.fragment,
                    "path": member.location.path,
                    "line": member.location.line,
                    "column": member.location.column,
                }
                for member in point.members
            ],
            "merged_by": point.reason,
            "conflicts": [
                {
                    "quantity": conflict.quantity,
                    "figures": [
                        {"value": figure.value, "sources": list(figure.sources)}
                        for figure in conflict.figures
                    ],
                }
                for conflict in point.conflicts
            ],
            "date": point.date,
            "short": point.short,
            "tags": list(point.tags),
            "priority": point.priority,
            "branch": point.branch,
        }

    topic = document.topic
    figures = document.figures
    rows = figures.rows if figures else ()
    columns = figures.sources if figures else ()
    return {
        "schema": "notebuilder-notes/2",
        "topic": {
            "id": topic.id,
            "title": topic.title,
            "paper": topic.paper,
            "subject": topic.subject,
            "language": topic.language,
        },
        "sources": [
            {
                "number": numbered.number,
                "id": numbered.source.id,
                "title": numbered.source.title,
                "publisher": numbered.source.publisher,
                "date": numbered.source.date,
                "kind": numbered.source.kind,
                "file": "seeds/" + numbered.source.file,
            }
            for numbered in document.sources
        ],
        "sections": [
            {
                "id": section.id,
                "number": section.number,
                "title": section.title,
                "points": [point_json(item) for item in section.points],
            }
            for section in document.sections
        ],
        "figures": [
            {
                "quantity": row.quantity,
                "disagree": row.disagree,
                "values": {
                    numbered.source.id: cell for numbered, cell in zip(columns, row.cells) if cell is not None
                },
            }
            for row in rows
        ],
    }
