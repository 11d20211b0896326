"""The PDF back end: HTML printed by WeasyPrint, through its public API only.

WeasyPrint may read only from the layouts and output folders, never from the network or
elsewhere on disk (:func:`make_url_fetcher`).
"""

from __future__ import annotations

import functools
import io
import itertools
import os
from collections.abc import Sequence
from pathlib import Path

from .markup import devanagari
from .text_layer import add_actual_text


def _inside(path: Path, directories: Sequence[Path]) -> bool:
    return any(path == directory or directory in path.parents for directory in directories)


def make_url_fetcher(allowed_directories: Sequence[Path]):
    """A WeasyPrint URL fetcher that serves data: URLs and files under the allowed folders only."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    allowed = [directory.resolve() for directory in allowed_directories]

    class ProjectURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if _inside(path, allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"notebuilder fetches nothing outside the project: {url}")

    return ProjectURLFetcher(allowed_protocols=("file", "data"), timeout=1)


def lay_out_pages(html: str, base_directory: Path, allowed_directories: Sequence[Path]):
    """WeasyPrint's laid-out document, fetching only inside the allowed folders."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(
        string=html, base_url=base_directory.as_uri() + "/", url_fetcher=make_url_fetcher(allowed_directories)
    ).render(font_config=_font_configuration(os.getpid()))


