"""The PDF back end: HTML printed by WeasyPrint, through its public API only.

WeasyPrint may read only from the layouts and output folders, never from the network or
elsewhere on disk (:func:`make_url_fetcher`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path


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
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "none")


def write_pdf(
    html: str,
    target: Path,
    base_directory: Path,
    allowed_directories: Sequence[Path],
    variant: str | None = None,
) -> int:
    """Print HTML to a PDF with WeasyPrint, whole (``variant``: e.g. "pdf/ua-1", tagged with
    its structure, language and title shown); returns the page count."""
    document = lay_out_pages(html, base_directory, allowed_directories)
    document.write_pdf(
        target, pdf_variant=variant if variant not in (None, "none") else None, finisher=_shows_bookmarks
    )
    return len(document.pages)


def _shows_bookmarks(document, pdf) -> None:
    """A WeasyPrint finisher: the PDF opens with its bookmarks (the outline) shown."""
    pdf.catalog["PageMode"] = "/UseOutlines"


CSS_PX_PT = 0.75  # WeasyPrint lays out in CSS pixels; a PDF measures in points


def write_pdf_with_drawings(
    html: str,
    target: Path,
    base_directory: Path,
    allowed_directories: Sequence[Path],
    drawings: dict[str, bytes],
) -> int:
    """Print HTML with WeasyPrint (untagged), then lay each drawing, a one-page PDF, into
    the box of the element whose id it is keyed by (scaled to fit, centred); the PDF opens
    showing its title and bookmarks.

    A mind map drawn by Graphviz itself costs a fraction of WeasyPrint drawing its SVG
    text letter by letter; WeasyPrint still sets the page, its header and its type.
    An element the layout does not show gets no drawing."""
    import io

    import pikepdf

    document = lay_out_pages(html, base_directory, allowed_directories)
    frame = io.BytesIO()
    document.write_pdf(frame)
    with pikepdf.open(frame) as pdf:
        for number, page in enumerate(document.pages):
            for name, drawing in sorted(drawings.items()):
                if name not in page.anchors:
                    continue
                left, top, right, bottom = (value * CSS_PX_PT for value in page.anchors[name])
                page_height = page.height * CSS_PX_PT  # PDF's y runs up from the page's foot
                slot = pikepdf.Rectangle(left, page_height - bottom, right, page_height - top)
                with pikepdf.open(io.BytesIO(drawing)) as picture:
                    drawn = pdf.copy_foreign(picture.pages[0].as_form_xobject())
                    _lay_onto(pdf.pages[number], drawn, slot, pikepdf.Name(f"/Drawing-{name}"))
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


def _lay_onto(page, drawing, slot, name) -> None:
    """Draw a form XObject over the page, fitted into ``slot``, under the resource ``name``
    (pikepdf's add_overlay picks a random one: the same notes would not give the same bytes)."""
    import pikepdf

    # WeasyPrint's pages share one resource dictionary: a drawing added to it would be
    # every page's, and a page taken out alone would carry every drawing.
    shared = page.obj.Resources
    own = pikepdf.Dictionary(dict(shared.items()))
    own.XObject = pikepdf.Dictionary(dict(shared.get("/XObject", {}).items()))
    page.obj.Resources = own
    name = page.add_resource(drawing, pikepdf.Name.XObject, name)
    placed = page.calc_form_xobject_placement(drawing, name, slot, allow_shrink=True, allow_expand=True)
    page.contents_add(b"q\n", prepend=True)  # the page's own drawing state ends before the drawing
    page.contents_add(b"Q\n" + placed)
