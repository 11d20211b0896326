"""The one-page mind-map sheets: ``mindmaps.pdf``, every sheet in one file to print, and
``mindmaps/<sheet>.pdf``, each sheet's page of it alone.

A sheet's map is laid out by Graphviz once, before anything is written (a map too full
to print is a mistake in the notes), and kept in the layout cache by its DOT source, so
an edit lays out again only the maps that show it; the maps not kept are laid out in one
Graphviz run per core.

WeasyPrint prints every sheet's page in one document, each around an empty slot its
map's size, and each map, as Graphviz drew it in PDF from that same layout, is laid into
its slot. One document shares its fonts (mindmaps.pdf is a sixth of thirteen pages
printed apart) and costs WeasyPrint a third of the time. A single sheet's file is its
page taken out of mindmaps.pdf, so it changes whenever mindmaps.pdf does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from ..mindmap import MindMapSheet, lay_out_sheet, lay_out_sheets, layout_key, plan_sheets
from ..render import SheetDrawing, render_mindmaps
from .base import Output, RenderContext, WriteContext

TOGETHER = "mindmaps.pdf"
MAP_SLOT = "notebuilder-map-{number}"  # the id of the empty box a sheet's printed map is laid into
EMPTY_PICTURE = (  # an SVG that draws nothing, as a data: URL
    "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22%20width%3D%221%22%20height%3D%221%22/%3E"
)


def placeholder(number: int) -> str:
    """Where a sheet's laid-out map goes in the page (the notes' text is escaped)."""
    return f"<!--notebuilder:map {number}-->"


@dataclass(frozen=True)
class SheetPages:
    """Every sheet's page, with a placeholder for each map, and the maps to lay out."""

    page: str
    sheets: tuple[MindMapSheet, ...]
    layouts: tuple[str, ...]  # each map's layout key: its DOT source, digested
    cache: Path | None  # where laid-out maps are kept


def sheet_file(sheet: MindMapSheet, number: int) -> str:
    """A sheet's file, numbered so that the files sort in reading order: ``mindmaps/00-overview.pdf``,
    ``mindmaps/01-history.pdf``…"""
    return f"mindmaps/{number - 1:02d}-{sheet.id}.pdf"


class SheetsTogether(Output):
    """mindmaps.pdf: every sheet's page in order, a bookmark each, titled for the topic;
    a picture, untagged (its words are read from the booklet)."""

    name = TOGETHER
    format = "pdf"

    def __init__(self, sheets: tuple[MindMapSheet, ...]) -> None:
        self.sheets = sheets

    def prepare(self, context: RenderContext, document):
        """Every sheet's map laid out (those whose layout is not kept)."""
        return [lambda: lay_out_sheets(self.sheets, context.layout_cache)]

    def render(self, context: RenderContext, document) -> SheetPages:
        pages = [
            SheetDrawing(sheet, number, placeholder(number))
            for number, sheet in enumerate(self.sheets, start=1)
        ]
        page = render_mindmaps(context.environment, document, pages, len(self.sheets), context.root)
        layouts = tuple(layout_key(sheet) for sheet in self.sheets)
        return SheetPages(page, self.sheets, layouts, context.layout_cache)

    def fingerprint(self, payload: SheetPages) -> str:
        return "\0".join((payload.page, *payload.layouts))

    def write(self, payload: SheetPages, target: Path, context: WriteContext) -> int:
        from ..pdf import write_pdf_with_drawings

        page, drawings = payload.page, {}
        for number, sheet in enumerate(payload.sheets, start=1):
            laid = lay_out_sheet(sheet, payload.cache)  # laid out by prepare(): kept in the cache
            width, height = laid.size_mm
            slot = MAP_SLOT.format(number=number)
            # An empty picture the map's size: in a tagged PDF, the Figure whose words
            # (its alt) are the map's outline; the map is drawn into its box.
            box = (
                f'<img id="{slot}" alt="{escape(sheet.outline)}" src="{EMPTY_PICTURE}" '
                f'style="width: {width:.1f}mm; height: {height:.1f}mm">'
            )
            page = page.replace(placeholder(number), box, 1)
            drawings[slot] = laid.pdf
        return write_pdf_with_drawings(
            page, target, context.base_directory, context.allowed_directories, drawings, context.pdf_variant
        )


