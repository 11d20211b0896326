"""Comparison tables, the timeline and the glossary: in print (A4 landscape sheet with a
repeated header row) and on e-readers (wide tables as one block per row)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import make_project, pdf_page_count, pdftotext, run_notebuilder

from notebuilder.assemble import build_timeline
from notebuilder.dates import parse_date
from notebuilder.errors import Location
from notebuilder.model import Citation, DocPoint, DocSection, Member, Point


def test_timeline_orders_mixed_date_forms():
    dates = [
        "2023-24",
        "FY24",
        "752 AD",
        "Jul 2023",
        "6th century",
        "2025-08-21",
        "Feb–Mar 2025",
        "1950s–1990s",
        "2023",
        "Sept 2024",
        "2014",
    ]

    def doc_point(index: int, date: str) -> DocPoint:
        point = Point(
            f"p{index}",
            "s",
            f"fact {index}",
            (Citation("a"),),
            (Member(f"p{index}", Location("f.yaml")),),
            date=date,
        )
        return DocPoint(point, f"fact {index}", ())

    section = DocSection("s", "S", 1, tuple(doc_point(index, date) for index, date in enumerate(dates)))
    assert [entry.date for entry in build_timeline([section])] == [
        "6th century",
        "752 AD",
        "1950s–1990s",
        "2014",
        "2023",
        "2023-24",
        "FY24",
        "Jul 2023",
        "Sept 2024",
        "Feb–Mar 2025",
        "21 Aug 2025",  # one date style everywhere (date_style: in topic.yaml; short by default)
    ]
    assert parse_date("2023-24").end_year == 2024 and parse_date("FY24").start == (2023, 4, 0)


def long_table_project(directory: Path) -> Path:
    rows = "\n".join(
        f'      - ["Row {n:02d}", "alpha value {n:02d}", '
        f'{{text: "beta {n:02d}", sources: [beta]}}, "gamma {n:02d} with a longer cell"]'
        for n in range(1, 61)
    )
    comparisons = f"""comparisons:
  - id: long
    title: A long table
    columns: [Name, First column, Second column, Third column]
    rows:
{rows}
"""
    return make_project(directory, {"notes/demo/comparisons.yaml": comparisons})


@pytest.mark.e2e
def test_sixty_row_table_repeats_its_header_and_never_splits_a_row(tmp_path: Path):
    project = long_table_project(tmp_path / "project")
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    sheet = project / "build" / "demo" / "comparison.pdf"
    pages = pdf_page_count(sheet)
    assert pages >= 3
    size = __import__("subprocess").run(["pdfinfo", str(sheet)], capture_output=True, text=True).stdout
    assert "841.89 x 595.276" in size  # A4 landscape
    seen_rows = []
    for page in range(1, pages + 1):
        text = pdftotext(sheet, page, page)
        rows_here = re.findall(r"Row (\d\d)", text)
        if not rows_here:
            continue
        for header in ("Name", "First column", "Second column", "Third column"):
            assert header in text, f"page {page} lacks the header row"
        for number in rows_here:
            # a row is never split: all its cells are on the page where its name is
            assert f"alpha value {number}" in text and f"beta {number}" in text and f"gamma {number}" in text
        seen_rows += rows_here
    assert seen_rows == [f"{n:02d}" for n in range(1, 61)]
    assert "[2]" in pdftotext(sheet) or "[1]" in pdftotext(sheet)  # source markers on cells


@pytest.mark.e2e
def test_epub_turns_wide_tables_into_row_blocks(tmp_path: Path):
    project = long_table_project(tmp_path / "project")
    completed = run_notebuilder("build", "--root", str(project), "--format", "epub")
    assert completed.returncode == 0, completed.stderr
    with zipfile.ZipFile(project / "build" / "demo" / "booklet.epub") as archive:
        body = "".join(
            archive.read(name).decode("utf-8") for name in archive.namelist() if name.startswith("EPUB/text/")
        )
    assert "<table" not in body.split("A long table")[1].split("Sources")[0]
    assert re.search(
        r"<strong>Row 07</strong>.*?First column: alpha value 07.*?Third column: gamma 07", body, re.S
    )


@pytest.mark.e2e
def test_glossary_warns_about_a_missing_acronym_with_its_location(tmp_path: Path):
    project = make_project(
        tmp_path,
        {
            "notes/demo/glossary.yaml": "glossary:\n  FDI: foreign direct investment\n",
            "notes/demo/extra.yaml": (
                "defaults:\n  source: alpha\n  section: trade\nfragments:\n  - id: oda\n"
                "    text: Japan is the largest ODA donor; its FDI and MoUs grow (WW II).\n"
            ),
        },
    )
    completed = run_notebuilder("check", "--root", str(project))
    assert completed.returncode == 0, completed.stderr
    warnings = [line for line in completed.stderr.splitlines() if "glossary" in line]
    assert warnings == [
        "notes/demo/extra.yaml:5:5: warning: acronym 'MoU' is not in the glossary; add it to glossary.yaml",
        "notes/demo/extra.yaml:5:5: warning: acronym 'ODA' is not in the glossary; add it to glossary.yaml",
        "notes/demo/extra.yaml:5:5: warning: acronym 'WW' is not in the glossary; add it to glossary.yaml",
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("filler_mm", range(200, 262, 6))
def test_a_table_heading_keeps_with_at_least_three_rows(filler_mm: int, tmp_path: Path):
    """Wherever a table falls on the page, its heading and caption are never left at the
    foot with fewer than three of its rows (printed with the layouts' own stylesheet)."""
    import weasyprint

    from notebuilder.render import PACKAGE_LAYOUTS

    rows = "".join(f"<tr><th>Row {n}</th><td>A value for row {n}</td></tr>" for n in range(1, 9))
    html = (
        f"<html><head><style>{(PACKAGE_LAYOUTS / 'base.css').read_text(encoding='utf-8')}"
        "@page { size: A4; margin: 15mm; }</style></head><body>"
        f"<div style='height: {filler_mm}mm'></div><div class='comparison'><h3>Agreements by year</h3>"
        "<p class='caption'>What each source gives.</p><table class='comparison-table'>"
        f"<thead><tr><th>Year</th><th>What</th></tr></thead><tbody>{rows}</tbody></table></div></body></html>"
    )
    printed = tmp_path / "table.pdf"
    weasyprint.HTML(string=html).write_pdf(printed)
    pages = [pdftotext(printed, page, page) for page in range(1, pdf_page_count(printed) + 1)]
    (heading_page,) = [page for page in pages if "Agreements by year" in page]
    assert all(f"Row {n}" in heading_page for n in (1, 2, 3)), (filler_mm, heading_page)


@pytest.mark.parametrize(
    "written, start, end_year",
    [
        ("c. 2600–1900 BCE", (-2600, 0, 0), -1900),
        ("322–298 BC", (-322, 0, 0), -298),
        ("AD 1025", (1025, 0, 0), 1025),
        ("A.D. 1025", (1025, 0, 0), 1025),
        ("1000–1027 CE", (1000, 0, 0), 1027),
        ("AD 1025–1030", (1025, 0, 0), 1030),
        ("Nov 1930 – Jan 1931", (1930, 11, 0), 1931),
        ("14–15 August 1947", (1947, 8, 14), 1947),
        ("August 14–15, 1947", (1947, 8, 14), 1947),
        ("c. 1500 BCE", (-1500, 0, 0), -1500),
    ],
)
def test_history_date_forms_are_read_with_their_era(written: str, start, end_year: int):
    span = parse_date(written)
    assert span is not None and (span.start, span.end_year, span.label) == (start, end_year, written)


@pytest.mark.parametrize(
    "written", ["1900–2600 BCE", "1030–1025 CE", "Jan 1931 – Nov 1930", "15–14 August 1947"]
)
def test_a_range_that_runs_backwards_is_not_a_date(written: str):
    assert parse_date(written) is None
