"""The ``notebuilder`` command: parse arguments, run the pipeline, report.

Exit codes: 0 success; 1 the notes (or a layout) have mistakes, each printed as
``path:line:col: error: message``; 2 bad command-line usage; 3 an external tool failed
(pandoc, WeasyPrint, Graphviz) or a folder cannot be read or written; 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from . import __version__
from .build import (
    FORMATS,
    BuildOptions,
    all_warnings,
    build,
    build_epoch,
    check_project,
    check_topic_names,
    deduplicate_topics,
)
from .commands.bundle import BUNDLE, bundle_outputs
from .commands.coverage import source_coverage_of
from .commands.dedupe_report import dedupe_report
from .commands.draft import draft_from_seed
from .commands.review import grade, print_review
from .commands.topics import summarise_topics
from .coverage import format_coverage, percent
from .errors import (
    Interrupted,
    Location,
    NoteError,
    Problem,
    ToolError,
    UsageError,
    printable,
    raise_interrupted,
    summarised,
)
from .load import ALLOW_OUTSIDE
from .pdf import PDF_VARIANTS
from .scaffold import EXAMPLES, count_drafts, default_author, new_source, new_topic
from .selftest import ONLY
from .validate import SOURCE_KINDS

EXIT_OK, EXIT_NOTES, EXIT_USAGE, EXIT_TOOL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notebuilder", description="Compile YAML study notes into a revision booklet."
    )
    parser.add_argument("--version", action="version", version=f"notebuilder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_root(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument(
            "--root", type=Path, default=Path("."), help="folder holding notes/ and seeds/ (default: .)"
        )
        command.add_argument(
            "--topic",
            dest="topics",
            action="append",
            default=[],
            metavar="TOPIC",
            help="only this topic (a folder name under notes/); repeat for several",
        )
        command.add_argument(
            "-W", dest="strict", action="store_true", help="turn warnings into errors (as Sphinx's -W)"
        )
        command.add_argument(
            "--allow-outside",
            action="append",
            default=[],
            metavar="FOLDER",
            help="a folder outside the project that symbolic links in notes/, seeds/ or layouts/ may "
            "lead into (nothing else outside the project is read); repeat for several",
        )
        return command

    def with_out(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument("--out", type=Path, default=None, help="output folder (default: <root>/build)")
        return command

    build_command = with_out(with_root(commands.add_parser("build", help="build the booklet PDF and EPUB")))
    build_command.add_argument("--format", choices=(*FORMATS, "all"), default="all")
    build_command.add_argument("--paper", choices=("a4", "letter"), default="a4")
    build_command.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build_command.add_argument(
        "--duplex",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="printed on both sides: mirrored margins with a binding gutter, page numbers on the outer "
        "edge (default: as topic.yaml's duplex:, else no)",
    )
    build_command.add_argument(
        "--pdf-variant",
        choices=PDF_VARIANTS,
        default="pdf/ua-1",
        help="the PDFs as tagged PDF/UA-1 (default: screen readers, reflow on phones; about 12%% "
        "slower), PDF/A-3a (archiving, still tagged), PDF/A-3b (archiving, untagged), or plain untagged PDF",
    )
    build_command.add_argument(
        "--combined", action="store_true", help="also the combined book of every topic, in <out>/combined/"
    )
    build_command.add_argument(
        "--mark-changes",
        action="store_true",
        help="bar in the booklet's margin every point new or changed since the last print (see: changes)",
    )
    build_command.add_argument(
        "--bundle",
        action="store_true",
        help="also copy every topic's PDFs, EPUB and deck into <out>/bundle/, named for their topic",
    )
    build_command.add_argument(
        "--selftest",
        choices=ONLY,
        default="all",
        help="the self-test asks about all points, only priority-1 points, or only points with figures",
    )
    watch_command = with_out(
        with_root(commands.add_parser("watch", help="build, then rebuild on every save until Ctrl-C"))
    )
    watch_command.add_argument("--format", choices=(*FORMATS, "all"), default="pdf")
    watch_command.add_argument("--paper", choices=("a4", "letter"), default="a4")
    preview_command = with_root(
        commands.add_parser(
            "preview", help="the booklet and mind maps in the browser, reloaded on every save"
        )
    )
    preview_command.add_argument(
        "--port", type=_port, default=8737, help="port on 127.0.0.1 (default 8737; 0 picks a free one)"
    )
    with_root(commands.add_parser("check", help="load and validate the notes without rendering"))
    with_root(commands.add_parser("dedupe", help="report merged groups, conflicting figures and near misses"))
    with_out(
        with_root(
            commands.add_parser(
                "topics", help="list the topics: paper, subject, fragments, points, and whether built"
            )
        )
    )
    coverage_command = with_out(
        with_root(commands.add_parser("coverage", help="what in each seed no fragment captures yet"))
    )
    coverage_command.add_argument("--source", dest="sources", action="append", default=[], metavar="SOURCE")
    coverage_command.add_argument(
        "--fail-under",
        type=float,
        default=None,
        metavar="N",
        help="exit 1 when fewer than N%% of statements are captured",
    )
    review_command = with_out(
        with_root(commands.add_parser("review", help="print the items due for review: <out>/review/DATE.pdf"))
    )
    review_command.add_argument(
        "--date", type=_day, default=None, help="the day of the review, YYYY-MM-DD (default: today)"
    )
    review_command.add_argument("--count", type=int, default=20, help="at most this many items (default 20)")
    review_command.add_argument(
        "--plan",
        action="store_true",
        help="plan day by day until the exam (exam: in notes/syllabus.yaml) and predict recall on the day",
    )
    review_command.add_argument("--per-day", type=int, default=20, help="the plan's daily limit (default 20)")
    review_command.add_argument(
        "--duplex", action="store_true", help="printed on both sides: the answers start a sheet of their own"
    )
    grade_command = commands.add_parser("grade", help="record the boxes ticked on a review sheet")
    grade_command.add_argument("day", metavar="DATE", type=_day, help="the sheet's date, YYYY-MM-DD")
    grade_command.add_argument(
        "marks", metavar="MARK", nargs="*", help="an item's code and a, h, g or e: 12g"
    )
    grade_command.add_argument(
        "--file", type=Path, help="marks read from a file, separated by spaces or lines"
    )
    grade_command.add_argument("--root", type=Path, default=Path("."))
    changes_command = with_out(
        with_root(
            commands.add_parser(
                "changes", help="what changed since an earlier print: <out>/TOPIC/changes.pdf"
            )
        )
    )
    changes_command.add_argument(
        "--since",
        metavar="DATE|EDITION",
        help="an edition's number, or a day YYYY-MM-DD (default: the last print that differs from the notes)",
    )
    anki_command = with_out(
        commands.add_parser("import-anki", help="bring back the reviews made in Anki (.colpkg, or .apkg)")
    )
    anki_command.add_argument(
        "package", metavar="FILE", type=Path, help="a collection exported from Anki, with its scheduling"
    )
    anki_command.add_argument("--root", type=Path, default=Path("."))
    draft_command = commands.add_parser(
        "draft", help="draft fragments from a seed, to edit: notes/TOPIC/drafts/"
    )
    draft_command.add_argument(
        "seed", metavar="SEED", type=Path, help="the source document: text, Markdown or PDF"
    )
    draft_command.add_argument("--topic", required=True)
    draft_command.add_argument("--source", help="the source id (default: the one registered for SEED's file)")
    draft_command.add_argument("--root", type=Path, default=Path("."))
    new_command = commands.add_parser("new", help="start a topic: notes/TOPIC/topic.yaml and an example")
    new_command.add_argument("topic", metavar="TOPIC", help="the topic's id, e.g. fundamental-rights")
    new_command.add_argument("--title", required=True)
    new_command.add_argument("--paper", required=True, help="e.g. GS2")
    new_command.add_argument("--subject", required=True, help="e.g. Polity")
    new_command.add_argument(
        "--author", help="your name, for the title page and the e-book (asked for on a terminal)"
    )
    new_command.add_argument(
        "--language",
        choices=sorted(EXAMPLES),
        help="the topic's language (default: hi for a title in Devanagari, else en)",
    )
    new_command.add_argument("--root", type=Path, default=Path("."))
    source_command = commands.add_parser("new-source", help="register a seed in seeds/sources.yaml")
    source_command.add_argument(
        "file", metavar="FILE", type=Path, help="the source document (copied into seeds/)"
    )
    source_command.add_argument("--id", dest="source_id", required=True, help="the id fragments cite")
    source_command.add_argument("--title", required=True)
    source_command.add_argument(
        "--short",
        help="the name readers see in table heads, e.g. 'IASGyan, 2025' (default: the title's head)",
    )
    source_command.add_argument("--kind", default="other", choices=SOURCE_KINDS)
    source_command.add_argument("--publisher")
    source_command.add_argument("--date", help="as the source shows it, e.g. 2025-08-26")
    source_command.add_argument("--root", type=Path, default=Path("."))
    return parser


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"notebuilder: {printable(message)}…", file=sys.stderr, flush=True)


def _warnings_printer(strict: bool):
    def print_warnings(warnings) -> None:
        if strict and warnings:  # each printed once, as the error it now is
            raise NoteError([Problem(warning.location, warning.message) for warning in warnings])
        for line in summarised(warnings):
            print(line, file=sys.stderr)

    return print_warnings


def _check(arguments) -> int:
    corpus = check_project(arguments.root, tuple(arguments.topics))
    _warnings_printer(arguments.strict)(all_warnings(corpus, deduplicate_topics(corpus)))
    fragments = sum(len(topic.fragments) for topic in corpus.topics)
    print(f"ok: {len(corpus.topics)} topic(s), {fragments} fragments, {len(corpus.sources)} sources")
    for topic in corpus.topics:
        if drafts := count_drafts(arguments.root, topic.id):
            print(f"{topic.id}: {drafts} draft fragments in notes/{topic.id}/drafts/ wait to be curated")
    return EXIT_OK


def _dedupe(arguments) -> int:
    sys.stdout.write(dedupe_report(arguments.root, tuple(arguments.topics)))
    return EXIT_OK


def _out(arguments) -> Path:
    return arguments.out if arguments.out is not None else arguments.root / "build"


def _topics(arguments) -> int:
    rows = [("topic", "paper", "subject", "fragments", "points", "outputs")]
    for summary in summarise_topics(arguments.root, _out(arguments), tuple(arguments.topics)):
        if summary.built:
            state = "up to date: " + ", ".join(summary.built)
        elif summary.stale:
            state = "out of date: " + ", ".join(summary.stale)
        else:
            state = "not built"
        rows.append(
            (summary.id, summary.paper, summary.subject, str(summary.fragments), str(summary.points), state)
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return EXIT_OK


def _watch(arguments) -> int:
    """Build, then rebuild whatever changed on each save (notes, seeds, layouts): one line
    per rebuild; a mistake prints its located errors and keeps the last good outputs."""
    import time
    from datetime import datetime

    from watchfiles import watch

    formats = FORMATS if arguments.format == "all" else (arguments.format,)
    options = BuildOptions(arguments.root, _out(arguments), formats, tuple(arguments.topics), arguments.paper)

    def watched() -> dict[Path, int]:
        """The folders to watch, each with its inode: a folder replaced by a new one (a
        ``git checkout``, a sync tool) is a new inode, and is watched again."""
        found = {}
        for folder in ("notes", "seeds", "layouts"):
            with contextlib.suppress(OSError):
                path = arguments.root / folder
                if path.is_dir():
                    found[path] = path.stat().st_ino
        return found

    def rebuild() -> None:
        started = time.monotonic()
        stamp = datetime.now().strftime("%H:%M:%S")
        try:
            results = build(options, warn=_warnings_printer(False))
        except NoteError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            print(f"[{stamp}] {len(error.problems)} error(s); the last good outputs are kept", flush=True)
            return
        except ToolError as error:
            print(f"[{stamp}] notebuilder: {error}; the last good outputs are kept", flush=True)
            return
        rebuilt = [
            f"{result.topic}: "
            + ", ".join(path.name for path in result.outputs if path.parent.name != "mindmaps")
            for result in results
            if not result.skipped and result.outputs
        ]
        done = "; ".join(rebuilt) or "nothing changed"
        print(f"[{stamp}] {done} ({time.monotonic() - started:.1f} s)", flush=True)

    folders = watched()
    print(f"notebuilder: watching {', '.join(str(path) for path in folders)}; Ctrl-C stops", flush=True)
    try:
        # The watcher starts before the first build, so a save made while it runs is not
        # missed: its first (empty) report comes once it watches, then one per batch of saves.
        # Between reports it checks that the folders are still the ones it watches; one that
        # was replaced (or appeared) is watched anew, and the notes are built again.
        first = True
        while True:
            if not folders:  # nothing to watch yet (a folder replaced this very moment)
                time.sleep(0.4)
                folders, first = watched(), True
                continue
            changes_seen = watch(
                *folders,
                debounce=300,
                step=50,
                raise_interrupt=False,
                yield_on_timeout=True,
                rust_timeout=400,
            )
            for changes in changes_seen:
                if watched() != folders:
                    folders, first = watched(), True
                    break
                if first or changes:
                    rebuild()
                    first = False
            else:
                break  # the watcher stopped (Ctrl-C)
    except (Interrupted, KeyboardInterrupt):
        pass
    print("notebuilder: stopped watching; the outputs are the last good ones", flush=True)
    return EXIT_OK


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535; 0 picks a free one)")
    return port


def _preview(arguments) -> int:
    """Serve the live preview on 127.0.0.1 until Ctrl-C (see preview.py)."""
    import threading

    from .preview import serve

    check_topic_names(arguments.root.resolve(), tuple(arguments.topics))
    stop = threading.Event()
    try:
        serve(arguments.root, tuple(arguments.topics), arguments.port, stop, _say, _report)
    except (Interrupted, KeyboardInterrupt):
        stop.set()
    except OSError as error:
        raise UsageError(f"cannot serve on 127.0.0.1:{arguments.port}: {error.strerror or error}") from None
    print("notebuilder: preview stopped", flush=True)
    return EXIT_OK


def _say(message: str) -> None:
    print(f"notebuilder: {printable(message)}", flush=True)


def _report(problem: str) -> None:
    print(printable(problem), file=sys.stderr, flush=True)


def _build(arguments) -> int:
    formats = FORMATS if arguments.format == "all" else (arguments.format,)
    options = BuildOptions(
        arguments.root,
        _out(arguments),
        formats,
        tuple(arguments.topics),
        arguments.paper,
        arguments.force,
        arguments.combined,
        arguments.selftest,
        arguments.pdf_variant,
        arguments.duplex,
        arguments.mark_changes,
    )

    def notice(message: str) -> None:
        print(f"notebuilder: {printable(message)}", file=sys.stderr, flush=True)

    results = build(options, _progress, _warnings_printer(arguments.strict), notice)
    for built in results:
        if built.skipped:
            print(f"{built.topic}: up to date (nothing changed; --force rebuilds)")
            continue
        directory = options.out.resolve() / built.topic
        main = [output.name for output in built.outputs if output.parent == directory]
        sheets = sum(1 for output in built.outputs if output.parent != directory)
        pages = f" ({built.pages} pages)" if built.pages else ""
        listing = (
            ", ".join(name + (pages if name == built.paged else "") for name in main) or "nothing to rewrite"
        )
        mindmaps = f", mindmaps/ ({sheets} sheets)" if sheets else ""
        kept = [name for name in built.unchanged if "/" not in name]
        kept_sheets = len(built.unchanged) - len(kept)
        kept += [f"{kept_sheets} sheet{'s' if kept_sheets != 1 else ''}"] if kept_sheets else []
        unchanged = f"; unchanged: {', '.join(kept)}" if kept else ""
        print(f"{built.topic}: {listing}{mindmaps} in {directory}{unchanged}")
    if arguments.bundle:
        copies = bundle_outputs(options.out, [built.topic for built in results])
        print(f"bundle: {len(copies)} files named for their topics in {options.out.resolve() / BUNDLE}")
    return EXIT_OK


def _coverage(arguments) -> int:
    reports = source_coverage_of(
        arguments.root, _out(arguments), tuple(arguments.topics), tuple(arguments.sources)
    )
    done = total = 0
    for topic, results in reports:
        sys.stdout.write(format_coverage(topic.id, results))
        for result in results:
            captured, statements = result.share()
            done, total = done + captured, total + statements
        print(f"{topic.id}: side by side in {_out(arguments) / topic.id / 'coverage.html'}")
    share = percent((done, total))
    print(f"coverage: {done} of {total} statements captured ({share:.1f}%)")
    if arguments.fail_under is not None and share < arguments.fail_under:
        print(f"notebuilder: coverage {share:.1f}% is under {arguments.fail_under:g}%", file=sys.stderr)
        return EXIT_NOTES
    return EXIT_OK


def _draft(arguments) -> int:
    path, state, count = draft_from_seed(arguments.root, arguments.seed, arguments.topic, arguments.source)
    if state == "beside":
        print(f"{path}: {count} draft fragments, beside your edited draft (which is left as it is)")
    else:
        print(f"{path}: {count} draft fragments{' (unchanged)' if state == 'unchanged' else ''}")
    return EXIT_OK


def _new(arguments) -> int:
    author = arguments.author
    if author is None and sys.stdin.isatty():
        suggested = default_author()
        answer = input(f"Your name, as the notes' author [{suggested}]: ").strip()
        author = answer or suggested
    for path in new_topic(
        arguments.root,
        arguments.topic,
        arguments.title,
        arguments.paper,
        arguments.subject,
        author,
        arguments.language,
    ):
        print(f"created {path}")
    return EXIT_OK


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date of the form YYYY-MM-DD") from None


def _review(arguments) -> int:
    day = arguments.date or datetime.fromtimestamp(build_epoch(), UTC).date()
    if arguments.plan:
        from .commands.review import exam_plan

        print(
            exam_plan(arguments.root, _out(arguments), tuple(arguments.topics), day, arguments.per_day),
            end="",
        )
        return EXIT_OK
    pdf, count = print_review(
        arguments.root, _out(arguments), tuple(arguments.topics), day, arguments.count, arguments.duplex
    )
    print(f"{count} item{'s' if count != 1 else ''} to review on {day.isoformat()}: {pdf}")
    return EXIT_OK


def _grade(arguments) -> int:
    marks, column = [], 1  # located on the command line as it reads after the date: "12g 13a"
    for mark in arguments.marks:
        marks.append((Location("command line", 1, column), mark))
        column += len(mark) + 1
    if arguments.file is not None:
        text = arguments.file.read_text(encoding="utf-8")
        for line_number, line in enumerate(text.splitlines(), start=1):
            column = 1
            for mark in line.split(" "):
                if mark.strip():
                    marks.append((Location(str(arguments.file), line_number, column), mark.strip()))
                column += len(mark) + 1
    if not marks:
        raise UsageError("no marks given: write them after the date (12g 13a) or in --file")
    recorded, unchanged = grade(arguments.root, arguments.day, marks)
    print(
        f"{recorded} grade{'s' if recorded != 1 else ''} recorded for {arguments.day.isoformat()}"
        + (f" ({unchanged} already so)" if unchanged else "")
    )
    return EXIT_OK


def _changes(arguments) -> int:
    from .commands.changes import print_changes

    for found in print_changes(arguments.root, _out(arguments), tuple(arguments.topics), arguments.since):
        if found.pdf is None:
            print(f"{found.topic}: no earlier edition to compare with (each PDF build keeps one)")
            continue
        counts = found.counts
        print(
            f"{found.topic}: {counts['new']} new, {counts['changed']} changed, {counts['removed']} removed "
            f"since edition {found.since}: {found.pdf}"
        )
    return EXIT_OK


def _import_anki(arguments) -> int:
    from .commands.anki_import import import_anki

    imported = import_anki(arguments.root, _out(arguments), arguments.package)
    print(
        f"{imported.added} review{'s' if imported.added != 1 else ''} from Anki recorded"
        + (f" ({imported.known} already)" if imported.known else "")
        + (f"; {imported.unmatched} of cards that are not the notes' left out" if imported.unmatched else "")
    )
    return EXIT_OK


def _new_source(arguments) -> int:
    registry = new_source(
        arguments.root,
        arguments.file,
        arguments.source_id,
        arguments.title,
        arguments.kind,
        arguments.publisher,
        arguments.date,
        arguments.short,
    )
    print(f"registered '{arguments.source_id}' in {registry}")
    return EXIT_OK


READING_COMMANDS = ("check", "dedupe", "topics")  # they never write, so an error stops no writing
COMMANDS = {
    "check": _check,
    "dedupe": _dedupe,
    "topics": _topics,
    "build": _build,
    "watch": _watch,
    "preview": _preview,
    "coverage": _coverage,
    "draft": _draft,
    "new": _new,
    "new-source": _new_source,
    "review": _review,
    "grade": _grade,
    "import-anki": _import_anki,
    "changes": _changes,
}


def run() -> None:
    """The ``notebuilder`` command (installed, or ``python -m notebuilder``): :func:`main`,
    then exit with its code."""
    code = main()
    # The work is done and its outputs are in place: a stop from now on has nothing left to
    # interrupt. Ignore it, because while the interpreter shuts down Python resets its own
    # handlers to the default, and a late SIGTERM would kill a finished build with -15 (or
    # a Ctrl-C print a traceback).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if getattr(arguments, "allow_outside", None):
        os.environ[ALLOW_OUTSIDE] = os.pathsep.join(
            str(Path(folder).resolve()) for folder in arguments.allow_outside
        )
    signal.signal(signal.SIGTERM, raise_interrupted)
    signal.signal(signal.SIGINT, raise_interrupted)
    try:
        return COMMANDS[arguments.command](arguments)
    except UsageError as error:
        print(f"notebuilder {arguments.command}: error: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except NoteError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        written = "" if arguments.command in READING_COMMANDS else "; nothing was written"
        print(f"notebuilder: {count} error{'s' if count != 1 else ''}{written}", file=sys.stderr)
        return EXIT_NOTES
    except ToolError as error:
        print(f"notebuilder: {printable(str(error))}", file=sys.stderr)
        return EXIT_TOOL
    except OSError as error:
        # A folder that cannot be written or read: the user's to fix, so no traceback.
        where = f"{error.filename}: " if error.filename else ""
        print(printable(f"notebuilder: {where}{error.strerror or error}"), file=sys.stderr)
        return EXIT_TOOL
    except (Interrupted, KeyboardInterrupt):
        print("notebuilder: interrupted; earlier outputs are untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
