"""The printable self-test: the booklet's points with their bold terms blanked (pure).

Each section's points are numbered; every ``**bold**`` span becomes a numbered blank as
long as the answer needs (a rule of :func:`blank_width` ems, so a short answer still
leaves room to write), and the answers follow on the last pages, grouped by section. A
blank replaces a whole bold span, never part of a word. Points with no bold span have
nothing to blank and are left out. ``only`` narrows the test: ``priority`` keeps the
``priority: 1`` points, ``figures`` the points that state a figure.

An answer that states a figure the sources give differently says so, with every figure
and its sources: "6.5% (sources differ: 6.5% [4]; 6.4 per cent [5])", so that a student
never learns one source's figure as the fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from .figures import read_quantities
from .i18n import gettext
from .markup import BOLD_SPAN, ITALIC_SPAN, curly_quotes, plain_text
from .metrics import printed_width
from .model import DocConflict, Document, Point

ONLY = ("all", "priority", "figures")


@dataclass(frozen=True)
class Question:
    number: int  # counts through the whole test
    html: Markup  # the point's text with its blanks
    answers: tuple[tuple[int, Markup], ...]  # (blank number, answer)


@dataclass(frozen=True)
class TestSection:
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class SelfTest:
    document: Document
    sections: tuple[TestSection, ...]
    only: str

    @property
    def blank_count(self) -> int:
        return sum(len(question.answers) for section in self.sections for question in section.questions)


BLANK_ROOM = 1.3  # a blank is this many times as wide as its answer printed (handwriting is wider)
LINE_EMS = 40.0  # the question column, in ems of the text size: no blank is wider than a line


def blank_width(answer: str) -> float:
    """Room to write an answer by hand, in ems of the text: 1.3 times the answer as it would
    print in the text's bold, at least 4 ems, at most a line."""
    printed = printed_width(answer, "Noto Serif:bold", "Noto Serif Devanagari:bold")
    if printed is None:  # no fontconfig: a generous estimate of the bold serif
        printed = 0.62 * len(answer)
    return round(min(LINE_EMS, max(4.0, BLANK_ROOM * printed + 0.5)), 1)


def _italics(html: str) -> str:
    return ITALIC_SPAN.sub(r"<em>\1</em>", html)


def _disputed(answer: str, conflicts: tuple[DocConflict, ...], language: str = "en") -> Markup:
    """ "(sources differ: ~$43 billion [1]; $40 billion [3])" when the answer states a figure
    on which the sources differ; else nothing."""
    found = read_quantities(answer)
    notes = []
    for conflict in conflicts:
        values = [figure.value for figure in conflict.figures]
        if any(
            mine.value == theirs.value
            for mine in found
            for value in values
            for theirs in read_quantities(value)
        ):
            notes.append(
                "; ".join(
                    f"{escape(figure.value)} [{', '.join(str(marker.number) for marker in figure.markers)}]"
                    for figure in conflict.figures
                )
            )
    return (
        Markup(' <span class="differ">(')
        + escape(gettext(language, "sources differ: %(figures)s")) % {"figures": Markup(" · ".join(notes))}
        + Markup(")</span>")
        if notes
        else Markup()
    )


GLOSS_AFTER = re.compile(r"^\s*\(([^()*]+)\)")  # "**SAGAR** (Security and Growth…)"
GLOSSED = re.compile(r"\(\s*$")  # "Free and Open Indo-Pacific (**FOIP**)": the words before give it away


def _answer_key(answer: str, aliases: dict[str, str] | None = None) -> str:
    """One key for an answer's forms: "the Quad", "Quad's" and "Quad" alike, and an
    acronym and its expansion alike (``aliases``: the glossary's, by lower-case key)."""
    key = " ".join(answer.casefold().replace("’", "'").split())
    key = re.sub(r"^the\s+|'s$", "", key)
    return (aliases or {}).get(key, key)


