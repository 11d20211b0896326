"""Starting a topic and registering a source: the two files a student would otherwise copy
by hand. Not a build stage: these write into ``notes/`` and ``seeds/`` because the student
asked them to, and they never overwrite anything.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .errors import UsageError
from .extract import PLAIN_SUFFIXES, READABLE_SUFFIXES, extract_text, hard_wrapped
from .load import SOURCES_FILE, parse_yaml
from .markup import devanagari
from .validate import ID_PATTERN, SOURCE_KINDS

TOPIC_TEMPLATE = """\
# {title}: one topic of the syllabus. notebuilder builds build/{topic}/ from this folder.
# Every other *.yaml file here holds fragments (see example.yaml); comparisons.yaml and
# glossary.yaml are optional. The format: docs/notes-format.md.
title: {title_yaml}
paper: {paper_yaml}
subject: {subject_yaml}
{author_line}
language: {language}
sections:                # in reading order; each fragment names one by its id
  - id: background
    title: {background}
  - id: key-facts
    title: {key_facts}
    # order: natural     # optional: date, written, natural, or a list of fragment ids
  - id: way-forward
    title: {way_forward}
"""

AUTHOR_HINT = (
    "# author: Your Name        # on the title page and the e-book's cover (else your account's name)"
)

EXAMPLE_TEMPLATE = """\
# Fragments: one fact each, citing the source it comes from. Keep one file per source
# you read, and set that source once under defaults. Register a new source first:
#   notebuilder new-source seeds/my-notes.txt --id my-notes --title "My notes"
#
# defaults:
#   source: my-notes
# fragments:
#   - id: my-notes-first-fact          # unique in the topic: lower-case, digits, hyphens
#     section: key-facts               # a section id from topic.yaml
#     text: "{text}"   # quote text that starts with **
#     short: {short}          # the mind-map label, at most 6 words
#     date: "1950"                     # when the fact has one
#     figures: {{{figures}}}   # a figure to compare across sources
fragments: []
"""

# The example fragment and the sections' titles, in the topic's language.
EXAMPLES = {
    "en": {
        "text": "The **Constitution** of **1950** listed **seven** fundamental rights.",
        "short": "Seven rights in 1950",
        "figures": "rights originally: seven",
        "background": "Background",
        "key_facts": "Key facts",
        "way_forward": "Way forward",
    },
    "hi": {
        "text": "**1950** के **मूल संविधान** में **सात** मौलिक अधिकार थे।",
        "short": "1950 में सात अधिकार",
        "figures": "मूल अधिकार: सात",
        "background": "पृष्ठभूमि",
        "key_facts": "मुख्य तथ्य",
        "way_forward": "आगे की राह",
    },
}


def _yaml_text(value: str) -> str:
    """A YAML scalar that reads back as ``value`` whatever it holds (quotes, ``#``, line
    breaks, any script), written by the YAML library itself."""
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, default_style='"', width=1_000_000).rstrip("\n")


def _one_line(value: str) -> str:
    """``value`` fit for a comment: on one line."""
    return " ".join(value.split())


def _reads_back(text: str, name: str, expected: dict) -> None:
    """Check that a file notebuilder is about to write reads back as meant (else nothing is
    written): a writer never leaves a file that ``check`` would refuse."""
    document, problems = parse_yaml(text, name)
    if problems:  # a character no notes file may hold (a control character), say
        raise UsageError(f"{problems[0].message}; nothing was written")
    found = document.plain() if document is not None else None
    if not isinstance(found, dict) or any(found.get(key) != value for key, value in expected.items()):
        raise UsageError(f"could not write {name} so that it reads back as given; nothing was written")


def default_author() -> str:
    """Whoever runs notebuilder, as git names a commit's author: the account's full name
    (the first field of its GECOS entry), else its login name."""
    import getpass
    import pwd

    try:
        account = pwd.getpwuid(os.getuid())
    except KeyError:
        try:
            return getpass.getuser()
        except OSError:
            return "Student"
    return account.pw_gecos.split(",")[0].strip() or account.pw_name


def new_topic(
    root: Path,
    topic: str,
    title: str,
    paper: str,
    subject: str,
    author: str | None = None,
    language: str | None = None,
) -> list[Path]:
    """Create ``notes/<topic>/topic.yaml`` and a commented ``example.yaml``; ``author`` is
    printed on the title page and the e-book's cover, and is the e-book's creator. The
    topic is in ``language`` (en or hi), else in Hindi if its title is, else in English."""
    language = language or ("hi" if devanagari(title) else "en")
    if language not in EXAMPLES:
        raise UsageError(f"notebuilder starts a topic in {' or '.join(EXAMPLES)}, not '{language}'")
    words = EXAMPLES[language]
    if not ID_PATTERN.match(topic):
        raise UsageError(f"a topic id is lower-case letters, digits and hyphens, not '{topic}'")
    directory = root / "notes" / topic
    if directory.exists():
        raise UsageError(f"{directory} already exists; notebuilder new never overwrites a topic")
    files = {
        directory / "topic.yaml": TOPIC_TEMPLATE.format(
            topic=topic,
            title=_one_line(title),
            title_yaml=_yaml_text(title),
            paper_yaml=_yaml_text(paper),
            subject_yaml=_yaml_text(subject),
            author_line=f"author: {_yaml_text(author)}" if author else AUTHOR_HINT,
            language=language,
            **words,
        ),
        directory / "example.yaml": EXAMPLE_TEMPLATE.format(**words),
    }
    expected = {"title": title, "paper": paper, "subject": subject, **({"author": author} if author else {})}
    _reads_back(files[directory / "topic.yaml"], f"notes/{topic}/topic.yaml", expected)
    directory.mkdir(parents=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def new_source(
    root: Path,
    file: Path,
    source_id: str,
    title: str,
    kind: str = "other",
    publisher: str | None = None,
    date: str | None = None,
    short: str | None = None,
) -> Path:
    """Register a seed in ``seeds/sources.yaml``, appended after the others so that the
    file's comments and order stay as they are; a file outside ``seeds/`` is copied in.
    A document that is not plain text a line a statement (a PDF, a web page, a Word or
    OpenDocument file, an EPUB, hard-wrapped text) is kept as it is, and its prose
    (extract.py) is written beside it as ``<file>.md``, registered as the source's
    ``text:``: what ``draft`` and ``coverage`` read, with the PDF's page numbers."""
    if not ID_PATTERN.match(source_id):
        raise UsageError(f"a source id is lower-case letters, digits and hyphens, not '{source_id}'")
    if kind not in SOURCE_KINDS:
        raise UsageError(f"unknown kind '{kind}'; use one of: {', '.join(SOURCE_KINDS)}")
    seeds = root / "seeds"
    if not file.is_file():
        raise UsageError(f"no file {file}")
    seed = seeds / file.name
    if file.resolve() != seed.resolve() and seed.exists():
        raise UsageError(f"{seed} already exists; rename the file, notebuilder never overwrites a seed")
    registry = seeds / SOURCES_FILE
    text = registry.read_text(encoding="utf-8") if registry.is_file() else "sources:\n"
    document, problems = parse_yaml(text, f"seeds/{SOURCES_FILE}")  # a broken file is reported, not rewritten
    if problems:
        raise UsageError(f"{problems[0]}; fix seeds/{SOURCES_FILE} first")
    entries = document.plain().get("sources") or [] if document is not None else []
    if any(entry.get("id") == source_id for entry in entries if isinstance(entry, dict)):
        raise UsageError(f"a source '{source_id}' is already registered in seeds/{SOURCES_FILE}")
    if any(entry.get("file") == file.name for entry in entries if isinstance(entry, dict)):
        raise UsageError(f"seeds/{file.name} is already registered in seeds/{SOURCES_FILE}")
    extracted = extract_text(file) if file.suffix.lower() in READABLE_SUFFIXES else None
    if file.suffix.lower() in PLAIN_SUFFIXES:  # plain text a line a statement is read as it is
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        extracted = extracted if hard_wrapped(lines) else None
    text_file = seeds / f"{file.name}.md" if extracted is not None else None
    if text_file is not None and text_file.exists():
        raise UsageError(f"{text_file} already exists; rename the file, notebuilder never overwrites a seed")
    entry = {"id": source_id, "file": file.name, "title": title}
    entry |= {"text": text_file.name} if text_file else {}
    entry |= {"short": short} if short else {}
    entry |= {"publisher": publisher} if publisher else {}
    entry |= {"date": date} if date else {}
    entry["kind"] = kind
    updated = _with_source(text, entry)
    _reads_back(updated, f"seeds/{SOURCES_FILE}", {"sources": [*entries, entry]})
    seeds.mkdir(parents=True, exist_ok=True)
    if file.resolve() != seed.resolve():
        shutil.copyfile(file, seed)
    if text_file is not None and extracted is not None:
        text_file.write_text(extracted, encoding="utf-8")
    registry.write_text(updated, encoding="utf-8")
    return registry


