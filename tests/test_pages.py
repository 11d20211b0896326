"""Page groups (notebuilder.pages): an edit prints again only the groups it changed, and
the joined PDF reads exactly as the whole document printed afresh: every page's text, the
bookmarks, named destinations, links and the PDF/UA structure tree."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from conftest import SUBJECTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notebuilder.build import BuildOptions, build
from notebuilder.pages import BEGIN, END, MAX_PRINTINGS, join_pages, print_reusing, split_groups
from notebuilder.write import lay_out_pages

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"

PAGE_CSS = """
@page { size: A5; margin: 20mm 15mm;
  @top-left { content: string(running, start); font: 8pt "Noto Sans"; }
  @top-right { content: "page " counter(page) " of " counter(pages); font: 8pt "Noto Sans"; } }
body { font: 10pt/1.4 "Noto Serif"; }
h2 { string-set: running content(); bookmark-level: 1; font-size: 12pt; margin: 0 0 3mm; }
.toc a::after { content: " p. " target-counter(attr(href), page); }
.block { break-inside: avoid; margin: 0 0 2mm; }
.back { break-before: page; }
"""


def document(
    flow_heights: list[int],
    words: str = "first",
    title: str = "Contents",
    back: str = "see",
    appendix: str = "",
) -> str:
    """A small paged document: a contents page that shows page numbers, a flow of blocks
    of the given heights (mm), and a back matter page that links into the flow."""
    blocks = "".join(
        f'<div class="block" id="b{number}"><h2>Block {number}</h2>'
        f'<p style="height: {height}mm">{words} words of block {number}</p></div>'
        for number, height in enumerate(flow_heights, start=1)
    )
    toc = "".join(f'<li><a href="#b{number}">Block {number}</a></li>' for number in range(1, 5))
    links = "".join(f'<a href="#b{number}">{back} block {number}</a> ' for number in (1, 4))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test</title>'
        f"<style>{PAGE_CSS}</style></head><body>"
        f'{BEGIN}<nav class="toc" id="contents"><h2>{title}</h2><ol>{toc}</ol></nav>{END}'
        f'{BEGIN}<main id="flow" style="break-before: page">{blocks}</main>{END}'
        f'{BEGIN}<section class="back" id="back"><h2>Back matter</h2><p>{links}</p></section>{END}'
        f'{BEGIN}<section class="back" id="appendix"><h2>Appendix</h2><p>{appendix}</p></section>{END}'
        "</body></html>"
    )


def print_pdf(html: str, target: Path, previous: Path | None, cache: Path, variant="pdf/ua-1"):
    return print_reusing(
        html,
        target,
        previous,
        cache,
        variant,
        lay_out=lambda text: lay_out_pages(text, LAYOUTS, (LAYOUTS,)),
        write=lambda laid_out, file: laid_out.write_pdf(file, pdf_variant=variant),
    )


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split("\f")


def reading(pdf: Path) -> dict:
    """What a reader and a screen reader get from a PDF, page numbers for objects."""
    with pikepdf.open(pdf) as opened:
        number = {page.objgen: index for index, page in enumerate(opened.pages)}
        bookmarks = []
        with opened.open_outline() as outline:
            stack = [(0, item) for item in outline.root]
            while stack:
                depth, item = stack.pop(0)
                destination = item.destination
                bookmarks.append((depth, item.title, number[destination[0].objgen], float(destination[3])))
                stack[:0] = [(depth + 1, child) for child in item.children]
        destinations = {
            name: (number[value[0].objgen], round(float(value[2]), 2), round(float(value[3]), 2))
            for name, value in pikepdf.NameTree(opened.Root.Names.Dests).items()
        }
        links = [
            [
                (str(annotation.get("/Dest")), int(annotation.get("/StructParent", -1)))
                for annotation in page.Annots
            ]
            if "/Annots" in page
            else []
            for page in opened.pages
        ]
        tags: list[Counter] = [Counter() for _ in opened.pages]
        parent_keys = None
        if "/StructTreeRoot" in opened.Root:
            tree = opened.Root.StructTreeRoot
            parents = pikepdf.NumberTree(tree.ParentTree)
            parent_keys = sorted(int(key) for key, _ in parents.items())
            for element in tree.K[0].K:
                count(element, tags[number[element.Pg.objgen]])
                assert tree.K[0] == element.P
            for page in opened.pages:  # every page's marked content maps to its structure
                assert int(page.StructParents) in parent_keys
        metadata = {key: str(value) for key, value in opened.docinfo.items()}
        catalog = {key: repr(opened.Root.get(key)) for key in ("/Lang", "/MarkInfo", "/ViewerPreferences")}
        return {
            "pages": len(opened.pages),
            "bookmarks": bookmarks,
            "destinations": destinations,
            "links": [sorted(dest for dest, _ in page) for page in links],
            "link keys unique": len({key for page in links for _, key in page})
            == sum(len(page) for page in links),
            "tags": tags,
            "parent keys": None if parent_keys is None else len(parent_keys),
            "metadata": metadata,
            "catalog": catalog,
        }


def count(element, counter: Counter) -> None:
    counter[str(element.S)] += 1
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            count(kid, counter)


def assert_reads_as_printed_whole(joined: Path, html: str, tmp_path: Path, variant="pdf/ua-1") -> None:
    whole = tmp_path / "whole.pdf"
    print_pdf(html, whole, None, tmp_path / "whole-cache", variant)
    assert page_texts(joined) == page_texts(whole)
    assert reading(joined) == reading(whole)


def test_an_edit_inside_a_group_prints_only_that_group(tmp_path: Path):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    assert print_pdf(document([100, 100, 100, 20]), first, None, cache).whole
    edited = document([100, 100, 100, 20], words="second")
    printed = print_pdf(edited, second, first, cache)
    assert not printed.whole and printed.printed == (1,)  # the flow only: no anchor moved
    assert "second words of block 3" in "".join(page_texts(second))
    assert_reads_as_printed_whole(second, edited, tmp_path)


def test_the_same_html_again_gives_the_same_pdf(tmp_path: Path):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    html = document([100, 100, 100, 20])
    print_pdf(html, first, None, cache)
    printed = print_pdf(html, second, first, cache)
    assert (printed.whole, printed.printed, printed.pages) == (False, (), len(page_texts(first)) - 1)
    assert second.read_bytes() == first.read_bytes()


def test_an_anchor_that_moves_prints_the_contents_again(tmp_path: Path):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    print_pdf(document([30, 30, 30, 100]), first, None, cache)
    assert "Block 3 p. 2" in page_texts(first)[0]
    edited = document([30, 90, 30, 30])  # block 3 no longer fits on the flow's first page
    printed = print_pdf(edited, second, first, cache)
    assert not printed.whole and printed.printed == (0, 1)  # the contents shows block 3's page
    assert "Block 3 p. 3" in page_texts(second)[0]
    assert_reads_as_printed_whole(second, edited, tmp_path)


def test_a_group_that_grows_by_a_page_prints_everything(tmp_path: Path):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    print_pdf(document([100, 100]), first, None, cache)
    edited = document([100, 100, 100, 100])
    assert print_pdf(edited, second, first, cache).whole
    assert_reads_as_printed_whole(second, edited, tmp_path)


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-3b", None])
def test_every_variant_joins(tmp_path: Path, variant):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    print_pdf(document([20, 20, 20, 20]), first, None, cache, variant)
    edited = document([20, 20, 20, 20], words="second")
    assert not print_pdf(edited, second, first, cache, variant).whole
    assert_reads_as_printed_whole(second, edited, tmp_path, variant)
    if variant == "pdf/a-3b":
        with pikepdf.open(second) as joined:
            assert "/OutputIntents" in joined.Root
            assert "pdfaid" in str(joined.open_metadata())


def test_no_record_or_another_pdf_prints_everything(tmp_path: Path):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    print_pdf(document([20, 20, 20, 20]), first, None, cache)
    shutil.rmtree(cache)
    assert print_pdf(document([20, 20, 20, 20], "second"), second, first, cache).whole  # no record
    first.write_bytes(b"%PDF-1.7 not this one")
    assert print_pdf(document([20, 20, 20, 20], "third"), second, first, cache).whole  # not the PDF recorded


def test_fonts_of_at_most_three_printings(tmp_path: Path):
    """Each printing brings its own font subsets: a PDF whose pages would come from more
    than three printings is printed whole instead."""
    cache = tmp_path / "cache"
    previous = tmp_path / "0.pdf"
    print_pdf(document([20, 20, 20, 20]), previous, None, cache)
    edits = [  # each group in turn, then the flow again
        document([20, 20, 20, 20], "one"),
        document([20, 20, 20, 20], "one", title="Contents, two"),
        document([20, 20, 20, 20], "one", title="Contents, two", back="three"),
        document([20, 20, 20, 20], "one", title="Contents, two", back="three", appendix="four"),
        document([20, 20, 20, 20], "five", title="Contents, two", back="three", appendix="four"),
    ]
    wholes = []
    for number, html in enumerate(edits, start=1):
        target = tmp_path / f"{number}.pdf"
        wholes.append(print_pdf(html, target, previous, cache).whole)
        assert_reads_as_printed_whole(target, html, tmp_path)
        previous = target
    assert wholes == [False, False, True, False, False]
    with pikepdf.open(previous) as joined:
        fonts = {font.objgen for page in joined.pages for font in page.Resources.get("/Font", {}).values()}
    with pikepdf.open(tmp_path / "whole.pdf") as whole:
        alone = {font.objgen for page in whole.pages for font in page.Resources.get("/Font", {}).values()}
    assert len(fonts) <= MAX_PRINTINGS * len(alone)


def test_groups_must_start_with_an_anchor():
    assert split_groups(f"<body>{BEGIN}<div>no id</div>{END}</body>") is None
    assert split_groups(f"<body>{BEGIN}<div id='a'>x</div>") is None
    assert split_groups("<body>no groups</body>") is None
    paged = split_groups(
        f"<body>{BEGIN}<div id='a'>x</div>{END}<p>between</p>{BEGIN}<p id=b>y</p>{END}</body>"
    )
    assert paged.groups == ("<div id='a'>x</div>", "<p id=b>y</p>")
    assert (
        paged.join(paged.groups)
        == f"<body>{BEGIN}<div id='a'>x</div>{END}<p>between</p>{BEGIN}<p id=b>y</p>{END}</body>"
    )


def test_join_refuses_a_pdf_of_another_length(tmp_path: Path):
    from notebuilder.pages import CannotJoin

    cache = tmp_path / "cache"
    print_pdf(document([20, 20, 20, 20]), tmp_path / "short.pdf", None, cache)
    print_pdf(document([150, 150, 150]), tmp_path / "long.pdf", None, cache)
    import io

    with pytest.raises(CannotJoin):
        join_pages(
            io.BytesIO((tmp_path / "short.pdf").read_bytes()), tmp_path / "long.pdf", {0}, tmp_path / "x.pdf"
        )


@pytest.mark.parametrize("topic", ["economy-schemes", "polity-fundamental-rights"])
def test_a_booklet_after_an_edit_reads_as_a_fresh_build(tmp_path: Path, topic):
    """A real booklet (and self-test) of another subject: an edit to one fragment's wording,
    built incrementally, gives the same pages, bookmarks, links and tags as a forced build."""
    project = tmp_path / "project"
    shutil.copytree(SUBJECTS, project)
    out, fresh = project / "build", project / "fresh"
    build(BuildOptions(project, out, ("pdf",), (topic,)))
    notes = sorted((project / "notes" / topic).glob("*.yaml"))
    fragments = [
        path for path in notes if path.name not in ("topic.yaml", "glossary.yaml", "comparisons.yaml")
    ]
    target = fragments[0]
    text = target.read_text(encoding="utf-8")
    position = text.index("text:", len(text) // 2)
    line_end = text.index("\n", position)
    target.write_text(text[:line_end] + " (as revised)" + text[line_end:], encoding="utf-8")
    build(BuildOptions(project, out, ("pdf",), (topic,)))
    build(BuildOptions(project, fresh, ("pdf",), (topic,), force=True))
    for name in ("booklet.pdf", "selftest.pdf"):
        joined, whole = out / topic / name, fresh / topic / name
        assert page_texts(joined) == page_texts(whole)
        assert reading(joined) == reading(whole)
    assert "as revised)" in " ".join("".join(page_texts(out / topic / "booklet.pdf")).split())
    # joined from the last booklet's pages, not printed whole
    assert (out / topic / "booklet.pdf").read_bytes() != (fresh / topic / "booklet.pdf").read_bytes()


def test_a_booklet_written_again_unchanged_keeps_its_bytes(tmp_path: Path):
    """When every output is written again with the same HTML (notebuilder or a tool
    changed, or the manifest is gone), the booklet is the last one, byte for byte."""
    project = tmp_path / "project"
    shutil.copytree(SUBJECTS, project)
    options = BuildOptions(project, project / "build", ("pdf",), ("economy-schemes",))
    build(options)
    booklet = project / "build" / "economy-schemes" / "booklet.pdf"
    before = booklet.read_bytes()
    for stamp in booklet.parent.glob(".*"):
        stamp.unlink()
    (written,) = build(options)
    assert booklet in written.outputs and booklet.read_bytes() == before


CUT_CSS = """
body { counter-reset: block; }
.block { counter-increment: block; }
.block > p::before { content: "No. " counter(block) ": "; }
#b3 { break-inside: auto; } #b3 p { orphans: 1; widows: 1; }
"""


def long_flow(
    blocks: list[tuple[str, str | None, int, str]], headings_inside: bool = False, counters: bool = True
) -> str:
    """A contents page, then one group of blocks (id, heading or None, height in mm,
    words) that runs over many pages: a heading (before its block, or inside it) sets the
    running head, and each block shows a counter, so that a page kept from the last PDF
    shows both as they stood."""
    flow = "".join(
        f"{f'<h2>{heading}</h2>' if heading and not headings_inside else ''}"
        f'<div class="block" id="{identifier}">'
        f"{f'<h2>{heading}</h2>' if heading and headings_inside else ''}"
        f'<p style="{f"height: {height}mm" if height else ""}">{words}</p></div>'
        for identifier, heading, height, words in blocks
    )
    toc = "".join(f'<li><a href="#{identifier}">{identifier}</a></li>' for identifier, *_ in blocks[::4])
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test</title>'
        f"<style>{PAGE_CSS}{CUT_CSS if counters else ''}</style></head><body>"
        f'{BEGIN}<nav class="toc" id="contents"><h2>Contents</h2><ol>{toc}</ol></nav>{END}'
        f'{BEGIN}<main id="flow" style="break-before: page">{flow}</main>{END}'
        f'{BEGIN}<section class="back" id="back"><h2>Back matter</h2><p>the end</p></section>{END}'
        "</body></html>"
    )


FLOW = [
    (f"b{number}", "Part one" if number == 1 else None, 45, f"words of block {number}")
    for number in range(1, 21)
]


def edited_flow(kind: str) -> list:
    blocks = list(FLOW)
    if kind == "word":
        blocks[2] = (*blocks[2][:3], "other words of block 3")
    elif kind == "taller":
        blocks[2] = (*blocks[2][:2], 80, blocks[2][3])
    elif kind == "shorter":
        blocks[2] = (*blocks[2][:2], 10, blocks[2][3])
    elif kind == "heading":  # the running head of every page after it
        blocks[0] = ("b1", "Part one, revised", *blocks[0][2:])
    elif kind == "inserted":  # takes no room, but counts: every later number moves on
        blocks.insert(3, ("b3a", None, 0, ""))
    elif kind == "deleted":
        del blocks[2]
    elif kind in ("late", "late, heading inside"):
        blocks[18] = (*blocks[18][:3], "other words of block 19")
    elif kind == "middle":
        blocks[9] = (*blocks[9][:3], "other words of block 10")
    return blocks


def test_an_edit_early_in_a_long_group_prints_it_up_to_a_page_that_begins_as_before(tmp_path: Path):
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    whole = print_pdf(long_flow(FLOW), first, None, cache)
    edited = long_flow(edited_flow("word"))
    printed = print_pdf(edited, second, first, cache)
    assert not printed.whole and printed.printed == (1,)
    flow_pages = range(1, whole.pages - 1)
    assert printed.fresh == (1,)  # block 3 is on the flow's first page, and the next begins as it did
    assert len(flow_pages) > 5
    assert "other words of block 3" in "".join(page_texts(second))
    assert_reads_as_printed_whole(second, edited, tmp_path)


EDITS = [
    "word",
    "taller",
    "shorter",
    "heading",
    "inserted",
    "deleted",
    "late",
    "middle",
    "late, heading inside",
]


@pytest.mark.parametrize("counters", [True, False], ids=["counted", "uncounted"])
@pytest.mark.parametrize("kind", EDITS)
def test_a_group_printed_in_part_reads_as_printed_whole(tmp_path: Path, kind, counters):
    """Whatever the edit, the pages kept from the last PDF (before and after the pages
    printed again) show what a whole printing shows: the blocks' places, their numbers,
    the running heads, the contents' page numbers (blocks emptied before the first page
    printed again keep their tags when the CSS counts, and lose them when it does not)."""
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    inside = kind.endswith("heading inside")
    print_pdf(long_flow(FLOW, inside, counters), first, None, cache)
    edited = long_flow(edited_flow(kind), inside, counters)
    printed = print_pdf(edited, second, first, cache)
    assert_reads_as_printed_whole(second, edited, tmp_path)
    if kind in ("heading", "inserted"):  # every later page changes: none is kept
        assert printed.whole or set(printed.fresh) >= set(range(1, printed.pages - 1))
    if kind in ("late", "middle"):  # the page of the edit only, and perhaps the next
        assert not printed.whole and 1 <= len(printed.fresh) <= 2
    if kind == "late, heading inside":  # emptied, the blocks before would lose the running head
        assert len(printed.fresh) > 2


def first_line(page: str) -> str:
    """A page's first line of text under its running head."""
    return [line.strip() for line in page.splitlines() if line.strip()][1]


