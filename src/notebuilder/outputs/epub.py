"""booklet.epub: the booklet for e-readers, made by the bundled pandoc from EPUB-flavoured
HTML (chapters per section, the timeline, tables, mind maps as outlines, sources)."""

from __future__ import annotations

import errno
import os
import re
import shutil
import uuid
from html.parser import HTMLParser
from pathlib import Path

from ..errors import ToolError
from ..i18n import gettext, ngettext
from ..markup import DEVANAGARI_RUN, devanagari
from ..metrics import font_file
from ..mindmap import plan_sheets
from ..pool import scratch_folder
from ..render import layout_directories, render_epub_html
from .base import Output, RenderContext, WriteContext

STYLESHEET = "epub.css"


def stylesheet_text(root: Path) -> str | None:
    """The EPUB's stylesheet: the project's own layouts/epub.css, else notebuilder's."""
    for directory in layout_directories(root):
        if (directory / STYLESHEET).is_file():
            return (directory / STYLESHEET).read_text(encoding="utf-8")
    return None


def epub_metadata(document, author: str) -> dict[str, str]:
    """The EPUB's metadata; ``author`` names its creator when topic.yaml names none (an
    e-reader shows "Unknown" for a book without one)."""
    topic = document.topic
    language = topic.language
    metadata = {
        "title": topic.title + ": " + gettext(language, "revision notes"),
        "subtitle": f"{topic.paper} · {topic.subject}",
        "lang": language,
        "date": document.build_date,
        "identifier": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:" + topic.id)),
        "description": ngettext(
            language,
            "Revision notes on %(title)s, compiled from %(num)s source.",
            "Revision notes on %(title)s, compiled from %(num)s sources.",
            len(document.sources),
        )
        % {"title": topic.title, "num": len(document.sources)},
        "toc-title": gettext(language, "Contents"),  # the contents' heading, not the book's title again
        "cover-words": gettext(language, "Revision notes"),
    }
    # The student's own name, publisher and rights, when topic.yaml gives them; never "notebuilder".
    for name, value in (
        ("creator", topic.author or author),
        ("publisher", topic.publisher),
        ("rights", topic.rights),
    ):
        if value:
            metadata[name] = value
    return metadata


class Epub(Output):
    name = "booklet.epub"
    format = "epub"
    split_level = 1  # one file per section (a topic's sections are its first-level headings)

    def html(self, context: RenderContext, document) -> str:
        return render_epub_html(context.environment, document, plan_sheets(document), context.root)

    def metadata(self, document, author: str) -> dict[str, str]:
        return epub_metadata(document, author)

    def glossary(self, document) -> dict[str, str]:
        return {entry.term: entry.expansion for entry in document.topic.glossary}

    def render(self, context: RenderContext, document) -> dict:
        metadata = self.metadata(document, context.author)
        html = self.html(context, document)
        return {
            "html": html,
            "metadata": metadata,
            "stylesheet": stylesheet_text(context.root),
            "glossary": self.glossary(document),
            "split_level": self.split_level,
            "fonts": embedded_fonts(metadata["lang"], html),
        }

    def write(self, payload: dict, target: Path, context: WriteContext) -> None:
        cover = cover_image(payload["metadata"])
        write_epub(
            payload["html"],
            target,
            payload["metadata"],
            context.epoch,
            payload["stylesheet"],
            cover,
            payload["split_level"],
            payload["fonts"],
        )
        finish_epub(target, payload["glossary"], payload["metadata"]["lang"])


COVER_SIZE = (1600, 2400)  # e-reader libraries want at least 1600 px on the long side


