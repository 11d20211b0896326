"""Stage 2, validate: check the loaded node trees and build the :class:`Corpus`.

Pure: takes a :class:`RawProject` and returns a :class:`Corpus`, or raises one
:class:`NoteError` listing every problem in the whole project (unknown keys with a
"did you mean", missing fields, wrong types, duplicate ids, unknown source and section
ids, bad dates, over-long labels). Nothing here reads a file.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

from .dates import parse_date
from .errors import Location, ProblemLog
from .figures import read_figure, unstated
from .i18n import language_problem
from .load import SYLLABUS_FILE, Node, RawProject, RawTopic, YamlFile
from .markup import plain_text
from .model import (
    ORDERS,
    Cell,
    Citation,
    Comparison,
    Corpus,
    Fragment,
    GlossaryEntry,
    Section,
    Source,
    Syllabus,
    SyllabusGroup,
    Topic,
)

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # XML 1.0 Char
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
SHORT_MAX_WORDS = 6
SOURCE_KINDS = (
    "coaching-notes",
    "personal-note",
    "academy-handout",
    "newspaper",
    "book",
    "government",
    "other",
)

SOURCE_KEYS = ("id", "file", "text", "title", "short", "kind", "publisher", "date", "ignore")
TOPIC_KEYS = (
    "title",
    "paper",
    "subject",
    "language",
    "sections",
    "author",
    "publisher",
    "rights",
    "date_style",
    "duplex",
    "sections_on_right",
)
DATE_STYLES = ("short", "long", "iso")
SECTION_KEYS = ("id", "title", "short", "order")
FRAGMENT_FILE_KEYS = ("defaults", "fragments")
DEFAULT_KEYS = ("section", "source", "sources", "tags", "branch")
FRAGMENT_KEYS = (
    "id",
    "text",
    "source",
    "sources",
    "section",
    "key",
    "short",
    "date",
    "tags",
    "note",
    "distinct",
    "priority",
    "branch",
    "figures",
    "canonical",
)
CITATION_KEYS = ("id", "at")
COMPARISON_KEYS = ("id", "title", "caption", "columns", "rows")
CELL_KEYS = ("text", "source", "sources")


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, tuple):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


class _Checker:
    """Type and key checks that record problems instead of stopping."""

    def __init__(self, log: ProblemLog):
        self.log = log

    def mapping(
        self, node: Node, what: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Node] | None:
        if not node.is_mapping:
            self.log.error(
                node.location, f"{what} must be a mapping (key: value lines), not {_kind_of(node.value)}"
            )
            return None
        for key in node.value:
            if key not in allowed:
                suggestion = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"; did you mean '{suggestion[0]}'?"
                    if suggestion
                    else f"; expected one of: {', '.join(allowed)}"
                )
                self.log.error(node.key_locations[key], f"unknown key '{key}' in {what}{hint}")
        for key in required:
            if key not in node.value:
                self.log.error(node.location, f"{what} is missing '{key}'")
        return node.value

    def text(self, node: Node | None, field: str, *, allow_number: bool = False) -> str | None:
        if node is None:
            return None
        value = node.value
        if isinstance(value, str):
            if not value.strip():
                self.log.error(node.location, f"'{field}' is empty")
                return None
            if bad := _NOT_IN_XML.search(value):
                self.log.error(
                    node.location,
                    f"'{field}' holds the character U+{ord(bad.group(0)):04X}, which no EPUB or web page "
                    "can hold; delete it (a YAML escape such as \\0 or \\x01 makes one)",
                )
                return None
            # One form for one text: "ज़" typed as one character or as ज and a nukta prints,
            # merges and is answered alike (an Anki card compares typed answers code by code).
            return unicodedata.normalize("NFC", value.strip())
        if allow_number and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.log.error(node.location, f"'{field}' must be text, not {_kind_of(value)}")
        return None

    def identifier(self, node: Node | None, field: str) -> str | None:
        value = self.text(node, field, allow_number=True)
        if node is not None and value is not None and not ID_PATTERN.match(value):
            self.log.error(
                node.location, f"'{field}' must be lower-case letters, digits and hyphens, not '{value}'"
            )
            return None
        return value

    def text_list(
        self, node: Node | None, field: str, item: Callable[[Node | None, str], str | None] | None = None
    ) -> tuple[str, ...]:
        if node is None:
            return ()
        check = item or self.text
        if isinstance(node.value, str):
            single = check(node, field)
            return (single,) if single else ()
        if not node.is_sequence:
            self.log.error(node.location, f"'{field}' must be a list, not {_kind_of(node.value)}")
            return ()
        return tuple(value for value in (check(child, field) for child in node.value) if value is not None)

    def integer(self, node: Node | None, field: str, low: int, high: int) -> int | None:
        if node is None:
            return None
        if not isinstance(node.value, int) or isinstance(node.value, bool) or not low <= node.value <= high:
            self.log.error(node.location, f"'{field}' must be a whole number from {low} to {high}")
            return None
        return node.value

    def citations(
        self, fields: dict[str, Node], known_sources: set[str] | None
    ) -> tuple[Citation, ...] | None:
        """``source: id`` or ``sources: [id, {id: x, at: "p. 3"}]``; None when neither is given."""
        if "source" in fields and "sources" in fields:
            self.log.error(fields["sources"].location, "give either 'source' or 'sources', not both")
        node = fields.get("sources") or fields.get("source")
        if node is None:
            return None
        items = node.value if node.is_sequence else (node,)
        if node.is_sequence and not items:
            self.log.error(node.location, "'sources' is empty; cite at least one source")
        citations = []
        for item in items:
            locator = None
            if item.is_mapping:
                cited = self.mapping(item, "a citation", CITATION_KEYS, ("id",)) or {}
                source_id = self.identifier(cited.get("id"), "id") if "id" in cited else None
                locator = self.text(cited.get("at"), "at", allow_number=True)
            else:
                source_id = self.identifier(item, "source")
            if source_id is None:
                continue
            if known_sources is not None and source_id not in known_sources:
                self.log.error(
                    item.location,
                    f"unknown source '{source_id}'{_suggest(source_id, known_sources)}; a new source must be "
                    "registered in seeds/sources.yaml (notebuilder new-source FILE --id ID --title TITLE)",
                )
                continue
            citations.append(Citation(source_id, locator))
        return tuple(dict.fromkeys(citations))


def _unknown_section(section: str, sections) -> str:
    """A section the topic does not have; a draft's TODO is answered with the choice."""
    if section.strip().upper() == "TODO":
        return f"choose the fragment's section (it is TODO): one of {', '.join(sections)}"
    return f"unknown section '{section}'{_suggest(section, sections)}"