@functools.cache
def _font_configuration(process: int):
    """One WeasyPrint font configuration for the documents one process prints (3-4% of a
    booklet's printing): the system's fonts as fontconfig found them when the process
    first printed. Workers live for one build, so a font installed between builds is
    found; a process forked from one that printed makes its own."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# Offered by --pdf-variant. Tagged PDF/UA-1 by default: it costs 11–13% more time on the
# shipped booklet (`make bench`: tagged/untagged), under the 15% a default may cost.
# PDF/A-3a archives and stays tagged (PDF/A-3b archived untagged: choosing to archive cost
# a screen reader its structure); "pdf/a-3b" is kept for whoever scripted it.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3a", "pdf/a-3b", "none")


def write_pdf(
    html: str,
    target: Path,
    base_directory: Path,
    allowed_directories: Sequence[Path],
    variant: str | None = None,
) -> int:
    """Print HTML to a PDF with WeasyPrint, whole (``variant``: e.g. "pdf/ua-1", tagged with
    its structure, language and title shown; Devanagari words carry their text,
    :mod:`.text_layer`); returns the page count."""
    document = lay_out_pages(html, base_directory, allowed_directories)
    tagged = variant not in (None, "none")
    printed = io.BytesIO() if devanagari(html) else target
    document.write_pdf(
        printed,
        pdf_variant=variant if tagged else None,
        finisher=functools.partial(_finish, link_descriptions(html) if tagged else {}),
    )
    if printed is not target:
        import pikepdf

        with pikepdf.open(printed) as pdf:
            add_actual_text(pdf, html)
            save_pdf(pdf, target)
    return len(document.pages)


def link_descriptions(html: str) -> dict[str, str]:
    """What each link target is, in words, for a screen reader: a link's ``aria-label``, else
    its text (the first link to a target names it: a contents entry names its section)."""
    import lxml.html

    descriptions: dict[str, str] = {}
    for link in lxml.html.fromstring(html).iter("a"):
        href = link.get("href", "")
        target = href[1:] if href.startswith("#") else href
        words = link.get("aria-label") or " ".join(link.text_content().split())
        if target and words:
            descriptions.setdefault(target, words)
    return descriptions


def _finish(descriptions: dict[str, str], document, pdf) -> None:
    """A WeasyPrint finisher: the PDF opens with its bookmarks shown; in a tagged PDF, each
    link is described in words (not by its target's id) and printed as shown, and each
    table header cell says whether it heads a column or a row."""
    import pydyf

    pdf.catalog["PageMode"] = "/UseOutlines"
    objects = [item for item in pdf.objects if isinstance(item, pydyf.Dictionary)]
    by_reference = {item.reference: item for item in objects}
    for item in objects:
        if item.get("Subtype") == "/Link" and "StructParent" in item:
            item["F"] = 4  # printed, as it is shown on screen
            target = item.get("Dest") or item.get("A", {}).get("URI")
            if isinstance(target, pydyf.String) and target.string in descriptions:
                item["Contents"] = pydyf.String(descriptions[target.string])
        elif item.get("S") == "/TH" and isinstance(item.get("A"), pydyf.Dictionary):
            row = by_reference.get(item.get("P"))
            group = by_reference.get(row.get("P")) if row is not None else None
            in_head = group is not None and group.get("S") == "/THead"
            item["A"]["Scope"] = "/Column" if in_head else "/Row"


def structure_of_page(pdf, number: int) -> list:
    """The structure elements of a tagged PDF's page, indexed by marked-content id."""
    import pikepdf

    page = pdf.pages[number].obj
    if "/StructParents" not in page:
        return []
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    return list(tree.get(int(page.StructParents), pikepdf.Array()))


CSS_PX_PT = 0.75  # WeasyPrint lays out in CSS pixels; a PDF measures in points


def write_pdf_with_drawings(
    html: str,
    target: Path,
    base_directory: Path,
    allowed_directories: Sequence[Path],
    drawings: dict[str, bytes],
    variant: str | None = None,
) -> int:
    """Print HTML with WeasyPrint (in ``variant``, as :func:`write_pdf`; Devanagari words
    carry their text, :mod:`.text_layer`), then lay each
    drawing, a one-page PDF, into the box of the element whose id it is keyed by (scaled to
    fit, centred); the PDF opens showing its title and bookmarks. In a tagged PDF the
    element stands for the drawing (an ``img`` with its ``alt``: a Figure with its
    alternative text), and the drawing is marked as that Figure's content.

    A mind map drawn by Graphviz itself costs a fraction of WeasyPrint drawing its SVG
    text letter by letter; WeasyPrint still sets the page, its header and its type.
    An element the layout does not show gets no drawing."""
    import io

    import pikepdf

    from .shared_fonts import share_fonts

    document = lay_out_pages(html, base_directory, allowed_directories)
    frame = io.BytesIO()
    tagged = variant not in (None, "none")
    document.write_pdf(frame, pdf_variant=variant if tagged else None)
    with pikepdf.open(frame) as pdf:
        fonts: list = []  # the drawings' fonts, which share their programs
        for number, page in enumerate(document.pages):
            shown = sorted((page.anchors[name][1], name) for name in drawings if name in page.anchors)
            figures = _figures(pdf, number) if tagged else []
            for (_, name), figure in itertools.zip_longest(shown, figures[: len(shown)]):
                left, top, right, bottom = (value * CSS_PX_PT for value in page.anchors[name])
                page_height = page.height * CSS_PX_PT  # PDF's y runs up from the page's foot
                slot = pikepdf.Rectangle(left, page_height - bottom, right, page_height - top)
                with pikepdf.open(io.BytesIO(drawings[name])) as picture:
                    drawn = pdf.copy_foreign(picture.pages[0].as_form_xobject())
                    fonts.extend(drawn.get("/Resources", pikepdf.Dictionary()).get("/Font", {}).values())
                    marked = _marked_as(pdf, number, figure) if tagged else None
                    _lay_onto(pdf.pages[number], drawn, slot, pikepdf.Name(f"/Drawing-{name}"), marked)
        share_fonts(pdf, fonts)
        add_actual_text(pdf, html)
        pdf.Root.PageMode = pikepdf.Name.UseOutlines  # opens with its bookmarks shown, as write_pdf's
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        save_pdf(pdf, target)
        return len(pdf.pages)


def save_pdf(pdf, target: Path) -> None:
    """Save a pikepdf document through Python's own file writing: qpdf, saving itself,
    aborts the process on a full disk, and leaves its own temporaries beside the file."""
    import io

    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    target.write_bytes(buffer.getbuffer())


def _figures(pdf, number: int) -> list:
    """A tagged page's Figure elements, in the order their content is painted."""
    seen: list = []
    for element in structure_of_page(pdf, number):
        if element.get("/S") == "/Figure" and all(element.objgen != other.objgen for other in seen):
            seen.append(element)
    return seen


def _marked_as(pdf, number: int, figure) -> bytes:
    """The marked-content opening that makes a drawing on the page part of ``figure`` (a
    new marked-content id, recorded in the page's structure); an artifact if no figure
    stands for it."""
    import pikepdf

    if figure is None:
        return b"/Artifact BMC\n"
    page = pdf.pages[number].obj
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    marked = tree[int(page.StructParents)]
    mcid = len(marked)
    marked.append(figure)
    tree[int(page.StructParents)] = marked
    kids = figure.get("/K", pikepdf.Array())
    figure.K = pikepdf.Array([*(kids if isinstance(kids, pikepdf.Array) else [kids]), mcid])
    return b"/Figure <</MCID %d>> BDC\n" % mcid


def _lay_onto(page, drawing, slot, name, marked: bytes | None = None) -> None:
    """Draw a form XObject over the page, fitted into ``slot``, under the resource ``name``
    (pikepdf's add_overlay picks a random one: the same notes would not give the same bytes),
    inside the marked content ``marked`` opens (in a tagged PDF: as its figure, or an
    artifact). Graphviz's fonts name no CID-to-glyph map, which PDF/UA wants named: it is
    the identity, the default."""
    import pikepdf

    # WeasyPrint's pages share one resource dictionary: a drawing added to it would be
    # every page's, and a page taken out alone would carry every drawing.
    shared = page.obj.Resources
    own = pikepdf.Dictionary(dict(shared.items()))
    own.XObject = pikepdf.Dictionary(dict(shared.get("/XObject", {}).items()))
    page.obj.Resources = own
    name = page.add_resource(drawing, pikepdf.Name.XObject, name)
    placed = page.calc_form_xobject_placement(drawing, name, slot, allow_shrink=True, allow_expand=True)
    for font in drawing.get("/Resources", {}).get("/Font", {}).values():
        for descendant in font.get("/DescendantFonts", []):
            if descendant.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in descendant:
                descendant.CIDToGIDMap = pikepdf.Name.Identity
    page.contents_add(b"q\n", prepend=True)  # the page's own drawing state ends before the drawing
    if marked is None:
        page.contents_add(b"Q\n" + placed)
    else:
        page.contents_add(b"Q\n" + marked + placed + b"\nEMC\n")