def test_a_page_whose_first_block_moves_down_it_is_not_taken_from_the_last_pdf(tmp_path: Path):
    """Block 3 ends the flow's first page; two more lines make it run on to the next,
    whose first block then stands lower on the same page: the page counts, the contents
    and the page of every block stay as they were, so only the page's own top shows it."""
    lines = " ".join(["words"] * 55)
    blocks = [("b1", "Part one", 60, "one"), ("b2", None, 60, "two"), ("b3", None, None, lines)]
    blocks += [(f"b{number}", None, 60, f"block {number}") for number in range(4, 12)]
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    print_pdf(long_flow(blocks), first, None, cache)
    assert first_line(page_texts(first)[2]).startswith("No. 4")  # block 4 begins the flow's 2nd page
    blocks[2] = ("b3", None, None, lines + " and two lines more" + " words" * 16)
    edited = long_flow(blocks)
    printed = print_pdf(edited, second, first, cache)
    assert first_line(page_texts(second)[2]).startswith("words")
    assert 2 in printed.fresh
    assert_reads_as_printed_whole(second, edited, tmp_path)


def test_edit_after_edit_reads_as_printed_whole(tmp_path: Path):
    """Each printing's record describes the PDF it made, pages kept from earlier printings
    included: an edit undone, then others elsewhere, each reads as printed whole."""
    cache, previous = tmp_path / "cache", tmp_path / "0.pdf"
    print_pdf(long_flow(FLOW), previous, None, cache)
    fresh_counts = []
    for number, kind in enumerate(["late", None, "middle", "late", "word", None], start=1):
        html = long_flow(edited_flow(kind) if kind else FLOW)
        target = tmp_path / f"{number}.pdf"
        printed = print_pdf(html, target, previous, cache)
        assert_reads_as_printed_whole(target, html, tmp_path)
        fresh_counts.append(len(printed.fresh))
        previous = target
    # a step that changes one block prints its page (and perhaps the next); the fourth and
    # fifth change two blocks each (the last step's and their own), and print pages between
    assert [count <= 2 for count in fresh_counts] == [True, True, True, False, False, True]


