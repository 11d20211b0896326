"""The pipeline, end to end: load -> validate -> dedupe -> assemble -> render -> write.

Everything is read and checked before anything is written (MkDocs' "gather all data,
then build"), so a mistake in the notes never costs the last good outputs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .assemble import assemble_book, assemble_document, notes_json
from .cards import plan_cards
from .coverage import SourceCoverage, source_coverage
from .dedupe import Deduplication, deduplicate, format_report
from .draft import draft_fragments
from .errors import Location, NoteError, Problem, UsageError
from .fonts import missing_glyphs
from .load import SYLLABUS_FILE, load_project, topic_ids
from .mindmap import lay_out_sheets, plan_sheets
from .model import Book, Corpus, Document, Topic
from .pool import WorkerPool, worker_count
from .render import (
    layout_directories,
    make_environment,
    render_booklet,
    render_combined,
    render_combined_epub,
    render_comparison,
    render_coverage,
    render_epub_html,
    render_mindmaps,
    render_selftest,
)
from .scaffold import seed_text, write_draft
from .selftest import plan_selftest
from .validate import validate_project
from .write import OutputBatch, WriteJob, output_lock, remove_stray_temporaries, run_write_jobs

FORMATS = ("pdf", "epub", "anki")


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out: Path
    formats: tuple[str, ...] = FORMATS
    topics: tuple[str, ...] = ()  # only these topics; none named: every topic
    paper: str = "a4"
    force: bool = False
    combined: bool = False  # also the combined book of every selected topic, in <out>/combined/
    selftest: str = "all"  # which points the self-test asks about: all | priority | figures


@dataclass(frozen=True)
class BuiltTopic:
    topic: str
    outputs: tuple[Path, ...]
    pages: int | None
    skipped: bool = False  # nothing the outputs depend on had changed
    unchanged: tuple[str, ...] = ()  # outputs left as they were: their own inputs had not changed


STAMP_PREFIX = ".inputs-"  # one stamp per set of formats, e.g. .inputs-pdf.sha256
MANIFEST_PREFIX = ".outputs-"  # each output's digest, per set of formats: .outputs-pdf.json


MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last second a date can be written as YYYY


def build_epoch() -> int:
    """The build's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else now.

    As the reproducible-builds specification asks, a value that is not a whole number of
    seconds, or is out of range, is an error, never silently replaced by today's date."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return int(time.time())
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH is '{value[:40]}', which is not a time: give whole seconds since "
            "1970-01-01 UTC (e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)), or unset it"
        )
    return int(value)


def check_topic_names(root: Path, topics: tuple[str, ...]) -> None:
    """A topic named on the command line must exist: a usage mistake (exit 2) if not."""
    known = topic_ids(root)
    unknown = [topic for topic in topics if topic not in known]
    if unknown:
        listing = ", ".join(known) if known else "none yet (notebuilder new TOPIC starts one)"
        names = ", ".join(f"'{topic}'" for topic in unknown)
        raise UsageError(f"no topic {names} in {root / 'notes'}; topics are: {listing}")


def check_project(root: Path, topics: tuple[str, ...] = ()) -> Corpus:
    """Load and validate the sources and the named topics (all if none are named),
    everything except rendering; raises UsageError or NoteError."""
    check_topic_names(root, topics)
    return validate_project(load_project(root, topics))


PARALLEL_DEDUPE_TOPICS = 16  # from this many topics on, a syllabus is deduplicated on every core