def _font(query: str, size: int):
    """A Noto font by fontconfig pattern, at ``size`` pixels (Pillow's own font if none)."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(font_file(query), size)
    except (OSError, ValueError):
        return ImageFont.load_default(size)


def _weight(font_file: str) -> str:
    return "bold" if "Bold" in Path(font_file).name else "normal"


def cover_runs(text: str, family: str) -> list[tuple[str, str]]:
    """A cover line cut where its script changes, each piece with the family that has its
    letters: Noto's Devanagari families have no Latin capitals, its Latin ones no Devanagari
    ("GS2 · राजव्यवस्था" is drawn in two)."""
    runs: list[tuple[str, str]] = []
    for piece in re.split(r"([\u0900-\u097f\u200c\u200d]+(?:\s+[\u0900-\u097f\u200c\u200d]+)*)", text):
        if piece:
            runs.append((piece, f"{family} Devanagari" if devanagari(piece) else family))
    return runs


def _draw_line(
    draw, baseline: tuple[int, int], text: str, family: str, weight: str, size: int, fill: str
) -> None:
    """Draw a line from its baseline's left end, each script in its own font."""
    x, y = baseline
    for piece, piece_family in cover_runs(text, family):
        font = _font(f"{piece_family}:{weight}", size)
        draw.text((x, y), piece, font=font, fill=fill, anchor="ls")
        x += draw.textlength(piece, font=font)


# The fonts an e-book in a language embeds: a Kindle or Kobo may have no Devanagari font,
# and one that lacks conjuncts breaks every other word. (Fonts are system files, read like
# the ones WeasyPrint prints with; nothing is fetched.)
EMBEDDED_FONTS = {
    "hi": ("Noto Serif Devanagari", ("Noto Serif Devanagari:regular", "Noto Serif Devanagari:bold"))
}


def embedded_fonts(language: str, html: str = "") -> tuple[str, tuple[str, ...], str]:
    """The family and the font files an EPUB in ``language`` embeds, and what text is set
    in them: a Hindi book's whole text (``body``); in a book in English, its Hindi words
    (``[lang|="hi"]``: finish_epub marks each run of Devanagari so), which a reader with no
    Devanagari font would draw as boxes. None for a book all in English."""
    if language in EMBEDDED_FONTS:
        key, selector = language, "body"
    elif devanagari(html):
        key, selector = "hi", '[lang|="hi"]'
    else:
        return "", (), ""
    family, queries = EMBEDDED_FONTS[key]
    files = tuple(found for found in (font_file(query) for query in queries) if found.endswith(".ttf"))
    return family, files, selector


