"""Part of the write stage: print again only the page groups of a PDF whose HTML changed.

A layout marks the parts of a document that begin on a page of their own (the title page,
the contents, the sections, each part of the back matter) as *page groups*, between
``<!--notebuilder:pages-->`` and ``<!--/notebuilder:pages-->``; a group's first element
carries an ``id``. When such a document is printed, its :class:`PageRecord` (each group's
digest and first page, the page count, the page and box of every anchor, and the named
strings each page sets) is kept in the cache under the digest of the PDF's bytes.

The next time, when some groups changed and the last PDF is still the one recorded:

1. the document is laid out again with each unchanged group replaced by as many blank
   pages as it had, carrying its anchors on the pages they were on and setting the named
   strings they set, so that page numbers, "page X of Y", links, the contents' page
   numbers and the running heads come out as in a whole printing;
2. a group that refers (``href``) to an anchor that moved to another page, appeared or
   went away is printed again too (the contents shows page numbers);
3. if every group starts on the page it did and the page count is the same, the PDF is
   joined from the new pages of the changed groups and the last PDF's other pages (with
   pikepdf: structure tree, links, named destinations and bookmarks included);
   otherwise (a group grew or shrank by a page) the whole document is printed again.

A changed group is itself printed only in part when it can be: a one-word edit to a
twelve-page flow of sections prints the page it is on. The record keeps, for each page of
a group that begins with an element with an id (its *top*, :class:`PageTop`), where that
element stood and digests of the group's HTML before and after it. Then:

* **the printing stops** at the first page after the change whose top and everything
  after it in the group are as last printed, and whose markup before it differs only in
  text: the group's HTML is cut after the first element wholly on that page, and blank
  pages carry the anchors of the rest. It holds only if the page begins as it did: the
  same element at the top, in the same place, nothing above it (no part of an element
  begun before, no float), the same running heads as it begins (``string-set``), and
  every anchor after the cut on its page; counters count as they did, the markup before
  being the same. The page and the rest of the group then lay out as they did, and come
  from the last PDF;
* **the printing starts** at the last page before the change whose top has all of the
  group's HTML before it as last printed: the pages before it come from the last PDF.
  The elements before that top are laid out emptied (their text dropped, their tags kept
  when the CSS counts with them) at the heights they had, only so that the top begins
  its page; it holds only if it does, as above, with every anchor before it on its page.

A part that does not hold is printed to the group's end (or from its start) in another
round; a part of the group taken from the last PDF that links to an anchor that moved
is printed again. Each printing's record describes the PDF it made: the tops of pages
it kept are digested again against the group as it is now.

WeasyPrint tags a PDF page by page (each page's structure elements are children of the
Document element, and its marked content is numbered within the page), which is what
lets tagged pages move between PDFs whole.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import io
import itertools
import json
import math
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from .cache import keep, recall

BEGIN = "<!--notebuilder:pages-->"
END = "<!--/notebuilder:pages-->"
RECORD_VERSION = 2
MAX_ROUNDS = 4  # layouts tried before printing the whole document instead
# Each printing embeds its own subsets of the fonts: a PDF joined from more printings than
# this is printed whole instead, so that it stays about as small as a whole printing.
MAX_PRINTINGS = 3

# One blank page in place of an unchanged group's page: it only carries that page's anchors.
# The last one before a group that is printed also ends its page.
PLACEHOLDER = '<div style="break-before: page;{} margin: 0; padding: 0; border: 0; height: 1px">{}</div>'
# Before a printing's first page, an element laid out only to take the room it took.
STUB_STYLE = "box-sizing: border-box; height: {}px; min-height: 0; max-height: none"
# Elements an emptied element may lose with its text, when no CSS counts with it.
PHRASING = frozenset(
    "a abbr b bdi bdo br cite code data dfn em i kbd mark s samp small span strong sub sup u var wbr".split()
)
COUNTING = ("counter-increment", "counter-reset", "counter-set", "list-item", "open-quote", "close-quote")
# After a cut, the anchors of the rest of its page, taking no room.
STUBS = '<div style="margin: 0; padding: 0; border: 0; height: 0;{}">{}</div>'


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
    if any(_markup(group).first_id is None for group in groups):
        return None
    return PagedHtml(tuple(frame), tuple(groups))


VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


@dataclass(frozen=True)
class _Element:
    """Where an element with an id stands in its group's HTML."""

    start: int  # offset of its start tag
    end: int  # offset just after its end tag
    leaf: bool  # it holds no element with an id
    before: str  # digest of the group's markup before it, its text left out
    open_after: tuple[str, ...]  # the tags still open after its end tag, outermost first
    tag: str = ""
    attributes: tuple[tuple[str, str | None], ...] = ()
    content: int = 0  # offset just after its start tag