def _with_source(text: str, entry: dict) -> str:
    """``sources.yaml`` with one more entry, through ruamel.yaml's round trip: any valid
    layout (indentation, flow style) stays valid, and its comments and order are kept."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, key order and quoting are kept
    yaml.indent(mapping=2, sequence=4, offset=2)  # the layout notebuilder writes: "  - id: …"
    yaml.width = 1_000_000  # never fold a long title
    yaml.preserve_quotes = True
    document = yaml.load(text)
    if document is None:
        document = yaml.load("sources:\n")
    if document.get("sources") is None:
        document["sources"] = []
    document["sources"].append(entry)
    written = io.StringIO()
    yaml.dump(document, written)
    return written.getvalue()


def seed_text(path: Path) -> str:
    """What ``draft`` and ``coverage`` read of a seed: plain text or Markdown as it is (its
    line numbers are the file's), any other document extracted as prose (extract.py)."""
    if path.suffix.lower() in PLAIN_SUFFIXES:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    return extract_text(path)


def source_text(root: Path, source) -> str:
    """A registered source's text: the prose new-source extracted (``text:``), else the seed's."""
    return seed_text(root / "seeds" / (source.text or source.file))


def write_draft(root: Path, topic: str, source_id: str, text: str) -> tuple[Path, str]:
    """Write ``notes/<topic>/drafts/<source>.yaml``; never over a draft the student edited.

    Returns the path written and what happened: "written", "unchanged", or "beside" (the
    draft exists and differs, so the new one is ``<source>.yaml.new`` next to it)."""
    directory = root / "notes" / topic / "drafts"
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{source_id}.yaml"
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            return target, "unchanged"
        target = directory / f"{source_id}.yaml.new"
        target.write_text(text, encoding="utf-8")
        return target, "beside"
    target.write_text(text, encoding="utf-8")
    return target, "written"


def count_drafts(root: Path, topic: str) -> int:
    """How many draft fragments wait in ``notes/<topic>/drafts/`` to be curated."""
    directory = root / "notes" / topic / "drafts"
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    return sum(
        len(re.findall(r"(?m)^\s*- id:", file.read_text(encoding="utf-8", errors="replace")))
        for file in files
    )
