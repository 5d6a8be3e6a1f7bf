"""A second core for the stages that can split their work: part of it computed in a forked
copy of this process, the result sent back through a pipe.

Facts and rule evaluation are hundreds of small pandas operations, each on one core, and
in a `--only json,xlsx` run (or at 20,000 VMs, once the PDF process has finished its
imports) the second core has nothing to do. A forked child shares the parent's memory as
it was at the fork, so handing it half of the work costs a few milliseconds, and only what
it sends back is copied.

A fork also copies whatever an embedding program holds (its threads' locks, open
connections) into a process that program never asked for. So advisor forks only where
the process is its own: the console entry point allows it (`advisor.cli.main`); a program
or test that imports advisor is never forked unless it says so (`allow`). And only where
it pays: on Linux (fork is cheap and safe there for what the child does), with two CPUs
for the process, and from MIN_SERVERS servers up.

The child can only save time, never change or lose a result: when it fails (an error, a
signal, a value that will not pickle) or does not answer within several times what the
parent took for its own share, the caller computes the child's share itself and meets any
error there, where it is reported like every other.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Servers from which a stage splits its work. The facts and the rules cost about the same
#: per operation whatever the size (the facts 0.35-0.45 s from 80 to 655 servers), and so
#: does the split's saving (0.09-0.12 s on the facts). But a small estate reaches them
#: while the PDF process is still importing its libraries (the first 1.5 s of a run): three
#: busy processes on two cores, and the demo (77 servers, all outputs) took 5.4-5.6 s
#: split or not.
MIN_SERVERS = 300

#: However fast the parent was, the child gets at least this long (seconds) before its
#: share is computed in the parent instead; otherwise WAIT_FACTOR times the parent's share.
MIN_WAIT = 10.0
WAIT_FACTOR = 4.0

#: How often a child process checks that its parent is still there (the fallback to
#: PR_SET_PDEATHSIG, and the only guard where that does not exist).
PARENT_CHECK_S = 0.5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_allowed = False


def allow(on: bool = True) -> None:
    """Let advisor fork this process for work it can do on a second core."""
    global _allowed
    _allowed = on


def usable(servers: int) -> bool:
    """A stage working on `servers` servers may split its work with `Forked`."""
    return (
        _allowed
        and sys.platform == "linux"
        and len(os.sched_getaffinity(0)) >= 2
        and servers >= MIN_SERVERS
    )


def in_two(items: Sequence[T], run: Callable[[T], R], servers: int) -> list[R]:
    """`[run(x) for x in items]`, shared with a forked child where `usable(servers)`: for
    independent pieces of work whose costs differ from one estate to the next (the rules).
    Both processes take the next item from a counter in shared memory until none is left,
    so neither waits long for the other whatever the costs; then the child sends what it
    computed. Whatever the child did not send is computed here."""
    if not usable(servers) or len(items) < 2:
        return [run(x) for x in items]
    import multiprocessing

    counter = multiprocessing.get_context("fork").Value("l", 0)  # shared across the fork

    def taken() -> dict[int, R]:
        done: dict[int, R] = {}
        while True:
            if not counter.get_lock().acquire(timeout=1.0):
                return done  # held by a child that died holding it: the rest are ours
            try:
                i = counter.value
                counter.value = i + 1
            finally:
                counter.get_lock().release()
            if i >= len(items):
                return done
            done[i] = run(items[i])

    child = Forked.start(taken)
    mine = taken()
    ok, theirs = child.result()
    if not ok:
        theirs = {}
    return [
        mine[i] if i in mine else theirs[i] if i in theirs else run(x) for i, x in enumerate(items)
    ]


def end_with_parent(parent: int, deathsig: bool) -> None:
    """Make this child process end when its parent `parent` ends, however the parent ends
    (SIGKILL included), so that no orphan keeps working for a run nobody waits for (or
    blocks for ever writing a result nobody reads).

    On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG). That signal
    follows the parent *thread* that started the process, so it is set only when that was
    the parent's main thread (`deathsig`). A watchdog thread that notices the parent pid
    change covers everything else (other systems, a failing prctl). The PDF process and
    `Forked` children both use it.
    """
    if deathsig and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still applies
    if os.getppid() != parent:  # the parent was gone before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


class Forked:
    """`fn(*args)` running in a forked copy of this process; `result` collects it."""

    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn
        self.started = time.perf_counter()

    @classmethod
    def start(cls, fn: Callable[..., Any], *args: Any) -> Forked:
        """Fork and run `fn(*args)` in the child. The arguments are not copied: the child
        sees this process's memory as it is now."""
        import multiprocessing

        fork = multiprocessing.get_context("fork")
        receive, send = fork.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # else the child would write them again
            stream.flush()
        parent = (os.getpid(), threading.current_thread() is threading.main_thread())
        process = fork.Process(target=_child, args=(fn, args, send, receive, parent), daemon=True)
        try:
            process.start()
        except OSError:  # no memory or no process slot for a fork: the caller does it all
            process = None
        send.close()
        return cls(process, receive)

    def result(self) -> tuple[bool, Any]:
        """(True, what `fn` returned), or (False, None) when the child failed or did not
        answer in time (it is stopped then). Call it once the parent's own share is done:
        the time that took sets how long the child is waited for."""
        own = time.perf_counter() - self.started
        ok, value = False, None
        try:
            if self.process is not None and self.conn.poll(max(MIN_WAIT, WAIT_FACTOR * own)):
                ok, value = self.conn.recv()
        except (EOFError, OSError):  # the child died before it sent anything
            ok, value = False, None
        finally:
            self.conn.close()
            if self.process is not None:
                self.process.join(timeout=1.0)
                if self.process.is_alive():
                    self.process.kill()
                    self.process.join()
        return ok, value

    def stop(self) -> None:
        """Stop the child without waiting for its result (this process is failing)."""
        self.conn.close()
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()


def _child(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    conn: Any,
    parents_end: Any,
    parent: tuple[int, bool],
) -> None:
    """In the child: run `fn` and send (True, its value), or (False, None) when it failed.
    Interrupts are the parent's to handle: it stops the child, which then ends without a
    word (the handlers the parent had installed to clean up its own files are undone). The
    child ends with its parent, and holds no copy of the parent's end of the pipe: with
    one, a child whose parent was killed would wait for ever to write a result bigger
    than the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parents_end.close()
    end_with_parent(*parent)
    try:
        message: tuple[bool, Any] = (True, fn(*args))
    except BaseException:  # an error, or a stop from the parent (a signal made exception)
        message = (False, None)
    try:
        conn.send(message)
    except Exception:  # the parent is gone or gave up; or the value would not pickle, and
        pass  # the parent, reading the end of the pipe, computes the share itself
    finally:
        conn.close()
