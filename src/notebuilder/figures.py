"""Figures in note text, in any notation, read as quantities that can be compared.

Pure. Sources write the same figure many ways, and a disagreement hides behind any of
them, so all of these are read:

* numerals, with Western or Indian digit grouping: ``1,400``, ``1,00,000``, ``21.96``;
* number words, through ``text2num``: ``seven``, ``twenty-five``, ``one hundred``; and
  ``a dozen``;
* Roman numerals where they count something: ``XII schedules``;
* scales: thousand, lakh, crore, million (mn), billion (bn, B), trillion (tn), also
  stacked: ``1.5 lakh crore``;
* currencies before or after the number: ``$``, ``US$``, ``USD``, ``¥``, ``JPY``, ``yen``,
  ``₹``, ``Rs``, ``INR``, ``rupees``, ``€``, ``EUR``, ``£``, ``GBP``, dollars, euros, pounds;
* percentages: ``%``, ``per cent``, ``percent``; years and year ranges: ``2005–06``.

It also finds **numbered references**, the names of numbered things: ``Article 14``,
``Section 124A``, ``Part III``, ``the 42nd Amendment``, ``GS2``, ``TIM-3``. Two facts about
differently numbered things are different facts, however alike their words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

import roman
from text_to_num import alpha2digit

from .markup import stem

_UNITS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|first|second|third|fourth|fifth|sixth|"
    "seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    "nineteenth|twentieth|thirtieth|fortieth|fiftieth|hundredth"
)
_NUMBER_WORD = rf"(?:{_UNITS}|hundred|thousand|million|billion|trillion)"
# A run of number words ("one hundred and five", "twenty-five"); it must hold a unit word,
# so that a lone "billion" after digits ("43 billion") stays a scale.
_NUMBER_WORDS = re.compile(rf"\b{_NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+){_NUMBER_WORD})*\b", re.IGNORECASE)
_HAS_UNIT = re.compile(rf"\b(?:{_UNITS})\b", re.IGNORECASE)
_UNIT_WORDS = frozenset(_UNITS.split("|"))
_LOWER_WORD = re.compile(r"[a-z]+")
_ROMAN_RUN = re.compile(r"\b[MDCLXVI]{2,}\b")
_ANY_ROMAN = re.compile(r"\b[MDCLXVI]+\b")
# Idioms, not figures: "one of", "one another", "second time", "no one".
_IDIOM_AFTER = re.compile(r"\s+(?:of|another|hand|time|look|place|half)\b", re.IGNORECASE)
_DOZEN = re.compile(r"\b(?:(a|one|half\s+a)|(\d+))\s+dozen\b", re.IGNORECASE)
_ROMAN = r"(?=[MDCLXVI])(?:M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
_ROMAN_COUNT = re.compile(rf"\b({_ROMAN})\b(?=\s+[a-z]+s\b)")

CURRENCIES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "¥": "JPY", "jpy": "JPY", "yen": "JPY",
    "₹": "INR", "rs": "INR", "rs.": "INR", "inr": "INR", "rupee": "INR", "rupees": "INR",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
}  # fmt: skip
SCALES = {
    "thousand": 3,
    "k": 3,
    "lakh": 5,
    "lakhs": 5,
    "lac": 5,
    "crore": 7,
    "crores": 7,
    "cr": 7,
    "million": 6,
    "mn": 6,
    "m": 6,
    "billion": 9,
    "bn": 9,
    "b": 9,
    "trillion": 12,
    "tn": 12,
}  # powers of ten; fmt: skip
_SCALE = r"(?:thousand|lakhs?|lac|crores?|cr|million|mn|billion|bn|trillion|tn|[kmbKMB])\b"
_FIGURE = re.compile(
    r"(?P<prefix>~|≈|(?:approx(?:\.|imately)?|about|around|over|nearly|almost|more\s+than|less\s+than|up\s+to|under|above|below)\s+)?"
    r"(?P<before>US\$|\$|¥|₹|€|£|(?:USD|JPY|INR|EUR|GBP|Rs\.?)(?=[\s\d]))?\s*"
    r"(?P<number>\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<range>[–-](?:\d{2}|\d{4})\b(?![–-]))?"
    r"(?P<plus>\+)?"
    rf"(?P<scales>(?:\s*{_SCALE}){{0,2}})"
    r"(?P<plus2>\+)?"
    r"(?:\s*(?P<after>USD|JPY|INR|EUR|GBP|dollars?|yen|rupees?|euros?|pounds?)\b)?"
    r"(?:\s*(?P<percent>%|per\s?cent\b|percent\b))?",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY_OF_MONTH = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b")  # matched right after a number
_AFTER_MONTH = re.compile(rf"\b{_MONTH}\.?\s+$")  # searched in the few characters before one
_YEAR = re.compile(r"1\d{3}|20\d\d")


@dataclass(frozen=True)
class Quantity:
    """A figure as a source writes it, read as a value: ``₹1.5 lakh crore`` is 1.5e12 INR."""

    kind: str  # amount | percentage | year | count
    value: float
    unit: str  # the currency of an amount, "%" for a percentage, else ""
    text: str  # the figure in the text (number words already written as digits)
    counted: frozenset[str] = frozenset()  # for a count, the words after it: "7 fundamental rights"

    @property
    def key(self) -> str:
        """One spelling per value, for comparing: ``1,400`` and ``1400+`` are both ``1400``."""
        return f"{self.value:g}" if self.kind != "amount" else f"{self.value:g} {self.unit}".strip()


def _substitute(
    text: str, origin: list[tuple[int, int]], pattern: re.Pattern, replace
) -> tuple[str, list[tuple[int, int]]]:
    """``pattern.sub(replace, text)``, keeping for each new character the span of the
    original text it stands for (so a figure read from "7" can be shown as "seven")."""
    pieces: list[str] = []
    new_origin: list[tuple[int, int]] = []
    position = 0
    for match in pattern.finditer(text):
        replacement = replace(match)
        if replacement == match.group(0):
            continue
        pieces.append(text[position : match.start()])
        new_origin += origin[position : match.start()]
        span = (origin[match.start()][0], origin[match.end() - 1][1])
        pieces.append(replacement)
        new_origin += [span] * len(replacement)
        position = match.end()
    pieces.append(text[position:])
    new_origin += origin[position:]
    return "".join(pieces), new_origin


@functools.lru_cache(maxsize=65536)
def _numeric(text: str) -> tuple[str, tuple[tuple[int, int], ...] | None]:
    """The numeric text, and where each of its characters came from (None: unchanged)."""
    lower_words = set(_LOWER_WORD.findall(text.lower()))
    words, dozen = not lower_words.isdisjoint(_UNIT_WORDS), "dozen" in lower_words
    roman_count = _ROMAN_RUN.search(text) and _ROMAN_COUNT.search(text)
    if not (words or dozen or roman_count):
        return text, None
    origin = [(index, index + 1) for index in range(len(text))]

    def to_digits(match: re.Match) -> str:
        words = match.group(0)
        if not _HAS_UNIT.search(words) or (
            words.lower() in ("one", "first", "second") and _IDIOM_AFTER.match(match.string, match.end())
        ):
            return words
        if (
            words.lower() == "one"
            and match.string[max(0, match.start() - 3) : match.start()].lower() == "no "
        ):
            return words
        return alpha2digit(words, "en", threshold=0)

    def dozens(match: re.Match) -> str:
        return str(12 * int(match[2]) if match[2] else (6 if "half" in match[1].lower() else 12))

    def roman_counts(match: re.Match) -> str:
        return str(roman.fromRoman(match[1])) if len(match[1]) > 1 else match[0]

    if words:
        text, origin = _substitute(text, origin, _NUMBER_WORDS, to_digits)
    if dozen:
        text, origin = _substitute(text, origin, _DOZEN, dozens)
    if roman_count:
        text, origin = _substitute(text, origin, _ROMAN_COUNT, roman_counts)
    return text, tuple(origin)


def numeric_text(text: str) -> str:
    """The text with its number words and counting Roman numerals written as digits."""
    return _numeric(text)[0]


def _is_part_of_a_name(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 1) : start]
    after = text[end : end + 1]
    if before.isalpha() or (before in "-–" and start > 1 and text[start - 2].isalpha()):
        return True  # G20, Malabar-24, TIM-3
    return (
        after.isalpha() or text[end : end + 2] == "+2" or text[max(0, start - 2) : start] == "2+"
    )  # 6th, 2+2


_DIGIT = re.compile(r"\d")
_LONGEST_PREFIX = 24  # "approximately USD " and the like


def _figures(text: str):
    """``_FIGURE.finditer(text)``, but looking only near digits that are not part of a
    name (G20, TIM-3): much faster on prose."""
    position = 0
    while (digit := _DIGIT.search(text, position)) is not None:
        start = digit.start()
        if start and (
            text[start - 1].isalpha() or (text[start - 1] in "-–" and start > 1 and text[start - 2].isalpha())
        ):
            position = start + 1
            while position < len(text) and text[position].isdigit():
                position += 1
            continue
        match = _FIGURE.search(text, max(position, start - _LONGEST_PREFIX))
        if match is None:
            return
        yield match
        position = max(match.end(), digit.start() + 1)


@functools.lru_cache(maxsize=65536)
def read_quantities(text: str) -> tuple[Quantity, ...]:
    """Every figure in a (plain) text, in order, each as the text writes it."""
    original = text
    text, origin = _numeric(text)

    def as_written(start: int, end: int) -> str:
        if end <= start:
            return ""
        return (original[origin[start][0] : origin[end - 1][1]] if origin else original[start:end]).strip()

    if not _DIGIT.search(text):
        return ()
    references = {start for _, _, start in _noun_numbers(text)}
    found = []
    for match in _figures(text):
        start, end = match.start("number"), match.end("number")
        if start in references:
            continue  # "Article 14" names a thing; it does not count one
        if _is_part_of_a_name(text, start, end) and not (match["scales"] and match["scales"].strip()):
            continue
        if (
            _is_part_of_a_name(text, start, start + len(match["number"]))
            and text[end : end + 1].isalpha()
            and not match["scales"].strip()
        ):
            continue
        number = match["number"]
        exact = Decimal(number.replace(",", ""))
        scales = [scale.lower() for scale in re.findall(_SCALE, match["scales"] or "", re.IGNORECASE)]
        currency = (match["before"] or match["after"] or "").lower().strip()
        if scales and scales[0] in ("m", "b", "k") and not currency:
            scales = []  # "5 m" is metres, "3B" a name, without a currency
        value = float(
            exact.scaleb(sum(SCALES[scale] for scale in scales))
        )  # exact: 2.30 lakh crore is 2.3e12
        surface = as_written(
            match.start() + len(match.group(0)) - len(match.group(0).lstrip()),
            match.end() - (len(match.group(0)) - len(match.group(0).rstrip())),
        )
        if match["percent"]:
            found.append(Quantity("percentage", value, "%", surface))
        elif currency:
            found.append(Quantity("amount", value, CURRENCIES.get(currency, currency.upper()), surface))
        elif scales:
            found.append(Quantity("amount", value, "", surface))
        elif _YEAR.fullmatch(number):
            found.append(Quantity("year", value, "", as_written(start, end)))
            if match["range"]:
                second = match["range"][1:]
                year = int(second) if len(second) == 4 else int(number[:2] + second)
                found.append(
                    Quantity(
                        "year", float(year), "", as_written(match.start("range") + 1, match.end("range"))
                    )
                )
        elif _DAY_OF_MONTH.match(text, end) or _AFTER_MONTH.search(text, max(0, start - 12), start):
            continue  # a day of the month: "21 Aug", "August 21"
        else:
            following = [word.lower() for word in _WORD.findall(text[match.end() : match.end() + 40])[:3]]
            counted = frozenset(stem(word) for word in following if word not in _NOT_A_REFERENCE)
            found.append(Quantity("count", value, "", surface, counted))
    return tuple(found)


def quantity_keys(text: str) -> frozenset[str]:
    """The values a text states, for comparing figures across sources: ``seven`` is ``7``."""
    return frozenset(quantity.key for quantity in read_quantities(text))


# ------------------------------------------------------------------ numbered references

_NOT_A_REFERENCE = frozenset(
    """usd inr jpy eur gbp rs us a an the and or of in on at by to for from with since till until after
    before about around over under nearly almost than up only some all top first last next per each
    every just its their his her our your jan january feb february mar march apr april may jun june
    jul july aug august sep sept september oct october nov november dec december fy q year years day
    days km""".split()
)
# Lower-case words that name numbered parts of documents and series, in any subject;
# a capitalised word before a number ("Article 14", "Mission 2") is taken as one too.
REFERENCE_NOUNS = frozenset(
    """article section part schedule clause rule chapter entry list phase paper amendment act item
    annex annexure tier stage grade class level round edition volume session plan goal target""".split()
)
_NOUN_NUMBER = re.compile(
    rf"\b([A-Za-z][a-z]+|[A-Z]+)[ \u00a0-]+(\d+(?:\.\d+)?[A-Z]?|{_ROMAN})\b"
    rf"(?![.,]\d|\+|\s*(?:%|{_SCALE}|per\s?cent))"
)
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b[ \u00a0-]+((?:[A-Za-z][\w’'–-]*[ \u00a0]*){1,3})")
_CODE = re.compile(r"\b([A-Za-z]{1,10})-?(\d{1,3}[A-Za-z]?)\b")
_WORD = re.compile(r"[A-Za-z]+")


@functools.lru_cache(maxsize=65536)
def _noun_numbers(text: str) -> tuple[tuple[str, str, int], ...]:
    """``Article 14``, ``Part III``: (noun, number with Roman numerals as digits, where the number starts)."""
    found = []
    for match in _NOUN_NUMBER.finditer(text):
        noun, number = match.groups()
        if (
            not number
            or noun.lower() in _NOT_A_REFERENCE
            or not (noun[0].isupper() or noun.lower() in REFERENCE_NOUNS)
        ):
            continue
        before = match.start() - 1
        while before >= 0 and text[before].isspace():
            before -= 1
        sentence_start = before < 0 or text[before] in ".;:!?("
        if noun.lower() not in REFERENCE_NOUNS and (sentence_start or noun.lower().endswith("ly")):
            continue  # "Originally 7 rights", "Nearly 40": capitalised only by position
        if number.isdigit() and _YEAR.fullmatch(number):
            continue  # a year: "Summit 2025" is dated, not numbered
        if not number[0].isdigit():
            if (len(number) == 1 and not noun[0].isupper()) or number == "I":
                continue  # "a V shape"; "Phase I" is too easily the pronoun
            try:
                number = str(roman.fromRoman(number))
            except roman.InvalidRomanNumeralError:
                continue
        found.append((noun, number.upper(), match.start(2)))
    return tuple(found)


def _reference_kind(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@functools.lru_cache(maxsize=65536)
def numbered_references(text: str) -> frozenset[tuple[str, str]]:
    """The numbered things a text names, as (kind, number): ``Article 21A`` is
    ``("article", "21A")``, ``the 42nd Amendment`` ``("amendment", "42")``, ``Part III``
    ``("part", "3")``, ``GS2`` ``("gs", "2")``. An ordinal gives one pair for each of the
    (up to three) words after it, so "15th Annual Summit" and "15th India–Japan Annual
    Summit" share the kind "summit"."""
    text = numeric_text(text)
    if not _DIGIT.search(text) and not _ANY_ROMAN.search(text):
        return frozenset()
    found: set[tuple[str, str]] = set()
    for noun, number, _ in _noun_numbers(text):
        found.add((_reference_kind(noun), number))
    for match in _ORDINAL.finditer(text):
        for word in _WORD.findall(match[2]):
            if word.lower() not in _NOT_A_REFERENCE:
                found.add((_reference_kind(word), match[1]))
    for match in _CODE.finditer(text):
        letters, number = match.groups()
        if letters.lower() in _NOT_A_REFERENCE or not (letters.isupper() or letters[0].isupper()):
            continue
        if text[match.start(2) - 1 : match.start(2)] == " ":
            continue
        found.add((_reference_kind(letters), number.upper()))
    return frozenset(found)


def reference_clash(first: frozenset[tuple[str, str]], second: frozenset[tuple[str, str]]) -> str | None:
    """Why two texts name different numbered things (``Article 14`` vs ``Article 24``), or None."""
    kinds = {kind for kind, _ in first} & {kind for kind, _ in second}
    for kind in sorted(kinds):
        ours = sorted(number for found, number in first if found == kind)
        theirs = sorted(number for found, number in second if found == kind)
        if ours != theirs:
            return f"{kind} {', '.join(ours)} vs {kind} {', '.join(theirs)}"
    return None
