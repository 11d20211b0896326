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
* percentages: ``%``, ``per cent``, ``percent``; and fractions, read as percentages:
  ``one in five``, ``1 out of 5``, ``two-thirds``, ``3/4``;
* years and year ranges (``2005–06``), years of an era (``322 BC``, ``c. 1500 BCE``,
  ``AD 752``: before the common era a year is negative, and ``c.`` marks it approximate),
  dates to the month or the day (``October 1764``, ``22 October 1764``: a year that a
  date gives more precisely), and decades (``1950s``).

It also finds **numbered references**, the names of numbered things: ``Article 14``,
``Section 124A``, ``Part III``, ``the 42nd Amendment``, ``GS2``, ``TIM-3``. Two facts about
differently numbered things are different facts, however alike their words. Acts,
treaties, conferences, plans and the like named by their year (``the Charter Act of 1813``,
``the 1919 Act``) are numbered by it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

import roman
from text_to_num import alpha2digit

from .dates import DEVANAGARI_DIGITS, MONTHS
from .markup import devanagari, stem

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
_WORDS_TO_READ = _UNIT_WORDS | {"hundred", "thousand"}
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
    r"(?P<prefix>~|≈|(?<![A-Za-z])(?P<circa>c\.|ca\.|circa\b)\s*|(?:approx(?:\.|imately)?|about|around|over|nearly|almost|more\s+than|less\s+than|up\s+to|under|above|below)\s+)?"
    r"(?P<before>US\$|\$|¥|₹|€|£|(?:USD|JPY|INR|EUR|GBP|Rs\.?)(?=[\s\d]))?\s*"
    r"(?P<number>\d{1,3}(?:,\d{2,3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<decade>(?<=\d0)s(?![A-Za-z]))?"
    r"(?P<era>\s*(?:BCE|BC|B\.C\.(?:E\.)?|CE|AD|A\.D\.)(?![A-Za-z]))?"
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
# The month (and day) a year is given with: "22 October 1764", "October 22, 1764", "Oct 1764".
_DATE_BEFORE = re.compile(
    rf"(?:\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?\b({_MONTH})\.?\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?$"
)
_ERA_BEFORE = re.compile(r"\b(?:AD|A\.D\.)\s*$")
_BEFORE_COMMON_ERA = ("bc", "bce", "b.c.", "b.c.e.")
# Fractions, read as percentages: "one in five", "1 out of 5", "two-thirds", "3/4".
_FRACTION_NAMES = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
    "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7,
    "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9, "tenth": 10, "tenths": 10,
}  # fmt: skip
_SMALL_NUMBERS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
} | {"twenty": 20, "hundred": 100, "a hundred": 100, "one hundred": 100, "thousand": 1000, "a thousand": 1000}
_SMALL = "|".join(sorted(_SMALL_NUMBERS, key=len, reverse=True))
_FRACTION = re.compile(
    rf"\b(?:(?P<ratio>{_SMALL}|\d{{1,3}})\s+(?:in|out\s+of)\s+(?:every\s+)?(?P<of>{_SMALL}|\d{{1,4}})\b(?![.,]\d)"
    rf"|(?P<parts>{_SMALL}|\d{{1,2}})[\s-](?P<name>{'|'.join(_FRACTION_NAMES)})\b"
    r"|(?P<over>\d{1,2})/(?P<under>\d{1,3})(?![/\d])"
    r"|(?P<half>\bhalf)(?=\s+of\b))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A figure as a source writes it, read as a value: ``₹1.5 lakh crore`` is 1.5e12 INR."""

    kind: str  # amount | percentage | year | decade | count
    value: float
    unit: str  # the currency of an amount, "%" for a percentage, else ""
    text: str  # the figure in the text (number words already written as digits)
    counted: frozenset[str] = frozenset()  # for a count, the words after it: "7 fundamental rights"
    month: int = 0  # a year's month and day where the text gives them (0: not given)
    day: int = 0
    approximate: bool = False  # a year written "c. 1500 BCE"

    @property
    def key(self) -> str:
        """One spelling per value, for comparing: ``1,400`` and ``1400+`` are both ``1400``;
        ``22 October 1764`` is ``1764-10-22``, ``c. 1500 BCE`` is ``c-1500``, the ``1950s``
        ``1950s``."""
        if self.kind == "amount":
            return f"{self.value:g} {self.unit}".strip()
        if self.kind == "decade":
            return f"{self.value:g}s"
        key = ("c" if self.approximate else "") + f"{self.value:g}"
        if self.month:
            key += f"-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")
        return key

    @property
    def term(self) -> str:
        """What a text must state to state this figure: a date or decade as precisely as it
        is written (``1764-10-22``, ``c-1500``, ``1950s``), any other figure by its value."""
        return self.key if self.kind in ("year", "decade") else f"{self.value:g}"

    @property
    def terms(self) -> frozenset[str]:
        """What a text stating this figure states: its key, and for a date the coarser
        dates it implies (``22 October 1764`` states ``October 1764`` and ``1764``). An
        amount, a percentage or a count is stated by its value, whatever its unit."""
        if self.kind in ("year", "decade"):
            keys = {self.key}
            if self.month:
                keys.add(("c" if self.approximate else "") + f"{self.value:g}")
                if self.day:
                    keys.add(self.key.rsplit("-", 1)[0])
            return frozenset(keys)
        return frozenset({f"{self.value:g}"})

    def agrees(self, other: Quantity) -> bool:
        """Whether two figures of one kind can both be true: the same value, and for dates
        the same month and day where both give them (``October 1764`` agrees with
        ``1764`` and with ``22 October 1764``, not with ``November 1764``)."""
        if self.kind != other.kind or self.value != other.value:
            return False
        if self.unit and other.unit and self.unit != other.unit:
            return False
        if self.month and other.month and self.month != other.month:
            return False
        return not (self.day and other.day and self.day != other.day)


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


