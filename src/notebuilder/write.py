"""Stage 6, write: serialise rendered HTML to PDF (WeasyPrint) and EPUB (pandoc).

The only stage that writes. Every output is written to a temporary file in its own
directory, and all of a build's outputs are renamed into place together at the end
(:class:`OutputBatch`), so a failed or interrupted build leaves the last good files
untouched. WeasyPrint and pandoc may read only from the layouts and output folders,
never from the network or elsewhere on disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import ToolError
from .pool import WorkerPool, die_with_parent, worker_count

TEMP_PREFIX = ".nb-tmp-"


class OutputBatch:
    """Stage several outputs as temporaries and rename them into place together.

    Used as a context manager: if anything fails before the end of the ``with`` block
    (a layout, WeasyPrint, pandoc, Ctrl-C), every temporary is deleted and every earlier
    output is left byte for byte as it was.
    """

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []
        # Every temporary of this batch carries its own prefix, and its folder is noted
        # before the file exists: a stop that lands between creating a temporary and
        # noting it still finds it (see discard).
        self.prefix = f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-"
        self.folders: set[Path] = set()

    def stage(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.folders.add(target.parent)
        handle, name = tempfile.mkstemp(prefix=self.prefix, suffix=target.suffix, dir=target.parent)
        os.close(handle)
        self.staged.append((Path(name), target))
        return Path(name)

    def commit(self) -> None:
        try:
            while self.staged:
                temporary, target = self.staged[0]
                os.chmod(temporary, 0o644)
                os.replace(temporary, target)
                self.staged.pop(0)
        finally:
            self.discard()  # a commit that fails half-way leaves none of its temporaries

    def discard(self) -> None:
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []
        for folder in self.folders:
            for stray in folder.glob(self.prefix + "*"):
                stray.unlink(missing_ok=True)

    def __enter__(self) -> OutputBatch:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        # Renaming into place, or cleaning up, is not to be cut in half by a Ctrl-C or a
        # SIGTERM: they wait until it is done (and then stop the build as usual).
        stops = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            if kind is None:
                self.commit()
            else:
                self.discard()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)


LOCK_NAME = ".notebuilder.lock"
LOCK_WAIT_SECONDS = 600


@contextlib.contextmanager
def output_lock(out: Path, waiting=lambda message: None):
    """Hold ``<out>/.notebuilder.lock`` while a build writes there (an ``fcntl`` lock, which
    the system releases when its holder dies, ``kill -9`` included). A second build into the
    same folder waits for the first, saying so, and gives up after
    :data:`LOCK_WAIT_SECONDS` with a :class:`ToolError` (exit 3)."""
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK_NAME, "a+")  # noqa: SIM115 (held open for the lock's lifetime)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"another build is writing to {out}; waiting for it to finish")
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                time.sleep(0.1)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ToolError(
                            f"another build is writing to {out}; try again when it is done"
                        ) from None
        yield
    finally:
        handle.close()  # and with it the lock


def write_text(target: Path, text: str) -> None:
    target.write_text(text, encoding="utf-8")


def remove_stray_temporaries(directory: Path) -> None:
    """Delete temporaries left by a build that was killed before it could clean up.

    Call it only while holding :func:`output_lock`: then no live build owns any of them
    (a killed build's workers died with it, see pool.die_with_parent)."""
    if directory.is_dir():
        for stray in directory.rglob(TEMP_PREFIX + "*"):
            stray.unlink(missing_ok=True)


def _inside(path: Path, directories: Sequence[Path]) -> bool:
    return any(path == directory or directory in path.parents for directory in directories)


def make_url_fetcher(allowed_directories: Sequence[Path]):
    """A WeasyPrint URL fetcher that serves data: URLs and files under the allowed folders only."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    allowed = [directory.resolve() for directory in allowed_directories]

    class ProjectURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if _inside(path, allowed):
                    return super().fetch(url, headers)
            raise ValueError(f"notebuilder fetches nothing outside the project: {url}")

    return ProjectURLFetcher(allowed_protocols=("file", "data"), timeout=1)


def _lay_out_pages(html: str, base_directory: Path, allowed_directories: Sequence[Path]):
    """WeasyPrint's laid-out document, fetching only inside the allowed folders."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(
        string=html, base_url=base_directory.as_uri() + "/", url_fetcher=make_url_fetcher(allowed_directories)
    ).render()


