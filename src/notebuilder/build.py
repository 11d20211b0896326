"""The pipeline, end to end: load -> validate -> dedupe -> assemble -> render -> write.

Everything is read and checked before anything is written (MkDocs' "gather all data,
then build"), so a mistake in the notes never costs the last good outputs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .assemble import assemble_book, assemble_document
from .cache import decode, encode, keep, prune, recall
from .cache import unwritable as cache_problems
from .dedupe import Deduplication, deduplicate, forget_readings
from .editions import changes, edition_before, snapshot
from .errors import Location, NoteError, Problem, UsageError
from .fonts import installed_fonts, missing_glyphs
from .load import SYLLABUS_FILE, load_project, topic_ids
from .mindmap import stop_running_tools
from .model import Book, Corpus, Document, Topic
from .outputs import Output, RenderContext, WriteContext, book_outputs, topic_outputs
from .outputs.edition import read_editions
from .pool import WorkerPool, cyclic_gc_paused, run_side_by_side, sweep_stale_scratch, worker_count
from .render import layout_directories, make_environment
from .scaffold import default_author
from .validate import validate_project
from .write import OutputBatch, WriteJob, output_lock, remove_stray_temporaries, run_write_job

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
    pdf_variant: str = "pdf/ua-1"  # tagged for screen readers (12% slower); pdf/a-3a: archived, tagged; none
    duplex: bool | None = None  # printed on both sides; None: as each topic.yaml says (default no)
    mark_changes: bool = False  # bar in the booklet's margin the points changed since the last print


@dataclass(frozen=True)
class BuiltTopic:
    topic: str
    outputs: tuple[Path, ...]
    pages: int | None
    skipped: bool = False  # nothing the outputs depend on had changed
    unchanged: tuple[str, ...] = ()  # outputs left as they were: their own inputs had not changed
    paged: str | None = None  # the output whose page count ``pages`` is


STAMP_PREFIX = ".inputs-"  # one stamp per set of formats, e.g. .inputs-pdf.sha256


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


def _deduplicate_chunk(topics: list[Topic], source_order: dict[str, int]) -> list[Deduplication]:
    results = []
    with cyclic_gc_paused():
        for topic in topics:
            results.append(deduplicate(topic, source_order))
            forget_readings()  # memory stays flat however many topics a process takes
    return results


def deduplicate_topics(
    corpus: Corpus, parallel: bool | None = None, cache: Path | None = None
) -> dict[str, Deduplication]:
    """Each selected topic's points, and the pairs its dedupe could not decide.

    Topics are independent, so a whole syllabus is spread over the cores (``parallel``
    None: when there are at least :data:`PARALLEL_DEDUPE_TOPICS` topics). With a
    ``cache`` folder, a topic whose notes (and notebuilder) did not change since the last
    build is not deduplicated again: an edit in one topic of a syllabus costs one dedupe.
    """
    keys = {topic.id: _dedupe_key(topic, corpus.source_order) for topic in corpus.topics} if cache else {}
    known = {topic_id: _cached(cache, key) for topic_id, key in keys.items()} if cache else {}
    results = {topic_id: result for topic_id, result in known.items() if result is not None}
    selected = [topic for topic in corpus.topics if topic.id not in results]
    workers = worker_count(len(selected))
    if parallel is None:
        parallel = len(selected) >= PARALLEL_DEDUPE_TOPICS
    if not parallel or workers < 2:
        fresh = dict(
            zip((candidate.id for candidate in selected), _deduplicate_chunk(selected, corpus.source_order))
        )
    else:
        size = max(1, len(selected) // (workers * 4))
        chunks = [selected[start : start + size] for start in range(0, len(selected), size)]
        with WorkerPool(workers) as pool, cyclic_gc_paused():  # the results are unpickled here
            found = pool.gather(
                [pool.submit(_deduplicate_chunk, chunk, corpus.source_order) for chunk in chunks]
            )
        fresh = {
            candidate.id: result
            for chunk, results_of_chunk in zip(chunks, found)
            for candidate, result in zip(chunk, results_of_chunk)
        }
    for topic_id, result in fresh.items():
        if cache is not None:
            _keep_cached(cache, keys[topic_id], result)
    results.update(fresh)
    return {topic.id: results[topic.id] for topic in corpus.topics}


def _dedupe_key(topic: Topic, source_order: dict[str, int]) -> str:
    digest = hashlib.sha256(code_digest().encode())
    digest.update(repr((topic, sorted(source_order.items()))).encode("utf-8"))
    return digest.hexdigest()


def _cached(cache: Path, key: str) -> Deduplication | None:
    """A topic's dedupe from an earlier build (the cache is notebuilder's own, under the
    output folder; an unreadable entry is only recomputed)."""
    data = recall(cache / f"{key}.json")
    if data is None:
        return None
    try:
        return decode(Deduplication, data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _keep_cached(cache: Path, key: str, result: Deduplication) -> None:
    keep(cache / f"{key}.json", encode(result))


def assemble_topic(corpus: Corpus, topic: Topic, epoch: int) -> Document:
    return assemble_document(corpus, topic, deduplicate(topic, corpus.source_order).points, epoch)


def all_warnings(corpus: Corpus, deduplicated: dict[str, Deduplication]) -> tuple[Problem, ...]:
    """The notes' warnings, the dedupe's undecided pairs, and characters no font can print."""
    dedupe = tuple(warning for result in deduplicated.values() for warning in result.warnings)
    return corpus.warnings + dedupe + missing_glyphs(corpus)


def _hash_files(digest, files) -> None:
    for path in files:
        digest.update(str(path).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")


TOOLS = ("weasyprint", "pydyf", "pikepdf", "pypandoc-binary", "genanki", "jinja2")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """notebuilder's own code: any change to it may change any output."""
    digest = hashlib.sha256()
    _hash_files(digest, sorted(Path(__file__).parent.rglob("*.py")))
    return digest.hexdigest()


