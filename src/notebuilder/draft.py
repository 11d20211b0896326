"""Draft fragments from a seed: a first pass of curation for the student to edit (pure).

Every statement of the seed (as :mod:`notebuilder.coverage` reads it) becomes a fragment
citing the source, with a suggested id, ``**bold**`` on its figures and names, a
``date:`` where it gives one, and ``figures:`` named after what they count. A statement
that the notes already hold (the dedupe's own detector scores it as the same fact as an
existing fragment) is marked with a comment naming that fragment, so the student adds
only what is new. A statement takes the heading it stands under as a comment, and the
topic's section whose title shares most words with that heading as its guessed
``section`` (``TODO``, with the sections listed, where none does); a statement on a PDF's
page cites that page. Dates keep their era and form ("c. 322 BCE", "AD 1025"), a count is
named after what it counts ("17 raids"), and only names, figures and dates are bold.
"""

from __future__ import annotations

import json
import re
import unicodedata

from .coverage import NAME_RUN, Statement, read_seed
from .dates import DEVANAGARI_DIGITS, HINDI_MONTHS, parse_date
from .dedupe import WARN_THRESHOLD, extract_features, idf_weights, score_pair
from .figures import Quantity, in_english_forms, read_quantities
from .markup import DEVANAGARI_WORD, HINDI_STOPWORDS, devanagari, stem
from .model import Citation, Fragment, Source, Topic

_REFERENCE = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)(?:\s+[A-Z][\w-]*)+|[A-Z][a-z]+\s+(?:\d+[A-Z]?|[IVXLC]{1,6})\b(?![.,]\d))"
)  # the 44th Amendment; Article 300A; Part III
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTH}\s*[–-]\s*)?{_MONTH}(?:\s+\d{{1,2}},?)?\s+(?:1\d|20)\d\d\b")
_WORD = re.compile(r"[a-z0-9]+")
_CONNECTOR = re.compile(r"^(?:(?:of|and|for|the|on|&)\s+)+")
_YEAR_AFTER = re.compile(r"[A-Z][a-z]+\s+(?:1\d|20)\d\d$")  # "Summit 2025" is dated, not numbered
_FILLER = frozenset(
    "the a an of and in on for to with is are was were its their this that by as at from".split()
)
_A_WORD = re.compile(rf"[a-z0-9]+|{DEVANAGARI_WORD}")  # a word of a text in lower case, in either script
_FUNCTION_WORDS = _FILLER | HINDI_STOPWORDS


def _slug(text: str, source: str) -> str:
    """A fragment's id from its first words (Hindi ones spelt in Latin letters, as ids are:
    "अनुच्छेद 21क" gives anuchchhed-21k)."""
    words = [
        roman(word) if devanagari(word) else word
        for word in _A_WORD.findall(text.lower().translate(DEVANAGARI_DIGITS))
        if word not in _FUNCTION_WORDS and not unicodedata.category(word[0]).startswith("M")
    ][:5]  # (an ordinal's ending, वाँ of 42वाँ, is no word)
    return "-".join([source, *words])[:60].rstrip("-")


# Devanagari in plain Latin letters, as students spell Hindi in ids (anuchchhed, sanshodhan):
# a consonant's own "a" is dropped at a word's end; long and short vowels are one letter.
_CONSONANTS = dict(
    zip(
        "क ख ग घ ङ च छ ज झ ञ ट ठ ड ढ ण त थ द ध न प फ ब भ म य र ल व श ष स ह".split(),
        "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h".split(),
        strict=True,
    )
)
_WITH_NUKTA = {"k": "q", "j": "z", "ph": "f", "d": "r", "dh": "rh"}  # क़ ज़ फ़ ड़ ढ़
_VOWELS = dict(zip("अ आ इ ई उ ऊ ऋ ए ऐ ओ औ ऑ".split(), "a a i i u u ri e ai o au o".split(), strict=True))
_SIGNS = dict(zip("ा ि ी ु ू ृ े ै ो ौ ॉ".split(), "a i i u u ri e ai o au o".split(), strict=True))
_LABIALS = frozenset("पफबभमव")  # an anusvara before them is written m: sampatti, samvidhan


