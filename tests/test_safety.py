"""Bad input, safety and atomic outputs: a student's work is never lost, nothing outside
the project reaches the outputs, and no input produces a traceback."""

from __future__ import annotations

import hashlib
import re
import signal
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import make_project, pdftotext, run_notebuilder, start_build, wait_until_writing
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

PASSWD_LINE = re.compile(r"root:.*:0:0:")
HOSTILE_TEXT = (
    'Beware <script>alert(1)</script> and <img src="file:///etc/passwd"> and '
    '<link rel="attachment" href="file:///etc/passwd"> and '
    "<style>body{background:url(file:///etc/passwd)}</style> "
    "and **bold** text"
)


def snapshot(directory: Path) -> dict[str, str]:
    """Every output's digest (the mind-map layout cache in .cache/ is not an output)."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.relative_to(directory).parts[0] != ".cache"
    }


def epub_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def hostile_project(directory: Path) -> Path:
    text = yaml.safe_dump(HOSTILE_TEXT, width=1000).splitlines()[0]
    notes = (
        "defaults:\n  source: alpha\n  section: history\nfragments:\n"
        f"  - id: hostile\n    text: {text}\n    short: <b>not bold</b>\n"
    )
    return make_project(directory, {"notes/demo/hostile.yaml": notes})


@pytest.mark.e2e
def test_note_text_is_escaped_and_nothing_is_fetched(tmp_path: Path):
    project = hostile_project(tmp_path / "project")
    completed = run_notebuilder("build", "--root", str(project))
    assert completed.returncode == 0, completed.stderr
    out = project / "build" / "demo"
    text = re.sub(r"\s+", " ", pdftotext(out / "booklet.pdf")).translate(str.maketrans("“”", '""'))
    assert "<script>alert(1)</script>" in text
    assert '<img src="file:///etc/passwd">' in text
    assert "url(file:///etc/passwd)" in text
    assert "<b>not bold</b>" in re.sub(r"\s+", " ", pdftotext(out / "mindmaps.pdf"))
    for output in out.rglob("*.pdf"):
        assert b"/EmbeddedFile" not in output.read_bytes()
        assert not PASSWD_LINE.search(pdftotext(output))
    body = epub_text(out / "booklet.epub")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert not PASSWD_LINE.search(body)
    assert "<strong>bold</strong>" in body


@pytest.mark.e2e
def test_a_hostile_layout_cannot_pull_in_files_from_outside(tmp_path: Path):
    project = make_project(tmp_path / "project")
    layouts = project / "layouts"
    layouts.mkdir()
    original = (PACKAGE_LAYOUTS / "booklet.html.j2").read_text(encoding="utf-8")
    (layouts / "booklet.html.j2").write_text(
        original.replace(
            "</body>",
            '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
            '<div style="background: url(http://127.0.0.1:9/x.png)">x</div></body>',
        ),
        encoding="utf-8",
    )
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    pdf = (project / "build" / "demo" / "booklet.pdf").read_bytes()
    assert b"/EmbeddedFile" not in pdf
    assert not PASSWD_LINE.search(pdftotext(project / "build" / "demo" / "booklet.pdf"))


@pytest.mark.e2e
def test_an_epub_layout_that_references_files_is_refused(tmp_path: Path):
    project = make_project(tmp_path / "project")
    (project / "layouts").mkdir()
    original = (PACKAGE_LAYOUTS / "epub.html.j2").read_text(encoding="utf-8")
    (project / "layouts" / "epub.html.j2").write_text(
        original.replace("</body>", '<img src="/etc/passwd"></body>'), encoding="utf-8"
    )
    completed = run_notebuilder("build", "--root", str(project), "--format", "epub")
    assert completed.returncode == 3
    assert "references files or URLs" in completed.stderr
    assert not (project / "build" / "demo" / "booklet.epub").exists()


@pytest.mark.parametrize(
    "html",
    [
        '<a href="#x">a</a><p data-running="x">resources and data</p>',
        "<a href='#y'>y</a>",
        '<img src="a.png">',
        '<a HREF = "http://example.com">',
        "<a href>bare</a>",
        '<p style="background: url(x.png)">',
        "<LINK rel=stylesheet href=a.css>",
        '<object data="x.svg"></object>',
        "<SCRIPT>1</SCRIPT>",
        '<video poster="p.png"></video>',
    ],
)
def test_html_that_is_not_parsed_for_references_has_none(html):
    """The EPUB's references are looked for by parsing only HTML that could hold one."""
    from notebuilder.outputs.epub import _ReferenceFinder, external_references

    finder = _ReferenceFinder()
    finder.feed(html)
    assert external_references(html) == list(dict.fromkeys(finder.references))


