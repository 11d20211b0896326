"""Part of the write stage: print again only the page groups of a PDF whose HTML changed.

A layout marks the parts of a document that begin on a page of their own (the title page,
the contents, the sections, each part of the back matter) as *page groups*, between
``<!--notebuilder:pages-->`` and ``<!--/notebuilder:pages-->``; a group's first element
carries an ``id``, and the group sets its own running head. When such a document is
printed, its :class:`PageRecord` (each group's digest and first page, the page count, and
the page of every anchor) is kept in the cache under the digest of the PDF's bytes.

The next time, when some groups changed and the last PDF is still the one recorded:

1. the document is laid out again with each unchanged group replaced by as many blank
   pages as it had, carrying its anchors on the pages they were on, so that page numbers,
   "page X of Y", links and the contents' page numbers come out as in a whole printing;
2. a group that refers (``href``) to an anchor that moved to another page, appeared or
   went away is printed again too (the contents shows page numbers);
3. if every group starts on the page it did and the page count is the same, the PDF is
   joined from the new pages of the changed groups and the last PDF's other pages (with
   pikepdf: structure tree, links, named destinations and bookmarks included);
   otherwise (a group grew or shrank by a page) the whole document is printed again.

WeasyPrint tags a PDF page by page (each page's structure elements are children of the
Document element, and its marked content is numbered within the page), which is what
lets tagged pages move between PDFs whole.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from .cache import keep, recall

BEGIN = "<!--notebuilder:pages-->"
END = "<!--/notebuilder:pages-->"
RECORD_VERSION = 1
MAX_ROUNDS = 3  # layouts tried before printing the whole document instead
# Each printing embeds its own subsets of the fonts: a PDF joined from more printings than
# this is printed whole instead, so that it stays about as small as a whole printing.
MAX_PRINTINGS = 3

# One blank page in place of an unchanged group's page: it only carries that page's anchors.
# The last one before a group that is printed also ends its page.
PLACEHOLDER = '<div style="break-before: page;{} margin: 0; padding: 0; border: 0; height: 1px">{}</div>'


class CannotJoin(Exception):
    """The last PDF's pages cannot be taken over as they are: print the whole document."""


@dataclass(frozen=True)
class PagedHtml:
    """A document cut into its page groups: ``frame[0] groups[0] frame[1] … frame[n]``."""

    frame: tuple[str, ...]
    groups: tuple[str, ...]

    def join(self, groups: Sequence[str]) -> str:
        parts = [self.frame[0]]
        for group, after in zip(groups, self.frame[1:]):
            parts += [BEGIN, group, END, after]
        return "".join(parts)


def split_groups(html: str) -> PagedHtml | None:
    """The document's page groups, or None if it has none that can be printed alone
    (unbalanced markers, or a group whose first element has no id)."""
    frame, groups, position = [], [], 0
    while (start := html.find(BEGIN, position)) >= 0:
        end = html.find(END, start)
        if end < 0 or html.find(BEGIN, start + len(BEGIN), end) >= 0:
            return None
        frame.append(html[position:start])
        groups.append(html[start + len(BEGIN) : end])
        position = end + len(END)
    if not groups or html.find(END, position) >= 0:
        return None
    frame.append(html[position:])
    if any(_references(group).first_id is None for group in groups):
        return None
    return PagedHtml(tuple(frame), tuple(groups))


