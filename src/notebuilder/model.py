"""The plain data that flows between the stages: frozen dataclasses, nothing else.

validate  -> :class:`Corpus` (sources, topics with sections and fragments)
dedupe    -> :class:`Point` (one fact, merged from one or more fragments)
assemble  -> :class:`Document` (everything a layout needs, numbered and ordered)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from .errors import Location, Problem

# ---------------------------------------------------------------- validated input


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    kind: str
    publisher: str | None
    date: str | None
    location: Location
    ignore: tuple[str, ...] = ()  # lines ("12", "30-34") or patterns that coverage leaves out
    short: str | None = None  # what readers see, e.g. "IASGyan, 2025"; else made from the title
    text: str | None = None  # the seed's extracted prose (a file in seeds/), read by draft and coverage

    @property
    def shown(self) -> str:
        """The source as a reader sees it named: its ``short:``, else its title up to the
        first colon or parenthesis (never its id or file name)."""
        if self.short:
            return self.short
        import re

        head = re.split(r"\s*[:(]", self.title, maxsplit=1)[0].strip()
        return head if 0 < len(head) <= 60 else self.title[:57].rstrip() + "…"


ORDERS = ("date", "written", "natural")  # the named orders a section may choose


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    location: Location
    short: str | None = None  # a shorter title for the overview mind map
    order: str | tuple[str, ...] | None = None  # one of ORDERS, point ids, or None: the default


@dataclass(frozen=True, order=True)
class Citation:
    source: str
    locator: str | None = None


@dataclass(frozen=True)
class Fragment:
    id: str
    topic: str
    section: str
    text: str
    citations: tuple[Citation, ...]
    location: Location
    key: str | None = None
    short: str | None = None
    date: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    distinct: tuple[str, ...] = ()
    priority: int | None = None
    branch: str | None = None
    figures: tuple[tuple[str, str], ...] = ()  # (quantity, figure as the source gives it)
    canonical: bool = False  # this fragment's wording stands for its key's point

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(citation.source for citation in self.citations)


@dataclass(frozen=True)
class Cell:
    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Comparison:
    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    location: Location
    caption: str | None = None


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    expansion: str
    location: Location
    translations: tuple[tuple[str, str], ...] = ()  # (language, the term in it): ("hi", "सौर गठबंधन")


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    paper: str
    subject: str
    language: str
    sections: tuple[Section, ...]
    fragments: tuple[Fragment, ...]
    location: Location
    comparisons: tuple[Comparison, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    author: str | None = None  # in the PDF and EPUB metadata and on the title page
    publisher: str | None = None
    rights: str | None = None
    date_style: str = "short"  # short: 21 Aug 2025 | long: 21 August 2025 | iso: 2025-08-21
    duplex: bool = False  # printed on both sides: mirrored margins, numbers on the outer edge
    sections_on_right: bool = False  # printed on both sides, each section starts on a right page

    @property
    def cited_source_ids(self) -> frozenset[str]:
        """Every source the topic cites, in fragments or in comparison tables."""
        cited = {source for fragment in self.fragments for source in fragment.source_ids}
        cells = (cell for comparison in self.comparisons for row in comparison.rows for cell in row)
        return frozenset(cited | {citation.source for cell in cells for citation in cell.citations})


@dataclass(frozen=True)
class SyllabusGroup:
    """Topics printed together in the combined book, e.g. a paper: "GS2"."""

    title: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Syllabus:
    """notes/syllabus.yaml: the combined book's title and its groups of topics, in order."""

    title: str | None
    groups: tuple[SyllabusGroup, ...]
    location: Location
    exam: date | None = None  # the exam's day: review --plan plans towards it
    language: str | None = None  # the shared furniture's (combined book, review sheet), if named


@dataclass(frozen=True)
class Corpus:
    sources: tuple[Source, ...]
    topics: tuple[Topic, ...]
    warnings: tuple[Problem, ...] = ()
    syllabus: Syllabus | None = None

    @property
    def language(self) -> str:
        """The language of what the topics share (a combined book's contents, sources and
        running heads; a review sheet): notes/syllabus.yaml's ``language:``, else the one
        language every topic is written in, else English."""
        if self.syllabus is not None and self.syllabus.language:
            return self.syllabus.language
        languages = {topic.language for topic in self.topics}
        return languages.pop() if len(languages) == 1 else "en"

    def source(self, source_id: str) -> Source:
        return next(source for source in self.sources if source.id == source_id)

    @property
    def source_order(self) -> dict[str, int]:
        """Source id -> position in sources.yaml: the stable order citations are listed in."""
        return {source.id: index for index, source in enumerate(self.sources)}


# ---------------------------------------------------------------- deduplicated


@dataclass(frozen=True, order=True)
class Member:
    """A fragment merged into a point, kept so that the point can be traced back."""

    fragment: str
    location: Location


@dataclass(frozen=True)
class Figure:
    """One source's value for a quantity, e.g. ``~$43 billion`` from ``pillars``."""

    value: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """Sources that give different figures for the same quantity."""

    quantity: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Statement:
    """One thing a point prints, cited to exactly the sources whose fragments state it.

    ``fact`` is the point's wording; ``also`` a member's own wording where it adds
    details; ``without`` members that state the fact but not the ``missing`` details.
    """

    kind: str  # fact | also | without
    text: str  # note markup; for "without", the missing details joined by "; "
    citations: tuple[Citation, ...]
    fragments: tuple[str, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Point:
    id: str
    section: str
    text: str
    citations: tuple[Citation, ...]
    members: tuple[Member, ...]
    conflicts: tuple[Conflict, ...] = ()
    short: str | None = None
    date: str | None = None
    tags: tuple[str, ...] = ()
    priority: int | None = None
    branch: str | None = None
    reason: str = "single"
    statements: tuple[Statement, ...] = ()  # what it prints, each with its own sources
    lead: str = ""  # the member whose wording is the point's text

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(citation.source for citation in self.citations))


