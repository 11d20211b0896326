"""How a build writes its outputs, safely: each output is written to a temporary file in
its own folder by a :class:`WriteJob`, and all of a unit's outputs are renamed into place
together at the end (:class:`OutputBatch`), so a failed or interrupted build leaves the
last good files untouched; one build at a time writes into a folder (:func:`output_lock`).
What each output's bytes are is the output's own business (:mod:`notebuilder.outputs`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import stat
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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)
            handle, name = tempfile.mkstemp(prefix=self.prefix, suffix=target.suffix, dir=target.parent)
        except OSError as error:
            raise ToolError(f"could not write {target}: {error.strerror or error}") from None
        os.close(handle)
        self.staged.append((Path(name), target))
        return Path(name)

    def commit(self) -> None:
        """Rename every staged file into place, all or nothing: each file it replaces is
        first linked aside, and put back if a later rename fails."""
        for _, blocked in self.staged:
            if blocked.is_dir() and not blocked.is_symlink():
                self.discard()
                raise ToolError(f"could not write {blocked}: a folder of that name is in the way")
        replaced: list[tuple[Path, Path | None]] = []
        target = None
        try:
            for temporary, target in self.staged:
                aside = None
                if os.path.lexists(target):
                    aside = target.with_name(f"{self.prefix}aside-{target.name}")
                    _set_aside(target, aside)
                os.chmod(temporary, 0o644)
                os.replace(temporary, target)
                replaced.append((target, aside))
        except OSError as error:
            for placed, aside in reversed(replaced):
                with contextlib.suppress(OSError):
                    if aside is None:
                        os.unlink(placed)
                    else:
                        os.replace(aside, placed)
            raise ToolError(f"could not write {target}: {error.strerror or error}") from None
        finally:
            self.staged = []
            self.discard()  # the files linked aside, and whatever a failure left

    def discard(self) -> None:
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []
        for folder in self.folders:
            for stray in folder.glob(self.prefix + "*"):
                stray.unlink(missing_ok=True)

    def stage_text(self, target: Path, text: str) -> None:
        try:
            self.stage(target).write_text(text, encoding="utf-8")
        except OSError as error:
            raise ToolError(f"could not write {target}: {error.strerror or error}") from None

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


def _set_aside(target: Path, aside: Path) -> None:
    """Keep what ``target`` is under the name ``aside``: a hard link, or a copy where the
    file system has none (a FAT memory stick)."""
    try:
        os.link(target, aside, follow_symlinks=False)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise
        shutil.copyfile(target, aside, follow_symlinks=False)


LOCK_NAME = ".notebuilder.lock"
LOCK_WAIT_SECONDS = 600


@contextlib.contextmanager
def output_lock(out: Path, waiting=lambda message: None):
    """Hold ``<out>/.notebuilder.lock`` while a build writes there (an ``fcntl`` lock, which
    the system releases when its holder dies, ``kill -9`` included), and remove it after.
    A second build into the same folder waits for the first, saying so, and gives up after
    :data:`LOCK_WAIT_SECONDS` with a :class:`ToolError` (exit 3).

    The lock is opened without following a symbolic link (one planted there would make a
    build create a file outside ``out``). It is removed while still held, so a build that
    was waiting on the removed file opens the new one and locks that instead."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ToolError(f"could not write {out}: {error.strerror or error}") from None
    path = out / LOCK_NAME
    deadline = None
    while True:
        descriptor = _open_lock(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            if deadline is None:
                waiting(f"another build is writing to {out}; waiting for it to finish")
                deadline = time.monotonic() + LOCK_WAIT_SECONDS
            elif time.monotonic() > deadline:
                raise ToolError(f"another build is writing to {out}; try again when it is done") from None
            time.sleep(0.1)
            continue
        try:
            locked_the_file_there = os.path.samestat(
                os.fstat(descriptor), os.stat(path, follow_symlinks=False)
            )
        except FileNotFoundError:
            locked_the_file_there = False  # the build before removed it as we opened it
        if locked_the_file_there:
            break
        os.close(descriptor)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(descriptor)  # and with it the lock


def _open_lock(path: Path) -> int:
    try:
        descriptor = os.open(
            path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644
        )
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ToolError(
                f"{path} is a symbolic link; a build writes nothing through it: remove it"
            ) from None
        raise ToolError(f"could not write {path}: {error.strerror or error}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ToolError(f"{path} is not a plain file; remove it") from None
    return descriptor


def remove_stray_temporaries(directory: Path) -> None:
    """Delete temporaries left by a build that was killed before it could clean up.

    Call it only while holding :func:`output_lock`: then no live build owns any of them
    (a killed build's workers died with it, see pool.die_with_parent)."""
    if directory.is_dir():
        for pattern in (TEMP_PREFIX + "*", ".pikepdf." + TEMP_PREFIX + "*"):  # and qpdf's own, beside ours
            for stray in directory.rglob(pattern):
                stray.unlink(missing_ok=True)


@dataclass(frozen=True)
class WriteJob:
    """One output to write into its staged temporary file."""

    output: Output
    payload: Any
    target: Path  # the staged temporary it is written to
    context: WriteContext
    destination: Path  # the output's own path, named if it cannot be written


def run_write_job(job: WriteJob) -> int | None:
    """Write one output; returns the page count of a PDF. A file that cannot be written (a
    full disk) is a :class:`ToolError` naming the output, not its temporary."""
    try:
        with cyclic_gc_paused(collect_after=True):
            return job.output.write(job.payload, job.target, job.context)
    except OSError as error:
        raise ToolError(f"could not write {job.destination}: {error.strerror or error}") from None