# Figures, dates and numbered things written in Hindi are read as their English forms (each
# new character keeping where it came from, so a figure is shown as the text writes it):
# Devanagari digits (१९४७), लाख and करोड़ with ₹ or रुपये, the number words एक to सौ
# (एक only before a scale: it is also "a"), the eras ई.पू. and ई., and the numbered things
# अनुच्छेद 21 (Article), 42वाँ संशोधन (the 42nd Amendment), अध्याय, भाग, अनुसूची, धारा.
_HINDI_LETTER = r"\u0900-\u0963\u0971-\u097F"  # letters and signs: not the danda, not digits
_HINDI_NUMBERS = dict(
    zip(
        """दो तीन चार पाँच छह सात आठ नौ दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस बीस इक्कीस
        बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस
        सैंतीस अड़तीस उनतालीस चालीस इकतालीस बयालीस तैंतालीस चवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास
        पचास इक्यावन बावन तिरेपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ साठ इकसठ बासठ तिरेसठ चौंसठ पैंसठ
        छियासठ सड़सठ अड़सठ उनहत्तर सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर
        उनासी अस्सी इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी नब्बे इक्यानवे बानवे
        तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे""".split(),
        range(2, 100),
    )
) | {"पांच": 5, "छः": 6, "छे": 6, "पन्द्रह": 15, "सौ": 100}
_HINDI_WORDS = {
    "लाख": "lakh", "लाखों": "lakh", "करोड़": "crore", "करोड": "crore", "हज़ार": "thousand", "हजार": "thousand",
    "रुपये": "rupees", "रुपए": "rupees", "रुपया": "rupees", "रु.": "Rs.", "प्रतिशत": "per cent",
    "फ़ीसदी": "per cent", "फीसदी": "per cent", "ईसा पूर्व": "BCE", "ई.पू.": "BCE", "ई. पू.": "BCE",
    "ईस्वी": "CE", "ई.": "CE", "लगभग": "about", "करीब": "about",
    "अनुच्छेद": "Article", "अध्याय": "Chapter", "भाग": "Part", "अनुसूची": "Schedule", "धारा": "Section",
    "संशोधन": "Amendment",
}  # fmt: skip
_HINDI = re.compile(
    "|".join(
        [
            r"[\u0966-\u096F]",  # a Devanagari digit
            r"(?<=\d)(?:वाँ|वां|वीं|वें|वे|वा)(?![" + _HINDI_LETTER + "])",  # 42वाँ: an ordinal
            r"(?<=\d)[कखग](?![" + _HINDI_LETTER + "])",  # 21क: Article 21A
            rf"(?<![{_HINDI_LETTER}\w])एक(?=\s+(?:लाख|करोड़|करोड|हज़ार|हजार|सौ)(?![{_HINDI_LETTER}]))",
            rf"(?<![{_HINDI_LETTER}\w])(?:"
            + "|".join(
                re.escape(word) for word in sorted({*_HINDI_NUMBERS, *_HINDI_WORDS}, key=len, reverse=True)
            )
            + rf")(?![{_HINDI_LETTER}])",
        ]
    )
)


