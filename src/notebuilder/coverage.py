"""Source coverage: which statements of a seed no fragment citing it captures (pure).

A seed is split into **statements**: each line is one place (list bullets dropped), and a
line of prose is split into sentences by pysbd. Lines that are not content are left out:

* headings: short lines without a full stop or a figure ("Context", "Defence and Security");
* page furniture and contact details: URLs, e-mail addresses, phone numbers, "page 3 of 9";
* advertising: "join our batch", "call", "WhatsApp", "copyright", "enrol", "download"…;
* what the source's ``ignore:`` lists in ``seeds/sources.yaml`` (line numbers, ranges, or
  patterns).

A statement is **covered** when one fragment citing that source

1. states every figure of it, by value in any notation (:mod:`notebuilder.figures`);
   a statement's years count as figures (the fragments that give any of its figures are
   read together, as curation splits a composite sentence into one fact each; without
   figures, one fragment or two that each share a name with it); and
2. states its key terms: at least :data:`NAMES_SHARE` of its names (capitalised words and
   acronyms, with glossary expansions) and at least :data:`WORDS_SHARE` of its other
   content words.

Uncovered statements are listed most important first: those with figures or dates, then
those naming schemes, agreements or other proper names, then the rest.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .dates import parse_date
from .extract import PAGE_MARKER
from .figures import numbered_references, read_quantities
from .markup import DEVANAGARI_WORD, HINDI_STOPWORDS, devanagari, in_capitals, plain_text, stem
from .model import Fragment, Source

NAMES_SHARE = 0.6
WORDS_SHARE = 0.4

_BULLET = re.compile(r"^\s*(?:[-–•*▪●◦]|\d{1,2}[.)]|[a-z][.)]|\([a-z0-9]+\))\s+")
_ADVERT = re.compile(
    r"\b(?:copyright|all rights? reserved|whats\s?app|telegram|call us|call now|join (?:our|the|now)|"
    r"enrol|enroll|subscribe|log\s?in|sign\s?up|download|admission|batch(?:es)?\b|mentorship|"
    r"click here|visit our|follow us|contact us|helpline|coaching centre|fees?\b.*\b(?:rs|₹)|"
    r"lectures?\b|mind\s?maps\b|aspirants?\b|mentoring|we provide|director sir)",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    r"https?://|www\.|\S+@\S+\.\w+|(?:\+?\d[\d\s-]{8,}\d)|\bpage \d+( of \d+)?\b|^\s*\d+\s*$|"
    r"\b(?:road|nagar|street|floor|pin\s?code)\b.*\d{6}",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(
    rf"[A-Za-z][A-Za-z]+|{DEVANAGARI_WORD}"
)  # hyphens and dashes split: Japan-India, Japan–India
_STOP = (
    frozenset(
        """about above after again also among and are around been before being between both but can could
    does during each from further have having here into its itself more most much must only other over
    same should some such than that their them then there these they this those through under until very
    were what when where which while will with within would your""".split()
    )
    | HINDI_STOPWORDS
)


@dataclass(frozen=True)
class Statement:
    line: int  # 1-based line in the seed
    text: str
    figures: tuple[float, ...]  # values of its figures and years
    names: frozenset[str]
    words: frozenset[str]
    distinctive: frozenset[str] = frozenset()  # its multi-word names and acronyms, lower-case
    page: int | None = None  # the page of the source it is on (a PDF's, from extract.py)
    heading: str = ""  # the heading it stands under

    @property
    def importance(self) -> int:
        """2: figures or dates; 1: names a scheme, agreement or other proper name; 0: the rest."""
        return 2 if self.figures else 1 if self.names else 0


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    statements: tuple[Statement, ...]  # empty for boilerplate and blank lines
    kind: str  # content | heading | furniture | advert | ignored | blank | page


def _is_heading(text: str) -> bool:
    """A title, not a statement: a short line that does not end as a sentence does, a
    line in capitals ("WHY IS THIS IN THE NEWS?"), or a short question ("Why in news?")."""
    words = text.split()
    if in_capitals(text):
        return True
    if len(words) <= 8 and text.rstrip().endswith("?"):
        return True
    return len(words) <= 8 and not text.rstrip().endswith((".", "!", ";", "।")) and not read_quantities(text)


_BYLINE = re.compile(
    r"^(?:(?:written |posted |reported )?by|author|updated|published|posted on|last updated)\b[:\s]",
    re.IGNORECASE,
)
_DATELINE = re.compile(  # NEW DELHI, Aug 21 (PTI): … — the place and date before a report
    r"^[A-Z][A-Z .]{2,},\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})(?:,?\s*\d{4})?"
    r"\s*(?:\([A-Za-z]+\))?\s*[:—–-]\s*"
)
_ABBREVIATION_END = re.compile(
    r"(?:^|[\s(])(?:c|ca|e\.g|i\.e|viz|cf|art|arts|no|nos|rs|govt|dr|mr|mrs|ms|prof|st|sec|cl|vs|v|"
    r"approx|est|lt|gen|col|capt|sr|jr|fig|vol|pp?|ch|ed|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.$",
    re.IGNORECASE,
)
# A run of capitalised words, through "of", "and", "for", "on", "de" and "&" ("Board of
# Control", "Mahmud of Ghazni"), not through a bare "the" ("the Governor of Bengal the
# Governor-General" is two names).
NAME_RUN = re.compile(r"(?<![\w*])(?:[A-Z][\w’'&-]*(?:\s+(?:of the|of|and|for|on|de|&)?\s*[A-Z][\w’'&-]*)*)")
_NOT_ACRONYMS = frozenset({"BC", "BCE", "AD", "CE"})
_OPENING = frozenset(
    """the a an this that these those in on by at it its as for from with of under after before since
    during between both example while when""".split()
)


def _distinctive(text: str) -> frozenset[str]:
    """The names a statement could not be stated without: runs of capitalised words
    ("Board of Control", "Warren Hastings") and acronyms ("SCRI"), lower-case."""
    found = set()
    for match in NAME_RUN.finditer(text):
        for part in re.split(r"\s+and\s+", match.group(0)):  # "Ahmedabad and Hamamatsu": two names
            words = part.split()
            while words and words[0].lower() in _OPENING:
                words = words[1:]
            if len(words) >= 2:
                found.add(" ".join(words).lower())
    for token in re.findall(r"\b[A-Z]{2,6}s?\b", text):
        if token not in _NOT_ACRONYMS and not re.fullmatch(r"[IVXLC]+", token):
            found.add(token.lower())  # not an era, not a Roman numeral (Part III)
    return frozenset(found)


def sentences(text: str) -> list[str]:
    """A paragraph's sentences (pysbd), never cut after an abbreviation: "in c. 322 BCE",
    "e.g. Henry Dundas", "The Govt. of India Act"."""
    parts: list[str] = []
    language = "hi" if devanagari(text) else "en"  # pysbd splits Hindi at the danda
    for part in (part.strip() for part in _segmenter(language).segment(text)):
        if parts and _ABBREVIATION_END.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {part}"
        elif part:
            parts.append(part)
    return parts


def _ignored(number: int, text: str, ignore: tuple[str, ...]) -> bool:
    for entry in ignore:
        if match := re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", entry):
            if int(match[1]) <= number <= int(match[2] or match[1]):
                return True
        elif re.search(entry, text, re.IGNORECASE):
            return True
    return False


@functools.lru_cache(maxsize=2)
def _segmenter(language: str = "en"):
    import pysbd

    return pysbd.Segmenter(language=language, clean=False)


_LABEL = re.compile(r"^[A-Z][\w&,'’() -]{0,70}?:\s+(?=\S)")  # "Corporate Presence: …", a heading in a line
_SENTENCE_START = re.compile(r"(?:^|[.:;!?]\s+|\(\s*)$")


def _terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(names, other content words): a capitalised word is a name unless it only begins a
    sentence; a numbered thing ("Article 21") is a name too."""
    names, words = set(), set()
    for match in _CONTENT_WORD.finditer(text):
        token = match.group(0)
        lower = token.lower()
        if lower in _STOP or len(lower) < 3:
            continue
        starts = _SENTENCE_START.search(text, 0, match.start()) is not None
        acronym = token.isupper() and 1 < len(token) <= 6  # longer capitals are a shouted heading
        if acronym or (token[0].isupper() and not token.isupper() and not starts):
            names.add(stem(lower))
        elif len(lower) > 3:
            words.add(stem(lower))
    names |= {f"{kind}#{number}".lower() for kind, number in numbered_references(text)}  # Article 21, GS2
    return frozenset(names), frozenset(words)