class Sheet(Output):
    """One mind-map sheet, one A4 landscape page: its page of mindmaps.pdf, alone."""

    format = "pdf"
    reads = (TOGETHER,)

    def __init__(self, sheet: MindMapSheet, number: int, count: int) -> None:
        self.sheet, self.number, self.count = sheet, number, count
        self.name = sheet_file(sheet, number)

    def render(self, context: RenderContext, document) -> dict:
        topic = document.topic.title
        return {
            "page": self.number - 1,
            "title": f"{self.sheet.title} · {topic}: mind map {self.number} of {self.count}",
            "bookmark": self.sheet.title,
        }

    def write(self, payload: dict, target: Path, context: WriteContext) -> int:
        import pikepdf

        from ..pdf import save_pdf

        with pikepdf.open(context.inputs[TOGETHER]) as together, pikepdf.new() as single:
            single.pages.append(together.pages[payload["page"]])
            single.remove_unreferenced_resources()  # the other sheets' maps and fonts stay behind
            for key, value in together.docinfo.items():
                single.docinfo[key] = value
            single.docinfo["/Title"] = payload["title"]
            if "/StructTreeRoot" in together.Root:
                _tag_alone(single, together, payload["page"], payload["title"])
            single.Root.Lang = together.Root.Lang
            single.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
            with single.open_outline() as outline:
                outline.root.append(pikepdf.OutlineItem(payload["bookmark"], 0))
            single.Root.PageMode = pikepdf.Name.UseOutlines
            save_pdf(single, target)
            return 1


def _tag_alone(single, together, number: int, title: str) -> None:
    """Give a page taken out of a tagged PDF its own structure: its part of the tag tree
    (the sheet's section: heading, line, and the map as a Figure with its outline as
    alternative text), rebuilt around the marked content the page carries, and the
    PDF/UA identification of the document it came from, retitled."""
    import pikepdf

    from ..pdf import structure_of_page

    page = single.pages[0].obj
    marked = structure_of_page(together, number)  # the element holding each marked-content id
    top = marked[0] if marked else None
    while top is not None and top.P.get("/S") not in (None, "/Document"):
        top = top.P  # up to the page's own element, a child of the document
    holders: dict[int, pikepdf.Object] = {}

    def rebuilt(original, parent):
        element = single.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=original.S, P=parent, Pg=page)
        )
        for key in ("/Alt", "/Lang", "/ActualText"):
            if key in original:
                element[key] = original[key]
        kids = original.get("/K", pikepdf.Array())
        element.K = pikepdf.Array()
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                kid = kid.MCID
            if isinstance(kid, pikepdf.Dictionary):
                element.K.append(rebuilt(kid, element))
            elif not isinstance(kid, pikepdf.Object) or kid.is_integer:
                element.K.append(int(kid))
                holders[int(kid)] = element
        return element

    root = single.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = single.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root)
    )
    document.K = pikepdf.Array([rebuilt(top, document)] if top is not None else [])
    root.K = document
    in_order = pikepdf.Array([holders[mcid] for mcid in sorted(holders)])
    root.ParentTree = single.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array([0, in_order])))
    root.ParentTreeNextKey = 1
    page.StructParents = 0
    single.Root.StructTreeRoot = root
    single.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    if "/Metadata" in together.Root:  # the PDF/UA (or PDF/A) identification
        single.Root.Metadata = single.copy_foreign(together.Root.Metadata)
        with single.open_metadata(set_pikepdf_as_editor=False) as metadata:
            metadata["dc:title"] = title


def outputs(document) -> list[Output]:
    planned = plan_sheets(document)
    sheets: list[Output] = [
        Sheet(sheet, number, len(planned)) for number, sheet in enumerate(planned, start=1)
    ]
    return [SheetsTogether(planned), *sheets]  # mindmaps.pdf first: the single sheets read it
