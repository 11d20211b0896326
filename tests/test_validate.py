"""Loading and validation: broken inputs, each with its exact messages and locations.

The cases are data files in tests/cases/validate/: each overlays files on the small base
project (``=== path`` then its content) and lists the exact expected output
(``=== expect``). ``\\xNN`` in a file's content stands for that raw byte.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import TESTS, make_project

from notebuilder.errors import NoteError
from notebuilder.load import load_project, parse_yaml
from notebuilder.validate import validate_project

CASES = sorted((TESTS / "cases" / "validate").glob("*.txt"))


def read_case(path: Path) -> tuple[dict[str, bytes], list[str]]:
    files: dict[str, bytes] = {}
    expected: list[str] = []
    current = None
    lines: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(keepends=True), "=== end\n"]:
        if line.startswith("=== "):
            if current == "expect":
                expected = [entry.rstrip("\n") for entry in lines if entry.strip()]
            elif current is not None:
                text = "".join(lines)
                files[current] = re.sub(
                    rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), text.encode("utf-8")
                )
            current = line[4:].strip()
            lines = []
        elif current is not None:
            lines.append(line)
    return files, expected


def problems_for(project: Path) -> list[str]:
    try:
        validate_project(load_project(project))
    except NoteError as error:
        return [str(problem) for problem in error.problems]
    return []


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_broken_input_reports_exact_problems(case: Path, tmp_path: Path):
    files, expected = read_case(case)
    project = make_project(tmp_path, files)
    assert problems_for(project) == expected


def test_base_project_is_valid(tmp_path: Path):
    corpus = validate_project(load_project(make_project(tmp_path)))
    (topic,) = corpus.topics
    assert [fragment.id for fragment in topic.fragments] == ["fdi", "treaty"]
    fdi = topic.fragments[0]
    assert fdi.source_ids == ("alpha",)  # from the file's defaults
    assert (fdi.location.path, fdi.location.line, fdi.location.column) == ("notes/demo/notes.yaml", 9, 5)


def test_every_node_keeps_line_and_column():
    document, problems = parse_yaml("a:\n  - x: 1\n    y: [2, 3]\n", "f.yaml")
    assert problems == []
    item = document.value["a"].value[0]
    assert (item.location.line, item.location.column) == (2, 5)
    assert item.key_locations["y"].line == 3
    assert item.value["y"].value[1].location.column == 12
    assert document.plain() == {"a": [{"x": 1, "y": [2, 3]}]}


def test_python_tag_is_never_executed(tmp_path: Path):
    marker = tmp_path / "pwned"
    _, problems = parse_yaml(f'x: !!python/object/apply:os.system ["touch {marker}"]\n', "f.yaml")
    assert problems and "not allowed" in problems[0].message
    assert not marker.exists()


def test_large_file_is_refused(tmp_path: Path):
    big = "fragments:\n" + "".join(f"  - id: f{i}\n    text: {'x' * 60}\n" for i in range(20000))
    project = make_project(tmp_path, {"notes/demo/notes.yaml": big})
    assert problems_for(project) == [
        "notes/demo/notes.yaml:1:1: error: the file is 1668 KiB; notes files are limited to 1024 "
        "KiB, split it"
    ]


def test_deeply_nested_yaml_is_refused_where_it_goes_too_deep():
    message = "the YAML is nested more than 64 levels deep here; notes need a few"
    (flow,) = parse_yaml("x: " + "[" * 5000 + "]" * 5000 + "\n", "f.yaml")[1]
    assert (str(flow.location), flow.message) == ("f.yaml:1:67", message)  # the 65th bracket
    block = "".join("  " * depth + f"k{depth}:\n" for depth in range(80)) + "  " * 80 + "v\n"
    (nested,) = parse_yaml(block, "f.yaml")[1]
    assert (str(nested.location), nested.message) == ("f.yaml:64:127", message)


FIGURE_CASES = yaml.safe_load((TESTS / "cases" / "figure-statements.yaml").read_text(encoding="utf-8"))


def test_figure_statement_cases_have_no_false_error_and_no_miss(tmp_path: Path):
    """Every case of tests/cases/figure-statements.yaml as a fragment of one file, checked in
    one run: a figure the text states (in any notation) passes, any other is refused."""
    cases = [(text, figure, True) for text, figure in FIGURE_CASES["stated"]]
    cases += [(text, figure, False) for text, figure in FIGURE_CASES["not_stated"]]
    assert len(cases) >= 100 and len(FIGURE_CASES["not_stated"]) >= 30
    lines = ["defaults:\n  source: alpha\n  section: trade\nfragments:\n"]
    figure_line = {}
    for number, (text, figure, _) in enumerate(cases):
        lines.append(f"  - id: case-{number}\n    text: {json.dumps(text)}\n    figures:\n")
        figure_line[number] = sum(chunk.count("\n") for chunk in lines) + 1
        lines.append(f"      quantity: {json.dumps(figure)}\n")
    project = make_project(tmp_path, {"notes/demo/cases.yaml": "".join(lines)})
    refused = {
        int(match[1])
        for match in (
            re.match(r"notes/demo/cases\.yaml:(\d+):", problem) for problem in problems_for(project)
        )
        if match
    }
    false_errors = [cases[n][:2] for n in figure_line if cases[n][2] and figure_line[n] in refused]
    misses = [cases[n][:2] for n in figure_line if not cases[n][2] and figure_line[n] not in refused]
    assert (false_errors, misses) == ([], [])
    assert len(refused) == len(FIGURE_CASES["not_stated"])
