"""Which source states which part of a merged point, so that every marker is true.

Pure. A merged point prints the wording of one member, its **lead**. A source's marker
may follow that wording only if the source's own fragment states every *detail* in it.
The details of a fragment are what a student would quote in an exam:

* each ``**bold**`` span (the curated key terms, names, dates and figures);
* each figure, in any notation (:mod:`notebuilder.figures`): ``~$43 billion``, ``seven``;
* each month and year (``August 2024``) and coded name (``TIM-3``, ``G20``);
* each name: a word capitalised in mid-sentence (``held off Okinawa``);
* the fragment's ``date:``;
* each clause it negates ("it did not grant provincial autonomy").

A fragment *states* a detail when its text (or ``date:``) holds every number and name of
the detail, and at least half of the detail's other words (so "largest bilateral ODA
partner" needs ODA and two of "largest", "bilateral", "partner"). Acronyms and their
glossary expansions count as the same name.

From that, :func:`statements` lays a point out as:

1. ``fact``: the lead's text, cited to every member that states all of its details;
2. ``also``: a member that gives details the lead lacks, in its own words and citing
   only its own sources (figures shown in a "sources differ" line are not counted);
3. ``without``: members that state the fact but lack some of the lead's details, cited
   with the details they do not give ("Sources [3, 4] say this too, without 2018 and
   August 2024").

A negation sets two fragments against each other only when it **contradicts** what the
other states (:func:`contradiction`): "it did not grant provincial autonomy" contradicts
"the Act granted provincial autonomy", not "the Act introduced dyarchy".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .figures import numeric_text, read_quantities
from .markup import DEVANAGARI_WORD, HINDI_STOPWORDS, bold_spans, plain_text, stem
from .model import Fragment, Statement

NEGATION = re.compile(
    r"\b(?:not(?!\s+(?:only|just|merely|least)\b)|never|cannot|no\s+longer|none|neither|nor)\b|n't\b"
    r"|(?<![\u0900-\u097F])(?:नहीं|कभी\s+नहीं|मत)(?![\u0900-\u097F])",
    re.IGNORECASE,
)
# Where one clause ends and another begins, for finding what a negation applies to.
_CLAUSE_BREAK = re.compile(
    r"[;:.!?()।]\s|[;:!?()।]|,\s*(?:but|while|whereas|although|though|yet)\b|\s(?:but|whereas|although|though)\s"
    r"|\s(?:लेकिन|परंतु|किंतु|पर)\s"
)
# Words that carry nothing of what a clause asserts (auxiliaries, pronouns).
_CLAUSE_FILLER = frozenset(
    """do does did doing is was are were be been being has have had will would shall should can could
    may might must it they this that these those he she there any ever yet""".split()
)
_TOKEN = re.compile(rf"2\+2|\d+(?:\.\d+)?(?:st|nd|rd|th)?|[A-Za-z]+|{DEVANAGARI_WORD}")
_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {month[:3]: month for month in _MONTH_NAMES.split()}
_MONTH_YEAR = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,2},?)?\s+((?:1\d|20)\d\d)\b"
)
_CODE = re.compile(r"\b[A-Za-z]{1,10}-?\d{1,3}[A-Za-z]?\b")
# Words that carry no detail of their own: function words, and the words of figures
# (whose values are compared as numbers instead).
_PLAIN_WORDS = frozenset(
    """a an and are as at be been by for from has have in into is it its of on or the their this to was
    were which with about around over nearly almost approximately approx than more less up under
    above below till until since per cent percent thousand lakh lakhs crore crores million mn times bc
    bce ce ad
    billion bn trillion tn usd us inr jpy eur gbp rs dollar dollars rupee rupees yen euro euros
    pound pounds""".split()
)


@dataclass(frozen=True)
class Detail:
    """Something a fragment states that a source must state too to be cited for it."""

    text: str  # as the fragment writes it
    required: frozenset[str]  # numbers ("=43000000000") and names that must all be stated
    words: frozenset[str] = frozenset()  # other words, at least half of which must be stated
    phrase: str = ""  # a name of several words, which must be stated in this order


@dataclass(frozen=True)
class Vocabulary:
    """Every term a fragment states (words, names, numbers, figures' values), and its
    words in order, for names of several words."""

    terms: frozenset[str]
    sequence: str

    def states(self, detail: Detail) -> bool:
        if not detail.required <= self.terms or (detail.phrase and f" {detail.phrase} " not in self.sequence):
            return False
        return 2 * len(detail.words & self.terms) >= len(detail.words)


@functools.lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(names and numbers, other content words) of a text, normalised."""
    names: set[str] = set()
    words: set[str] = set()
    for token in _TOKEN.findall(numeric_text(text)):
        lower = token.lower()
        if token[0].isdigit() or token == "2+2":
            names.add(lower)
        elif (
            lower[:3] in _MONTHS
            and _MONTHS[lower[:3]].startswith(lower)
            and (token[0].isupper() or len(lower) > 3)
        ):
            names.add(lower[:3])  # "Aug", "August"
        elif lower in _PLAIN_WORDS:
            continue
        elif token[0].isupper():
            names.add(stem(lower))
        elif len(lower) > 2:
            words.add(stem(lower))
    return frozenset(names), frozenset(words)


def _values(text: str) -> frozenset[str]:
    return frozenset(f"={term}" for quantity in read_quantities(text) for term in quantity.terms)


def _clause_content(clause: str) -> frozenset[str]:
    names, words = _terms(NEGATION.sub(" ", clause))
    return frozenset(term for term in names | words if term not in _CLAUSE_FILLER)


@functools.lru_cache(maxsize=65536)
def negated_clauses(plain: str) -> tuple[tuple[str, str, str], ...]:
    """The clauses of a (plain) text that negate something, each with the negating word as
    written and the word it negates: ``(("it did not grant provincial autonomy", "not",
    "grant"),)``."""
    found: list[tuple[str, str, str]] = []
    if not NEGATION.search(plain):
        return ()
    for clause in _CLAUSE_BREAK.split(plain):
        if match := NEGATION.search(clause):
            if match[0][0] >= "\u0900":  # Hindi negates what stands before: "अधिकार नहीं है"
                before = [
                    word
                    for word in re.findall(DEVANAGARI_WORD, clause[: match.start()])
                    if word not in HINDI_STOPWORDS
                ]
                found.append((clause.strip(" ,"), match[0], stem(before[-1]) if before else ""))
                continue
            after = [
                word.lower()
                for word in re.findall(r"[A-Za-z]+", clause[match.end() :])
                if word.lower() not in _CLAUSE_FILLER and word.lower() not in _PLAIN_WORDS
            ]
            found.append((clause.strip(" ,"), match[0], after[0] if after else ""))
    return tuple(found)


def _same_word(first: str, second: str) -> bool:
    """ "grant" and "granted", "introduce" and "introduced": one word, inflected."""
    length = min(len(first), len(second), 5)
    return length >= 3 and first[:length] == second[:length]


@functools.lru_cache(maxsize=65536)
def _affirmed(plain: str) -> frozenset[str]:
    """What the clauses of a text that negate nothing state."""
    return frozenset().union(
        *(_clause_content(clause) for clause in _CLAUSE_BREAK.split(plain) if not NEGATION.search(clause))
    )


CONTRADICTION_SHARE = 0.6  # of a negated clause's words that the other text affirms


@functools.lru_cache(maxsize=65536)
def contradiction(first: str, second: str) -> tuple[str, str] | None:
    """Whether one (plain) text negates what the other affirms: (the text that negates,
    the negating word as written), or None. "The Act did not grant provincial autonomy"
    contradicts "The Act granted provincial autonomy" (the other affirms the negated word and
    most of its clause); "The Act introduced dyarchy; it did not grant provincial autonomy"
    does not contradict "The Act introduced dyarchy", nor "the State shall not deny equality"
    "Article 14 guarantees equality"."""
    for negating, other in ((first, second), (second, first)):
        clauses = negated_clauses(negating)
        affirmed = _affirmed(other) if clauses else frozenset()
        for clause, word, negated in clauses:
            content = _clause_content(clause)
            if (
                content
                and len(content & affirmed) >= CONTRADICTION_SHARE * len(content)
                and any(_same_word(negated, term) for term in affirmed)
            ):
                return negating, word
    return None


@functools.lru_cache(maxsize=65536)
def _sequence(text: str) -> str:
    """The text's words, lower-case and singular, without function words: for phrases."""
    return " ".join(
        stem(token.lower())
        for token in _TOKEN.findall(numeric_text(text))
        if token.lower() not in _PLAIN_WORDS
    )


def vocabulary(fragment: Fragment, glossary: dict[str, str]) -> Vocabulary:
    """Every term a fragment states: its words, names, numbers and figures' values."""
    plain, date = plain_text(fragment.text), fragment.date or ""
    found = set(_stated_terms(plain)) | (_stated_terms(date) if date else frozenset())
    if negated_clauses(plain):
        found.add(_NEGATED)
    for acronym, expansion in glossary.items():
        expanded = _expansion_terms(expansion)
        if stem(acronym.lower()) in found:
            found |= expanded
        elif expanded and expanded <= found:
            found.add(stem(acronym.lower()))
    return Vocabulary(frozenset(found), f" {_sequence(plain)} {_sequence(date)} ")


@functools.lru_cache(maxsize=65536)
def _stated_terms(text: str) -> frozenset[str]:
    names, words = _terms(text)
    return frozenset(
        {term.lower() for term in names | words} | {stem(term.lower()) for term in names}
    ) | _values(text)


@functools.lru_cache(maxsize=4096)
def _expansion_terms(expansion: str) -> frozenset[str]:
    names, words = _terms(expansion)
    return frozenset(term.lower() for term in names | words)


@functools.lru_cache(maxsize=65536)
def _detail(text: str) -> Detail:
    names, words = _terms(text)
    values = _values(text)
    if values:  # a figure's value stands for its digits: "$36 billion" is stated by "36 bn"
        names = frozenset(
            name for name in names if not name[0].isdigit() or not re.fullmatch(r"[\d.]+", name)
        )
    capitalised = [
        token for token in _TOKEN.findall(text) if token[0].isupper() and token.lower() not in _PLAIN_WORDS
    ]
    phrase = _sequence(text) if len(capitalised) >= 2 and not values else ""
    return Detail(text.strip(), frozenset(names | values), frozenset(words), phrase)


def details(fragment: Fragment) -> tuple[Detail, ...]:
    """The details of a fragment, each once, in the order the text gives them."""
    return _details(fragment.text, fragment.date)


# A name of several words, joined by small words: "Growth for All in the Region" (not by "and": a list).
_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:(?:[-–]|\s+(?:(?:of|for|in|the|on)\s+)*)[A-Z][A-Za-z]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?;:]\s*)[\s\"'‘“(]*$")


