"""booklet.epub: the booklet for e-readers, made by the bundled pandoc from EPUB-flavoured
HTML (chapters per section, the timeline, tables, mind maps as outlines, sources)."""

from __future__ import annotations

import functools
import os
import re
import tempfile
import uuid
from html.parser import HTMLParser
from pathlib import Path

from ..errors import ToolError
from ..mindmap import plan_sheets
from ..render import layout_directories, render_epub_html
from .base import Output, RenderContext, WriteContext

STYLESHEET = "epub.css"


def stylesheet_text(root: Path) -> str | None:
    """The EPUB's stylesheet: the project's own layouts/epub.css, else notebuilder's."""
    for directory in layout_directories(root):
        if (directory / STYLESHEET).is_file():
            return (directory / STYLESHEET).read_text(encoding="utf-8")
    return None


def epub_metadata(document) -> dict[str, str]:
    topic = document.topic
    metadata = {
        "title": f"{topic.title}: revision notes",
        "subtitle": f"{topic.paper} · {topic.subject}",
        "lang": topic.language,
        "date": document.build_date,
        "identifier": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:" + topic.id)),
        "description": f"Revision notes on {topic.title}, compiled from {len(document.sources)} sources.",
    }
    # The student's own name, publisher and rights, when topic.yaml gives them; never "notebuilder".
    for name, value in (("creator", topic.author), ("publisher", topic.publisher), ("rights", topic.rights)):
        if value:
            metadata[name] = value
    return metadata


class Epub(Output):
    name = "booklet.epub"
    format = "epub"

    def html(self, context: RenderContext, document) -> str:
        return render_epub_html(context.environment, document, plan_sheets(document), context.root)

    def metadata(self, document) -> dict[str, str]:
        return epub_metadata(document)

    def glossary(self, document) -> dict[str, str]:
        return {entry.term: entry.expansion for entry in document.topic.glossary}

    def render(self, context: RenderContext, document) -> dict:
        return {
            "html": self.html(context, document),
            "metadata": self.metadata(document),
            "stylesheet": stylesheet_text(context.root),
            "glossary": self.glossary(document),
        }

    def write(self, payload: dict, target: Path, context: WriteContext) -> None:
        cover = cover_image(payload["metadata"])
        write_epub(payload["html"], target, payload["metadata"], context.epoch, payload["stylesheet"], cover)
        finish_epub(target, payload["glossary"])


COVER_SIZE = (1600, 2400)  # e-reader libraries want at least 1600 px on the long side


@functools.lru_cache(maxsize=8)
def _font_file(query: str) -> str:
    import subprocess

    try:
        return subprocess.run(["fc-match", "-f", "%{file}", query], capture_output=True, text=True).stdout
    except OSError:
        return ""


def _font(query: str, size: int):
    """A Noto font by fontconfig pattern, at ``size`` pixels (Pillow's own font if none)."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(_font_file(query), size)
    except (OSError, ValueError):
        return ImageFont.load_default(size)


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
    draw.text((margin, 200), kicker.upper(), font=_font("Noto Sans:bold", 56), fill="#ffffff")
    title = metadata["title"].removesuffix(": revision notes").removesuffix(": combined revision book")
    title_font = _font("Noto Serif:bold", 150)
    y = 420
    for line in textwrap.wrap(title, 16)[:6]:
        draw.text((margin, y), line, font=title_font, fill="#ffffff")
        y += 185
    draw.text((margin, y + 60), "Revision notes", font=_font("Noto Sans", 80), fill="#cfd8e3")
    if metadata.get("creator"):
        draw.text((margin, height - 300), metadata["creator"], font=_font("Noto Sans", 70), fill="#ffffff")
    draw.text((margin, height - 190), "notebuilder", font=_font("Noto Sans", 48), fill="#8fa6bf")
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
) -> None:
    """Convert the EPUB-flavoured HTML to EPUB3 with the bundled pandoc.

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
        "--split-level=1",
        "--resource-path=.",
        *([f"--css={STYLESHEET}"] if stylesheet is not None else []),
        *(["--epub-cover-image=cover.png"] if cover is not None else []),
    ]
    for name, value in sorted(metadata.items()):
        arguments.append(f"--metadata={name}:{value}")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "SOURCE_DATE_EPOCH": str(build_epoch),  # dates inside the EPUB, and its zip entries
    }
    with tempfile.TemporaryDirectory(prefix="notebuilder-pandoc-") as folder:
        if stylesheet is not None:
            Path(folder, STYLESHEET).write_text(stylesheet, encoding="utf-8")
        if cover is not None:
            Path(folder, "cover.png").write_bytes(cover)
        returncode, errors = run_tool(
            [*arguments, f"--output={target}"], html.encode("utf-8"), environment, folder
        )
    if returncode != 0:
        raise ToolError(f"pandoc failed: {errors.decode('utf-8', 'replace').strip()}")


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