# ---------------------------------------------------------------- assembled


@dataclass(frozen=True)
class NumberedSource:
    number: int
    source: Source


@dataclass(frozen=True)
class Marker:
    """A compact citation marker, e.g. ``[2]`` linking to the sources list."""

    number: int
    source: str
    locator: str | None = None


@dataclass(frozen=True)
class DocFigure:
    value: str
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class DocConflict:
    """Shown under a point: "cumulative FDI: ~$43 billion [1] · $40 billion [3]"."""

    quantity: str
    figures: tuple[DocFigure, ...]


@dataclass(frozen=True)
class DocStatement:
    """A statement as printed: "also" lines and "without" lines under the point's text."""

    kind: str  # fact | also | without
    html: str  # safe inline HTML; for "without", the missing details
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class DocPoint:
    point: Point
    html: str  # the point's text as safe inline HTML
    markers: tuple[Marker, ...]  # the sources that state all of it
    conflicts: tuple[DocConflict, ...] = ()
    more: tuple[DocStatement, ...] = ()  # what other sources add, or state without some detail
    margin_date: str = ""  # the date printed beside the point; empty when its text begins with it
    # Whether the text itself already gives a date (this one, anywhere, or another at its
    # opening): inline, as the EPUB prints dates, a label before it would say it twice.
    dated_in_text: bool = False


@dataclass(frozen=True)
class FiguresRow:
    """One quantity across the sources: ``cells[i]`` is what source ``i`` gives, or None."""

    quantity: str
    cells: tuple[str | None, ...]
    disagree: bool


def with_row_headers(columns: int, rows: int) -> bool:
    """Whether a table's first column is marked as row headers: not when header cells would
    outnumber data cells (one row, or two columns), where the column headings say all, and
    accessibility checkers take such a table for a broken one."""
    return rows * (columns - 1) >= columns + rows


@dataclass(frozen=True)
class FiguresTable:
    sources: tuple[NumberedSource, ...]  # the columns
    rows: tuple[FiguresRow, ...]

    @property
    def row_headers(self) -> bool:
        return with_row_headers(len(self.sources) + 1, len(self.rows))


@dataclass(frozen=True)
class DocSection:
    id: str
    title: str
    number: int
    points: tuple[DocPoint, ...]

    @property
    def groups(self) -> tuple[tuple[str | None, tuple[DocPoint, ...]], ...]:
        """Consecutive points under the same curated ``branch``, for subheadings."""
        groups: list[tuple[str | None, list[DocPoint]]] = []
        for item in self.points:
            if not groups or groups[-1][0] != item.point.branch:
                groups.append((item.point.branch, []))
            groups[-1][1].append(item)
        return tuple((branch, tuple(items)) for branch, items in groups)


@dataclass(frozen=True)
class DocCell:
    html: str
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class DocComparison:
    id: str
    title: str
    caption: str | None
    columns: tuple[str, ...]
    rows: tuple[tuple[DocCell, ...], ...]

    @property
    def row_headers(self) -> bool:
        return with_row_headers(len(self.columns), len(self.rows))


@dataclass(frozen=True)
class TimelineEntry:
    date: str
    html: str  # the point's text
    section: DocSection
    markers: tuple[Marker, ...]
    point_id: str = ""
    conflicts: tuple[DocConflict, ...] = ()  # sources differ on this point: shown beside the entry


@dataclass(frozen=True)
class Document:
    topic: Topic
    sections: tuple[DocSection, ...]
    sources: tuple[NumberedSource, ...]
    build_epoch: int  # SOURCE_DATE_EPOCH when set, else the time of the build
    figures: FiguresTable | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    comparisons: tuple[DocComparison, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()

    @property
    def build_date(self) -> str:
        return datetime.fromtimestamp(self.build_epoch, UTC).strftime("%Y-%m-%d")

    @property
    def point_count(self) -> int:
        return sum(len(section.points) for section in self.sections)

    def sections_citing(self, number: int) -> tuple[DocSection, ...]:
        """The sections with a marker of source ``number``: a source's way back to the text."""

        def cites(item: DocPoint) -> bool:
            markers = [*item.markers, *(marker for more in item.more for marker in more.markers)]
            markers += [
                marker
                for conflict in item.conflicts
                for figure in conflict.figures
                for marker in figure.markers
            ]
            return any(marker.number == number for marker in markers)

        return tuple(section for section in self.sections if any(cites(item) for item in section.points))


@dataclass(frozen=True)
class Part:
    """One topic in the combined book, under its group (a paper, say)."""

    group: str
    document: Document  # numbered against the whole book's sources


@dataclass(frozen=True)
class Book:
    """Every topic in one volume: parts in syllabus order, one list of sources."""

    title: str
    parts: tuple[Part, ...]
    sources: tuple[NumberedSource, ...]
    build_epoch: int
    language: str = "en"  # the shared furniture's language (Corpus.language)

    @property
    def build_date(self) -> str:
        return datetime.fromtimestamp(self.build_epoch, UTC).strftime("%Y-%m-%d")

    @property
    def groups(self) -> tuple[tuple[str, tuple[Part, ...]], ...]:
        grouped: dict[str, list[Part]] = {}
        for part in self.parts:
            grouped.setdefault(part.group, []).append(part)
        return tuple((group, tuple(parts)) for group, parts in grouped.items())