def tools_digest(digest) -> None:
    """What shapes every output besides its own content: notebuilder's code, the versions
    of the tools that write the files, and the fonts they may use."""
    from importlib import metadata

    digest.update(code_digest().encode())
    for tool in TOOLS:
        try:
            digest.update(f"{tool}={metadata.version(tool)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{tool}=none\0".encode())
    digest.update(installed_fonts().encode())


def shared_inputs_digest(root: Path, options: BuildOptions, build_date: str):
    """What every topic's build depends on besides its notes: layouts, notebuilder, tools,
    fonts and options (the stamp that lets an unchanged topic be skipped at once)."""
    digest = hashlib.sha256()
    files = [
        path
        for directory in layout_directories(root)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    ]
    _hash_files(digest, files)
    tools_digest(digest)
    digest.update(
        repr(
            (
                options.formats,
                options.paper,
                options.selftest,
                options.pdf_variant,
                options.duplex,
                options.mark_changes,
                build_date,
                default_author(),  # the e-book's creator when topic.yaml names none
            )
        ).encode()
    )
    return digest


def shared_outputs_digest(options: BuildOptions, build_date: str):
    """What every output's bytes depend on besides what it renders: not the layouts (each
    output's rendered HTML holds the layouts it uses), so a layout edit rebuilds exactly
    the outputs that use it."""
    digest = hashlib.sha256()
    tools_digest(digest)
    digest.update(repr((options.paper, options.selftest, options.pdf_variant, build_date)).encode())
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


def book_digest(shared, root: Path, corpus: Corpus) -> str:
    """The combined book depends on every topic in it and on the syllabus."""
    digest = shared.copy()
    digest.update(b"combined\0")
    for topic in corpus.topics:
        digest.update(input_digest(shared, root, corpus, topic).encode())
    _hash_files(digest, [root / "notes" / SYLLABUS_FILE])
    return digest.hexdigest()


COMBINED = "combined"  # the combined book's folder under the output folder
MANIFEST_NAME = ".outputs.json"  # each output's digest, as last written


@dataclass(frozen=True)
class _Unit:
    """What one output folder receives: a topic's outputs, or the combined book's."""

    name: str  # the topic id, or COMBINED
    directory: Path
    subject: Document | Book
    outputs: tuple[Output, ...]
    stamp: str  # the digest of every input: when the stamp matches, nothing is done at all
    epoch: int
    marked: frozenset[str] = frozenset()  # points to bar in the margin (build --mark-changes)