def roman(word: str) -> str:
    """A Devanagari word in Latin letters for an id: अनुच्छेद anuchchhed, मौलिक maulik."""
    letters = unicodedata.normalize("NFD", word)  # a nukta as a mark of its own
    out: list[str] = []
    pending = False  # a consonant whose own "a" is not yet written
    for index, letter in enumerate(letters):
        following = letters[index + 1] if index + 1 < len(letters) else ""
        if letter in _CONSONANTS:
            if pending:
                out.append("a")
            out.append(_CONSONANTS[letter])
            pending = True
        elif letter == "\u093c" and out:  # nukta
            out[-1] = _WITH_NUKTA.get(out[-1], out[-1])
        elif letter in _SIGNS or letter == "\u094d":  # a vowel sign, or the virama: no own "a"
            sign = _SIGNS.get(letter, "")
            out.append("i" if sign == "ri" and out and out[-1] == "r" else sign)  # श्रृ: shri
            pending = False
        elif letter in "ंँ":
            if pending:
                out.append("a")
            out.append("m" if following in _LABIALS else "n")
            pending = False
        elif letter in _VOWELS or letter == "ः":
            if pending:
                out.append("a")
            out.append(_VOWELS.get(letter, "h"))
            pending = False
        elif letter.isascii() and letter.isalnum():
            out.append(letter)
    # A word's last consonant keeps its "a" after a cluster (राष्ट्र rashtra) and as the य of
    # -iya (क्षत्रिय kshatriya); elsewhere it is silent (अनुच्छेद anuchchhed).
    if pending and (
        letters[-2:-1] == "\u094d" or letters[-2:] in {"\u093fय", "\u0940य"} or len(letters) == 1
    ):
        out.append("a")
    return "".join(out)