WORDS = (
    "river harbour council tariff railway charter monsoon archive colony treaty census ledger "
    "frontier cabinet statute orchard foundry beacon quarry granary ferry mint assembly court"
).split()


def long_topic(project: Path, points: int, edited: int | None = None, added: bool = False) -> str:
    """The real booklet of a scratch topic of ``points`` points (no two alike), over two
    sections; ``edited``: one point's wording changed; ``added``: one point more, early."""
    import random

    from conftest import make_project

    from notebuilder.build import assemble_topic, check_project
    from notebuilder.render import make_environment, render_booklet

    rng = random.Random(5)
    fragments = []
    for number in range(points):
        words = " ".join(rng.sample(WORDS, 14))
        text = f"Point {number} notes that the {words} stood apart in year {1800 + number}."
        if number == edited:
            text = text.replace("notes that", "records that")
        section = "history" if number < points // 2 else "trade"
        fragments.append(f"  - id: p{number}\n    section: {section}\n    text: {text}\n")
        if added and number == 3:
            fragments.append("  - id: extra\n    section: history\n    text: One point more, early on.\n")
    make_project(
        project, {"notes/demo/long.yaml": "defaults:\n  source: alpha\nfragments:\n" + "".join(fragments)}
    )
    corpus = check_project(project, ("demo",))
    document = assemble_topic(corpus, corpus.topics[0], 1767225600)
    return render_booklet(make_environment(project), document, project)


