"""A topic written in Hindi (tests/data/hindi, मौलिक अधिकार): its figures, dates and
numbered things read as in English, its facts merged across sources, and the words
notebuilder prints in Hindi."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import TESTS, labelled_pair_failures

import notebuilder
from notebuilder.build import assemble_topic, check_project, deduplicate_topics
from notebuilder.dates import display_date, parse_date
from notebuilder.figures import numbered_references, read_quantities
from notebuilder.metrics import font_file

HINDI = TESTS / "data" / "hindi"
PAIRS = yaml.safe_load((TESTS / "cases" / "hindi-pairs.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, figures",
    [
        ("केंद्र ने ₹ 2 लाख करोड़ का प्रावधान किया", [("₹ 2 लाख करोड़", 2e12, "INR")]),
        ("व्यय १.८ लाख करोड़ रुपये रहा", [("१.८ लाख करोड़ रुपये", 1.8e12, "INR")]),
        ("मूल संविधान में सात मौलिक अधिकार थे", [("सात", 7, "")]),
        ("एक लाख लोग", [("एक लाख", 1e5, "")]),
        ("एक योजना 25 प्रतिशत बढ़ी", [("25 प्रतिशत", 25, "%")]),  # एक alone is "a"
        ("वर्तमान में ग्यारह मौलिक कर्तव्य हैं", [("ग्यारह", 11, "")]),
        ("नब्बे दिन और सौ दिन", [("नब्बे", 90, ""), ("सौ", 100, "")]),
    ],
)
def test_hindi_figures_are_read_as_written(text: str, figures):
    assert [(found.text, found.value, found.unit) for found in read_quantities(text)] == figures


def test_hindi_numbered_things_and_dates():
    assert numbered_references("अनुच्छेद २१ जीवन की रक्षा करता है") == {("article", "21")}
    assert numbered_references("अनुच्छेद 21क शिक्षा") == {("article", "21A")}
    assert ("amendment", "42") in numbered_references("४२वाँ संशोधन (१९७६) ने शब्द जोड़े")
    assert ("chapter", "3") in numbered_references("अध्याय 3 में")
    assert parse_date("261 ई.पू.").start == (-261, 0, 0)
    assert parse_date("लगभग 261 ईसा पूर्व").start == (-261, 0, 0)
    assert parse_date("२६ जनवरी १९५०").start == (1950, 1, 26)
    assert parse_date("26 नवम्बर 1949").start == parse_date("26 नवंबर 1949").start == (1949, 11, 26)
    assert parse_date("1000–1027 ई.").end_year == 1027
    assert display_date("2025-08-21", "long", "hi") == "21 अगस्त 2025"
    assert display_date("2025-08-21", "short", "hi") == "21 अगस्त 2025"  # months written out


def test_hindi_pairs_merge_or_warn_and_different_facts_never_merge():
    corpus = check_project(HINDI)
    (result,) = deduplicate_topics(corpus).values()
    assert len(PAIRS["same"]) >= 20 and len(PAIRS["different"]) >= 20
    points = {member.fragment: point for point in result.points for member in point.members}
    warned = {frozenset(re.findall(r"'([a-z0-9-]+)'", warning.message)[:2]) for warning in result.warnings}
    assert labelled_pair_failures(PAIRS, points, warned) == ([], [])
    disputed = [point for point in result.points if point.conflicts]
    assert [conflict.quantity for point in disputed for conflict in point.conflicts] == ["शिक्षा व्यय"]


# ------------------------------------------------------------------ print and e-readers

CONJUNCTS = ("क्षत्रिय", "श्रृंखला", "द्वितीय", "संविधान", "प्रधानमंत्री", "राष्ट्र")
DEVANAGARI_FONTS = ("Noto Serif Devanagari", "Noto Sans Devanagari")


@pytest.fixture(scope="module")
def hindi_build(tmp_path_factory) -> Path:
    from conftest import built_once

    return (
        built_once(tmp_path_factory, "hindi-build", "--root", str(HINDI), "--format", "all")
        / "maulik-adhikar"
    )


def _outline(font, name: str):
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[name].draw(pen)
    return font["hmtx"][name][0], tuple(pen.value)


def _shaped(word: str, path: str) -> list:
    """The outlines HarfBuzz draws ``word`` with, in the font at ``path``, in order."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    data = Path(path).read_bytes()
    font = hb.Font(hb.Face(hb.Blob(data)))
    buffer = hb.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    tt = TTFont(path, lazy=True)
    order = tt.getGlyphOrder()
    return [_outline(tt, order[info.codepoint]) for info in buffer.glyph_infos]