def _stamp_text(unit: _Unit) -> str:
    """The stamp: the digest of every input, then the outputs it stands for, one a line."""
    return "\n".join([unit.stamp, *(output.name for output in unit.outputs)]) + "\n"


def _stamped_outputs(directory: Path, stamp_name: str, digest: str) -> tuple[Path, ...] | None:
    """The outputs of a build whose inputs had this digest, if they are all still the
    files it wrote: then nothing needs to be done, not even assembling the document."""
    stamp = directory / stamp_name
    if not stamp.is_file():
        return None
    lines = stamp.read_text().splitlines()
    if not lines or lines[0] != digest:
        return None
    written = _manifest(directory)
    paths = tuple(directory / name for name in lines[1:])
    return paths if all(_still_written(written, directory, name) for name in lines[1:]) else None


def _identity(path: Path) -> str | None:
    """What tells the file a build wrote from one put there since (replaced, or a symbolic
    link to another file): its inode, size and time of writing."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return f"{status.st_ino}:{status.st_size}:{status.st_mtime_ns}"


def _manifest(directory: Path) -> dict[str, list[str]]:
    """Each output's digest and file identity, as the last build wrote them."""
    with contextlib.suppress(ValueError, OSError):
        found = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        if isinstance(found, dict):
            return {
                name: entry for name, entry in found.items() if isinstance(entry, list) and len(entry) == 2
            }
    return {}


def _still_written(
    written: dict[str, list[str]], directory: Path, name: str, digest: str | None = None
) -> bool:
    """Whether output ``name`` is the file the last build wrote (with this digest)."""
    entry = written.get(name)
    if entry is None or (digest is not None and entry[0] != digest):
        return False
    identity = _identity(directory / name)
    return identity is not None and identity == entry[1]


@dataclass(frozen=True)
class _Planned:
    """A unit's outputs to write now, each with its payload, and every output's digest."""

    unit: _Unit
    changed: tuple[tuple[Output, Any], ...]
    digests: dict[str, str]


def _plan(unit: _Unit, context: RenderContext, shared, force: bool) -> _Planned:
    """Which of a unit's outputs changed, by their digests against the manifest; the slow
    work that may refuse the notes (mind-map layouts) is done now, side by side."""
    previous = {} if force else _manifest(unit.directory)
    changed: list[tuple[Output, Any]] = []
    digests: dict[str, str] = {}
    for output in unit.outputs:
        payload = output.render(context, unit.subject)
        digest = shared.copy()
        digest.update(f"{output.name}\0{output.format}\0".encode() + output.fingerprint(payload).encode())
        for name in output.reads:  # listed, and so digested, before it
            digest.update(digests[name].encode())
        digests[output.name] = digest.hexdigest()
        if not _still_written(previous, unit.directory, output.name, digests[output.name]):
            changed.append((output, payload))
    run_side_by_side(
        [task for output, _ in changed for task in output.prepare(context, unit.subject)],
        stop=stop_running_tools,
    )
    return _Planned(unit, tuple(changed), digests)


@dataclass
class _InFlight:
    """A unit being written: its staged files, the jobs on the pool, and the jobs that read
    other outputs' files (written last, in the parent)."""

    planned: _Planned
    batch: OutputBatch
    staged: dict[str, Path] = dataclasses.field(default_factory=dict)
    pending: dict[str, object] = dataclasses.field(default_factory=dict)  # name -> pool result
    later: list[WriteJob] = dataclasses.field(default_factory=list)