@pytest.mark.e2e
def test_layout_mistakes_name_the_layout_file_and_line(tmp_path: Path):
    project = make_project(tmp_path / "project")
    (project / "layouts").mkdir()
    (project / "layouts" / "booklet.html.j2").write_text(
        "<html>\n<body>\n{{ doc.topic.nonexistent }}\n</body>\n</html>\n"
    )
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 1
    assert completed.stderr.splitlines()[0].startswith("layouts/booklet.html.j2:3:1: error: layout error:")
    assert "nonexistent" in completed.stderr and "Traceback" not in completed.stderr
    (project / "layouts" / "booklet.html.j2").write_text("<html>\n{% for x in %}\n</html>\n")
    completed = run_notebuilder("build", "--root", str(project), "--format", "pdf")
    assert completed.returncode == 1
    assert completed.stderr.splitlines()[0].startswith(
        "layouts/booklet.html.j2:2:1: error: layout syntax error:"
    )


@pytest.mark.e2e
def test_a_failed_build_leaves_every_earlier_output_byte_identical(tmp_path: Path):
    project = make_project(tmp_path / "project")
    assert run_notebuilder("build", "--root", str(project)).returncode == 0
    before = snapshot(project / "build")
    assert {"demo/booklet.pdf", "demo/booklet.epub", "demo/notes.json", "demo/mindmaps.pdf"} <= set(before)

    # Break the notes: nothing is written.
    notes = project / "notes" / "demo" / "notes.yaml"
    good_notes = notes.read_text(encoding="utf-8")
    notes.write_text(
        good_notes.replace("text: The **1952**", "text: The **1953**").replace(
            "section: history", "section: nowhere"
        ),
        encoding="utf-8",
    )
    assert run_notebuilder("build", "--root", str(project), "--force").returncode == 1
    assert snapshot(project / "build") == before

    # Break the last stage (pandoc's input) after the PDFs were rendered: still nothing changes.
    notes.write_text(good_notes.replace("The **1952**", "The **1953**"), encoding="utf-8")
    (project / "layouts").mkdir()
    original = (PACKAGE_LAYOUTS / "epub.html.j2").read_text(encoding="utf-8")
    (project / "layouts" / "epub.html.j2").write_text(
        original.replace("</body>", '<img src="x.png"></body>'), encoding="utf-8"
    )
    assert run_notebuilder("build", "--root", str(project), "--force").returncode == 3
    assert snapshot(project / "build") == before
    assert not list((project / "build").rglob(".nb-tmp-*"))


@pytest.mark.e2e
def test_a_build_writes_only_into_its_output_folder(tmp_path: Path):
    project = make_project(tmp_path / "project")
    before = snapshot(project)
    out = tmp_path / "elsewhere"
    assert run_notebuilder("build", "--root", str(project), "--out", str(out)).returncode == 0
    assert snapshot(project) == before
    assert (out / "demo" / "booklet.pdf").is_file()
    completed = run_notebuilder("build", "--root", str(project), "--out", str(project / "notes" / "demo"))
    assert completed.returncode == 1 and "inside notes/" in completed.stderr
    assert snapshot(project) == before