def _drawn(pdf_path: Path) -> tuple[list[list], int]:
    """The glyphs each content stream of a PDF draws in a CID font, as outlines in drawing
    order (a form XObject's too: the mind maps; a word may be drawn in several text-showing
    operators, as marks are raised), and how many drawn glyphs are .notdef (missing)."""
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    runs, missing, programs = [], 0, {}

    def glyphs_of(font):
        key = font.objgen
        if key not in programs:
            described = font.DescendantFonts[0]
            program = TTFont(io.BytesIO(described.FontDescriptor.FontFile2.read_bytes()))
            mapping = described.get("/CIDToGIDMap")
            table = None
            if isinstance(mapping, pikepdf.Stream):
                raw = mapping.read_bytes()
                table = [int.from_bytes(raw[index : index + 2], "big") for index in range(0, len(raw), 2)]
            programs[key] = (program, table)
        return programs[key]

    def walk(stream_owner, resources):
        nonlocal missing
        font = None
        run: list = []
        runs.append(run)
        for operands, operator in pikepdf.parse_content_stream(stream_owner):
            name = str(operator)
            if name == "Tf":
                candidate = resources.Font.get(operands[0])
                font = candidate if candidate is not None and candidate.get("/Subtype") == "/Type0" else None
            elif name in ("Tj", "TJ", "'", '"') and font is not None:
                program, table = glyphs_of(font)
                order = program.getGlyphOrder()
                strings = operands[-1] if name == "TJ" else [operands[-1]]
                for item in strings:
                    if isinstance(item, pikepdf.String):
                        data = bytes(item)
                        for index in range(0, len(data) - 1, 2):
                            cid = int.from_bytes(data[index : index + 2], "big")
                            gid = table[cid] if table is not None and cid < len(table) else cid
                            missing += gid == 0
                            run.append(_outline(program, order[gid]) if gid < len(order) else None)
            elif name == "Do":
                thing = resources.XObject.get(operands[0])
                if thing is not None and thing.get("/Subtype") == "/Form":
                    walk(thing, thing.get("/Resources", resources))

    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            walk(page, page.Resources)
    return runs, missing


def _contains(run: list, part: list) -> bool:
    return any(run[index : index + len(part)] == part for index in range(len(run) - len(part) + 1))


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["booklet.pdf", "selftest.pdf", "mindmaps.pdf"])
def test_conjuncts_are_drawn_as_harfbuzz_shapes_them_with_no_missing_glyph(hindi_build: Path, name: str):
    """Each conjunct-heavy word is drawn with the very glyphs HarfBuzz gives for it in one of
    the Devanagari fonts (a broken conjunct, a half-form or a reordered matra would differ),
    and no glyph is .notdef."""
    runs, missing = _drawn(hindi_build / name)
    assert missing == 0
    files = [font_file(f"{family}:{weight}") for family in DEVANAGARI_FONTS for weight in ("regular", "bold")]
    for word in CONJUNCTS:
        shapes = [_shaped(word, path) for path in files]
        assert any(_contains(run, shape) for run in runs for shape in shapes), (name, word)
    broken = [_shaped("क्\u200cषत्रिय", path) for path in files]  # क्ष with its conjunct broken
    assert not any(_contains(run, shape) for run in runs for shape in broken)  # the check would see it


def _hindi_words(text: str) -> set[str]:
    import unicodedata

    from notebuilder.markup import DEVANAGARI_WORD

    return set(re.findall(DEVANAGARI_WORD, unicodedata.normalize("NFC", text)))


def _words_notebuilder_may_print() -> set[str]:
    """Every Hindi word the subject's notes, its sources' titles, the catalogue and the
    month names hold: a word read back from a PDF that is none of these is garbled."""
    from babel.dates import get_month_names

    texts = [path.read_text(encoding="utf-8") for path in HINDI.rglob("*.yaml")]
    texts.append((Path(notebuilder.__file__).parent / "locale" / "hi.po").read_text(encoding="utf-8"))
    texts.extend(get_month_names("wide", locale="hi").values())
    return _hindi_words(" ".join(texts))


@pytest.mark.e2e
@pytest.mark.parametrize(
    "name", ["booklet.pdf", "selftest.pdf", "comparison.pdf", "mindmaps.pdf", "mindmaps/01-adhikar.pdf"]
)
def test_a_printed_pdf_gives_its_hindi_words_back_as_text(hindi_build: Path, name: str):
    """pdftotext reads every Hindi word as it was written: none split at a vowel sign drawn
    before its consonant, none read through a glyph another word shares (WeasyPrint's
    one text per glyph); and the conjunct-heavy words come back whole."""
    from conftest import pdftotext

    path = hindi_build / name
    read = _hindi_words(pdftotext(path)) | _hindi_words(pdftotext(path, layout=True))
    assert read - _words_notebuilder_may_print() == set()
    if name != "comparison.pdf" and not name.startswith("mindmaps/"):
        assert [word for word in CONJUNCTS if word not in read] == []


