"""How a build writes its outputs, safely: each output is written to a temporary file in
its own folder by a :class:`WriteJob`, and all of a unit's outputs are renamed into place
together at the end (:class:`OutputBatch`), so a failed or interrupted build leaves the
last good files untouched; one build at a time writes into a folder (:func:`output_lock`).
What each output's bytes are is the output's own business (:mod:`notebuilder.outputs`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ToolError
from .outputs import Output, WriteContext
from .pool import cyclic_gc_paused

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


@dataclass(frozen=True)
class WriteJob:
    """One output to write into its staged temporary file."""

    output: Output
    payload: Any
    target: Path
    context: WriteContext


def run_write_job(job: WriteJob) -> int | None:
    """Write one output; returns the page count of a PDF."""
    with cyclic_gc_paused(collect_after=True):
        return job.output.write(job.payload, job.target, job.context)