def write_pdf(html: str, target: Path, base_directory: Path, allowed_directories: Sequence[Path]) -> int:
    """Render HTML to a PDF with WeasyPrint; returns the page count."""
    document = _lay_out_pages(html, base_directory, allowed_directories)
    document.write_pdf(target)
    return len(document.pages)


class _ReferenceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "srcset", "poster", "data") or (
                name == "href" and not (value or "").startswith("#")
            ):
                self.references.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and "url(" in value:
                self.references.append(f"<{tag} style={value!r}>")
        if tag in ("link", "base", "iframe", "object", "embed", "script", "img", "style"):
            self.references.append(f"<{tag}>")


def external_references(html: str) -> list[str]:
    """Every way the HTML could make pandoc read a file or URL (all our own layouts need is #anchors)."""
    finder = _ReferenceFinder()
    finder.feed(html)
    return list(dict.fromkeys(finder.references))


def write_sheets(
    html: str,
    combined: Path,
    singles: Sequence[Path],
    base_directory: Path,
    allowed_directories: Sequence[Path],
) -> int:
    """Render one-page sheets once; write them together and each to its own PDF.

    Every sheet must come out as exactly one page: a sheet that spills over is a bug in
    the fitting, and the build stops before anything is renamed into place.
    """
    document = _lay_out_pages(html, base_directory, allowed_directories)
    if len(document.pages) != len(singles):
        raise ToolError(
            f"{len(singles)} mind-map sheets came out as {len(document.pages)} pages; each must be one page"
        )
    document.write_pdf(combined)
    for number, single in enumerate(singles):
        document.copy([document.pages[number]]).write_pdf(single)
    return len(document.pages)


DECK_CSS = """
.card { font-family: "Noto Serif", Georgia, serif; font-size: 20px; line-height: 1.45; text-align: left; }
.cloze { font-weight: bold; color: #1f3a5f; }
.sources, .also, .differ {
  font-family: "Noto Sans", sans-serif; font-size: 14px; color: #444; margin-top: 6px;
}
.differ { border-left: 3px solid #111; padding-left: 6px; color: #111; }
"""


def write_deck(cards: list[dict], target: Path, epoch: int) -> None:
    """Pack cards (:class:`notebuilder.cards.Card` as dicts) into an Anki .apkg with genanki.

    The collection is written with the build's epoch and the zip with fixed dates, so the
    same notes give the same bytes; GUIDs and ids are stable (see cards.py)."""
    import sqlite3
    import zipfile
    from datetime import UTC, datetime
    from itertools import count

    import genanki

    from .cards import stable_id

    def note_type(name: str, fields: tuple[str, str], front: str, back: str, kind: int) -> genanki.Model:
        template = {"name": "Card 1", "qfmt": front, "afmt": f"{back}<hr id=answer>{{{{{fields[1]}}}}}"}
        return genanki.Model(
            stable_id(f"{name} 1"),
            name,
            fields=[{"name": field} for field in fields],
            templates=[template],
            css=DECK_CSS,
            model_type=kind,
        )

    cloze = note_type(
        "notebuilder cloze", ("Text", "Extra"), "{{cloze:Text}}", "{{cloze:Text}}", genanki.Model.CLOZE
    )
    question = note_type(
        "notebuilder question",
        ("Question", "Answer"),
        "{{Question}}",
        "{{FrontSide}}",
        genanki.Model.FRONT_BACK,
    )
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        deck = decks.setdefault(card["deck"], genanki.Deck(stable_id(card["deck"]), card["deck"]))
        model = cloze if card["kind"] == "cloze" else question
        deck.add_note(
            genanki.Note(
                model=model,
                fields=list(card["fields"]),
                tags=list(card["tags"]),
                guid=genanki.guid_for(*card["identity"]),
            )
        )
    package = genanki.Package(list(decks.values()))
    with tempfile.TemporaryDirectory(prefix="notebuilder-deck-") as scratch:
        database = Path(scratch) / "collection.anki2"
        connection = sqlite3.connect(database)
        package.write_to_db(connection.cursor(), float(epoch), count(epoch * 1000))
        connection.commit()
        connection.close()
        stamp = datetime.fromtimestamp(max(epoch, 315532800), UTC).timetuple()[:6]  # zip dates start in 1980
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo("collection.anki2", stamp), database.read_bytes())
            archive.writestr(zipfile.ZipInfo("media", stamp), "{}")


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def write_epub(
    html: str,
    target: Path,
    metadata: dict[str, str],
    build_epoch: int,
    stylesheet: Path | None = None,
) -> None:
    """Convert the EPUB-flavoured HTML to EPUB3 with the bundled pandoc.

    Pandoc would fetch whatever an ``src`` or stylesheet link names, so the HTML is
    refused if it references anything but its own anchors, and pandoc runs in an empty
    folder with that folder as its only resource path. (``--sandbox`` would do the same
    but also freezes the EPUB's modified date at 1970.)
    """
    references = external_references(html)
    if references:
        raise ToolError(
            "the EPUB layout references files or URLs, which notebuilder does not fetch: "
            + ", ".join(references[:5])
        )
    arguments = [
        pandoc_path(),
        "--from=html",
        "--to=epub3",
        "--toc",
        "--toc-depth=2",
        "--split-level=1",
        "--resource-path=.",
        *([f"--css={stylesheet}"] if stylesheet else []),
    ]
    for name, value in sorted(metadata.items()):
        arguments.append(f"--metadata={name}:{value}")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }
    environment["SOURCE_DATE_EPOCH"] = str(build_epoch)  # dates inside the EPUB, and its zip entries
    with tempfile.TemporaryDirectory(prefix="notebuilder-pandoc-") as empty:
        returncode, errors = _run_tool(
            [*arguments, f"--output={target}"], html.encode("utf-8"), environment, empty
        )
    if returncode != 0:
        raise ToolError(f"pandoc failed: {errors.decode('utf-8', 'replace').strip()}")


