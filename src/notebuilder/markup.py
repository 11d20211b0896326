"""Note text: the inline-markdown subset (``**bold**`` and ``*italic*``) and its numbers.

Note text is escaped first, so anything that looks like HTML (``<script>``, ``<img>``)
shows as visible text; only the two emphasis forms become tags.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from markupsafe import Markup, escape

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")
BOLD_SPAN, ITALIC_SPAN = _BOLD, _ITALIC  # for outputs that mark the spans up their own way (cards, self-test)


# A straight quote opens after a space, an opening bracket or dash, or at the start;
# anywhere else (after a word, a closing mark, or emphasis markers) it closes.
_OPENING_DOUBLE = re.compile(r"(?:^|(?<=[\s(\[{‘“—–/]))\"")
_OPENING_SINGLE = re.compile(r"(?:^|(?<=[\s(\[{‘“—–/]))'(?!\d0s\b)(?=\S)")


@functools.lru_cache(maxsize=65536)
def curly_quotes(text: str) -> str:
    """Straight quotes and apostrophes as printed ones: "Act East" → “Act East”,
    India's → India’s, '90s → ’90s. Only what is printed is changed; the notes, and
    what dedupe and check read, keep the student's own characters."""
    text = _OPENING_DOUBLE.sub("“", text).replace('"', "”")
    return _OPENING_SINGLE.sub("‘", text).replace("'", "’")


# A run of Devanagari words, with the spaces, digits and punctuation between them ("अनुच्छेद
# 21क"), never a tag's < or >.
DEVANAGARI_RUN = re.compile(
    r"[\u0900-\u097f\u200c\u200d]+(?:[\s\u00a00-9,;:()-]+[\u0900-\u097f\u200c\u200d]+)*"
)


def inline_html(text: str, language: str = "en") -> Markup:
    """Note text as HTML. Punctuation after a term stays outside its emphasis, as written
    ("**752 AD**,"): it is not part of the term. (WeasyPrint 70 no longer breaks such lines
    early, Kozea/WeasyPrint#1614: the shipped booklet prints the same lines but one.) In a
    text whose ``language`` is not Hindi, each run of Hindi words is marked ``lang="hi"``:
    a screen reader reads it as Hindi (the PDF tags it so, and the e-book sets its font)."""
    html = str(escape(curly_quotes(text)))
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    if language != "hi" and devanagari(html):
        html = DEVANAGARI_RUN.sub(lambda run: f'<span lang="hi">{run.group(0)}</span>', html)
    return Markup(html)


def bold_spans(text: str) -> list[str]:
    """The ``**bold**`` spans of a note text: its key terms, dates and figures."""
    return _BOLD.findall(text)


@functools.lru_cache(maxsize=65536)
def plain_text(text: str) -> str:
    """The text with emphasis markers removed (for labels, search and comparison)."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


# Hindi's function words (postpositions, auxiliaries, pronouns, conjunctions): they state
# nothing a fact could share or lack.
HINDI_STOPWORDS = frozenset(
    """के का की को में से पर और है हैं था थे थी ने एक यह वह ये वे इस उस इन उन लिए तथा भी कर करता करती
    करते किया किए गया गई गए हुआ हुई हुए हो होता होती होते जो कि तो ही न नहीं द्वारा साथ बाद पहले अपने
    अपनी अपना या व एवं जैसे जब तक सकता सकती सकते रहा रही रहे वाले वाली वाला हेतु प्रति अब""".split()
)
DEVANAGARI_WORD = r"(?<!\d)[\u0900-\u0963\u0971-\u097F]+"  # its vowel signs are not \w to re
_NASAL_BEFORE_CONSONANT = re.compile("[ङञणनम]\u094d(?=[\u0915-\u0939])")
# Endings of Hindi nouns and verbs (plural, oblique, gender, tense), longest first: a light
# stemmer, as Ramanathan and Rao's, so that "अधिकारों", "अधिकार" and "करता", "करती" meet.
_HINDI_ENDINGS = tuple(
    sorted(
        """ाएंगी ाएंगे ाऊंगी ाऊंगा ाइयाँ ाइयों ाइयां ताएँ ताओं ियाँ ियों ियां ाएँ ाओं ाएं ुओं ुएँ ुएं ों ें ीं ाँ ां
        ता ती ते ना नी ने ो े ी ा ि ु ू""".split(),
        key=len,
        reverse=True,
    )
)


_A_DEVANAGARI_CHARACTER = re.compile("[\u0900-\u097f]")


def devanagari(text: str) -> bool:
    """Whether the text has a Devanagari character (Hindi: no capitals, its own fonts)."""
    return _A_DEVANAGARI_CHARACTER.search(text) is not None


def in_capitals(text: str) -> bool:
    """Whether a line is set in capitals ("WHY IS THIS IN THE NEWS?"): most of its letters
    are capitals. (``str.isupper`` says so of a Hindi line with "III" in it.)"""
    letters = [character for character in text if character.isalpha()]
    return bool(letters) and sum(character.isupper() for character in letters) >= 0.8 * len(letters)


def hindi_form(word: str) -> str:
    """A Devanagari word as dedupe compares it: NFC, without nukta (ज़ as ज), chandrabindu
    as anusvara, a nasal half-letter before a consonant as anusvara (सम्बन्ध as संबंध), and
    without its ending."""
    word = unicodedata.normalize("NFC", word).replace("\u093c", "").replace("\u0901", "\u0902")
    word = _NASAL_BEFORE_CONSONANT.sub("\u0902", word)
    for ending in _HINDI_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A plural's singular, roughly: "rights" -> "right", "policies" -> "policy",
    "taxes" -> "tax", "dialogues" -> "dialogue"; a Hindi word's :func:`hindi_form`."""
    if devanagari(word[:1]):
        return hindi_form(word)
    if len(word) <= 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    return word[:-1]