def _in_english(match: re.Match) -> str:
    found = match.group(0)
    if "\u0966" <= found <= "\u096f":
        return found.translate(DEVANAGARI_DIGITS)
    if found == "एक":
        return "1"
    if found in "कखग":
        return "ABC"["कखग".index(found)]
    if found in _HINDI_NUMBERS:
        return str(_HINDI_NUMBERS[found])
    if found in _HINDI_WORDS:
        return _HINDI_WORDS[found]
    return "th"  # an ordinal's ending


@functools.lru_cache(maxsize=65536)
def _numeric(text: str) -> tuple[str, tuple[tuple[int, int], ...] | None]:
    """The numeric text, and where each of its characters came from (None: unchanged)."""
    if not devanagari(text):
        return _numeric_words(text)
    origin = [(index, index + 1) for index in range(len(text))]
    english, origin = _substitute(text, origin, _HINDI, _in_english)
    more, further = _numeric_words(english)
    if further is None:
        return more, tuple(origin)
    return more, tuple((origin[start][0], origin[end - 1][1]) for start, end in further)


def _numeric_words(text: str) -> tuple[str, tuple[tuple[int, int], ...] | None]:
    """English number words, dozens, counting Roman numerals and fractions as digits."""
    lower_words = set(_LOWER_WORD.findall(text.lower()))
    words, dozen = not lower_words.isdisjoint(_WORDS_TO_READ), "dozen" in lower_words
    roman_count = _ROMAN_RUN.search(text) and _ROMAN_COUNT.search(text)
    fraction = _FRACTION.search(text)
    if not (words or dozen or roman_count or fraction):
        return text, None
    origin = [(index, index + 1) for index in range(len(text))]

    def to_digits(match: re.Match) -> str:
        words = match.group(0)
        if words.lower() in ("hundred", "thousand") and not re.search(
            r"\d\s*$", match.string[max(0, match.start() - 4) : match.start()]
        ):
            return "100" if words.lower() == "hundred" else "1000"  # "hundred days", "a thousand"
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

    if fraction:
        text, origin = _substitute(text, origin, _FRACTION, _as_percentage)
    if words:
        text, origin = _substitute(text, origin, _NUMBER_WORDS, to_digits)
    if dozen:
        text, origin = _substitute(text, origin, _DOZEN, dozens)
    if roman_count:
        text, origin = _substitute(text, origin, _ROMAN_COUNT, roman_counts)
    return text, tuple(origin)


def _small_number(word: str) -> int:
    return int(word) if word.isdigit() else _SMALL_NUMBERS[re.sub(r"\s+", " ", word.lower())]


def _as_percentage(match: re.Match) -> str:
    """A fraction as a percentage ("one in five" -> "20%"); anything else as it was."""
    if match["ratio"]:
        parts, whole = _small_number(match["ratio"]), _small_number(match["of"])
        if _YEAR.fullmatch(match["of"]):
            return match[0]  # "one in 1950"
    elif match["name"]:
        parts, whole = _small_number(match["parts"]), _FRACTION_NAMES[match["name"].lower()]
        if parts > 1 and not match["name"].lower().endswith(("s", "halves")):
            return match[0]  # "two third": not a fraction as written
    elif match["half"]:
        before = match.string[max(0, match.start() - 8) : match.start()].lower().split()
        if before and before[-1] in ("first", "second", "latter", "former", "other", "the", "a"):
            return match[0]  # "the second half of the century"
        parts, whole = 1, 2
    else:
        parts, whole = int(match["over"]), int(match["under"])
    if not 0 < parts <= whole or whole < 2:
        return match[0]  # "24/7", "7 out of 1"
    return f"{100 * parts / whole:.10g}%"


def numeric_text(text: str) -> str:
    """The text with its number words and counting Roman numerals written as digits."""
    return _numeric(text)[0]


def in_english_forms(text: str) -> tuple[str, tuple[tuple[int, int], ...] | None]:
    """A text in Hindi with its numbers and numbered things in their English forms
    ("अनुच्छेद 21क" as "Article 21A", "42वाँ संशोधन" as "42th Amendment"), and for each of
    its characters the span of ``text`` it stands for (None: the text as it is)."""
    return _numeric(text) if devanagari(text) else (text, None)


_DECADE_BEFORE = re.compile(r"\d0s[-–]$")


def _after_a_name(text: str, start: int) -> bool:
    """Whether the number at ``start`` follows letters: G20, Malabar-24, TIM-3 (not "1950s–1990s")."""
    before = text[start - 1 : start] if start else ""
    if before.isalpha():
        return True
    return (
        before in ("-", "–")
        and start > 1
        and text[start - 2].isalpha()
        and not _DECADE_BEFORE.search(text, max(0, start - 5), start)
    )