@pytest.mark.parametrize("edit", ["wording", "a point more"])
def test_a_long_real_booklet_after_an_edit_reads_as_printed_whole(tmp_path: Path, edit):
    """The shipped booklet layout over many pages: a one-word edit in the middle prints a
    page or two of it again; a point added early prints every page after it again."""
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    whole = print_pdf(long_topic(tmp_path / "project", 120), first, None, cache)
    assert whole.pages > 10
    html = long_topic(tmp_path / "project", 120, *((60, False) if edit == "wording" else (None, True)))
    printed = print_pdf(html, second, first, cache)
    assert_reads_as_printed_whole(second, html, tmp_path)
    if edit == "wording":
        assert not printed.whole and 1 <= len(printed.fresh) <= 2
        assert "Point 60 records that" in " ".join(" ".join(page_texts(second)).split())


def test_pages_printed_after_blank_stand_ins_have_the_running_heads_of_a_whole_printing(tmp_path: Path):
    """The flow's first page sets no running head of its own (its first block has no
    heading): it shows the one the contents set, though the contents, unchanged, is
    only blank pages in the printing; they set the named strings their pages set."""
    blocks = [("b0", None, 20, "before any heading"), *FLOW]
    cache, first, second = tmp_path / "cache", tmp_path / "first.pdf", tmp_path / "second.pdf"
    print_pdf(long_flow(blocks), first, None, cache)
    assert page_texts(first)[1].split()[0] == "Contents"
    blocks[1] = (*blocks[1][:3], "other words of block 1")  # on the flow's first page
    edited = long_flow(blocks)
    printed = print_pdf(edited, second, first, cache)
    assert not printed.whole and printed.fresh[0] == 1
    assert page_texts(second)[1].split()[0] == "Contents"
    assert_reads_as_printed_whole(second, edited, tmp_path)


