"""Date forms used in notes, and how they sort on a timeline.

Notes give dates the way sources write them: ``2014``, ``752 AD``, ``2023-24``,
``2023–24``, ``FY24``, ``FY2023-24``, ``Jul 2023``, ``July 2023``, ``2023-07``,
``2025-08-21``, ``14–15 August 1947``, ``Feb–Mar 2025``, ``Nov 1930 – Jan 1931``,
``Sept 2024``, ``6th century``, ``1950s–1990s``, and for history ``322 BC``,
``c. 1500 BCE``, ``c. 2600–1900 BCE``, ``AD 1025``, ``1000–1027 CE``, ``3rd century BC``
(years before the common era sort before every AD year, as negative years).
:func:`parse_date` turns one into a :class:`DateSpan` (a sortable start and a label),
or returns None when the text is not a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_DASH = r"\s*[-–—/]\s*"

# Dates written in Hindi read as their English forms: Devanagari digits (१९४७), month
# names, and the eras ई.पू. / ईसा पूर्व (BCE) and ई. / ईस्वी (CE); "लगभग" is "c.".
DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_HINDI_WORDS = [
    (r"ईसा\s*पूर्व|ई\.?\s*पू\.?", " bce"),
    (r"ईस्वी\s*सन्?|ईसवी|ईस्वी|ई\.(?!\w)", " ce"),
    (r"^(?:लगभग|करीब|क़रीब)\s*", "c. "),
    (r"^सन्\s*", ""),
    (r"(\d)(?:वीं|वी|वाँ|वां)\s+(?:सदी|शताब्दी)", r"\1th century"),
]
HINDI_MONTHS = {
    "जनवरी": "january", "फ़रवरी": "february", "फरवरी": "february", "मार्च": "march",
    "अप्रैल": "april", "मई": "may", "जून": "june", "जुलाई": "july", "अगस्त": "august",
    "सितंबर": "september", "सितम्बर": "september", "अक्टूबर": "october", "अक्तूबर": "october",
    "नवंबर": "november", "नवम्बर": "november", "दिसंबर": "december", "दिसम्बर": "december",
}  # fmt: skip


def _in_english(text: str) -> str:
    """A date written in Hindi, its words and digits as the English forms parse_date reads."""
    import unicodedata

    text = unicodedata.normalize("NFC", text).translate(DEVANAGARI_DIGITS)
    if text.isascii():
        return text
    for hindi, english in HINDI_MONTHS.items():
        text = text.replace(unicodedata.normalize("NFC", hindi), english)
    for pattern, english in _HINDI_WORDS:
        text = re.sub(pattern, english, text)
    return " ".join(text.split())


_MONTH = r"([A-Za-z]{3,9})\.?"


@dataclass(frozen=True, order=True)
class DateSpan:
    """``start`` sorts the timeline: (year, month, day); month/day 0 mean unknown."""

    start: tuple[int, int, int]
    end_year: int
    label: str


def _second_year(first: int, text: str) -> int | None:
    """'2023-24' -> 2024, '1999-00' -> 2000, '1950-1990' -> 1990; None when it runs backwards."""
    second = int(text) if len(text) == 4 else first - first % 100 + int(text)
    if len(text) == 2 and second < first and first % 100 >= 90:
        second += 100
    return second if second >= first else None


def parse_date(text: str | int) -> DateSpan | None:
    label = str(text).strip()
    value = re.sub(r"^(?:c\.|ca\.|circa)\s*", "", _in_english(label).lower())
    if span := _with_era(value, label):
        return span
    if match := re.fullmatch(r"(\d{1,5})\s*(?:bc|bce|b\.c\.)", value):
        year = -int(match[1])
        return DateSpan((year, 0, 0), year, label)
    if match := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)\s+century\s*(?:bc|bce|b\.c\.)", value):
        start = -int(match[1]) * 100
        return DateSpan((start, 0, 0), start + 99, label)
    if match := re.fullmatch(r"(\d{1,4})(?:\s*(?:ad|ce))?", value):
        year = int(match[1])
        return DateSpan((year, 0, 0), year, label) if 1 <= year <= 2200 else None
    if match := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)\s+century(?:\s*(?:ad|ce))?", value):
        start = (int(match[1]) - 1) * 100 + 1
        return DateSpan((start, 0, 0), start + 99, label)
    if match := re.fullmatch(r"(\d{4})s" + _DASH + r"(\d{4})s", value):
        return DateSpan((int(match[1]), 0, 0), int(match[2]) + 9, label)
    if match := re.fullmatch(r"(\d{4})s", value):
        return DateSpan((int(match[1]), 0, 0), int(match[1]) + 9, label)
    if match := re.fullmatch(r"fy\s*(\d{2}|\d{4})(?:" + _DASH + r"(\d{2}|\d{4}))?", value):
        if match[2]:
            first = int(match[1]) if len(match[1]) == 4 else 2000 + int(match[1])
            end = _second_year(first, match[2])
            return DateSpan((first, 4, 0), end, label) if end else None
        # Indian fiscal year FY24 = April 2023 to March 2024.
        end = int(match[1]) if len(match[1]) == 4 else 2000 + int(match[1])
        return DateSpan((end - 1, 4, 0), end, label)
    if match := re.fullmatch(r"(\d{4})" + _DASH + r"(\d{2}|\d{4})", value):
        first = int(match[1])
        if (
            len(match[2]) == 2
            and 1 <= int(match[2]) <= 12
            and "-" in value
            and "–" not in value
            and int(match[2]) != (first + 1) % 100
        ):
            return DateSpan((first, int(match[2]), 0), first, label)  # 2023-07
        end = _second_year(first, match[2])
        return DateSpan((first, 0, 0), end, label) if end else None
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        return DateSpan((year, month, day), year, label) if 1 <= month <= 12 and 1 <= day <= 31 else None
    if match := re.fullmatch(r"(?:(\d{1,2})\s+)?" + _MONTH + r",?\s+(?:(\d{1,2}),?\s+)?(\d{4})", value):
        named = MONTHS.get(match[2])
        day = int(match[1] or match[3] or 0)
        if named and day <= 31:
            return DateSpan((int(match[4]), named, day), int(match[4]), label)
    if match := re.fullmatch(r"(\d{1,2})" + _DASH + r"(\d{1,2})\s+" + _MONTH + r",?\s+(\d{4})", value):
        named = MONTHS.get(match[3])
        if named and 1 <= int(match[1]) < int(match[2]) <= 31:
            return DateSpan((int(match[4]), named, int(match[1])), int(match[4]), label)  # 14–15 August 1947
    if match := re.fullmatch(_MONTH + r"\s+(\d{1,2})" + _DASH + r"(\d{1,2}),?\s+(\d{4})", value):
        named = MONTHS.get(match[1])
        if named and 1 <= int(match[2]) < int(match[3]) <= 31:
            return DateSpan((int(match[4]), named, int(match[2])), int(match[4]), label)  # August 14–15, 1947
    if match := re.fullmatch(_MONTH + r"\s+(\d{4})" + _DASH + _MONTH + r"\s+(\d{4})", value):
        opening, closing = MONTHS.get(match[1]), MONTHS.get(match[3])
        first, last = int(match[2]), int(match[4])
        if opening and closing and (first, opening) < (last, closing):
            return DateSpan((first, opening, 0), last, label)  # Nov 1930 – Jan 1931
    if match := re.fullmatch(_MONTH + _DASH + _MONTH + r"\s+(\d{4})", value):
        opening, closing = MONTHS.get(match[1]), MONTHS.get(match[2])
        if opening and closing:
            return DateSpan((int(match[3]), opening, 0), int(match[3]), label)
    return None


_ERA_BEFORE = r"(?:bce|bc|b\.c\.e\.|b\.c\.)"
_ERA_AFTER = r"(?:ce|ad|c\.e\.|a\.d\.)"


def _with_era(value: str, label: str) -> DateSpan | None:
    """A year or a range of years with its era: 322 BC, c. 2600–1900 BCE, AD 1025,
    1000–1027 CE, AD 1025–1030. A range before the common era counts down."""
    before = re.fullmatch(
        r"(\d{1,5})(?:\s*" + _ERA_BEFORE + r")?" + _DASH + r"(\d{1,5})\s*" + _ERA_BEFORE, value
    )
    if before:
        first, last = -int(before[1]), -int(before[2])
        return DateSpan((first, 0, 0), last, label) if first < last else None
    after = re.fullmatch(
        r"(?:" + _ERA_AFTER + r"\s*)?(\d{1,4})(?:" + _DASH + r"(\d{1,4}))?(?:\s*" + _ERA_AFTER + r")?", value
    )
    if after and re.search(r"[a-z]", value):
        first, last = int(after[1]), int(after[2] or after[1])
        return DateSpan((first, 0, 0), last, label) if 1 <= first <= last <= 2200 else None
    return None


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def display_date(text: str | int | None, style: str = "short", language: str = "en") -> str:
    """A date as the reader sees it, one style everywhere: ``2025-08-21`` becomes
    "21 Aug 2025" (short), "21 August 2025" (long) or stays "2025-08-21" (iso); a month
    ("2025-08") likewise; a year, a span or a BC date is shown as written."""
    if text is None:
        return ""
    text = str(text)
    if style == "iso":
        return text
    day = _ISO_DAY.match(text)
    month = day or _ISO_MONTH.match(text)
    if not month or not 1 <= int(month[2]) <= 12:
        return text
    if language != "en":  # the language's month names, from Babel's calendar
        from datetime import date

        from .i18n import written_date

        when = date(int(month[1]), int(month[2]), int(day[3]) if day else 1)
        return written_date(when, language, with_day=bool(day))
    name = MONTH_NAMES[int(month[2]) - 1]
    name = name if style == "long" else name[:3]
    return f"{int(day[3])} {name} {month[1]}" if day else f"{name} {month[1]}"
