"""How wide text prints: advance widths read from the installed font that fontconfig
picks for a family (``fc-match``), with fontTools. Not pure: it reads a font file, once
per family and process. Used where a layout must leave room for words it does not print
(a self-test's blanks)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata


@functools.cache
def font_file(query: str) -> str:
    """The file of the installed font fontconfig picks for ``query`` (e.g. "Noto Serif:bold");
    "" where there is no fontconfig."""
    if shutil.which("fc-match") is None:
        return ""
    found = subprocess.run(["fc-match", "--format=%{file}", query], capture_output=True, text=True)
    return found.stdout if found.returncode == 0 else ""


@functools.cache
def _advances(family: str) -> dict[int, float] | None:
    """Each character's advance in ems, in the font fontconfig picks for ``family``
    (e.g. "Noto Serif:bold"); None where there is no fontconfig or no such font."""
    path = font_file(family)
    if not path:
        return None
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(path, lazy=True, fontNumber=0)
        per_em = font["head"].unitsPerEm
        metrics = font["hmtx"]
        return {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    except Exception:  # an unreadable font: the caller estimates instead
        return None


def printed_width(text: str, family: str, *fallbacks: str) -> float | None:
    """The width of ``text`` set in ``family``, in ems: a character it lacks is taken from
    the first of ``fallbacks`` that has it (as the "Noto Serif Devanagari" a Hindi word is
    printed in), a vowel sign or other combining mark adds nothing, and a character no font
    has counts as one em; None if the font cannot be read. Conjuncts print narrower than
    their letters' sum: the width is an upper bound, which is what a blank needs."""
    advances = _advances(family)
    if advances is None:
        return None
    others = [found for found in map(_advances, fallbacks) if found is not None]
    width = 0.0
    for character in text:
        if unicodedata.category(character) == "Mn":
            continue
        code = ord(character)
        known = advances if code in advances else next((found for found in others if code in found), None)
        width += known[code] if known is not None else 1.0
    return width