def cover_image(metadata: dict[str, str]) -> bytes:
    """The EPUB's cover, a PNG made from the title, the paper and subject (and the author):
    what a Kindle or Kobo library shows as the book's tile."""
    import io
    import textwrap

    from PIL import Image, ImageDraw

    width, height = COVER_SIZE
    image = Image.new("RGB", COVER_SIZE, "#1f3a5f")
    draw = ImageDraw.Draw(image)
    margin = 130
    draw.rectangle((margin, 300, width - margin, 306), fill="#e69f00")
    kicker = metadata.get("subtitle", "")
    _draw_line(draw, (margin, 256), kicker.upper(), "Noto Sans", "bold", 56, "#ffffff")
    title = metadata["title"].rsplit(": ", 1)[0]
    y = 420
    for line in textwrap.wrap(title, 16)[:6]:
        _draw_line(draw, (margin, y + 150), line, "Noto Serif", "bold", 150, "#ffffff")
        y += 185
    words = metadata.get("cover-words", "Revision notes")
    _draw_line(draw, (margin, y + 140), words, "Noto Sans", "regular", 80, "#cfd8e3")
    if metadata.get("creator"):
        _draw_line(draw, (margin, height - 230), metadata["creator"], "Noto Sans", "regular", 70, "#ffffff")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def write_epub(
    html: str,
    target: Path,
    metadata: dict[str, str],
    build_epoch: int,
    stylesheet: str | None = None,
    cover: bytes | None = None,
    split_level: int = 1,
    fonts: tuple[str, tuple[str, ...], str] = ("", (), ""),
) -> None:
    """Convert the EPUB-flavoured HTML to EPUB3 with the bundled pandoc, one file for each
    heading of ``split_level`` (an e-reader opens a small file at once).

    Pandoc would fetch whatever an ``src`` or stylesheet link names, so the HTML is
    refused if it references anything but its own anchors, and pandoc runs in an empty
    folder (holding only the stylesheet) with that folder as its only resource path.
    (``--sandbox`` would do the same but also freezes the EPUB's modified date at 1970.)
    """
    from ..pool import run_tool

    references = external_references(html)
    if references:
        raise ToolError(
            "the EPUB layout references files or URLs, which notebuilder does not fetch: "
            + ", ".join(references[:5])
        )
    arguments = [
        pandoc_path(),
        "--from=html",
        "--to=epub3",
        "--toc",
        "--toc-depth=2",
        f"--split-level={split_level}",
        "--resource-path=.",
        *([f"--css={STYLESHEET}"] if stylesheet is not None else []),
        *(["--epub-cover-image=cover.png"] if cover is not None else []),
        *(f"--epub-embed-font={Path(file).name}" for file in fonts[1]),
    ]
    for name, value in sorted(metadata.items()):
        if name != "cover-words":  # the cover's own line, drawn above
            arguments.append(f"--metadata={name}:{value}")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "SOURCE_DATE_EPOCH": str(build_epoch),  # dates inside the EPUB, and its zip entries
    }
    with scratch_folder("pandoc") as folder:
        family, files, selector = fonts
        for file in files:
            shutil.copyfile(file, Path(folder, Path(file).name))
        if files and stylesheet is not None:  # the embedded font, for the text it sets
            faces = "".join(
                f'@font-face {{ font-family: "{family}"; font-weight: {_weight(file)}; '
                f'src: url("../fonts/{Path(file).name}"); }}\n'
                for file in files
            )
            stylesheet = f'{faces}{selector} {{ font-family: "{family}", serif; }}\n{stylesheet}'
        if stylesheet is not None:
            Path(folder, STYLESHEET).write_text(stylesheet, encoding="utf-8")
        if cover is not None:
            Path(folder, "cover.png").write_bytes(cover)
        returncode, errors = run_tool(
            [*arguments, f"--output={target}"], html.encode("utf-8"), environment, folder
        )
    if returncode != 0:
        said = errors.decode("utf-8", "replace").strip()
        if "No space left on device" in said or "Disk quota exceeded" in said:
            # the output could not be written, as any other: named by the build, not by pandoc's backtrace
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise ToolError(f"pandoc failed: {said}")


ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityHazard", "none"),
    (
        "schema:accessibilitySummary",
        "A textual revision booklet with no images besides its cover: sections are chapters listed in the "
        "table of contents, every source marker is a note reference to its entry in the "
        "bibliography, the glossary defines each acronym the text marks, and each mind map is "
        "given as a nested list.",
    ),
)
BACK_MATTER = {"timeline", "comparisons", "figures", "glossary", "sources"}  # chapter ids
_CHAPTER = re.compile(r"EPUB/text/ch\d+\.xhtml")
_SOURCE_LINK = re.compile(r"ch\d+\.xhtml#source-\d+")
XHTML, OPS, OPF = (
    "http://www.w3.org/1999/xhtml",
    "http://www.idpf.org/2007/ops",
    "http://www.idpf.org/2007/opf",
)
_EPUB_TYPE = f"{{{OPS}}}type"
_NOT_MARKED = {
    f"{{{XHTML}}}{name}" for name in ("a", "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "dfn", "title")
}


def finish_epub(target: Path, glossary: dict[str, str], language: str = "en") -> None:
    """What pandoc leaves out, added to the EPUB it wrote, each file read and written as
    XML (the zip is rewritten entry by entry, with the same dates, so the bytes stay
    reproducible):

    * each chapter's ``<title>`` is its heading, not its file name;
    * front, body and back matter are marked, the sources are the ``bibliography`` with
      ``biblioentry`` items, the glossary a ``glossary`` whose terms are ``<dfn>``;
    * every source marker is a ``noteref`` (a Kindle or Kobo shows the source in a pop-up);
    * acronyms the glossary defines are ``<abbr title=…>`` in the text;
    * the landmarks name the start of the content, the back matter and the bibliography;
    * the accessibility metadata states what is true of this book (no images: no
      ``alternativeText`` claim) with a summary;
    * in a book not in Hindi, each run of Hindi words is marked ``lang="hi"``: a screen
      reader reads it as Hindi, and it is set in the embedded Devanagari font.

    The words it adds ("Cited in", the landmarks) are in the book's ``language``.
    """
    import zipfile

    with zipfile.ZipFile(target) as original:
        entries = [(info, original.read(info.filename)) for info in original.infolist()]
    roots = {info.filename: _xml(data) for info, data in entries if _CHAPTER.fullmatch(info.filename)}
    chapters = {}
    for name, root in roots.items():
        section = root.find(f".//{{{XHTML}}}section")
        chapters[name] = (section.get("id") or "") if section is not None else ""
    _link_notes_both_ways(roots, language)
    finished = []
    for info, data in entries:
        if info.filename in chapters:
            root = _finish_chapter(roots[info.filename], chapters[info.filename], glossary)
            data = _written(_hindi_marked(root) if language != "hi" else root)
        elif info.filename.endswith("nav.xhtml"):
            data = _written(_with_landmarks(_xml(data), chapters, language))
        elif info.filename.endswith(".opf"):
            data = _written(_finish_package(_xml(data)))
        finished.append((info, data))
    with zipfile.ZipFile(target, "w") as archive:
        for info, data in finished:
            archive.writestr(info, data, compress_type=info.compress_type)


def _xml(data: bytes):
    from lxml import etree

    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _written(root) -> bytes:
    from lxml import etree

    tree = root.getroottree()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype=tree.docinfo.doctype or None)