@contextlib.contextmanager
def cyclic_gc_paused():
    """Dedupe makes hundreds of thousands of small frozen objects and no reference cycles:
    Python's cycle collector would only rescan them again and again (measured: a third of
    the stage, and nine tenths of reading the results back from the workers)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _deduplicate_chunk(topics: list[Topic], source_order: dict[str, int]) -> list[Deduplication]:
    with cyclic_gc_paused():
        return [deduplicate(topic, source_order) for topic in topics]


def deduplicate_topics(corpus: Corpus, parallel: bool | None = None) -> dict[str, Deduplication]:
    """Each selected topic's points, and the pairs its dedupe could not decide.

    Topics are independent, so a whole syllabus is spread over the cores (``parallel``
    None: when there are at least :data:`PARALLEL_DEDUPE_TOPICS` topics).
    """
    selected = list(corpus.topics)
    workers = worker_count(len(selected))
    if parallel is None:
        parallel = len(selected) >= PARALLEL_DEDUPE_TOPICS
    if not parallel or workers < 2:
        return dict(
            zip((candidate.id for candidate in selected), _deduplicate_chunk(selected, corpus.source_order))
        )
    size = max(1, len(selected) // (workers * 4))
    chunks = [selected[start : start + size] for start in range(0, len(selected), size)]
    with WorkerPool(workers) as pool, cyclic_gc_paused():  # the results are unpickled here
        results = pool.gather(
            [pool.submit(_deduplicate_chunk, chunk, corpus.source_order) for chunk in chunks]
        )
    return {
        candidate.id: result
        for chunk, found in zip(chunks, results)
        for candidate, result in zip(chunk, found)
    }


def assemble_topic(corpus: Corpus, topic: Topic, epoch: int) -> Document:
    return assemble_document(corpus, topic, deduplicate(topic, corpus.source_order).points, epoch)


def all_warnings(corpus: Corpus, deduplicated: dict[str, Deduplication]) -> tuple[Problem, ...]:
    """The notes' warnings, the dedupe's undecided pairs, and characters no font can print."""
    dedupe = tuple(warning for result in deduplicated.values() for warning in result.warnings)
    return corpus.warnings + dedupe + missing_glyphs(corpus)


def epub_metadata(document: Document) -> dict[str, str]:
    topic = document.topic
    return {
        "title": f"{topic.title}: revision notes",
        "subtitle": f"{topic.paper} · {topic.subject}",
        "lang": topic.language,
        "creator": "notebuilder",
        "date": document.build_date,
        "identifier": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:" + topic.id)),
        "description": f"Revision notes on {topic.title}, compiled from {len(document.sources)} sources.",
    }


def _hash_files(digest, files) -> None:
    for path in files:
        digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")


def shared_inputs_digest(root: Path, options: BuildOptions, build_date: str):
    """What every topic's outputs depend on: layouts, notebuilder itself, options."""
    digest = hashlib.sha256()
    files = [
        path
        for directory in layout_directories(root)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    ]
    files += sorted(Path(__file__).parent.glob("*.py"))
    _hash_files(digest, files)
    digest.update(repr((options.formats, options.paper, build_date)).encode())
    return digest


def input_digest(shared, root: Path, corpus: Corpus, topic: Topic) -> str:
    """A digest of everything one topic's outputs depend on, so an unchanged build can be
    skipped: its own notes and the entries of the sources it cites, not the whole sources
    file (editing or adding another topic's source leaves this topic untouched)."""
    digest = shared.copy()
    _hash_files(digest, sorted((root / "notes" / topic.id).glob("*.y*ml")))
    for source in (source for source in corpus.sources if source.id in topic.cited_source_ids):
        digest.update(
            repr((source.id, source.file, source.title, source.kind, source.publisher, source.date)).encode()
        )
    return digest.hexdigest()


def sheet_names(document: Document) -> list[str]:
    return ["mindmaps/overview.pdf"] + [f"mindmaps/{section.id}.pdf" for section in document.sections]


def output_names(document: Document, formats: tuple[str, ...]) -> list[str]:
    """The files one topic's build writes, relative to ``<out>/<topic>/``."""
    names = ["notes.json"]
    if "pdf" in formats:
        names += ["booklet.pdf", "selftest.pdf"]
        if document.comparisons or document.figures:
            names.append("comparison.pdf")
        names += ["mindmaps.pdf", *sheet_names(document)]
    if "epub" in formats:
        names.append("booklet.epub")
    if "anki" in formats:
        names.append("cards.apkg")
    return names