def _figures(text: str) -> tuple[float, ...]:
    """The figures a statement must have captured; "the two nations" is a turn of phrase."""
    found = read_quantities(text)
    return tuple(q.value for q in found if not (q.kind == "count" and q.text.isalpha() and q.value <= 3))


def statement(line: int, text: str, page: int | None = None, heading: str = "") -> Statement:
    said = _LABEL.sub("", text)  # "Corporate Presence: …" names a heading, not a thing
    names, words = _terms(said)
    return Statement(line, text, _figures(text), names, words, _distinctive(said), page, heading)


def read_seed(text: str, source: Source | None = None) -> tuple[Line, ...]:
    """Every line of a seed, with its statements (none for boilerplate). A Markdown
    heading, or a line that reads as one, is the heading of the statements under it; a
    page marker (extract.py) gives the page of those after it."""
    ignore = source.ignore if source else ()
    lines = []
    page: int | None = None
    heading = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if marker := PAGE_MARKER.match(raw.strip()):
            page = int(marker[1])
            lines.append(Line(number, raw, (), "page"))
            continue
        marked_heading = re.match(r"^\s*#+\s", raw) is not None
        content = _BULLET.sub(
            "", re.sub(r"\*\*|__|^\s*#+\s*", "", raw)
        ).strip()  # Markdown emphasis, headings
        content = _DATELINE.sub("", content)
        if not content:
            kind = "blank"
        elif _ignored(number, raw, ignore):
            kind = "ignored"
        elif _ADVERT.search(content):
            kind = "advert"
        elif _FURNITURE.search(content) or (_BYLINE.match(content) and len(content.split()) <= 12):
            kind = "furniture"
        elif parse_date(content.rstrip(".")) is not None:
            kind = "furniture"  # a date alone: when the page was written
        elif marked_heading or _is_heading(content):
            kind = "heading"
        else:
            kind = "content"
        found = sentences(content) if kind == "content" else []
        statements = tuple(
            statement(number, sentence, page, heading) for sentence in found if len(sentence.split()) >= 3
        )
        kind = kind if statements or kind != "content" else "heading"
        if kind == "heading":
            heading = content
        lines.append(Line(number, raw, statements, kind))
    return tuple(lines)