def _suggest(value: str, choices) -> str:
    match = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return (
        f"; did you mean '{match[0]}'?"
        if match
        else f"; known: {', '.join(sorted(choices))}"
        if len(choices) <= 20
        else ""
    )


def _document(
    file: YamlFile | None, check: _Checker, what: str, allowed: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, Node] | None:
    if file is None or file.document is None:
        return None  # loading already reported why (missing, empty, not YAML)
    return check.mapping(file.document, what, allowed, required)


def _list_of(fields: dict[str, Node] | None, key: str, check: _Checker) -> tuple[Node, ...]:
    """The items of a file's top-level list (``sources:``, ``fragments:``, ``comparisons:``)."""
    if not fields or key not in fields:
        return ()
    node = fields[key]
    if not node.is_sequence:
        check.log.error(node.location, f"'{key}' must be a list, not {_kind_of(node.value)}")
        return ()
    return node.value


def _validate_sources(
    file: YamlFile | None, seed_names: frozenset[str], check: _Checker
) -> tuple[Source, ...]:
    fields = _document(file, check, "the sources file", ("sources",), ("sources",))
    sources: dict[str, Source] = {}
    for item in _list_of(fields, "sources", check):
        entry = check.mapping(item, "a source", SOURCE_KEYS, ("id", "file", "title", "kind"))
        if entry is None:
            continue
        source_id = check.identifier(entry.get("id"), "id")
        file_name = check.text(entry.get("file"), "file")
        title = check.text(entry.get("title"), "title")
        kind = check.text(entry.get("kind"), "kind")
        if kind and kind not in SOURCE_KINDS:
            check.log.error(entry["kind"].location, f"unknown kind '{kind}'{_suggest(kind, SOURCE_KINDS)}")
        if file_name and file_name not in seed_names:
            check.log.error(entry["file"].location, f"no file '{file_name}' in seeds/")
        text_name = check.text(entry.get("text"), "text")
        if text_name and text_name not in seed_names:
            check.log.error(entry["text"].location, f"no file '{text_name}' in seeds/")
        if source_id and source_id in sources:
            check.log.error(
                entry["id"].location,
                f"duplicate source id '{source_id}' (first at {sources[source_id].location})",
            )
            continue
        if source_id and file_name and title and kind:
            sources[source_id] = Source(
                id=source_id,
                file=file_name,
                title=title,
                kind=kind,
                publisher=check.text(entry.get("publisher"), "publisher"),
                date=check.text(entry.get("date"), "date", allow_number=True),
                location=item.location,
                ignore=_validate_ignore(entry.get("ignore"), check),
                short=check.text(entry.get("short"), "short", allow_number=True),
                text=text_name,
            )
    return tuple(sources.values())