class _References(HTMLParser):
    """The ids a group defines (the first element's first) and the anchors it links to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: set[str] = set()
        self.first_id: str | None = None
        self.seen_element = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if not self.seen_element:
            self.seen_element = True
            self.first_id = values.get("id")
        if values.get("id"):
            self.ids.append(values["id"])
        href = values.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            self.links.add(href[1:])


def _references(group: str) -> _References:
    finder = _References()
    finder.feed(group)
    finder.close()
    return finder


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PageRecord:
    """How a printed PDF's pages fall: what :func:`print_reusing` needs of the last PDF."""

    frame: str  # digest of everything outside the groups, and of the PDF variant
    groups: tuple[str, ...]  # each group's digest
    starts: tuple[int, ...]  # each group's first page (from 0)
    pages: int
    anchors: dict[str, int]  # each anchor's page
    printings: tuple[int, ...]  # for each page, the printing it comes from (0: the first)

    def to_json(self) -> bytes:
        data = {
            "version": RECORD_VERSION,
            "frame": self.frame,
            "groups": self.groups,
            "starts": self.starts,
            "pages": self.pages,
            "anchors": self.anchors,
            "printings": self.printings,
        }
        return json.dumps(data, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> PageRecord | None:
        try:
            value = json.loads(data)
            if value.get("version") != RECORD_VERSION:
                return None
            return cls(
                value["frame"],
                tuple(value["groups"]),
                tuple(value["starts"]),
                value["pages"],
                {str(name): int(page) for name, page in value["anchors"].items()},
                tuple(int(printing) for printing in value["printings"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def group_pages(self, index: int) -> range:
        end = self.starts[index + 1] if index + 1 < len(self.starts) else self.pages
        return range(self.starts[index], end)


def _frame_digest(paged: PagedHtml, variant: str | None) -> str:
    return _digest("\0".join((*paged.frame, str(variant))))


def _anchor_pages(document) -> dict[str, int]:
    """Each anchor's page in a laid-out WeasyPrint document (the first, if repeated)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, number)
    return pages


def _record_of(paged: PagedHtml, variant: str | None, document) -> PageRecord | None:
    """The record of a document printed whole, or None if its groups cannot be found."""
    anchors = _anchor_pages(document)
    starts = []
    for group in paged.groups:
        first = _references(group).first_id
        if first not in anchors:
            return None
        starts.append(anchors[first])
    if starts[0] != 0 or any(later <= earlier for earlier, later in itertools.pairwise(starts)):
        return None
    return PageRecord(
        _frame_digest(paged, variant),
        tuple(_digest(group) for group in paged.groups),
        tuple(starts),
        len(document.pages),
        anchors,
        (0,) * len(document.pages),
    )


def _pdf_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _recorded(cache: Path, pdf: Path) -> PageRecord | None:
    try:
        data = recall(cache / f"{_pdf_digest(pdf)}.json")
    except OSError:
        return None
    return PageRecord.from_json(data) if data is not None else None


def _keep_record(cache: Path, pdf: Path, record: PageRecord) -> None:
    keep(cache / f"{_pdf_digest(pdf)}.json", record.to_json())


def _placeholders(record: PageRecord, index: int, last: bool) -> str:
    """Blank pages for an unchanged group, each with the anchors it had."""
    on_page: dict[int, list[str]] = {}
    for name, page in record.anchors.items():
        on_page.setdefault(page, []).append(name)
    pages = record.group_pages(index)
    html = []
    for number, page in enumerate(pages):
        stubs = "".join(f'<span id="{escape(name)}"></span>' for name in sorted(on_page.get(page, ())))
        ends = " break-after: page;" if number == len(pages) - 1 and not last else ""
        html.append(PLACEHOLDER.format(ends, stubs))
    return "".join(html)


@dataclass(frozen=True)
class Printed:
    """What :func:`print_reusing` did: the page count, and the groups it printed again
    (all of them when it printed the whole document)."""

    pages: int
    printed: tuple[int, ...]
    whole: bool


def print_reusing(
    html: str,
    target: Path,
    previous: Path | None,
    cache: Path | None,
    variant: str | None,
    lay_out: Callable[[str], object],
    write: Callable[[object, object], None],
) -> Printed:
    """Print ``html`` into ``target``, reusing the unchanged page groups of ``previous``
    (the last good PDF) where its record allows; ``lay_out`` lays HTML out with WeasyPrint
    and ``write(document, file)`` writes a laid-out document as PDF."""
    paged = split_groups(html)
    if paged is not None and previous is not None and cache is not None and previous.is_file():
        record = _recorded(cache, previous)
        if record is not None:
            done = _print_changed(paged, record, target, previous, variant, lay_out, write)
            if done is not None:
                new_record, printed = done
                _keep_record(cache, target, new_record)
                return Printed(new_record.pages, printed, False)
    document = lay_out(html)
    with open(target, "wb") as file:
        write(document, file)
    if paged is not None and cache is not None:
        record = _record_of(paged, variant, document)
        if record is not None:
            _keep_record(cache, target, record)
    return Printed(len(document.pages), tuple(range(len(paged.groups))) if paged else (), True)


def _print_changed(paged, record, target, previous, variant, lay_out, write):
    """Print the changed groups and join them with the last PDF's other pages; None when
    the whole document must be printed instead."""
    if record.frame != _frame_digest(paged, variant) or len(record.groups) != len(paged.groups):
        return None
    digests = tuple(_digest(group) for group in paged.groups)
    printed = {index for index, digest in enumerate(digests) if digest != record.groups[index]}
    if not printed:  # nothing it prints changed (notebuilder or a tool did): the same pages again
        shutil.copyfile(previous, target)
        return record, ()
    if len(printed) == len(paged.groups):
        return None
    references = [_references(group) for group in paged.groups]
    for _ in range(MAX_ROUNDS):
        last = len(paged.groups) - 1
        groups = [
            group if index in printed else _placeholders(record, index, index == last)
            for index, group in enumerate(paged.groups)
        ]
        document = lay_out(paged.join(groups))
        anchors = _anchor_pages(document)
        if len(document.pages) != record.pages:
            return None
        starts = [anchors.get(reference.first_id) for reference in references]
        if starts != list(record.starts):  # a group grew or shrank: the pages fall otherwise
            return None
        moved = set()
        for index in printed:
            now = {name: anchors.get(name) for name in references[index].ids}
            before = {name for name, page in record.anchors.items() if page in record.group_pages(index)}
            moved |= {name for name in set(now) | before if now.get(name) != record.anchors.get(name)}
        also = {
            index
            for index in range(len(paged.groups))
            if index not in printed and references[index].links & moved
        }
        if also:
            printed |= also
            if len(printed) == len(paged.groups):
                return None
            continue
        pages_of = {page for index in printed for page in record.group_pages(index)}
        printing = max(record.printings) + 1
        printings = tuple(
            printing if page in pages_of else record.printings[page] for page in range(record.pages)
        )
        if len(set(printings)) > MAX_PRINTINGS:
            return None
        fresh = io.BytesIO()
        write(document, fresh)
        try:
            join_pages(fresh, previous, pages_of, target)
        except CannotJoin:
            return None
        kept = {name: page for name, page in record.anchors.items() if page not in pages_of}
        kept.update({name: page for name, page in anchors.items() if page in pages_of})
        joined = PageRecord(record.frame, digests, record.starts, record.pages, kept, printings)
        return joined, tuple(sorted(printed))
    return None


def join_pages(fresh: io.BytesIO, previous: Path, fresh_pages: set[int], target: Path) -> None:
    """Write ``target`` with the pages numbered in ``fresh_pages`` taken from ``fresh``
    (a PDF of the same page count) and every other page from ``previous``; the document's
    metadata, language and viewer preferences come from ``fresh``."""
    import pikepdf

    try:
        with pikepdf.open(fresh) as new, pikepdf.open(previous) as old, pikepdf.new() as joined:
            if len(old.pages) != len(new.pages):
                raise CannotJoin("the last PDF is not the one recorded")
            sources = [(new if number in fresh_pages else old, number) for number in range(len(new.pages))]
            _join(joined, new, old, sources)
            joined.save(
                target,
                deterministic_id=True,
                min_version=new.pdf_version,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            )
    except pikepdf.PdfError as error:
        raise CannotJoin(str(error)) from error


def _join(joined, new, old, sources) -> None:
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    tagged = "/StructTreeRoot" in new.Root and "/StructTreeRoot" in old.Root
    structure = {id(pdf): _page_structure(pdf) for pdf in (new, old)} if tagged else {}
    place: dict[tuple[int, tuple[int, int]], int] = {}  # (source, page objgen) -> page number
    for number, (pdf, index) in enumerate(sources):
        joined.pages.append(pdf.pages[index])
        place[id(pdf), pdf.pages[index].objgen] = number

    if tagged:
        root = joined.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        document = joined.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=root))
        root.K = Array([document])
        parents = pikepdf.NumberTree.new(joined)
        annotation_key = len(sources)
        for number, (pdf, index) in enumerate(sources):
            kids, parent_tree = structure[id(pdf)]
            page = pdf.pages[index]
            for kid in kids.get(page.objgen, ()):
                copied = joined.copy_foreign(kid)
                copied.P = document
                document.K.append(copied)
            copied_page = joined.pages[number].obj
            if "/StructParents" in page.obj:
                parents[number] = _copy(joined, parent_tree[int(page.obj.StructParents)])
                copied_page.StructParents = number
            for annotation in copied_page.get("/Annots", ()):
                if "/StructParent" in annotation:
                    parents[annotation_key] = _copy(joined, parent_tree[int(annotation.StructParent)])
                    annotation.StructParent = annotation_key
                    annotation_key += 1
        root.ParentTree = parents.obj
        root.ParentTreeNextKey = annotation_key
        joined.Root.StructTreeRoot = root

    destinations = pikepdf.NameTree.new(joined)
    for pdf in (new, old):
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            for name, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items():
                number = place.get((id(pdf), destination[0].objgen))
                if number is not None:
                    destinations[name] = Array([joined.pages[number].obj, *list(destination)[1:]])
    joined.Root.Names = Dictionary(Dests=destinations.obj)

    bookmarks = []  # (page number, depth, order, title, destination tail, closed)
    for order, pdf in enumerate((new, old)):
        with pdf.open_outline() as outline:
            for depth, item in _walk(outline.root):
                destination = item.destination
                if isinstance(destination, pikepdf.Array) and len(destination) > 0:
                    number = place.get((id(pdf), destination[0].objgen))
                    if number is not None:
                        tail = list(destination)[1:]
                        bookmarks.append((number, order, depth, item.title, tail, item.is_closed))
    bookmarks.sort(key=lambda bookmark: (bookmark[0], bookmark[1]))
    with joined.open_outline() as outline:
        stack: list[tuple[int, list]] = [(-1, outline.root)]
        for number, _, depth, title, tail, closed in bookmarks:
            item = pikepdf.OutlineItem(title)
            item.destination = Array([joined.pages[number].obj, *tail])
            item.is_closed = closed
            while stack[-1][0] >= depth:
                stack.pop()
            stack[-1][1].append(item)
            stack.append((depth, item.children))

    for key in ("/Lang", "/ViewerPreferences", "/MarkInfo", "/Metadata", "/OutputIntents", "/PageMode"):
        if key in new.Root:
            joined.Root[key] = _copy(joined, new.Root[key])
    for key, value in new.docinfo.items():
        joined.docinfo[key] = _copy(joined, value)


def _copy(joined, value):
    """A foreign PDF's object in ``joined``: indirect objects through pikepdf (once each,
    so that references between copied objects stay shared), direct ones member by member."""
    import pikepdf

    if not isinstance(value, pikepdf.Object):
        return value
    if value.is_indirect:
        return joined.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(joined, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(joined, item) for key, item in value.items()})
    return value


def _walk(items, depth=0):
    for item in items:
        yield depth, item
        yield from _walk(item.children, depth + 1)


def _page_structure(pdf):
    """A tagged PDF's top-level structure elements by the page they are on (their /P
    taken off, so that copying one does not copy the whole tree), and its parent tree."""
    import pikepdf

    tree = pdf.Root.StructTreeRoot
    top = tree.K if isinstance(tree.K, pikepdf.Dictionary) else tree.K[0]
    kids: dict[tuple[int, int], list] = {}
    elements = top.K if isinstance(top.K, pikepdf.Array) else [top.K]
    for kid in elements:
        if not isinstance(kid, pikepdf.Dictionary) or "/Pg" not in kid:
            raise CannotJoin("a top-level structure element is on no page")
        del kid["/P"]
        kids.setdefault(kid.Pg.objgen, []).append(kid)
    return kids, pikepdf.NumberTree(tree.ParentTree)