def _child(parent, tag: str, text: str | None = None, **attributes: str):
    """A new element at the end of ``parent``, in its namespaces (no prefix of its own)."""
    from lxml import etree

    namespace = tag[1:].partition("}")[0]
    element = etree.SubElement(parent, tag, attributes, nsmap={None: namespace})
    element.text = text
    return element


def _first_heading(root):
    return next((element for element in root.iter(f"{{{XHTML}}}h1", f"{{{XHTML}}}h2")), None)


def _finish_chapter(root, chapter: str, glossary: dict[str, str]):
    heading = _first_heading(root)
    title = root.find(f".//{{{XHTML}}}title")
    if heading is not None and title is not None:
        title.text = "".join(heading.itertext()).strip()
    body = root.find(f"{{{XHTML}}}body")
    if chapter in BACK_MATTER and body is not None:
        body.set(_EPUB_TYPE, "backmatter")
    section = root.find(f".//{{{XHTML}}}section[@id='{chapter}']")
    if chapter == "sources" and section is not None:
        section.set(_EPUB_TYPE, "bibliography")  # its entries are plain list items: biblioentry is deprecated
        section.set("role", "doc-bibliography")
    if chapter == "glossary" and section is not None:
        section.set(_EPUB_TYPE, "glossary")
        section.set("role", "doc-glossary")
        for term in list(section.iter(f"{{{XHTML}}}dt")):
            inside = list(term)
            definition = _child(term, f"{{{XHTML}}}dfn", term.text)
            definition.extend(inside)
            term.text = None
    if glossary and chapter != "glossary" and body is not None:
        _mark_acronyms(body, glossary)
    return root


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _hindi_marked(root):
    """Each run of Devanagari words in the chapter's body, outside what is marked Hindi
    already, in a ``<span lang="hi">``."""
    from lxml import etree

    body = root.find(f"{{{XHTML}}}body")
    if body is None:
        return root

    def in_hindi(element) -> bool:
        return any((ancestor.get("lang") or "").startswith("hi") for ancestor in element.iterancestors()) or (
            element.get("lang") or ""
        ).startswith("hi")

    def wrapped(text: str, parent, before) -> str:
        """The text up to its first run; the runs, and the text after each, as spans added
        after ``before`` (None: as the parent's first children)."""
        pieces = DEVANAGARI_RUN.split(text)
        runs = DEVANAGARI_RUN.findall(text)
        at = parent.index(before) + 1 if before is not None else 0
        for offset, (run, after) in enumerate(zip(runs, pieces[1:], strict=True)):
            span = etree.Element(f"{{{XHTML}}}span", {"lang": "hi", _XML_LANG: "hi"}, nsmap={None: XHTML})
            span.text, span.tail = run, after
            parent.insert(at + offset, span)
        return pieces[0]

    for element in list(body.iter(f"{{{XHTML}}}*")):
        if in_hindi(element) or element.tag in (f"{{{XHTML}}}script", f"{{{XHTML}}}style"):
            continue
        if element.text and devanagari(element.text):
            element.text = wrapped(element.text, element, None)
        for child in list(element):
            if child.tail and devanagari(child.tail):
                child.tail = wrapped(child.tail, element, child)
    return root