def _is_part_of_a_name(text: str, start: int, end: int) -> bool:
    after = text[end : end + 1]
    if _after_a_name(text, start):
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
        if _after_a_name(text, start):
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
        start, end, number = match.start("number"), match.end("number"), match["number"]
        if start in references:
            continue  # "Article 14" names a thing; it does not count one
        if match["decade"]:
            found.append(
                Quantity(
                    "decade",
                    float(number),
                    "",
                    as_written(start, match.end("decade")),
                    approximate=bool(match["circa"]),
                )
            )
            continue
        era = (match["era"] or "").strip().lower()
        if not era and _ERA_BEFORE.search(text, max(0, start - 6), start):
            era = "ad"
        if era and "." not in number and "," not in number and not match["scales"].strip():
            sign = -1 if era in _BEFORE_COMMON_ERA else 1
            found.append(
                Quantity(
                    "year",
                    float(sign * int(number)),
                    "",
                    as_written(
                        match.start("circa") if match["circa"] else start,
                        match.end("era") if match["era"] else end,
                    ),
                    approximate=bool(match["circa"]),
                )
            )
            continue
        if _is_part_of_a_name(text, start, end) and not (match["scales"] and match["scales"].strip()):
            continue
        if (
            _is_part_of_a_name(text, start, start + len(match["number"]))
            and text[end : end + 1].isalpha()
            and not match["scales"].strip()
        ):
            continue
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
            month = day = 0
            begins = match.start("circa") if match["circa"] else start
            if not match["circa"] and (date := _DATE_BEFORE.search(text, max(0, start - 30), start)):
                month = MONTHS.get(date[2].lower().rstrip("."), 0)
                day = int(date[1] or date[3] or 0)
                if month and day <= 31:
                    begins = date.start()
                else:
                    month = day = 0
            found.append(
                Quantity(
                    "year",
                    value,
                    "",
                    as_written(begins, end),
                    month=month,
                    day=day,
                    approximate=bool(match["circa"]),
                )
            )
            if match["range"]:
                second = match["range"][1:]
                year = int(second) if len(second) == 4 else int(number[:2] + second)
                found.append(
                    Quantity(
                        "year", float(year), "", as_written(match.start("range") + 1, match.end("range"))
                    )
                )
        elif _is_a_day(text, start, end):
            continue  # a day of the month: "21 Aug", "August 21"
        else:
            following = [word.lower() for word in _WORD.findall(text[match.end() : match.end() + 40])[:3]]
            counted = frozenset(stem(word) for word in following if word not in _NOT_A_REFERENCE)
            found.append(Quantity("count", value, "", surface, counted))
    return tuple(found)


def _is_a_day(text: str, start: int, end: int) -> bool:
    day = _DAY_OF_MONTH.match(text, end)
    if day and day[0].endswith("Jan") and re.match(r"\s+[A-Z]", text[day.end() :]):
        return False  # "5 Jan Dhan accounts": a scheme's name, not January
    return bool(day) or bool(_AFTER_MONTH.search(text, max(0, start - 12), start))


_NUMERAL = re.compile(r"\d+(?:\.\d+)?")


def read_figure(figure: str) -> tuple[Quantity, ...]:
    """The quantities of a curated figure: as :func:`read_quantities`, and a Roman numeral
    alone ("XII") as the count it is."""
    found = read_quantities(figure)
    if not found and re.fullmatch(_ROMAN, figure.strip()):
        found = (Quantity("count", float(roman.fromRoman(figure.strip())), "", figure.strip()),)
    return found


def unstated(figure: str, text: str) -> list[str]:
    """The figures of ``figure`` that a (plain) ``text`` does not state, in any notation:
    "one in five" is stated by "1 in 5", "17" by "17 times", "October 1764" by "22 October
    1764" (but not "23 October 1764" by "22 October 1764", nor "1600 BCE" by "1500 BCE")."""
    stated = read_quantities(text)
    numerals = {float(numeral) for numeral in _NUMERAL.findall(numeric_text(text).replace(",", ""))}

    def is_stated(wanted: Quantity) -> bool:
        if any(
            found.value == wanted.value
            and (found.kind == "decade") == (wanted.kind == "decade")
            and (not wanted.month or wanted.month == found.month)
            and (not wanted.day or wanted.day == found.day)
            for found in stated
        ):
            return True
        # A bare number is stated wherever the text writes it ("Article 14", "India 17 times").
        return wanted.kind == "count" and wanted.value in numerals

    return [quantity.text for quantity in read_figure(figure) if not is_stated(quantity)]


