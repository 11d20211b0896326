"""One font program for every drawing laid into a PDF that uses that font.

Graphviz (through cairo) embeds its own subset of each font in every drawing, so a sheet
of fourteen maps carried fourteen copies of the same Noto Sans glyphs. Here each drawing's
font is traced back to the installed font it was cut from (``fc-list``, by its PostScript
name), every glyph it draws is checked to be that font's glyph, outline and advance, and
all drawings of one font then share a single subset that keeps the font's glyph ids. A
simple TrueType font finds its glyphs through the shared subset's Unicode map, as before;
a CID font gets a CID-to-glyph map. A font that cannot be traced, or any of whose glyphs
differs, keeps its own program: the page must draw what Graphviz drew.

Not pure: it reads installed font files.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from .metrics import glyph_outline, installed_font, installed_outline
from .text_layer import to_unicode

_WIN_ANSI = bytes(range(256)).decode("cp1252", errors="replace")


def _same_glyph(subset, original, name: str, installed_name: str) -> bool:
    """Whether two glyphs are the same TrueType glyph, instructions, components and advance
    alike (the quick test; what they draw is compared when it fails)."""
    mine, theirs = subset["glyf"][name], original["glyf"][installed_name]
    if mine != theirs or subset["hmtx"][name][0] != original["hmtx"][installed_name][0]:
        return False
    components = mine.components if mine.isComposite() else []
    return all(_same_glyph(subset, original, part.glyphName, part.glyphName) for part in components)


@dataclass
class _Use:
    """One drawing's font: which installed glyph each of its glyph ids is."""

    descriptor: Any  # pikepdf dictionaries
    font: Any  # the font dictionary (its BaseFont renamed with the shared subset's tag)
    cid_to_glyph: dict[int, int] | None  # a CID font's map; None for a simple TrueType font
    unicodes: set[int] = field(default_factory=set)
    glyph_ids: set[int] = field(default_factory=set)


def _traced(font_dictionary) -> tuple[str, _Use] | None:
    """A drawing's font traced to the installed font it was cut from, glyph by glyph."""
    from fontTools.ttLib import TTFont

    cid = font_dictionary.get("/Subtype") == "/Type0"
    described = font_dictionary.DescendantFonts[0] if cid else font_dictionary
    descriptor = described.get("/FontDescriptor")
    if descriptor is None or "/FontFile2" not in descriptor:
        return None
    postscript_name = str(described.BaseFont)[1:].partition("+")[2] or str(described.BaseFont)[1:]
    installed = installed_font(postscript_name)
    if installed is None:
        return None
    original, _ = installed
    subset = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
    by_unicode = original.getBestCmap()
    subset_glyphs = subset.getGlyphSet()
    cid_to_glyph: dict[int, int] = {}
    use = _Use(descriptor, font_dictionary, cid_to_glyph if cid else None)
    if cid:
        if described.get("/CIDToGIDMap", "/Identity") != "/Identity" or "/ToUnicode" not in font_dictionary:
            return None
        drawn = to_unicode(font_dictionary.ToUnicode.read_bytes())
        pairs = [(code, subset.getGlyphOrder()[code], text) for code, text in drawn.items()]
    else:
        if font_dictionary.get("/Encoding") != "/WinAnsiEncoding" or "cmap" not in subset:
            return None
        cmap = subset.getBestCmap()
        pairs = [(code, cmap[ord(text)], text) for code, text in enumerate(_WIN_ANSI) if ord(text) in cmap]
    for code, glyph_name, text in pairs:
        if len(text) != 1 or ord(text) not in by_unicode:
            return None  # a ligature or an unmapped glyph: which installed glyph it is is unsure
        installed_name = by_unicode[ord(text)]
        if not _same_glyph(subset, original, glyph_name, installed_name) and glyph_outline(
            subset, subset_glyphs, glyph_name
        ) != installed_outline(postscript_name, installed_name):
            return None
        glyph_id = original.getGlyphID(installed_name)
        use.glyph_ids.add(glyph_id)
        if cid:
            cid_to_glyph[code] = glyph_id
        else:
            use.unicodes.add(ord(text))
    return postscript_name, use


def share_fonts(pdf, font_dictionaries) -> None:
    """Give every traced font among ``font_dictionaries`` (drawings' fonts in ``pdf``) the
    one subset of its installed font that all of them share."""
    import pikepdf
    from fontTools import subset as subsetting
    from fontTools.ttLib import TTFont

    by_font: dict[str, list[_Use]] = {}
    seen: set[tuple[int, int]] = set()
    for dictionary in font_dictionaries:
        if dictionary.objgen in seen:
            continue
        seen.add(dictionary.objgen)
        traced = _traced(dictionary)
        if traced is not None:
            by_font.setdefault(traced[0], []).append(traced[1])
    for postscript_name, uses in sorted(by_font.items()):
        _, path = installed_font(postscript_name)
        options = subsetting.Options()
        options.retain_gids = True
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.drop_tables += ["FFTM"]  # FontForge's timestamps, which the subsetter warns of
        subsetter = subsetting.Subsetter(options)
        subsetter.populate(
            gids=sorted({0}.union(*(use.glyph_ids for use in uses))),
            unicodes=sorted(set().union(*(use.unicodes for use in uses))),
        )
        font = TTFont(path, lazy=True, recalcTimestamp=False)  # the same glyphs, the same bytes
        for table in ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH"):  # the drawings are shaped already
            if table in font:
                del font[table]
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out, reorderTables=True)
        program = out.getvalue()
        stream = pdf.make_stream(program)
        stream.Length1 = len(program)
        tag = _tag(program)
        for use in uses:
            use.descriptor.FontFile2 = stream
            use.descriptor.FontName = pikepdf.Name(f"/{tag}+{postscript_name}")
            use.font.BaseFont = pikepdf.Name(f"/{tag}+{postscript_name}")
            if use.cid_to_glyph is not None:
                descendant = use.font.DescendantFonts[0]
                descendant.BaseFont = use.font.BaseFont
                last = max(use.cid_to_glyph, default=0)
                glyphs = b"".join(use.cid_to_glyph.get(cid, 0).to_bytes(2, "big") for cid in range(last + 1))
                descendant.CIDToGIDMap = pdf.make_stream(glyphs)


def _tag(program: bytes) -> str:
    """A subset's six-letter tag, from its bytes (the same subset, the same tag)."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
