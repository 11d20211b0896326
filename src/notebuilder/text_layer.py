"""Words of a shaped script, Devanagari, given their own text in a printed PDF.

WeasyPrint writes one ToUnicode text per glyph for a whole file, taken from the first
cluster that drew it, and no ActualText. Devanagari draws a vowel sign before the consonant
it follows and one glyph for several letters (क्ष), so the same glyph stands for different
text in different words: ``pdftotext``, a search or a copy gave "शक्षा" for शिक्षा and split
मौलिक in two. (Graphviz's maps, through cairo, read right but were split at wide marks.)

Here each word drawn in a Devanagari font is read back to the text it was shaped from.
Each glyph drawn is traced to the installed font's glyph with the same outline and
advance; every Devanagari word of the HTML is shaped with HarfBuzz in that font; and a
word whose glyphs are exactly those of a shaped word is wrapped in a marked-content span
whose ActualText is the word. A word that matches nothing keeps the text the PDF gave it:
the glyphs alone never decide what it says.

Not pure: it reads installed font files.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from dataclasses import dataclass
from typing import Any

from .markup import devanagari
from .metrics import glyph_outline, installed_font, installed_outline

# Devanagari's letters, signs and digits (its dandas stand apart, as punctuation: another
# font may draw them), with the joiners that choose a conjunct's form.
_RUN_OF_LETTERS = re.compile("([\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\u200c\u200d]+)")
_SPACES = (" ", "\u00a0")


def shaped_words(texts: list[str]) -> list[str]:
    """Every way a word of ``texts`` with a Devanagari letter may be drawn in one font: the
    whole word between spaces, and each run of its pieces in and out of the script (where
    the font lacks a digit or a bracket, another font draws it)."""
    found: set[str] = set()
    for text in texts:
        for token in text.split():
            if not devanagari(token):
                continue
            pieces = [piece for piece in _RUN_OF_LETTERS.split(token) if piece]
            for start in range(len(pieces)):
                for end in range(start + 1, len(pieces) + 1):
                    found.add("".join(pieces[start:end]))
    return sorted(found)


def html_texts(html: str) -> tuple[list[str], list[str], str]:
    """The text of an HTML page, node by node and whole (a word may run across inline
    elements), with its style sheet's (generated content) and its pictures' (a mind map's
    words are its alt); the languages it names; and its own language."""
    import lxml.html

    root = lxml.html.fromstring(html)
    languages = sorted({str(value) for value in root.xpath("//@lang")} | {""})
    own = root.get("lang") or ""
    return [*root.itertext(), root.text_content(), *map(str, root.xpath("//@alt"))], languages, own


class _DrawnFont:
    """A font of the PDF that draws Devanagari: each glyph it draws traced to the installed
    font's, and the words that installed font may draw (its glyph ids to their text)."""

    def __init__(
        self,
        resource,
        embedded,
        codes_to_glyphs: list[int] | None,
        installed: str,
        shaping: _Shaping,
    ):
        self.resource = resource  # the PDF's font dictionary
        self.shown: set[int] = set()  # the codes the PDF draws with it
        self.embedded, self.embedded_glyphs = embedded, embedded.getGlyphSet()
        self.codes_to_glyphs = codes_to_glyphs
        self.installed = installed  # its PostScript name
        self.words, self.spaces, self.glyph_texts = shaping.words, shaping.spaces, shaping.glyph_texts
        self._traced: dict[int, int | None] = {}
        self._by_advance: dict[int, list[int]] | None = None

    def installed_glyph(self, code: int) -> int | None:
        """The installed font's glyph a code draws (None: no glyph has its outline)."""
        if code not in self._traced:
            self._traced[code] = self._trace(code)
        return self._traced[code]

    def _trace(self, code: int) -> int | None:
        mapped = self.codes_to_glyphs
        glyph = code if mapped is None else mapped[code] if code < len(mapped) else 0
        font, _ = installed_font(self.installed)
        order, installed_order = self.embedded.getGlyphOrder(), font.getGlyphOrder()
        if not 0 < glyph < len(order):
            return None  # .notdef, or no glyph at all
        drawn = glyph_outline(self.embedded, self.embedded_glyphs, order[glyph])
        # A subset that keeps the font's glyph ids (WeasyPrint's) has it at the same place.
        if glyph < len(installed_order) and drawn == installed_outline(
            self.installed, installed_order[glyph]
        ):
            return glyph
        if self._by_advance is None:  # a subset of its own order (cairo's): look it up
            self._by_advance = {}
            for index, name in enumerate(installed_order):
                self._by_advance.setdefault(font["hmtx"][name][0], []).append(index)
        same_advance = self._by_advance.get(drawn[0], [])
        outline_of = functools.partial(installed_outline, self.installed)
        return next((index for index in same_advance if outline_of(installed_order[index]) == drawn), None)


