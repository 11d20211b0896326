"""Stage 1, load: read the project's YAML files into located node trees.

Takes a project root (holding ``notes/`` and ``seeds/``) and returns a :class:`RawProject`:
every YAML file parsed with PyYAML's *safe* composer into :class:`Node` trees that keep
the line and column of every value and key. Nothing is interpreted here; problems that
stop a file from being read (bad YAML, not UTF-8, too large, aliases, foreign tags) are
recorded with their location, and the other files are still read, so that one run
reports everything.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, Problem

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64  # notes nest a handful of levels; far deeper is a mistake, or an attack
YAML_SUFFIXES = (".yaml", ".yml")
TOPIC_FILE = "topic.yaml"
COMPARISONS_FILE = "comparisons.yaml"
GLOSSARY_FILE = "glossary.yaml"
SOURCES_FILE = "sources.yaml"
SYLLABUS_FILE = "syllabus.yaml"  # notes/syllabus.yaml: optional, orders and groups the topics
SPECIAL_FILES = {TOPIC_FILE, COMPARISONS_FILE, GLOSSARY_FILE}

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


@dataclass(frozen=True, eq=False)
class Node:
    """A YAML value with its location.

    ``value`` is a scalar (str, int, float, bool or None), a tuple of nodes for a
    sequence, or a dict from key to node for a mapping; ``key_locations`` gives where
    each key of a mapping was written.
    """

    value: Any
    location: Location
    key_locations: Mapping[str, Location] = field(default_factory=dict)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, tuple)

    def plain(self) -> Any:
        """The value with locations stripped (for tests and debugging)."""
        if self.is_mapping:
            return {key: node.plain() for key, node in self.value.items()}
        if self.is_sequence:
            return [node.plain() for node in self.value]
        return self.value


@dataclass(frozen=True)
class YamlFile:
    path: str  # as shown to the user, relative to the project root
    document: Node | None  # None when the file is empty or could not be read


@dataclass(frozen=True)
class RawTopic:
    id: str
    directory: str
    topic_file: YamlFile | None
    fragment_files: tuple[YamlFile, ...]
    comparisons_file: YamlFile | None
    glossary_file: YamlFile | None


@dataclass(frozen=True)
class RawProject:
    root: Path
    sources_file: YamlFile | None
    seed_names: frozenset[str]
    topics: tuple[RawTopic, ...]
    problems: tuple[Problem, ...]
    syllabus_file: YamlFile | None = None
    all_topic_ids: tuple[str, ...] = ()  # every topic folder, selected or not


class _Refused(Exception):
    def __init__(self, location: Location, message: str):
        self.location = location
        self.message = message


_INDICATORS = "*&!@`%|>"  # characters that YAML reads as syntax at the start of a plain value
_VALUE_START = re.compile(r"^\s*(?:-\s+)?(?:[^\s:#'\"][^:#]*:\s+)?(?P<value>\S.*)$")


def quoting_hint(line: str) -> str:
    """For a line whose value begins with a YAML indicator (``text: **Japan** …``): how to
    quote it. Empty when the line's value does not begin with one."""
    match = _VALUE_START.match(line)
    if not match or match["value"][0] not in _INDICATORS or re.match(r"!!|[&!]\S*\s*[\[{]", match["value"]):
        return ""  # not text that went wrong: a tag such as !!python/…, or an anchored list
    value = match["value"].replace('"', '\\"')
    return f"; text that begins with '{value[0]}' must be in quotes: \"{value}\""