@dataclass(frozen=True)
class Capture:
    """A fragment's terms, for matching against statements."""

    fragment: Fragment
    values: frozenset[float]
    terms: frozenset[str]
    text: str = ""  # its words, lower-case, with the glossary's expansions of its acronyms


def captures(fragments, glossary: dict[str, str], context: str = "") -> list[Capture]:
    """What each fragment states: figures by value, and its words and names the way
    statements are read (with every word's plain form too, and glossary expansions).
    ``context``, the topic's title, goes without saying in every fragment of the topic."""
    given = {stem(token.lower()) for token in _CONTENT_WORD.findall(context)}
    found = []
    for fragment in fragments:
        text = plain_text(fragment.text)
        values = {quantity.value for quantity in read_quantities(text + " " + (fragment.date or ""))}
        values |= {quantity.value for _, figure in fragment.figures for quantity in read_quantities(figure)}
        names, words = _terms(text)
        terms = set(names | words) | {stem(token.lower()) for token in _CONTENT_WORD.findall(text)} | given
        said = [text.lower()]
        for acronym, expansion in glossary.items():
            expanded = _terms(expansion)
            if stem(acronym.lower()) in terms:
                terms |= expanded[0] | expanded[1]
                said.append(expansion.lower())
            elif (expanded[0] | expanded[1]) and (expanded[0] | expanded[1]) <= terms:
                terms.add(stem(acronym.lower()))
                said.append(acronym.lower())
        found.append(Capture(fragment, frozenset(values), frozenset(terms), " | ".join(said)))
    return found


# Titles ("PM Yoshiro Mori") and prefixes ("Post-World War II": "after World War II").
_TITLES = frozenset("prime minister president chief shri lord sir post pre non anti neo".split())