def add_actual_text(pdf: Any, html: str) -> None:
    """Give every Devanagari word that ``pdf`` (pikepdf, printed from ``html``: its pages
    and the drawings laid on them) draws its text, as an ActualText span around its glyphs."""
    if not devanagari(html):
        return
    texts, languages, own = html_texts(html)
    words = tuple(shaped_words(texts))
    # In a page not in Hindi, its Hindi words say so (a screen reader reads them as Hindi):
    # WeasyPrint tags no element with its language.
    properties = {} if own.startswith("hi") else {"Lang": "hi"}
    fonts: dict[tuple[int, int], _DrawnFont | None] = {}

    def font_of(resource) -> _DrawnFont | None:
        if (
            resource is None
            or resource.get("/Subtype") != "/Type0"
            or resource.get("/Encoding") != "/Identity-H"
        ):
            return None  # codes of two bytes, a glyph each
        if resource.objgen not in fonts:
            fonts[resource.objgen] = _drawing_devanagari(resource, words, tuple(languages))
        return fonts[resource.objgen]

    marked: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _mark_words(pdf, page.obj, page.Resources, font_of, properties)
        for drawing in page.Resources.get("/XObject", {}).values():
            if drawing.get("/Subtype") == "/Form" and drawing.objgen not in marked:
                marked.add(drawing.objgen)
                _mark_words(pdf, drawing, drawing.get("/Resources", page.Resources), font_of, properties)
    for font in fonts.values():
        if font is not None:
            _name_every_glyph(font)


def _name_every_glyph(font: _DrawnFont) -> None:
    """Give each glyph the PDF draws in ``font`` a text of its own where it has none: PDF/UA
    wants every glyph shown to map to text, and WeasyPrint maps a glyph drawn in a cluster
    after its first (a vowel sign drawn before its consonant) to nothing, cairo some to
    U+FFFD. (A word's ActualText is what reads; this is for a glyph alone.)"""
    if "/ToUnicode" not in font.resource:
        return
    texts = to_unicode(font.resource.ToUnicode.read_bytes())
    unnamed = [code for code in sorted(font.shown) if texts.get(code, "\ufffd") == "\ufffd"]
    for code in unnamed:
        glyph = font.installed_glyph(code)
        if glyph in font.glyph_texts:
            texts[code] = font.glyph_texts[glyph]
    if unnamed:
        font.resource.ToUnicode.write(to_unicode_cmap(texts))


def _drawing_devanagari(resource, words: tuple[str, ...], languages: tuple[str, ...]) -> _DrawnFont | None:
    """A PDF font (Type 0, TrueType outlines) that draws Devanagari, traced to the installed
    font it was cut from (by the PostScript name in its program, else in its own name)."""
    import pikepdf
    from fontTools.ttLib import TTFont

    described = resource.DescendantFonts[0]
    program = described.get("/FontDescriptor", {}).get("/FontFile2")
    embedded = TTFont(io.BytesIO(program.read_bytes()), lazy=True) if program is not None else None
    if embedded is None or "glyf" not in embedded:
        return None
    named = embedded["name"].getDebugName(6) if "name" in embedded else None
    postscript_name = named or str(resource.BaseFont)[1:].partition("+")[2]
    installed = installed_font(postscript_name)
    if installed is None or not any(devanagari(chr(code)) for code in installed[0].getBestCmap()):
        return None
    mapping = described.get("/CIDToGIDMap")
    codes_to_glyphs = None
    if isinstance(mapping, pikepdf.Stream):
        raw = mapping.read_bytes()
        codes_to_glyphs = [int.from_bytes(raw[index : index + 2], "big") for index in range(0, len(raw), 2)]
    return _DrawnFont(
        resource, embedded, codes_to_glyphs, postscript_name, _shaped(postscript_name, words, languages)
    )


@dataclass(frozen=True)
class _Shaping:
    """What an installed font draws the page's words with."""

    words: dict[tuple[int, ...], str]  # each word's glyph ids, to the word
    spaces: frozenset[int]  # its glyphs for a space and a no-break space
    glyph_texts: dict[int, str]  # a glyph's own text, where it is known