@pytest.mark.e2e
def test_interrupting_a_build_leaves_no_partial_files(tmp_path: Path):
    project = make_project(tmp_path / "project")
    assert run_notebuilder("build", "--root", str(project)).returncode == 0
    before = snapshot(project / "build")
    for delay in (0.0, 0.2, 0.4, 0.6, 0.9):
        process = start_build(project, "--force")
        wait_until_writing(process, project / "build")  # then a little later each time
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode in (0, 130), stderr
        if process.returncode == 130:
            assert b"interrupted" in stderr
        assert not list((project / "build").rglob(".nb-tmp-*"))
        assert set(snapshot(project / "build")) == set(before)


@pytest.mark.e2e
def test_stray_temporaries_are_cleaned_at_the_next_start(tmp_path: Path):
    project = make_project(tmp_path / "project")
    stray = project / "build" / "demo" / ".nb-tmp-abc123.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"half a pdf")
    assert run_notebuilder("build", "--root", str(project), "--format", "pdf").returncode == 0
    assert not stray.exists()


# ------------------------------------------------------------------ fuzzing


from notebuilder.assemble import assemble_document  # noqa: E402
from notebuilder.dedupe import deduplicate  # noqa: E402
from notebuilder.errors import NoteError  # noqa: E402
from notebuilder.load import load_project  # noqa: E402
from notebuilder.render import PACKAGE_LAYOUTS, make_environment, render_booklet, render_epub_html  # noqa: E402
from notebuilder.validate import validate_project  # noqa: E402

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=False), st.text(max_size=40)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
fragment_fields = st.fixed_dictionaries(
    {"id": st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), values)},
    optional={
        "text": st.one_of(st.text(min_size=0, max_size=80), values),
        "source": st.one_of(st.sampled_from(["alpha", "beta", "gamma"]), values),
        "section": st.one_of(st.sampled_from(["history", "trade", "nope"]), values),
        "short": st.one_of(st.text(max_size=50), values),
        "date": st.one_of(st.sampled_from(["2014", "FY24", "2023-24", "Jul 2023", "752 AD", "soon"]), values),
        "tags": values,
        "key": values,
        "distinct": values,
        "priority": values,
        "figures": values,
        "branch": values,
        "note": values,
        "canonical": values,
        "unknown": values,
    },
)


def run_pipeline(project: Path) -> None:
    corpus = validate_project(load_project(project))
    environment = make_environment(project)
    for topic in corpus.topics:
        order = corpus.source_order
        document = assemble_document(corpus, topic, deduplicate(topic, order).points, 0)
        render_booklet(environment, document, project)
        render_epub_html(environment, document, (), project)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.one_of(st.text(max_size=300), st.binary(max_size=200)))
@example(document="'\r")  # a carriage return alone ends a line for YAML, not for str.split
def test_random_yaml_text_never_crashes(tmp_path_factory, document):
    project = make_project(tmp_path_factory.mktemp("fuzz"), {"notes/demo/fuzz.yaml": document})
    try:
        run_pipeline(project)
    except NoteError as error:
        assert error.problems and all(
            str(problem).startswith(problem.location.path) for problem in error.problems
        )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fragments=st.lists(fragment_fields, max_size=6),
    defaults=st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["source", "section", "tags", "branch", "bogus"]), values, max_size=3
        ),
    ),
)
def test_random_fragment_fields_build_or_give_user_errors(tmp_path_factory, fragments, defaults):
    content = {"fragments": fragments}
    if defaults is not None:
        content["defaults"] = defaults
    project = make_project(
        tmp_path_factory.mktemp("fuzz"), {"notes/demo/fuzz.yaml": yaml.safe_dump(content, allow_unicode=True)}
    )
    try:
        run_pipeline(project)
    except NoteError as error:
        assert error.problems