@dataclass(frozen=True)
class PlannedOutput:
    """One output of a topic: its writer, what its bytes depend on, and how to render it."""

    writer: str  # text | pdf | sheets | epub | anki
    depends: str  # the rendered HTML or data; for mind maps, the planned sheets (their DOT)
    render: Callable[[], str]


def plan_outputs(
    environment, document: Document, root: Path, options: BuildOptions
) -> dict[str, PlannedOutput]:
    """Every output of one topic. HTML and data are rendered now (cheap); mind maps are
    laid out only when :func:`build` finds that their sheets changed (Graphviz is not)."""
    sheets = plan_sheets(document)

    def ready(writer: str, content: str) -> PlannedOutput:
        return PlannedOutput(writer, content, lambda: content)

    makers = {
        "notes.json": lambda: ready(
            "text", json.dumps(notes_json(document), ensure_ascii=False, indent=2) + "\n"
        ),
        "booklet.pdf": lambda: ready("pdf", render_booklet(environment, document, root, options.paper)),
        "comparison.pdf": lambda: ready("pdf", render_comparison(environment, document, root, options.paper)),
        "mindmaps.pdf": lambda: PlannedOutput(
            "sheets",
            repr((sheets, document.topic.title, document.build_date)),
            lambda: render_mindmaps(environment, document, lay_out_sheets(sheets), root),
        ),
        "booklet.epub": lambda: ready("epub", render_epub_html(environment, document, sheets, root)),
        "selftest.pdf": lambda: ready(
            "pdf",
            render_selftest(environment, plan_selftest(document, options.selftest), root, options.paper),
        ),
        "cards.apkg": lambda: ready("anki", deck_json(plan_cards(document))),
    }
    return {name: makers[name]() for name in output_names(document, options.formats) if name in makers}


def render_outputs(
    environment, document: Document, root: Path, options: BuildOptions
) -> dict[str, tuple[str, str]]:
    """Every output of one topic as (writer, content), rendered before anything is written."""
    return {
        name: (planned.writer, planned.render())
        for name, planned in plan_outputs(environment, document, root, options).items()
    }


def output_digests(shared, planned: dict[str, PlannedOutput]) -> dict[str, str]:
    """Each output's own digest: what shapes it (layouts, notebuilder, options) and its content."""
    digests = {}
    for name, output in planned.items():
        digest = shared.copy()
        digest.update(f"{name}\0{output.writer}\0".encode() + output.depends.encode("utf-8"))
        digests[name] = digest.hexdigest()
    return digests


@dataclass(frozen=True)
class _Unit:
    """What one output folder receives: a topic's outputs, or the combined book's."""

    name: str  # the topic id, or COMBINED
    directory: Path
    outputs: dict[str, tuple[str, str]]  # file name -> (writer, content): only those to write
    sheets: tuple[str, ...]  # the single-sheet PDFs the "sheets" writer also fills
    digest: str
    metadata: dict[str, str]
    epoch: int
    manifest: dict[str, str] | None = None  # every output's digest, written with the outputs
    unchanged: tuple[str, ...] = ()


COMBINED = "combined"  # the combined book's folder under the output folder


def combined_names(formats: tuple[str, ...]) -> list[str]:
    outputs = (("booklet.pdf", "pdf"), ("booklet.epub", "epub"), ("cards.apkg", "anki"))
    return [name for name, form in outputs if form in formats]


def deck_json(cards) -> str:
    """Cards as the anki writer takes them (plain data: they travel to a worker process)."""
    return json.dumps([dataclasses.asdict(card) for card in cards], ensure_ascii=False)


def book_digest(shared, root: Path, corpus: Corpus) -> str:
    """The combined book depends on every topic in it and on the syllabus."""
    digest = shared.copy()
    digest.update(b"combined\0")
    for topic in corpus.topics:
        digest.update(input_digest(shared, root, corpus, topic).encode())
    _hash_files(digest, [root / "notes" / SYLLABUS_FILE])
    return digest.hexdigest()


