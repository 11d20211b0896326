"""Stage 6, write: serialise rendered HTML to PDF (WeasyPrint) and EPUB (pandoc).

The only stage that writes. Every output is written to a temporary file in its own
directory, and all of a build's outputs are renamed into place together at the end
(:class:`OutputBatch`), so a failed or interrupted build leaves the last good files
untouched. WeasyPrint and pandoc may read only from the layouts and output folders,
never from the network or elsewhere on disk.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Sequence

TEMP_PREFIX = ".nb-tmp-"


class ToolError(Exception):
    """An external tool (pandoc, WeasyPrint, Graphviz) failed on input that validated."""


class PageOverflow(Exception):
    """A one-page sheet came out longer than one page."""

    def __init__(self, pages: int):
        super().__init__(f"{pages} pages")
        self.pages = pages


class OutputBatch:
    """Stage several outputs as temporaries and rename them into place together.

    Used as a context manager: if anything fails before the end of the ``with`` block
    (a layout, WeasyPrint, pandoc, Ctrl-C), every temporary is deleted and every earlier
    output is left byte for byte as it was.
    """

    def __init__(self) -> None:
        self.staged: list[tuple[Path, Path]] = []

    def stage(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent)
        os.close(handle)
        self.staged.append((Path(name), target))
        return Path(name)

    def commit(self) -> None:
        for temporary, target in self.staged:
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        self.staged = []

    def discard(self) -> None:
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []

    def __enter__(self) -> "OutputBatch":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_text(target: Path, text: str) -> None:
    target.write_text(text, encoding="utf-8")


def remove_stray_temporaries(directory: Path) -> None:
    """Delete temporaries left by a build that was killed before it could clean up."""
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


def write_pdf(html: str, target: Path, base_directory: Path, allowed_directories: Sequence[Path], max_pages: int | None = None) -> int:
    """Render HTML to a PDF with WeasyPrint; returns the page count.

    With ``max_pages``, a document that comes out longer raises :class:`PageOverflow`
    before anything is written.
    """
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(
        string=html, base_url=base_directory.as_uri() + "/", url_fetcher=make_url_fetcher(allowed_directories)
    ).render()
    if max_pages is not None and len(document.pages) > max_pages:
        raise PageOverflow(len(document.pages))
    document.write_pdf(target)
    return len(document.pages)


class _ReferenceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "srcset", "poster", "data") or (name == "href" and not (value or "").startswith("#")):
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


def write_sheets(html: str, combined: Path, singles: Sequence[Path], base_directory: Path, allowed_directories: Sequence[Path]) -> int:
    """Render one-page sheets once; write them together and each to its own PDF.

    Every sheet must come out as exactly one page: a sheet that spills over is a bug in
    the fitting, and the build stops before anything is renamed into place.
    """
    import weasyprint

    document = weasyprint.HTML(
        string=html, base_url=base_directory.as_uri() + "/", url_fetcher=make_url_fetcher(allowed_directories)
    ).render()
    if len(document.pages) != len(singles):
        raise ToolError(f"{len(singles)} mind-map sheets came out as {len(document.pages)} pages; each must be one page")
    document.write_pdf(combined)
    for number, single in enumerate(singles):
        document.copy([document.pages[number]]).write_pdf(single)
    return len(document.pages)


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def write_epub(
    html: str,
    target: Path,
    metadata: dict[str, str],
    build_epoch: int,
) -> None:
    """Convert the EPUB-flavoured HTML to EPUB3 with the bundled pandoc.

    Pandoc would fetch whatever an ``src`` or stylesheet link names, so the HTML is
    refused if it references anything but its own anchors, and pandoc runs in an empty
    folder with that folder as its only resource path. (``--sandbox`` would do the same
    but also freezes the EPUB's modified date at 1970.)
    """
    references = external_references(html)
    if references:
        raise ToolError(f"the EPUB layout references files or URLs, which notebuilder does not fetch: {', '.join(references[:5])}")
    arguments = [
        pandoc_path(),
        "--from=html",
        "--to=epub3",
        "--toc",
        "--toc-depth=2",
        "--split-level=1",
        "--resource-path=.",
    ]
    for name, value in sorted(metadata.items()):
        arguments.append(f"--metadata={name}:{value}")
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    environment["SOURCE_DATE_EPOCH"] = str(build_epoch)  # dates inside the EPUB, and its zip entries
    with tempfile.TemporaryDirectory(prefix="notebuilder-pandoc-") as empty:
        completed = subprocess.run(
            arguments + [f"--output={target}"],
            input=html.encode("utf-8"),
            capture_output=True,
            env=environment,
            cwd=empty,
        )
        if completed.returncode != 0:
            raise ToolError(f"pandoc failed: {completed.stderr.decode('utf-8', 'replace').strip()}")