def _validate_ignore(node: Node | None, check: _Checker) -> tuple[str, ...]:
    """A source's ``ignore:`` for coverage: line numbers (``12``, ``"30-34"``) or regular
    expressions matched against a line, case-insensitively."""
    if node is None:
        return ()
    if not node.is_sequence:
        check.log.error(
            node.location, "'ignore' must be a list of line numbers, ranges (\"30-34\") or patterns"
        )
        return ()
    found = []
    for item in node.value:
        value = str(item.value) if isinstance(item.value, (int, str)) else None
        if value is None:
            check.log.error(item.location, "an 'ignore' entry is a line number, a range or a pattern")
            continue
        if not re.fullmatch(r"\d+(?:\s*-\s*\d+)?", value):
            try:
                re.compile(value)
            except re.error as error:
                check.log.error(item.location, f"'{value}' is not a pattern I can read: {error}")
                continue
        found.append(value)
    return tuple(found)


def _validate_sections(node: Node | None, check: _Checker) -> tuple[Section, ...]:
    if node is None:
        return ()
    if not node.is_sequence or not node.value:
        check.log.error(node.location, "'sections' must be a non-empty list of {id, title}")
        return ()
    sections: dict[str, Section] = {}
    for item in node.value:
        entry = check.mapping(item, "a section", SECTION_KEYS, ("id", "title"))
        if entry is None:
            continue
        section_id = check.identifier(entry.get("id"), "id")
        title = check.text(entry.get("title"), "title")
        if section_id in sections:
            check.log.error(
                entry["id"].location,
                f"duplicate section id '{section_id}' (first on line {sections[section_id].location.line})",
            )
        elif section_id and title:
            sections[section_id] = Section(
                section_id,
                title,
                item.location,
                _validate_short(entry.get("short"), check),
                _validate_order(entry.get("order"), check),
            )
    return tuple(sections.values())


def _validate_order(node: Node | None, check: _Checker) -> str | tuple[str, ...] | None:
    """``order: date | written | natural``, or a list of point ids (fragment ids or keys)."""
    if node is None:
        return None
    if node.is_sequence:
        return check.text_list(node, "order") or None
    value = check.text(node, "order")
    if value is not None and value not in ORDERS:
        check.log.error(
            node.location,
            f"unknown order '{value}'{_suggest(value, ORDERS)}; use date, written, natural, "
            "or a list of the section's fragment ids or keys",
        )
        return None
    return value


