"""Per-output incremental builds: each output is rewritten only when its own inputs
changed, and each changed mind map is laid out by Graphviz exactly once."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import SUBJECTS, overfull_project

from notebuilder import mindmap
from notebuilder.build import BuildOptions, build
from notebuilder.errors import NoteError
from notebuilder.render import PACKAGE_LAYOUTS

pytestmark = pytest.mark.e2e  # every test here builds real outputs or runs notebuilder

POLITY = "polity-fundamental-rights"


def files(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every output with its bytes and mtime (not the layout cache, nor the stamps)."""
    return {
        path.relative_to(directory).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.name.startswith(".") and ".cache" not in path.parts
    }


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


class GraphvizRuns(list):
    """Every Graphviz layout a build ran, as (sheet, ring spacing); ``processes``: how
    many Graphviz processes ran them."""

    processes = 0


@pytest.fixture
def graphviz_runs(monkeypatch) -> GraphvizRuns:
    runs = GraphvizRuns()
    original = mindmap._run_twopi

    def counting(jobs):
        runs.extend((sheet.id, ranksep) for sheet, ranksep in jobs)
        runs.processes += 1
        return original(jobs)

    monkeypatch.setattr(mindmap, "_run_twopi", counting)
    mindmap._recent_layouts.clear()
    return runs


def test_an_edit_lays_out_only_the_maps_that_show_it(tmp_path: Path, graphviz_runs):
    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    options = BuildOptions(project, project / "build", ("pdf", "epub"), (POLITY,))
    build(options)
    directory = project / "build" / POLITY
    sheets = sorted(path.name for path in (directory / "mindmaps").glob("*.pdf"))
    assert len(graphviz_runs) == len(sheets)  # once per sheet, never once per ring spacing
    assert graphviz_runs.processes <= min(os.cpu_count(), len(sheets))  # one Graphviz per core, not per sheet
    before = files(directory)

    # A leaf label of the 'rights' section: its map is laid out again; the other sections' are not.
    notes = project / "notes" / POLITY / "handout.yaml"
    notes.write_text(
        notes.read_text().replace("short: Art 24, child labour", "short: Art 24, no child labour")
    )
    graphviz_runs.clear()
    (result,) = build(options)
    after = files(directory)
    rewritten = changed(before, after)
    assert [sheet for sheet, _ in graphviz_runs] == ["rights"]
    # Labels are printed on the maps and in the EPUB's outlines of them, not in the booklet.
    # Every single sheet is a page of mindmaps.pdf (their fonts are shared): all follow it.
    redrawn = {"mindmaps/" + name for name in sheets}
    assert rewritten == {"booklet.epub", "notes.json", "mindmaps.pdf"} | redrawn
    assert set(result.unchanged) == set(before) - rewritten
    assert "Art 24, no child labour" in (directory / "notes.json").read_text()

    # A word of a fragment's text only: no map shows it, so no sheet is laid out or rewritten.
    notes.write_text(notes.read_text().replace("in factories and mines", "in factories or mines"))
    graphviz_runs.clear()
    build(options)
    rewritten = changed(after, files(directory))
    assert graphviz_runs == []
    assert rewritten == {"booklet.pdf", "booklet.epub", "notes.json", "selftest.pdf", "editions.json"}
    editions = json.loads((directory / "editions.json").read_text())["editions"]
    assert [edition["number"] for edition in editions] == [1, 2]  # the words changed: a new edition

    # A new day re-renders every page (the date is printed), but no map is laid out again.
    graphviz_runs.clear()
    build(BuildOptions(project, project / "build", ("pdf", "epub"), (POLITY,), force=True))
    assert graphviz_runs == []


def test_an_edit_to_a_layout_rewrites_exactly_the_outputs_that_use_it(tmp_path: Path):
    project = tmp_path / "syllabus"
    shutil.copytree(SUBJECTS, project)
    options = BuildOptions(project, project / "build", ("pdf", "epub"))
    build(options)
    before = {topic: files(project / "build" / topic) for topic in (POLITY, "economy-schemes")}
    stock = PACKAGE_LAYOUTS
    (project / "layouts").mkdir()
    for name, extra in (
        ("selftest.css", "h1 { letter-spacing: 0.02em; }"),
        ("epub.css", "p { orphans: 3; }"),
    ):
        (project / "layouts" / name).write_text((stock / name).read_text() + "\n" + extra + "\n")
    results = build(options)
    assert not any(result.skipped for result in results)
    for topic, outputs in before.items():
        rewritten = changed(outputs, files(project / "build" / topic))
        assert rewritten == {"booklet.epub", "selftest.pdf"}, topic


def test_an_overfull_sheet_is_refused_without_running_graphviz(tmp_path: Path, graphviz_runs):
    project = overfull_project(tmp_path, 400)  # so full that no layout could print it
    with pytest.raises(NoteError) as raised:
        build(BuildOptions(project, project / "build", ("pdf",)))
    assert "the mind map of section 'trade' is too full" in str(raised.value)
    assert "trade" not in {sheet for sheet, _ in graphviz_runs}  # refused before any layout
    assert not (project / "build" / "demo" / "booklet.pdf").exists()
