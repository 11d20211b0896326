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
import os
import re
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .errors import ToolError
from .outputs import Output, WriteContext
from .pool import cyclic_gc_paused, die_with_parent

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

    def stage_text(self, target: Path, text: str) -> None:
        self.stage(target).write_text(text, encoding="utf-8")

    def close(self, failed: bool) -> None:
        """Rename everything into place, or (``failed``) delete every temporary.

        Renaming into place, or cleaning up, is not to be cut in half by a Ctrl-C or a
        SIGTERM: they wait until it is done (and then stop the build as usual)."""
        stops = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            if failed:
                self.discard()
            else:
                self.commit()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)

    def __enter__(self) -> OutputBatch:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close(failed=kind is not None)


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


def lay_out_pages(html: str, base_directory: Path, allowed_directories: Sequence[Path]):
    """WeasyPrint's laid-out document, fetching only inside the allowed folders."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint.HTML(
        string=html, base_url=base_directory.as_uri() + "/", url_fetcher=make_url_fetcher(allowed_directories)
    ).render()


# Offered by --pdf-variant. Tagged PDF/UA-1 by default: it costs 11–13% more time on the
# shipped booklet (`make bench`: tagged/untagged), under the 15% a default may cost.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "none")


def write_pdf(
    html: str,
    target: Path,
    base_directory: Path,
    allowed_directories: Sequence[Path],
    variant: str | None = None,
) -> int:
    """Print HTML to a PDF with WeasyPrint, whole (``variant``: e.g. "pdf/ua-1", tagged with
    its structure, language and title shown); returns the page count."""
    document = lay_out_pages(html, base_directory, allowed_directories)
    document.write_pdf(target, pdf_variant=variant if variant not in (None, "none") else None)
    return len(document.pages)


CSS_PX_PT = 0.75  # WeasyPrint lays out in CSS pixels; a PDF measures in points


def write_pdf_with_drawings(
    html: str,
    target: Path,
    base_directory: Path,
    allowed_directories: Sequence[Path],
    drawings: dict[str, bytes],
) -> int:
    """Print HTML with WeasyPrint (untagged), then lay each drawing, a one-page PDF, into
    the box of the element whose id it is keyed by (scaled to fit, centred).

    A mind map drawn by Graphviz itself costs a fraction of WeasyPrint drawing its SVG
    text letter by letter; WeasyPrint still sets the page, its header and its type.
    An element the layout does not show gets no drawing."""
    import io

    import pikepdf

    document = lay_out_pages(html, base_directory, allowed_directories)
    frame = io.BytesIO()
    document.write_pdf(frame)
    with pikepdf.open(frame) as pdf:
        for number, page in enumerate(document.pages):
            for name, drawing in sorted(drawings.items()):
                if name not in page.anchors:
                    continue
                left, top, right, bottom = (value * CSS_PX_PT for value in page.anchors[name])
                page_height = page.height * CSS_PX_PT  # PDF's y runs up from the page's foot
                slot = pikepdf.Rectangle(left, page_height - bottom, right, page_height - top)
                with pikepdf.open(io.BytesIO(drawing)) as picture:
                    drawn = pdf.copy_foreign(picture.pages[0].as_form_xobject())
                    _lay_onto(pdf.pages[number], drawn, slot, pikepdf.Name(f"/Drawing-{name}"))
        pdf.save(target, deterministic_id=True)
        return len(pdf.pages)


def _lay_onto(page, drawing, slot, name) -> None:
    """Draw a form XObject over the page, fitted into ``slot``, under the resource ``name``
    (pikepdf's add_overlay picks a random one: the same notes would not give the same bytes)."""
    import pikepdf

    name = page.add_resource(drawing, pikepdf.Name.XObject, name)
    placed = page.calc_form_xobject_placement(drawing, name, slot, allow_shrink=True, allow_expand=True)
    page.contents_add(b"q\n", prepend=True)  # the page's own drawing state ends before the drawing
    page.contents_add(b"Q\n" + placed)


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


# What any reference _ReferenceFinder finds must contain: without one, there is none.
_MAY_REFER = re.compile(
    r"<\s*(?:link|base|iframe|object|embed|script|img|style)\b|\b(?:src|srcset|poster|data)\s*="
    r"|url\(|\bhref\b(?!\s*=\s*[\"']?#)",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    """Every way the HTML could make pandoc read a file or URL (all our own layouts need is
    #anchors). HTML with nothing that could be one is not parsed (0.03 s a booklet)."""
    if not _MAY_REFER.search(html):
        return []
    finder = _ReferenceFinder()
    finder.feed(html)
    return list(dict.fromkeys(finder.references))


def run_tool(arguments: list[str], data: bytes, environment: dict, cwd: str) -> tuple[int, bytes]:
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
    """One output to write into its staged temporary file."""

    output: Output
    content: Any
    target: Path
    context: WriteContext


def run_write_job(job: WriteJob) -> int | None:
    """Write one output; returns the page count of a PDF."""
    with cyclic_gc_paused(collect_after=True):
        return job.output.write(job.content, job.target, job.context)
