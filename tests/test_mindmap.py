"""Mind-map sheets: planned from the document, laid out by Graphviz, one page each,
every label selectable text, nothing fetched, and a clear refusal when a map is too full."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, overfull_project, pdf_page_count, pdftotext, run_notebuilder

from notebuilder.build import assemble_topic, check_project
from notebuilder.errors import NoteError
from notebuilder.mindmap import (
    BRANCH_STYLES,
    LABEL_WORDS,
    MIN_SHEET_POINTS,
    _wrap,
    lay_out_sheet,
    plan_sheets,
)
from notebuilder.outputs.sheets import sheet_file

CORPUS = check_project(REPO)
DOCUMENT = assemble_topic(CORPUS, next(topic for topic in CORPUS.topics if topic.id == "india-japan"), 0)
SHEETS = plan_sheets(DOCUMENT)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_overview_first_then_every_section_in_order():
    # A section of fewer than MIN_SHEET_POINTS points is on the overview only.
    assert [sheet.id for sheet in SHEETS] == ["overview"] + [
        section.id for section in DOCUMENT.sections if len(section.points) >= MIN_SHEET_POINTS
    ]
    overview = SHEETS[0]
    assert overview.centre == DOCUMENT.topic.title
    shorts = {section.id: section.short or section.title for section in DOCUMENT.topic.sections}
    assert [branch.label for branch in overview.branches] == [
        shorts[section.id] for section in DOCUMENT.sections
    ]
    assert all(
        2 <= len(branch.leaves) <= 4
        for branch, section in zip(overview.branches, DOCUMENT.sections)
        if len(section.points) >= 2
    )


def test_leaves_are_short_labels_and_every_point_is_on_its_sheet():
    for sheet, section in zip(SHEETS[1:], DOCUMENT.sections):
        labels = [leaf for branch in sheet.branches for leaf in branch.leaves or (branch.label,)]
        assert len(labels) == len(section.points)  # a point is a leaf, or a branch of its own
        assert all(
            len(label.removesuffix(" ≠").split()) <= LABEL_WORDS for label in labels
        )  # "≠": sources differ


def test_other_is_never_the_biggest_branch():
    for sheet in SHEETS[1:]:
        sizes = {branch.label: len(branch.leaves) for branch in sheet.branches}
        if "Other" in sizes:
            assert sizes["Other"] < max(size for label, size in sizes.items() if label != "Other"), sheet.id


def test_branch_styles_stay_apart_in_grayscale():
    def grey(colour: str) -> int:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return round(0.299 * red + 0.587 * green + 0.114 * blue)

    styles = [(grey(colour) // 24, line) for colour, line in BRANCH_STYLES]
    assert len(set(styles)) == len(styles)

    def luminance(colour: str) -> float:  # WCAG's relative luminance: what a grey print keeps
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour, _ in BRANCH_STYLES:  # every branch stands out from the white page, even in grey
        assert (1 + 0.05) / (luminance(colour) + 0.05) >= 3, colour


@pytest.mark.e2e
def test_svg_is_self_contained_and_escapes_labels():
    for sheet in SHEETS[:3]:
        svg = lay_out_sheet(sheet).svg
        assert svg.startswith("<svg")
        assert not re.search(r"href|url\(|<image|<script|<!DOCTYPE|<\?xml", svg, re.I)
        assert 'font-family="Noto Sans"' in svg


@pytest.mark.e2e
def test_sheets_are_one_page_each_and_every_label_is_text(built_topic):
    directory, document = built_topic
    sheets = plan_sheets(document)
    combined = directory / "mindmaps.pdf"
    assert pdf_page_count(combined) == len(sheets)
    size = __import__("subprocess").run(["pdfinfo", str(combined)], capture_output=True, text=True).stdout
    assert "841.89 x 595.276" in size
    names = [sheet_file(sheet, number) for number, sheet in enumerate(sheets, start=1)]
    assert sorted(names) == names  # the files sort in reading order
    assert sorted(path.name for path in (directory / "mindmaps").glob("*.pdf")) == [
        name[9:] for name in names
    ]
    with pikepdf.open(combined) as joined:  # bookmarks numbered once, as the sections are; shown on opening
        with joined.open_outline() as outline:
            assert [item.title for item in outline.root] == [sheet.title for sheet in sheets]
        assert joined.Root.PageMode == pikepdf.Name.UseOutlines
    for page, sheet in enumerate(sheets, start=1):
        single = directory / names[page - 1]
        assert pdf_page_count(single) == 1
        text = squash(pdftotext(combined, page, page))
        assert squash(sheet.title) in text
        labels = [sheet.centre] + [
            label for branch in sheet.branches for label in (branch.label, *branch.leaves)
        ]
        for label in labels:
            for line in _wrap(label, 13):
                for word in line.split():
                    assert word in text, f"{sheet.id}: {word!r} of {label!r} is not selectable text"


MM = 72 / 25.4
WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
SVG_LINE = re.compile(
    r'<text text-anchor="middle" x="([-\d.]+)" y="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>'
)


@pytest.mark.e2e
def test_the_printed_map_is_the_checked_layout_fitted_into_its_slot(built_topic):
    """The sheet prints Graphviz's own PDF drawing of the layout the tests above check as
    SVG: every word a line of its own stands where the SVG puts it, scaled to the size
    chosen, in the slot centred under the title strip (mindmaps.css)."""
    import subprocess

    directory, document = built_topic
    checked = 0
    for number, sheet in enumerate(plan_sheets(document), start=1):
        laid = lay_out_sheet(sheet)
        width, height = (size * MM for size in laid.size_mm)
        view = list(map(float, re.search(r'viewBox="([^"]+)"', laid.svg)[1].split()))
        scale = width / view[2]
        assert height / view[3] == pytest.approx(scale, rel=0.01)
        left, top = (297 * MM - width) / 2, (10 + 12) * MM + (178 * MM - height) / 2
        shift_x, shift_y = map(float, re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", laid.svg).groups())
        single = directory / sheet_file(sheet, number)
        boxes = subprocess.run(
            ["pdftotext", "-bbox", str(single), "-"], capture_output=True, text=True
        ).stdout
        printed = [
            (float(a), float(b), float(c), float(d), html.unescape(w))
            for a, b, c, d, w in WORD_BOX.findall(boxes)
        ]
        lines = [
            (float(x), float(y), float(size), html.unescape(text))
            for x, y, size, text in SVG_LINE.findall(laid.svg)
        ]
        words = [text for *_, text in lines]
        for x, y, size, text in lines:
            found = [box for box in printed if box[4] == text]
            if " " in text or words.count(text) != 1 or len(found) != 1:
                continue  # only words alone on their line, once on the sheet, have one place to be
            x_min, y_min, x_max, y_max, _ = found[0]
            assert (x_min + x_max) / 2 == pytest.approx(left + (x + shift_x) * scale, abs=2.5), (
                sheet.id,
                text,
            )
            baseline = top + (y + shift_y) * scale
            assert y_min < baseline < y_max + 0.5, (sheet.id, text)
            assert y_max - y_min == pytest.approx(size * scale * 1.36, rel=0.2), (sheet.id, text)
            checked += 1
    assert checked >= 5


@pytest.mark.e2e
def test_an_overfull_section_fails_with_a_clear_message(tmp_path: Path):
    project = overfull_project(tmp_path, 50)  # full enough that its laid-out labels print at 4 pt
    (project / "build" / "demo").mkdir(parents=True)
    (project / "build" / "demo" / "booklet.pdf").write_bytes(b"last good booklet")
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    message = completed.stderr.splitlines()[0]
    assert message.startswith(
        "notes/demo/topic.yaml:7:5: error: the mind map of section 'trade' is too full for one page"
    )
    assert re.search(r"trim about \d+ of its \d+ labels", message)
    assert (project / "build" / "demo" / "booklet.pdf").read_bytes() == b"last good booklet"


@pytest.mark.e2e
def test_overfull_sheet_is_refused_before_any_layout_of_pages():
    sheet = SHEETS[1]
    crowded = type(sheet)(sheet.id, sheet.title, sheet.centre, tuple(sheet.branches) * 12, sheet.location)
    with pytest.raises(NoteError) as raised:
        lay_out_sheet(crowded)
    assert "too full for one page" in str(raised.value)


def font_widths(bold: bool):
    """Advance-width function for Noto Sans, the font the sheets are printed in."""
    import subprocess

    from fontTools.ttLib import TTFont

    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans:bold" if bold else "Noto Sans"],
        capture_output=True,
        text=True,
    ).stdout
    font = TTFont(path)
    cmap, metrics, units = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm

    def width(text: str, size: float) -> float:
        return sum(metrics[cmap.get(ord(character), ".notdef")][0] for character in text) * size / units

    return width


NODE = re.compile(r'<g id="node\d+" class="node">(.*?)</g>', re.S)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def node_boxes(svg: str):
    """Each node's bounding box (from its ellipse or path) and its text lines."""
    for block in NODE.findall(svg):
        ellipse = re.search(
            r'<ellipse[^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([-\d.]+)" ry="([-\d.]+)"', block
        )
        if ellipse:
            cx, cy, rx, ry = map(float, ellipse.groups())
            box = (cx - rx, cy - ry, cx + rx, cy + ry)
        else:
            coordinates = list(map(float, NUMBER.findall(re.search(r'<path[^>]* d="([^"]+)"', block)[1])))
            xs, ys = coordinates[0::2], coordinates[1::2]
            box = (min(xs), min(ys), max(xs), max(ys))
        texts = [
            (float(x), float(size), "bold" in attributes, html.unescape(content))
            for attributes, x, size, content in re.findall(
                r'<text([^>]*?)x="([-\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>', block
            )
        ]
        yield box, texts


