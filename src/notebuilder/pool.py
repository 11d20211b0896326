"""A fork pool for CPU-bound stages, stopped safely on Ctrl-C or SIGTERM.

While the pool runs, a Ctrl-C or SIGTERM is only noted and acted on between waits: an
exception raised from a signal handler inside the pool's own locking would deadlock its
shutdown. On any way out of the ``with`` block the workers are killed and joined, so
nothing they do can outlive the stage (write.py discards staged files only after).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence

from .errors import Interrupted, Problem, ToolError

MAX_WORKERS = 4


def worker_count(jobs: int) -> int:
    return min(jobs, os.cpu_count() or 1, MAX_WORKERS)


def die_with_parent() -> None:
    """In a child process: be killed when the process that started it dies (Linux).

    A build stopped any way at all, ``kill -9`` included, takes its workers and their
    tools (WeasyPrint, pandoc, Graphviz) with it: none goes on writing temporaries after
    the next build has cleaned up."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_worker(parent: int) -> None:
    _worker_signals(parent)


@contextlib.contextmanager
def cyclic_gc_paused(collect_after: bool = False):
    """Pause Python's cycle collector for work that makes many objects in a burst: it
    would only rescan them again and again. Dedupe makes hundreds of thousands of small
    frozen objects and no cycles (measured: a third of the stage, and nine tenths of
    reading the results back from the workers); WeasyPrint's box trees do hold cycles,
    so after a PDF (``collect_after``) they are collected once, cheaply: all of them are
    in the youngest generation (measured: a booklet or a self-test printed 10–15% faster,
    memory as before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if collect_after:
            gc.collect(0)  # what was made while paused is all in the youngest generation


STOPS = {signal.SIGINT, signal.SIGTERM}


def _worker_signals(parent: int) -> None:
    # The parent handles Ctrl-C and SIGTERM; it stops the workers itself (with SIGTERM,
    # which kills them at once; a tool they started dies with them, see die_with_parent).
    # A worker is forked with both blocked (see WorkerPool.__enter__): one sent before
    # this point waits, and is acted on as the worker's own, not as the parent's.
    die_with_parent()
    if os.getppid() != parent:
        os._exit(1)  # the build died between the fork and the line above
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)


_open_pools: list[WorkerPool] = []


def stop_noted() -> bool:
    """Whether a Ctrl-C or SIGTERM was noted by a pool that is open now (its handlers only
    note a stop, so whatever waits while it is open must look, between waits)."""
    return any(pool.stops for pool in _open_pools)


class WorkerDied(ToolError):
    """A worker process died under the build (killed, as the system does for want of memory)."""


_started = None  # a fork pool's queue of (worker pid, what it is writing), made before its fork


def _labelled(label: str, function: Callable, *arguments):
    """In a worker: say which job this process is on, then do it (see WorkerPool.gather)."""
    if _started is not None and label:
        _started.put((os.getpid(), label))
    return function(*arguments)


def _how(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"


class WorkerPool:
    """``with WorkerPool(2) as pool: results = pool.gather([pool.submit(f, x) for x in xs])``.

    A fork pool from :mod:`concurrent.futures`, which notices a worker that died (a
    ``kill -9``, the out-of-memory killer, a library that aborts) rather than waiting
    for its job for ever: the build then fails at once, naming what that worker was
    writing (:class:`WorkerDied`)."""

    def __init__(self, workers: int, warm: tuple[str, ...] = ()) -> None:
        self.workers = workers
        self.warm = warm  # modules the workers will need (WeasyPrint: 0.3 s to import)
        self.stops: list[int] = []
        self.processes: list = []
        self.labels: dict = {}  # each job's label, by its future

    def __enter__(self) -> WorkerPool:
        global _started
        from concurrent.futures import ProcessPoolExecutor

        self.previous = {
            number: signal.signal(number, lambda signum, frame: self.stops.append(signum))
            for number in (signal.SIGINT, signal.SIGTERM)
        }
        # Forked with the stops blocked: a worker inherits the parent's handlers, which only
        # note a stop, and a SIGTERM that reached it before it reset them would be lost
        # (the pool then waits for that worker for ever). The pool's own threads, started
        # here, keep them blocked too.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
        # The modules are imported once, here, and every worker forked with them: not once
        # per worker (a test suite's hundred small builds spent half their time so). The
        # heap is frozen across the fork: a worker's collections then never walk (and so
        # never copy) the pages of what the parent holds.
        for module in self.warm:
            __import__(module)
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            _started = self.started = context.SimpleQueue()
            before = set(multiprocessing.active_children())
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
            self.executor.submit(int)  # a fork pool starts all its workers at its first job: now
            self.processes = [child for child in multiprocessing.active_children() if child not in before]
        except BaseException:
            self._restore()
            raise
        finally:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
        _open_pools.append(self)
        return self

    def submit(self, function: Callable, *arguments, label: str = ""):
        """Run ``function(*arguments)`` on a worker; ``label`` names it if the worker dies."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self.executor.submit(_labelled, label, function, *arguments)
        except BrokenProcessPool:
            raise self._death() from None
        self.labels[future] = label
        return future

    def check_stops(self) -> None:
        """Raise :class:`Interrupted` if a Ctrl-C or SIGTERM was noted."""
        if self.stops:
            raise Interrupted

    def gather(self, pending: Iterable) -> list:
        """Each result in order; a noted stop raises :class:`Interrupted` between waits, and
        a worker that died raises :class:`WorkerDied`."""
        from concurrent.futures import wait
        from concurrent.futures.process import BrokenProcessPool

        pending = list(pending)
        waiting = set(pending)
        while waiting and not self.stops:
            waiting = wait(waiting, timeout=0.1).not_done
            if any(future.done() and isinstance(future.exception(), BrokenProcessPool) for future in pending):
                raise self._death() from None
        if self.stops:
            raise Interrupted
        return [future.result() for future in pending]

    def _death(self) -> WorkerDied:
        """What died, and what it was writing: the job it said it started, or else every
        job that was still to finish."""
        doing: dict[int, str] = {}
        while not self.started.empty():
            pid, label = self.started.get()
            doing[pid] = label
        # The pool ends the other workers when one dies. Their exit statuses arrive as the
        # pool's own thread reaps them (a reaping race can hide one for a moment): wait a little.
        deadline = time.monotonic() + 3
        while any(process.exitcode is None for process in self.processes) and time.monotonic() < deadline:
            for process in self.processes:
                process.join(0.05)
        dead = [process for process in self.processes if process.exitcode not in (None, 0)]
        dead.sort(key=lambda process: process.exitcode == -signal.SIGTERM)  # the pool ends the rest so
        for process in dead:
            if process.pid in doing:
                return WorkerDied(
                    f"the process writing {doing[process.pid]} died ({_how(process.exitcode)}; the system "
                    "may be out of memory); its last good file is kept"
                )
        how = _how(dead[0].exitcode) if dead else "it died"
        unfinished = [label for future, label in self.labels.items() if label and not future.done()]
        unfinished = unfinished or [label for label in self.labels.values() if label]
        writing = f" while the build was writing {', '.join(unfinished[:3])}" if unfinished else ""
        more = f" and {len(unfinished) - 3} more" if len(unfinished) > 3 else ""
        return WorkerDied(
            f"a worker process died ({how}; the system may be out of memory){writing}{more}; "
            "the last good files are kept"
        )

    def _restore(self) -> None:
        if self in _open_pools:
            _open_pools.remove(self)
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def __exit__(self, kind, error, traceback) -> None:
        global _started
        try:
            # Every result wanted was gathered (or a stop or an error came first): the
            # workers are ended at once, not waited on, whatever they are doing.
            for process in self.processes:
                with contextlib.suppress(OSError, ValueError):
                    process.kill()
            self.executor.shutdown(wait=True, cancel_futures=True)
        finally:
            _started = None
            self._restore()
        if self.stops and kind is None:
            raise Interrupted