def book_metadata(book: Book) -> dict[str, str]:
    topics = [part.document.topic.id for part in book.parts]
    return {
        "title": f"{book.title}: combined revision book",
        "lang": "en",
        "creator": "notebuilder",
        "date": book.build_date,
        "identifier": "urn:uuid:"
        + str(uuid.uuid5(uuid.NAMESPACE_URL, "notebuilder:combined:" + ",".join(topics))),
        "description": f"{len(book.parts)} topics in one book, compiled from {len(book.sources)} sources.",
    }


def _up_to_date(directory: Path, names: list[str], stamp_name: str, digest: str) -> bool:
    stamp = directory / stamp_name
    return (
        all((directory / name).is_file() for name in names)
        and stamp.is_file()
        and stamp.read_text() == digest
    )


def build(
    options: BuildOptions,
    progress: Callable[[str], None] = lambda message: None,
    warn: Callable[[tuple], None] = lambda warnings: None,
    notice: Callable[[str], None] = lambda message: None,
) -> list[BuiltTopic]:
    """Build the selected topics' outputs (and the combined book); ``progress`` reports
    stages on a terminal, ``warn`` the warnings, ``notice`` what the user must know (a
    wait for another build writing to the same folder)."""
    root = options.root.resolve()
    out = options.out.resolve()
    for protected in ("notes", "seeds", "layouts"):
        if out == root / protected or (root / protected) in out.parents:
            raise NoteError.at(
                Location(protected),
                f"the output folder {out} is inside {protected}/, which a build never writes to",
            )
    epoch = build_epoch()  # a malformed SOURCE_DATE_EPOCH is a usage mistake: said before anything else
    progress("checking notes")
    corpus = check_project(root, options.topics)
    if options.combined and COMBINED in {topic.id for topic in corpus.topics}:
        raise NoteError.at(
            Location(f"notes/{COMBINED}"), f"the topic name '{COMBINED}' is kept for the combined book"
        )
    deduplicated = deduplicate_topics(corpus)
    warn(all_warnings(corpus, deduplicated))
    environment = make_environment(root)
    layouts = layout_directories(root)
    documents = [
        assemble_document(corpus, topic, deduplicated[topic.id].points, epoch) for topic in corpus.topics
    ]
    stamp_name = f"{STAMP_PREFIX}{'-'.join(options.formats)}.sha256"
    build_date = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
    shared = shared_inputs_digest(root, options, build_date)

    built: list[BuiltTopic] = []
    pending: list[_Unit] = []
    for document in documents:
        directory = out / document.topic.id
        digest = input_digest(shared, root, corpus, document.topic)
        names = output_names(document, options.formats)
        if not options.force and _up_to_date(directory, names, stamp_name, digest):
            built.append(
                BuiltTopic(document.topic.id, tuple(directory / name for name in names), None, skipped=True)
            )
            continue
        progress(f"rendering {document.topic.id}")
        planned = plan_outputs(environment, document, root, options)
        digests = output_digests(shared, planned)
        manifest_path = directory / f"{MANIFEST_PREFIX}{'-'.join(options.formats)}.json"
        previous = (
            json.loads(manifest_path.read_text()) if manifest_path.is_file() and not options.force else {}
        )

        def current(
            name: str, document=document, directory=directory, digests=digests, previous=previous
        ) -> bool:
            files = [name, *(sheet_names(document) if name == "mindmaps.pdf" else ())]
            return previous.get(name) == digests[name] and all((directory / file).is_file() for file in files)

        outputs = {
            name: (output.writer, output.render()) for name, output in planned.items() if not current(name)
        }
        sheets = tuple(sheet_names(document)) if "mindmaps.pdf" in outputs else ()
        unchanged = tuple(name for name in planned if name not in outputs)
        unit = _Unit(
            document.topic.id,
            directory,
            outputs,
            sheets,
            digest,
            epub_metadata(document),
            document.build_epoch,
        )
        pending.append(dataclasses.replace(unit, manifest=digests, unchanged=unchanged))
    if options.combined and documents:
        directory, names = out / COMBINED, combined_names(options.formats)
        digest = book_digest(shared, root, corpus)
        if not options.force and _up_to_date(directory, names, stamp_name, digest):
            built.append(BuiltTopic(COMBINED, tuple(directory / name for name in names), None, skipped=True))
        else:
            progress("rendering the combined book")
            book = assemble_book(
                corpus, {topic.id: deduplicated[topic.id].points for topic in corpus.topics}, epoch
            )
            outputs = render_book(environment, book, root, options)
            pending.append(_Unit(COMBINED, directory, outputs, (), digest, book_metadata(book), epoch))

    allowed = (*layouts, out)
    epub_stylesheet = next(
        (layout / "epub.css" for layout in layouts if (layout / "epub.css").is_file()), None
    )
    with output_lock(out, notice), OutputBatch() as batch:
        remove_stray_temporaries(out)
        jobs, owners = [], []
        for unit in pending:
            for name, (writer, content) in unit.outputs.items():
                targets = [batch.stage(unit.directory / name)]
                if writer == "sheets":
                    targets += [batch.stage(unit.directory / sheet) for sheet in unit.sheets]
                job = WriteJob(
                    writer,
                    content,
                    tuple(targets),
                    layouts[0],
                    allowed,
                    unit.metadata,
                    unit.epoch,
                    epub_stylesheet,
                )
                jobs.append(job)
                owners.append((unit.name, name))
            jobs.append(WriteJob("text", unit.digest, (batch.stage(unit.directory / stamp_name),)))
            owners.append((unit.name, stamp_name))
            if unit.manifest is not None:
                manifest_name = f"{MANIFEST_PREFIX}{'-'.join(options.formats)}.json"
                content = json.dumps(unit.manifest, indent=1, sort_keys=True) + "\n"
                jobs.append(WriteJob("text", content, (batch.stage(unit.directory / manifest_name),)))
                owners.append((unit.name, manifest_name))
        progress(f"writing {len(jobs)} outputs")
        results = dict(zip(owners, run_write_jobs(jobs)))
        for unit in pending:
            names = [*unit.outputs, *unit.sheets]
            pages = results.get((unit.name, "booklet.pdf"))
            written = tuple(unit.directory / name for name in names)
            built.append(BuiltTopic(unit.name, written, pages, False, unit.unchanged))
    return built