def finish_epub(target: Path, glossary: dict[str, str]) -> None:
    """What pandoc leaves out, added to the EPUB it wrote (the zip is rewritten entry by
    entry, with the same dates, so the bytes stay reproducible):

    * each chapter's ``<title>`` is its heading, not its file name;
    * front, body and back matter are marked, the sources are the ``bibliography`` with
      ``biblioentry`` items, the glossary a ``glossary`` whose terms are ``<dfn>``;
    * every source marker is a ``noteref`` (a Kindle or Kobo shows the source in a pop-up);
    * acronyms the glossary defines are ``<abbr title=…>`` in the text;
    * the landmarks name the start of the content, the back matter and the bibliography;
    * the accessibility metadata states what is true of this book (no images: no
      ``alternativeText`` claim) with a summary.
    """
    import zipfile

    with zipfile.ZipFile(target) as original:
        entries = [(info, original.read(info.filename)) for info in original.infolist()]
    chapters = {}
    for info, data in entries:
        if _CHAPTER.fullmatch(info.filename):
            text = data.decode("utf-8")
            found = re.search(r'<section id="([^"]+)"', text)
            chapters[info.filename] = found[1] if found else ""
    landmarks = _landmarks(chapters)
    finished = []
    for info, data in entries:
        if info.filename in chapters:
            data = _finish_chapter(data.decode("utf-8"), chapters[info.filename], glossary).encode("utf-8")
        elif info.filename.endswith("nav.xhtml"):
            text = data.decode("utf-8")
            data = text.replace("  </ol>\n</nav>", landmarks + "  </ol>\n</nav>", 1).encode("utf-8")
        elif info.filename.endswith(".opf"):
            data = _finish_package(data.decode("utf-8")).encode("utf-8")
        finished.append((info, data))
    with zipfile.ZipFile(target, "w") as archive:
        for info, data in finished:
            archive.writestr(info, data, compress_type=info.compress_type)


def _plain(html: str) -> str:
    import html as entities

    return entities.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def _finish_chapter(text: str, chapter: str, glossary: dict[str, str]) -> str:
    import html as entities

    heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    if heading:
        text = re.sub(
            r"<title>[^<]*</title>", f"<title>{entities.escape(_plain(heading[1]))}</title>", text, count=1
        )
    if chapter in BACK_MATTER:
        text = text.replace('<body epub:type="bodymatter">', '<body epub:type="backmatter">', 1)
    if chapter == "sources":
        text = text.replace(
            '<section id="sources" class="level1">',
            '<section id="sources" class="level1" epub:type="bibliography" role="doc-bibliography">',
            1,
        )
        text = re.sub(r'<li><span id="(source-\d+)">', r'<li epub:type="biblioentry"><span id="\1">', text)
    if chapter == "glossary":
        text = text.replace(
            '<section id="glossary" class="level1">',
            '<section id="glossary" class="level1" epub:type="glossary" role="doc-glossary">',
            1,
        )
        text = re.sub(r"<dt>(.*?)</dt>", r"<dt><dfn>\1</dfn></dt>", text, flags=re.S)
    text = re.sub(
        r'<a href="(ch\d+\.xhtml#source-\d+)">', r'<a href="\1" epub:type="noteref" role="doc-noteref">', text
    )
    if glossary and chapter != "glossary":
        text = _marked_acronyms(text, glossary)
    return text


def _marked_acronyms(text: str, glossary: dict[str, str]) -> str:
    """Wrap the glossary's acronyms in ``<abbr title=…>`` in the body's text (not in tags,
    headings, links or titles), each occurrence of a term written in capitals."""
    import html as entities

    terms = sorted(
        (term for term in glossary if re.fullmatch(r"[A-Z][A-Z0-9&+-]{1,9}", term)), key=len, reverse=True
    )
    if not terms:
        return text
    pattern = re.compile(r"(?<![\w&#-])(" + "|".join(map(re.escape, terms)) + r")(?![\w-])")
    head, body = text.split("<body", 1)
    parts = re.split(r"(<[^>]+>)", body)
    skip = 0  # inside <a>, <h1>…<h6>, <abbr>, <dfn>: leave as they are
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", part)
            if name and name[1] in ("a", "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "dfn", "title"):
                skip += -1 if part.startswith("</") else 1
            continue
        if skip == 0 and index > 0:
            parts[index] = pattern.sub(
                lambda found: f'<abbr title="{entities.escape(glossary[found[1]])}">{found[1]}</abbr>', part
            )
    return head + "<body" + "".join(parts)


def _landmarks(chapters: dict[str, str]) -> str:
    def item(kind: str, label: str, href: str) -> str:
        return f'    <li>\n      <a href="{href}" epub:type="{kind}">{label}</a>\n    </li>\n'

    ordered = sorted(chapters.items())
    links = ""
    body = next((name for name, chapter in ordered if chapter not in BACK_MATTER), None)
    back = next((name for name, chapter in ordered if chapter in BACK_MATTER), None)
    if body:
        links += item("bodymatter", "Start of content", body.removeprefix("EPUB/"))
    if back:
        links += item("backmatter", "Back matter", back.removeprefix("EPUB/"))
    for name, chapter in ordered:
        if chapter == "sources":
            links += item("bibliography", "Sources", name.removeprefix("EPUB/") + "#sources")
        if chapter == "glossary":
            links += item("glossary", "Glossary", name.removeprefix("EPUB/") + "#glossary")
    return links


def _finish_package(text: str) -> str:
    """pandoc's accessibility claims replaced by ours (pandoc claims alternativeText always)."""
    import html as entities

    text = re.sub(r'\s*<meta property="schema:[^"]+">[^<]*</meta>', "", text)
    ours = "".join(
        f'\n    <meta property="{name}">{entities.escape(value)}</meta>' for name, value in ACCESSIBILITY
    )
    return text.replace("\n  </metadata>", ours + "\n  </metadata>", 1)


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