class _Markup(HTMLParser):
    """A group's ids (the first element's first), the anchors it links to, and where each
    element with an id stands in it (``cuttable`` is False when its tags do not nest
    plainly, or an id is used twice: then it is never cut)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.ids: list[str] = []
        self.links: set[str] = set()
        self.link_offsets: list[tuple[int, str]] = []
        self.first_id: str | None = None
        self.seen_element = False
        self.elements: dict[str, _Element] = {}
        self.cuttable = True
        self._skeleton = hashlib.sha256()
        self._open: list[list] = []  # [tag, id, start, digest before it, holds an id, attributes, content]
        self.tags: list[tuple[int, int, str]] = []  # where each tag begins and ends, and its name
        self.feed(text)
        self.close()
        if self._open or len(set(self.ids)) != len(self.ids):
            self.cuttable = False

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        offset = self._offset()
        values = dict(attrs)
        identifier = values.get("id")
        if not self.seen_element:
            self.seen_element = True
            self.first_id = identifier
        if identifier:
            self.ids.append(identifier)
            for entry in self._open:
                entry[4] = True
        href = values.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            self.links.add(href[1:])
            self.link_offsets.append((offset, href[1:]))
        before = self._skeleton.hexdigest() if identifier else ""
        self._skeleton.update(f"<{tag} {sorted(attrs, key=str)!r}>".encode())
        end = offset + len(self.get_starttag_text() or "")
        self.tags.append((offset, end, tag))
        if tag in VOID:
            if identifier:
                self._add(identifier, _Element(offset, end, True, before, self._open_tags(), tag, (), end))
            return
        self._open.append([tag, identifier, offset, before, False, tuple(attrs), end])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:  # <div/> opens a div in HTML: not markup a cut can follow
            self.cuttable = False

    def handle_endtag(self, tag):
        self._skeleton.update(f"</{tag}>".encode())
        offset = self._offset()
        end = self.text.index(">", offset) + 1
        self.tags.append((offset, end, tag))
        if tag in VOID:
            return
        if not self._open or self._open[-1][0] != tag:
            self.cuttable = False
            return
        _, identifier, start, before, holds_id, attributes, content = self._open.pop()
        if identifier:
            element = _Element(start, end, not holds_id, before, self._open_tags(), tag, attributes, content)
            self._add(identifier, element)

    def handle_data(self, data):
        if data:
            self._skeleton.update(b"#")

    def _open_tags(self) -> tuple[str, ...]:
        return tuple(entry[0] for entry in self._open)

    def _add(self, identifier: str, element: _Element) -> None:
        self.elements.setdefault(identifier, element)


@functools.lru_cache(maxsize=32)
def _markup(group: str) -> _Markup:
    """A group's markup, read once per printing (its groups are split, then printed)."""
    return _Markup(group)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PageTop:
    """The element a page of a group begins with, as last printed: where a later printing
    may stop, taking this page and the rest of its group from the last PDF."""

    first: str  # the outermost element that begins the page (nothing stands above it)
    first_box: tuple[float, ...]  # its box on the page (x0, y0, x1, y1, CSS px)
    last: str  # the first element at or after it that ends on the page: the cut is after it
    last_box: tuple[float, ...]
    before: str  # digest of the group's markup before ``first``, text left out
    after: str  # digest of the group's HTML from ``first`` to its end
    strings: str  # digest of the named strings (running heads) as the page begins
    head: str  # digest of the group's HTML before ``first``

    def to_json(self) -> list:
        return [
            self.first,
            self.first_box,
            self.last,
            self.last_box,
            self.before,
            self.after,
            self.strings,
            self.head,
        ]

    @classmethod
    def from_json(cls, value: list) -> PageTop:
        first, first_box, last, last_box, before, after, strings, head = value
        return cls(
            str(first),
            tuple(float(x) for x in first_box),
            str(last),
            tuple(float(x) for x in last_box),
            str(before),
            str(after),
            str(strings),
            str(head),
        )