def glossary_aliases(glossary) -> dict[str, str]:
    """Each glossary expansion's key to its term's: FOIP and Free and Open Indo-Pacific."""
    found = {}
    for entry in glossary:
        term = _answer_key(entry.term)
        found[_answer_key(re.sub(r"\s*\(.*\)\s*$", "", entry.expansion))] = term
    return found


# Words so general that a bold phrase made of nothing else ("regional stability",
# "technology transfer") names no fact to recall: it stays bold, and is not asked.
GENERIC = frozenset(
    """regional global national international bilateral multilateral mutual strategic economic
    political social cultural sustainable inclusive stability development cooperation
    collaboration partnership partnerships relations ties growth progress transfer technology
    technologies establishment facility facilities security peace prosperity connectivity
    engagement investment investments trade support exchange exchanges capacity building
    innovation integration dialogue relationship values interests order governance resilience
    reform reforms policy policies initiative initiatives project projects sector sectors area
    areas issue issues challenge challenges opportunity opportunities framework mechanism
    mechanisms shared common key major new greater closer deeper stronger enhanced overall""".split()
)


def worth_asking(answer: str) -> bool:
    """Whether a bold span names something to recall: a figure or a date (a digit, a number
    word), a name or an acronym (a capital), a one-word term, or a phrase with a word that
    is not merely general."""
    if re.search(r"[0-9A-Z]", answer) or read_quantities(answer):
        return True
    words = re.findall(r"[a-z]+", answer.casefold())
    return len(words) <= 1 or not all(word in GENERIC or len(word) <= 3 for word in words)


def _blank(answer: str, number: int, language: str = "en") -> str:
    said = escape(gettext(language, "blank"))
    return (  # read aloud, and copied, as "blank 17"; seen as a rule numbered 17
        f'<span class="blank" style="width: {blank_width(answer)}em">'
        f'<span class="k"><span class="unseen">{said} </span>{number}</span></span>'
    )


def _plain_piece(text: str, phrases: dict[str, int], language: str = "en") -> str:
    """Text between bold spans, escaped; an answer asked elsewhere on the sheet that it
    states in plain words ("the Quad", or the expansion of an acronym asked) is that
    answer's blank, so it gives nothing away. ``phrases``: each answer's key by number."""
    if not phrases:
        return _italics(str(escape(text)))
    pattern = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    pieces, position = [], 0
    for match in re.finditer(rf"(?<![\w*])(?:the\s+)?(?:{pattern})(?:['’]s)?(?![\w*])", text, re.IGNORECASE):
        number = phrases.get(_answer_key(match.group(0)))
        if number is None:
            continue
        pieces.append(_italics(str(escape(text[position : match.start()]))))
        pieces.append(_blank(match.group(0), number, language))
        position = match.end()
    pieces.append(_italics(str(escape(text[position:]))))
    return "".join(pieces)


