"""Which characters no installed font can show: they would print as empty boxes (tofu).

Not pure: it asks fontconfig (``fc-list``) once per build for every installed font's
character set, the fonts WeasyPrint's Pango falls back on. Set-up installs Noto Serif and
Noto Sans (Latin, Greek, Cyrillic, Devanagari and more) and IPAGothic (Japanese kana and
kanji); a character outside all of them gets a located warning naming it and the fragment.
"""

from __future__ import annotations

import bisect
import functools
import shutil
import subprocess
import unicodedata

from .errors import Problem
from .markup import plain_text
from .model import Corpus


@functools.lru_cache(maxsize=1)
def _covered_ranges() -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Every installed font's characters, merged into sorted (starts, ends); None without fontconfig."""
    if shutil.which("fc-list") is None:
        return None
    listing = subprocess.run(["fc-list", "--format=%{charset}\\n"], capture_output=True, text=True).stdout
    ranges = []
    for line in listing.splitlines():
        for part in line.split():
            first, _, last = part.partition("-")
            ranges.append((int(first, 16), int(last or first, 16)))
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(start for start, _ in merged), tuple(end for _, end in merged)


def shown(character: str) -> bool:
    ranges = _covered_ranges()
    if ranges is None:
        return True  # no fontconfig to ask: say nothing rather than something false
    starts, ends = ranges
    code = ord(character)
    index = bisect.bisect_right(starts, code) - 1
    return index >= 0 and code <= ends[index]


def _needs_a_glyph(character: str) -> bool:
    return ord(character) > 0x7E and unicodedata.category(character)[0] not in "CZ"  # not controls, spaces


@functools.lru_cache(maxsize=4096)
def _unprintable(character: str) -> bool:
    """Whether the character needs a glyph that no installed font has (asked once each)."""
    return _needs_a_glyph(character) and not shown(character)


def missing_glyphs(corpus: Corpus) -> tuple[Problem, ...]:
    """A warning for each fragment (and topic title) with characters no installed font has."""
    warnings = []
    for topic in corpus.topics:
        texts = [(topic.location, "the topic's title", topic.title)]
        texts += [
            (fragment.location, f"fragment '{fragment.id}'", plain_text(fragment.text))
            for fragment in topic.fragments
        ]
        for location, what, text in texts:
            missing = sorted(character for character in set(text) if _unprintable(character))
            if missing:
                named = ", ".join(f"{character} (U+{ord(character):04X})" for character in missing)
                warnings.append(
                    Problem(
                        location,
                        f"{what} has characters no installed font can print, so they come out as empty "
                        f"boxes: {named}; write them out in words, or install a font that has them",
                        "warning",
                    )
                )
    return tuple(warnings)


@functools.lru_cache(maxsize=1)
def installed_fonts() -> str:
    """Every installed font's file, family and style, one per line: outputs depend on them."""
    if shutil.which("fc-list") is None:
        return ""
    listing = subprocess.run(
        ["fc-list", "--format=%{file}|%{family}|%{style}|%{fontversion}\\n"], capture_output=True, text=True
    ).stdout
    return "\n".join(sorted(listing.splitlines()))