def _names(plain: str) -> list[str]:
    """The names a text writes: capitalised words that do not begin a sentence ("held off
    Okinawa"), which a source must state to be cited for them."""
    return [
        match[0]
        for match in _NAME.finditer(plain)
        if len(match[0]) > 1
        and match[0].lower() not in _PLAIN_WORDS
        and not (
            match[0][:3].lower() in _MONTHS and _MONTHS[match[0][:3].lower()].startswith(match[0].lower())
        )
        and not _SENTENCE_START.search(plain, max(0, match.start() - 8), match.start())
    ]


def _name_detail(name: str) -> Detail:
    """A name is stated by its last word and most of the others: "the Company" states "the
    East India Company"; "Okinawa" does not state "Chennai"."""
    words = [stem(word.lower()) for word in re.findall(r"[A-Z][A-Za-z]*", name)]
    return Detail(name, frozenset(words[-1:]), frozenset(words[:-1]))


_NEGATED = "¬"  # the term of a negated clause: only a text that negates something states it


@functools.lru_cache(maxsize=65536)
def _details(text: str, date: str | None) -> tuple[Detail, ...]:
    plain = plain_text(text)
    found = [_detail(span) for span in bold_spans(text)]
    found += [Detail(quantity.text, frozenset({f"={quantity.term}"})) for quantity in read_quantities(plain)]
    found += [_detail(match.group(0)) for match in _MONTH_YEAR.finditer(plain)]
    found += [_detail(match.group(0)) for match in _CODE.finditer(plain) if not match.group(0).isdigit()]
    if date:
        found.append(_detail(date))
    bold = " ".join(bold_spans(text))
    found += [_name_detail(name) for name in _names(plain) if name not in bold]  # bold: a detail already
    for clause, _, _ in negated_clauses(plain):
        detail = _detail(clause)
        found.append(Detail(detail.text, detail.required | {_NEGATED}, detail.words, detail.phrase))
    unique: dict[tuple, Detail] = {}
    for detail in found:
        if detail.required or detail.words:
            unique.setdefault((detail.required, detail.words), detail)
    return tuple(unique.values())