def _run_tool(arguments: list[str], data: bytes, environment: dict, cwd: str) -> tuple[int, bytes]:
    """Run an external tool; it is killed if we are interrupted or killed."""
    process = subprocess.Popen(
        arguments,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=cwd,
        preexec_fn=die_with_parent,
    )
    try:
        _, errors = process.communicate(data)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process.returncode, errors


@dataclass(frozen=True)
class WriteJob:
    """One output to serialise into its staged temporary file(s)."""

    writer: str  # text | pdf | sheets | epub | anki
    content: str
    targets: tuple[Path, ...]
    base_directory: Path | None = None
    allowed_directories: tuple[Path, ...] = ()
    metadata: dict | None = None
    epoch: int = 0
    stylesheet: Path | None = None


def run_write_job(job: WriteJob) -> int | None:
    """Write one job; returns the page count of a PDF."""
    if job.writer == "text":
        write_text(job.targets[0], job.content)
        return None
    if job.writer == "pdf":
        return write_pdf(job.content, job.targets[0], job.base_directory, job.allowed_directories)
    if job.writer == "sheets":
        return write_sheets(
            job.content, job.targets[0], job.targets[1:], job.base_directory, job.allowed_directories
        )
    if job.writer == "anki":
        write_deck(json.loads(job.content), job.targets[0], job.epoch)
        return None
    write_epub(job.content, job.targets[0], job.metadata, job.epoch, job.stylesheet)
    return None


def run_write_jobs(jobs: list[WriteJob]) -> list[int | None]:
    """WeasyPrint dominates a build and uses one core: spread the heavy jobs over the cores.

    Workers only fill staged temporaries; if anything fails or the build is interrupted,
    the pool is terminated before the temporaries are discarded (:class:`WorkerPool`).
    """
    heavy = [index for index, job in enumerate(jobs) if job.writer in ("pdf", "sheets", "epub")]
    workers = worker_count(len(heavy))
    if workers < 2:
        return [run_write_job(job) for job in jobs]
    results: list[int | None] = [None] * len(jobs)
    with WorkerPool(workers) as pool:
        # Largest first, so the long jobs do not end up queued behind short ones.
        order = sorted(heavy, key=lambda index: -len(jobs[index].content))
        pending = {index: pool.submit(run_write_job, jobs[index]) for index in order}
        for index, job in enumerate(jobs):
            if index not in pending:
                results[index] = run_write_job(job)
        for index, result in zip(pending, pool.gather(pending.values())):
            results[index] = result
    return results
