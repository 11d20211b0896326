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

from .figures import numbered_references, read_quantities
from .markup import plain_text, stem
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
_CONTENT_WORD = re.compile(r"[A-Za-z][A-Za-z]+")  # hyphens and dashes split: Japan-India, Japan–India
_STOP = frozenset(
    """about above after again also among and are around been before being between both but can could
    does during each from further have having here into its itself more most much must only other over
    same should some such than that their them then there these they this those through under until very
    were what when where which while will with within would your""".split()
)


@dataclass(frozen=True)
class Statement:
    line: int  # 1-based line in the seed
    text: str
    figures: tuple[float, ...]  # values of its figures and years
    names: frozenset[str]
    words: frozenset[str]

    @property
    def importance(self) -> int:
        """2: figures or dates; 1: names a scheme, agreement or other proper name; 0: the rest."""
        return 2 if self.figures else 1 if self.names else 0


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    statements: tuple[Statement, ...]  # empty for boilerplate and blank lines
    kind: str  # content | heading | furniture | advert | ignored | blank


def _is_heading(text: str) -> bool:
    words = text.split()
    return len(words) <= 8 and not text.rstrip().endswith((".", "?", "!", ";")) and not read_quantities(text)


def _ignored(number: int, text: str, ignore: tuple[str, ...]) -> bool:
    for entry in ignore:
        if match := re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", entry):
            if int(match[1]) <= number <= int(match[2] or match[1]):
                return True
        elif re.search(entry, text, re.IGNORECASE):
            return True
    return False


@functools.lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


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


def statement(line: int, text: str) -> Statement:
    names, words = _terms(_LABEL.sub("", text))
    return Statement(line, text, _figures(text), names, words)


def read_seed(text: str, source: Source | None = None) -> tuple[Line, ...]:
    """Every line of a seed, with its statements (none for boilerplate)."""
    ignore = source.ignore if source else ()
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = _BULLET.sub(
            "", re.sub(r"\*\*|__|^\s*#+\s*", "", raw)
        ).strip()  # Markdown emphasis, headings
        if not content:
            kind = "blank"
        elif _ignored(number, raw, ignore):
            kind = "ignored"
        elif _ADVERT.search(content):
            kind = "advert"
        elif _FURNITURE.search(content):
            kind = "furniture"
        elif _is_heading(content):
            kind = "heading"
        else:
            kind = "content"
        sentences = [part.strip() for part in _segmenter().segment(content)] if kind == "content" else []
        statements = tuple(
            statement(number, sentence) for sentence in sentences if len(sentence.split()) >= 3
        )
        lines.append(Line(number, raw, statements, kind if statements or kind != "content" else "heading"))
    return tuple(lines)


@dataclass(frozen=True)
class Capture:
    """A fragment's terms, for matching against statements."""

    fragment: Fragment
    values: frozenset[float]
    terms: frozenset[str]


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
        for acronym, expansion in glossary.items():
            expanded = _terms(expansion)
            if stem(acronym.lower()) in terms:
                terms |= expanded[0] | expanded[1]
            elif (expanded[0] | expanded[1]) and (expanded[0] | expanded[1]) <= terms:
                terms.add(stem(acronym.lower()))
        found.append(Capture(fragment, frozenset(values), frozenset(terms)))
    return found


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
    covered = {}
    for line in lines:
        for item in line.statements:
            fragments = covered_by(item, citing)
            if fragments:
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