@dataclass(frozen=True)
class Reading:
    """What one member states: its details and its vocabulary."""

    fragment: Fragment
    details: tuple[Detail, ...]
    vocabulary: Vocabulary

    def contradicts(self, other: Reading) -> bool:
        return contradiction(plain_text(self.fragment.text), plain_text(other.fragment.text)) is not None

    def states_all(self, wanted: Iterable[Detail]) -> bool:
        return all(self.vocabulary.states(detail) for detail in wanted)


def read_members(group: list[Fragment], glossary: dict[str, str]) -> dict[str, Reading]:
    return {
        fragment.id: Reading(fragment, details(fragment), vocabulary(fragment, glossary))
        for fragment in group
    }


def supporters(lead: Reading, readings: Iterable[Reading]) -> list[Reading]:
    """The members that state every detail of the lead's wording (and do not contradict it)."""
    return [
        reading for reading in readings if reading.states_all(lead.details) and not reading.contradicts(lead)
    ]


def statements(
    lead: Reading, readings: list[Reading], shown_values: frozenset[str], cite
) -> tuple[Statement, ...]:
    """The point's statements (see the module's docstring), each citing exactly its sources.

    ``shown_values`` are the figure values already shown with their own sources in a
    "sources differ" line; ``cite(fragments)`` gives the citations of some members.
    """

    def beyond_shown(detail: Detail) -> Detail:
        """The detail less the figures a "sources differ" line already shows with their sources."""
        values = {term for term in detail.required if term.startswith("=") and term[1:] in shown_values}
        if not values:
            return detail
        digits = {term for term in detail.required if re.fullmatch(r"[\d.]+", term)}
        return Detail(detail.text, detail.required - values - digits, detail.words, detail.phrase)

    def states(reading: Reading, detail: Detail) -> bool:
        return reading.vocabulary.states(beyond_shown(detail))

    backing = supporters(lead, readings)
    if lead not in backing:  # its own wording, whatever the reading makes of it
        backing.insert(0, lead)
    result = [
        Statement(
            "fact",
            lead.fragment.text,
            cite([reading.fragment for reading in backing]),
            tuple(r.fragment.id for r in backing),
        )
    ]
    cited = {citation.source for citation in result[0].citations}
    without: dict[tuple[str, ...], list[Reading]] = {}
    for reading in readings:
        if reading is lead:
            continue
        extra = [detail for detail in reading.details if not states(lead, detail)]
        if extra or reading.contradicts(lead):
            result.append(
                Statement("also", reading.fragment.text, cite([reading.fragment]), (reading.fragment.id,))
            )
        elif reading not in backing and not set(reading.fragment.source_ids) <= cited:  # else cited already
            missing = tuple(detail.text for detail in lead.details if not states(reading, detail))
            if missing:
                without.setdefault(missing, []).append(reading)
    for missing, members in without.items():
        fragments = [reading.fragment for reading in members]
        result.append(
            Statement(
                "without",
                "; ".join(missing),
                cite(fragments),
                tuple(fragment.id for fragment in fragments),
                missing,
            )
        )
    return tuple(result)