def _link_notes_both_ways(roots: dict, language: str = "en") -> None:
    """Make every source marker a note reference that Kindle and Kobo show in a pop-up:
    each link gets an id and is a ``noteref`` in superscript, and the source's entry in
    the bibliography links back to each place that cites it ("Cited in §2 (1, 2); Timeline";
    in a combined book, whose parts each number their sections, "Part 2 §1").
    """
    from lxml import etree

    cited: dict[str, list[tuple[str, list[str]]]] = {}  # source id -> [(where, [reference hrefs])]
    counts: dict[str, int] = {}
    part = ""  # the part being read, in a combined book: its files come in reading order
    for name in sorted(roots):
        root = roots[name]
        heading = _first_heading(root)
        title = "".join(heading.itertext()).strip() if heading is not None else ""
        number = re.match(r"(\d+)\.\s", title)
        opening = next((head for head in root.iter(f"{{{XHTML}}}h1") if _opens_part(head)), None)
        if opening is not None:
            number_of_part = "".join(opening.itertext()).strip().split(".", 1)[0]
            part = gettext(language, "Part %(number)s") % {"number": number_of_part} + " "
        if heading is opening and opening is not None:
            where = title
        else:
            where = f"{part}§{number[1]}" if number else title
        for link in list(root.iter(f"{{{XHTML}}}a")):
            target = link.get("href") or ""
            if not _SOURCE_LINK.fullmatch(target):
                continue
            source = target.partition("#")[2]
            counts[source] = counts.get(source, 0) + 1
            reference = f"ref-{source}-{counts[source]}"
            link.set("id", reference)
            link.set(_EPUB_TYPE, "noteref")
            link.set("role", "doc-noteref")
            places = cited.setdefault(source, [])
            if not places or places[-1][0] != where:
                places.append((where, []))
            places[-1][1].append(f"{Path(name).name}#{reference}")
            markers = link.getparent()
            if (
                markers is not None
                and markers.tag == f"{{{XHTML}}}span"
                and markers.get("class") == "markers"
            ):
                markers.tag = f"{{{XHTML}}}sup"
            elif markers is not None and markers.tag != f"{{{XHTML}}}sup":  # a bare "[1]" (figures list)
                raised = etree.Element(f"{{{XHTML}}}sup")
                link.addprevious(raised)
                raised.tail, link.tail = link.tail, None
                raised.append(link)
    for root in roots.values():
        for entry in root.iter(f"{{{XHTML}}}span"):
            citing = cited.get(entry.get("id") or "")
            if not citing or not (entry.get("id") or "").startswith("source-"):
                continue
            _add_text(entry, " " + gettext(language, "Cited in") + " ")
            for index, (where, references) in enumerate(citing):
                _add_text(entry, "; " if index else "")
                if len(references) == 1:
                    etree.SubElement(entry, f"{{{XHTML}}}a", href=references[0]).text = where
                    continue
                _add_text(entry, where + " (")
                for count, reference in enumerate(references, start=1):
                    _add_text(entry, ", " if count > 1 else "")
                    etree.SubElement(entry, f"{{{XHTML}}}a", href=reference).text = str(count)
                _add_text(entry, ")")
            _add_text(entry, ".")


def _opens_part(heading) -> bool:
    """Whether a heading is a combined book's part title (pandoc moves its id to the section
    it opens)."""
    holder = heading.getparent()
    ids = (heading.get("id") or "", holder.get("id") or "" if holder is not None else "")
    return any(name.startswith("part-") for name in ids)