def _gives(said: list[frozenset[str]], name: str, context: frozenset[str]) -> bool:
    """Whether one fragment gives a name (``said``: each fragment's words, plain forms):
    every word of it, but for titles and the topic's own words ("Economic Security
    Initiative" is not given by a fragment on economic security)."""
    key = {stem(word.lower()) for word in _CONTENT_WORD.findall(name) if word.lower() not in _STOP | _TITLES}
    key -= context
    return not key or any(key <= words for words in said)


def covered_by(item: Statement, candidates: list[Capture]) -> tuple[Fragment, ...]:
    """The fragments that capture the statement (see the module's docstring), or ().

    A statement with figures may be captured by several fragments together, as curation
    splits a composite sentence into one fact each: the fragments that give any of its
    figures are read as one. A statement without figures needs one fragment, or two that
    each name something it names."""
    if item.figures:
        groups = [[capture for capture in candidates if capture.values & set(item.figures)]]
    else:  # one fragment, or two that each share a name with it
        sharing = [capture for capture in candidates if item.names & capture.terms]
        groups = [[capture] for capture in candidates]
        groups += [[first, second] for index, first in enumerate(sharing) for second in sharing[index + 1 :]]
    best: tuple[Fragment, ...] = ()
    best_share = -1.0
    for group in groups:
        if not group:
            continue
        values = frozenset().union(*(capture.values for capture in group))
        terms = frozenset().union(*(capture.terms for capture in group))
        if not set(item.figures) <= values:
            continue
        names = len(item.names & terms) / len(item.names) if item.names else 1.0
        words = len(item.words & terms) / len(item.words) if item.words else 1.0
        if names >= NAMES_SHARE and words >= WORDS_SHARE and names + words > best_share:
            best, best_share = tuple(capture.fragment for capture in group), names + words
    return best


@dataclass(frozen=True)
class SourceCoverage:
    source: Source
    lines: tuple[Line, ...]
    covered: dict  # statement -> the fragments that capture it

    @property
    def statements(self) -> list[Statement]:
        return [item for line in self.lines for item in line.statements]

    @property
    def uncovered(self) -> list[Statement]:
        missing = [item for item in self.statements if item not in self.covered]
        return sorted(missing, key=lambda item: (-item.importance, item.line))

    def share(self, only_figures: bool = False) -> tuple[int, int]:
        chosen = [item for item in self.statements if item.figures or not only_figures]
        return sum(1 for item in chosen if item in self.covered), len(chosen)


def source_coverage(
    source: Source, seed_text: str, fragments, glossary: dict[str, str], context: str = ""
) -> SourceCoverage:
    citing = captures(
        [fragment for fragment in fragments if source.id in fragment.source_ids], glossary, context
    )
    lines = read_seed(seed_text, source)
    said = [
        frozenset(stem(token.lower()) for token in _CONTENT_WORD.findall(capture.text)) for capture in citing
    ]
    given = frozenset(stem(token.lower()) for token in _CONTENT_WORD.findall(context))
    covered = {}
    for line in lines:
        for item in line.statements:
            fragments = covered_by(item, citing)
            # A name no fragment of the source gives is lost, whatever words it shares.
            if fragments and all(_gives(said, name, given) for name in item.distinctive):
                covered[item] = fragments
    return SourceCoverage(source, lines, covered)


def percent(share: tuple[int, int]) -> float:
    done, total = share
    return 100.0 * done / total if total else 100.0


def format_coverage(topic_id: str, results: list[SourceCoverage]) -> str:
    lines = []
    for result in results:
        seed = f"seeds/{result.source.file}"
        statements, figures = result.share(), result.share(only_figures=True)
        lines.append(
            f"{topic_id} · {result.source.id} ({seed}): statements {statements[0]}/{statements[1]} "
            f"({percent(statements):.0f}%), with figures {figures[0]}/{figures[1]} ({percent(figures):.0f}%)"
        )
        for item in result.uncovered:
            label = ("figures", "names", "")[2 - item.importance]
            lines.append(f"  {seed}:{item.line}: {'[' + label + '] ' if label else ''}{item.text}")
    return "\n".join(lines) + "\n"