def render_book(environment, book: Book, root: Path, options: BuildOptions) -> dict[str, tuple[str, str]]:
    """The combined book's outputs as (writer, content): its PDF and its EPUB."""
    renderers = {
        "cards.apkg": lambda: (
            "anki",
            deck_json([card for part in book.parts for card in plan_cards(part.document)]),
        ),
        "booklet.pdf": lambda: ("pdf", render_combined(environment, book, root, options.paper)),
        "booklet.epub": lambda: (
            "epub",
            render_combined_epub(
                environment,
                book,
                {part.document.topic.id: plan_sheets(part.document) for part in book.parts},
                root,
            ),
        ),
    }
    return {name: renderers[name]() for name in combined_names(options.formats)}


def source_coverage_of(
    root: Path, out: Path, topics: tuple[str, ...] = (), sources: tuple[str, ...] = ()
) -> list[tuple[Topic, list[SourceCoverage]]]:
    """Each topic's coverage of the seeds it cites (or only ``sources``), and its
    ``coverage.html`` written into ``<out>/<topic>/`` (nothing else is touched)."""
    root, out = root.resolve(), out.resolve()
    corpus = check_project(root, topics)
    known = {source.id for source in corpus.sources}
    unknown = [source for source in sources if source not in known]
    if unknown:
        raise UsageError(
            f"no source {', '.join(unknown)} in seeds/sources.yaml; sources are: {', '.join(sorted(known))}"
        )
    environment = make_environment(root)
    reports = []
    for topic in corpus.topics:
        glossary = {entry.term: entry.expansion for entry in topic.glossary}
        results = [
            source_coverage(
                source,
                (root / "seeds" / source.file).read_text(encoding="utf-8"),
                topic.fragments,
                glossary,
                topic.title,
            )
            for source in corpus.sources
            if source.id in topic.cited_source_ids and (not sources or source.id in sources)
        ]
        if results or not sources:
            reports.append((topic, results))
    html = {topic.id: render_coverage(environment, topic, results, root) for topic, results in reports}
    with output_lock(out), OutputBatch() as batch:
        remove_stray_temporaries(out)
        for topic_id, page in html.items():
            batch.stage(out / topic_id / "coverage.html").write_text(page, encoding="utf-8")
    return reports