def _check_orders(sections: tuple[Section, ...], fragments, node_of, check: _Checker) -> None:
    """Every id an explicit ``order:`` lists is a fragment id or key of that section."""
    for section in sections:
        if not isinstance(section.order, tuple):
            continue
        known = {
            name
            for fragment in fragments
            if fragment.section == section.id
            for name in (fragment.id, fragment.key)
        }
        for index, name in enumerate(section.order):
            if name not in known:
                where = node_of(section.id, index) or section.location
                check.log.error(
                    where,
                    f"section '{section.id}' orders '{name}', which is no fragment id or key in it"
                    f"{_suggest(name, sorted(filter(None, known)))}",
                )


def _validate_date(node: Node | None, check: _Checker) -> str | None:
    value = check.text(node, "date", allow_number=True)
    if node is not None and value is not None and parse_date(value) is None:
        check.log.error(
            node.location,
            f"'{value}' is not a date I can read; "
            "write e.g. 2014, 322 BC, c. 2600–1900 BCE, AD 1025, 2023-24, FY24, Jul 2023, "
            "14–15 August 1947 or 6th century",
        )
        return None
    return value


def _validate_short(node: Node | None, check: _Checker) -> str | None:
    value = check.text(node, "short")
    if node is not None and value is not None and len(value.split()) > SHORT_MAX_WORDS:
        check.log.error(
            node.location,
            f"'short' has {len(value.split())} words; a mind-map label has at most {SHORT_MAX_WORDS}",
        )
        return None
    return value


def _validate_flag(node: Node | None, field: str, check: _Checker) -> bool:
    if node is None:
        return False
    if not isinstance(node.value, bool):
        check.log.error(node.location, f"'{field}' must be true or false")
        return False
    return node.value


def _validate_figures(node: Node | None, text: str | None, check: _Checker) -> tuple[tuple[str, str], ...]:
    """``figures: {quantity: figure}``; every figure's value must be in the fragment's text,
    in any notation ("seven" in the figure and "7" in the text are one value)."""
    if node is None:
        return ()
    if not node.is_mapping:
        check.log.error(
            node.location,
            "'figures' must be a mapping of quantity: figure, e.g. 'cumulative FDI: ~$43 billion'",
        )
        return ()
    figures = []
    for quantity, value_node in node.value.items():
        value = check.text(value_node, quantity, allow_number=True)
        if value is None:
            continue
        missing = unstated(value, plain_text(text or ""))
        if not read_figure(value):
            check.log.error(
                value_node.location,
                f"the figure '{value}' states no number "
                "(write it as the text does: '7', 'seven', '₹1.5 lakh crore')",
            )
            continue
        if text and missing:
            check.log.error(
                value_node.location,
                f"the figure '{value}' has {', '.join(missing)}, which the fragment's text does not state",
            )
            continue
        figures.append((quantity, value))
    return tuple(figures)


