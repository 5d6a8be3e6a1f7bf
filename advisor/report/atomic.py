"""Writing outputs so that nobody ever opens half a file, or files of two different runs.

A consultant sends the PDF and the workbook of one folder to a customer; if a run stopped
part-way (Ctrl-C, a kill, a full disk, a bug in one renderer) had left its new JSON beside
last week's PDF, both would look valid and disagree. So:

- a single file is written under a temporary name beside its target and renamed over it
  (`replacing`): a rename within one folder is atomic, the old file stays until then;
- a set of files (`Staging`) is written into a fresh hidden folder inside the output folder,
  and only when every file is complete are they renamed into place, one after the other,
  while holding an exclusive lock (`LOCK_NAME`) so that two runs writing to the same folder
  cannot interleave their sets. Signals are blocked during those few renames, so Ctrl-C or
  SIGTERM cannot split a set either (SIGKILL can, in a window of microseconds);
- `signals_as_exit` turns SIGTERM and SIGHUP into an exception while outputs are written,
  so that the same clean-up runs as for Ctrl-C, and the process then exits with 128 + the
  signal number, as a shell reports a process ended by that signal.

A run killed with SIGKILL cannot clean up. Its staging folder holds a lock file that the run
keeps locked while it lives; the kernel drops the lock when the process dies, so the next run
can tell a dead run's folder (lock free) from a live one's (lock held) without guessing from
ages, and removes only the dead ones. A staging folder without its lock file (killed in the
instant between creating the folder and the lock) is removed once it is an hour old.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from advisor.errors import InputError, short_error

try:  # POSIX; on Windows there is no flock, and runs to one folder are not serialised
    import fcntl
except ImportError:  # pragma: no cover - not on the test platform
    fcntl = None  # type: ignore[assignment]

#: Staging folders inside an output folder start with this (hidden, never an output).
STAGING_PREFIX = ".advisor-tmp-"
#: A staging folder's name while its lock is being taken (see `Staging.__enter__`).
NEW_PREFIX = ".advisor-new-"
#: Lock file in the output folder, held while a set is moved into place (left there, empty:
#: removing a lock file others may be waiting on would let two runs lock different files).
LOCK_NAME = ".advisor.lock"
#: Lock file inside a staging folder, held by its run for as long as the run lives.
STAGING_LOCK = ".lock"
#: Age after which leftovers that carry no lock (see module doc) are removed.
STALE_AFTER_S = 3600
#: Signals that mean "stop now, politely": turned into `Terminated` while writing.
POLITE_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: Signals held back while a set is moved into place or a staging folder is removed.
HELD_SIGNALS = {signal.SIGINT, *POLITE_SIGNALS}


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while outputs were written. A BaseException, like
    KeyboardInterrupt, so that `except Exception` in a renderer does not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum


# --- single files -------------------------------------------------------------------------


def temp_beside(path: Path) -> Path:
    """A hidden, unique name beside `path` for writing it: same folder, so the final rename
    is atomic; unique, so two runs writing the same target never share a temporary file."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write `path` to; it replaces `path` only if the block ends
    without an exception, and is removed otherwise (Ctrl-C and SIGTERM included). OSError
    from the rename propagates, for the caller to name its file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale_files(path)
    tmp = temp_beside(path)
    with signals_as_exit():
        try:
            yield tmp
            os.replace(tmp, path)
        except BaseException:
            with held_signals():
                tmp.unlink(missing_ok=True)
            raise


def _sweep_stale_files(path: Path) -> None:
    """Remove temporary files of `path` left by runs killed an hour or more ago (nothing
    locks a single file's temporary, so age is the only safe sign it is abandoned)."""
    with contextlib.suppress(OSError):
        for item in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            if item.is_file() and _older_than(item, STALE_AFTER_S):
                item.unlink(missing_ok=True)


# --- signals ------------------------------------------------------------------------------


_active = threading.local()