def _bold(text: str) -> str:
    """Bold the figures and the names (runs of capitalised words, not a sentence's first)."""
    spans = [(match.start(), match.end()) for match in _MONTH_YEAR.finditer(text)]
    spans += [(start, end) for start, end, _ in _dates(text)]
    english, origin = in_english_forms(text)  # अनुच्छेद 21क is found as Article 21A
    for match in _REFERENCE.finditer(english):
        if not _YEAR_AFTER.match(match.group(0)):
            start, end = match.span()
            spans.append((origin[start][0], origin[end - 1][1]) if origin else (start, end))
    for quantity in read_quantities(text):
        start = text.find(quantity.text)
        if start >= 0:
            spans.append((start, start + len(quantity.text)))
    for match in NAME_RUN.finditer(text):
        start, value = match.start(), match.group(0).strip()
        if match.start() == 0 or re.search(r"[.:;!?]\s*$", text[: match.start()]):
            # A sentence's first word is capitalised whatever it is: "A Supreme Court",
            # "Ended the Company's", "Directors of the Company". It stays in the name when a
            # name follows it directly ("Warren Hastings", "Pitt's India Act"), or through
            # "of" when it reads as a name, not a verb or a plural ("Mahmud of Ghazni").
            first, _, rest = value.partition(" ")
            verb_or_plural = re.search(r"(?:ed|ing|ly|[^'’]s)$", first) is not None
            if not rest or first.lower() in _FILLER or (_CONNECTOR.match(rest) and verb_or_plural):
                dropped = len(value) - len(_CONNECTOR.sub("", rest) if rest else "")
                start, value = start + dropped, (_CONNECTOR.sub("", rest) if rest else "")
        if era := re.match(r"(?:BCE|BC|CE|AD)\b\s*", value):  # "1500 BC the Vedic": the era is the date's
            rest = _CONNECTOR.sub("", value[era.end() :])
            start, value = start + len(value) - len(rest), rest
        if len(value) < 2:
            continue
        spans.append((start, start + len(value)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = f"{text[:start]}**{text[start:end]}**{text[end:]}"
    return text


_ERA = r"(?:BCE|BC|B\.C\.|CE|AD|A\.D\.)"
_DAY_MONTH = (
    rf"(?:\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?,?)"
)
# Hindi's dates (parse_date reads them): its eras, months and centuries.
_HINDI_ERA = r"(?:ईसा\s*पूर्व|ई\.\s*पू\.|ईस्वी|ई\.)"
_HINDI_MONTH = "(?:" + "|".join(sorted(HINDI_MONTHS, key=len, reverse=True)) + ")"
_DATE_PHRASE = re.compile(
    "|".join(
        [
            rf"(?:लगभग\s*)?\d{{1,4}}(?:\s*[–-]\s*\d{{1,4}})?\s*{_HINDI_ERA}",  # लगभग 261 ईसा पूर्व
            rf"(?:\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?\s+)?{_HINDI_MONTH}\s+\d{{4}}",  # २६ जनवरी १९५०
            rf"\d{{1,2}}(?:वीं|वी)\s+(?:सदी|शताब्दी)(?:\s*{_HINDI_ERA})?",  # 3वीं सदी ईसा पूर्व
            rf"(?:c\.\s*)?\d{{1,4}}(?:\s*[–-]\s*\d{{1,4}})?\s*{_ERA}(?!\w)",  # c. 2600–1900 BCE, 322 BC
            rf"(?<!\w){_ERA}\s*\d{{1,4}}(?:\s*[–-]\s*\d{{1,4}})?",  # AD 1025
            rf"{_MONTH}\s+\d{{4}}\s*[–-]\s*{_MONTH}\s+\d{{4}}",  # Nov 1930 – Jan 1931
            rf"{_DAY_MONTH}\s+\d{{4}}",  # 14–15 August 1947, August 21, 2025
            rf"(?:{_MONTH}\s*[–-]\s*)?{_MONTH}\s+\d{{4}}",  # Feb–Mar 2025
            r"(?:c\.\s*)?\d{1,2}(?:st|nd|rd|th)\s+century(?:\s*" + _ERA + r")?",  # 3rd century BC
            r"\d{4}s(?:\s*[–-]\s*\d{4}s)?",  # 1950s–1990s
            r"(?<![\d,.])\d{4}\s*[–-]\s*\d{2}(?:\d{2})?(?![\d,])",  # 2023–24
        ]
    ),
    re.IGNORECASE,
)


def _dates(text: str) -> list[tuple[int, int, str]]:
    """The dates a sentence gives, as written (their era and form kept): (start, end, text)."""
    found: list[tuple[int, int, str]] = []
    for match in _DATE_PHRASE.finditer(text):
        phrase = match.group(0).strip().rstrip(",")
        if parse_date(phrase) is not None:
            found.append((match.start(), match.start() + len(phrase), phrase))
    return found


def _date(text: str) -> str | None:
    """The sentence's first date as it writes it, else its first year."""
    if found := _dates(text):
        return found[0][2]
    years = [quantity for quantity in read_quantities(text) if quantity.kind == "year"]
    return str(int(years[0].value)) if years and parse_date(str(int(years[0].value))) else None


_PLURAL_ENDINGS = ("s", "एँ", "ें", "ों", "याँ")  # English's, and Hindi's: स्वतंत्रताएँ, बच्चों
_NOT_COUNTED = _FUNCTION_WORDS | frozenset(
    "into or who which that each per other than about over under".split()
)


def _quantity_name(text: str, quantity: Quantity) -> str:
    """What a figure counts, named by the words after it ("17 raids", "one chief
    justice", "three other judges"), else by the words before it ("cumulative FDI")."""
    at = text.find(quantity.text)
    if quantity.kind == "count" and at >= 0:
        following = re.findall(rf"[A-Za-z][\w-]*|{DEVANAGARI_WORD}|\S", text[at + len(quantity.text) :])[:4]
        while following and following[0].lower() == "other":
            following = following[1:]
        named: list[str] = []
        for word in following:
            if not word[0].isalpha() or word.lower() in _NOT_COUNTED or len(named) == 2:
                break
            named.append(word.lower())
            if word.endswith(_PLURAL_ENDINGS):
                break  # a plural is the noun counted: "states", not "states joined"
        if named:
            return " ".join(named)
    before = text[:at] if at >= 0 else ""
    words = [word for word in _A_WORD.findall(before.lower()) if word not in _FUNCTION_WORDS][-3:]
    return " ".join(words) or quantity.kind


def _figures(text: str) -> dict[str, str]:
    """The figures a sentence gives, named; the numbers of its dates are not figures."""
    dated = _dates(text)
    found: dict[str, str] = {}
    for quantity in read_quantities(text):
        at = text.find(quantity.text)
        if quantity.kind == "year" or any(start <= at < end for start, end, _ in dated):
            continue
        found.setdefault(_quantity_name(text, quantity), quantity.text)
    return found


class _Notes:
    """The topic's fragments as the dedupe detector reads them, read once."""

    def __init__(self, topic: Topic | None, glossary: dict[str, str]):
        self.topic, self.glossary = topic, glossary
        fragments = topic.fragments if topic else ()
        self.features = {fragment.id: extract_features(fragment.text, glossary) for fragment in fragments}
        self.idf = idf_weights(self.features.values())


def _already_in(statement: Statement, notes: _Notes) -> tuple[str, float] | None:
    """The existing fragment the dedupe detector takes this statement for, with its score."""
    topic, features, idf = notes.topic, notes.features, notes.idf
    if topic is None or not topic.fragments:
        return None
    probe = Fragment("draft", topic.id, "", statement.text, (Citation("draft"),), topic.location)
    mine = extract_features(probe.text, notes.glossary)
    scores = [
        (score_pair(probe, fragment, mine, features[fragment.id], idf)[0], fragment.id)
        for fragment in topic.fragments
        if mine.words & features[fragment.id].words
    ]
    best = max(scores, default=None)
    return (best[1], best[0]) if best and best[0] >= WARN_THRESHOLD else None


def _guess_section(heading: str, topic: Topic | None) -> str | None:
    """The topic's section whose title shares most words with the heading, the topic's
    title's words aside (none shared: None)."""
    if topic is None or not heading:
        return None

    def words_of(text: str) -> set[str]:
        return {
            stem(word)
            for word in _A_WORD.findall(text.lower())
            if word not in _FUNCTION_WORDS and len(word) > 2
        }

    words = words_of(heading) - words_of(topic.title)  # the topic's own words tell no section apart
    scored = []
    for section in topic.sections:
        title = words_of(section.title)
        if shared := len(words & title):
            scored.append((shared, -len(title), section.id))
    return max(scored)[2] if scored else None


def draft_fragments(seed_text: str, source: Source, topic: Topic | None, seed_path: str) -> tuple[str, int]:
    """The draft file's text, and how many fragments it holds."""
    glossary = {entry.term: entry.expansion for entry in topic.glossary} if topic else {}
    sections = ", ".join(section.id for section in topic.sections) if topic else "see topic.yaml"
    taken = {fragment.id for fragment in topic.fragments} if topic else set()
    lines = [
        f"# Draft fragments from {seed_path}, citing '{source.id}'. notebuilder never builds this file.",
        "# Edit each one: check its section, keep one fact per fragment in the source's own words,",
        "# keep the figures as the source gives them, delete what is not worth revising. Then move",
        f"# the ones you keep into notes/{topic.id if topic else '<topic>'}/ (e.g. {source.id}.yaml).",
        f"# Sections: {sections}",
        "defaults:",
        f"  source: {source.id}",
        "fragments:",
    ]
    count, notes, under = 0, _Notes(topic, glossary), None
    for line in read_seed(seed_text, source):
        for statement in line.statements:
            if statement.heading != under:
                under = statement.heading
                lines.append(
                    f"  # under the heading {json.dumps(under, ensure_ascii=False)}" if under else "  #"
                )
            base = _slug(statement.text, source.id)
            fragment_id, suffix = base, 2
            while fragment_id in taken:
                fragment_id, suffix = f"{base}-{suffix}", suffix + 1
            taken.add(fragment_id)
            duplicate = _already_in(statement, notes)
            if duplicate:
                lines.append(f"  # already in the notes? {duplicate[0]} (score {duplicate[1]:.2f})")
            section = _guess_section(statement.heading, topic)
            lines += [
                f"  - id: {fragment_id}",
                f"    section: {section}  # guessed from the heading; {seed_path}:{statement.line}"
                if section
                else f"    section: TODO  # one of: {sections}; {seed_path}:{statement.line}",
            ]
            if statement.page is not None:
                lines.append(f'    sources: [{{id: {source.id}, at: "p. {statement.page}"}}]')
            lines.append(f"    text: {json.dumps(_bold(statement.text), ensure_ascii=False)}")
            if date := _date(statement.text):
                lines.append(f"    date: {json.dumps(date, ensure_ascii=False)}")
            figures = _figures(statement.text)
            if figures:
                lines.append("    figures:")
                lines += [
                    f"      {json.dumps(name, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
                    for name, value in figures.items()
                ]
            count += 1
    return "\n".join(lines) + "\n", count
