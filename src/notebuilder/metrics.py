"""Installed fonts, as fontconfig finds them: the file it picks for a family
(``fc-match``) or that has a PostScript name (``fc-list``), and how wide text prints in it
(advance widths, with fontTools). Not pure: it reads font files, once per font and process.
Used where a layout must leave room for words it does not print (a self-test's blanks) and
where a PDF's fonts are traced back to the fonts they were cut from."""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from pathlib import Path


@functools.cache
def font_file(query: str) -> str:
    """The file of the installed font fontconfig picks for ``query`` (e.g. "Noto Serif:bold");
    "" where there is no fontconfig."""
    if shutil.which("fc-match") is None:
        return ""
    found = subprocess.run(["fc-match", "--format=%{file}", query], capture_output=True, text=True)
    return found.stdout if found.returncode == 0 else ""


@functools.lru_cache(maxsize=16)
def installed_font(postscript_name: str):
    """The installed font with this PostScript name (fontTools, lazily read), or None."""
    from fontTools.ttLib import TTFont

    if shutil.which("fc-list") is None:
        return None
    listing = subprocess.run(
        ["fc-list", "--format=%{file}\n", f":postscriptname={postscript_name}"],
        capture_output=True,
        text=True,
    ).stdout.splitlines()  # a path may hold spaces
    files = sorted(line for line in listing if line.endswith((".ttf", ".otf")))
    if not files:
        return None
    font = TTFont(files[0], lazy=True)
    return (font, Path(files[0])) if "glyf" in font else None


def glyph_outline(font, glyphs, glyph_name: str) -> tuple:
    """What a glyph of a font (fontTools, and its glyph set) draws, its components drawn
    out, and how far it advances: the same for a glyph and its copy in any subset."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    pen = DecomposingRecordingPen(glyphs)
    glyphs[glyph_name].draw(pen)
    return font["hmtx"][glyph_name][0], tuple(pen.value)


@functools.lru_cache(maxsize=8192)
def installed_outline(postscript_name: str, glyph_name: str) -> tuple:
    """:func:`glyph_outline` of a glyph of the installed font with this PostScript name."""
    font, _ = installed_font(postscript_name)
    return glyph_outline(font, _installed_glyphs(postscript_name), glyph_name)


@functools.lru_cache(maxsize=16)
def _installed_glyphs(postscript_name: str):
    return installed_font(postscript_name)[0].getGlyphSet()


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
