"""Draft fragments from a seed: a first pass of curation for the student to edit (pure).

Every statement of the seed (as :mod:`notebuilder.coverage` reads it) becomes a fragment
citing the source, with a suggested id, ``**bold**`` on its figures and names, a
``date:`` where it gives one, and ``figures:`` named after what they count. A statement
that the notes already hold (the dedupe's own detector scores it as the same fact as an
existing fragment) is marked with a comment naming that fragment, so the student adds
only what is new. Every fragment's ``section`` is ``TODO``: choosing it is the student's.
"""

from __future__ import annotations

import json
import re

from .coverage import Statement, read_seed
from .dates import parse_date
from .dedupe import WARN_THRESHOLD, extract_features, idf_weights, score_pair
from .figures import Quantity, read_quantities
from .model import Citation, Fragment, Source, Topic

_NAME_RUN = re.compile(r"(?<![\w*])(?:[A-Z][\w’'&-]*(?:\s+(?:of|and|for|the|on|&)?\s*[A-Z][\w’'&-]*)*)")
_REFERENCE = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)(?:\s+[A-Z][\w-]*)+|[A-Z][a-z]+\s+(?:\d+[A-Z]?|[IVXLC]{1,6})\b(?![.,]\d))"
)  # the 44th Amendment; Article 300A; Part III
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTH}\s*[–-]\s*)?{_MONTH}(?:\s+\d{{1,2}},?)?\s+(?:1\d|20)\d\d\b")
_WORD = re.compile(r"[a-z0-9]+")
_YEAR_AFTER = re.compile(r"[A-Z][a-z]+\s+(?:1\d|20)\d\d$")  # "Summit 2025" is dated, not numbered
_FILLER = frozenset(
    "the a an of and in on for to with is are was were its their this that by as at from".split()
)


def _slug(text: str, source: str) -> str:
    words = [word for word in _WORD.findall(text.lower()) if word not in _FILLER][:5]
    return "-".join([source, *words])[:60].rstrip("-")


def _bold(text: str) -> str:
    """Bold the figures and the names (runs of capitalised words, not a sentence's first)."""
    spans = [(match.start(), match.end()) for match in _MONTH_YEAR.finditer(text)]
    spans += [
        (match.start(), match.end())
        for match in _REFERENCE.finditer(text)
        if not _YEAR_AFTER.match(match.group(0))
    ]
    for quantity in read_quantities(text):
        start = text.find(quantity.text)
        if start >= 0:
            spans.append((start, start + len(quantity.text)))
    for match in _NAME_RUN.finditer(text):
        value = match.group(0).strip()
        starts = match.start() == 0 or re.search(r"[.:;!?]\s*$", text[: match.start()])
        if len(value) < 2 or (starts and " " not in value and "-" not in value):
            continue  # one word, capitalised only because it begins a sentence
        spans.append((match.start(), match.start() + len(value)))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = f"{text[:start]}**{text[start:end]}**{text[end:]}"
    return text


def _date(text: str) -> str | None:
    if match := _MONTH_YEAR.search(text):
        return match.group(0)
    years = [quantity for quantity in read_quantities(text) if quantity.kind == "year"]
    return str(int(years[0].value)) if years and parse_date(str(int(years[0].value))) else None


def _quantity_name(text: str, quantity: Quantity) -> str:
    if quantity.counted:
        return " ".join(sorted(quantity.counted))
    before = text[: text.find(quantity.text)] if quantity.text in text else ""
    words = [word for word in _WORD.findall(before.lower()) if word not in _FILLER][-3:]
    return " ".join(words) or quantity.kind


def _figures(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for quantity in read_quantities(text):
        if quantity.kind != "year":
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


def draft_fragments(seed_text: str, source: Source, topic: Topic | None, seed_path: str) -> tuple[str, int]:
    """The draft file's text, and how many fragments it holds."""
    glossary = {entry.term: entry.expansion for entry in topic.glossary} if topic else {}
    sections = ", ".join(section.id for section in topic.sections) if topic else "see topic.yaml"
    taken = {fragment.id for fragment in topic.fragments} if topic else set()
    lines = [
        f"# Draft fragments from {seed_path}, citing '{source.id}'. notebuilder never builds this file.",
        "# Edit each one: choose its section, keep one fact per fragment in the source's own words,",
        "# keep the figures as the source gives them, delete what is not worth revising. Then move",
        f"# the ones you keep into notes/{topic.id if topic else '<topic>'}/ (e.g. {source.id}.yaml).",
        f"# Sections: {sections}",
        "defaults:",
        f"  source: {source.id}",
        "fragments:",
    ]
    count, notes = 0, _Notes(topic, glossary)
    for line in read_seed(seed_text, source):
        for statement in line.statements:
            base = _slug(statement.text, source.id)
            fragment_id, suffix = base, 2
            while fragment_id in taken:
                fragment_id, suffix = f"{base}-{suffix}", suffix + 1
            taken.add(fragment_id)
            duplicate = _already_in(statement, notes)
            if duplicate:
                lines.append(f"  # already in the notes? {duplicate[0]} (score {duplicate[1]:.2f})")
            lines += [
                f"  - id: {fragment_id}",
                f"    section: TODO  # {seed_path}:{statement.line}",
                f"    text: {json.dumps(_bold(statement.text), ensure_ascii=False)}",
            ]
            if date := _date(statement.text):
                lines.append(f"    date: {json.dumps(date)}")
            figures = _figures(statement.text)
            if figures:
                lines.append("    figures:")
                lines += [
                    f"      {json.dumps(name, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
                    for name, value in figures.items()
                ]
            count += 1
    return "\n".join(lines) + "\n", count