class _Writer:
    """Writes units as they are planned: heavy outputs on a pool of worker processes, each
    unit's files renamed into place together when its last one is done (so a syllabus is
    never held in memory whole, and a failure keeps every unit's last good files)."""

    IN_FLIGHT = 2  # units rendered and being written at once
    # WeasyPrint keeps about 0.2 MB of every document it prints (72 booklets in one process:
    # 135 -> 148 MiB), so the workers are replaced, between units, after this many outputs:
    # a syllabus's memory stays flat (fresh workers import WeasyPrint again, 0.3 s each time).
    JOBS_PER_POOL = 300

    def __init__(
        self, context: RenderContext, write_context: WriteContext, stamp_name: str, force: bool = False
    ) -> None:
        self.context, self.write_context, self.stamp_name = context, write_context, stamp_name
        self.force = force  # print every page again, reusing none of the last outputs
        self.pool: WorkerPool | None = None
        self.warm: tuple[str, ...] = ()
        self.jobs = 0  # sent to the current workers
        self.in_flight: list[_InFlight] = []
        self.done: list[BuiltTopic] = []

    def submit(self, planned: _Planned) -> None:
        if self.pool is not None and self.jobs >= self.JOBS_PER_POOL:
            while self.in_flight:  # the units on these workers are finished first
                self._finish_oldest()
            self.pool.__exit__(None, None, None)
            self.pool = None
        unit = planned.unit
        flight = _InFlight(planned, OutputBatch())
        self.in_flight.append(flight)
        for output, payload in planned.changed:
            flight.staged[output.name] = flight.batch.stage(unit.directory / output.name)
            job = WriteJob(
                output, payload, flight.staged[output.name], self.write_context, unit.directory / output.name
            )
            if output.reads:
                flight.later.append(job)
            elif output.quick:
                run_write_job(job)
            else:
                flight.pending[output.name] = self._pool().submit(
                    run_write_job, job, label=str(unit.directory / output.name)
                )
                self.jobs += 1
        while len(self.in_flight) > self.IN_FLIGHT:
            self._finish_oldest()

    def _pool(self) -> WorkerPool:
        return self.pool or self.start(self.warm)

    def start(self, warm: tuple[str, ...] = ()) -> WorkerPool:
        """Start the workers, forked with the modules they will need (``warm``) imported."""
        self.warm, self.jobs = warm, 0
        self.pool = WorkerPool(max(1, worker_count(os.cpu_count() or 1)), warm).__enter__()
        return self.pool

    def _finish_oldest(self) -> None:
        flight = self.in_flight.pop(0)
        unit, batch = flight.planned.unit, flight.batch
        try:
            pending = flight.pending
            results = dict(zip(pending, self._pool().gather(pending.values()))) if pending else {}
            for job in flight.later:
                inputs = {name: flight.staged.get(name, unit.directory / name) for name in job.output.reads}
                context = dataclasses.replace(job.context, inputs=inputs)
                results[job.output.name] = run_write_job(dataclasses.replace(job, context=context))
            batch.stage_text(unit.directory / self.stamp_name, _stamp_text(unit))
            files = {
                name: _identity(flight.staged.get(name, unit.directory / name))
                for name in flight.planned.digests
            }
            entries = {name: [digest, files[name]] for name, digest in flight.planned.digests.items()}
            manifest = json.dumps(entries, indent=1, sort_keys=True) + "\n"
            batch.stage_text(unit.directory / MANIFEST_NAME, manifest)
        except BaseException:
            batch.close(failed=True)
            raise
        batch.close(failed=False)
        written = tuple(unit.directory / output.name for output, _ in flight.planned.changed)
        unchanged = tuple(name for name in flight.planned.digests if name not in flight.staged)
        main = next((output.name for output in unit.outputs if output.counts_pages), None)
        self.done.append(
            BuiltTopic(unit.name, written, results.get(main) if main else None, False, unchanged, main)
        )

    def finish(self) -> list[BuiltTopic]:
        while self.in_flight:
            self._finish_oldest()
        return self.done

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if self.pool is not None:
                self.pool.__exit__(kind, error, traceback)  # workers stop before temporaries go
        finally:
            for flight in self.in_flight:
                flight.batch.close(failed=True)


def changed_since_last_print(directory: Path, document: Document) -> frozenset[str]:
    """The points new or changed since the last edition printed that differs from them."""
    now = snapshot(document)
    base = edition_before(read_editions(directory)["editions"], now, None)
    if base is None:
        return frozenset()
    return frozenset(change.point for change in changes(base["points"], now) if change.kind != "removed")


def _orphans(out: Path, topics: set[str]) -> list[Path]:
    """Output folders a build wrote (they hold its manifest) for topics no longer there."""
    if not out.is_dir():
        return []
    return sorted(
        folder
        for folder in out.iterdir()
        if folder.is_dir() and folder.name not in topics | {COMBINED} and (folder / MANIFEST_NAME).is_file()
    )