@functools.lru_cache(maxsize=8)
def _shaped(postscript_name: str, words: tuple[str, ...], languages: tuple[str, ...]) -> _Shaping:
    """The glyph ids HarfBuzz gives each word in the installed font (in each language the
    page names: a language may choose its own forms), and the text of each glyph: the
    character it is drawn for alone, else the letters its name spells in Adobe's glyph
    list ("uni093F.01" is ि), else what is left of a cluster's letters when its other
    glyphs have taken theirs (क्षा drawn as two glyphs, one of them ा: the other is क्ष)."""
    import uharfbuzz
    from fontTools.agl import toUnicode

    installed, path = installed_font(postscript_name)
    order = installed.getGlyphOrder()
    texts: dict[int, str] = {}
    for code, name in sorted(installed.getBestCmap().items()):
        texts.setdefault(installed.getGlyphID(name), chr(code))
    for glyph, name in enumerate(order):
        if glyph not in texts and toUnicode(name):
            texts[glyph] = toUnicode(name)
    font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(path.read_bytes())))
    shaped: dict[tuple[int, ...], str] = {}
    clusters: list[tuple[str, list[int]]] = []
    for language in languages:
        for word in words:
            buffer = uharfbuzz.Buffer()
            buffer.add_str(word)
            buffer.guess_segment_properties()
            if language:
                buffer.language = language
            uharfbuzz.shape(font, buffer, {})
            glyphs = tuple(info.codepoint for info in buffer.glyph_infos)
            shaped.setdefault(glyphs, word)
            starts = [*sorted({info.cluster for info in buffer.glyph_infos}), len(word)]
            for start, end in itertools.pairwise(starts):
                drawn = [info.codepoint for info in buffer.glyph_infos if info.cluster == start]
                clusters.append((word[start:end], drawn))
    # A mark that draws nothing, where a sign moved away stood, takes no letters.
    silent = {
        glyph
        for glyph, name in enumerate(order)
        if installed["hmtx"][name][0] == 0 and installed["glyf"][name].numberOfContours == 0
    }
    for _ in range(3):  # a glyph named in one cluster may leave another's alone unnamed
        for letters, drawn in clusters:
            unnamed = [glyph for glyph in drawn if glyph not in texts and glyph not in silent]
            if len(unnamed) == 1:
                left = list(letters)
                for glyph in drawn:
                    for letter in texts.get(glyph, ""):
                        if letter in left:
                            left.remove(letter)
                if left:
                    texts[unnamed[0]] = "".join(left)
    spaces = frozenset({font.get_nominal_glyph(ord(space)) for space in _SPACES} - {None})
    return _Shaping(shaped, spaces, texts)