@pytest.mark.e2e
def test_the_hindi_pdfs_pass_a_pdf_ua_checker(hindi_build: Path, tmp_path: Path):
    """Every glyph shown maps to text (PDF/UA-1 7.21.7): WeasyPrint left a vowel sign drawn
    before its consonant mapped to nothing, cairo some glyphs to U+FFFD."""
    from conftest import pdf_ua_errors

    pdfs = sorted(hindi_build.rglob("*.pdf"))
    assert len(pdfs) > 5
    assert pdf_ua_errors(pdfs, tmp_path) == []


@pytest.mark.e2e
def test_no_english_furniture_in_the_hindi_outputs(hindi_build: Path):
    """No phrase notebuilder prints in English is left untranslated on a Hindi page or in
    the Hindi e-book: no sentence of the catalogue, no source kind, no English month."""
    import zipfile

    from babel.messages.pofile import read_po
    from conftest import pdftotext

    from notebuilder.dates import MONTH_NAMES
    from notebuilder.validate import SOURCE_KINDS

    with (Path(notebuilder.__file__).parent / "locale" / "hi.po").open("rb") as catalogue:
        phrases = [
            message.id
            for message in read_po(catalogue)
            if isinstance(message.id, str) and len(message.id.split()) > 1 and "%" not in message.id
        ]
    words = [kind.replace("-", " ") for kind in SOURCE_KINDS] + [
        *MONTH_NAMES,
        *(name[:3] for name in MONTH_NAMES),
    ]
    english = re.compile("|".join(rf"\b{re.escape(word)}\b" for word in (*phrases, *words)))
    texts = {
        name: pdftotext(hindi_build / name)
        for name in ("booklet.pdf", "selftest.pdf", "comparison.pdf", "mindmaps.pdf")
    }
    with zipfile.ZipFile(hindi_build / "booklet.epub") as book:
        for name in book.namelist():
            if name.endswith(".xhtml"):
                texts[name] = re.sub(r"<[^>]+>", " ", book.read(name).decode())
    found = {name: english.findall(" ".join(text.split())) for name, text in texts.items()}
    assert {name: words for name, words in found.items() if words} == {}


@pytest.mark.e2e
def test_the_hindi_furniture_dates_and_epub(hindi_build: Path, tmp_path: Path):
    import unicodedata
    import zipfile

    from conftest import epubcheck

    from notebuilder.build import assemble_topic
    from notebuilder.render import make_environment, render_booklet

    corpus = check_project(HINDI)
    document = assemble_topic(corpus, corpus.topics[0], 1767225600)
    html = render_booklet(make_environment(HINDI), document, HINDI)
    for words in ("विषय-सूची", "पुनरावृत्ति पुस्तिका", "संकलन के स्रोत", "स्रोतों में मतभेद", "1 जनवरी 2026", "पृष्ठ "):
        assert words in html, words
    assert "26 नवंबर 1949" in html  # the margin date, in Hindi
    for english in (">Contents<", "Sources differ", "Revision booklet", '"page "'):
        assert english not in html, english
    epub = hindi_build / "booklet.epub"
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
        package = book.read("EPUB/content.opf").decode()
        text = unicodedata.normalize(
            "NFC", " ".join(book.read(name).decode() for name in names if name.endswith(".xhtml"))
        )
    assert "<dc:language>hi</dc:language>" in package
    assert any(name.startswith("EPUB/fonts/NotoSerifDevanagari") for name in names)
    assert [word for word in CONJUNCTS if word not in text] == []
    assert "2002:" not in text  # "(२००२)" in the text gives the date: no label says it again
    assert "सामग्री का आरंभ" in text and "उद्धृत:" in text  # the landmarks, the notes' backlinks
    assert "Cited in" not in text and "Start of content" not in text
    report = epubcheck(epub, tmp_path)
    assert report["messages"] == []