def build(
    options: BuildOptions,
    progress: Callable[[str], None] = lambda message: None,
    warn: Callable[[tuple], None] = lambda warnings: None,
    notice: Callable[[str], None] = lambda message: None,
) -> list[BuiltTopic]:
    """Build the selected topics' outputs (and the combined book); ``progress`` reports
    stages on a terminal, ``warn`` the warnings, ``notice`` what the user must know (a
    wait for another build writing to the same folder).

    Topics are written as they finish. A mistake found while planning one topic (a mind
    map too full to print) stops the writing: topics already written keep their new
    outputs, every other topic its last good ones, and every such mistake of every topic
    is reported together."""
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
    deduplicated = deduplicate_topics(corpus, cache=out / ".cache" / "dedupe")
    warn(all_warnings(corpus, deduplicated))
    layouts = layout_directories(root)
    context = RenderContext(
        make_environment(root),
        root,
        options.paper,
        options.selftest,
        out / ".cache" / "mindmaps",
        options.duplex,
        default_author(),
    )
    write_context = WriteContext(
        layouts[0],
        (*layouts, out),
        epoch,
        pdf_variant=options.pdf_variant,
    )
    stamp_name = f"{STAMP_PREFIX}{'-'.join(options.formats)}.sha256"
    build_date = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
    inputs_shared = shared_inputs_digest(root, options, build_date)
    outputs_shared = shared_outputs_digest(options, build_date)

    def units():
        """Each topic's unit (and the combined book's), or the paths of its outputs when
        its stamp shows that nothing it depends on changed."""
        for topic in corpus.topics:
            digest = input_digest(inputs_shared, root, corpus, topic)
            done = None if options.force else _stamped_outputs(out / topic.id, stamp_name, digest)
            if done is not None:
                yield BuiltTopic(topic.id, done, None, skipped=True)
                continue
            document = assemble_document(corpus, topic, deduplicated[topic.id].points, epoch)
            outputs = tuple(topic_outputs(document, options.formats))
            marked = (
                changed_since_last_print(out / topic.id, document) if options.mark_changes else frozenset()
            )
            yield _Unit(topic.id, out / topic.id, document, outputs, digest, epoch, marked)
        if options.combined and corpus.topics:
            digest = book_digest(inputs_shared, root, corpus)
            done = None if options.force else _stamped_outputs(out / COMBINED, stamp_name, digest)
            if done is not None:
                yield BuiltTopic(COMBINED, done, None, skipped=True)
                return
            book = assemble_book(
                corpus, {topic.id: deduplicated[topic.id].points for topic in corpus.topics}, epoch
            )
            outputs = tuple(book_outputs(book, options.formats))
            yield _Unit(COMBINED, out / COMBINED, book, outputs, digest, epoch)

    built: list[BuiltTopic] = []
    problems: list[Problem] = []
    with output_lock(out, notice):
        remove_stray_temporaries(out)
        sweep_stale_scratch()
        with _Writer(context, write_context, stamp_name, options.force) as writer:
            for unit in units():
                if isinstance(unit, BuiltTopic):
                    built.append(unit)
                    continue
                progress(f"rendering {unit.name}")
                pool = writer.pool or writer.start(warm=("weasyprint",) if "pdf" in options.formats else ())
                pool.check_stops()
                try:
                    unit_context = dataclasses.replace(context, marked=unit.marked)
                    planned = _plan(unit, unit_context, outputs_shared, options.force)
                except NoteError as error:
                    problems.extend(error.problems)
                    continue
                if not problems:
                    progress(f"writing {unit.name}")
                    writer.submit(planned)
            built += writer.finish()
        for cache in ("mindmaps", "dedupe"):
            prune(out / ".cache" / cache)
    if not options.topics:
        for folder in _orphans(out, {topic.id for topic in corpus.topics}):
            notice(
                f"{folder} is the output of a topic that is no longer in notes/ (renamed or removed); "
                "it was left as it is: delete it if it is not needed"
            )
    unwritable = cache_problems()
    if unwritable:
        where = "; ".join(f"{folder} ({reason})" for folder, reason in sorted(unwritable.items()))
        notice(f"the cache could not be written: {where}; the build went on without it")
    if problems:
        raise NoteError(problems)
    order = {topic.id: number for number, topic in enumerate(corpus.topics)}
    return sorted(built, key=lambda result: order.get(result.topic, len(order)))