class _SafeComposer(yaml.SafeLoader):
    """The safe loader, refusing aliases so that "billion laughs" documents cannot expand,
    and anchors (``&name``), which only aliases use and which would silently eat a word."""

    depth = 0

    def compose_node(self, parent, index):
        if self.depth >= MAX_DEPTH:
            event = self.peek_event()
            raise _Refused(
                _mark_location(self.name, event.start_mark),
                f"the YAML is nested more than {MAX_DEPTH} levels deep here; notes need a few",
            )
        self.depth += 1
        try:
            return self._compose_one(parent, index)
        finally:
            self.depth -= 1

    def _compose_one(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                _mark_location(self.name, event.start_mark),
                f"YAML aliases (*{event.anchor}) are not supported; write the value out"
                + quoting_hint(self._line(event.start_mark)),
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _Refused(
                _mark_location(self.name, event.start_mark),
                f"YAML anchors (&{event.anchor}) are not supported"
                + quoting_hint(self._line(event.start_mark)),
            )
        return super().compose_node(parent, index)

    def _line(self, mark) -> str:
        return mark.buffer.split("\n")[mark.line] if mark.buffer else ""


def _mark_location(path: str, mark) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _to_node(
    node: yaml.Node, path: str, constructor: yaml.constructor.SafeConstructor, depth: int = 0
) -> Node:
    location = _mark_location(path, node.start_mark)
    if depth > MAX_DEPTH:
        raise _Refused(
            location, f"the YAML is nested more than {MAX_DEPTH} levels deep here; notes need a few"
        )
    if node.tag not in _ALLOWED_TAGS:
        mark = node.start_mark
        line = mark.buffer.split("\n")[mark.line] if mark.buffer else ""
        raise _Refused(
            location,
            f"YAML tag '{_show_tag(node.tag)}' is not allowed; "
            "notes hold only text, numbers, lists and mappings" + quoting_hint(line),
        )
    if isinstance(node, yaml.MappingNode):
        items: dict[str, Node] = {}
        key_locations: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key_location = _mark_location(path, key_node.start_mark)
            key = _to_node(key_node, path, constructor, depth + 1).value
            if not isinstance(key, str):
                raise _Refused(key_location, f"a key must be text, not {key!r}")
            if key in items:
                first = key_locations[key]
                raise _Refused(key_location, f"duplicate key '{key}' (first given on line {first.line})")
            items[key] = _to_node(value_node, path, constructor, depth + 1)
            key_locations[key] = key_location
        return Node(items, location, key_locations)
    if isinstance(node, yaml.SequenceNode):
        return Node(tuple(_to_node(item, path, constructor, depth + 1) for item in node.value), location)
    if node.tag == _CORE + "timestamp":
        return Node(node.value, location)  # dates stay text; validation parses them
    return Node(constructor.construct_object(node, deep=True), location)


_FRIENDLY_YAML_PROBLEMS = (
    (
        "found character '\\t' that cannot start any token",
        "a tab is used for indentation; indent with spaces",
    ),
    ("found a tab character", "a tab is used for indentation; indent with spaces"),
    ("found unexpected end of stream", "the file ends inside a quoted text; close the quote"),
    ("but found '<stream end>'", "the file ends before a bracket is closed; close the [ or {"),
    (
        "expected <block end>, but found",
        "bad indentation: this line does not line up with the lines above it",
    ),
    (
        "mapping values are not allowed here",
        "unexpected ':' here; check the indentation, or quote text that contains ': '",
    ),
)


def _yaml_problem_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    for needle, friendly in _FRIENDLY_YAML_PROBLEMS:
        if needle in problem:
            return friendly
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return f"unclosed bracket: {problem}"
    context = f" {error.context}" if error.context else ""
    return f"invalid YAML:{context} {problem}".replace(":  ", ": ").strip()


def _shares_nodes(root: yaml.Node) -> bool:
    """True when a node appears twice in the tree: the document used an alias."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


# An anchor (&name) where YAML could read one; "R&D" or "Trade & Investment" are not, so
# notes that merely contain "&" keep the fast path (a false match only costs speed).
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s,\[\]{}]")


def _parse_with_libyaml(text: str, path: str) -> Node | None:
    """The fast path: libyaml's safe loader, about ten times quicker on large notes.

    Anything unusual (an error, an alias, a refused tag, a duplicate key) returns None,
    and the pure-Python loader, whose checks and messages are the reference, runs instead.
    """
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    loader = yaml.CSafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None or _shares_nodes(root) or _MAYBE_ANCHOR.search(text):  # the reference refuses them
            return None
        return _to_node(root, path, loader)
    except (yaml.YAMLError, _Refused, RecursionError, ValueError, TypeError):
        return None
    finally:
        loader.dispose()


_YAML_LINE_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")


def parse_yaml(text: str, path: str) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document into a located :class:`Node` (pure; no file access)."""
    fast = _parse_with_libyaml(text, path)
    if fast is not None:
        return fast, []
    loader = None
    try:
        loader = _SafeComposer(text)
        loader.name = path
        root = loader.get_single_node()
        if root is None:
            return None, []
        return _to_node(root, path, loader), []
    except _Refused as refused:
        return None, [Problem(refused.location, refused.message)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = _mark_location(path, mark) if mark else Location(path)
        lines = _YAML_LINE_BREAK.split(text)  # YAML's own line breaks, "\r" alone among them
        line = lines[mark.line] if mark and mark.line < len(lines) else ""
        hint = quoting_hint(line)
        value = _VALUE_START.match(line)
        if hint and value and mark:  # say what went wrong in the student's terms, not the parser's
            start = value.start("value")
            message = f"YAML reads the '{line[start]}' that begins this text as syntax{hint}"
            return None, [Problem(Location(path, mark.line + 1, start + 1), message)]
        return None, [Problem(location, _yaml_problem_message(error))]
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        location = Location(path, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        return None, [
            Problem(
                location,
                f"the file contains a control character (#x{error.character:04x}) "
                "that YAML does not allow; delete it",
            )
        ]
    except yaml.YAMLError as error:
        return None, [Problem(Location(path), f"invalid YAML: {error}")]
    except RecursionError:
        return None, [Problem(Location(path), "the YAML is nested too deeply to be notes")]
    finally:
        if loader is not None:
            loader.dispose()


def _decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        return None, [
            Problem(Location(path, line, column), f"the file is not UTF-8 (byte 0x{bad}); save it as UTF-8")
        ]
    return text.removeprefix("\ufeff"), []


def read_yaml_file(file: Path, root: Path) -> tuple[YamlFile, list[Problem]]:
    """Read and parse one YAML file; the only place that opens the user's YAML."""
    path = file.relative_to(root).as_posix()
    refused = _unreadable(file, root)
    if refused:
        return YamlFile(path, None), [Problem(Location(path), f"cannot read the file: {refused}")]
    try:
        size = file.stat().st_size
        data = file.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        return YamlFile(path, None), [Problem(Location(path), f"cannot read the file: {error.strerror}")]
    if size > MAX_FILE_BYTES:
        return YamlFile(path, None), [
            Problem(
                Location(path),
                f"the file is {size // 1024} KiB; notes files are limited to "
                f"{MAX_FILE_BYTES // 1024} KiB, split it",
            )
        ]
    text, problems = _decode(data, path)
    if text is None:
        return YamlFile(path, None), problems
    document, problems = parse_yaml(text, path)
    if document is None and not problems:
        problems = [Problem(Location(path), "the file is empty")]  # every notes file must say something
    return YamlFile(path, document), problems


def _unreadable(file: Path, root: Path) -> str | None:
    """Why a file the loader was shown cannot be read as notes, or None (it can)."""
    try:
        file.stat()
    except OSError as error:
        if file.is_symlink():
            if error.errno == errno.ELOOP:
                return "it is a symbolic link that loops back on itself"
            return f"it is a symbolic link to {os.readlink(file)}, which does not exist"
        return error.strerror or str(error)
    if not file.is_file():
        return "it is a folder or a special file, not a notes file" + (
            ": move it out of notes/" if file.is_dir() else ""
        )
    return outside_project(file, root)


ALLOW_OUTSIDE = "NOTEBUILDER_ALLOW_OUTSIDE"  # set by --allow-outside: folders links may lead into


def outside_project(path: Path, root: Path) -> str | None:
    """Why ``path``, under the project, is not to be read: a symbolic link (it, or a folder
    above it) leads outside the project, into no folder that ``--allow-outside`` names."""
    real, root = path.resolve(), root.resolve()
    allowed = [Path(folder) for folder in os.environ.get(ALLOW_OUTSIDE, "").split(os.pathsep) if folder]
    if any(real == folder or folder in real.parents for folder in (root, *allowed)):
        return None
    return (
        f"it is a symbolic link to {real}, outside the project; notebuilder reads nothing outside it "
        "(move the file in, or name its folder with --allow-outside)"
    )


def _yaml_files(directory: Path) -> list[Path]:
    """Every notes file of a folder, readable or not: one that cannot be read is reported
    by :func:`read_yaml_file`, never dropped."""
    return sorted(
        entry
        for entry in directory.iterdir()
        if entry.suffix in YAML_SUFFIXES and not entry.name.startswith(".")
    )


def topic_ids(root: Path) -> list[str]:
    """The topics of a project: the folders under ``notes/``, sorted."""
    notes = root / "notes"
    if not notes.is_dir():
        return []
    return sorted(
        entry.name for entry in notes.iterdir() if entry.is_dir() and not entry.name.startswith(".")
    )


def load_project(root: Path, selected: Collection[str] = ()) -> RawProject:
    """Read the sources file and every notes file of the topics (all when none are named)."""
    root = root.resolve()
    problems: list[Problem] = []

    def read(file: Path) -> YamlFile:
        loaded, file_problems = read_yaml_file(file, root)
        problems.extend(file_problems)
        return loaded

    seeds = root / "seeds"
    registry = seeds / SOURCES_FILE
    sources_file = read(registry) if registry.exists() or registry.is_symlink() else None
    if sources_file is None:
        problems.append(
            Problem(
                Location("seeds/" + SOURCES_FILE),
                "no sources file; create seeds/sources.yaml listing your sources",
            )
        )
    seed_files = sorted(entry for entry in seeds.iterdir() if entry.is_file()) if seeds.is_dir() else []
    for seed in seed_files:
        if leaves := outside_project(seed, root):
            problems.append(Problem(Location(f"seeds/{seed.name}"), f"cannot read the seed: {leaves}"))
    seed_names = frozenset(seed.name for seed in seed_files if outside_project(seed, root) is None)

    topics = []
    notes = root / "notes"
    topic_directories = [notes / name for name in topic_ids(root) if not selected or name in selected]
    if not topic_directories:
        problems.append(Problem(Location("notes"), "no topics found; create notes/<topic>/topic.yaml"))
    for directory in topic_directories:
        files = _yaml_files(directory)
        by_name = {file.name: file for file in files}

        def special(name: str, by_name: dict[str, Path] = by_name) -> YamlFile | None:
            return read(by_name[name]) if name in by_name else None

        topics.append(
            RawTopic(
                id=directory.name,
                directory=directory.relative_to(root).as_posix(),
                topic_file=special(TOPIC_FILE),
                fragment_files=tuple(read(file) for file in files if file.name not in SPECIAL_FILES),
                comparisons_file=special(COMPARISONS_FILE),
                glossary_file=special(GLOSSARY_FILE),
            )
        )
    syllabus = notes / SYLLABUS_FILE
    syllabus_file = read(syllabus) if syllabus.exists() or syllabus.is_symlink() else None
    return RawProject(
        root, sources_file, seed_names, tuple(topics), tuple(problems), syllabus_file, tuple(topic_ids(root))
    )