def _validate_fragment_file(
    file: YamlFile, topic_id: str, sections: dict[str, None] | None, sources: set[str] | None, check: _Checker
) -> list[Fragment]:
    fields = _document(file, check, "a fragment file", FRAGMENT_FILE_KEYS, ("fragments",))
    if not fields or "fragments" not in fields:
        return []
    defaults_node = fields.get("defaults")
    defaults = (check.mapping(defaults_node, "'defaults'", DEFAULT_KEYS) if defaults_node else None) or {}
    default_citations = check.citations(defaults, sources) if defaults_node else None
    default_section = check.text(defaults.get("section"), "section", allow_number=True)
    default_tags = check.text_list(defaults.get("tags"), "tags")
    default_branch = check.text(defaults.get("branch"), "branch")
    if default_section and sections is not None and default_section not in sections:
        check.log.error(
            defaults["section"].location,
            _unknown_section(default_section, sections),
        )

    fragments = []
    for item in _list_of(fields, "fragments", check):
        named = item.value.get("id") if item.is_mapping else None
        what = (
            f"fragment '{named.value}'"
            if named is not None and isinstance(named.value, str)
            else "a fragment"
        )
        entry = check.mapping(item, what, FRAGMENT_KEYS, ("id", "text"))
        if entry is None:
            continue
        fragment_id = check.identifier(entry.get("id"), "id")
        text = check.text(entry.get("text"), "text")
        citations = check.citations(entry, sources)
        if citations is None:
            citations = default_citations
            if citations is None:
                check.log.error(
                    item.location, "the fragment cites no source; add 'source:' (or set it under 'defaults:')"
                )
        section = (
            check.text(entry.get("section"), "section", allow_number=True)
            if "section" in entry
            else default_section
        )
        if section is None and "section" not in entry:
            check.log.error(
                item.location, "the fragment has no section; add 'section:' (or set it under 'defaults:')"
            )
        elif section and "section" in entry and sections is not None and section not in sections:
            check.log.error(entry["section"].location, _unknown_section(section, sections))
        fragment = Fragment(
            id=fragment_id or "",
            topic=topic_id,
            section=section or "",
            text=text or "",
            citations=citations or (),
            location=item.location,
            key=check.identifier(entry.get("key"), "key"),
            short=_validate_short(entry.get("short"), check),
            date=_validate_date(entry.get("date"), check),
            tags=tuple(dict.fromkeys(default_tags + check.text_list(entry.get("tags"), "tags"))),
            note=check.text(entry.get("note"), "note"),
            distinct=check.text_list(entry.get("distinct"), "distinct", check.identifier),
            priority=check.integer(entry.get("priority"), "priority", 1, 3),
            branch=check.text(entry.get("branch"), "branch") or default_branch,
            figures=_validate_figures(entry.get("figures"), text, check),
            canonical=_validate_flag(entry.get("canonical"), "canonical", check),
        )
        if fragment_id and text and citations and section:
            fragments.append(fragment)
    return fragments


def _validate_comparisons(
    file: YamlFile | None, sources: set[str] | None, check: _Checker
) -> tuple[Comparison, ...]:
    fields = _document(file, check, "the comparisons file", ("comparisons",), ("comparisons",))
    comparisons: dict[str, Comparison] = {}
    for item in _list_of(fields, "comparisons", check):
        entry = check.mapping(item, "a comparison", COMPARISON_KEYS, ("id", "title", "columns", "rows"))
        if entry is None:
            continue
        comparison_id = check.identifier(entry.get("id"), "id")
        columns = check.text_list(entry.get("columns"), "columns")
        rows = []
        rows_node = entry.get("rows")
        if rows_node is not None and not rows_node.is_sequence:
            check.log.error(rows_node.location, f"'rows' must be a list, not {_kind_of(rows_node.value)}")
        for row in rows_node.value if rows_node is not None and rows_node.is_sequence else ():
            if not row.is_sequence:
                check.log.error(row.location, f"a row must be a list of cells, not {_kind_of(row.value)}")
                continue
            if columns and len(row.value) != len(columns):
                check.log.error(
                    row.location,
                    f"the row has {len(row.value)} cells but the table has {len(columns)} columns",
                )
                continue
            cells = []
            for cell in row.value:
                if cell.is_mapping:
                    cell_fields = check.mapping(cell, "a cell", CELL_KEYS, ("text",)) or {}
                    cells.append(
                        Cell(
                            check.text(cell_fields.get("text"), "text", allow_number=True) or "",
                            check.citations(cell_fields, sources) or (),
                        )
                    )
                else:
                    cells.append(Cell(check.text(cell, "cell", allow_number=True) or ""))
            rows.append(tuple(cells))
        if comparison_id in comparisons:
            check.log.error(entry["id"].location, f"duplicate comparison id '{comparison_id}'")
        elif comparison_id and columns:
            comparisons[comparison_id] = Comparison(
                id=comparison_id,
                title=check.text(entry.get("title"), "title") or comparison_id,
                columns=columns,
                rows=tuple(rows),
                location=item.location,
                caption=check.text(entry.get("caption"), "caption"),
            )
    return tuple(comparisons.values())