def to_unicode(cmap: bytes) -> dict[int, str]:
    """The texts a ToUnicode CMap gives its codes (bfchar entries and simple ranges, as
    cairo and WeasyPrint write them; a code mapped to nothing is left out)."""
    text = cmap.decode("latin-1")
    hexadecimal = r"<([0-9a-fA-F]+)>\s*"
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, value in re.findall(hexadecimal * 2, block):
            found[int(code, 16)] = bytes.fromhex(value).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for first, last, value in re.findall(hexadecimal * 3, block):
            start = int(value, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                found[code] = chr(start + offset)
    return found


def to_unicode_cmap(texts: dict[int, str]) -> bytes:
    """A ToUnicode CMap giving two-byte codes their texts."""
    entries = [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>" for code, text in sorted(texts.items())]
    blocks = [entries[start : start + 100] for start in range(0, len(entries), 100)]  # at most 100 a block
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <ffff>",
            "endcodespacerange",
            *(f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar" for block in blocks),
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    ).encode("ascii")


def _mark_words(pdf, content_owner, resources, font_of, properties: dict[str, str]) -> None:
    """Rewrite a page's content (or a drawing's) so that each Devanagari word it draws
    stands in a span with its text (and ``properties``: its language). A word may be drawn
    by several text-showing operators (a mark raised with ``Ts``) and share one with
    others; operators are split at word edges, which draws the same glyphs at the same
    places."""
    import pikepdf

    fonts = resources.get("/Font", pikepdf.Dictionary())
    # ("glyph", its code, its font), ("move", a number of a TJ, None), ("op", the instruction, its operator)
    items: list[tuple[str, Any, Any]] = []
    font = None
    for instruction in pikepdf.parse_content_stream(content_owner):
        name, operands = str(instruction.operator), instruction.operands
        if name == "Tf":
            font = font_of(fonts.get(operands[0]))
        if name in ("TJ", "Tj") and font is not None:
            for part in operands[0] if name == "TJ" else [operands[0]]:
                if isinstance(part, pikepdf.String):
                    data = bytes(part)
                    codes = [data[index : index + 2] for index in range(0, len(data) - 1, 2)]
                    items.extend(("glyph", code, font) for code in codes)
                    font.shown.update(int.from_bytes(code, "big") for code in codes)
                else:
                    items.append(("move", part, None))
        else:
            items.append(("op", instruction, name))
    words = _words(items)
    if not words:
        return
    content: list = []
    shown: list = []

    def show() -> None:
        if shown:
            content.append(([pikepdf.Array(shown)], pikepdf.Operator("TJ")))
            shown.clear()

    last_items = {last for last, _, _ in words.values()}
    left_out = {index for _, _, dropped in words.values() for index in dropped}
    for index, (kind, value, _) in enumerate(items):
        if index in words:
            show()
            said = {
                "/ActualText": words[index][1],
                **{f"/{name}": value for name, value in properties.items()},
            }
            span = pikepdf.Dictionary({name: pikepdf.String(value) for name, value in said.items()})
            content.append(([pikepdf.Name.Span, span], pikepdf.Operator("BDC")))
        if index in left_out:
            pass
        elif kind == "op":
            show()
            content.append(value)
        else:
            shown.append(pikepdf.String(value) if kind == "glyph" else value)
        if index in last_items:
            show()
            content.append(([], pikepdf.Operator("EMC")))
    show()
    rewritten = pikepdf.unparse_content_stream(content)
    if isinstance(content_owner, pikepdf.Stream):
        content_owner.write(rewritten)
    else:
        content_owner.Contents = pdf.make_stream(rewritten)


def _words(items: list[tuple[str, Any, Any]]) -> dict[int, tuple[int, str, set[int]]]:
    """The words among the drawn glyphs whose text is known: first item → (last item, text,
    the items to leave out). A word is a run of glyphs of one font between spaces; only
    moves, raises (``Ts``) and spans of ActualText (cairo gives a cluster one) may stand
    inside it. A word's own text replaces its clusters' spans, which are left out."""
    spans = _actual_text_spans(items)
    inside = {index for pair in spans for index in pair}
    found: dict[int, tuple[int, str, set[int]]] = {}
    word: list[int] = []
    glyphs: list[int | None] = []

    def close() -> None:
        if word and None not in glyphs:
            text = items[word[0]][2].words.get(tuple(glyphs))
            first, last = word[0], word[-1]
            overlapping = [(opening, end) for opening, end in spans if opening <= last and end >= first]
            start = min([first, *(opening for opening, _ in overlapping)])
            stop = max([last, *(end for _, end in overlapping)])
            whole = all(index in word for index in range(start, stop + 1) if items[index][0] == "glyph")
            if text is not None and whole:
                found[start] = (stop, text, {index for pair in overlapping for index in pair})
        word.clear()
        glyphs.clear()

    for index, (kind, value, font) in enumerate(items):
        if kind == "glyph":
            if word and items[word[0]][2] is not font:
                close()
            glyph = font.installed_glyph(int.from_bytes(value, "big"))
            if glyph in font.spaces:
                close()
            else:
                word.append(index)
                glyphs.append(glyph)
        elif kind == "op" and font != "Ts" and index not in inside:
            close()
    close()
    return found


def _actual_text_spans(items: list[tuple[str, Any, Any]]) -> list[tuple[int, int]]:
    """The marked-content spans that give the glyphs inside them a text (no structure: no
    MCID), as the items that open and close them."""
    import pikepdf

    spans: list[tuple[int, int]] = []
    opened: list[tuple[int, bool]] = []
    for index, (kind, instruction, name) in enumerate(items):
        if kind != "op":
            continue
        if name in ("BMC", "BDC"):
            operands = instruction.operands
            properties = operands[1] if name == "BDC" and len(operands) > 1 else None
            text_only = isinstance(properties, pikepdf.Dictionary) and set(properties.keys()) == {
                "/ActualText"
            }
            opened.append((index, text_only))
        elif name == "EMC" and opened:
            opening, text_only = opened.pop()
            if text_only:
                spans.append((opening, index))
    return spans