@dataclass(frozen=True)
class PageRecord:
    """How a printed PDF's pages fall: what :func:`print_reusing` needs of the last PDF."""

    frame: str  # digest of everything outside the groups, and of the PDF variant
    groups: tuple[str, ...]  # each group's digest
    starts: tuple[int, ...]  # each group's first page (from 0)
    pages: int
    anchors: dict[str, int]  # each anchor's page
    printings: tuple[int, ...]  # for each page, the printing it comes from (0: the first)
    tops: dict[int, PageTop] = field(default_factory=dict)  # pages a printing may stop or start at
    boxes: dict[str, tuple[float, ...]] = field(default_factory=dict)  # each anchor's box on its page
    strings: tuple[dict[str, str], ...] = ()  # for each page, the named strings it sets (last values)

    def to_json(self) -> bytes:
        data = {
            "version": RECORD_VERSION,
            "frame": self.frame,
            "groups": self.groups,
            "starts": self.starts,
            "pages": self.pages,
            "anchors": self.anchors,
            "printings": self.printings,
            "tops": {str(page): top.to_json() for page, top in self.tops.items()},
            "boxes": self.boxes,
            "strings": self.strings,
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
                {int(page): PageTop.from_json(top) for page, top in value["tops"].items()},
                {str(name): tuple(float(x) for x in box) for name, box in value["boxes"].items()},
                tuple({str(name): str(text) for name, text in page.items()} for page in value["strings"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def group_pages(self, index: int) -> range:
        end = self.starts[index + 1] if index + 1 < len(self.starts) else self.pages
        return range(self.starts[index], end)

    def group_of(self, page: int) -> int:
        return max(index for index, start in enumerate(self.starts) if start <= page)


def _frame_digest(paged: PagedHtml, variant: str | None) -> str:
    return _digest("\0".join((*paged.frame, str(variant))))


def _anchor_pages(document) -> dict[str, int]:
    """Each anchor's page in a laid-out WeasyPrint document (the first, if repeated)."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            pages.setdefault(name, number)
    return pages


def _anchor_boxes(document, anchors: dict[str, int], pages) -> dict[str, tuple[float, ...]]:
    """The box (x0, y0, x1, y1) of each anchor first found on one of ``pages``."""
    return {
        name: tuple(document.pages[page].anchors[name]) for name, page in anchors.items() if page in pages
    }


def _record_of(paged: PagedHtml, variant: str | None, document) -> PageRecord | None:
    """The record of a document printed whole, or None if its groups cannot be found."""
    anchors = _anchor_pages(document)
    markups = [_markup(group) for group in paged.groups]
    starts = []
    for markup in markups:
        if markup.first_id not in anchors:
            return None
        starts.append(anchors[markup.first_id])
    if starts[0] != 0 or any(later <= earlier for earlier, later in itertools.pairwise(starts)):
        return None
    pages = len(document.pages)
    strings = _named_strings(document)
    tops = _page_tops(document, tuple(starts), paged.groups, markups, anchors, range(pages), strings)
    return PageRecord(
        _frame_digest(paged, variant),
        tuple(_digest(group) for group in paged.groups),
        tuple(starts),
        pages,
        anchors,
        (0,) * pages,
        tops,
        _anchor_boxes(document, anchors, range(pages)),
        tuple(strings.set_on) if strings is not None else (),
    )


def _box_chain(page) -> list[tuple[str | None, bool]] | None:
    """The elements of a laid-out page's first boxes, from its root down to the first
    line or pseudo-element: (id, whether the box is a block) for each.

    None when the page has footnotes, or its boxes cannot be read: they are not
    WeasyPrint's public API, and without them no printing stops early."""
    try:
        from weasyprint.formatting_structure.boxes import BlockBox, MarginBox

        root, *others = page._page_box.children
        if not all(isinstance(other, MarginBox) for other in others):
            return None  # footnotes
        chain = []
        box = root
        while box is not None and "::" not in (box.element_tag or ""):
            element = box.element
            chain.append((element.get("id") if element is not None else None, isinstance(box, BlockBox)))
            children = getattr(box, "children", None)
            box = children[0] if children else None
        return chain
    except (AttributeError, ValueError, TypeError, ImportError):
        return None


def _top_element(chain, anchors: dict[str, int], page: int) -> str | None:
    """The outermost element that begins ``page``: the first on its chain of first boxes
    whose first box is on this page, every box above it a block begun earlier (or with
    no id). None when the page begins inside an element begun on an earlier page."""
    for identifier, block in chain:
        if not block:
            return None
        if identifier is None:
            continue
        first = anchors.get(identifier)
        if first == page:
            return identifier
        if first is None or first > page:
            return None
    return None


def _cut_element(markup: _Markup, first: str, anchors: dict[str, int], page: int) -> str | None:
    """The first element at or after ``first`` that holds no other id and ends on ``page``
    (the next element with an id begins there too): a printing that stops at ``page``
    is cut after it, so that ``first`` is laid out as it will fall."""
    position = markup.ids.index(first)
    for index in range(position, len(markup.ids)):
        name = markup.ids[index]
        if anchors.get(name) != page:
            return None
        if markup.elements[name].leaf:
            following = markup.ids[index + 1] if index + 1 < len(markup.ids) else None
            return name if following is not None and anchors.get(following) == page else None
    return None


@dataclass(frozen=True)
class _Strings:
    """A laid-out document's named strings (``string-set``, the running heads), found as
    WeasyPrint finds them: every box's assignments, page by page, in tree order."""

    entering: list[str]  # for each page, a digest of their values as it begins
    set_on: list[dict[str, str]]  # for each page, the values its boxes set (the last of each)


def _named_strings(document) -> _Strings | None:
    values: dict[str, str] = {}
    entering, set_on = [], []
    try:
        for page in document.pages:
            entering.append(_digest(json.dumps(sorted(values.items()), default=str)))
            own: dict[str, str] = {}
            for box in page._page_box.descendants():
                assigned = box.string_set
                if assigned and assigned != "none":
                    for name, text in assigned:
                        own[str(name)] = values[str(name)] = str(text)
            set_on.append(own)
    except (AttributeError, TypeError, ValueError):
        return None
    return _Strings(entering, set_on)


def _string_set(values: dict[str, str]) -> str:
    """A ``string-set`` declaration giving the named strings these values."""
    if not values:
        return ""

    def quoted(text: str) -> str:
        return "'" + text.replace("\\", "\\5c ").replace("'", "\\27 ").replace("\n", "\\a ") + "'"

    return (
        " string-set: " + ", ".join(f"{name} {quoted(text)}" for name, text in sorted(values.items())) + ";"
    )


def _page_tops(
    document, starts, groups, markups, anchors, pages, strings: _Strings | None
) -> dict[int, PageTop]:
    """The :class:`PageTop` of each of ``pages`` (in a laid-out ``document``) that begins
    with an element a printing can stop at; a group's first page is never one."""
    if strings is None:
        return {}
    tops = {}
    for page in pages:
        index = max(number for number, start in enumerate(starts) if start <= page)
        markup = markups[index]
        if page == starts[index] or not markup.cuttable:
            continue
        chain = _box_chain(document.pages[page])
        first = _top_element(chain, anchors, page) if chain is not None else None
        if first is None or first not in markup.elements:
            continue
        last = _cut_element(markup, first, anchors, page)
        if last is None:
            continue
        boxes = document.pages[page].anchors
        element = markup.elements[first]
        tops[page] = PageTop(
            first,
            tuple(boxes[first]),
            last,
            tuple(boxes[last]),
            element.before,
            _digest(groups[index][element.start :]),
            strings.entering[page],
            _digest(groups[index][: element.start]),
        )
    return tops


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


@dataclass(frozen=True)
class Printed:
    """What :func:`print_reusing` did: the page count, the groups it printed again (all
    of them when it printed the whole document), and the pages it printed afresh."""

    pages: int
    printed: tuple[int, ...]
    whole: bool
    fresh: tuple[int, ...] = ()


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
                new_record, printed, fresh = done
                _keep_record(cache, target, new_record)
                return Printed(new_record.pages, printed, False, fresh)
    document = lay_out(html)
    with open(target, "wb") as file:
        write(document, file)
    if paged is not None and cache is not None:
        record = _record_of(paged, variant, document)
        if record is not None:
            _keep_record(cache, target, record)
    groups = tuple(range(len(paged.groups))) if paged else ()
    return Printed(len(document.pages), groups, True, tuple(range(len(document.pages))))


def _placeholders(record: PageRecord, pages: range, last: bool) -> str:
    """Blank pages in place of a group's ``pages``, each with the anchors it had."""
    html = []
    for number, page in enumerate(pages):
        ends = " break-after: page;" if number == len(pages) - 1 and not last else ""
        html.append(PLACEHOLDER.format(ends + _strings_of(record, page), _stubs(record, page)))
    return "".join(html)


def _strings_of(record: PageRecord, page: int) -> str:
    """The named strings ``page`` set, for the element that stands in for it: so that the
    running heads of the pages printed after it come out as in a whole printing."""
    return escape(_string_set(record.strings[page])) if page < len(record.strings) else ""


def _stubs(record: PageRecord, page: int, besides: Sequence[str] = ()) -> str:
    """Empty elements with the ids that were on ``page`` (but for ``besides``)."""
    names = sorted(name for name, at in record.anchors.items() if at == page and name not in besides)
    return "".join(f'<span id="{escape(name)}"></span>' for name in names)


def _cut_at(record: PageRecord, index: int, group: str, markup: _Markup) -> int | None:
    """The first page of a changed group whose top element and everything after it in the
    group are as last printed, with the markup before it unchanged but for its text: the
    page where printing the group may stop. None if there is none."""
    if not markup.cuttable:
        return None
    for page in record.group_pages(index)[1:]:
        top = record.tops.get(page)
        if top is None or top.last not in markup.elements:
            continue
        element = markup.elements.get(top.first)
        if (
            element is not None
            and element.before == top.before
            and _digest(group[element.start :]) == top.after
        ):
            return page
    return None


def _start_at(record: PageRecord, index: int, group: str, markup: _Markup, stop: int) -> int | None:
    """The last page of a changed group before ``stop`` whose top element has all of the
    group's HTML before it as last printed: the pages before it are as they were, and
    printing may start there. None if there is none."""
    if not markup.cuttable:
        return None
    found = None
    for page in record.group_pages(index)[1:]:
        top = record.tops.get(page)
        if page >= stop:
            break
        element = markup.elements.get(top.first) if top is not None else None
        if element is not None and _digest(group[: element.start]) == top.head:
            found = page
    return found


def _start_tag(element: _Element, style: str) -> str:
    attributes = dict(element.attributes)
    own = attributes.get("style")
    attributes["style"] = f"{own}; {style}" if own else style
    written = [name if value is None else f'{name}="{escape(value)}"' for name, value in attributes.items()]
    return f"<{' '.join([element.tag, *written])}>"


def _stubbed(
    group: str, markup: _Markup, record: PageRecord, upto: int, counting: bool
) -> tuple[str, list[str]]:
    """The group's HTML before offset ``upto``, each element that holds no other id and
    ended on the page it began on emptied and held at the height it had: laid out much
    faster, only so that what follows begins where it did. Its tags are kept, so that
    counters count as they did, unless they are all phrasing and the document does not
    ``counting`` (change counters or quotes). Returns the HTML and the ids so emptied."""
    html, stubbed, position = [], [], 0
    tag_starts = [start for start, _, _ in markup.tags]
    for number, name in enumerate(markup.ids):
        element = markup.elements[name]
        if element.start >= upto:
            break
        following = markup.ids[number + 1] if number + 1 < len(markup.ids) else None
        if (
            element.end > upto
            or not element.leaf
            or element.tag in VOID
            or name not in record.boxes
            or following is None
            or record.anchors.get(following) != record.anchors.get(name)
        ):
            continue
        _, top, _, bottom = record.boxes[name]
        html += [group[position : element.start], _start_tag(element, STUB_STYLE.format(bottom - top))]
        inside = markup.tags[
            bisect.bisect_left(tag_starts, element.content) : bisect.bisect_left(tag_starts, element.end)
        ]  # its own end tag last
        if counting or not all(name in PHRASING for _, _, name in inside[:-1]):
            html += [group[start:end] for start, end, _ in inside]
        else:
            html.append(f"</{element.tag}>")
        position = element.end
        stubbed.append(name)
    html.append(group[position:upto])
    return "".join(html), stubbed


def _part_of_group(
    record: PageRecord,
    index: int,
    group: str,
    markup: _Markup,
    start: int | None,
    stop: int | None,
    last: bool,
    counting: bool = True,
) -> str:
    """A changed group's HTML for printing its pages from ``start`` up to ``stop`` (None:
    from its first page, to its last): before the top element of ``start``, the group
    emptied (see :func:`_stubbed`); after the element a printing stops after on ``stop``,
    its open elements closed, the anchors of the rest of that page, and blank pages with
    their anchors for the group's pages after it."""
    html, begin = "", 0
    if start is not None:
        begin = markup.elements[record.tops[start].first].start
        html = _stubbed(group, markup, record, begin, counting)[0]
    if stop is None:
        return html + group[begin:]
    cut = markup.elements[record.tops[stop].last]
    inside = [name for name in markup.ids if markup.elements[name].start < cut.end]
    closing = "".join(f"</{tag}>" for tag in reversed(cut.open_after))
    following = range(stop + 1, record.group_pages(index).stop)
    ends = " break-after: page;" if not following and not last else ""
    rest = STUBS.format(ends + _strings_of(record, stop), _stubs(record, stop, inside))
    return html + group[begin : cut.end] + closing + rest + _placeholders(record, following, last)


def _same_box(box, recorded, sides: int = 4) -> bool:
    """Whether a box (x0, y0, x1, y1) is where it was recorded, on its first ``sides``."""
    return box is not None and all(
        math.isclose(a, b, abs_tol=1e-3) for a, b in zip(box[:sides], recorded[:sides])
    )


def _cut_holds(document, anchors, strings, record: PageRecord, page: int, markup: _Markup) -> bool:
    """Whether a group printed up to ``page`` begins that page as it did: the same element
    at the top, in the same box, nothing above it, the same running heads, and every
    anchor after the cut on its page; then the rest of the group lays out as it did."""
    top = record.tops[page]
    boxes = document.pages[page].anchors
    if not (
        _same_box(boxes.get(top.first), top.first_box, 3) and _same_box(boxes.get(top.last), top.last_box)
    ):
        return False  # (a cut ends the first element's box early when it holds the last: not its foot)
    if anchors.get(top.first) != page or anchors.get(top.last) != page:
        return False
    chain = _box_chain(document.pages[page])
    if chain is None or _top_element(chain, anchors, page) != top.first:
        return False
    if strings is None or strings.entering[page] != top.strings:
        return False
    cut_end = markup.elements[top.last].end
    after = [name for name in markup.ids if markup.elements[name].start >= cut_end]
    return all(anchors.get(name) == record.anchors.get(name) for name in after)


def _start_holds(document, anchors, strings, record: PageRecord, page: int, markup: _Markup) -> bool:
    """Whether a group printed from ``page`` (emptied before it) begins that page as it
    did: every anchor before it on its page, the same element at the top in the same
    place, nothing above it, and the same running heads; then the page and those after it
    lay out as a whole printing lays them out."""
    top = record.tops[page]
    begin = markup.elements[top.first].start
    before = [name for name in markup.ids if markup.elements[name].start < begin]
    if any(anchors.get(name) != record.anchors.get(name) for name in before):
        return False
    if anchors.get(top.first) != page or not _same_box(
        document.pages[page].anchors.get(top.first), top.first_box, 3
    ):
        return False  # (its foot may move: the change may be inside it)
    chain = _box_chain(document.pages[page])
    if chain is None or _top_element(chain, anchors, page) != top.first:
        return False
    return strings is not None and strings.entering[page] == top.strings


def _print_changed(paged, record, target, previous, variant, lay_out, write):
    """Print the changed groups and join them with the last PDF's other pages; None when
    the whole document must be printed instead.

    A changed group is printed only from the last page before the change that begins as
    it did (:func:`_start_at`) up to the first page after it that begins as it did
    (:func:`_cut_at`); where a page does not begin so after all, the group is printed
    from its first page, or to its last, in another round."""
    if record.frame != _frame_digest(paged, variant) or len(record.groups) != len(paged.groups):
        return None
    digests = tuple(_digest(group) for group in paged.groups)
    printed = {index for index, digest in enumerate(digests) if digest != record.groups[index]}
    if not printed:  # nothing it prints changed (notebuilder or a tool did): the same pages again
        shutil.copyfile(previous, target)
        return record, (), ()
    if len(printed) == len(paged.groups):
        return None
    markups = [_markup(group) for group in paged.groups]
    last = len(paged.groups) - 1
    # An emptied element could match :empty where it did not: then no printing starts late.
    whole = paged.join(paged.groups)
    can_start = ":empty" not in whole
    counting = any(word in whole for word in COUNTING)
    from_first: set[int] = set()  # changed groups to print from their first page
    to_last: set[int] = set()  # changed groups to print to their last page
    for _ in range(MAX_ROUNDS):
        stops, starts_at = {}, {}
        for index in printed:
            group, markup = paged.groups[index], markups[index]
            stop = _cut_at(record, index, group, markup) if index not in to_last else None
            if stop is not None:
                stops[index] = stop
            if can_start and index not in from_first:
                end = stop if stop is not None else record.group_pages(index).stop
                start = _start_at(record, index, group, markup, end)
                if start is not None:
                    starts_at[index] = start
        groups = []
        for index, group in enumerate(paged.groups):
            if index not in printed:
                groups.append(_placeholders(record, record.group_pages(index), index == last))
            elif index in stops or index in starts_at:
                start, stop = starts_at.get(index), stops.get(index)
                groups.append(
                    _part_of_group(record, index, group, markups[index], start, stop, index == last, counting)
                )
            else:
                groups.append(group)
        document = lay_out(paged.join(groups))
        anchors = _anchor_pages(document)
        starts = [anchors.get(markup.first_id) for markup in markups]
        if len(document.pages) != record.pages or starts != list(record.starts):
            if stops or starts_at:  # perhaps a part does not begin or end where it did
                to_last |= set(stops)
                from_first |= set(starts_at)
                continue
            return None  # a group grew or shrank: the pages fall otherwise
        strings = _named_strings(document)
        failed_stops = {
            index
            for index, page in stops.items()
            if not _cut_holds(document, anchors, strings, record, page, markups[index])
        }
        failed_starts = {
            index
            for index, page in starts_at.items()
            if not _start_holds(document, anchors, strings, record, page, markups[index])
        }
        if failed_stops or failed_starts:
            to_last |= failed_stops
            from_first |= failed_starts
            continue
        moved = set()
        for index in printed:
            now = {name: anchors.get(name) for name in markups[index].ids}
            before = {name for name, page in record.anchors.items() if page in record.group_pages(index)}
            moved |= {name for name in set(now) | before if now.get(name) != record.anchors.get(name)}
        # A part of a changed group taken from the last PDF may show a page that moved.
        stale_ends = {
            index
            for index, page in stops.items()
            if _links_to(markups[index], moved, markups[index].elements[record.tops[page].first].start, None)
        }
        stale_starts = {
            index
            for index, page in starts_at.items()
            if _links_to(markups[index], moved, 0, markups[index].elements[record.tops[page].first].start)
        }
        if stale_ends or stale_starts:
            to_last |= stale_ends
            from_first |= stale_starts
            continue
        also = {
            index
            for index in range(len(paged.groups))
            if index not in printed and markups[index].links & moved
        }
        if also:
            printed |= also
            if len(printed) == len(paged.groups):
                return None
            continue
        pages_of = set()
        for index in printed:
            pages = record.group_pages(index)
            pages_of |= set(range(starts_at.get(index, pages.start), stops.get(index, pages.stop)))
        printing = max(record.printings) + 1
        printings = tuple(
            printing if page in pages_of else record.printings[page] for page in range(record.pages)
        )
        if len(set(printings)) > MAX_PRINTINGS:
            return None
        fresh = io.BytesIO()
        write(_only_pages(document, pages_of), fresh)
        try:
            join_pages(fresh, previous, pages_of, target)
        except CannotJoin:
            return None
        kept = {name: page for name, page in record.anchors.items() if page not in pages_of}
        kept.update({name: page for name, page in anchors.items() if page in pages_of})
        boxes = {name: box for name, box in record.boxes.items() if kept.get(name) not in pages_of}
        boxes.update(_anchor_boxes(document, anchors, pages_of))
        tops = {}
        for page, top in record.tops.items():  # a kept page's top, against the group as it is now
            index = record.group_of(page)
            if page in pages_of:
                continue
            if index not in printed:
                tops[page] = top
            elif (element := markups[index].elements.get(top.first)) is not None:
                group = paged.groups[index]
                after, head = _digest(group[element.start :]), _digest(group[: element.start])
                tops[page] = dataclasses.replace(top, before=element.before, after=after, head=head)
        fresh_tops = _page_tops(
            document, record.starts, paged.groups, markups, anchors, sorted(pages_of), strings
        )
        tops.update(fresh_tops)
        set_on = ()
        if strings is not None and len(record.strings) == record.pages:
            set_on = tuple(
                strings.set_on[page] if page in pages_of else record.strings[page]
                for page in range(record.pages)
            )
        joined = PageRecord(
            record.frame, digests, record.starts, record.pages, kept, printings, tops, boxes, set_on
        )
        return joined, tuple(sorted(printed)), tuple(sorted(pages_of))
    return None


def _only_pages(document, pages: set[int]):
    """The laid-out document with every page but ``pages`` left blank, so that writing it
    draws and tags only the pages a join takes (the others keep their anchors, which the
    links on those pages may point to). Without readable page boxes, the document itself."""
    try:
        for number, page in enumerate(document.pages):
            if number not in pages:
                page._page_box = page._page_box.copy_with_children([])
    except AttributeError:
        pass
    return document


def _links_to(markup: _Markup, names: set[str], begin: int, end: int | None) -> bool:
    """Whether the group links to one of ``names`` between offsets ``begin`` and ``end``."""
    return any(
        name in names and offset >= begin and (end is None or offset < end)
        for offset, name in markup.link_offsets
    )


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