def _validate_glossary(file: YamlFile | None, check: _Checker) -> tuple[GlossaryEntry, ...]:
    fields = _document(file, check, "the glossary file", ("glossary",), ("glossary",))
    if not fields or "glossary" not in fields:
        return ()
    node = fields["glossary"]
    if not node.is_mapping:
        check.log.error(node.location, "'glossary' must be a mapping of TERM: expansion")
        return ()
    entries = []
    for term, value in node.value.items():
        translations: list[tuple[str, str]] = []
        if value is not None and value.is_mapping:  # ISA: {expansion: …, hi: …}
            for key, given in value.value.items():
                if key != "expansion" and not re.fullmatch(r"[a-z]{2,3}", key):
                    check.log.error(
                        value.key_locations[key],
                        f"'{key}' is not a language code; an entry is {{expansion: …, hi: …}}",
                    )
                elif key != "expansion" and (said := check.text(given, key)):
                    translations.append((key, said))
            expansion = check.text(value.value.get("expansion"), "expansion")
            if "expansion" not in value.value:
                check.log.error(value.location, f"'{term}' needs its expansion: {{expansion: …, hi: …}}")
        else:
            expansion = check.text(value, term)
        if expansion:
            entries.append(GlossaryEntry(term, expansion, node.key_locations[term], tuple(translations)))
    return tuple(sorted(entries, key=lambda entry: entry.term.casefold()))


_ACRONYM = re.compile(r"(?<![\w&])([A-Z][A-Z0-9&]*[A-Z0-9]|[A-Z][a-z][A-Z])s?(?![\w&])")
_ROMAN = re.compile(r"M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})\Z")


def acronyms_in(text: str) -> list[str]:
    """Acronyms a text uses: FDI, MoU (from "MoUs"), R&D, G2G; not Roman numerals or FY24."""
    found = []
    for match in _ACRONYM.finditer(plain_text(text)):
        term = match[1]
        if _ROMAN.match(term) or re.fullmatch(r"FY\d+", term) or not re.search(r"[A-Z].*[A-Z]", term):
            continue
        found.append(term)
    return found


def _warn_missing_glossary(
    topic_fragments, glossary: tuple[GlossaryEntry, ...], has_glossary: bool, check: _Checker
) -> None:
    if not has_glossary:
        return
    known = {entry.term.casefold() for entry in glossary}
    warned = set()
    for fragment in sorted(topic_fragments, key=lambda fragment: (fragment.location, fragment.id)):
        for term in acronyms_in(fragment.text):
            if term.casefold() not in known and term not in warned:
                warned.add(term)
                check.log.warning(
                    fragment.location, f"acronym '{term}' is not in the glossary; add it to glossary.yaml"
                )


