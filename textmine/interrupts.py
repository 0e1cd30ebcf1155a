"""Interrupts (Ctrl-C, SIGTERM, SIGHUP) handled the same way from the first instruction.

The console entry point (:func:`textmine.cli.main`) calls :func:`install` before it imports
anything heavy. Until :func:`arm` is called the handler only records the signal (an interrupt
during the imports is acted on as soon as they are done, never as an ``ImportError`` traceback or
silently ignored); once armed it raises :class:`Interrupted`, a :class:`KeyboardInterrupt`, so
that every ``except BaseException`` clean-up (temporary output folders) runs. Code that must not
be cut half-way (the rename pair that swaps an output folder in) runs inside :func:`deferred`,
which holds the signals; a signal received there is acted on when the block ends.

Only the standard library is imported here: this module is loaded before anything else.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

__all__ = ["EXIT_CODES", "Interrupted", "arm", "check", "deferred", "disarm", "exit_code",
           "install", "polled", "received", "reset", "written"]

#: Exit code of each handled signal: 128 + the signal number, as a shell reports it.
EXIT_CODES: dict[int, int] = {signal.SIGINT: 130, signal.SIGTERM: 143}
if hasattr(signal, "SIGHUP"):  # not on Windows
    EXIT_CODES[signal.SIGHUP] = 129


class Interrupted(KeyboardInterrupt):
    """Raised by the handler for SIGINT, SIGTERM or SIGHUP once the program is armed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _State:
    received: int | None = None
    armed: bool = False
    installed: bool = False
    written: Path | None = None


def _handler(signum: int, frame: FrameType | None) -> None:
    if _State.received is None:
        _State.received = signum
    if _State.armed:
        raise Interrupted(signum)


def install() -> None:
    """Install the flag-only handler for SIGINT, SIGTERM and SIGHUP (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in EXIT_CODES:
        signal.signal(signum, _handler)
    _State.installed = True


def arm() -> None:
    """From now on a signal raises :class:`Interrupted`; one received before is raised now."""
    _State.armed = True
    if _State.received is not None:
        raise Interrupted(_State.received)


def disarm() -> None:
    """From now on a signal is only recorded (the command has returned and said how it ended).

    A Ctrl-C landing while the interpreter exits (pools and the forkserver being shut down)
    ended the process with 130 and no line after "Results written to ..." (trial 2026-12-01).
    """
    _State.armed = False


def reset() -> None:
    """Forget the signal received and the output noted by :func:`written` (start of a command).

    A signal received before the command started was already acted on by :func:`arm`.
    """
    _State.received = None
    _State.written = None


def check() -> None:
    """Raise :class:`Interrupted` if a signal was received since :func:`reset`.

    Called before an output is put in place. The handler's exception can be swallowed by code
    that is not ours (a library's ``except Exception`` around an optional import, which the
    exception raised inside C code may turn into another type); the signal is still recorded,
    and the run must not then complete as if nothing happened (CI 2026-12-01: a SIGINT 2 s
    into ``themes`` gave exit 0 and a full output).
    """
    if _State.received is not None:
        raise Interrupted(_State.received)


def received() -> int | None:
    """Number of the first signal received since :func:`reset`, or ``None``."""
    return _State.received


def exit_code(signum: int | None) -> int:
    """Exit code for an interrupt by ``signum`` (130 when unknown: a plain KeyboardInterrupt)."""
    return EXIT_CODES.get(signum, 130) if signum is not None else 130


def written(out: Path | None = None) -> Path | None:
    """Note (with ``out``) or return the output folder that a run has completely put in place.

    An interrupt arriving after the swap must not say that nothing was written.
    """
    if out is not None:
        _State.written = out
    return _State.written


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP during the block; one received is acted on at its end.

    The handlers are swapped for a recording one (``pthread_sigmask`` would not do: another
    thread of the process may take a process-directed signal), then restored, and a held signal
    is passed to the previous handler (or raised again when it was the default action).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        held.append(signum)

    previous = {signum: signal.signal(signum, hold) for signum in EXIT_CODES}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held:
            handler = previous[held[0]]
            if callable(handler):
                handler(held[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(held[0])


@contextlib.contextmanager
def polled() -> Iterator[Callable[[], bool]]:
    """Record SIGINT, SIGTERM and SIGHUP during the block for a loop that polls them.

    For an event loop (the workspace server) that stops cleanly when asked: raising
    :class:`Interrupted` from the handler can land in a garbage-collector or weakref callback,
    where Python prints "Exception ignored" with a traceback and the signal is lost (the server
    then never stops). Inside the block a signal is only recorded; the yielded function says
    whether one came, and the loop ends itself. Handlers installed inside the block (uvicorn's)
    take over while they are in place; a signal they re-raise when they are removed is recorded
    too. Nothing is replayed at the end: stopping was the action.
    """
    got: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        got.append(signum)

    main = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, record) for signum in EXIT_CODES} if main else {}
    try:
        yield lambda: bool(got)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