def blanked(
    text: str,
    first: int,
    conflicts: tuple[DocConflict, ...] = (),
    asked: dict[str, int] | None = None,
    heading: str = "",
    aliases: dict[str, str] | None = None,
    elsewhere: dict[str, tuple[int, str]] | None = None,
    record: dict[str, tuple[int, str]] | None = None,
    language: str = "en",
) -> tuple[Markup, tuple[tuple[int, Markup], ...]]:
    """The text with its bold spans as numbered blanks from ``first`` on, and the answers.

    Nothing beside a blank gives it away: a gloss in brackets right after it (an
    acronym's expansion) is left out of the question and shown with the answer, and a
    bold span that is itself the gloss in brackets of the words before it is left out.
    An answer already in ``asked`` (asked earlier on the sheet, by number, which this adds
    to; its forms and the glossary's ``aliases`` alike) is the same blank again, with the
    same number: it is answered once, and no other question gives it away; ``elsewhere``
    (each answer of the sheet by key: its number and its words) blanks the plain words
    that state one (``record`` collects them). An answer the ``heading`` above it states
    is not asked, nor a bold phrase of only general words (:func:`worth_asking`)."""
    text = curly_quotes(text)
    asked = {} if asked is None else asked
    phrases = {  # names and terms only: a number is stated in plain words too often to blank
        key: number for key, (number, words) in (elsewhere or {}).items() if re.search(r"[^\W\d_]{3}", words)
    }
    phrases |= {expansion: phrases[term] for expansion, term in (aliases or {}).items() if term in phrases}
    stated = _answer_key(heading)
    pieces: list[str] = []
    answers: list[tuple[int, Markup]] = []
    position, number = 0, first
    for match in BOLD_SPAN.finditer(text):
        if match.start() < position:
            continue
        before = text[position : match.start()]
        after = text[match.end() :]
        closing = re.match(r"^\s*\)", after)
        if GLOSSED.search(before) and closing:  # "(**FOIP**)": left out with its brackets
            pieces.append(_plain_piece(GLOSSED.sub("", before).rstrip(), phrases, language))
            position = match.end() + closing.end()
            continue
        pieces.append(_plain_piece(before, phrases, language))
        answer = plain_text(match.group(1))
        key = _answer_key(answer, aliases)
        gloss = GLOSS_AFTER.match(after)
        if key in asked:  # asked before on this sheet: the same blank, answered once
            pieces.append(_blank(answer, asked[key], language))
            position = match.end() + (gloss.end() if gloss else 0)
            continue
        heading_states = stated and re.search(rf"(?<!\w){re.escape(_answer_key(answer))}(?!\w)", stated)
        if heading_states or not worth_asking(answer):  # printed, not asked
            pieces.append(
                f"<strong>{_italics(str(escape(match.group(1))))}</strong>"
                if not heading_states
                else _italics(str(escape(match.group(1))))
            )
            position = match.end()
            continue
        asked[key] = number
        if record is not None:
            record[key] = (number, answer)
        glossed = Markup(f' <span class="gloss">({escape(gloss.group(1))})</span>') if gloss else Markup()
        pieces.append(_blank(answer, number, language))
        answers.append(
            (
                number,
                Markup(_italics(str(escape(match.group(1)))))
                + glossed
                + _disputed(answer, conflicts, language),
            )
        )
        position = match.end() + (gloss.end() if gloss else 0)
        number += 1
    pieces.append(_plain_piece(text[position:], phrases, language))
    return Markup("".join(pieces)), tuple(answers)


def _chosen(point: Point, only: str) -> bool:
    if only == "priority":
        return point.priority == 1
    if only == "figures":
        return bool(read_quantities(plain_text(point.text)))
    return True


def plan_selftest(document: Document, only: str = "all") -> SelfTest:
    aliases = glossary_aliases(document.topic.glossary)

    def questions(
        elsewhere: dict[str, tuple[int, str]],
    ) -> tuple[list[TestSection], dict[str, tuple[int, str]]]:
        sections, question_number, blank_number = [], 1, 1
        asked: dict[str, int] = {}  # each answer is asked once on the sheet, by its first blank's number
        shown: dict[str, tuple[int, str]] = {}
        for section in document.sections:
            found = []
            for item in section.points:
                if not BOLD_SPAN.search(item.point.text) or not _chosen(item.point, only):
                    continue
                html, answers = blanked(
                    item.point.text,
                    blank_number,
                    item.conflicts,
                    asked,
                    section.title,
                    aliases,
                    elsewhere,
                    shown,
                    document.topic.language,
                )
                if not answers:  # every answer it holds was asked before
                    continue
                found.append(Question(question_number, html, answers))
                question_number += 1
                blank_number += len(answers)
            if found:
                sections.append(TestSection(f"{section.number} {section.title}", tuple(found)))
        return sections, shown

    _, every_answer = questions({})  # first the numbers; then no plain words give one away
    sections, _ = questions(every_answer)
    return SelfTest(document, tuple(sections), only)