def _validate_topic(raw: RawTopic, sources: set[str] | None, check: _Checker) -> Topic | None:
    if raw.topic_file is None:
        check.log.error(
            Location(raw.directory + "/topic.yaml"),
            f"topic '{raw.id}' has no topic.yaml (title, paper, subject, sections)",
        )
    fields = _document(
        raw.topic_file, check, "topic.yaml", TOPIC_KEYS, ("title", "paper", "subject", "sections")
    )
    if not ID_PATTERN.match(raw.id):
        check.log.error(
            Location(raw.directory),
            f"a topic folder name must be lower-case letters, digits and hyphens, not '{raw.id}'",
        )
    sections_node = fields.get("sections") if fields else None
    sections = _validate_sections(sections_node, check) if fields else ()
    known_sections = dict.fromkeys(section.id for section in sections) if fields else None

    fragments: list[Fragment] = []
    for file in raw.fragment_files:
        fragments.extend(_validate_fragment_file(file, raw.id, known_sections, sources, check))
    if not raw.fragment_files:
        check.log.error(Location(raw.directory), f"topic '{raw.id}' has no fragment files")
    seen: dict[str, Fragment] = {}
    for fragment in fragments:
        if fragment.id in seen:
            check.log.error(
                fragment.location,
                f"duplicate fragment id '{fragment.id}' (first at {seen[fragment.id].location})",
            )
        else:
            seen[fragment.id] = fragment
    canonical: dict[str, Fragment] = {}
    for fragment in seen.values():
        if fragment.canonical and fragment.key in canonical:
            check.log.error(
                fragment.location,
                f"key '{fragment.key}' already has a canonical fragment at "
                f"{canonical[fragment.key].location}",
            )
        elif fragment.canonical and fragment.key:
            canonical[fragment.key] = fragment
    # A file that could not be read holds fragments that other files may name: checks
    # across files wait until every file reads, so one mistake gives one error.
    errors_in = {problem.location.path for problem in check.log.errors}
    if any(file.document is None and file.path in errors_in for file in raw.fragment_files):
        return None
    for fragment in seen.values():
        for other in fragment.distinct:
            if other not in seen:
                check.log.error(fragment.location, f"'distinct' names unknown fragment '{other}'")
            elif fragment.key and seen[other].key == fragment.key:
                check.log.error(
                    fragment.location,
                    f"'{fragment.id}' and '{other}' ({seen[other].location}) share the key '{fragment.key}', "
                    f"which merges them, but '{fragment.id}' says they are distinct; keep one of the two",
                )

    def order_item_location(section_id: str, index: int) -> Location | None:
        for item in sections_node.value if sections_node is not None and sections_node.is_sequence else ():
            if item.is_mapping and getattr(item.value.get("id"), "value", None) == section_id:
                order = item.value.get("order")
                if order is not None and order.is_sequence and index < len(order.value):
                    return order.value[index].location
        return None

    _check_orders(sections, seen.values(), order_item_location, check)
    used_sections = {fragment.section for fragment in seen.values()}
    for section in sections:
        if section.id not in used_sections:
            check.log.warning(
                section.location,
                f"section '{section.id}' has no fragments yet; it is left out of the booklet",
            )

    glossary = _validate_glossary(raw.glossary_file, check)
    _warn_missing_glossary(seen.values(), glossary, raw.glossary_file is not None, check)

    if not fields:
        return None
    title = check.text(fields.get("title"), "title")
    paper = check.text(fields.get("paper"), "paper", allow_number=True)
    subject = check.text(fields.get("subject"), "subject")
    language = _checked_language(check, fields) or "en"
    date_style = check.text(fields.get("date_style"), "date_style") or "short"
    if date_style not in DATE_STYLES:
        check.log.error(
            fields["date_style"].location,
            f"unknown date_style '{date_style}'; use short (21 Aug 2025), long (21 August 2025) "
            "or iso (2025-08-21)",
        )
    duplex, on_right = fields.get("duplex"), fields.get("sections_on_right")
    for name, node in (("duplex", duplex), ("sections_on_right", on_right)):
        if node is not None and not isinstance(node.value, bool):
            check.log.error(node.location, f"{name} must be true or false")
    if not (title and paper and subject and sections) or raw.topic_file is None:
        return None
    assert raw.topic_file.document is not None  # it has fields
    return Topic(
        id=raw.id,
        title=title,
        paper=paper,
        subject=subject,
        language=language,
        sections=sections,
        fragments=tuple(sorted(seen.values(), key=lambda fragment: fragment.id)),
        location=raw.topic_file.document.location,
        comparisons=_validate_comparisons(raw.comparisons_file, sources, check),
        glossary=glossary,
        author=check.text(fields.get("author"), "author", allow_number=True),
        publisher=check.text(fields.get("publisher"), "publisher", allow_number=True),
        rights=check.text(fields.get("rights"), "rights", allow_number=True),
        date_style=date_style if date_style in DATE_STYLES else "short",
        duplex=duplex is not None and duplex.value is True,
        sections_on_right=on_right is not None and on_right.value is True,
    )