import html  # noqa: E402


@pytest.mark.e2e
@pytest.mark.parametrize("sheet", SHEETS, ids=[sheet.id for sheet in SHEETS])
def test_nothing_overlaps_and_no_label_is_clipped(sheet):
    svg = lay_out_sheet(sheet).svg
    width_of = {True: font_widths(True), False: font_widths(False)}
    view = list(map(float, re.search(r'viewBox="([^"]+)"', svg)[1].split()))
    shift_x, shift_y = map(float, re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", svg).groups())
    boxes = list(node_boxes(svg))
    assert len(boxes) == 1 + sheet.label_count
    for (left, top, right, bottom), texts in boxes:
        # inside the drawing: nothing is cut off at the page edge
        assert left + shift_x >= view[0] - 0.5 and right + shift_x <= view[2] + 0.5
        assert top + shift_y >= view[1] - 0.5 and bottom + shift_y <= view[3] + 0.5
        for x, size, bold, line in texts:
            half = width_of[bold](line, size) / 2
            assert left <= x - half and x + half <= right, f"{sheet.id}: {line!r} spills out of its box"
    for index, (first, _) in enumerate(boxes):
        for second, _ in boxes[index + 1 :]:
            overlap_x = min(first[2], second[2]) - max(first[0], second[0])
            overlap_y = min(first[3], second[3]) - max(first[1], second[1])
            assert overlap_x <= 1 or overlap_y <= 1, f"{sheet.id}: two nodes overlap"


EDGE = re.compile(r'<g id="edge\d+" class="edge">\s*<title>([^<]*)</title>\s*<path[^>]* d="([^"]+)"', re.S)
NAMED_NODE = re.compile(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>(.*?)</g>', re.S)


def _bezier_points(points, steps=12):
    for start in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[start : start + 4]
        for step in range(steps + 1):
            t = step / steps
            u = 1 - t
            yield (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )


@pytest.mark.e2e
@pytest.mark.parametrize("sheet", SHEETS, ids=[sheet.id for sheet in SHEETS])
def test_no_edge_runs_through_another_node(sheet):
    svg = lay_out_sheet(sheet).svg
    boxes = {}
    for name, block in NAMED_NODE.findall(svg):
        ((box, _),) = node_boxes(f'<g id="node1" class="node">{block}</g>')
        boxes[name] = box
    for title, path in EDGE.findall(svg):
        ends = html.unescape(title).split("--")
        numbers = list(map(float, NUMBER.findall(path)))
        samples = list(_bezier_points(list(zip(numbers[0::2], numbers[1::2]))))
        for name, (left, top, right, bottom) in boxes.items():
            if name not in ends:
                inside = [(x, y) for x, y in samples if left + 2 < x < right - 2 and top + 2 < y < bottom - 2]
                assert not inside, f"{sheet.id}: the edge {title} runs through {name}"


@pytest.mark.e2e
def test_the_sheets_share_one_font_program_per_font(built_topic):
    """Graphviz embeds a subset of its fonts in every drawing; the sheets share one program
    per installed font, so mindmaps.pdf stays small, and prints the same words."""
    directory, document = built_topic
    programs: dict[str, set] = {}
    with pikepdf.open(directory / "mindmaps.pdf") as pdf:
        for page in pdf.pages:
            for drawing in page.Resources.XObject.values():
                for font in drawing.get("/Resources", {}).get("/Font", {}).values():
                    described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                    name = str(font.BaseFont).partition("+")[2]
                    programs.setdefault(name, set()).add(described.FontDescriptor.FontFile2.objgen)
    assert programs and all(len(found) == 1 for found in programs.values()), programs
    assert (directory / "mindmaps.pdf").stat().st_size < 30_000 * len(plan_sheets(document))


def _graphviz_drawing(label: str) -> bytes:
    import subprocess

    graph = f'digraph {{ node [fontname="Noto Sans"]; a [label="{label}"] }}'
    return subprocess.run(["dot", "-Tpdf"], input=graph.encode(), capture_output=True, check=True).stdout


def test_a_font_whose_glyph_differs_from_the_installed_one_keeps_its_own_program():
    """Sharing swaps a drawing's font program for the installed font's: only where every
    glyph the drawing uses is the installed glyph, outline and advance."""
    import io

    from fontTools.ttLib import TTFont

    from notebuilder.shared_fonts import share_fonts

    pdf = pikepdf.new()
    fonts = []
    for label in ("Mauryan empire", "Mauryan empire"):
        with pikepdf.open(io.BytesIO(_graphviz_drawing(label))) as drawing:
            form = pdf.copy_foreign(drawing.pages[0].as_form_xobject())
            fonts.extend(form.Resources.Font.values())
    assert len(fonts) == 2
    doctored = fonts[1].FontDescriptor
    program = TTFont(io.BytesIO(doctored.FontFile2.read_bytes()))
    glyph = program["glyf"]["M"]
    x, y = glyph.coordinates[0]
    glyph.coordinates[0] = (x + 40, y)  # one point moved: an "M" of another shape
    out = io.BytesIO()
    program.save(out)
    doctored.FontFile2 = pdf.make_stream(out.getvalue())
    before = doctored.FontFile2.read_bytes()
    share_fonts(pdf, fonts)
    assert doctored.FontFile2.read_bytes() == before
    assert fonts[0].FontDescriptor.FontFile2.read_bytes() != before
    shared = TTFont(io.BytesIO(fonts[0].FontDescriptor.FontFile2.read_bytes()))
    assert {"M", "a", "u", "r", "y", "n", "e", "m", "p", "i"} <= set(shared.getBestCmap().values()) | {
        chr(code) for code in shared.getBestCmap()
    }