def test_blanks_and_clozes_fall_on_word_boundaries():
    """Never inside a conjunct, nor between a consonant and its vowel sign: each blank and
    each cloze of the Hindi topic begins and ends where a word does."""
    import unicodedata

    from notebuilder.build import assemble_topic
    from notebuilder.cards import plan_cards
    from notebuilder.selftest import plan_selftest

    corpus = check_project(HINDI)
    document = assemble_topic(corpus, corpus.topics[0], 0)

    def joined(character: str) -> bool:  # a vowel sign, a mark or a virama: part of the letter before
        return bool(character) and (unicodedata.category(character) in ("Mn", "Mc") or character == "\u094d")

    def letter(character: str) -> bool:
        return (
            bool(character)
            and "\u0900" <= character <= "\u097f"
            and unicodedata.category(character)[0] in "LM"
        )

    def inside_a_word(before: str, after: str) -> bool:
        return joined(after) or letter(before) or letter(after)

    test = plan_selftest(document)
    questions = "".join(str(question.html) for section in test.sections for question in section.questions)
    for match in re.finditer(r'<span class="blank"[^>]*>.*?</span></span>', questions):
        before, after = (
            questions[max(0, match.start() - 1) : match.start()],
            questions[match.end() : match.end() + 1],
        )
        assert not inside_a_word(before, after), (before, after)
    clozes = [card for card in plan_cards(document) if card.kind == "cloze"]
    assert clozes
    for card in clozes:
        text = card.fields[0]
        for match in re.finditer(r"\{\{c\d+::(.*?)\}\}", text):
            before, after = (
                text[max(0, match.start() - 1) : match.start()],
                text[match.end() : match.end() + 1],
            )
            assert not inside_a_word(before, after), (card.fields[0], before, after)