def draft_from_seed(root: Path, seed: Path, topic_id: str, source_id: str | None) -> tuple[Path, str, int]:
    """Draft fragments from a seed into notes/<topic>/drafts/ (see draft.py)."""
    root = root.resolve()
    check_topic_names(root, (topic_id,))
    corpus = check_project(root, (topic_id,))
    (topic,) = corpus.topics
    if source_id is None:
        registered = [source for source in corpus.sources if source.file == seed.name]
        if not registered:
            raise UsageError(
                f"{seed.name} is not registered in seeds/sources.yaml; register it first "
                "(notebuilder new-source FILE --id ID --title TITLE) or pass --source"
            )
        source_id = registered[0].id
    sources = {source.id: source for source in corpus.sources}
    if source_id not in sources:
        raise UsageError(
            f"no source '{source_id}' in seeds/sources.yaml; sources are: {', '.join(sorted(sources))}"
        )
    shown = seed.resolve().relative_to(root).as_posix() if seed.resolve().is_relative_to(root) else str(seed)
    text, count = draft_fragments(seed_text(seed), sources[source_id], topic, shown)
    path, state = write_draft(root, topic_id, source_id, text)
    return path, state, count


@dataclass(frozen=True)
class TopicSummary:
    id: str
    paper: str
    subject: str
    fragments: int
    points: int
    built: tuple[str, ...]  # the sets of formats whose outputs are up to date, e.g. ("pdf", "pdf-epub")
    stale: tuple[str, ...]  # the sets of formats built before but out of date now


def summarise_topics(root: Path, out: Path, topics: tuple[str, ...] = ()) -> list[TopicSummary]:
    """Each topic with its counts, and which of its builds in ``out`` are up to date."""
    root = root.resolve()
    corpus = check_project(root, topics)
    deduplicated = deduplicate_topics(corpus)
    build_date = datetime.fromtimestamp(build_epoch(), UTC).strftime("%Y-%m-%d")
    summaries = []
    for topic in corpus.topics:
        built, stale = [], []
        directory = out / topic.id
        for stamp in sorted(directory.glob(f"{STAMP_PREFIX}*.sha256")):
            formats = tuple(stamp.name[len(STAMP_PREFIX) : -len(".sha256")].split("-"))
            shared = shared_inputs_digest(root, BuildOptions(root, out, formats), build_date)
            current = stamp.read_text() == input_digest(shared, root, corpus, topic)
            (built if current else stale).append("+".join(formats))
        points = len(deduplicated[topic.id].points)
        summaries.append(
            TopicSummary(
                topic.id, topic.paper, topic.subject, len(topic.fragments), points, tuple(built), tuple(stale)
            )
        )
    return summaries


def dedupe_report(root: Path, topics: tuple[str, ...] = ()) -> str:
    """The grouping, conflicts and near misses of every topic, for review."""
    corpus = check_project(root, topics)
    deduplicated = deduplicate_topics(corpus)
    return "\n".join(
        format_report(candidate, deduplicated[candidate.id])
        for candidate in corpus.topics
        if candidate.id in deduplicated
    )