SYLLABUS_KEYS = ("title", "exam", "language", "groups")
GROUP_KEYS = ("title", "topics")


def _validate_syllabus(file: YamlFile | None, topic_ids: tuple[str, ...], check: _Checker) -> Syllabus | None:
    """``notes/syllabus.yaml``: ``title:``, ``exam:`` (the exam's day, which review --plan
    plans towards) and ``groups: [{title, topics: [ids]}]``."""
    fields = _document(file, check, SYLLABUS_FILE, SYLLABUS_KEYS, ()) if file else None
    if not fields:
        return None
    assert file is not None and file.document is not None  # it has fields
    groups: list[SyllabusGroup] = []
    placed: dict[str, Location] = {}
    for item in _list_of(fields, "groups", check):
        entry = check.mapping(item, "a group", GROUP_KEYS, ("title", "topics"))
        if entry is None:
            continue
        title = check.text(entry.get("title"), "title", allow_number=True)
        topics = check.text_list(entry.get("topics"), "topics") or ()
        for index, topic in enumerate(topics):
            where = entry["topics"].value[index].location
            if topic not in topic_ids:
                check.log.error(where, f"no topic '{topic}' in notes/{_suggest(topic, topic_ids)}")
            elif topic in placed:
                check.log.error(where, f"topic '{topic}' is already in a group (at {placed[topic]})")
            else:
                placed[topic] = where
        if title:
            groups.append(SyllabusGroup(title, tuple(topic for topic in topics if topic in topic_ids)))
    for topic in topic_ids if "groups" in fields else ():
        if topic not in placed:
            check.log.warning(
                file.document.location, f"topic '{topic}' is in no group; the combined book prints it last"
            )
    exam = check.text(fields.get("exam"), "exam")
    try:
        exam_day = date.fromisoformat(exam) if exam else None
    except ValueError:
        check.log.error(fields["exam"].location, f"'exam' must be a day written YYYY-MM-DD, not '{exam}'")
        exam_day = None
    return Syllabus(
        check.text(fields.get("title"), "title"),
        tuple(groups),
        file.document.location,
        exam_day,
        _checked_language(check, fields),
    )


def _checked_language(check: _Checker, fields: dict) -> str | None:
    """A topic's or a syllabus's ``language:``, with an error where it is no language code
    and a warning where notebuilder has no words in it (it then prints English)."""
    language = check.text(fields.get("language"), "language")
    found = language_problem(language) if language else None
    if found is not None:
        kind, message = found
        (check.log.error if kind == "error" else check.log.warning)(fields["language"].location, message)
    return language or None


def validate_project(raw: RawProject) -> Corpus:
    """Check everything; return the corpus or raise one NoteError with every problem."""
    log = ProblemLog()
    log.problems.extend(raw.problems)
    check = _Checker(log)
    sources = _validate_sources(raw.sources_file, raw.seed_names, check)
    source_ids = {source.id for source in sources} if raw.sources_file and raw.sources_file.document else None
    topics = [_validate_topic(topic, source_ids, check) for topic in raw.topics]
    syllabus = _validate_syllabus(raw.syllabus_file, raw.all_topic_ids, check)
    log.raise_if_errors()
    return Corpus(
        sources=sources,
        topics=tuple(topic for topic in topics if topic is not None),
        warnings=tuple(sorted(log.warnings)),
        syllabus=syllabus,
    )