def run_side_by_side(tasks: Sequence[Callable[[], object]], stop: Callable[[], None] = lambda: None) -> list:
    """Run tasks that wait on other programs (Graphviz) on threads, one per core; every
    :class:`NoteError` among them is reported together, not just the first. On Ctrl-C or
    SIGTERM, ``stop`` ends the programs still running so that none outlives the build."""
    from concurrent.futures import ThreadPoolExecutor, wait

    from .errors import NoteError

    if not tasks:
        return []
    pool = ThreadPoolExecutor(max_workers=max(1, min(MAX_WORKERS, os.cpu_count() or 1)))
    try:
        futures = [pool.submit(task) for task in tasks]
        waiting = set(futures)
        while waiting:  # a Ctrl-C or SIGTERM lands here, in the main thread, or is noted
            waiting = wait(waiting, timeout=0.1).not_done
            if stop_noted():
                raise Interrupted
    except BaseException:
        stop()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    results: list = []
    problems: list[Problem] = []
    for future in futures:
        try:
            results.append(future.result())
        except NoteError as error:
            problems.extend(error.problems)
    if problems:
        raise NoteError(problems)
    return results


SCRATCH_PREFIX = "notebuilder-"
STALE_SCRATCH_SECONDS = 60


def scratch_folder(kind: str):
    """A temporary folder for a tool's files (``with scratch_folder("maps") as folder:``),
    named for the process that made it, so that one a killed build left behind can be
    told from one a running build is using (see :func:`sweep_stale_scratch`)."""
    import tempfile

    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{kind}-{os.getpid()}-")


def sweep_stale_scratch() -> None:
    """Delete the scratch folders of builds that were killed before they could: those in
    the temporary folder that are this user's, named for a process that no longer runs,
    and older than a minute. A running build's folders are never touched."""
    import re
    import shutil
    import tempfile
    import time

    base = tempfile.gettempdir()
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        found = re.fullmatch(re.escape(SCRATCH_PREFIX) + r"[a-z]+-(\d+)-[^/]+", entry.name)
        if found is None:
            continue
        with contextlib.suppress(OSError):
            status = entry.stat(follow_symlinks=False)
            if status.st_uid != os.getuid() or not entry.is_dir(follow_symlinks=False):
                continue
            if time.time() - status.st_mtime < STALE_SCRATCH_SECONDS or _running(int(found[1])):
                continue
            shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process of that number: not ours to judge
    return True


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
