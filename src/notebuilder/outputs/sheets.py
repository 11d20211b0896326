"""The one-page mind-map sheets: ``mindmaps/<sheet>.pdf`` for the overview and each
section, and ``mindmaps.pdf``, all of them in one file to print.

Each sheet is its own output, so an edit re-renders only the sheets whose maps show it.
A sheet's map is laid out by Graphviz once, before anything is written (a map too full
to print is a mistake in the notes), and kept in the layout cache by its DOT source;
``mindmaps.pdf``, which changes whenever a sheet does, lays out all the maps not kept
in one Graphviz run per core.

WeasyPrint prints the sheet's page around an empty slot the map's size, and the map, as
Graphviz drew it in PDF from that same layout, is laid into the slot. ``mindmaps.pdf``
is not drawn again: it is the single sheets' pages put together, with one bookmark per
sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..mindmap import MindMapSheet, lay_out_sheet, lay_out_sheets, layout_key, plan_sheets
from ..render import render_mindmap
from .base import Output, RenderContext, WriteContext

MAP_PLACEHOLDER = "<!--notebuilder:map-->"  # where a sheet's laid-out map goes (notes text is escaped)
MAP_SLOT = "notebuilder-map"  # the id of the empty box the printed map is laid into


@dataclass(frozen=True)
class SheetPage:
    """A sheet's page with a placeholder for its map, and the map to lay out."""

    page: str
    sheet: MindMapSheet
    layout: str  # the map's layout key: its DOT source, digested
    cache: Path | None  # where laid-out maps are kept


def sheet_file(sheet: MindMapSheet, number: int) -> str:
    """A sheet's file, numbered so that the files sort in reading order: ``mindmaps/00-overview.pdf``,
    ``mindmaps/01-history.pdf``…"""
    return f"mindmaps/{number - 1:02d}-{sheet.id}.pdf"


class Sheet(Output):
    """One mind-map sheet, one A4 landscape page: a picture, untagged (its words are read
    from the booklet, and mindmaps.pdf joins its pages)."""

    format = "pdf"

    def __init__(self, sheet: MindMapSheet, number: int, count: int) -> None:
        self.sheet, self.number, self.count = sheet, number, count
        self.name = sheet_file(sheet, number)

    def render(self, context: RenderContext, document) -> SheetPage:
        page = render_mindmap(
            context.environment, document, self.sheet, self.number, self.count, MAP_PLACEHOLDER, context.root
        )
        return SheetPage(page, self.sheet, layout_key(self.sheet), context.layout_cache)

    def fingerprint(self, payload: SheetPage) -> str:
        return payload.page + "\0" + payload.layout

    def write(self, payload: SheetPage, target: Path, context: WriteContext) -> int:
        from ..pdf import write_pdf_with_drawings

        laid = lay_out_sheet(payload.sheet, payload.cache)  # laid out by prepare(): kept in the cache
        width, height = laid.size_mm
        slot = f'<div id="{MAP_SLOT}" style="width: {width:.1f}mm; height: {height:.1f}mm"></div>'
        page = payload.page.replace(MAP_PLACEHOLDER, slot, 1)
        return write_pdf_with_drawings(
            page, target, context.base_directory, context.allowed_directories, {MAP_SLOT: laid.pdf}
        )


class SheetsTogether(Output):
    """mindmaps.pdf: every sheet's page in order, a bookmark each, titled for the topic."""

    name = "mindmaps.pdf"
    format = "pdf"

    def __init__(self, sheets: list[Sheet]) -> None:
        self.sheets = sheets
        self.reads = tuple(sheet.name for sheet in sheets)

    def prepare(self, context: RenderContext, document):
        """Every sheet's map laid out together (those whose layout is not kept), so that
        Graphviz starts once per core, not once per sheet; a sheet whose map is kept is
        not laid out again."""
        maps = tuple(sheet.sheet for sheet in self.sheets)
        return [lambda: lay_out_sheets(maps, context.layout_cache)]

    def render(self, context: RenderContext, document) -> dict:
        """The title and bookmarks; the sheets' own pages are in the files it reads (their
        digests are part of this output's)."""
        return {
            "title": f"{document.topic.title}: mind maps",
            "language": document.topic.language,
            "bookmarks": [sheet.sheet.title for sheet in self.sheets],  # numbered as the booklet's sections
        }

    def write(self, payload: dict, target: Path, context: WriteContext) -> int:
        import pikepdf

        from ..pdf import save_pdf

        pages = [pikepdf.open(context.inputs[name]) for name in self.reads]
        try:
            with pikepdf.new() as together:
                for single in pages:
                    together.pages.extend(single.pages)
                with together.open_outline() as outline:
                    outline.root.extend(
                        pikepdf.OutlineItem(title, number)
                        for number, title in enumerate(payload["bookmarks"])
                    )
                together.docinfo["/Title"] = payload["title"]
                together.docinfo["/Creator"] = "notebuilder"
                together.Root.Lang = pikepdf.String(payload["language"])
                together.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
                together.Root.PageMode = pikepdf.Name.UseOutlines  # opens with its bookmarks shown
                save_pdf(together, target)
                return len(together.pages)
        finally:
            for single in pages:
                single.close()


def outputs(document) -> list[Output]:
    planned = plan_sheets(document)
    sheets = [Sheet(sheet, number, len(planned)) for number, sheet in enumerate(planned, start=1)]
    return [*sheets, SheetsTogether(sheets)]
