"""Interrupts (Ctrl-C, SIGTERM, SIGHUP) handled the same way from the first instruction.

The console entry point (:func:`textmine.cli.main`) calls :func:`install` before it imports
anything heavy. Until :func:`arm` is called the handler only records the signal (an interrupt
during the imports is acted on as soon as they are done, never as an ``ImportError`` traceback or
silently ignored); once armed it raises :class:`Interrupted`, a :class:`KeyboardInterrupt`, so
that every ``except BaseException`` clean-up (temporary output folders) runs. Code that must not
be cut half-way (the rename pair that swaps an output folder in) runs inside :func:`deferred`,
which blocks the signals; a signal received there is delivered when the block ends.

Only the standard library is imported here: this module is loaded before anything else.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

__all__ = ["EXIT_CODES", "Interrupted", "arm", "deferred", "exit_code", "install", "received",
           "reset", "written"]

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


def reset() -> None:
    """Forget the output noted by :func:`written` (start of a command)."""
    _State.written = None


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
    """Block SIGINT, SIGTERM and SIGHUP during the block; pending ones are delivered at its end."""
    can_block = (hasattr(signal, "pthread_sigmask")
                 and threading.current_thread() is threading.main_thread())
    if not can_block:
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, set(EXIT_CODES))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