@pytest.mark.e2e
def test_a_hindi_topic_beside_an_english_one_in_a_combined_book(tmp_path: Path):
    """Each topic's booklet speaks its own language in one build, and the combined book's
    shared furniture follows the syllabus's language: here Hindi, with an English part."""
    import shutil

    from conftest import BASE_PROJECT, run_notebuilder

    project = tmp_path / "mixed"
    shutil.copytree(HINDI, project)
    shutil.copytree(BASE_PROJECT / "notes" / "demo", project / "notes" / "demo")
    for seed in ("alpha.txt", "beta.txt"):
        shutil.copy(BASE_PROJECT / "seeds" / seed, project / "seeds" / seed)
    english = yaml.safe_load((BASE_PROJECT / "seeds" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    registry = yaml.safe_load((project / "seeds" / "sources.yaml").read_text(encoding="utf-8"))
    registry["sources"] += english
    (project / "seeds" / "sources.yaml").write_text(
        yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8"
    )
    (project / "notes" / "syllabus.yaml").write_text(
        "title: संयुक्त नोट्स\nlanguage: hi\ngroups:\n  - title: GS2\n    topics: [maulik-adhikar, demo]\n",
        encoding="utf-8",
    )
    from notebuilder.build import assemble_book
    from notebuilder.render import make_environment, render_booklet, render_combined

    corpus = check_project(project)
    deduplicated = deduplicate_topics(corpus)
    environment = make_environment(project)
    documents = {topic.id: assemble_topic(corpus, topic, 0) for topic in corpus.topics}
    english_html = render_booklet(environment, documents["demo"], project)
    hindi_html = render_booklet(environment, documents["maulik-adhikar"], project)
    assert ">Contents<" in english_html and "विषय-सूची" in hindi_html  # one environment, two languages
    assert "समयरेखा" not in english_html and ">Timeline<" not in hindi_html
    book = assemble_book(corpus, {topic.id: deduplicated[topic.id].points for topic in corpus.topics}, 0)
    combined = render_combined(environment, book, project)
    assert '<html lang="hi">' in combined and 'lang="en"' in combined  # the English part keeps its own
    assert "विषय-सूची" in combined and ">Timeline<" not in combined
    built = run_notebuilder("build", "--root", str(project), "--combined", "--format", "epub")
    assert built.returncode == 0, built.stderr


@pytest.mark.e2e
def test_an_english_topic_with_hindi_terms_and_a_glossary_entry_in_both(tmp_path: Path):
    from conftest import epubcheck, make_project, pdf_page_count, pdftotext, run_notebuilder

    from notebuilder.render import make_environment, render_booklet

    notes = """defaults:
  source: alpha
  section: history
fragments:
  - id: rte
    text: The **Right to Education** (**शिक्षा का अधिकार**) made schooling free for children of **6 to 14**.
  - id: rte-again
    source: beta
    text: Schooling free for children aged **6 to 14** is the **Right to Education** (**शिक्षा का अधिकार**).
  - id: isa
    section: trade
    text: The **ISA** was launched in **2015**.
"""
    glossary = "glossary:\n  ISA: {expansion: International Solar Alliance, hi: अंतर्राष्ट्रीय सौर गठबंधन}\n"
    project = make_project(
        tmp_path / "bilingual", {"notes/demo/notes.yaml": notes, "notes/demo/glossary.yaml": glossary}
    )
    corpus = check_project(project)
    (result,) = deduplicate_topics(corpus).values()
    merged = [point for point in result.points if len(point.members) == 2]
    assert [sorted(member.fragment for member in point.members) for point in merged] == [["rte", "rte-again"]]
    html = render_booklet(make_environment(project), assemble_topic(corpus, corpus.topics[0], 0), project)
    assert 'International Solar Alliance · <span lang="hi">अंतर्राष्ट्रीय सौर गठबंधन</span>' in html
    assert run_notebuilder("build", "--root", str(project), "--format", "all").returncode == 0
    assert pdf_page_count(project / "build" / "demo" / "booklet.pdf") >= 3
    # The e-book embeds the Devanagari font for its Hindi words alone, each run marked Hindi.
    import zipfile

    epub = project / "build" / "demo" / "booklet.epub"
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
        style = next(book.read(name).decode() for name in names if name.endswith(".css"))
        chapters = " ".join(book.read(name).decode() for name in names if name.endswith(".xhtml"))
    assert "EPUB/fonts/NotoSerifDevanagari-Regular.ttf" in names
    assert '[lang|="hi"] { font-family: "Noto Serif Devanagari", serif; }' in style and "body {" not in style
    assert '<strong><span lang="hi">शिक्षा का अधिकार</span></strong>' in chapters
    assert epubcheck(epub, tmp_path)["messages"] == []
    # In the PDF, each Hindi word's span says its language too (WeasyPrint tags none).
    import pikepdf

    with pikepdf.open(project / "build" / "demo" / "booklet.pdf") as pdf:
        spans = [
            {str(name): str(value) for name, value in instruction.operands[1].items()}
            for page in pdf.pages
            for instruction in pikepdf.parse_content_stream(page)
            if str(instruction.operator) == "BDC" and "/ActualText" in instruction.operands[1]
        ]
    assert {"/ActualText": "शिक्षा", "/Lang": "hi"} in spans and all(span["/Lang"] == "hi" for span in spans)
    printed = " ".join(pdftotext(project / "build" / "demo" / "booklet.pdf").split())
    assert "शिक्षा का अधिकार" in printed and "अंतर्राष्ट्रीय सौर गठबंधन" in printed  # Hindi in English reads too
    wrong = project / "notes" / "demo" / "glossary.yaml"
    wrong.write_text("glossary:\n  ISA: {hindi: सौर}\n", encoding="utf-8")
    refused = run_notebuilder("check", "--root", str(project))
    assert refused.returncode == 1
    assert (
        "'hindi' is not a language code" in refused.stderr and "'ISA' needs its expansion" in refused.stderr
    )


@pytest.mark.e2e
@pytest.mark.skipif(
    __import__("shutil").which("ebook-convert") is None,
    reason="Calibre is not installed (apt-get install calibre)",
)
def test_calibre_makes_a_kindle_book_with_the_conjuncts_in_its_text(hindi_build: Path, tmp_path: Path):
    import subprocess
    import unicodedata
    import zipfile

    kindle = tmp_path / "booklet.azw3"
    converted = subprocess.run(
        ["ebook-convert", str(hindi_build / "booklet.epub"), str(kindle)], capture_output=True, text=True
    )
    assert converted.returncode == 0 and "Traceback" not in converted.stderr, converted.stdout[-2000:]
    back = tmp_path / "back.htmlz"
    assert subprocess.run(["ebook-convert", str(kindle), str(back)], capture_output=True).returncode == 0
    with zipfile.ZipFile(back) as unpacked:
        text = unicodedata.normalize("NFC", unpacked.read("index.html").decode())
    assert [word for word in CONJUNCTS if word not in text] == []


@pytest.mark.e2e
def test_daisy_ace_finds_no_violations_in_the_hindi_epub(hindi_build: Path, tmp_path: Path):
    from conftest import ace_report

    assert ace_report(hindi_build / "booklet.epub", tmp_path) == ([], "pass")


def test_hindi_seeds_are_read_sentence_by_sentence_and_the_notes_cover_them():
    """A Hindi seed's sentences end at the danda; its title is a heading ("III" in a
    line does not make it one in capitals); every statement is captured by the notes."""
    from notebuilder.coverage import source_coverage
    from notebuilder.render import make_environment, render_coverage
    from notebuilder.scaffold import source_text

    corpus = check_project(HINDI)
    (topic,) = corpus.topics
    results = []
    for source in corpus.sources:
        found = source_coverage(source, source_text(HINDI, source), topic.fragments, {}, topic.title)
        citing = [fragment for fragment in topic.fragments if source.id in fragment.source_ids]
        assert found.share() == (len(citing), len(citing)), [item.text for item in found.uncovered]
        results.append(found)
    report = render_coverage(make_environment(HINDI), topic, results, HINDI)  # in Hindi too
    assert f"{topic.title}: स्रोतों की कवरेज" in report and "किसी नोट-अंश में दर्ज" in report
    assert "statements captured" not in report and "source coverage" not in report


def test_a_letter_typed_in_either_form_is_one_text(tmp_path: Path):
    """ज़ typed as one character (U+095B) or as ज and a nukta: the notes hold one form
    (NFC), so a point, its card and its typed answer are the same text."""
    from conftest import make_project

    from notebuilder.cards import plan_cards

    notes = (
        "defaults:\n  source: alpha\n  section: history\nfragments:\n"
        '  - id: precomposed\n    text: "**\u095bमीन** का अधिकार एक कानूनी अधिकार है।"\n'
        '  - id: decomposed\n    source: beta\n    text: "**\u091c\u093cमीन** का अधिकार एक कानूनी अधिकार है।"\n'
    )
    project = make_project(tmp_path / "nfc", {"notes/demo/notes.yaml": notes})
    corpus = check_project(project)
    texts = {fragment.id: fragment.text for fragment in corpus.topics[0].fragments}
    assert texts["precomposed"] == texts["decomposed"] and "\u095b" not in texts["precomposed"]
    (result,) = deduplicate_topics(corpus).values()
    assert [len(point.members) for point in result.points] == [2]  # one fact, from both sources
    cards = [card for card in plan_cards(assemble_topic(corpus, corpus.topics[0], 0)) if card.kind == "cloze"]
    assert "{{c1::\u091c\u093cमीन}}" in cards[0].fields[0]


def test_the_hindi_cards_speak_hindi():
    from notebuilder.cards import plan_cards

    corpus = check_project(HINDI)
    cards = plan_cards(assemble_topic(corpus, corpus.topics[0], 0))
    (conflict,) = [card for card in cards if card.kind == "conflict"]
    assert conflict.fields[0] == "मौलिक अधिकार · शिक्षा व्यय: हर स्रोत क्या देता है?"
    backs = " ".join(card.fields[1] for card in cards if card.kind == "cloze")
    assert "स्रोत: [" in backs and "शिक्षा व्यय पर स्रोतों में मतभेद:" in backs
    assert not re.search(r"Sources|Also|says this too|what does each", backs + conflict.fields[0])


def test_only_a_word_the_page_was_printed_from_gets_its_text(tmp_path: Path):
    """A word's text comes from the HTML it was shaped from, never from its glyphs alone:
    a drawn word the HTML does not hold keeps the text WeasyPrint gave it."""
    import io

    import pikepdf

    from notebuilder.pdf import lay_out_pages
    from notebuilder.text_layer import add_actual_text, shaped_words

    # A word whole, and each run of its pieces in the script and out (another font may draw one).
    assert shaped_words(["(अनुच्छेद 21क) is", "मौलिक।"]) == sorted(
        ["(", "(अनुच्छेद", ")", "21", "21क", "21क)", "अनुच्छेद", "क", "क)", "मौलिक", "मौलिक।", "।"]
    )
    html = '<html lang="hi"><body><p style="font-family: Noto Serif">शिक्षा का मौलिक अधिकार</p></body></html>'
    printed = io.BytesIO()
    lay_out_pages(html, tmp_path, [tmp_path]).write_pdf(printed)

    def spans(source_html: str) -> list[str]:
        with pikepdf.open(io.BytesIO(printed.getvalue())) as pdf:
            add_actual_text(pdf, source_html)
            return [
                str(instruction.operands[1].ActualText)
                for instruction in pikepdf.parse_content_stream(pdf.pages[0])
                if str(instruction.operator) == "BDC" and "/ActualText" in instruction.operands[1]
            ]

    assert spans(html) == ["शिक्षा", "का", "मौलिक", "अधिकार"]
    assert spans(html.replace("शिक्षा ", "")) == ["का", "मौलिक", "अधिकार"]
    assert spans("<p>no Hindi at all</p>") == []


def test_every_letter_on_an_e_book_cover_is_in_the_font_it_is_drawn_in():
    """The cover draws each script in a family that has its letters: the Devanagari families
    lack Latin capitals, so "GS2 · राजव्यवस्था" in one font drew boxes."""
    from fontTools.ttLib import TTFont

    from notebuilder.outputs.epub import cover_runs

    for text in ("GS2 · राजव्यवस्था", "मौलिक अधिकार (Part III)", "India–Japan Relations"):
        runs = cover_runs(text, "Noto Sans")
        assert "".join(piece for piece, _ in runs) == text
        for piece, family in runs:
            letters = TTFont(font_file(f"{family}:bold"), lazy=True).getBestCmap()
            assert [letter for letter in piece if ord(letter) not in letters] == [], (piece, family)


def test_one_environment_renders_each_language_in_its_own_words():
    """English, then Hindi, then English again in one environment (a combined book, the
    preview): the second English page is the first, with no Hindi word in it."""
    from conftest import SUBJECTS

    from notebuilder.render import make_environment, render_booklet

    environment = make_environment(SUBJECTS)
    english_corpus, hindi_corpus = check_project(SUBJECTS), check_project(HINDI)
    english = assemble_topic(english_corpus, english_corpus.topics[0], 0)
    first = render_booklet(environment, english, SUBJECTS)
    hindi = render_booklet(environment, assemble_topic(hindi_corpus, hindi_corpus.topics[0], 0), HINDI)
    assert "विषय-सूची" in hindi
    again = render_booklet(environment, english, SUBJECTS)
    assert again == first and ">Contents<" in again


@pytest.mark.e2e
def test_a_review_sheet_and_the_changes_of_hindi_topics_are_in_hindi(tmp_path: Path):
    """The sheet's words follow the language its topics share (no syllabus names one): a
    Hindi student's sheet says what to do in Hindi, and each box shows the letter that
    records it."""
    import shutil

    from conftest import pdftotext, run_notebuilder

    project = tmp_path / "hindi"
    shutil.copytree(HINDI, project)
    assert check_project(project).language == "hi"
    printed = run_notebuilder("review", "--root", str(project), "--date", "2026-01-01")
    assert printed.returncode == 0, printed.stderr
    text = " ".join(pdftotext(project / "build" / "review" / "2026-01-01.pdf").split())
    assert "पुनरावृत्ति शीट · 1 जनवरी 2026" in text and "फिर से a कठिन h ठीक g आसान e" in text
    assert "Again" not in text and "Fill in the blanks" not in text
    # What changed since the last print, in Hindi too: a figure, and a source that no longer says it.
    assert run_notebuilder("build", "--root", str(project), "--format", "pdf").returncode == 0
    notes = project / "notes" / "maulik-adhikar" / "kaksha.yaml"
    notes.write_text(notes.read_text(encoding="utf-8").replace("**सात**", "**आठ**"), encoding="utf-8")
    assert run_notebuilder("build", "--root", str(project), "--format", "pdf").returncode == 0
    assert run_notebuilder("changes", "--root", str(project)).returncode == 0
    text = " ".join(pdftotext(project / "build" / "maulik-adhikar" / "changes.pdf").split())
    assert "बदले हुए (1)" in text and "सात → आठ" in text and "स्रोत: − akhbar" in text
    assert "पहले: मूल संविधान में सात मौलिक अधिकार थे।" in text and "sources" not in text


def test_the_shared_language_is_the_syllabus_one_else_the_topics_own():
    from dataclasses import replace

    from conftest import SUBJECTS

    from notebuilder.errors import Location
    from notebuilder.model import Syllabus

    hindi, english = check_project(HINDI), check_project(SUBJECTS)
    assert (hindi.language, english.language) == ("hi", "en")
    mixed = replace(english, topics=english.topics + hindi.topics)
    assert mixed.language == "en"  # topics in two languages: English unless the syllabus says
    syllabus = Syllabus(None, (), Location("notes/syllabus.yaml"), language="hi")
    assert replace(mixed, syllabus=syllabus).language == "hi"


def test_the_preview_bar_speaks_the_topics_language():
    from notebuilder.preview import PreviewState

    state = PreviewState(HINDI, ())
    assert state.refresh() == ()
    page = state.page("/maulik-adhikar/")
    assert page is not None and "माइंड मैप</a>" in page and "2 चेतावनियाँ" in page
    assert "mind maps" not in page and " warnings" not in page


def test_a_language_notebuilder_cannot_print_is_said_and_a_name_gets_its_code():
    from notebuilder.i18n import PRINTED_LANGUAGES, language_problem

    assert PRINTED_LANGUAGES == ("en", "hi")
    assert language_problem("hi") is None and language_problem("en") is None
    kind, message = language_problem("mr")
    assert kind == "warning" and "print in English" in message  # a code it has no words in: a warning
    for name in ("Hindi", "hindi", "हिन्दी"):
        assert language_problem(name) == (
            "error",
            f"'{name}' is not a language code (ISO 639-1, e.g. 'hi'); did you mean 'hi'?",
        )


def test_a_topic_started_with_a_hindi_title_is_hindi_and_its_example_checks(tmp_path: Path):
    """notebuilder new with a title in Devanagari starts a Hindi topic: language hi, its
    sections titled in Hindi; and each language's example, uncommented, is a fragment
    check takes (its figure read as seven, stated in its text)."""
    import shutil

    from notebuilder.scaffold import new_topic

    project = tmp_path / "project"
    shutil.copytree(HINDI, project)
    new_topic(project, "samvidhan", "भारतीय संविधान", "GS2", "राजव्यवस्था", "छात्र")
    topic = yaml.safe_load((project / "notes" / "samvidhan" / "topic.yaml").read_text(encoding="utf-8"))
    assert topic["language"] == "hi" and [section["title"] for section in topic["sections"]] == [
        "पृष्ठभूमि",
        "मुख्य तथ्य",
        "आगे की राह",
    ]
    english = new_topic(project, "rights", "Rights", "GS2", "Polity", language="en")
    assert "language: en" in english[0].read_text(encoding="utf-8")
    for topic_id in ("samvidhan", "rights"):
        example = project / "notes" / topic_id / "example.yaml"
        lines = example.read_text(encoding="utf-8").splitlines()
        written = [
            line.removeprefix("# ") for line in lines[lines.index("# defaults:") :] if line.startswith("# ")
        ]
        example.write_text("\n".join(written).replace("my-notes", "kaksha") + "\n", encoding="utf-8")
        (fragment,) = check_project(project, (topic_id,)).topics[0].fragments
        assert [given for _, given in fragment.figures] == [{"samvidhan": "सात", "rights": "seven"}[topic_id]]


def test_a_draft_from_a_hindi_seed_bolds_dates_figures_and_numbered_things_and_checks(tmp_path: Path):
    """A Hindi seed drafts as an English one does: a date whole and in its era as the
    fragment's date, a figure named after its noun, अनुच्छेद 21क and 42वाँ संशोधन bold;
    and with its sections chosen, the draft is notes check takes."""
    import shutil

    from notebuilder.draft import draft_fragments
    from notebuilder.scaffold import source_text

    project = tmp_path / "project"
    shutil.copytree(HINDI, project)
    corpus = check_project(project)
    (topic,) = corpus.topics
    source = next(source for source in corpus.sources if source.id == "kaksha")
    text, count = draft_fragments(source_text(project, source), source, topic, "seeds/kaksha-notes.txt")
    drafted = {fragment["text"]: fragment for fragment in yaml.safe_load(text)["fragments"]}
    assert count == len(drafted) > 25
    dated = drafted["संविधान **26 जनवरी 1950** को लागू हुआ।"]
    assert dated["date"] == "26 जनवरी 1950" and "figures" not in dated
    assert drafted["अशोक ने **लगभग 261 ईसा पूर्व** कलिंग युद्ध लड़ा।"]["date"] == "लगभग 261 ईसा पूर्व"
    assert drafted["मूल संविधान में **सात** मौलिक अधिकार थे।"]["figures"] == {"मौलिक अधिकार": "सात"}
    nineteen = next(
        fragment for words, fragment in drafted.items() if words.startswith("**अनुच्छेद 19** **छह**")
    )
    assert nineteen["figures"] == {"स्वतंत्रताओं": "छह"}
    assert "**86वें संशोधन** (**2002**) ने **अनुच्छेद 21क** जोड़ा।" in drafted
    # Ids spell the Hindi words in Latin letters, as a student would.
    assert drafted["मूल संविधान में **सात** मौलिक अधिकार थे।"]["id"] == "kaksha-mul-samvidhan-sat-maulik-adhikar"
    assert nineteen["id"] == "kaksha-anuchchhed-19-chhah-svatantrataon-raksha"
    (project / "notes" / "maulik-adhikar" / "drafted.yaml").write_text(
        text.replace("section: TODO", "section: vividh").replace("id: kaksha", "id: draft-kaksha"),
        encoding="utf-8",
    )
    check_project(project)  # raises on any error


def test_hindi_words_in_an_english_text_are_marked_hindi():
    from notebuilder.markup import inline_html

    english = inline_html("The **Right to Education** (**शिक्षा का अधिकार**, अनुच्छेद 21क) is free.", "en")
    assert '<strong><span lang="hi">शिक्षा का अधिकार</span></strong>' in english
    assert '<span lang="hi">अनुच्छेद 21क</span>' in english
    assert "lang" not in inline_html("**शिक्षा का अधिकार** मौलिक है।", "hi")  # a Hindi page says it once


@pytest.mark.parametrize(
    ("word", "spelt"),
    [
        ("अनुच्छेद", "anuchchhed"),
        ("संशोधन", "sanshodhan"),
        ("संपत्ति", "sampatti"),
        ("गिरफ़्तार", "giraftar"),
        ("राष्ट्र", "rashtra"),
        ("क्षत्रिय", "kshatriya"),
        ("श्रृंखला", "shrinkhala"),
        ("अंतःकरण", "antahkaran"),
    ],
)
def test_a_hindi_word_is_spelt_in_latin_letters_for_an_id(word: str, spelt: str):
    from notebuilder.draft import roman
    from notebuilder.validate import ID_PATTERN

    assert roman(word) == spelt and ID_PATTERN.match(spelt)