def _add_text(parent, text: str) -> None:
    """Text at the end of ``parent``: after its last child, or inside it if it has none."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _mark_acronyms(body, glossary: dict[str, str]) -> None:
    """Wrap the glossary's acronyms in ``<abbr title=…>`` in the body's text (not in
    headings, links, other abbreviations or definitions), each occurrence of a term
    written in capitals."""
    terms = sorted(
        (term for term in glossary if re.fullmatch(r"[A-Z][A-Z0-9&+-]{1,9}", term)), key=len, reverse=True
    )
    if not terms:
        return
    pattern = re.compile(r"(?<![\w&#-])(" + "|".join(map(re.escape, terms)) + r")(?![\w-])")

    def marked(parent, text: str | None) -> tuple[str | None, list]:
        """The text before the first acronym, and an <abbr> for each (its tail the text
        after), made in ``parent`` (to be moved into place)."""
        if not text or not pattern.search(text):
            return text, []
        pieces = pattern.split(text)
        abbreviations = []
        for term, after in zip(pieces[1::2], pieces[2::2]):
            abbreviation = _child(parent, f"{{{XHTML}}}abbr", term, title=glossary[term])
            abbreviation.tail = after or None
            abbreviations.append(abbreviation)
        return pieces[0] or None, abbreviations

    def walk(element) -> None:
        children = list(element)
        element.text, added = marked(element, element.text)
        for position, abbreviation in enumerate(added):
            element.insert(position, abbreviation)
        for child in children:
            if child.tag not in _NOT_MARKED:
                walk(child)
            child.tail, added = marked(element, child.tail)
            for position, abbreviation in enumerate(added, start=element.index(child) + 1):
                element.insert(position, abbreviation)

    walk(body)


def _with_landmarks(root, chapters: dict[str, str], language: str = "en"):
    nav = next((nav for nav in root.iter(f"{{{XHTML}}}nav") if nav.get(_EPUB_TYPE) == "landmarks"), None)
    listing = nav.find(f"{{{XHTML}}}ol") if nav is not None else None
    if listing is None:
        return root

    def item(kind: str, label: str, href: str) -> None:
        if len(listing):
            listing[-1].tail = "\n    "  # one entry a line, as pandoc writes its own
        entry = _child(listing, f"{{{XHTML}}}li")
        entry.tail = "\n  "
        _child(entry, f"{{{XHTML}}}a", label, href=href, **{_EPUB_TYPE: kind})

    ordered = sorted(chapters.items())
    body = next((name for name, chapter in ordered if chapter not in BACK_MATTER), None)
    back = next((name for name, chapter in ordered if chapter in BACK_MATTER), None)
    if body:
        item("bodymatter", gettext(language, "Start of content"), body.removeprefix("EPUB/"))
    if back:
        item("backmatter", gettext(language, "Back matter"), back.removeprefix("EPUB/"))
    for name, chapter in ordered:
        if chapter == "sources":
            item("bibliography", gettext(language, "Sources"), name.removeprefix("EPUB/") + "#sources")
        if chapter == "glossary":
            item("glossary", gettext(language, "Glossary"), name.removeprefix("EPUB/") + "#glossary")
    return root


def _finish_package(root):
    """pandoc's accessibility claims replaced by ours (pandoc claims alternativeText always)."""
    metadata = root.find(f"{{{OPF}}}metadata")
    if metadata is None:
        return root
    for claim in list(metadata.iter(f"{{{OPF}}}meta")):
        if (claim.get("property") or "").startswith("schema:"):
            metadata.remove(claim)
    last = metadata[-1] if len(metadata) else None
    for name, value in ACCESSIBILITY:
        if last is not None:
            last.tail = "\n    "  # one claim a line, as pandoc writes its own
        last = _child(metadata, f"{{{OPF}}}meta", value, property=name)
    last.tail = "\n  "
    return root


def outputs(document) -> list[Output]:
    return [Epub()]


class _ReferenceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "srcset", "poster", "data") or (
                name == "href" and not (value or "").startswith("#")
            ):
                self.references.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and "url(" in value:
                self.references.append(f"<{tag} style={value!r}>")
        if tag in ("link", "base", "iframe", "object", "embed", "script", "img", "style"):
            self.references.append(f"<{tag}>")


# What any reference _ReferenceFinder finds must contain: without one, there is none.
_MAY_REFER = re.compile(
    r"<\s*(?:link|base|iframe|object|embed|script|img|style)\b|\b(?:src|srcset|poster|data)\s*="
    r"|url\(|\bhref\b(?!\s*=\s*[\"']?#)",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    """Every way the HTML could make pandoc read a file or URL (all our own layouts need is
    #anchors). HTML with nothing that could be one is not parsed (0.03 s a booklet)."""
    if not _MAY_REFER.search(html):
        return []
    finder = _ReferenceFinder()
    finder.feed(html)
    return list(dict.fromkeys(finder.references))