EDIT = st.tuples(
    st.sampled_from(["words", "height", "insert", "delete", "heading", "lines"]),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=3),
)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(EDIT, min_size=3, max_size=5), counters=st.booleans(), inside=st.booleans())
def test_any_edit_after_any_edit_reads_as_printed_whole(tmp_path: Path, edits, counters, inside):
    """Random edits, one after the other, each printed from the last PDF: every printing
    reads as the same HTML printed whole (texts, running heads, numbers, links, tags)."""
    folder = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    blocks = [
        (
            f"b{number}",
            "Part one" if number == 1 else "Part two" if number == 9 else None,
            height,
            f"block {number}",
        )
        for number, height in zip(range(1, 25), [20, 30, 45, 60] * 6)
    ]
    cache, previous = folder / "cache", folder / "0.pdf"
    print_pdf(long_flow(blocks, inside, counters), previous, None, cache)
    for step, (kind, where, amount) in enumerate(edits, start=1):
        index = where % len(blocks)
        identifier, heading, height, words = blocks[index]
        if kind == "words":
            blocks[index] = (identifier, heading, height, words + " more" * (amount + 1))
        elif kind == "height":
            blocks[index] = (identifier, heading, max(0, (height or 20) + 10 * amount - 15), words)
        elif kind == "insert":
            blocks.insert(index, (f"x{step}", None, 10 * amount, "inserted"))
        elif kind == "delete" and len(blocks) > 5:
            del blocks[index]
        elif kind == "heading":
            blocks[index] = (identifier, f"Heading {step}", height, words)
        elif kind == "lines":
            blocks[index] = (identifier, heading, None, " ".join(["word"] * (10 + 35 * amount)))
        html = long_flow(blocks, inside, counters)
        target = folder / f"{step}.pdf"
        print_pdf(html, target, previous, cache)
        assert_reads_as_printed_whole(target, html, folder)
        previous = target
