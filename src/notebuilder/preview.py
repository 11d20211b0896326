"""``notebuilder preview``: the booklet and mind maps as HTML in the browser, live.

A small HTTP server on 127.0.0.1 (never another interface) serves each topic's booklet
HTML, the very HTML WeasyPrint would print, with its print stylesheet, and the topic's
mind-map sheets. A watcher re-renders on every save of notes, seeds or layouts (no
WeasyPrint: a save shows in the page within a second), and the page, which asks the
server every 300 ms whether anything changed, reloads itself. A mistake in the notes
keeps the last good page and shows the located errors above it, as the terminal does.

The server serves only its own routes: no file is read on a request, and the pages'
Content-Security-Policy lets them fetch nothing but the server's change counter.
"""

from __future__ import annotations

import html
import json
import threading
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .assemble import assemble_document
from .build import all_warnings, build_epoch, check_project, deduplicate_topics
from .errors import NoteError, ToolError
from .mindmap import lay_out_sheets, plan_sheets
from .model import Document
from .render import SheetDrawing, make_environment, render_booklet, render_layout, render_mindmaps

POLL_MILLISECONDS = 300
SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; font-src 'none'; connect-src 'self'"
)


@dataclass
class PreviewState:
    """What the server shows: the last good documents, the errors of the last render (if
    it failed), and a counter that changes with every render."""

    root: Path
    topics: tuple[str, ...]
    generation: int = 0
    documents: dict[str, Document] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # of the last good render: undecided merges, missing glyphs
    pages: dict[str, str] = field(default_factory=dict)  # rendered pages of this generation
    lock: threading.Lock = field(default_factory=threading.Lock)
    rendering: dict[str, threading.Lock] = field(default_factory=dict)  # one rendering per page at a time

    def refresh(self) -> tuple[str, ...]:
        """Read, check and assemble the notes again; returns the errors (none: all good;
        the warnings are then in :attr:`warnings`)."""
        warnings: tuple[str, ...] = ()
        try:
            corpus = check_project(self.root, self.topics)
            deduplicated = deduplicate_topics(corpus)
            epoch = build_epoch()
            documents = {
                topic.id: assemble_document(corpus, topic, deduplicated[topic.id].points, epoch)
                for topic in corpus.topics
            }
            warnings = tuple(str(warning) for warning in all_warnings(corpus, deduplicated))
            errors: tuple[str, ...] = ()
        except NoteError as error:
            documents, errors = None, tuple(str(problem) for problem in error.problems)
        except ToolError as error:
            documents, errors = None, (f"notebuilder: {error}",)
        with self.lock:
            if documents is not None:
                self.documents, self.warnings = documents, warnings
            self.errors = errors
            self.pages = {}
            self.generation += 1
        return errors

    def page(self, path: str) -> str | None:
        """The page at ``path``: ``/<topic>/`` (booklet) or ``/<topic>/mindmaps``. Many
        requests for a page not yet rendered wait for one rendering of it."""
        with self.lock:
            rendering = self.rendering.setdefault(path, threading.Lock())
        with rendering:
            return self._page(path)

    def _page(self, path: str) -> str | None:
        with self.lock:
            generation, documents, errors = self.generation, self.documents, self.errors
            warnings = self.warnings
            if path in self.pages:
                return self.pages[path]
        parts = [part for part in path.split("/") if part]
        if not parts or parts[0] not in documents or len(parts) > 2:
            return None
        document = documents[parts[0]]
        environment = make_environment(self.root)
        try:
            if len(parts) == 1:
                body = render_booklet(environment, document, self.root)
            elif parts[1] == "mindmaps":
                sheets = plan_sheets(document)
                laid_out = lay_out_sheets(sheets, self.root / "build" / ".cache" / "mindmaps")
                pages = [
                    SheetDrawing(laid.sheet, number, laid.svg)
                    for number, laid in enumerate(laid_out, start=1)
                ]
                body = render_mindmaps(environment, document, pages, len(sheets), self.root)
            else:
                return None
        except (NoteError, ToolError) as error:
            problems = error.problems if isinstance(error, NoteError) else [f"notebuilder: {error}"]
            errors = errors + tuple(str(problem) for problem in problems)
            body = "<!DOCTYPE html><html><head><title>notebuilder preview</title></head><body></body></html>"
        chrome = render_layout(
            environment,
            "preview.html.j2",
            self.root,
            document.topic.language,
            topics=sorted(documents),
            topic=parts[0],
            view="mindmaps" if len(parts) == 2 else "booklet",
            errors=errors,
            warnings=warnings,
            generation=generation,
            poll=POLL_MILLISECONDS,
        )
        page = _with_chrome(body, chrome)
        with self.lock:
            if self.generation == generation:
                self.pages[path] = page
        return page


def _with_chrome(page: str, chrome: str) -> str:
    """The preview's bar, errors and reload script, just inside the page's body."""
    opening = page.index("<body")
    end = page.index(">", opening) + 1
    return page[:end] + chrome + page[end:]


class _Handler(BaseHTTPRequestHandler):
    state: PreviewState

    def do_GET(self) -> None:
        if not self._from_its_owner():
            self._send(403, "text/plain", "the preview answers only at its own address")
            return
        path = urlsplit(self.path).path
        if path == "/__generation":
            with self.state.lock:
                self._send(200, "application/json", json.dumps({"generation": self.state.generation}))
            return
        if path == "/":
            with self.state.lock:
                first = sorted(self.state.documents)[0] if self.state.documents else None
            if first is None:
                errors = "\n".join(self.state.errors) or "no topics yet"
                self._send(200, "text/html", f"<pre>{html.escape(errors)}</pre>")
                return
            self.send_response(302)
            self.send_header("Location", f"/{first}/")
            self.end_headers()
            return
        page = self.state.page(path)
        if page is None:
            self._send(404, "text/plain", "not found")
        else:
            self._send(200, "text/html", page)

    def _from_its_owner(self) -> bool:
        """Whether the request names the preview's own address as its Host: a page from
        anywhere else that the browser is led to ask (DNS rebinding) names its own."""
        port = typing.cast(tuple, self.server.server_address)[1]
        return self.headers.get("Host", "") in {
            f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]")
        }

    def _send(self, status: int, kind: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", SECURITY_POLICY)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *arguments) -> None:  # requests are not news
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # a burst of connections waits in the queue rather than being refused


def serve(
    root: Path,
    topics: tuple[str, ...],
    port: int,
    stop: threading.Event,
    say: Callable[[str], None],
    report: Callable[[str], None],
) -> None:
    """Serve the preview on 127.0.0.1:``port`` (0: any free port) until ``stop`` is set,
    re-rendering on every save; ``say`` tells what happens, ``report`` each located error."""
    from watchfiles import watch

    state = PreviewState(root.resolve(), topics)
    errors = state.refresh()
    handler = type("PreviewHandler", (_Handler,), {"state": state})
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    say(f"previewing at http://127.0.0.1:{server.server_address[1]}/ ; Ctrl-C stops")
    for problem in errors or state.warnings:
        report(problem)
    watched = [
        state.root / folder for folder in ("notes", "seeds", "layouts") if (state.root / folder).is_dir()
    ]
    try:
        for changes in watch(*watched, debounce=150, step=50, stop_event=stop, raise_interrupt=False):
            if changes:
                errors = state.refresh()
                for problem in errors or state.warnings:
                    report(problem)
                say(
                    f"re-rendered; {len(errors)} error(s), the last good page is kept"
                    if errors
                    else "re-rendered"
                )
    finally:
        server.shutdown()
        server.server_close()