@contextlib.contextmanager
def signals_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Terminated` inside the block, so clean-up code (`finally`,
    `except BaseException`) runs; after the block they end the program with SystemExit(128 +
    signal), once a handler installed before has had its say. Re-entrant; does nothing
    outside the main thread (Python runs signal handlers only there) or for a signal that was
    set to be ignored."""
    if threading.current_thread() is not threading.main_thread() or getattr(_active, "on", 0):
        yield
        return
    previous: dict[int, Any] = {}
    _active.on = 1
    try:
        for signum in POLITE_SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, _raise_terminated)
        yield
    except Terminated as exc:
        _restore(previous)
        handler = previous.get(exc.signum)
        if callable(handler):
            handler(exc.signum, None)
        raise SystemExit(128 + exc.signum) from None
    finally:
        _active.on = 0
        _restore(previous)


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


def _restore(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP for a few renames or a clean-up, so that they
    are not cut in half; a signal that arrived meanwhile is delivered right after."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


# --- sets of files ------------------------------------------------------------------------


class Staging:
    """A hidden folder inside `folder` where one run writes its whole set of outputs.

    `publish` moves the named files into `folder` under the folder's lock; leaving the block
    without publishing (an exception, Ctrl-C, SIGTERM) removes the staging folder and leaves
    `folder` as it was.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.dir: Path | None = None
        self._lock_fd: int | None = None

    def __enter__(self) -> Staging:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            sweep_stale_staging(self.folder)
            # Created under another name and renamed once locked: a sweeping run must never
            # see a staging folder whose lock is free only because it is not taken yet.
            new = Path(tempfile.mkdtemp(prefix=NEW_PREFIX, dir=self.folder))
            self.dir = new
            self._lock_fd = _lock_file(new / STAGING_LOCK, wait=False)
            final = new.with_name(STAGING_PREFIX + new.name[len(NEW_PREFIX) :])
            os.rename(new, final)
            self.dir = final
        except BaseException:  # Ctrl-C included: __exit__ does not run for us here
            self._discard()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._discard()

    def path(self, name: str) -> Path:
        """Where to write the output `name` during the run."""
        assert self.dir is not None, "Staging used outside its with-block"
        return self.dir / name

    def publish(self, names: Sequence[str], *, drop: Sequence[str] = ()) -> list[Path]:
        """Move the staged files `names` into the folder, and remove the older outputs
        `drop` there (outputs this run could not make, so that none of an earlier run is left
        beside this run's), all under the folder's lock. Returns the final paths.

        An OSError is raised as it is only while nothing has moved; should a move fail after
        others succeeded (a rename in one folder rarely fails alone), the InputError says
        which files are new."""
        targets = [self.folder / name for name in names]
        with _locked(self.folder / LOCK_NAME):
            for target in (*targets, *(self.folder / name for name in drop)):
                if target.is_dir() and not target.is_symlink():
                    raise InputError(f"{target}: is a folder, so the output cannot replace it")
            moved: list[str] = []
            with held_signals():
                try:
                    for name, target in zip(names, targets, strict=True):
                        os.replace(self.path(name), target)
                        moved.append(name)
                    for name in drop:
                        (self.folder / name).unlink(missing_ok=True)
                except OSError as exc:
                    if not moved:
                        raise
                    raise InputError(
                        f"{self.folder}: outputs only partly replaced ({_reason(exc)}): "
                        f"{', '.join(moved)} from this run, the others from an earlier one; "
                        "run again"
                    ) from exc
        return targets

    def _discard(self) -> None:
        with held_signals():
            if self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
            if self._lock_fd is not None:
                os.close(self._lock_fd)
            self.dir, self._lock_fd = None, None


def sweep_stale_staging(folder: Path) -> list[Path]:
    """Remove staging folders of runs that are no longer alive (see module doc); return
    them. A staging folder whose run still lives keeps its lock and is left alone."""
    removed = []
    with contextlib.suppress(OSError):
        for item in folder.iterdir():
            if not item.name.startswith((STAGING_PREFIX, NEW_PREFIX)):
                continue
            if item.is_dir() and not item.is_symlink() and _abandoned(item):
                shutil.rmtree(item, ignore_errors=True)
                removed.append(item)
    return removed


def _abandoned(staging: Path) -> bool:
    """True when no live run owns `staging`: its lock can be taken, or it has no lock (or
    is still being set up) and is older than STALE_AFTER_S."""
    lock = staging / STAGING_LOCK
    try:
        fd = os.open(lock, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return _older_than(staging, STALE_AFTER_S)
    except OSError:
        return False
    if staging.name.startswith(NEW_PREFIX) or fcntl is None:
        os.close(fd)
        return _older_than(staging, STALE_AFTER_S)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its run is alive (or the file system cannot tell: keep it)
    finally:
        os.close(fd)  # closing drops the lock again
    return True


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.lstat().st_mtime > seconds
    except OSError:
        return False


def _lock_file(path: Path, *, wait: bool) -> int:
    """Open (creating) and lock `path` exclusively; return the descriptor holding the lock.
    A file system without flock support (some network mounts) gets no lock rather than no
    output: the rest of the design still holds for one run at a time."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            os.close(fd)
            raise
    return fd


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of `path` for the block (waits for another run's moves,
    which take milliseconds)."""
    fd = _lock_file(path, wait=True)
    try:
        yield
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or short_error(exc)
