"""Stage 3, dedupe: merge the fragments of a topic that state the same fact into points.

Pure: takes a :class:`Topic` and returns a :class:`Deduplication`: its points (each with
every member fragment, the statements it prints with the sources that state each, and
any conflicting figures), the scored pairs that caused each merge, the near misses, and
warnings for the pairs it could not decide.

A student revises from the result instead of the sources, so a wrong merge (a fact lost,
a source credited for what it does not say) is worse than a missed one. Two fragments
are the same fact when

* they share an explicit ``key`` (always, across sections), or
* they are in the same section, their **score** reaches :data:`MERGE_THRESHOLD`, and
  nothing vetoes the merge, and the same holds for **every other pair** of the point
  they would end in.

Vetoes (the merge never happens by similarity, whatever the score):

* the two name **differently numbered things** of one kind: Article 14 vs Article 24,
  the 42nd vs the 44th Amendment, GS1 vs GS2, the Charter Act of 1813 vs that of 1833
  (:func:`notebuilder.figures.numbered_references`);
* they name **different things**: each has a distinctive name (a capitalised name, an
  acronym, a bold term) that the other never uses: Shishu vs Kishore, PMJJBY vs PMSBY,
  Lok Sabha vs Rajya Sabha, Chennai vs Okinawa;
* they come from **one source**: a source that says two things says two things (a shared
  ``key`` still merges them);
* one **negates** what the other asserts (:func:`notebuilder.credit.contradiction`): a
  negated clause that the other does not contradict is a detail of its own fragment;
* their figures differ and they name no common quantity;
* ``distinct: [id]`` on either.

A pair scoring from :data:`WARN_THRESHOLD` up to (or above) the threshold that does not
end in one point, and that no ``key``, ``distinct``, numbered-thing, one-source or
names veto settles, is a **warning** with both locations: the curator adds a shared
``key:`` or ``distinct:``. Two sources whose wordings differ only in a name (Chennai vs
Okinawa) are kept apart and warned about too: they may disagree.

What no member of a group is allowed to change: a filler word ("Indeed,", "also",
"notably") and the first word of a sentence (which is capitalised by position, not because
it is a name) count for nothing.

The score (0–1) combines five signals, each 0–1:

* ``words``: IDF-weighted overlap of content words and names (rare shared words count
  more than common ones), the mean of their Jaccard and overlap coefficients so that a
  fact restated inside a longer one still scores;
* ``fuzzy``: rapidfuzz ``token_set_ratio`` of the normalised texts;
* ``label``: the same on the ``short`` labels (``fuzzy`` again where one has none);
* ``names``: IDF-weighted overlap of named entities and acronyms;
* ``numbers``: overlap of the figures' values, in any notation (``seven`` is ``7``);
  where both give figures and share none, the pair is penalised unless the fragments'
  ``figures`` name the same quantity (then they are the same fact with disagreeing figures).

``score = 0.40·words + 0.15·fuzzy + 0.15·label + 0.20·names + 0.10·numbers``, plus
:data:`QUANTITY_BONUS` when both name the same quantity. Grouping is *complete linkage*:
clusters join along the strongest pairs first, and only when every pair across the two
clusters would merge on its own (at least :data:`MERGE_THRESHOLD`, no veto), so A~B and
B~C never put A and C in one point unless A~C holds too. A pair that would merge but is
kept out of a group by such a weak pair is a warning that names it.

Candidate pairs come from an inverted index of each fragment's rarer features within
its section, not from all pairs, so the cost grows with the number of real candidates.

Each point then credits each of its statements only to the members that state it
(:mod:`notebuilder.credit`).
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from .credit import contradiction, read_members, statements, supporters
from .errors import Problem
from .figures import (
    Quantity,
    figures_agree,
    numbered_references,
    numeric_text,
    quantity_keys,
    read_quantities,
    reference_clash,
)
from .markup import DEVANAGARI_WORD, HINDI_STOPWORDS, bold_spans, devanagari, plain_text, stem
from .model import Citation, Conflict, Figure, Fragment, Member, Point, Statement, Topic

MERGE_THRESHOLD = 0.50  # at or above: the same fact, merged (every pair of a group)
WARN_THRESHOLD = 0.40  # from here up to a merge: undecided, a warning
NEAR_MISS_MARGIN = 0.06  # near misses listed in the report, below the warning band
QUANTITY_BONUS = 0.25
# A feature makes candidate pairs only if few fragments of the section have it: at most
# MAX_FEATURE_SHARE of them (but always up to MIN_POSTINGS, never above MAX_POSTINGS),
# which bounds the pairs per fragment and keeps grouping sub-quadratic.
MAX_FEATURE_SHARE = 0.25
MIN_POSTINGS = 8
MAX_POSTINGS = 24
WEIGHTS = {"words": 0.40, "fuzzy": 0.15, "label": 0.15, "names": 0.20, "numbers": 0.10}

STOPWORDS = (
    frozenset(
        """a an and are as at be been between both by for from has have in into is it its of on or over
    such that the their them these this those to under was were which while with like e.g. i.e. also
    more most other than through via has had will can may must should could two they there these
    this its their""".split()
    )
    | HINDI_STOPWORDS
)
# Words that say how a sentence relates to others, never what it states: adding one to a
# fragment must change nothing.
FILLERS = frozenset(
    """indeed notably also moreover furthermore additionally however significantly importantly
    interestingly thus hence therefore meanwhile besides likewise similarly reportedly incidentally
    remarkably crucially basically essentially actually""".split()
)
_FILLER = re.compile(rf"\b(?:{'|'.join(sorted(FILLERS))})\b,?\s*", re.IGNORECASE)
_TOKEN = re.compile(  # a Devanagari word too (not the ending of 44वें: that is an ordinal)
    rf"2\+2|[A-Za-z][A-Za-z0-9]*(?:-[A-Z0-9][A-Za-z0-9]*)*|\d+(?:st|nd|rd|th)\b|{DEVANAGARI_WORD}"
)
_SENTENCE_END = re.compile(r"[.!?;:।](?!\d)")
# Titles and institutions that stand beside a name without being the thing a fact is about.
# The words of figures and dates: a bold "**₹6,000 a year**" names no thing.
_FIGURE_WORDS = frozenset(
    """year day month week time cent percent per crore lakh thousand million billion trillion rs inr usd
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august
    september october november december bce ce""".split()
)
_NOT_DISTINCTIVE = frozenset(
    """pm prime minister president dr mr mrs ms shri sri smt government ministry union centre central
    state states national india indian""".split()
)


@dataclass(frozen=True)
class Features:
    words: frozenset[str]  # content words, names and numbers ("=1952"): the terms IDF weighs
    names: frozenset[str]
    numbers: frozenset[str]  # figures' values, in any notation
    normalised: str
    plain: str = (
        ""  # the text without markup: its numbered things and negations are read when a pair needs them
    )
    distinctive: frozenset[str] = frozenset()  # names and bold terms that say which thing it is about
    sequence: tuple[str, ...] = ()  # its content words in order, for telling a name swapped from one added
    measures: frozenset[str] = frozenset()  # the values of its figures that are not years

    @property
    def references(self) -> frozenset[tuple[str, str]]:
        return numbered_references(self.plain)  # ("article", "14"); cached

    def names_missing_from(self, other: Features) -> frozenset[str]:
        """Its distinctive names that the other text never uses."""
        return self.distinctive - other.words - other.names


SHARED_CONTEXT = 0.6  # of the shorter text's other words, in order, for a swapped name
SWAP_SLACK = 2  # words beside a swapped name that may differ too ("held off Chennai" / "off Okinawa coast")


def _swapped_names(a: Features, b: Features) -> tuple[frozenset[str], frozenset[str]] | None:
    """The names two texts differ in where one stands in the other's place: the texts say
    the same around them ("held off Chennai" / "held off Okinawa", "Shishu loans" /
    "Kishore loans"). Names that one text merely adds to a differently worded statement
    are not swapped: they are details, credited or printed as "also"."""
    ours, theirs = a.names_missing_from(b), b.names_missing_from(a)
    if not (ours and theirs):
        return None
    matcher = SequenceMatcher(None, a.sequence, b.sequence, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    rest = min(sum(word not in ours for word in a.sequence), sum(word not in theirs for word in b.sequence))
    if not rest or shared < SHARED_CONTEXT * rest:
        return None
    swapped_ours: set[str] = set()
    swapped_theirs: set[str] = set()
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation != "equal":
            here, there = (
                ours.intersection(a.sequence[a_start:a_end]),
                theirs.intersection(b.sequence[b_start:b_end]),
            )
            if (
                here
                and there
                and a_end - a_start <= len(here) + SWAP_SLACK
                and b_end - b_start <= len(there) + SWAP_SLACK
            ):
                swapped_ours |= here
                swapped_theirs |= there
    return (frozenset(swapped_ours), frozenset(swapped_theirs)) if swapped_ours else None


@dataclass(frozen=True)
class ScoredPair:
    first: str
    second: str
    score: float
    reason: str


@dataclass(frozen=True)
class Deduplication:
    points: tuple[Point, ...]
    merges: tuple[ScoredPair, ...]  # the pairs that joined groups, strongest first
    near_misses: tuple[ScoredPair, ...]
    kept_apart: tuple[ScoredPair, ...] = ()  # pairs scoring high that a veto kept apart
    warnings: tuple[Problem, ...] = ()  # undecided pairs, with both locations


def numeric(word: str) -> bool:
    """Whether a word is a number ("seven", "XII"): a figure, not a name."""
    as_digits = numeric_text(word)  # "अनुच्छेद" reads "Article": a name, not a number
    return (as_digits != word and any(character.isdigit() for character in as_digits)) or bool(
        read_quantities(word)
    )


def _without_fillers(text: str) -> str:
    return _FILLER.sub("", text) if _FILLER.search(text) else text


@functools.lru_cache(maxsize=65536)
def _capitalised(text: str) -> tuple[tuple[tuple[str, bool], ...], str]:
    """The text's tokens, each with whether it is capitalised as a name would be (not only
    because it begins a sentence), and the text they were read from."""
    plain = re.sub(r"[’‘]", "'", _without_fillers(text))
    plain = re.sub(r"'s\b|(?<=s)'", "", plain)
    found, previous_end = [], -1
    for match in _TOKEN.finditer(plain):
        token = match[0]
        sentence_start = previous_end < 0 or bool(_SENTENCE_END.search(plain, previous_end, match.start()))
        found.append((token, token[0].isupper() and not sentence_start))
        previous_end = match.end()
    return tuple(found), plain


def names_in_use(texts: Iterable[str]) -> frozenset[str]:
    """The words that some text writes capitalised in mid-sentence: names, which a sentence
    may also begin with ("Japan provided…")."""
    return frozenset(
        stem(token.lower())
        for text in texts
        for token, capitalised in _capitalised(plain_text(text))[0]
        if capitalised
    )


def extract_features(
    text: str, glossary: dict[str, str] | None = None, known_names: frozenset[str] = frozenset()
) -> Features:
    """Words, names and numbers of a fragment's text.

    ``glossary`` (acronym -> expansion) makes "ODA" and "official development
    assistance" the same name. A word that begins a sentence is a name only if it is an
    acronym or among ``known_names`` (see :func:`names_in_use`); filler words are left out.
    """
    tokens, plain = _capitalised(plain_text(text))
    statement = _without_fillers(plain_text(text))  # its figures, numbered things and negations
    normalised = re.sub(r"\s+", " ", re.sub(r"[–—]", "-", plain.lower()))
    names = set()
    words = set()
    for token, capitalised in tokens:
        lower = token.lower()
        if lower in STOPWORDS:
            continue
        if lower[0].isdigit():
            if lower[-1].isalpha():
                words.add(lower)  # an ordinal: "6th" (century)
            continue
        if len(lower) > 2:
            words.add(stem(lower))
        if (
            token == "2+2"
            or (token.isupper() and len(token) > 1)
            or capitalised
            or (token[0].isupper() and stem(lower) in known_names)
        ):
            names.add(stem(lower))
    for acronym, expansion in (glossary or {}).items():
        if acronym.lower() in names or expansion.lower() in normalised:
            names.add(acronym.lower())
            words.update(stem(word) for word in expansion.lower().split() if len(word) > 2)
    bold_terms = {
        stem(token.lower())
        for span in bold_spans(text)
        for token, _ in _capitalised(span)[0]
        if token[0].isalpha() and len(token) > 2 and token.lower() not in STOPWORDS and not numeric(token)
    }
    # Hindi writes no capitals: what the notes set in bold are its names, and the numbered
    # things it names ("अनुच्छेद 16": Article 16) are names too.
    if devanagari(text):
        names |= {term for term in bold_terms if devanagari(term[:1])}
        names |= {f"{kind}#{number}" for kind, number in numbered_references(statement)}
    numbers = frozenset(f"{quantity.value:g}" for quantity in read_quantities(statement))
    terms = frozenset(words | names | {"=" + number for number in numbers})
    distinctive = frozenset((names | bold_terms) - _NOT_DISTINCTIVE - _FIGURE_WORDS)
    sequence = tuple(stem(token.lower()) for token, _ in tokens if token.lower() not in STOPWORDS)
    measures = frozenset(
        f"{quantity.value:g}"
        for quantity in read_quantities(statement)
        if quantity.kind not in ("year", "decade")
    )
    return Features(terms, frozenset(names), numbers, normalised, statement, distinctive, sequence, measures)


def quantities(fragment: Fragment) -> frozenset[str]:
    return frozenset(quantity.casefold() for quantity, _ in fragment.figures)


def _jaccard(first: frozenset, second: frozenset) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _weight(terms: frozenset, idf: dict[str, float]) -> float:
    return sum(idf.get(term, 1.0) for term in terms)


def _weighted_overlap(
    first: frozenset, second: frozenset, idf: dict[str, float], weight_first: float, weight_second: float
) -> float:
    """Mean of the IDF-weighted Jaccard and overlap coefficients (the sets' weights given)."""
    if not first or not second:
        return 0.0
    shared = _weight(first & second, idf)
    if not shared:
        return 0.0
    return (shared / (weight_first + weight_second - shared) + shared / min(weight_first, weight_second)) / 2


@dataclass(frozen=True)
class PairScore:
    """A pair's score and its parts; ``reason`` spells them out for the review report."""

    score: float
    words: float
    fuzzy: float
    label: float
    names: float
    numbers: float
    quantity: str | None
    clash: bool
    shared: frozenset
    veto: str | None = None  # why they can never merge by similarity

    @property
    def reason(self) -> str:
        reason = (
            f"words {self.words:.2f}, fuzzy {self.fuzzy:.2f}, label {self.label:.2f}, "
            f"names {self.names:.2f}, numbers {self.numbers:.2f}"
        )
        if self.quantity:
            reason += f"; same quantity '{self.quantity}'"
        if self.clash:
            reason += "; different numbers"
        if self.shared:
            reason += f"; shares {', '.join(sorted(self.shared)[:6])}"
        if self.veto:
            reason += f"; kept apart: {self.veto}"
        return reason


def _display(names: frozenset[str], plain: str) -> str:
    """Stemmed names as the text writes them: "Chennai"."""
    written = {stem(token.lower()): token for token in _TOKEN.findall(plain)}
    return ", ".join(sorted(written.get(name, name) for name in names))


def _veto(first: Fragment, second: Fragment, a: Features, b: Features, figures_clash: bool) -> str | None:
    """Why a pair must never merge by similarity alone, or None. The reasons that settle a
    pair for certain (nothing to warn about) begin with the words in :data:`CERTAIN`."""
    clash = reference_clash(a.references, b.references)
    if clash:
        return f"different numbered things ({clash})"
    if set(first.source_ids) & set(second.source_ids):
        return "one source states both"
    if swapped := _swapped_names(a, b):
        return f"different names ({_display(swapped[0], a.plain)} vs {_display(swapped[1], b.plain)})"
    if negation := contradiction(a.plain, b.plain):
        negating = first.id if negation[0] == a.plain else second.id
        return f"'{negating}' says '{negation[1]}' and may contradict the other"
    if figures_clash:
        return "different figures"
    return None


CERTAIN = ("different numbered things", "one source states both")


def _weights(found: Features, idf: dict[str, float]) -> tuple[float, float]:
    return _weight(found.words, idf), _weight(found.names, idf)


def _score(
    first: Fragment, second: Fragment, a: Features, b: Features, idf: dict[str, float], weights_a, weights_b
) -> PairScore:
    words = _weighted_overlap(a.words, b.words, idf, weights_a[0], weights_b[0])
    fuzzy = fuzz.token_set_ratio(a.normalised, b.normalised) / 100
    label = (
        fuzz.token_set_ratio(first.short.lower(), second.short.lower()) / 100
        if first.short and second.short
        else fuzzy
    )
    names = _weighted_overlap(a.names, b.names, idf, weights_a[1], weights_b[1])
    shared_quantities = (
        quantities(first) & quantities(second) if first.figures and second.figures else frozenset()
    )
    if a.numbers and b.numbers:
        numbers = _jaccard(a.numbers, b.numbers)
        # No figure in common, or only a year: "$23 billion in 2011" and "94% since 2011" differ.
        clash = not shared_quantities and (
            not (a.numbers & b.numbers) or bool(a.measures and b.measures and not a.measures & b.measures)
        )
    else:
        numbers, clash = 0.0, False
    score = (
        WEIGHTS["words"] * words
        + WEIGHTS["fuzzy"] * fuzzy
        + WEIGHTS["label"] * label
        + WEIGHTS["names"] * names
        + WEIGHTS["numbers"] * numbers
        + (QUANTITY_BONUS if shared_quantities else 0.0)
    )
    return PairScore(
        round(max(0.0, min(1.0, score)), 4),
        words,
        fuzzy,
        label,
        names,
        numbers,
        min(shared_quantities) if shared_quantities else None,
        clash,
        (a.names & b.names) | (a.numbers & b.numbers),
        _veto(first, second, a, b, clash)
        if score >= WARN_THRESHOLD
        else None,  # below, the pair can neither merge nor be warned about
    )


def score_pair(
    first: Fragment, second: Fragment, a: Features, b: Features, idf: dict[str, float]
) -> tuple[float, str]:
    """The documented score for one pair, with a short reason a student can read."""
    result = _score(first, second, a, b, idf, _weights(a, idf), _weights(b, idf))
    return result.score, result.reason


def _candidate_pairs(fragments: list[Fragment], features: dict[str, Features]) -> set[tuple[str, str]]:
    """Pairs in the same section sharing at least one rare feature (an inverted index)."""
    pairs: set[tuple[str, str]] = set()
    by_section: dict[str, list[Fragment]] = defaultdict(list)
    for fragment in fragments:
        by_section[fragment.section].append(fragment)
    for members in by_section.values():
        index: dict[str, list[str]] = defaultdict(list)
        for fragment in members:
            found = features[fragment.id]
            for feature in found.words:
                index[feature].append(fragment.id)
            for quantity in quantities(fragment):
                index["?" + quantity].append(fragment.id)
        limit = min(MAX_POSTINGS, max(MIN_POSTINGS, int(len(members) * MAX_FEATURE_SHARE)))
        for ids in index.values():
            if 1 < len(ids) <= limit:
                for i, first in enumerate(ids):
                    for second in ids[i + 1 :]:
                        pairs.add((first, second) if first < second else (second, first))
    return pairs


class _Clusters:
    """Complete-linkage clustering: two clusters join only if every pair across them
    passes (``passes(x, y)``); key groups join whatever their scores."""

    def __init__(self, ids: Iterable[str], passes, forbidden: set[tuple[str, str]]):
        self.cluster_of = {fragment_id: frozenset([fragment_id]) for fragment_id in ids}
        self.passes = passes
        self.forbidden = forbidden

    def blocking_pair(self, first: str, second: str, *, by_key: bool = False) -> tuple[str, str] | None:
        """The first pair across the two clusters that keeps them apart, or None."""
        for x in sorted(self.cluster_of[first]):
            for y in sorted(self.cluster_of[second]):
                pair = (x, y) if x < y else (y, x)
                if pair in self.forbidden or not (by_key or self.passes(*pair)):
                    return pair
        return None

    def join(self, first: str, second: str, *, by_key: bool = False) -> bool:
        a, b = self.cluster_of[first], self.cluster_of[second]
        if a is b or self.blocking_pair(first, second, by_key=by_key):
            return False
        merged = a | b
        for member in merged:
            self.cluster_of[member] = merged
        return True

    def groups(self) -> list[frozenset[str]]:
        return list({id(cluster): cluster for cluster in self.cluster_of.values()}.values())


def _forbidden_pairs(fragments: list[Fragment]) -> set[tuple[str, str]]:
    forbidden = set()
    for fragment in fragments:
        for other in fragment.distinct:
            forbidden.add((fragment.id, other) if fragment.id < other else (other, fragment.id))
    return forbidden


def _ordered_sources(sources, source_order: dict[str, int]) -> tuple[str, ...]:
    return tuple(
        sorted(set(sources), key=lambda source: (source_order.get(source, len(source_order)), source))
    )


def _figure_list(by_value: dict[frozenset, dict], source_order: dict[str, int]) -> tuple[Figure, ...]:
    entries = [
        (entry["text"], _ordered_sources(entry["sources"], source_order)) for entry in by_value.values()
    ]
    return tuple(
        Figure(text, sources)
        for text, sources in sorted(
            entries, key=lambda item: ([source_order.get(s, 99) for s in item[1]], item[0])
        )
    )


def _curated_conflicts(group: list[Fragment], source_order: dict[str, int]) -> list[Conflict]:
    """Quantities named in ``figures`` that members give with different values."""
    by_quantity: dict[str, dict[frozenset, dict]] = {}
    names: dict[str, str] = {}
    for fragment in group:
        for quantity, value in fragment.figures:
            names.setdefault(quantity.casefold(), quantity)
            entry = by_quantity.setdefault(quantity.casefold(), {}).setdefault(
                quantity_keys(value), {"text": value, "sources": set()}
            )
            entry["sources"].update(fragment.source_ids)
    return [
        Conflict(names[quantity], _figure_list(values, source_order))
        for quantity, values in sorted(by_quantity.items())
        if not all(
            figures_agree(first["text"], second["text"])
            for first in values.values()
            for second in values.values()
        )
    ]


def _comparable(first: Quantity, second: Quantity) -> bool:
    """Two figures of one kind that may measure the same thing (counts: of the same things)."""
    if first.kind != second.kind or (
        first.kind == "amount" and first.unit and second.unit and first.unit != second.unit
    ):
        return False
    return first.kind != "count" or bool(first.counted & second.counted)


def _detected_conflicts(group: list[Fragment], source_order: dict[str, int], label: str) -> list[Conflict]:
    """For members without curated figures: figures of one kind that members give differently."""
    # Figures are only needed here, for the few fragments that merged: found lazily.
    found = {fragment.id: read_quantities(plain_text(fragment.text)) for fragment in group}
    conflicts = []
    for kind in ("amount", "count", "percentage", "year"):
        per_member = {}
        by_value: dict[frozenset, dict] = {}
        by_quantity: dict[str, Quantity] = {}
        for fragment in group:
            mentions = [figure for figure in found[fragment.id] if figure.kind == kind]
            others = [figure for other in group if other is not fragment for figure in found[other.id]]
            mentions = [figure for figure in mentions if any(_comparable(figure, other) for other in others)]
            if mentions:
                per_member[fragment.id] = frozenset(figure.key for figure in mentions)
                by_quantity.update((figure.key, figure) for figure in mentions)
                for figure in mentions:
                    entry = by_value.setdefault(
                        frozenset([figure.key]), {"text": figure.text, "sources": set()}
                    )
                    entry["sources"].update(fragment.source_ids)
        if len(per_member) < 2 or len(set(per_member.values())) < 2:
            continue
        if kind == "year":
            if any(len(values) != 1 for values in per_member.values()):
                continue  # related statements cite several years; one event dated differently is a conflict
            dates = list(by_quantity.values())
            if all(first.agrees(second) for first in dates for second in dates):
                continue  # "October 1764" and "22 October 1764": one date, given more or less precisely
        if kind != "year" and all(a & b for a in per_member.values() for b in per_member.values()):
            continue  # each member repeats a shared figure and adds its own detail
        conflicts.append(
            Conflict(
                label
                if kind != "year"
                else f"{label}: {'date' if any(q.month for q in by_quantity.values()) else 'year'}",
                _figure_list(by_value, source_order),
            )
        )
    return conflicts


def _conflicts(group: list[Fragment], source_order: dict[str, int], label: str) -> tuple[Conflict, ...]:
    if any(fragment.figures for fragment in group):
        return tuple(_curated_conflicts(group, source_order))
    return tuple(_detected_conflicts(group, source_order, label))


def _completeness(fragment: Fragment, features: dict[str, Features]) -> tuple:
    found = features[fragment.id]
    return (len(found.names) + len(found.numbers) + len(found.words) / 4, len(fragment.text), fragment.id)


def _make_point(
    group: list[Fragment],
    reason: str,
    features: dict[str, Features],
    source_order: dict[str, int],
    glossary: dict[str, str],
) -> Point:
    group = sorted(group, key=lambda fragment: fragment.id)

    def order(citation: Citation):
        return (source_order.get(citation.source, len(source_order)), citation.source, citation.locator or "")

    def cite(fragments) -> tuple[Citation, ...]:
        return tuple(
            sorted({citation for fragment in fragments for citation in fragment.citations}, key=order)
        )

    if len(group) == 1:
        (only,) = group
        return Point(
            id=only.id,
            section=only.section,
            text=only.text,
            citations=cite(group),
            members=(Member(only.id, only.location),),
            short=only.short,
            date=only.date,
            tags=tuple(sorted(set(only.tags))),
            priority=only.priority,
            branch=only.branch,
            statements=(Statement("fact", only.text, cite(group), (only.id,)),),
            lead=only.id,
        )
    readings = read_members(group, glossary)
    canonical = [fragment for fragment in group if fragment.canonical]
    # The wording: the curator's choice, else the one the most members fully state
    # (so that it can cite them all), the most complete among those.
    lead = (
        canonical[0]
        if canonical
        else max(
            group,
            key=lambda fragment: (
                len(supporters(readings[fragment.id], readings.values())),
                _completeness(fragment, features),
            ),
        )
    )
    # A conflict's label names the quantity, so it must not carry one source's figure.
    labels = [fragment.short for fragment in (lead, *group) if fragment.short]
    label = next(
        (short for short in labels if not read_quantities(plain_text(short))), None
    ) or _without_figures(labels[0] if labels else "")
    conflicts = _conflicts(group, source_order, label) if len(group) > 1 else ()
    shown = frozenset(
        value for conflict in conflicts for figure in conflict.figures for value in _values(figure.value)
    )
    return Point(
        id=lead.key if len(group) > 1 and lead.key else lead.id,
        section=lead.section,
        text=lead.text,
        citations=cite(group),
        members=tuple(Member(fragment.id, fragment.location) for fragment in group),
        conflicts=conflicts,
        short=lead.short,  # another member's label may name details the lead lacks
        date=lead.date,
        tags=tuple(sorted({tag for fragment in group for tag in fragment.tags})),
        priority=min((fragment.priority for fragment in group if fragment.priority), default=None),
        branch=lead.branch or next((fragment.branch for fragment in group if fragment.branch), None),
        reason=reason,
        statements=statements(readings[lead.id], [readings[fragment.id] for fragment in group], shown, cite),
        lead=lead.id,
    )


def _without_figures(label: str) -> str:
    """ "Seven rights originally" -> "Rights originally"."""
    plain = plain_text(label)
    for quantity in read_quantities(plain):
        plain = plain.replace(quantity.text, " ", 1)
    plain = re.sub(r"\s+", " ", plain).strip(" ,;:")
    return plain[:1].upper() + plain[1:] if plain else "Figures"


def _values(text: str) -> set[str]:
    """Every term a figure's text states (its value; a date also as its month and year)."""
    return {term for quantity in read_quantities(text) for term in quantity.terms}


def idf_weights(features: Iterable[Features]) -> dict[str, float]:
    counts: Counter = Counter()
    total = 0
    for found in features:
        total += 1
        counts.update(found.words)
    return {term: math.log((1 + total) / (1 + count)) + 1 for term, count in counts.items()}


def forget_readings() -> None:
    """Forget the readings of note text kept to compare the fragments of one topic (its
    figures, names, details): a syllabus's topics share few texts, and a process that
    deduplicates many topics one after another must not hold every reading of them all."""
    from . import credit, figures, markup

    for module in (credit, figures, markup, sys.modules[__name__]):
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()


def deduplicate(topic: Topic, source_order: dict[str, int]) -> Deduplication:
    fragments = list(topic.fragments)
    glossary = {entry.term: entry.expansion for entry in topic.glossary}
    known_names = names_in_use(fragment.text for fragment in fragments)
    features = {fragment.id: extract_features(fragment.text, glossary, known_names) for fragment in fragments}
    by_id = {fragment.id: fragment for fragment in fragments}
    idf = idf_weights(features.values())
    forbidden = _forbidden_pairs(fragments)

    weights = {fragment_id: _weights(found, idf) for fragment_id, found in features.items()}
    scored: dict[tuple[str, str], PairScore] = {}
    for first, second in _candidate_pairs(fragments, features):
        scored[(first, second)] = _score(
            by_id[first],
            by_id[second],
            features[first],
            features[second],
            idf,
            weights[first],
            weights[second],
        )
    scores = {pair: result.score for pair, result in scored.items()}

    def passes(first: str, second: str) -> bool:
        """Whether a pair would merge on its own; one that shares no rare feature never does."""
        result = scored.get((first, second))
        return result is not None and result.score >= MERGE_THRESHOLD and not result.veto

    clusters = _Clusters(by_id, passes, forbidden)
    merges = []
    # Explicit keys first: they always merge (unless a 'distinct' forbids it).
    by_key: dict[str, list[str]] = defaultdict(list)
    for fragment in fragments:
        if fragment.key:
            by_key[fragment.key].append(fragment.id)
    for key, ids in sorted(by_key.items()):
        for other in sorted(ids)[1:]:
            if clusters.join(sorted(ids)[0], other, by_key=True):
                merges.append(ScoredPair(sorted(ids)[0], other, 1.0, f"same key '{key}'"))
    near_misses = []
    for pair, score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        if passes(*pair) and clusters.join(*pair):
            merges.append(ScoredPair(*pair, score, scored[pair].reason))
        elif (
            WARN_THRESHOLD - NEAR_MISS_MARGIN <= score < WARN_THRESHOLD
            and clusters.cluster_of[pair[0]] is not clusters.cluster_of[pair[1]]
        ):
            near_misses.append(ScoredPair(*pair, score, scored[pair].reason))

    merge_reasons: dict[frozenset, str] = {}
    for merge in merges:
        group = clusters.cluster_of[merge.first]
        merge_reasons.setdefault(
            group, "key" if merge.reason.startswith("same key") else f"similar (score {merge.score:.2f})"
        )
    points = [
        _make_point(
            [by_id[member] for member in group],
            merge_reasons.get(group, "single"),
            features,
            source_order,
            glossary,
        )
        for group in clusters.groups()
    ]
    kept_apart, warnings = _undecided(scored, clusters, forbidden, by_id)
    return Deduplication(
        points=tuple(sorted(points, key=lambda point: point.id)),
        merges=tuple(merges),
        near_misses=tuple(sorted(near_misses, key=lambda pair: (-pair.score, pair.first, pair.second))),
        kept_apart=kept_apart,
        warnings=warnings,
    )


def _undecided(
    scored: dict[tuple[str, str], PairScore], clusters: _Clusters, forbidden: set, by_id: dict[str, Fragment]
):
    """Pairs that score as if they might be one fact but ended in two points.

    Different numbered things, and two statements of one source, are certainly different
    facts; so are differently named things stated by different sources, unless the pair
    would have merged (then the sources may disagree on a name: a warning). These are
    listed under "kept apart". A pair the curator settled (``distinct``, or two different
    keys) is left alone; every other such pair is a warning that asks for a ``key:`` or
    ``distinct:``, and names the pair that kept it out of a group where there is one.
    """
    kept_apart, warnings = [], []
    for pair, result in sorted(scored.items(), key=lambda item: (-item[1].score, item[0])):
        first, second = by_id[pair[0]], by_id[pair[1]]
        if (
            result.score < WARN_THRESHOLD
            or clusters.cluster_of[pair[0]] is clusters.cluster_of[pair[1]]
            or pair in forbidden
        ):
            continue
        if first.key and second.key:
            continue
        names_differ = bool(result.veto and result.veto.startswith("different names"))
        if result.veto and (
            result.veto.startswith(CERTAIN) or (names_differ and result.score < MERGE_THRESHOLD)
        ):
            kept_apart.append(ScoredPair(*pair, result.score, result.reason))
            continue
        where = f"{second.location.path}:{second.location.line}"
        if names_differ:
            kept_apart.append(ScoredPair(*pair, result.score, result.reason))
            names = (result.veto or "").partition("(")[2].rstrip(")")
            message = (
                f"'{first.id}' and '{second.id}' ({where}; score {result.score:.3f}) differ in a name "
                f"({names}) and are kept apart: if they are one fact "
                "the sources disagree, so give both a shared key: and the booklet shows both; "
                f"otherwise add distinct: [{second.id}]"
            )
        elif result.veto == "different figures":
            message = (
                f"'{first.id}' may state the same fact as '{second.id}' with a different figure "
                f"({where}; score {result.score:.3f}): if so, give both a shared key: (and figures:) "
                "so the booklet shows that the sources differ; "
                f"otherwise add distinct: [{second.id}]"
            )
        elif result.veto:
            message = (
                f"'{first.id}' may contradict '{second.id}' ({where}; score {result.score:.3f}; "
                f"{result.veto.partition(' and may')[0]}): if they are one fact, add a shared key: and both "
                f"wordings are printed; otherwise add distinct: [{second.id}]"
            )
        else:
            message = (
                f"'{first.id}' may state the same fact as '{second.id}' ({where}; score {result.score:.3f}); "
                f"add a shared key: to merge them, or distinct: [{second.id}] to keep them apart"
            )
            blocking = clusters.blocking_pair(*pair) if result.score >= MERGE_THRESHOLD else None
            if blocking:
                weak = scored.get(blocking)
                message += (
                    f" (not merged: '{blocking[0]}' ~ '{blocking[1]}' in the group it would join "
                    + (f"scores {weak.score:.2f}" if weak and not weak.veto else "does not pass")
                    + ")"
                )
        warnings.append(Problem(first.location, message, "warning"))
    return tuple(kept_apart), tuple(sorted(warnings))


def format_report(topic: Topic, result: Deduplication) -> str:
    """A plain-text review of the grouping, for ``notebuilder dedupe``."""
    by_id = {fragment.id: fragment for fragment in topic.fragments}

    def where(fragment_id: str) -> str:
        location = by_id[fragment_id].location
        return f"{location.path}:{location.line}"

    def sources(statement) -> str:
        return ", ".join(dict.fromkeys(citation.source for citation in statement.citations))

    groups = [point for point in result.points if len(point.members) > 1]
    conflicts = [(point, conflict) for point in result.points for conflict in point.conflicts]
    lines = [
        f"{topic.id}: {len(topic.fragments)} fragments -> {len(result.points)} points "
        f"({len(groups)} merged groups, {len(conflicts)} conflicts, {len(result.warnings)} warnings, "
        f"{len(result.kept_apart)} kept apart, {len(result.near_misses)} near misses)",
        f"thresholds: merge at {MERGE_THRESHOLD} (every pair in a group), warn from {WARN_THRESHOLD}",
        "",
        "GROUPS (each statement with the sources whose fragments state it)",
    ]
    for point in groups:
        members = {member.fragment for member in point.members}
        lines.append(f"  {point.id}  [{point.reason}]  sources: {', '.join(point.source_ids)}")
        for member in point.members:
            lines.append(
                f"    {member.location.path}:{member.location.line}  {member.fragment}"
                + ("  (wording)" if member.fragment == point.lead else "")
            )
        for pair in result.merges:
            if pair.first in members:
                lines.append(f"      {pair.score:.2f}  {pair.first} ~ {pair.second}: {pair.reason}")
        for statement in point.statements:
            text = (
                plain_text(statement.text)
                if statement.kind != "without"
                else "says this too, without " + statement.text
            )
            lines.append(f"      {statement.kind:7}  [{sources(statement)}]  {text}")
    lines += ["", "CONFLICTS"]
    for point, conflict in conflicts:
        figures = " · ".join(f"{figure.value} [{', '.join(figure.sources)}]" for figure in conflict.figures)
        lines.append(f"  {point.id}: {conflict.quantity}: {figures}")
    lines += ["", "WARNINGS (undecided: add a shared key: or distinct:)"]
    lines += [f"  {warning}" for warning in result.warnings]
    lines += ["", "KEPT APART (differently numbered or named things, or one source stating both)"]
    for pair in result.kept_apart:
        lines.append(
            f"  {pair.score:.2f}  {where(pair.first)} {pair.first} ~ {where(pair.second)} {pair.second}"
        )
        lines.append(f"        {pair.reason}")
    lines += ["", f"NEAR MISSES (scores from {WARN_THRESHOLD - NEAR_MISS_MARGIN:.2f} up to the warning band)"]
    for pair in result.near_misses:
        lines.append(
            f"  {pair.score:.2f}  {where(pair.first)} {pair.first} ~ {where(pair.second)} {pair.second}"
        )
        lines.append(f"        {pair.reason}")
    return "\n".join(lines) + "\n"