def figures_agree(first: str, second: str) -> bool:
    """Whether two writings of a figure can both be true: the same values in any notation,
    dates agreeing to the precision both give ("October 1764" and "22 October 1764")."""
    ours, theirs = read_figure(first), read_figure(second)
    return (
        len(ours) == len(theirs)
        and all(any(mine.agrees(other) for other in theirs) for mine in ours)
        and all(any(other.agrees(mine) for mine in ours) for other in theirs)
    )


def quantity_keys(text: str) -> frozenset[str]:
    """The values a text states, for comparing figures across sources: ``seven`` is ``7``."""
    return frozenset(quantity.key for quantity in read_quantities(text))


# ------------------------------------------------------------------ numbered references

_NOT_A_REFERENCE = frozenset(
    """usd inr jpy eur gbp rs us a an the and or of in on at by to for from with since till until after
    before about around over under nearly almost than up only some all top first last next per each
    every just its their his her our your jan january feb february mar march apr april may jun june
    jul july aug august sep sept september oct october nov november dec december fy q year years day
    days km ad bc bce ce""".split()
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
# Things named by their year: "the Charter Act of 1813", "the Act of 1919", "the 1919 Act",
# "the Government of India Act, 1935", "the Treaty of 1951", "the National Education Policy 2020".
_YEAR_NAMED_NOUNS = (
    r"Acts?|Treat(?:y|ies)|Conferences?|Plans?|Amendments?|Accords?|Agreements?|Pacts?|Conventions?|"
    r"Declarations?|Charters?|Resolutions?|Regulations?|Ordinances?|Bills?|Polic(?:y|ies)|Sessions?|Congress|"
    r"Partition|Reforms?|Missions?|Codes?|Rules?|Settlements?|Census|Elections?"
)
_YEAR_NAMED = re.compile(
    rf"\b(?P<noun>{_YEAR_NAMED_NOUNS})(?:\s*,\s*|\s+of\s+|\s+)(?P<year>1\d{{3}}|20\d\d)\b(?![–-]\d)"
    rf"|\b(?P<year2>1\d{{3}}|20\d\d)\s+(?P<noun2>{_YEAR_NAMED_NOUNS})\b"
)
# A number followed by what it counts is a count, not a number in a name: "India 17 times".
_COUNTED_AFTER = re.compile(r"\s+(?:times|[a-z]{3,}s)\b")
# Capitalised words before "I" that make it the pronoun, not a numeral ("Bajirao I").
_BEFORE_PRONOUN_I = frozenset("then when if as so but and now here there what why how where".split())
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b[ \u00a0-]+((?:[A-Za-z][\w’'–-]*[ \u00a0]*){1,3})")
_CODE = re.compile(r"\b([A-Za-z]{1,10})-?(\d{1,3}[A-Za-z]?)\b")
_WORD = re.compile(r"[A-Za-z]+")


@functools.lru_cache(maxsize=65536)
def _noun_numbers(text: str) -> tuple[tuple[str, str, int], ...]:
    """``Article 14``, ``Part III``: (noun, number with Roman numerals as digits, where the number starts)."""
    found = []
    for match in _NOUN_NUMBER.finditer(text):
        noun, number = match.groups()
        roman_numeral = bool(number) and not number[0].isdigit()
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
        if noun.lower() not in REFERENCE_NOUNS and (
            (sentence_start and not roman_numeral)
            or noun.lower().endswith("ly")
            or _COUNTED_AFTER.match(text, match.end())
        ):
            continue  # "Originally 7 rights", "Nearly 40": capitalised only by position; "India 17 times"
        if number.isdigit() and _YEAR.fullmatch(number):
            continue  # a year: "Summit 2025" is dated, not numbered
        if not number[0].isdigit():
            if (len(number) == 1 and not noun[0].isupper()) or (
                number == "I" and noun.lower() in _BEFORE_PRONOUN_I
            ):
                continue  # "a V shape"; "Then I": the pronoun
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
    Summit" share the kind "summit". A thing named by its year is numbered by it:
    ``the Charter Act of 1813`` is ``("act of", "1813")``."""
    text = numeric_text(text)
    if not _DIGIT.search(text) and not _ANY_ROMAN.search(text):
        return frozenset()
    found: set[tuple[str, str]] = set()
    for noun, number, _ in _noun_numbers(text):
        found.add((_reference_kind(noun), number))
    for match in _YEAR_NAMED.finditer(text):
        # A kind of its own ("act of"), so that "the 42nd Amendment Act, 1976" is not two numbers of one kind.
        found.add((_reference_kind(match["noun"] or match["noun2"]) + " of", match["year"] or match["year2"]))
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
